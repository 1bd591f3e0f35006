"""Installations in the registry (issue #18): a major hazard source or a storage facility is an
installation object of its own, related to its enterprise by ``installed_at``. A bad
installation row stops the import naming its file, row and field, and nothing is stored; a
relation to an installation not in the registry likewise."""

from __future__ import annotations

import csv
import io
import json

import pytest

from onething.cli import main

WORKS = "91371502MA3HXCH09W"
HEADER = "object_kind,uscc,key,name,region_code,address,domains\n"


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


def line(*cells: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def installation(key: str, otype: str = "major_hazard_source", **attributes) -> str:
    domains = {"hazchem": {"object_types": [otype], "attributes": attributes}}
    return line(
        "installation", "", key, "1号罐区", "371502", "聊城市东昌府区建设路1号", json.dumps(domains)
    )


WORKS_ROW = line(
    "business", WORKS, "", "聊城某化工有限公司", "371502", "聊城市东昌府区建设路1号",
    json.dumps({"hazchem": {"object_types": ["producer"]}}),
)  # fmt: skip


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hazinst")
    cfg = tmp / "onething.toml"
    cfg.write_text(
        '[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\n'
        'domains = ["hazchem"]\n[storage]\nurl = "sqlite:///i.db"\n',
        "utf-8",
    )
    assert run("db", "upgrade", "--config", str(cfg)) == 0
    return cfg


def stats(config, capsys) -> dict:
    capsys.readouterr()
    assert (
        run("registry", "stats", "--by", "object_kind", "--format", "json", "--config", str(config))
        == 0
    )
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (installation("WXY-3715-0002", hazard_level=2), "key", "不是有效的设施编码"),
        (installation("WXY-371502-0002", hazard_level=5), "hazard_level", "大于最大值 4"),
        (installation("WXY-371502-0002", "producer"), "object_types", "是经营主体的类型"),
        (installation("WXY-371502-0002", storage_form="silo"), "storage_form", "不是可选值"),
    ],
    ids=["malformed key", "level beyond 四级", "enterprise type", "unknown storage form"],
)
def test_a_bad_installation_row_is_rejected_naming_its_row_and_nothing_is_stored(
    config, tmp_path, capsys, row, field, reason
):
    path = tmp_path / "objects.csv"
    path.write_text(
        HEADER + WORKS_ROW + installation("WXY-371502-0001", hazard_level=1) + row, "utf-8"
    )
    before = stats(config, capsys)["gaps"]["objects"]
    assert run("registry", "import", str(path), "--config", str(config)) != 0
    err = capsys.readouterr().err
    assert "objects.csv:4: " in err and field in err and reason in err, err
    assert stats(config, capsys)["gaps"]["objects"] == before  # the valid rows 2 and 3 neither


def test_a_relation_to_a_missing_installation_is_rejected_and_none_is_stored(
    config, tmp_path, capsys
):
    objects = tmp_path / "objects.csv"
    objects.write_text(
        HEADER + WORKS_ROW + installation("WXY-371502-0001", hazard_level=3), "utf-8"
    )
    assert run("registry", "import", str(objects), "--config", str(config)) == 0
    relations = tmp_path / "relations.csv"
    relations.write_text(
        "type,source,target,valid_from,valid_to\n"
        f"installed_at,WXY-371502-0001,{WORKS},2024-01-01,\n"
        f"installed_at,WXY-371502-0009,{WORKS},2024-01-01,\n",
        "utf-8",
    )
    before = stats(config, capsys)["relations"]
    assert run("registry", "import-relations", str(relations), "--config", str(config)) != 0
    err = capsys.readouterr().err
    assert "relations.csv:3: source:" in err and "名录库中没有这个编码的设施" in err, err
    assert stats(config, capsys)["relations"] == before  # the valid row 2 not stored either


def import_plant(config, tmp_path) -> tuple[str, str]:
    """The plant with a major hazard source and a storage facility installed_at it."""
    objects = tmp_path / "objects.csv"
    objects.write_text(
        HEADER
        + WORKS_ROW
        + installation("WXY-371502-0001", hazard_level=3)
        + installation("WXY-371502-0002", "storage_facility", storage_form="warehouse"),
        "utf-8",
    )
    relations = tmp_path / "relations.csv"
    relations.write_text(
        "type,source,target,valid_from,valid_to\n"
        f"installed_at,WXY-371502-0001,{WORKS},2024-01-01,\n"
        f"installed_at,WXY-371502-0002,{WORKS},2024-01-01,\n",
        "utf-8",
    )
    c = ("--config", str(config))
    assert run("registry", "import", str(objects), *c) == 0
    assert run("registry", "import-relations", str(relations), *c) == 0
    return c


def test_registry_map_lists_the_items_applying_to_installations_through_installed_at(
    config, tmp_path, capsys
):
    """The mapping does not store them, so ``registry map`` lists them apart: from which
    object types, along which relation, onto which, and how many objects they reach."""
    c = import_plant(config, tmp_path)
    capsys.readouterr()
    assert run("registry", "map", "--at", "2026-12-07", "--format", "json", *c) == 0
    through = {u["item"]: u for u in json.loads(capsys.readouterr().out)["through"]}
    assert set(through) == {
        "hazchem.021",
        "hazchem.022",
        "hazchem.023",
        "hazchem.024",
        "hazchem.025",
    }
    assert through["hazchem.021"]["relation"] == "installed_at"
    assert through["hazchem.021"]["reaches"] == ["major_hazard_source"]
    assert through["hazchem.025"]["reaches"] == ["storage_facility"]
    assert {u["objects"] for u in through.values()} == {1}  # one source, one facility
    assert run("registry", "map", "--at", "2026-12-07", *c) == 0
    table = capsys.readouterr().out
    assert "经关系适用的事项" in table and "hazchem.025" in table and "设于" in table


def test_an_installations_checklist_holds_its_own_elements(config, tmp_path, capsys):
    """checklist --object on a major hazard source: the elements of the items reaching it
    through installed_at (e29–e32), none of the enterprise's own."""
    c = import_plant(config, tmp_path)
    capsys.readouterr()
    assert (
        run(
            "checklist", "--object", "WXY-371502-0001", "--at", "2026-12-07", "--format", "json", *c
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    text = json.dumps(doc, ensure_ascii=False)
    for code in ("hazchem.e29", "hazchem.e30", "hazchem.e31", "hazchem.e32"):
        assert code in text
    assert "hazchem.e01" not in text and "hazchem.e33" not in text
