"""The contract between onething's core and its domain plugins.

Every extension point is one hook specification below; this module holds no logic. A domain
plugin is an object (usually a module or an instance of :class:`onething.DataDomain`) that
implements some of these hooks with ``@onething.hookimpl`` and is registered in the entry-point
group ``onething.domains`` under its domain code. Its module must also declare the contract
version it was written against::

    ONETHING_API = 1

Rules of the contract:

* Every hook that returns rules returns **all dated versions** of them; core chooses what is in
  force on a day (``effective_from`` inclusive, ``effective_to`` exclusive). Never filter by
  today's date in a plugin.
* Every returned object carries ``domain`` = the plugin's domain code; core attaches provenance
  (plugin, version, rule id, basis) and validates each result against its JSON Schema in
  ``onething/schemas`` before use, so a bad result fails loudly at start-up, naming the plugin.
* Hooks that touch registry objects take **batches** (a sequence of up to a few thousand objects)
  and must not call back per object; results are keyed by ``SupervisedObject.key``.
* A hook implementation may accept fewer arguments than the specification lists.
* Units: money in yuan (``CNY``), ratios as fractions (0.2 for 20 %), periods in the unit the
  parameter declares (``day``, ``working_day``, ``month``, ``year``).

The worked example implementing every hook is ``tests/fake_domain/onething_fake``; the reference
docs in ``docs/plugin-hooks.md`` are generated from this module (``onething docs hooks``).
To see what core asks of the plugins and when, set ``ONETHING_TRACE_PLUGINS=1``: every hook
call is written to standard error with the plugins that answered, the time they took and how
many things came back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._markers import hookspec
from .model import (
    DomainDescription,
    Element,
    Item,
    LoopExtension,
    MergeConstraint,
    Parameter,
    PublicationRule,
    RiskRule,
    SanctionMeasure,
    SupervisedObject,
)

if TYPE_CHECKING:
    from .rulebook import Rulebook

# ---------------------------------------------------------------------------------------------
# Description
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def onething_describe_domain() -> DomainDescription:
    """Describe the domain: names, lead and responsible departments, object types, the JSON
    Schema of its registry attributes and how it appears in synthetic registries (its share,
    overlaps with other domains, the licence its businesses hold, how their names end —
    ``synth_*``; core knows no domain's synthetic data), and what its registry holds
    beyond businesses: ``object_kinds`` (a project, site, vehicle, person, installation with
    its key format; each object type names its ``object_kind``) and ``relation_types``
    (typed, dated relations such as ``platform —operates→ vehicle``), checked against
    ``registry-kinds.schema.json``; plugins declaring one kind or relation type must agree
    (see ``docs/registry.md``).

    Called once when the plugin is enabled; ``firstresult``: a plugin registers one domain.

    :return: a :class:`~onething.model.DomainDescription` whose ``code`` equals the entry-point
        name the plugin is registered under. Department codes come from
        ``onething.departments`` (``onething departments`` lists them).
    """


# ---------------------------------------------------------------------------------------------
# Rules as data: items, elements, parameters
# ---------------------------------------------------------------------------------------------


@hookspec
def onething_list_items() -> Sequence[Item]:
    """Return every version of the domain's supervision items (监管事项清单).

    Called when the rulebook is built (once per process, or after a data change). A change of
    an item is a new :class:`~onething.model.Item` with the same ``code`` and later dates; the
    versions of one code must not overlap in time.

    :return: items with codes ``<domain>.<nnn>``, each citing at least one basis.
    """


@hookspec
def onething_list_elements() -> Sequence[Element]:
    """Return every version of the domain's check points (监管要素).

    Called when the rulebook is built. ``canonical`` names an entry of core's shared catalogue
    (``onething.check_points``) wherever the same check point is required elsewhere (fire safety,
    gas safety, health certificates…), so a joint checklist holds it once.

    :return: elements with codes ``<domain>.e<nn>``; ``items`` lists item codes of the domain.
    """


@hookspec
def onething_list_parameters() -> Sequence[Parameter]:
    """Return the domain's parameters: thresholds, limits, deadlines, validity periods,
    sampling ratios and display periods, each with every dated value.

    Called when the rulebook is built. Each value carries its unit (``onething.model.UNITS``),
    basis, verification ``status`` and the date it was last ``reviewed``. The deployment's city
    layer may override values; it cannot remove a parameter.

    :return: parameters whose names are unique within the domain.
    """


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


@hookspec
def onething_match_items(
    objects: Sequence[SupervisedObject],
    items: Sequence[Item],
    on: dt.date,
    rulebook: Rulebook | None,
) -> Iterable[tuple[str, str]]:
    """Say which of the domain's items apply to each object of a batch (对象-事项对应).

    Called by the registry in batches of up to ``onething.registry.BATCH_SIZE`` objects, after
    an import or when items change. ``objects`` are those with a membership in this domain;
    ``items`` are this domain's items in force on ``on``. Implement it only when applicability
    needs more than the items' ``object_types`` and ``condition`` data, which core applies by
    default (:func:`onething.applicability.match_by_data`).

    :param objects: a batch of registry objects in this domain.
    :param items: the domain's items in force on ``on``.
    :param on: the day applicability is decided for.
    :param rulebook: the deployment's :class:`~onething.Rulebook`, or ``None`` outside one
        (a plugin's own tests). Read parameters through it —
        ``rulebook.value(domain, name, on)`` — so that a city's override of a threshold
        reaches the decision; fall back to your own data when it is ``None``.
    :return: ``(object key, item code)`` pairs, in any order, without duplicates.
    """


@hookspec
def onething_synth_attributes(
    objects: Sequence[SupervisedObject], seed: int
) -> Sequence[dict[str, Any]]:
    """Generate realistic domain attributes for a batch of synthetic objects.

    Called by ``onething registry synth`` for objects already given this domain and their
    object types. Must be deterministic for a given ``seed`` and batch.

    :param objects: the synthetic objects, with ``domains[<this domain>].object_types`` set.
    :param seed: seed for this batch.
    :return: one attribute dict per object, in the order of ``objects``, each valid against the
        domain's ``attribute_schema``.
    """


# ---------------------------------------------------------------------------------------------
# Risk, joint visits, closed loop, sanctions, publication
# ---------------------------------------------------------------------------------------------


@hookspec
def onething_list_risk_rules() -> Sequence[RiskRule]:
    """Return the domain's risk-warning rules (预警规则), every dated version.

    Called when the rulebook is built. Rules are data evaluated by core in batch over the
    registry's facts: thresholds come from the domain's parameters (never literals), so a
    changed threshold is a parameter change.

    :return: rules with ids ``<domain>.<name>``.
    """


@hookspec
def onething_list_merge_constraints() -> Sequence[MergeConstraint]:
    """Return the constraints that keep some items' tasks out of a joint visit.

    Called by the planner. By default every task on one object in a cycle's window joins one
    joint visit; a constraint names the items that must not, and why (unannounced, specialist,
    own time window).

    :return: constraints naming item codes of this domain.
    """


@hookspec
def onething_extend_loop() -> LoopExtension | None:
    """Return the domain's extension of the closed loop: extra states, transitions, guards.

    Called when the deployment's loop is assembled; the extension exists only while the domain
    is enabled. Transitions may start from and lead to core states (``onething loop states``)
    or the extension's own states; time limits name parameters of the domain.

    :return: a :class:`~onething.model.LoopExtension`, or ``None`` for no extension.
    """


@hookspec
def onething_list_sanctions() -> Sequence[SanctionMeasure]:
    """Return the joint-sanction measures (失信联合惩戒措施) the domain's laws provide.

    Called when a case enters the joint-sanction stage and when guides are rendered.

    :return: measures with codes ``<domain>.s<nn>``.
    """


@hookspec
def onething_list_publication_rules() -> Sequence[PublicationRule]:
    """Return what the domain publishes (公示), within which time, for how long, redacted how.

    Called by publication and guides.

    :return: rules with codes ``<domain>.p<nn>``.
    """
