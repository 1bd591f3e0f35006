"""The closed loop (全程闭环): the loop as data, cases, the audit chain, events, deadlines,
retrospective analysis and diagrams. See ``docs/loop.md``.

The single entry for case sources is :func:`open_case`; cases move with :func:`transition`.
"""

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .audit import verify as verify_audit
    from .cases import (
        Actor,
        CaseSource,
        Complaint,
        ConflictError,
        GuardFailed,
        IllegalTransition,
        Overdue,
        PermissionDenied,
        Refused,
        get_case,
        open_case,
        overdue,
        source_of,
        transition,
    )
    from .events import EVENT_TYPES, IngestResult, due_tasks, ingest_events
    from .queries import (
        CaseSummary,
        CaseView,
        Deadline,
        HistoryEntry,
        InboxEntry,
        OpenTransition,
        case,
        case_history,
        inbox,
        list_cases,
    )
    from .spec import (
        INITIAL_STATES,
        REQUIRED_BEFORE_CLOSED,
        Loop,
        core_states,
        core_transitions,
    )

__all__ = [
    "EVENT_TYPES",
    "INITIAL_STATES",
    "REQUIRED_BEFORE_CLOSED",
    "Actor",
    "CaseSource",
    "CaseSummary",
    "CaseView",
    "Complaint",
    "ConflictError",
    "Deadline",
    "GuardFailed",
    "HistoryEntry",
    "IllegalTransition",
    "InboxEntry",
    "IngestResult",
    "Loop",
    "OpenTransition",
    "Overdue",
    "PermissionDenied",
    "Refused",
    "case",
    "case_history",
    "core_states",
    "core_transitions",
    "due_tasks",
    "get_case",
    "inbox",
    "ingest_events",
    "list_cases",
    "open_case",
    "overdue",
    "source_of",
    "transition",
    "verify_audit",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "verify_audit": "audit:verify",
        "Actor": "cases:Actor",
        "CaseSource": "cases:CaseSource",
        "Complaint": "cases:Complaint",
        "ConflictError": "cases:ConflictError",
        "GuardFailed": "cases:GuardFailed",
        "IllegalTransition": "cases:IllegalTransition",
        "Overdue": "cases:Overdue",
        "PermissionDenied": "cases:PermissionDenied",
        "Refused": "cases:Refused",
        "get_case": "cases:get_case",
        "open_case": "cases:open_case",
        "overdue": "cases:overdue",
        "source_of": "cases:source_of",
        "transition": "cases:transition",
        "EVENT_TYPES": "events:EVENT_TYPES",
        "IngestResult": "events:IngestResult",
        "due_tasks": "events:due_tasks",
        "ingest_events": "events:ingest_events",
        "CaseSummary": "queries:CaseSummary",
        "CaseView": "queries:CaseView",
        "Deadline": "queries:Deadline",
        "HistoryEntry": "queries:HistoryEntry",
        "InboxEntry": "queries:InboxEntry",
        "OpenTransition": "queries:OpenTransition",
        "case": "queries:case",
        "case_history": "queries:case_history",
        "inbox": "queries:inbox",
        "list_cases": "queries:list_cases",
        "INITIAL_STATES": "spec:INITIAL_STATES",
        "REQUIRED_BEFORE_CLOSED": "spec:REQUIRED_BEFORE_CLOSED",
        "Loop": "spec:Loop",
        "core_states": "spec:core_states",
        "core_transitions": "spec:core_transitions",
    },
    globals(),
)
