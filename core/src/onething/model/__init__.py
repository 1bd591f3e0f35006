"""attrs models of the glossary's concepts, and the cattrs converter that moves them."""

from .basis import STATUSES, Basis, Status
from .converter import converter, make_converter
from .dated import in_force, overlaps, version_on
from .domain import (
    SUPERVISION,
    DomainDescription,
    ObjectKind,
    ObjectType,
    RelationType,
    SynthLicence,
    SynthLink,
    SynthRelated,
)
from .element import DIMENSIONS, METHODS, SEVERITIES, Element, Limit
from .finding import Finding
from .item import LEVELS, MEASURES, MODES, RELATED_KINDS, STAGES, Item, RelatedLink, Through
from .loop import LOOP_EFFECTS, LOOP_STAGES, LoopEffect, LoopExtension, LoopState, LoopTransition
from .merge import MergeConstraint
from .national import NATIONAL_KINDS, NationalCode
from .obj import Licence, Membership, SupervisedObject
from .parameter import UNITS, Parameter, ParameterValue, Scalar
from .provenance import Provenance
from .risk import AGGREGATES, RULE_KINDS, Over, RiskRule
from .sanction import PublicationRule, SanctionMeasure

__all__ = [
    "AGGREGATES",
    "DIMENSIONS",
    "LEVELS",
    "LOOP_EFFECTS",
    "LOOP_STAGES",
    "MEASURES",
    "METHODS",
    "MODES",
    "NATIONAL_KINDS",
    "RELATED_KINDS",
    "RULE_KINDS",
    "SEVERITIES",
    "STAGES",
    "STATUSES",
    "SUPERVISION",
    "UNITS",
    "Basis",
    "DomainDescription",
    "Element",
    "Finding",
    "Item",
    "Licence",
    "Limit",
    "LoopEffect",
    "LoopExtension",
    "LoopState",
    "LoopTransition",
    "Membership",
    "MergeConstraint",
    "NationalCode",
    "ObjectKind",
    "ObjectType",
    "Over",
    "Parameter",
    "ParameterValue",
    "Provenance",
    "PublicationRule",
    "RelatedLink",
    "RelationType",
    "RiskRule",
    "SanctionMeasure",
    "Scalar",
    "Status",
    "SupervisedObject",
    "SynthLicence",
    "SynthLink",
    "SynthRelated",
    "Through",
    "converter",
    "in_force",
    "make_converter",
    "overlaps",
    "version_on",
]
