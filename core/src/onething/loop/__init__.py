"""The closed loop (全程闭环): the loop as data, cases, the audit chain, events, deadlines,
retrospective analysis and diagrams. See ``docs/loop.md``.

The single entry for case sources is :func:`open_case`; cases move with :func:`transition`.
"""

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
