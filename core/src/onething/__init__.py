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
    from .loop import case, case_history, inbox, list_cases
    from .plugins import API_VERSION, ENTRY_POINT_GROUP, Domains, discover, enable
    from .rulebook import ParameterInForce, Rulebook

__all__ = [
    "API_VERSION",
    "ENTRY_POINT_GROUP",
    "DataDomain",
    "Deployment",
    "Domains",
    "InvalidInput",
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
    "holds",
    "hookimpl",
    "inbox",
    "list_cases",
    "load_config",
    "match_by_data",
    "model",
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
        "model": "model",
    },
    globals(),
)
