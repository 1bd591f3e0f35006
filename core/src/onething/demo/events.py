"""A few host-platform events, as a licensing or complaints system would send them: a licence
granted (a post-licence inspection is scheduled), a licence expiring (an expiry check), a
complaint (a case opens) and a serious penalty decided elsewhere (the joint-sanction stage
opens when it reaches the domain's threshold). About real objects of the registry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..registry import iter_objects


def _first(app, domain: str, n: int) -> list[Any]:
    for batch in iter_objects(app.store, domain=domain, batch_size=n):
        return batch
    return []


def demo_events(app, start: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    on = start + dt.timedelta(days=20)
    at = dt.datetime.combine(on, dt.time(10), dt.UTC).isoformat()
    items = {}
    for item in app.rulebook.items(on):
        items.setdefault(item.domain, item.code)
    out: list[dict[str, Any]] = []
    kinds = ("licence_granted", "complaint_received", "licence_expiring", "penalty_decided")
    for n, domain in enumerate(app.rulebook.domains.names):
        objs = _first(app, domain, 2)
        if not objs or domain not in items:
            continue
        obj = objs[-1]
        kind = kinds[n % len(kinds)]
        base = {
            "id": f"demo-{kind}-{domain}",
            "type": kind,
            "at": at,
            "domain": domain,
            "object_key": obj.key,
            "region": obj.region_code,
        }
        licence = {"number": f"DEMO-{domain.upper()}-{n:04d}", "kind": f"{domain}_licence"}
        if kind == "licence_granted":
            base |= {"licence": {**licence, "valid_from": on.isoformat()}, "item": items[domain]}
        elif kind == "licence_expiring":
            valid_to = (on + dt.timedelta(days=30)).isoformat()
            base |= {"licence": {**licence, "valid_to": valid_to}}
        elif kind == "complaint_received":
            base |= {"complaint_id": f"12345-{n:06d}", "summary": "消费者投诉（演示）"}
        else:
            base |= {"decision_no": f"外部处罚决〔2026〕{n}号", "severity": "serious"}
        out.append(base)
    return out
