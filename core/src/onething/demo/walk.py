"""Cases through the closed loop, as the departments would move them: most rectified and
closed, some referred, some penalised (one seriously, so that a joint sanction starts), some
still in rectification past their deadline — every move through
:func:`onething.loop.transition`, by an actor the loop allows, at simulated times up to the
end of the cycle. Which path a case takes is the plan hash of the seed and the case."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..loop import Actor, Loop, get_case, transition
from ..loop.cases import allowed
from ..loop.clock import aware
from ..planning.prn import prn
from .inspections import EvidenceCache, record_data

#: path -> share of cases (the rest stay in handling); a simulation, not a rule.
PATHS = (
    ("rectified", 0.55),
    ("not_rectified", 0.08),
    ("referred", 0.10),
    ("penalised", 0.10),
    ("in_rectification", 0.10),
)
ROLES = ("inspector", "reviewer", "leader")
#: what becomes of an assessed warning: dismissed, or its clue transferred, accepted and then
#: handled like a finding (no inspection record: ordered, referred or penalised on handling,
#: found not established, or still in handling).
WARNING_PATHS = (
    ("dismissed", 0.30),
    ("in_rectification", 0.25),
    ("referred", 0.10),
    ("penalised", 0.10),
    ("not_established", 0.10),
)


class Walker:
    def __init__(self, app, *, seed: str, now: dt.datetime):
        self.app = app
        self.loop = Loop(app.rulebook)
        self.seed = seed
        self.now = now
        self.cache = EvidenceCache()
        self.taken: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.serious_done = False
        self.overdue_done = False
        self.reinspections = 0

    # -- one move -------------------------------------------------------------------------

    def actor(self, case, code: str) -> Actor:
        t = self.loop.transitions[code]
        for dept in (case.owner, self.loop.lead.get(case.domain, ""), "development_reform"):
            for role in ROLES:
                a = Actor(dept, role, case.region_code)
                if allowed(self.loop, case, t, a)[0]:
                    return a
        raise AssertionError(f"no actor may take {code} on case {case.id}")

    def when(self, case, share: float) -> dt.datetime:
        """A moment ``share`` of the way from the case's entry to its due time (3 days when
        the state has no time limit)."""
        entered = aware(case.entered_at)
        due = aware(case.due_at) or entered + dt.timedelta(days=3)
        # Departments differ in speed: spread each move around its share of the limit.
        share *= 0.5 + prn(self.seed, f"pace/{case.id}/{case.version}")
        return entered + (due - entered) * min(share, 0.95) + dt.timedelta(hours=1)

    def move(self, case, code: str, share: float, *, evidence: Any = None, facts=None):
        """Take ``code`` at ``share`` of its time limit; None (the case stays) when that moment
        is after the end of the simulation."""
        at = self.when(case, share)
        if at > self.now:
            return None
        moved = transition(
            self.app.store,
            self.loop,
            case.id,
            code,
            self.actor(case, code),
            version=case.version,
            evidence=evidence,
            facts=facts,
            at=at,
        )
        self.taken[code] += 1
        return moved

    def reinspect(self, case, *, rectified: bool, at: dt.datetime) -> str:
        """A re-inspection record asked for by ``case`` (its items); it fails one check point
        of the case's domain unless ``rectified``."""
        items = [i for i in case.facts.get("items") or [] if i.startswith(f"{case.domain}.")]
        self.reinspections += 1
        rid = f"RE-{case.id:06d}"
        first: list[str] = []

        def fails(code: str) -> bool:
            if rectified or not code.startswith(f"{case.domain}."):
                return False
            if not first:
                first.append(code)
            return code == first[0]

        data, _, _ = record_data(
            self.app.rulebook,
            record_id=rid,
            key=case.object_key,
            items=items,
            when=at,
            inspectors=[{"name": "复查人员", "department": case.owner, "id": f"{case.owner}-re"}],
            fails=fails,
            cache=self.cache,
        )
        self.app.add_record(data, case=case.id, at=at)
        return rid

    # -- whole paths -----------------------------------------------------------------------

    def path_of(self, case_id: int, paths=PATHS) -> str:
        u = prn(self.seed, f"path/{case_id}")
        for name, share in paths:
            if u < share:
                return name
            u -= share
        return "handling"

    def _steps(self) -> dict[str, Callable]:
        """path -> the moves from 核查处置 (handling) on: ``step(case, record_id, path)``."""
        return {
            "rectified": self._rectified,
            "not_rectified": self._not_rectified,
            "referred": self._referred,
            "penalised": self._penalised,
            "sanctioned": self._penalised,
            "in_rectification": self._order,
            "overdue": self._order,
            "not_established": self._not_established,
            "handling": lambda c, r, p: c,
        }

    def walk(self, case_id: int, record_id: str) -> str:
        case = get_case(self.app.store, case_id)
        path = self.path_of(case_id)
        if path == "penalised" and not self.serious_done:
            path = "sanctioned"
        if path == "in_rectification" and not self.overdue_done:
            path = "overdue"
        done = self._steps()[path](case, record_id, path)
        if path == "sanctioned" and done is not None and done.state == "joint_sanction":
            self.serious_done = True
        if path == "overdue" and done is not None and done.state == "rectification":
            self.overdue_done = done.due_at is not None and aware(done.due_at) < self.now
        self.paths[path] += 1
        return path

    def walk_warning(self, case_id: int) -> str:
        """A case opened by a risk warning: assessed, then dismissed or its clue transferred to
        the department that owns it, accepted and handled (:data:`WARNING_PATHS`; no
        inspection record)."""
        case = get_case(self.app.store, case_id)
        path = self.path_of(case_id, WARNING_PATHS)
        case = self.move(case, "assess", 0.3)
        if case is not None and path == "dismissed":
            self.move(case, "dismiss", 0.5, evidence={"reason": "研判排除：监测数据有误（模拟）"})
        elif case is not None:
            evidence = {"to_department": case.owner, "note": "研判属实（模拟）"}
            case = self.move(case, "transfer_clue", 0.5, evidence=evidence)
            if case is not None:
                case = self.move(case, "accept_clue", 0.4)
            if case is not None:
                self._steps()[path](case, None, path)
        self.paths[path] += 1
        return path

    def _order(self, case, record_id: str | None, path: str):
        share = 0.3
        evidence = {"order_no": f"责改〔2026〕{case.id}号"}
        if record_id is not None:
            evidence["record"] = record_id
        return self.move(case, "order_rectification_on_handling", share, evidence=evidence)

    def _not_established(self, case, record_id: str | None, path: str):
        evidence = {"reason": "核查不属实（模拟）"}
        return self.move(case, "not_established", 0.5, evidence=evidence)

    def _close(self, case, summary: str):
        if case is None or case.state != "retrospective":
            return case
        return self.move(case, "close", 0.5, evidence={"summary": summary}) or case

    def _rectified(self, case, record_id: str, path: str, *, ok: bool = True):
        case = self._order(case, record_id, path)
        if case is None:
            return None
        at = self.when(case, 0.7)
        if at > self.now:
            return case
        case = self.move(case, "reinspect", 0.7)
        if case is None:
            return None
        rid = self.reinspect(case, rectified=ok, at=self.when(case, 0.3))
        case = get_case(self.app.store, case.id)
        if ok:
            case = self.move(case, "confirm_rectified", 0.4, evidence={"record": rid})
            return self._close(case, "复查合格，整改到位，办结")
        case = self.move(case, "rectification_failed", 0.4)
        return self._decide(case, "general")

    def _not_rectified(self, case, record_id: str, path: str):
        return self._rectified(case, record_id, path, ok=False)

    def _referred(self, case, record_id: str | None, path: str):
        judicial = prn(self.seed, f"judicial/{case.id}") < 0.3
        evidence = {
            "to": "public_security" if judicial else "市场监管综合执法支队",
            "reason": "涉嫌违法，移送有管辖权的机关（模拟）",
            "judicial": judicial,
        }
        case = self.move(case, "refer_on_handling", 0.4, evidence=evidence)
        if case is None:
            return None
        case = self.move(
            case, "referral_accepted", 0.5, evidence={"receipt": f"接收回执-{case.id}"}
        )
        return self._close(case, "移送已被接收，办结")

    def _penalised(self, case, record_id: str | None, path: str):
        case = self.move(case, "open_penalty_case_on_handling", 0.4)
        return self._decide(case, "serious" if path == "sanctioned" else "general")

    def _decide(self, case, severity: str):
        if case is None or case.state != "penalty":
            return case
        evidence = {"decision_no": f"行罚决〔2026〕{case.id}号", "severity": severity}
        case = self.move(case, "decide_penalty", 0.5, evidence=evidence)
        if case is None:
            return None
        if severity == "general":
            case = self.move(case, "no_sanction", 0.4)
            return self._close(case, "一般失信，处罚已公示，办结")
        return self.move(case, "start_joint_sanction", 0.4) or case
