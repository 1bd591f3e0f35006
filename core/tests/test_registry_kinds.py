"""Object kinds beyond businesses (project, site, vehicle, person, installation): declared by
plugins as data, keys validated by format, imported on SQLite and PostgreSQL, counted."""

from __future__ import annotations

import csv
import datetime as dt

import attrs
import pytest
from city_support import ID1, ID2, city_rows, code, obj, resident_id
from fake_support import FAKECITY
from hypothesis import given
from hypothesis import strategies as st

from onething import InvalidInput, PluginError, enable
from onething.model import ObjectKind
from onething.registry import count_objects, get_object, import_file, import_objects
from onething.registry import kinds as K
from onething.registry import stats as registry_stats

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2026, 3, 1)


# -- key formats -------------------------------------------------------------------------------


def test_gb11643_check_digit_of_a_published_example():
    # GB 11643-1999 Annex A's worked example: 11010519491231002 → X
    assert K.id_check_character("11010519491231002") == "X"
    person = ObjectKind("person", "人", "person", "resident_id", personal=True)
    assert K.key_problem(person, "11010519491231002X") is None


@given(st.from_regex(r"[1-6][0-9]{5}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True),
       st.integers(0, 16), st.integers(1, 9))  # fmt: skip
def test_any_substituted_digit_of_a_resident_id_is_rejected_without_echoing_it(body, pos, delta):
    person = ObjectKind("person", "人", "person", "resident_id", personal=True)
    good = resident_id(body)
    assert K.key_problem(person, good) is None
    digit = str((int(good[pos]) + delta) % 10)
    bad = good[:pos] + digit + good[pos + 1 :]
    problem = K.key_problem(person, bad)
    # MOD 11-2 detects every single substitution (its weights are non-zero mod the prime 11);
    # a substitution in the birth date may be caught as a bad date first
    assert problem is not None
    assert bad not in problem and good not in problem
    assert bad[:6] in problem and bad[-4:] in problem  # the masked form names it


@pytest.mark.parametrize(
    "plate, ok",
    [
        ("鲁A12345", True),
        ("鲁AD12345", True),  # small new-energy: D first
        ("鲁AFA1234", True),  # small new-energy: F, then a letter or digit, then 4 digits
        ("鲁A12345D", True),  # large new-energy: 5 digits then D/F
        ("鲁A1234学", True),
        ("鲁AI2345", False),  # I is never used
        ("鲁A1234", False),  # too short
        ("鲁AD123456", False),  # too long
        ("XA12345", False),  # no province abbreviation
        ("鲁a12345", False),
        ("鲁A12345X", False),  # 8 characters, not a new-energy pattern
    ],
)
def test_plate_numbers(plate, ok):
    vehicle = ObjectKind("vehicle", "车", "vehicle", "plate")
    assert (K.key_problem(vehicle, plate) is None) is ok


@pytest.mark.parametrize(
    "code, ok",
    [
        ("2019-370000-48-01-000123", True),
        ("2019-370000-48-01-00012", False),
        ("2019370000-48-01-000123", False),
        ("1899-370000-48-01-000123", False),
    ],
)
def test_project_codes(code, ok):
    project = ObjectKind("project", "项目", "project", "project_code")
    assert (K.key_problem(project, code) is None) is ok


@pytest.mark.parametrize(
    "name, masked", [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"), ("李", "*")]
)
def test_names_of_people_are_masked(name, masked):
    assert K.mask_name(name) == masked


def test_ids_keep_their_first_six_and_last_four():
    assert K.mask_id(ID1) == ID1[:6] + "********" + ID1[-4:]


# -- declarations ------------------------------------------------------------------------------


def _with_kinds(monkeypatch, **changes):
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    monkeypatch.setattr(
        type(onething_fakecity.plugin),
        "description",
        property(lambda self: attrs.evolve(desc, **changes)),
    )


def test_kinds_and_relation_types_come_from_the_plugins_data(city):
    kinds = K.object_kinds(city.domains)
    assert list(kinds) == ["business", "project", "site", "vehicle", "person", "installation"]
    assert kinds["vehicle"].supervision == "off_site" and kinds["person"].personal
    rels = K.relation_types(city.domains)
    assert rels["located_at"].place and not rels["operates"].place


def test_a_declaration_failing_the_schema_names_its_key_path(monkeypatch):
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    bad = attrs.evolve(desc.object_kinds[2], key_format="vin")
    _with_kinds(monkeypatch, object_kinds=(*desc.object_kinds[:2], bad, *desc.object_kinds[3:]))
    with pytest.raises(PluginError, match=r"object_kinds\[2\]\.key_format"):
        enable(["fakecity"], entry_points=[FAKECITY])


def test_a_person_kind_must_be_personal(monkeypatch):
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    kinds = [
        attrs.evolve(k, personal=False) if k.code == "person" else k for k in desc.object_kinds
    ]
    _with_kinds(monkeypatch, object_kinds=kinds)
    with pytest.raises(PluginError, match="personal"):
        enable(["fakecity"], entry_points=[FAKECITY])


def test_a_relation_to_an_undeclared_kind_is_refused(monkeypatch):
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    rel = attrs.evolve(desc.relation_types[0], target_kind="ship")
    _with_kinds(monkeypatch, relation_types=(rel, *desc.relation_types[1:]))
    with pytest.raises(PluginError, match=r"relation_types\[0\].*'ship' is not an object kind"):
        enable(["fakecity"], entry_points=[FAKECITY])


def test_an_object_type_of_an_undeclared_kind_is_refused(monkeypatch):
    import onething_fakecity

    desc = onething_fakecity.plugin.description
    types_ = [
        attrs.evolve(t, object_kind="ship") if t.code == "car" else t for t in desc.object_types
    ]
    _with_kinds(monkeypatch, object_types=types_)
    with pytest.raises(PluginError, match=r"object_types\[5\]: object_kind: 'ship'"):
        enable(["fakecity"], entry_points=[FAKECITY])


# -- import ------------------------------------------------------------------------------------


def test_every_kind_imports_and_is_counted_by_object_kind(store, city):
    report = import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    assert (report.inserted, report.rejected) == (9, 0)
    site = get_object(store, "SITE-371502-0001")
    assert (site.object_kind, site.display_key) == ("site", None)
    assert get_object(store, "鲁PD12345").object_kind == "vehicle"
    counts = registry_stats.counts(store, city, ["object_kind"], on=ON)
    assert {r["object_kind"]: r["objects"] for r in counts} == {
        "business": 2,
        "installation": 1,
        "person": 1,
        "project": 1,
        "site": 1,
        "vehicle": 3,
    }
    by_two = registry_stats.counts(store, city, ["object_kind", "object_type"], on=ON)
    assert {"object_kind": "vehicle", "object_type": "car", "objects": 3} in by_two
    # a business keeps working as before: no kind given is a business
    plain = {k: v for k, v in city_rows()[0].items() if k != "object_kind"}
    again = import_objects(store, [plain], app_or_rulebook=city, on=ON)
    assert again.unchanged == 1


def test_a_person_is_stored_under_a_keyed_hash_with_masked_id_and_name(store, city):
    import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    people = [o for batch in _all(store) for o in batch if o.object_kind == "person"]
    assert len(people) == 1
    person = people[0]
    assert person.key.startswith("PH-") and ID1 not in person.key
    assert person.display_key == ID1[:6] + "********" + ID1[-4:]
    assert person.name == "张*丰"


def _all(store):
    from onething.registry import iter_objects

    return iter_objects(store)


#: A bad row, the field it is refused at, and the reason in English and in Chinese.
BAD = [
    (obj("person", ID1[:-1] + ("0" if ID1[-1] != "0" else "1"), "driver"), "key",
     ("check digit", "校验码错误")),
    (obj("vehicle", "鲁AI2345", "car"), "key", ("plate number", "不是有效的车辆编码：应为号牌号码")),
    (obj("project", "2019-370000-48-01-00012", "project"), "key", ("YYYY-RRRRRR", "年份-行政区划")),
    (obj("site", "SITE-1", "site"), "key", ("SITE-", "编码应符合")),
    (obj("ship", "X1", "car"), "object_kind", ("not an object kind", "不是已启用领域的对象种类")),
    (obj("vehicle", "鲁A12345", "driver"), "domains.fakecity.object_types",
     ("is a person type", "是自然人的类型，而本行的对象种类是车辆")),
    (obj("business", code(9), "car"), "domains.fakecity.object_types", ("vehicle", "车辆")),
    ({**obj("vehicle", "鲁A12345", "car"), "uscc": code(3)}, "uscc",
     ("no uscc", "车辆没有统一社会信用代码")),
    (obj("person", ID2, "driver", address="某街1号"), "address", ("PIPL", "个人信息保护法")),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("bad, field, reason", BAD)
def test_a_bad_key_is_rejected_with_file_row_field_and_nothing_is_stored(
    store, city, tmp_path, bad, field, reason, lang
):
    from onething.i18n import set_language

    set_language(lang)  # the import's workers speak the caller's language
    reason = reason[lang == "zh"]
    path = tmp_path / "objects.csv"
    rows = [*city_rows(), bad]
    columns = ["object_kind", "uscc", "key", "name", "region_code", "address", "domains"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns)
        w.writeheader()
        for r in rows:
            w.writerow({**r, "domains": __import__("json").dumps(r["domains"])})
    with pytest.raises(InvalidInput) as exc:
        import_file(store, path, app_or_rulebook=city, on=ON)
    message = str(exc.value)
    assert message.startswith(f"{path}:{len(rows) + 1}: {field}: ")
    assert reason in message
    assert ID1 not in message and ID2 not in message
    assert count_objects(store) == 0


def test_a_missing_secret_stops_a_person_import_with_a_clear_error(store, city, monkeypatch):
    from onething.errors import OnethingError

    monkeypatch.delenv("ONETHING_PERSON_SECRET")
    with pytest.raises(OnethingError, match="ONETHING_PERSON_SECRET"):
        import_objects(store, city_rows(), app_or_rulebook=city, on=ON, skip_invalid=True)
    assert count_objects(store) == 0
    # objects that are not people need no secret
    rows = [r for r in city_rows() if r["object_kind"] != "person"]
    assert import_objects(store, rows, app_or_rulebook=city, on=ON).inserted == 8


def test_the_secret_env_is_named_by_the_config(tmp_path, monkeypatch):
    from onething.config import load_config
    from onething.registry.personal import secret_env

    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake"]\n'
        '[privacy]\nsecret_env = "LIAOCHENG_PII_KEY"\n',
        encoding="utf-8",
    )
    dep = load_config(cfg)
    assert secret_env(type("A", (), {"deployment": dep})()) == "LIAOCHENG_PII_KEY"


def test_rejected_person_rows_are_masked_in_the_rejects_file(store, city, tmp_path):
    bad = obj("person", ID2, "driver", "欧阳娜娜", address="某街1号")
    rejects = tmp_path / "rej.jsonl"
    report = import_objects(
        store, [*city_rows(), bad], app_or_rulebook=city, on=ON, skip_invalid=True, rejects=rejects
    )
    assert report.rejected == 1 and report.inserted == 9
    text = rejects.read_text("utf-8")
    assert ID2 not in text and "欧阳娜娜" not in text
    assert K.mask_id(ID2) in text and "欧**娜" in text


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0008_makes_stored_objects_businesses_and_back(kind, tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from conftest import make_store

    store, cleanup = make_store(kind, tmp_path, upgrade=False)
    try:
        cfg = store._alembic()
        command.upgrade(cfg, "0007")
        with store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO registry_object (key, key_kind, checksum_ok, name, region_code, "
                    "address, domains, licences, version, updated_at) VALUES "
                    "('k1', 'uscc', true, 'n', '371502', '', '{}', '[]', 1, :now)"
                ),
                {"now": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
        store.upgrade()
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT object_kind FROM registry_object")).scalar() == (
                "business"
            )
            assert "registry_relation" in sa.inspect(conn).get_table_names()
        command.downgrade(cfg, "0007")
        with store.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("registry_object")}
            assert "object_kind" not in columns
            assert "registry_relation" not in sa.inspect(conn).get_table_names()
    finally:
        cleanup()
