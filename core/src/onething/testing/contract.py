"""Core's contract suite, run by every domain plugin against itself::

    from onething.testing import DomainContract

    class TestContract(DomainContract):
        domain = "catering"

Each test states one promise of ``onething.hookspecs``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path

import jsonschema

from .. import rule_lists
from ..checklist.evidence import failures, judged, never_fails, validate
from ..checklist.limits import resolve
from ..i18n import _
from ..integrity import problems
from ..model import Membership, SupervisedObject, converter
from ..plugins import Domains, enable
from ..rulebook import Rulebook


class DomainContract:
    domain: str = ""
    batch_size: int = 40
    entry_points: tuple | None = None
    """Entry points to discover instead of the installed ones (for plugins not installed)."""
    ratios_from_deployment: str = ""
    """Why the plugin declares no sampling ratio (the basis leaving it to the city's layer);
    empty: every random item must have one (``test_every_random_item_has_a_sampling_ratio``)."""
    deployment: str | Path | None = None
    """With ``ratios_from_deployment``: a deployment config whose layers set the ratios; every
    random item must have one under it."""

    @cached_property
    def domains(self) -> Domains:
        assert self.domain, "set `domain` on the contract test class"
        return enable([self.domain], entry_points=self.entry_points)

    @property
    def rules(self):
        return self.domains.rules(self.domain)

    def synthetic_batch(self, seed: int = 7) -> list[SupervisedObject]:
        types = [t.code for t in self.rules.description.object_types]
        objects = [
            SupervisedObject(
                key=f"SYNTH{i:06d}",
                name=f"synthetic {i}",
                region_code="371502",
                domains={self.domain: Membership(object_types=[types[i % len(types)]])},
            )
            for i in range(self.batch_size)
        ]
        attrs = self.domains.synth_attributes(self.domain, objects, seed)
        return [
            SupervisedObject(
                key=o.key,
                name=o.name,
                region_code=o.region_code,
                domains={self.domain: Membership(o.domains[self.domain].object_types, a)},
            )
            for o, a in zip(objects, attrs, strict=True)
        ]

    # -- description and data -----------------------------------------------------------------

    def test_enables_alone_and_describes_its_own_code(self):
        assert self.rules.description.code == self.domain
        assert self.rules.description.name_zh and self.rules.description.name_en

    def test_data_is_consistent(self):
        assert problems(self.rules) == []

    def test_contributes_items_and_elements(self):
        """Enabled, a plugin without items or elements checks nothing (and is no domain)."""
        assert self.rules.items, f"{self.domain}: no supervision items (items.toml)"
        assert self.rules.elements, f"{self.domain}: no elements (elements.toml)"

    def test_every_random_item_has_a_sampling_ratio(self):
        """A random-mode item in force (today, or from its first day) is drawn at
        ``sampling_ratio.<item number>`` or ``sampling_ratio`` of its domain: without one, no
        plan samples it (objects without a credit grade at least; per-grade ratios,
        ``sampling_ratio.A`` …, refine one of these, they do not replace it)."""
        from ..planning.population import NO_GRADE
        from ..planning.sampling import ratio_parameter

        if self.ratios_from_deployment:
            assert self.deployment is not None, (
                f"ratios from the deployment ({self.ratios_from_deployment}): name the "
                "deployment config whose layers set them (`deployment`)"
            )
            from ..app import Onething

            book = Onething.from_config(self.deployment).rulebook
        else:
            book = Rulebook(self.domains)
        today = dt.date.today()
        missing = [
            item.code
            for item in self.rules.items
            if "random" in item.modes
            and (item.effective_to or dt.date.max) > today
            and ratio_parameter(book, item.code, NO_GRADE, max(item.effective_from, today)) is None
        ]
        assert not missing, f"random items without a sampling ratio in force: {missing}"

    def test_every_rule_cites_a_basis(self):
        for kind in rule_lists.RULE_LISTS:
            for rule in getattr(self.rules, kind.field) if kind.cited else ():
                assert rule.basis, f"{kind.field}: {rule} has no basis"
                assert all(b.law for b in rule.basis), f"{kind.field}: {rule} names no law"

    def test_every_element_can_fail(self):
        """An element whose evidence can never fail is a silent defect: its violations would
        be stored as passes (``x-advisory`` says why the law sees no violation)."""
        assert never_fails(self.rules.elements) == []

    def test_evidence_on_the_wrong_side_of_its_limit_yields_a_finding(self):
        """For each element on a day it is in force: evidence passing at every judged place
        yields no failure; evidence on the wrong side at any one place (a flag, a count, a
        limit from the parameters, an expiry or age, a ratio) yields a failure there."""
        from hypothesis import given
        from hypothesis import strategies as st

        from .evidence import evidence, testable

        book = Rulebook(self.domains)
        today = dt.date.today()
        cases = []
        for el in self.rules.elements:
            in_force = el.effective_from <= today and (
                el.effective_to is None or today < el.effective_to
            )
            on = today if in_force else el.effective_from
            limit = resolve(book, el, on)
            places = testable(judged(el.evidence_schema, el.limit)[0], el.evidence_schema, limit)
            cases.append((el, on, limit, places))

        def norm(reason: str) -> str:
            return re.sub(r"\[\d+\]", "[]", reason).split(" ")[0]

        def check_one(el, on, limit, places):
            @given(st.data())
            def check(data):
                schema = el.evidence_schema
                good = data.draw(evidence(schema, limit, on), label="passing")
                validate(el.code, schema, good, location=el.code, path="evidence")
                assert failures(schema, good, limit, on) == [], el.code
                for place in places:
                    bad = data.draw(evidence(schema, limit, on, place), label=place or "value")
                    validate(el.code, schema, bad, location=el.code, path="evidence")
                    reasons = failures(schema, bad, limit, on)
                    whole = _("取值", "value")  # a reason names its place, or the whole value
                    assert (place or whole) in map(norm, reasons), (el.code, place, reasons)

            check()

        for case in cases:  # one property per element: a failure shrinks within it
            check_one(*case)

    def test_parameters_have_basis_dates_and_review(self):
        today = dt.date.today()
        for p in self.rules.parameters:
            for v in p.values:
                assert v.basis, f"parameter {p.name} value from {v.effective_from} has no basis"
                assert v.reviewed <= today, f"parameter {p.name}: reviewed in the future"

    def test_each_parameter_value_is_what_the_rulebook_returns_on_its_first_day(self):
        book = Rulebook(self.domains)
        assert book.parameter_names(self.domain) == sorted(
            (self.domain, p.name) for p in self.rules.parameters
        )
        for p in self.rules.parameters:
            for v in p.values:
                assert book.value(self.domain, p.name, v.effective_from) == v.value

    def test_models_round_trip_through_the_converter(self):
        r = self.rules
        lists = (e for kind in rule_lists.RULE_LISTS for e in getattr(r, kind.field))
        for model in (r.description, *lists):
            assert converter.structure(converter.unstructure(model), type(model)) == model

    # -- batch semantics ----------------------------------------------------------------------

    def test_synthetic_attributes_are_valid_and_deterministic(self):
        schema = self.rules.description.attribute_schema
        first = self.synthetic_batch(seed=11)
        again = self.synthetic_batch(seed=11)
        assert [o.domains for o in first] == [o.domains for o in again]
        for o in first:
            jsonschema.validate(o.domains[self.domain].attributes, schema or {"type": "object"})

    def test_match_items_is_a_batch_function(self):
        """Matching a batch equals matching each object alone, whatever the batch order."""
        objects = self.synthetic_batch()
        for on in sorted({i.effective_from for i in self.rules.items}) or [dt.date.today()]:
            items = Rulebook(self.domains).items(on, self.domain)
            whole = self.domains.match_items(self.domain, objects, items, on)
            backwards = self.domains.match_items(self.domain, objects[::-1], items, on)
            one_by_one = set().union(
                *(self.domains.match_items(self.domain, [o], items, on) for o in objects)
            )
            assert whole == backwards == one_by_one
            codes = {i.code for i in items}
            assert all(code in codes for _, code in whole)
