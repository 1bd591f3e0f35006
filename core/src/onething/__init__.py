"""onething — 综合监管一件事: integrated supervision of livelihood domains as one thing.

The public API is what this module re-exports; everything else is internal.
"""

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
