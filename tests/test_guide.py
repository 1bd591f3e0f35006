"""``onething guide``: compliance guides generated from the rules in force, with the real
plugins. Every installed domain is covered by itself (the list is discovered, not written
here), so a plugin that lands later is tested the day it lands."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_support import run
from fake_support import entry_point

from onething import Onething
from onething.departments import department_name
from onething.guide import build_guide, render_html, render_markdown
from onething.i18n import set_language
from onething.plugins import discover

ON = dt.date(2026, 6, 1)
INSTALLED = sorted(discover())
ROOT = Path(__file__).resolve().parents[1]
USCC = "91371502MA3C5Y4K7U"
#: A city layer adding catering's sampling ratios (as examples/overrides/sampling-liaocheng.toml
#: does) and changing core's rectification deadline.
CITY_LAYER = """
[[extension.parameter]]
domain = "catering"
name = "sampling_ratio"
label_zh = "双随机抽查比例（每周期）"
label_en = "Sampling ratio per cycle"
unit = "ratio"
reason = "测试：本市抽查计划"
[[extension.parameter.values]]
value = 0.05
effective_from = 2025-01-01
status = "unconfirmed"
reviewed = 2026-11-27
basis = [{ law = "测试市双随机抽查工作计划", status = "unconfirmed" }]

[[extension.parameter]]
domain = "catering"
name = "sampling_ratio.D"
label_zh = "D类对象双随机抽查比例（每周期）"
label_en = "Sampling ratio per cycle, grade D"
unit = "ratio"
reason = "测试：本市抽查计划"
[[extension.parameter.values]]
value = 0.2
effective_from = 2025-01-01
status = "unconfirmed"
reviewed = 2026-11-27
basis = [{ law = "测试市双随机抽查工作计划", status = "unconfirmed" }]

[[override]]
domain = "core"
parameter = "loop.rectification_days"
value = 21
effective_from = 2026-01-01
status = "unconfirmed"
reviewed = 2026-11-27
reason = "测试：本市整改期限"
[[override.basis]]
law = "测试市规定"
status = "unconfirmed"
"""


def _config(tmp_path: Path, domains: list[str], extra: str = "", url: str | None = None) -> Path:
    path = tmp_path / "onething.toml"
    path.write_text(
        f'[deployment]\nname = "聊城市"\nregion = "371500"\nlevel = "city"\n'
        f"domains = {json.dumps(domains)}\n"
        f'[storage]\nurl = "{url or f"sqlite:///{tmp_path}/g.db"}"\n{extra}',
        "utf-8",
    )
    return path


@pytest.fixture(scope="module")
def unified(tmp_path_factory):
    """The unified deployment: every installed domain enabled."""
    path = _config(tmp_path_factory.mktemp("unified"), INSTALLED)
    app = Onething.from_config(path)
    yield app
    app.close()


def _departments(rulebook, domain: str) -> set[str]:
    d = rulebook.rules(domain).description
    codes = {d.lead_department, *d.responsible_departments}
    for rule in (*rulebook.items(ON, domain), *rulebook.elements(ON, domain)):
        codes.update(rule.departments)
    return codes


@pytest.mark.parametrize("domain", INSTALLED)
def test_the_guide_of_each_domain_names_every_item_element_and_department(unified, domain):
    """HTML and Markdown name each item (code and name), each element (code and label) and
    each department of the domain, and state the day and the plugin's version."""
    rb = unified.rulebook
    g = build_guide(rb, ON, domain)
    info = rb.rules(domain).info
    for text in (render_html(g), render_markdown(g)):
        for item in rb.items(ON, domain):
            assert item.code in text and item.name_zh in text, item.code
        for e in rb.elements(ON, domain):
            assert e.code in text and e.label_zh in text, e.code
        for code in _departments(rb, domain):
            assert department_name(code, "city") in text, code
        assert str(ON) in text and f"{info.dist} {info.version}" in text
        assert rb.rules(domain).description.name_zh in text
    lead = rb.rules(domain).description.lead_department
    assert g.duties[0].department == lead and g.duties[0].role == "lead"


def test_the_unified_guide_covers_every_domain_and_its_loop_extension(unified):
    rb = unified.rulebook
    g = build_guide(rb, ON, None)
    html, md = render_html(g), render_markdown(g)
    for domain in INSTALLED:
        assert rb.rules(domain).description.name_zh in html
        for item in rb.items(ON, domain):
            assert item.code in html and item.code in md
        ext = rb.rules(domain).loop
        for s in ext.states if ext else ():
            assert s.label_zh in html and s.code in md  # swimlane node and Mermaid id
    assert "<svg" in html and "<script" not in html and "http://" not in html.split("<svg")[0]
    # the core loop, then each domain with a loop extension on a chart of its own
    with_loop = [d for d in INSTALLED if rb.rules(d).loop]
    assert [f.domain for f in g.flowcharts] == ["core", *with_loop]
    assert md.count("```mermaid") == len(g.flowcharts) and "flowchart TB" in md
    for f in g.flowcharts[1:]:
        ext = rb.rules(f.domain).loop
        assert all(s.code in f.mermaid for s in ext.states)
        others = [d for d in with_loop if d != f.domain]
        assert not any(s.code in f.mermaid for d in others for s in rb.rules(d).loop.states)
    # every step of the loop is numbered: each number of the table is on some chart's arrow
    drawn = set()
    for f in g.flowcharts:
        drawn.update(re.findall(r"<text[^>]*>(\d+)</text>", f.svg))
    assert drawn == {str(n) for n in range(1, len(g.steps) + 1)}


def test_a_guide_lists_every_legal_basis_it_relies_on(unified):
    rb = unified.rulebook
    g = build_guide(rb, ON, "catering")
    cited = {c.basis.cite() for c in g.citations}
    for rule in (*rb.items(ON, "catering"), *rb.elements(ON, "catering")):
        for b in rule.basis:
            assert b.cite() in cited
    fines = [p for p in rb.parameters(ON, "catering") if p.name.startswith("fine.")]
    assert fines and {p.name for p in g.fines} == {p.name for p in fines}


def test_a_city_override_and_extension_show_in_the_guide(tmp_path):
    path = _config(tmp_path, ["catering"], CITY_LAYER)
    app = Onething.from_config(path)
    try:
        g = build_guide(app.rulebook, ON, "catering")
    finally:
        app.close()
    html = render_html(g)
    ratio = next(p for p in g.frequency if p.name == "sampling_ratio")
    assert ratio.provenance.layer == "extension" and "5%" in html and "城市层新增" in html
    rect = next(s.limit for s in g.steps if s.transition.code == "order_rectification")
    assert rect.value == 21 and rect.provenance.layer == "override"
    assert "城市层调整" in html and "测试：本市整改期限" in html
    assert "≤21日" in g.flowcharts[0].svg  # the flowchart's arrow carries the city's limit
    assert {(p.domain, p.name) for p in g.city_values} >= {
        ("catering", "sampling_ratio"),
        ("core", "loop.rectification_days"),
    }


def _edited_catering(tmp_path: Path, monkeypatch) -> list:
    """A copy of the catering plugin whose data a domain owner has changed: one item renamed,
    one fine raised. Enabled through a faked entry point, as the tests enable the fake domain."""
    import onething_catering

    src = Path(onething_catering.__file__).parent / "data"
    pkg = tmp_path / "pkgs" / "onething_edited_catering"
    shutil.copytree(src, pkg / "data")
    (pkg / "__init__.py").write_text(
        "from onething import DataDomain\nONETHING_API = 1\nplugin = DataDomain(__name__)\n",
        "utf-8",
    )
    items = (pkg / "data" / "items.toml").read_text("utf-8")
    assert "食品经营许可" in items
    (pkg / "data" / "items.toml").write_text(
        items.replace('name_zh = "食品经营许可', 'name_zh = "改名后的食品经营许可', 1), "utf-8"
    )
    params = (pkg / "data" / "parameters.toml").read_text("utf-8")
    (pkg / "data" / "parameters.toml").write_text(
        params.replace("value = 50000\n", "value = 60000\n"), "utf-8"
    )
    monkeypatch.syspath_prepend(str(pkg.parent))
    return [entry_point("catering", "onething_edited_catering:plugin")]


def test_a_rule_changed_in_the_data_changes_the_guide(tmp_path, monkeypatch):
    path = _config(tmp_path, ["catering"])
    before_app = Onething.from_config(path)
    after_app = Onething.from_config(path, entry_points=_edited_catering(tmp_path, monkeypatch))
    try:
        on = dt.date(2025, 6, 1)  # the 2021 fines are in force
        before = render_markdown(build_guide(before_app.rulebook, on, "catering"))
        after = render_markdown(build_guide(after_app.rulebook, on, "catering"))
    finally:
        before_app.close()
        after_app.close()
    assert "改名后的食品经营许可" in after and "改名后的食品经营许可" not in before
    assert "60,000" in after and "60,000" not in before


def test_the_guide_follows_the_day_asked_about(unified):
    """Dated rules: the 2021 fine versions end on 2025-11-30, the guide of each day shows its
    own (the basis cites the revision in force)."""
    rb = unified.rulebook
    old = build_guide(rb, dt.date(2025, 11, 30), "catering")
    new = build_guide(rb, dt.date(2025, 12, 1), "catering")

    def fine(g):
        return next(p for p in g.fines if p.name == "fine.unlicensed.min")

    assert fine(old).effective_from != fine(new).effective_from
    assert render_markdown(old) != render_markdown(new)


def test_english_guide(unified):
    set_language("en")
    g = build_guide(unified.rulebook, ON, "catering")
    html = render_html(g)
    assert "Division of labour" in html and "Self-check list" in html
    assert "部门分工" not in html
    item = unified.rulebook.items(ON, "catering")[0]
    assert item.name_en in html


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_writes_every_format_and_refuses_to_overwrite(tmp_path, capsys):
    path = _config(tmp_path, ["catering", "elderly_care"])
    out = tmp_path / "guides"
    args = ["guide", "--config", str(path), "--all", "--at", "2026-06-01", "--out", str(out)]
    fmts = ["--format", "html", "--format", "md", "--format", "svg"]
    code, _, err = run(capsys, *args, *fmts)
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    per_domain = [f"{d}{x}" for d in ("catering", "elderly_care") for x in (".html", ".md")]
    charts = [f"all-flow-{d}.svg" for d in ("core", "catering", "elderly_care")]
    flows = ["catering-flow.svg", "elderly_care-flow.svg", *charts]
    assert names == sorted([*per_domain, *flows, "all.html", "all.md"])
    html = (out / "catering.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "@page { size: A4" in html
    assert "<link" not in html and "<script" not in html and "src=" not in html
    code, _, err = run(capsys, *args, "--format", "md")
    assert code == 1 and "--force" in err
    assert run(capsys, *args, "--format", "md", "--force")[0] == 0
    code, _, err = run(capsys, "--lang", "en", *args[:-2], "--out", str(tmp_path / "en"))
    assert code == 0 and "Division of labour" in (tmp_path / "en" / "all.html").read_text()
    code, _, err = run(capsys, *args[:-2], "--lang", "en", "--out", str(tmp_path / "en2"))
    assert code == 0 and "Self-check list" in (tmp_path / "en2" / "all.html").read_text()


@pytest.mark.timeout(300)  # some 150 pages of WeasyPrint: ~15 s alone, more on a busy machine
def test_cli_pdf_of_the_unified_deployment(tmp_path, capsys):
    """The PDF a city publishes: the unified guide of every installed domain (so every
    domain's data goes through the PDF renderer), Chinese drawn in an embedded CJK font."""
    import weasyprint  # noqa: F401  (make setup installs core[pdf]: never skipped)

    path = _config(tmp_path, INSTALLED)
    out = tmp_path / "g"
    args = ["guide", "--config", str(path), "--at", "2026-06-01", "--format", "pdf"]
    code, _, err = run(capsys, *args, "--out", str(out))
    assert code == 0, err
    pdf = (out / "all.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 100_000
    if shutil.which("pdffonts") and shutil.which("pdftotext"):  # poppler-utils, where present
        pdf_path = str(out / "all.pdf")
        fonts = subprocess.run(["pdffonts", pdf_path], capture_output=True, text=True).stdout
        assert "CJK" in fonts  # a CJK font embedded: the Chinese text is drawn, not tofu
        text = subprocess.run(["pdftotext", pdf_path, "-"], capture_output=True, text=True).stdout
        assert "二、部门分工" in text and "十一、企业自查清单" in text
        app = Onething.from_config(path)
        try:
            for d in INSTALLED:
                assert app.rulebook.rules(d).description.name_zh in text
        finally:
            app.close()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--domain", "nosuch"], "nosuch"),
        (["--domain", "hazchem"], "未启用"),
        (["--at", "2026-13-01"], "2026-13-01"),
        (["--object", "91370000XXXXXXXXXX"], "名录库中没有这个对象"),
        (["--domain", "catering", "--all"], "--all"),
        (["--format", "docx"], "docx"),
    ],
)
def test_cli_bad_input_gives_a_clear_error(tmp_path, capsys, args, expected):
    path = _config(tmp_path, ["catering"])
    assert run(capsys, "db", "upgrade", "--config", str(path))[0] == 0
    code, _, err = run(capsys, "guide", "--config", str(path), "--out", str(tmp_path), *args)
    assert code in (1, 2) and expected in err, err
    assert not list(tmp_path.glob("*.html"))


# -- one object's guide, on SQLite and PostgreSQL ---------------------------------------------


def _restaurant(tmp_path: Path) -> Path:
    obj = {
        "uscc": USCC,
        "name": "老街饭店",
        "region_code": "371502",
        "credit_grade": "D",
        "domains": {"catering": {"object_types": ["restaurant"], "attributes": {}}},
    }
    f = tmp_path / "objects.jsonl"
    f.write_text(json.dumps(obj, ensure_ascii=False) + "\n", "utf-8")
    return f


def test_object_guide_from_the_registry_mapping(store, tmp_path, capsys):
    path = _config(tmp_path, ["catering", "elderly_care"], CITY_LAYER, url=store.config_url)
    code, _, err = run(
        capsys, "registry", "import", str(_restaurant(tmp_path)), "--config", str(path)
    )
    assert code == 0, err
    out = tmp_path / "g"
    code, text, err = run(
        capsys, "guide", "--config", str(path), "--object", USCC, "--at", "2026-06-01",
        "--format", "html", "--format", "md", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    md = (out / f"object-{USCC}.md").read_text("utf-8")
    html = (out / f"object-{USCC}.html").read_text("utf-8")
    app = Onething.from_config(path)
    try:
        from onething.registry.mapping import items_of

        mapped = items_of(app.store, USCC)
        rb = app.rulebook
        elements = [e for e in rb.elements(ON, "catering") if set(mapped) & set(e.items)]
        others = [e for e in rb.elements(ON, "catering") if not set(mapped) & set(e.items)]
    finally:
        app.close()
    assert mapped and all(c.startswith("catering.") for c in mapped)
    for text in (md, html):
        assert "老街饭店" in text and USCC in text
        for code in mapped:
            assert code in text
        for e in elements:
            assert e.label_zh in text
        for e in others:
            assert f"{e.code}" not in text  # only the check points that apply to it
        assert "### 餐饮服务" in text or "<h3>餐饮服务</h3>" in text
        assert "### 养老服务" not in text and "<h3>养老服务</h3>" not in text  # not its domain
    # grade D: the city's sampling_ratio.D (20%) for random-mode items, marked as city layer
    assert "20%" in html and "城市层新增" in html


def test_object_guide_needs_a_mapped_object(store, tmp_path, capsys):
    path = _config(tmp_path, ["catering"], url=store.config_url)
    code, _, err = run(
        capsys, "guide", "--config", str(path), "--object", USCC, "--out", str(tmp_path)
    )
    assert code == 1 and "名录库中没有这个对象" in err and USCC in err
