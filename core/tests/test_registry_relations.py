"""Typed, dated relations between registry objects on SQLite and PostgreSQL: imported beside
the objects (all or nothing, --skip-invalid with rejects, history), shown, counted; unknown
types and missing or wrong-kind ends rejected with file:row: field: reason."""

from __future__ import annotations

import csv
import datetime as dt
import json
from importlib import metadata

import pytest
import sqlalchemy as sa
from city_support import (
    ID1,
    ID2,
    PROJECT,
    SECRET,
    SITE,
    city_relations,
    city_rows,
    code,
    rel,
)
from cli_support import run
from fake_support import FAKE, FAKECITY

from onething import InvalidInput
from onething.registry import import_objects
from onething.registry import kinds as K
from onething.registry.relations import (
    count_relations,
    import_relations,
    import_relations_file,
    relation_history,
    relations_of,
)

#: These tests read the messages in English; test_registry_kinds checks the Chinese.
pytestmark = pytest.mark.usefixtures("english")

ON = dt.date(2026, 3, 1)


@pytest.fixture
def loaded(store, city):
    import_objects(store, city_rows(), app_or_rulebook=city, on=ON)
    return store


def test_relations_import_and_are_shown_from_both_ends(loaded, city):
    report = import_relations(loaded, city_relations(), app_or_rulebook=city)
    assert (report.inserted, report.rejected) == (7, 0)
    assert count_relations(loaded) == {
        "built_by": 1,
        "driven_by": 1,
        "installed_at": 1,
        "located_at": 1,
        "operates": 2,
        "works_at": 1,
    }
    site = relations_of(loaded, SITE)
    assert {(r["direction"], r["type"], r["other"]) for r in site} == {
        ("in", "located_at", PROJECT),
        ("in", "works_at", code(2)),
    }
    car = relations_of(loaded, "鲁P12345")
    driver = next(r for r in car if r["type"] == "driven_by")
    assert driver["other"] == K.mask_id(ID1) and driver["other_name"] == "张*丰"
    assert driver["other_kind"] == "person"


def test_a_changed_end_date_is_a_new_version_with_history(loaded, city):
    import_relations(loaded, city_relations(), app_or_rulebook=city)
    again = import_relations(loaded, city_relations(), app_or_rulebook=city)
    assert (again.inserted, again.unchanged) == (0, 7)
    ended = rel("operates", code(1), "鲁PD12345", end="2026-01-31")
    changed = import_relations(loaded, [ended], app_or_rulebook=city)
    assert changed.updated == 1
    now = relations_of(loaded, "鲁PD12345")[0]
    assert (now["valid_to"], now["version"]) == ("2026-01-31", 2)
    # in force: the ended relation no longer counts on a later day, still on an earlier one
    assert count_relations(loaded, on=dt.date(2026, 2, 1))["operates"] == 1
    assert count_relations(loaded, on=dt.date(2026, 1, 31))["operates"] == 2
    from onething.store.registry import RegistryRelation

    t = RegistryRelation.__table__
    with loaded.engine.connect() as conn:
        rid = conn.execute(sa.select(t.c.id).where(t.c.target_key == "鲁PD12345")).scalar_one()
    assert [h["data"] for h in relation_history(loaded, rid)] == [{"valid_to": None}]


BAD = [
    (rel("owns", code(1), "鲁P12345"), "type", "not a relation type"),
    (rel("operates", code(1), "鲁A99999"), "target", "no vehicle with this key"),
    (rel("operates", code(1), "鲁AI2345"), "target", "plate number"),
    (rel("built_by", PROJECT, SITE), "target", "is a site; built_by relates a business"),
    (rel("operates", PROJECT, "鲁P12345"), "source", "is a project; operates relates a business"),
    (rel("driven_by", "鲁P12345", ID2), "target", "no person with this key"),
    (rel("operates", code(1), "鲁P12345", start=""), "valid_from", "missing"),
    (rel("operates", code(1), "鲁P12345", end="2024-01-01"), "valid_to", "before valid_from"),
]


@pytest.mark.parametrize("bad, field, reason", BAD)
def test_a_bad_relation_names_file_row_field_and_nothing_is_stored(
    loaded, city, tmp_path, bad, field, reason
):
    rows = [*city_relations(), bad]
    path = tmp_path / "relations.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(InvalidInput) as exc:
        import_relations_file(loaded, path, app_or_rulebook=city)
    message = str(exc.value)
    assert message.startswith(f"{path}:{len(rows) + 1}: {field}: "), message
    assert reason in message and ID2 not in message
    assert count_relations(loaded) == {}


def test_skip_invalid_stores_the_good_relations_and_masks_people_in_the_rejects(
    loaded, city, tmp_path
):
    rejects = tmp_path / "rej.csv"
    rows = [*city_relations(), rel("driven_by", "鲁P12345", ID2)]
    report = import_relations(
        loaded, rows, app_or_rulebook=city, skip_invalid=True, rejects=rejects
    )
    assert (report.inserted, report.rejected) == (7, 1)
    text = rejects.read_text("utf-8")
    assert ID2 not in text and K.mask_id(ID2) in text and "no person" in text


def test_relations_import_from_jsonl_and_xlsx(loaded, city, tmp_path):
    import openpyxl

    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in city_relations()[:3]), "utf-8"
    )
    assert import_relations_file(loaded, jsonl, app_or_rulebook=city).inserted == 3
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(city_relations()[0]))
    for r in city_relations()[3:]:
        ws.append([r[c] or "" for c in r])
    wb.save(tmp_path / "r.xlsx")
    assert import_relations_file(loaded, tmp_path / "r.xlsx", app_or_rulebook=city).inserted == 4


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli_city(tmp_path, monkeypatch, capsys, store):
    real = metadata.entry_points

    def entry_points(**kw):
        found = list(real(**kw))
        extra = [FAKE, FAKECITY] if kw.get("group") == "onething.domains" else []
        return [*found, *extra]

    monkeypatch.setattr("onething.plugins.metadata.entry_points", entry_points)
    monkeypatch.setenv("ONETHING_PERSON_SECRET", SECRET)
    cfg = tmp_path / "onething.toml"
    cfg.write_text(
        '[deployment]\nregion = "371500"\nlevel = "city"\ndomains = ["fake", "fakecity"]\n'
        f'[storage]\nurl = "{store.config_url}"\n',
        "utf-8",
    )
    objects = tmp_path / "objects.jsonl"
    objects.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in city_rows()), "utf-8"
    )
    relations = tmp_path / "relations.jsonl"
    relations.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in city_relations()), "utf-8"
    )
    return str(cfg), objects, relations


def test_cli_imports_objects_and_relations_counts_and_shows_them(cli_city, capsys):
    cfg, objects, relations = cli_city
    code_, _, err = run(capsys, "registry", "import", str(objects), "--config", cfg)
    assert code_ == 0, err
    code_, out, err = run(
        capsys, "registry", "import-relations", str(relations), "--config", cfg, "--report", "json"
    )
    assert code_ == 0, err
    assert json.loads(out)["inserted"] == 7
    code_, out, _ = run(
        capsys, "registry", "stats", "--config", cfg, "--by", "object_kind", "--format", "json"
    )
    stats = json.loads(out)
    assert {r["object_kind"]: r["objects"] for r in stats["counts"]}["vehicle"] == 3
    assert stats["relations"]["operates"] == 2
    code_, out, _ = run(capsys, "registry", "stats", "--config", cfg, "--by", "object_kind")
    assert code_ == 0 and "vehicle" in out and "operates" in out
    # a person is looked up by the clear number, shown masked
    code_, out, err = run(capsys, "registry", "show", ID1, "--config", cfg)
    assert code_ == 0, err
    assert ID1 not in out and K.mask_id(ID1) in out and "张*丰" in out and "鲁P12345" in out
    code_, out, _ = run(capsys, "registry", "show", SITE, "--config", cfg, "--format", "json")
    shown = json.loads(out)
    assert {r["type"] for r in shown["relations"]} == {"located_at", "works_at"}
    # a bad relation file exits 1 naming file, row and field
    bad = relations.with_name("bad.jsonl")
    bad.write_text(json.dumps(rel("owns", code(1), "鲁P12345"), ensure_ascii=False) + "\n")
    code_, _, err = run(capsys, "registry", "import-relations", str(bad), "--config", cfg)
    assert code_ == 1 and f"{bad}:1: type:" in err


def test_the_worked_example_of_docs_registry_imports_as_written(store, city, tmp_path):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "registry.md").read_text("utf-8")
    example = text[text.index("### Worked example") :]
    objects, relations = re.findall(r"```csv\n(.*?)```", example, re.S)[:2]
    (tmp_path / "objects.csv").write_text(objects, "utf-8")
    (tmp_path / "relations.csv").write_text(relations, "utf-8")
    from onething.registry import import_file

    assert import_file(store, tmp_path / "objects.csv", app_or_rulebook=city).inserted == 5
    report = import_relations_file(store, tmp_path / "relations.csv", app_or_rulebook=city)
    assert report.inserted == 3
    shown = relations_of(store, "鲁PD12345")
    assert {r["other"] for r in shown} == {"91371502000000019L", "371502********1234"}
