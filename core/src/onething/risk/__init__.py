"""Risk warning (预警监测) and grading (信用分级分类).

* :mod:`.reference` — the readable semantics of each rule kind, one object at a time (used by
  scenario tests and ``risk explain``);
* :mod:`.facts` — facts intake (JSONL/CSV, published schema ``facts.schema.json``), stored with
  history;
* :mod:`.engine` — every enabled rule evaluated in batch over the registry (set-based, with
  Polars), raising one open warning per object and rule;
* :mod:`.grades` — credit grade × risk grade → the stratum sampling ratios use, with history
  and explanations.
"""

from .reference import COMPARATORS, Verdict, evaluate, judge, resolve_parameter

__all__ = ["COMPARATORS", "Verdict", "evaluate", "judge", "resolve_parameter"]
