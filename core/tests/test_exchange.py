"""Exchange (#33): a cycle's records, penalties, items, parties, inspectors, plan tasks and
results exported for both targets, every row valid against its kind's JSON Schema, no full
resident ID in any file, idempotent exports (same id, unchanged rows as they were, a change an
update), results imported back as inspection records without loss, bad input refused with
file, line and key path and nothing stored. One cycle per storage, shared by the module."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onething.exchange import TARGETS, builtin, json_schema
from onething.exchange.files import read_rows, render
from onething.testing.cycle import run_cli, sampling_layer

DEPLOYMENT = """[deployment]
name = "聊城市"
region = "371500"
level = "city"
domains = ["catering", "elderly_care"]
layers = [{layer}]
[storage]
url = {url}
"""
ALL = [(t, k) for t, ks in TARGETS.items() for k in ks]
_RESIDENT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")


def _cli(*args: str) -> None:
    code = run_cli(*args)
    assert code == 0, f"onething {' '.join(args)} exited with {code}"


def _config(folder, url: str) -> str:
    layer = folder / "layer.toml"
    if not layer.exists():
        layer.write_text(sampling_layer(override=("elderly_care",), extend=("catering",)), "utf-8")
    config = folder / "onething.toml"
    config.write_text(DEPLOYMENT.format(layer=json.dumps(str(layer)), url=json.dumps(url)), "utf-8")
    return str(config)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic registry and inspector pools, drawn once for both storages."""
    folder = tmp_path_factory.mktemp("exchange-synthetic")
    config = _config(folder, f"sqlite:///{folder / 'unused.db'}")
    registry, pools = folder / "registry.csv", folder / "pools.csv"
    _cli("registry", "synth", "--region", "371500", "--size", "50", "--seed", "5",
         "--out", str(registry), "--config", config)  # fmt: skip
    _cli("inspectors", "synth", "--out", str(pools), "--config", config)
    return registry, pools


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cycle(request, tmp_path_factory, synthetic):
    """One simulated cycle (registry, pools, plan, inspections, loop walk) on each storage."""
    from conftest import make_store
    from onething.app import Onething
    from onething.demo import inspections
    from onething.demo.inspections import simulate
    from onething.demo.walk import Walker
    from onething.planning.inspectors import load_pool

    folder = tmp_path_factory.mktemp(f"exchange-{request.param}")
    store, cleanup = make_store(request.param, folder)
    config = _config(folder, store.config_url)
    (registry, pools), out = synthetic, folder / "out"
    _cli("registry", "import", str(registry), "--config", config)
    _cli("inspectors", "import", str(pools), "--config", config)
    _cli("plan", "--cycle", "2026Q1", "--seed", "42", "--out", str(out), "--config", config)
    app = Onething.from_config(config)
    doc = json.loads((out / "plan.json").read_text("utf-8"))
    names = {i.id: i.name for i in load_pool(app.store)}
    mp = pytest.MonkeyPatch()
    mp.setattr(inspections, "FAIL_RATE", 0.04)  # enough findings for every loop path
    sim = simulate(app, doc, names, seed="42", days=50)
    mp.undo()
    walker = Walker(app, seed="42", now=dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC))
    for case_id in sim.opened:
        walker.walk(case_id, sim.record_of_case[case_id])
    app.close()
    yield {"config": config, "folder": folder, "plan": out / "plan.json", "sim": sim,
           "store": store, "registry": registry, "kind": request.param}  # fmt: skip
    store.dispose()
    cleanup()


def _export(c, target, kind, fmt="jsonl", name=None, *extra) -> list[dict]:
    path = c["folder"] / (name or f"{target}-{kind}.{fmt}")
    plan = ["--plan", str(c["plan"])] if kind == "plan" else []
    _cli("exchange", "export", "--target", target, "--kind", kind, "--format", fmt,
         "--out", str(path), "--force", "--config", c["config"], *plan, *extra)  # fmt: skip
    return [row for _, row in read_rows(builtin(target), kind, path, fmt)]


@pytest.fixture(scope="module")
def exported(cycle):
    """Every kind of both targets exported once (JSON Lines), by the functions the CLI calls
    with one app (the CLI itself: test_the_cli_writes_every_format)."""
    from onething.app import Onething
    from onething.exchange.extract import read_plan_file
    from onething.exchange.files import export_rows

    app = Onething.from_config(cycle["config"])
    doc = read_plan_file(cycle["plan"])
    out = {}
    try:
        for target, kind in ALL:
            rows, _ = export_rows(app, builtin(target), kind, plan_doc=doc)
            path = cycle["folder"] / f"{target}-{kind}.jsonl"
            path.write_bytes(render(builtin(target), kind, rows, "jsonl"))
            out[(target, kind)] = [r for _, r in read_rows(builtin(target), kind, path)]
    finally:
        app.close()
    return out


def test_every_kind_exports_for_both_targets_valid_and_without_a_resident_id(cycle, exported):
    for (target, kind), rows in exported.items():
        mapping = builtin(target)
        validator = jsonschema.Draft202012Validator(json_schema(mapping, kind))
        for row in rows:
            validator.validate(row)
        text = (cycle["folder"] / f"{target}-{kind}.jsonl").read_text("utf-8")
        assert not _RESIDENT.findall(text), (target, kind)
        for fmt in ("csv", "xml"):  # the same rows in the other formats
            path = cycle["folder"] / f"{target}-{kind}.{fmt}"
            path.write_bytes(render(mapping, kind, rows, fmt))
            assert not _RESIDENT.findall(path.read_text("utf-8-sig"))
            assert [r for _, r in read_rows(mapping, kind, path)] == rows, (target, kind, fmt)
    records = cycle["sim"].records
    assert len(exported[("double-random", "results")]) >= records
    assert len(exported[("double-random", "plan")]) > 0
    assert len(exported[("internet-plus-supervision", "penalties")]) > 0
    assert len(exported[("internet-plus-supervision", "inspection-actions")]) > records


def test_the_cli_writes_every_format(cycle, exported):
    target, kind = "internet-plus-supervision", "penalties"
    for fmt in ("jsonl", "csv", "xml"):
        assert _export(cycle, target, kind, fmt, f"cli.{fmt}") == exported[(target, kind)]


def test_records_penalties_and_results_link_up(exported):
    actions = {
        r["检查行为编号"]: r for r in exported[("internet-plus-supervision", "inspection-actions")]
    }
    penalties = exported[("internet-plus-supervision", "penalties")]
    linked = [p for p in penalties if p["关联检查行为编号"]]
    assert linked and all(p["关联检查行为编号"] in actions for p in linked)
    assert all(actions[p["关联检查行为编号"]]["检查结果"] == "不合格" for p in linked)
    results = exported[("double-random", "results")]
    outcomes = {r["抽查结果"] for r in results}
    assert {"未发现问题", "发现问题已责令改正"} <= outcomes
    plan = {r["任务编号"] for r in exported[("double-random", "plan")]}
    assert {r["任务编号"] for r in results if r["任务编号"]} <= plan


def test_an_export_again_is_the_same_file_and_a_change_is_an_update(cycle):
    target, kind = "internet-plus-supervision", "objects"
    first = _export(cycle, target, kind, "jsonl", "o1.jsonl")
    again = _export(cycle, target, kind, "jsonl", "o2.jsonl", "--batch", "other")
    assert (cycle["folder"] / "o1.jsonl").read_bytes() == (
        cycle["folder"] / "o2.jsonl"
    ).read_bytes()
    assert {r["操作类型"] for r in first} == {"I"} and first == again
    store = cycle["store"]
    key = first[0]["编码哈希"] or first[0]["编码"]
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE registry_object SET address = 'changed' WHERE key = :k"),
                     {"k": key})  # fmt: skip
    try:
        changed = _export(cycle, target, kind, "jsonl", "o3.jsonl", "--batch", "B2")
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE registry_object SET address = :a WHERE key = :k"),
                         {"k": key, "a": first[0]["注册地址"] or ""})  # fmt: skip
    moved = [r for r in changed if r["操作类型"] == "U"]
    assert len(moved) == 1 and moved[0]["记录标识"] == first[0]["记录标识"]
    assert moved[0]["批次号"] == "B2" and moved[0]["注册地址"] == "changed"
    assert [r for r in changed if r["操作类型"] != "U"] == first[1:]


def test_persons_are_exported_masked_with_the_keyed_hash(cycle):
    from onething.registry.kinds import id_check_character, mask_id

    first17 = "37150219800101123"
    full = first17 + id_check_character(first17)
    person = {"key": "PH-0123456789abcdef", "key_kind": "alt", "checksum_ok": True,
              "name": f"张三丰（{full}）", "region_code": "371502", "address": "",
              "domains": "{}", "licences": "[]", "version": 1,
              "updated_at": dt.datetime(2026, 1, 1), "object_kind": "person",
              "display_key": mask_id(full)}  # fmt: skip
    store = cycle["store"]
    with store.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO registry_object (key, key_kind, checksum_ok, name, region_code, address, "
            "domains, licences, version, updated_at, object_kind, display_key) VALUES (:key, "
            ":key_kind, :checksum_ok, :name, :region_code, :address, :domains, :licences, "
            ":version, :updated_at, :object_kind, :display_key)"), person)  # fmt: skip
    try:
        for fmt in ("jsonl", "csv", "xml"):
            rows = _export(cycle, "internet-plus-supervision", "objects", fmt, f"p.{fmt}")
            text = (cycle["folder"] / f"p.{fmt}").read_text("utf-8-sig")
            assert full not in text and not _RESIDENT.findall(text)
            (r,) = [r for r in rows if r["证件类型"] == "111"]
            assert (
                r["编码"] == mask_id(full) and r["编码哈希"] == person["key"] and r["性质"] == "1"
            )
            assert mask_id(full) in r["名称"]  # an ID number in free text is masked too
            assert all(x["编码哈希"] is None for x in rows if x["证件类型"] != "111")
    finally:
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("DELETE FROM registry_object WHERE key = :k"), {"k": person["key"]}
            )


def test_every_loop_state_maps_to_exactly_one_result(cycle):
    from onething.app import Onething
    from onething.exchange.extract import state_outcome
    from onething.loop import Loop

    mapping = builtin("double-random")
    loop = Loop(Onething.from_config(cycle["config"]).rulebook)
    vocabulary = mapping.vocabularies["result"].values
    for state in loop.states:
        assert state_outcome(mapping, loop, state) in vocabulary, state
    # and the vocabulary reads its values and legacy codes back to one onething value each
    v = mapping.vocabularies["result"]
    assert len(set(v.values.values())) == len(v.values) == len(v.legacy)
    for ours, theirs in v.values.items():
        assert v.reverse("x", theirs) == ours == v.reverse("x", v.legacy[ours])


@pytest.fixture(scope="module")
def other(cycle, tmp_path_factory):
    """Another deployment with the same registry and nothing else, on the same storage."""
    from conftest import make_store

    folder = tmp_path_factory.mktemp(f"other-{cycle['kind']}")
    store, cleanup = make_store(cycle["kind"], folder)
    config = _config(folder, store.config_url)
    _cli("registry", "import", str(cycle["registry"]), "--config", config)
    yield config, store
    store.dispose()
    cleanup()


def _count(store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _body(rows):
    return [
        {k: v for k, v in r.items() if k not in ("批次号", "数据时间", "操作类型")} for r in rows
    ]


def test_results_round_trip_into_another_deployment_and_again_change_nothing(cycle, other):
    exported = _export(cycle, "double-random", "results", "csv", "results.csv")
    config, store = other
    path = str(cycle["folder"] / "results.csv")
    _cli("exchange", "import", "--target", "double-random", "--kind", "results", path,
         "--config", config)  # fmt: skip
    back = cycle["folder"] / "back.csv"
    _cli("exchange", "export", "--target", "double-random", "--kind", "results",
         "--format", "csv", "--out", str(back), "--force", "--config", config)  # fmt: skip
    again = [r for _, r in read_rows(builtin("double-random"), "results", back)]
    assert _body(again) == _body(exported)
    n, cases = _count(store, "inspection_record"), _count(store, "loop_case")
    assert n == len(exported) and cases > 0  # failed check points opened cases here too
    # idempotent: the same file again, into either deployment, changes nothing
    from onething.app import Onething
    from onething.exchange.importer import import_results

    for cfg in (config, cycle["config"]):
        app = Onething.from_config(cfg)
        try:
            r = import_results(app, builtin("double-random"), cycle["folder"] / "results.csv")
        finally:
            app.close()
        assert r.inserted == r.updated == 0 and r.unchanged == len(exported)
    assert (_count(store, "inspection_record"), _count(store, "loop_case")) == (n, cases)
    assert _count(cycle["store"], "exchange_result") == 0  # onething's own records stay its own


def test_a_bad_row_is_refused_with_its_line_and_key_path_and_nothing_is_stored(
    cycle, other, tmp_path, capsys
):
    mapping = builtin("double-random")
    rows = _export(cycle, "double-random", "results", "jsonl", "r.jsonl")
    config, store = other
    before = [_count(store, t) for t in ("inspection_record", "inspection_finding", "loop_case")]
    renamed = [dict(r, 检查记录编号=f"NEW-{n}") for n, r in enumerate(rows[:3])]
    cases = [
        ("抽查结果", "好", "抽查结果"),
        ("抽查事项", "catering.999", "抽查事项"),
        ("检查项结果", [{"检查项编码": "catering.e99", "检查项名称": "x", "检查项结果": "合格"}],
         "检查项结果/0/检查项编码"),
        ("检查人员", "只有一人", "检查人员"),
        ("检查对象编码", "91371500MA00000000", "检查对象编码"),
    ]  # fmt: skip
    from onething.app import Onething
    from onething.errors import InvalidInput
    from onething.exchange.importer import import_results

    app = Onething.from_config(config)
    for n, (name, value, path) in enumerate(cases):
        bad = [dict(r) for r in renamed]
        bad[2][name] = value
        file = tmp_path / "bad.jsonl"
        file.write_bytes(render(mapping, "results", bad, "jsonl"))
        if n == 0:  # through the CLI: exit 1 and the message on stderr
            code = run_cli("exchange", "import", "--target", "double-random", "--kind",
                           "results", str(file), "--config", config)  # fmt: skip
            err = capsys.readouterr().err
            assert code == 1, (name, err)
        else:
            with pytest.raises(InvalidInput) as exc:
                import_results(app, mapping, file)
            err = str(exc.value)
        assert f"{file}:3" in err and path in err, (name, err)
        after = [_count(store, t) for t in ("inspection_record", "inspection_finding", "loop_case")]
        assert after == before, name
        if name == "检查人员":  # one language at a time: Chinese by default, English on request
            from onething import i18n

            assert "名检查人员" in err and "inspectors" not in err, err
            i18n.set_language("en")
            try:
                with pytest.raises(InvalidInput) as exc:
                    import_results(app, mapping, file)
            finally:
                i18n.set_language("zh")
            assert "1 inspectors" in str(exc.value) and "检查人员、" not in str(exc.value)
    app.close()


def test_legacy_result_codes_are_read(cycle, tmp_path):
    mapping = builtin("double-random")
    rows = _export(cycle, "double-random", "results", "jsonl", "legacy.jsonl")[:1]
    rows[0]["抽查结果"] = "7"  # 查无下落 in the numeric codes
    file = tmp_path / "legacy.jsonl"
    file.write_bytes(render(mapping, "results", rows, "jsonl"))
    ((_, row),) = read_rows(mapping, "results", file)
    assert row["抽查结果"] == "7"
    assert mapping.vocabularies["result"].reverse("x", "7") == "not_found"


def test_schema_command_prints_each_kinds_schema(capsys):
    for target, kind in ALL:
        assert run_cli("exchange", "schema", "--target", target, "--kind", kind) == 0
        doc = json.loads(capsys.readouterr().out)
        jsonschema.Draft202012Validator.check_schema(doc)
        assert doc["additionalProperties"] is False and "记录标识" in doc["required"]
    assert run_cli("exchange", "schema", "--target", "double-random", "--kind", "penalties") == 1


# -- files: write → read is the identity, in every format ---------------------------------------

_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co")), min_size=1, max_size=12
).filter(lambda s: s.strip() == s)


def _value(mapping, f):
    if f.vocabulary is not None:
        return st.sampled_from(list(mapping.vocabularies[f.vocabulary].values.values()))
    return {
        "string": _text,
        "integer": st.integers(-(10**6), 10**6),
        "number": st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
        "boolean": st.booleans(),
        "date": st.dates().map(dt.date.isoformat),
        "datetime": st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
        "list": st.lists(
            st.fixed_dictionaries({"检查项编码": _text, "检查项名称": _text, "检查项结果": _text}),
            max_size=3,
        ),
    }[f.type]


@st.composite
def _rows(draw):
    target, kind = draw(st.sampled_from(ALL))
    mapping = builtin(target)
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        row = {}
        for f in mapping.fields(kind):
            required = f.required or f in mapping.envelope
            row[f.name] = draw(_value(mapping, f)) if required or draw(st.booleans()) else None
        rows.append(row)
    return mapping, kind, rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_rows(), st.sampled_from(["jsonl", "csv", "xml"]))
def test_render_then_read_is_the_identity(tmp_path, drawn, fmt):
    mapping, kind, rows = drawn
    rows = [
        {f.name: r[f.name] for f in mapping.fields(kind)}
        for r in rows
        if not any(
            isinstance(v, str) and not _plain_pattern(mapping, kind, k, v) for k, v in r.items()
        )
    ]
    path = tmp_path / f"rows.{fmt}"
    path.write_bytes(render(mapping, kind, rows, fmt))
    back = [r for _, r in read_rows(mapping, kind, path, fmt)] if rows else []
    if fmt == "xml" or fmt == "csv":  # absent and null are the same there
        back = [{f.name: r.get(f.name) for f in mapping.fields(kind)} for r in back]
    assert back == rows


def _plain_pattern(mapping, kind, name, value) -> bool:
    f = next(f for f in mapping.fields(kind) if f.name == name)
    return f.pattern is None or re.search(f.pattern, value) is not None


def test_a_mapping_file_a_city_corrects_is_used(cycle, tmp_path):
    import importlib.resources

    data = importlib.resources.files("onething.exchange").joinpath("data", "double-random.toml")
    text = data.read_text("utf-8").replace('name = "备注"', 'name = "备注说明"')
    src = tmp_path / "m.toml"
    src.write_text(text.replace('version = "2026.12.1"', 'version = "2026.12.2"'), "utf-8")
    out = tmp_path / "r.jsonl"
    _cli("exchange", "export", "--target", "double-random", "--kind", "results", "--out",
         str(out), "--mapping", str(src), "--config", cycle["config"])  # fmt: skip
    row = json.loads(out.read_text("utf-8").splitlines()[0])
    assert "备注说明" in row and "备注" not in row


# -- the national catalogue mapped onto onething's items ----------------------------------------


class _Rulebook:
    def __init__(self, items):
        self._items = items

    def items(self, on):
        return self._items


def test_a_national_catalogue_maps_onto_items_and_reports_both_gaps(cycle, tmp_path, capsys):
    import attrs

    from onething.app import Onething
    from onething.items.national import map_catalogue
    from onething.model import NationalCode

    on = dt.date(2026, 3, 1)
    items = sorted(Onething.from_config(cycle["config"]).rulebook.items(on), key=lambda i: i.code)
    a, b, *rest = items
    coded = [
        attrs.evolve(a, national_codes=[NationalCode("catalogue", "37150000000001", a.effective_from)]),
        attrs.evolve(b, national_codes=[NationalCode("catalogue", "37150000000009", b.effective_from)]),
        *rest,
    ]  # fmt: skip
    c = rest[0].code
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "监管事项目录编码,事项名称,事项编码\n37150000000001,甲,\n37150000000002,乙,"
        f"{c}\n37150000000003,丙,\n37150000000004,丁,{b.code}\n",
        "utf-8",
    )
    r = map_catalogue(_Rulebook(coded), path, on=on)
    assert set(r.matched) == {("37150000000001", a.code, "code"), ("37150000000002", c, "file")}
    assert r.national_without_item == (("37150000000003", "丙"), ("37150000000004", "丁"))
    assert r.conflicts == (("37150000000004", b.code, "37150000000009"),)
    assert {i for i, _ in r.items_without_code} == {i.code for i in rest[1:]}
    # through the CLI, and a bad code named by file, row and column; exit 1
    assert run_cli("items", "import-related", "--kind", "catalogue", str(path), "--as-of",
                   "2026-03-01", "--format", "json", "--config", cycle["config"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert doc["entries"] == 4 and len(doc["items_without_code"]) == len(items) - 2
    path.write_text("code,name\n37150000000001,甲\n3715000000000X,乙\n", "utf-8")
    assert run_cli("items", "import-related", "--kind", "catalogue", str(path),
                   "--config", cycle["config"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"{path}:3" in err and "不是14 位数字" in err


def test_docs_list_every_element_and_vocabulary_of_the_mappings():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "exchange.md").read_text("utf-8")
    for target in TARGETS:
        m = builtin(target)
        assert f"mapping {m.version}" in text
        for kind in m.kinds:
            for f in m.fields(kind):
                assert f"| {f.name} | {f.name_en} | `{f.source}` |" in text, (target, kind, f.name)
        for v in m.vocabularies.values():
            assert f"| {v.code} ({v.name_zh}) |" in text
