"""双随机、一次检查 (the planner): coordinated random sampling with permanent random numbers,
non-random tasks, joint visits under the yearly cap, random inspectors, and a plan anyone can
verify. See ``docs/planning.md``.

Public API:

* :func:`prn` / :func:`prn_int` — ``u = H(seed, key)`` (documented byte layout);
* :func:`build_population`, :func:`load_population` — the sampling frame and its SHA-256;
* :func:`draw`, :func:`ratio_parameter`, :func:`sample_size` — the stratified PRN sample;
* :func:`make_plan` (draw, store, audit), :func:`compute_plan` (pure), :func:`verify_plan`;
* :class:`PlanDocument` — the plan document as a typed model (:func:`compute_document`,
  :func:`read_document`), published as ``schemas/plan.schema.json``;
* :func:`read_pool`, :func:`import_pool`, :func:`synth_pool` — inspector pools;
* :func:`write_plan`, :func:`write_checklists` — the published files.
"""

from .cycle import cycle_window
from .document import PlanDocument
from .inspectors import Inspector, import_pool, load_pool, read_pool, synth_pool, write_pool
from .model import Assignment, Infeasible, Task, Unplaced, Visit
from .output import write_checklists, write_plan
from .plan import History, compute_document, compute_plan, digest, history, make_plan
from .population import Population, build_population, load_population
from .prn import ALGORITHM, prn, prn_array, prn_int
from .sampling import Sample, Stratum, draw, ratio_parameter, ratios_in_force, sample_size
from .tasks import read_task_file
from .verify import read_document, read_plan, verify_plan

__all__ = [
    "ALGORITHM",
    "Assignment",
    "History",
    "Infeasible",
    "Inspector",
    "PlanDocument",
    "Population",
    "Sample",
    "Stratum",
    "Task",
    "Unplaced",
    "Visit",
    "build_population",
    "compute_document",
    "compute_plan",
    "cycle_window",
    "digest",
    "draw",
    "history",
    "import_pool",
    "load_pool",
    "load_population",
    "make_plan",
    "prn",
    "prn_array",
    "prn_int",
    "ratio_parameter",
    "ratios_in_force",
    "read_document",
    "read_plan",
    "read_pool",
    "read_task_file",
    "sample_size",
    "synth_pool",
    "verify_plan",
    "write_checklists",
    "write_plan",
    "write_pool",
]
