"""Every model survives the converter: structure(unstructure(x)) == x, also through JSON."""

from __future__ import annotations

import json

import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onething import model as m
from onething.model import converter

text = st.text(min_size=1, max_size=12)
codes = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
dates = st.dates()
opt_dates = st.none() | dates
scalars = (
    st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(codes, inner, max_size=3),
    max_leaves=6,
)
json_objects = st.dictionaries(codes, json_values, max_size=4)
conditions = st.none() | st.builds(lambda a, v: {"attr": a, "eq": v}, codes, scalars)

bases = st.builds(
    m.Basis,
    law=text,
    article=st.none() | text,
    revision=st.none() | text,
    document=st.none() | text,
    url=st.none() | text,
    status=st.sampled_from(m.STATUSES),
    note=st.none() | text,
)
basis_tuples = st.lists(bases, min_size=1, max_size=2).map(tuple)
tuples = st.lists(codes, max_size=3).map(tuple)

national_codes = st.lists(
    st.builds(
        m.NationalCode,
        kind=st.sampled_from(list(m.NATIONAL_KINDS)),
        code=text,
        effective_from=dates,
        effective_to=opt_dates,
        status=st.sampled_from(m.STATUSES),
        source=st.none() | text,
        region=st.none() | st.sampled_from(["370000", "230000"]),
    ),
    max_size=2,
).map(tuple)

throughs = st.builds(
    m.Through,
    relation=codes,
    direction=st.sampled_from(["out", "in"]),
    object_types=tuples,
    domain=st.none() | codes,
)
overs = st.builds(
    m.Over,
    path=st.lists(codes, min_size=1, max_size=2).map(tuple),
    aggregate=st.sampled_from(m.AGGREGATES),
    direction=st.sampled_from(["out", "in"]),
    object_types=tuples,
    domain=st.none() | codes,
    comparator=st.none() | st.sampled_from([">=", "<"]),
    parameter=st.none() | text,
    weight=st.none() | codes,
)

STRATEGIES = {
    m.Through: throughs,
    m.Over: overs,
    m.Basis: bases,
    m.Provenance: st.builds(
        m.Provenance,
        plugin=codes,
        plugin_version=text,
        rule_id=text,
        basis=basis_tuples,
        layer=st.sampled_from(["plugin", "extension", "override"]),
        source=st.none() | text,
        reason=st.none() | text,
    ),
    m.ObjectType: st.builds(
        m.ObjectType, code=codes, name_zh=text, name_en=text, synth_weight=st.floats(0, 10)
    ),
    m.SynthLicence: st.builds(
        m.SynthLicence, kind=codes, department=codes, prefix=text, validity_years=st.integers(1, 30)
    ),
    m.ObjectKind: st.builds(
        m.ObjectKind,
        code=codes,
        name_zh=text,
        name_en=text,
        key_format=st.sampled_from(["project_code", "plate", "resident_id", "pattern"]),
        key_pattern=st.none() | text,
        key_example=text,
        supervision=st.sampled_from(m.SUPERVISION),
        personal=st.booleans(),
    ),
    m.RelationType: st.builds(
        m.RelationType,
        code=codes,
        name_zh=text,
        name_en=text,
        source_kind=codes,
        target_kind=codes,
        place=st.booleans(),
    ),
    m.SynthRelated: st.builds(
        m.SynthRelated,
        object_type=codes,
        relation=codes,
        anchor=codes,
        anchor_domain=st.none() | codes,
        count=st.tuples(st.integers(0, 5), st.integers(5, 9)),
        count_from=st.none() | codes,
        key=st.none() | text,
        names=tuples,
        new_energy_share=st.floats(0, 1),
    ),
    m.SynthLink: st.builds(
        m.SynthLink,
        object_type=codes,
        relation=codes,
        other=codes,
        other_domain=st.none() | codes,
        share=st.floats(0, 1),
    ),
    m.DomainDescription: st.builds(
        m.DomainDescription,
        code=codes,
        name_zh=text,
        name_en=text,
        lead_department=codes,
        responsible_departments=tuples,
        object_types=st.lists(
            st.builds(m.ObjectType, code=codes, name_zh=text, name_en=text, object_kind=codes),
            max_size=2,
        ).map(tuple),
        basis=basis_tuples,
        attribute_schema=json_objects,
        synth_share=st.floats(0, 1),
        synth_overlaps=st.dictionaries(codes, st.floats(0, 1), max_size=2),
        synth_overlap_types=st.dictionaries(codes, codes, max_size=2),
        synth_sole_trader_share=st.none() | st.floats(0, 1),
        synth_licence=st.none()
        | st.builds(m.SynthLicence, kind=codes, department=codes, prefix=text),
        synth_name_suffixes=tuples,
        object_kinds=st.lists(
            st.builds(m.ObjectKind, code=codes, name_zh=text, name_en=text, key_format=codes),
            max_size=2,
        ).map(tuple),
        relation_types=st.lists(
            st.builds(
                m.RelationType,
                code=codes,
                name_zh=text,
                name_en=text,
                source_kind=codes,
                target_kind=codes,
            ),
            max_size=2,
        ).map(tuple),
        synth_related=st.lists(
            st.builds(m.SynthRelated, object_type=codes, relation=codes, anchor=codes),
            max_size=2,
        ).map(tuple),
        synth_links=st.lists(
            st.builds(m.SynthLink, object_type=codes, relation=codes, other=codes),
            max_size=1,
        ).map(tuple),
    ),
    m.Item: st.builds(
        m.Item,
        code=text,
        domain=codes,
        name_zh=text,
        name_en=text,
        basis=basis_tuples,
        departments=tuples,
        object_types=tuples,
        measures=tuples,
        stage=st.sampled_from(m.STAGES),
        effective_from=dates,
        effective_to=opt_dates,
        levels=tuples,
        modes=tuples,
        related=st.lists(
            st.builds(
                m.RelatedLink,
                kind=st.sampled_from(m.RELATED_KINDS),
                code=text,
                name=st.none() | text,
            ),
            max_size=2,
        ).map(tuple),
        condition=conditions,
        source=st.none() | text,
        national_codes=national_codes,
        through=st.none() | throughs,
    ),
    m.Element: st.builds(
        m.Element,
        code=text,
        domain=codes,
        canonical=text,
        dimension=st.sampled_from(list(m.DIMENSIONS)),
        label_zh=text,
        label_en=text,
        methods=tuples,
        items=tuples,
        departments=tuples,
        basis=basis_tuples,
        severity=st.sampled_from(list(m.SEVERITIES)),
        effective_from=dates,
        effective_to=opt_dates,
        evidence_schema=json_objects,
        limit=st.none()
        | st.builds(
            m.Limit,
            comparator=st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
            unit=text,
            value=st.none() | st.floats(allow_nan=False, allow_infinity=False),
            parameter=st.none() | text,
            frequency=st.none() | text,
        ),
        source=st.none() | text,
        national_codes=national_codes,
    ),
    m.Parameter: st.builds(
        m.Parameter,
        domain=codes,
        name=text,
        label_zh=text,
        label_en=text,
        unit=st.sampled_from(list(m.UNITS)),
        values=st.lists(
            st.builds(
                m.ParameterValue,
                value=scalars,
                effective_from=dates,
                basis=basis_tuples,
                status=st.sampled_from(m.STATUSES),
                reviewed=dates,
                effective_to=opt_dates,
                note=st.none() | text,
            ),
            min_size=1,
            max_size=3,
        ).map(tuple),
        source=st.none() | text,
    ),
    m.SupervisedObject: st.builds(
        m.SupervisedObject,
        key=text,
        name=text,
        region_code=text,
        domains=st.dictionaries(
            codes, st.builds(m.Membership, object_types=tuples, attributes=json_objects), max_size=2
        ),
        address=text,
        licences=st.lists(
            st.builds(
                m.Licence,
                number=text,
                kind=codes,
                department=codes,
                valid_from=opt_dates,
                valid_to=opt_dates,
            ),
            max_size=2,
        ).map(tuple),
        credit_grade=st.none() | text,
        risk_grade=st.none() | text,
    ),
    m.RiskRule: st.builds(
        m.RiskRule,
        id=text,
        domain=codes,
        label_zh=text,
        label_en=text,
        kind=st.sampled_from(m.RULE_KINDS),
        fact=codes,
        severity=st.sampled_from(list(m.SEVERITIES)),
        basis=basis_tuples,
        effective_from=dates,
        effective_to=opt_dates,
        comparator=st.sampled_from(["<", ">="]),
        parameter=st.none() | text,
        denominator=st.none() | codes,
        window=st.none() | text,
        object_types=tuples,
        condition=conditions,
        offsite=st.booleans(),
        source=st.none() | text,
        over=st.none() | overs,
    ),
    m.MergeConstraint: st.builds(
        m.MergeConstraint,
        id=text,
        domain=codes,
        items=tuples,
        kind=st.sampled_from(["unannounced", "specialist", "window", "separate"]),
        reason_zh=text,
        reason_en=text,
        basis=basis_tuples,
        effective_from=dates,
        effective_to=opt_dates,
    ),
    m.LoopExtension: st.builds(
        m.LoopExtension,
        domain=codes,
        states=st.lists(
            st.builds(
                m.LoopState,
                code=codes,
                label_zh=text,
                label_en=text,
                stage=st.sampled_from(list(m.LOOP_STAGES)),
                terminal=st.booleans(),
                basis=basis_tuples,
            ),
            max_size=2,
        ).map(tuple),
        transitions=st.lists(
            st.builds(
                m.LoopTransition,
                code=codes,
                source=codes,
                target=codes,
                label_zh=text,
                label_en=text,
                roles=tuples,
                departments=tuples,
                basis=basis_tuples,
                guard=conditions,
                evidence_schema=st.none() | json_objects,
                time_limit=st.none() | text,
            ),
            max_size=2,
        ).map(tuple),
    ),
    m.SanctionMeasure: st.builds(
        m.SanctionMeasure,
        code=text,
        domain=codes,
        label_zh=text,
        label_en=text,
        trigger_zh=text,
        departments=tuples,
        basis=basis_tuples,
        effective_from=dates,
        effective_to=opt_dates,
        min_severity=st.none() | st.sampled_from(list(m.SEVERITIES)),
        duration=st.none() | text,
    ),
    m.Finding: st.builds(
        m.Finding,
        object_key=text,
        element=text,
        canonical=text,
        severity=st.sampled_from(list(m.SEVERITIES)),
        items=tuples,
        departments=tuples,
        basis=basis_tuples,
        found_on=dates,
        record_id=st.none() | text,
        evidence=json_values,
        remark=st.text(max_size=8),
    ),
    m.PublicationRule: st.builds(
        m.PublicationRule,
        code=text,
        domain=codes,
        record=st.sampled_from(
            ["inspection_result", "penalty", "licence", "warning", "sanction", "plan"]
        ),
        label_zh=text,
        label_en=text,
        publish=tuples,
        basis=basis_tuples,
        effective_from=dates,
        effective_to=opt_dates,
        redact=tuples,
        within=st.none() | text,
        period=st.none() | text,
    ),
}


def test_every_model_has_a_strategy():
    """A new model class must be added here, so the round trip covers it."""
    models = {
        getattr(m, n)
        for n in m.__all__
        if isinstance(getattr(m, n), type) and hasattr(getattr(m, n), "__attrs_attrs__")
    }
    nested = {
        m.Membership,
        m.Licence,
        m.Limit,
        m.LoopState,
        m.LoopTransition,
        m.ParameterValue,
        m.RelatedLink,
        m.NationalCode,
    }
    assert models - nested == set(STRATEGIES)


@pytest.mark.parametrize("model", list(STRATEGIES), ids=lambda t: t.__name__)
@given(data=st.data())
def test_structure_of_unstructure_is_identity(model, data):
    x = data.draw(STRATEGIES[model])
    raw = converter.unstructure(x)
    assert converter.structure(raw, model) == x
    assert converter.structure(json.loads(json.dumps(raw)), model) == x


def test_structure_rejects_unknown_keys_and_bad_literals():
    raw = converter.unstructure(m.Basis(law="L", status="verified"))
    with pytest.raises(cattrs.ClassValidationError) as exc:
        converter.structure({**raw, "status": "rumour"}, m.Basis)
    assert any("$.status" in line for line in cattrs.transform_error(exc.value))
    with pytest.raises(cattrs.ClassValidationError) as exc:
        converter.structure({**raw, "colour": "red"}, m.Basis)
    assert any("colour" in line for line in cattrs.transform_error(exc.value))


def test_item_measures_and_element_methods_are_one_vocabulary():
    """An item's measures and its elements' methods spell a shared way of checking the same
    (``document`` both, never ``document`` and ``documents``)."""
    from onething.model import MEASURES, METHODS

    assert {"document", "onsite", "sampling_test"} <= set(MEASURES) & set(METHODS)
    for method in METHODS:
        for measure in MEASURES:
            if method != measure:
                assert method.rstrip("s") != measure.rstrip("s"), (method, measure)
