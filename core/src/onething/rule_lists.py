"""The seven kinds of dated rules a domain lists, and where each lives: its data file, the
hook that returns it, its JSON Schema definition and its model. One table: the plugin manager
(hooks, :class:`~onething.plugins.DomainRules`), :class:`~onething.DataDomain` (files and
hook implementations), the citation checks and the contract suite read it at call time, so a
kind added here (with its hook spec, schema definitions and model) flows through all of them.
"""

from __future__ import annotations

import attrs
from attrs import frozen

from .model import (
    Element,
    Item,
    MergeConstraint,
    Parameter,
    PublicationRule,
    RiskRule,
    SanctionMeasure,
)


@frozen
class RuleList:
    field: str
    """Attribute of :class:`~onething.plugins.DomainRules` holding them."""
    hook: str
    stem: str
    """Data file ``data/<stem>.toml``; its schema is ``$defs/<stem>_file``."""
    key: str
    """Top-level array of the data file (``[[<key>]]``)."""
    definition: str
    """Schema definition of one entry (``$defs/<definition>``)."""
    model: type

    @property
    def cited(self) -> bool:
        """Whether each entry carries its own ``basis`` (a parameter's is per value)."""
        return "basis" in attrs.fields_dict(self.model)


RULE_LISTS: tuple[RuleList, ...] = (
    RuleList("items", "onething_list_items", "items", "item", "item", Item),
    RuleList("elements", "onething_list_elements", "elements", "element", "element", Element),
    RuleList(
        "parameters", "onething_list_parameters", "parameters", "parameter", "parameter", Parameter
    ),
    RuleList("risk_rules", "onething_list_risk_rules", "risk_rules", "rule", "risk_rule", RiskRule),
    RuleList(
        "merge_constraints",
        "onething_list_merge_constraints",
        "merge",
        "constraint",
        "merge_constraint",
        MergeConstraint,
    ),
    RuleList(
        "sanctions", "onething_list_sanctions", "sanctions", "measure", "sanction", SanctionMeasure
    ),
    RuleList(
        "publication_rules",
        "onething_list_publication_rules",
        "publication",
        "rule",
        "publication_rule",
        PublicationRule,
    ),
)
