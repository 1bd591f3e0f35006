"""The ``loop`` expectation of scenario files (docs/scenarios.md): which extension states and
transitions exist for a domain when its plugin is enabled, and a path that must be allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..conditions import holds
from ..core_parameters import CORE
from ..errors import NotInForce
from ..rulebook import Rulebook
from .spec import Loop


def check_loop(rulebook: Rulebook, expect: Mapping[str, Any], on: dt.date) -> list[str]:
    """Every unmet expectation of a scenario's ``expect.loop``, as readable lines."""
    loop = Loop(rulebook)
    domain = expect.get("domain") or (rulebook.domains.names or [CORE])[0]
    errors: list[str] = []
    states = set(loop.states_for(domain))
    codes = {t.code for t in loop.for_domain(domain)}
    errors += [
        f"loop of {domain}: no state {s!r}" for s in expect.get("states", []) if s not in states
    ]
    errors += [
        f"loop of {domain}: no transition {t!r}"
        for t in expect.get("transitions", [])
        if t not in codes
    ]
    errors += [
        f"loop of {domain}: {x!r} must not exist"
        for x in expect.get("absent", [])
        if x in states or x in codes
    ]
    path = expect.get("path")
    if path:
        state = path["start"]
        facts = {**path.get("facts", {}), "overdue": False, "domain": domain}
        if state not in states:
            return [*errors, f"loop path of {domain}: no start state {state!r}"]
        for code in path["steps"]:
            t = loop.transitions.get(code)
            if t is None or code not in codes:
                errors.append(f"loop path of {domain}: no transition {code!r}")
                break
            if t.spec.source != state:
                errors.append(
                    f"loop path of {domain}: {code!r} leads from {t.spec.source!r}, the path is "
                    f"in {state!r}"
                )
                break
            if not holds(t.spec.guard, facts):
                errors.append(f"loop path of {domain}: guard of {code!r} {t.spec.guard} fails")
                break
            try:
                loop.limit(t, on)
            except NotInForce as exc:
                errors.append(f"loop path of {domain}: {code!r} time limit: {exc}")
            state = t.spec.target
        else:
            if "end" in path and state != path["end"]:
                errors.append(f"loop path of {domain}: ends in {state!r}, expected {path['end']!r}")
    return errors
