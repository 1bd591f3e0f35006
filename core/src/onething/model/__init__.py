"""attrs models of the glossary's concepts, and the cattrs converter that moves them."""

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
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
    from .loop import (
        LOOP_EFFECTS,
        LOOP_STAGES,
        LoopEffect,
        LoopExtension,
        LoopState,
        LoopTransition,
    )
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

__getattr__, __dir__ = exports(
    __name__,
    {
        "STATUSES": "basis:STATUSES",
        "Basis": "basis:Basis",
        "Status": "basis:Status",
        "converter": "converter:converter",
        "make_converter": "converter:make_converter",
        "in_force": "dated:in_force",
        "overlaps": "dated:overlaps",
        "version_on": "dated:version_on",
        "SUPERVISION": "domain:SUPERVISION",
        "DomainDescription": "domain:DomainDescription",
        "ObjectKind": "domain:ObjectKind",
        "ObjectType": "domain:ObjectType",
        "RelationType": "domain:RelationType",
        "SynthLicence": "domain:SynthLicence",
        "SynthLink": "domain:SynthLink",
        "SynthRelated": "domain:SynthRelated",
        "DIMENSIONS": "element:DIMENSIONS",
        "METHODS": "element:METHODS",
        "SEVERITIES": "element:SEVERITIES",
        "Element": "element:Element",
        "Limit": "element:Limit",
        "Finding": "finding:Finding",
        "LEVELS": "item:LEVELS",
        "MEASURES": "item:MEASURES",
        "MODES": "item:MODES",
        "RELATED_KINDS": "item:RELATED_KINDS",
        "STAGES": "item:STAGES",
        "Item": "item:Item",
        "RelatedLink": "item:RelatedLink",
        "Through": "item:Through",
        "LOOP_EFFECTS": "loop:LOOP_EFFECTS",
        "LOOP_STAGES": "loop:LOOP_STAGES",
        "LoopEffect": "loop:LoopEffect",
        "LoopExtension": "loop:LoopExtension",
        "LoopState": "loop:LoopState",
        "LoopTransition": "loop:LoopTransition",
        "MergeConstraint": "merge:MergeConstraint",
        "NATIONAL_KINDS": "national:NATIONAL_KINDS",
        "NationalCode": "national:NationalCode",
        "Licence": "obj:Licence",
        "Membership": "obj:Membership",
        "SupervisedObject": "obj:SupervisedObject",
        "UNITS": "parameter:UNITS",
        "Parameter": "parameter:Parameter",
        "ParameterValue": "parameter:ParameterValue",
        "Scalar": "parameter:Scalar",
        "Provenance": "provenance:Provenance",
        "AGGREGATES": "risk:AGGREGATES",
        "RULE_KINDS": "risk:RULE_KINDS",
        "Over": "risk:Over",
        "RiskRule": "risk:RiskRule",
        "PublicationRule": "sanction:PublicationRule",
        "SanctionMeasure": "sanction:SanctionMeasure",
    },
    globals(),
)
