"""onething — 综合监管一件事: integrated supervision of livelihood domains as one thing.

The public API is what this module re-exports; everything else is internal. Names are imported
at first use (:mod:`onething._lazy`), so that ``import onething`` and ``onething --help`` stay
fast.
"""

from typing import TYPE_CHECKING

from ._lazy import exports

if TYPE_CHECKING:
    from . import model
    from ._markers import hookimpl
    from .app import Onething
    from .applicability import match_by_data
    from .conditions import holds
    from .config import Deployment, load_config
    from .datadomain import DataDomain
    from .errors import InvalidInput, NotFound, NotInForce, OnethingError, PluginError
    from .loop import (
        Actor,
        Loop,
        case,
        case_history,
        inbox,
        ingest_events,
        list_cases,
        open_case,
        transition,
        verify_audit,
    )
    from .planning.plan import make_plan
    from .planning.verify import verify_plan
    from .plugins import API_VERSION, ENTRY_POINT_GROUP, Domains, discover, enable
    from .registry.importer import import_file
    from .risk.engine import evaluate_all
    from .risk.facts import ingest_file as ingest_facts
    from .rulebook import ParameterInForce, Rulebook

__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "Actor",
    "DataDomain",
    "Deployment",
    "Domains",
    "InvalidInput",
    "Loop",
    "NotFound",
    "NotInForce",
    "Onething",
    "OnethingError",
    "ParameterInForce",
    "PluginError",
    "Rulebook",
    "case",
    "case_history",
    "discover",
    "enable",
    "evaluate_all",
    "holds",
    "hookimpl",
    "import_file",
    "inbox",
    "ingest_events",
    "ingest_facts",
    "list_cases",
    "load_config",
    "make_plan",
    "match_by_data",
    "model",
    "open_case",
    "transition",
    "verify_audit",
    "verify_plan",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "API_VERSION": "plugins:API_VERSION",
        "ENTRY_POINT_GROUP": "plugins:ENTRY_POINT_GROUP",
        "DataDomain": "datadomain:DataDomain",
        "Deployment": "config:Deployment",
        "Domains": "plugins:Domains",
        "InvalidInput": "errors:InvalidInput",
        "NotFound": "errors:NotFound",
        "NotInForce": "errors:NotInForce",
        "Onething": "app:Onething",
        "OnethingError": "errors:OnethingError",
        "ParameterInForce": "rulebook:ParameterInForce",
        "PluginError": "errors:PluginError",
        "Rulebook": "rulebook:Rulebook",
        "case": "loop:case",
        "case_history": "loop:case_history",
        "discover": "plugins:discover",
        "enable": "plugins:enable",
        "holds": "conditions:holds",
        "hookimpl": "_markers:hookimpl",
        "inbox": "loop:inbox",
        "list_cases": "loop:list_cases",
        "load_config": "config:load_config",
        "match_by_data": "applicability:match_by_data",
        "Actor": "loop:Actor",
        "Loop": "loop:Loop",
        "evaluate_all": "risk.engine:evaluate_all",
        "import_file": "registry.importer:import_file",
        "ingest_events": "loop:ingest_events",
        "ingest_facts": "risk.facts:ingest_file",
        "make_plan": "planning.plan:make_plan",
        "open_case": "loop:open_case",
        "transition": "loop:transition",
        "verify_audit": "loop:verify_audit",
        "verify_plan": "planning.verify:verify_plan",
        "model": "model",
    },
    globals(),
)
