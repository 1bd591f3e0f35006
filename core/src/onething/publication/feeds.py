"""Feeds of what is up (公示): JSON Lines for the host platform, CSV, and one static HTML page
with client-side search. Each is written whole from the stored state, to a temporary file
renamed at the end; the same state gives byte-identical files (republishing is idempotent).

In the JSON Lines, a penalty also carries ``summary``: the items of the penalty-information
summary that 市场监督管理行政处罚信息公示规定 第四条第三款 lists for the national enterprise
credit publicity system (决定书文号、当事人基本情况、违法行为类型、处罚内容、机关名称和日期).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..i18n import _
from ..outfiles import atomic_write, escape_row

FILES = ("publications.jsonl", "publications.csv", "index.html")

SUMMARY = (
    ("行政处罚决定书文号", ("decision_no", "decision_number")),
    ("当事人名称", ("party_name",)),
    ("统一社会信用代码", ("uscc",)),
    ("违法行为类型", ("violation_type",)),
    ("行政处罚内容", ("penalty",)),
    ("作出行政处罚决定机关名称", ("authority",)),
    ("作出行政处罚决定日期", ("decision_date",)),
)

CSV_COLUMNS = (
    "key",
    "version",
    "record",
    "domain",
    "rule",
    "name",
    "uscc",
    "decided_on",
    "published_on",
    "display_to",
    "fields",
    "redactions",
)


def summary(content: dict[str, Any]) -> dict[str, Any] | None:
    if content.get("record") != "penalty":
        return None
    fields = content.get("fields", {})
    return {label: next((fields[k] for k in keys if k in fields), None) for label, keys in SUMMARY}


def line(content: dict[str, Any]) -> dict[str, Any]:
    out = dict(content)
    if (s := summary(content)) is not None:
        out["summary"] = s
    return out


#: Chinese labels of the common published fields, for the page (English shows the names).
FIELD_LABELS = {
    "party_name": "当事人名称", "operator_name": "经营者名称", "object_name": "监管对象",
    "school_name": "学校名称", "holder_name": "持证单位", "name": "名称",
    "uscc": "统一社会信用代码", "decision_no": "决定书文号", "decision_number": "决定书文号",
    "violation_type": "违法行为类型", "penalty": "处罚内容", "authority": "决定机关",
    "decision_date": "决定日期", "inspection_date": "检查日期", "result": "检查结果",
    "problems_found": "发现问题", "rectification": "整改要求", "inspection_items": "检查事项",
    "items": "检查事项", "departments": "检查部门", "measures": "惩戒措施",
    "listing_date": "列入日期", "legal_representative": "法定代表人", "address": "地址",
    "decision_text": "决定书内容", "sampling_date": "抽样日期", "failed_items": "不合格项目",
    "licence_no": "许可证编号", "filing_number": "备案编号", "filing_authority": "备案机关",
    "filing_date": "备案日期", "valid_from": "有效期起", "valid_to": "有效期至",
    "scope": "经营项目", "tier": "发卡企业类别", "dishonest_conduct": "失信行为",
    "cycle": "抽查周期", "draw_date": "抽取日期", "sample_size": "抽取对象数",
    "sampled": "抽查对象名单", "algorithm": "抽取算法", "seed": "随机种子",
    "population_sha256": "对象库摘要", "plan_sha256": "计划摘要", "redraw_reason": "重新抽取原因",
}  # fmt: skip


def _labelled(fields: dict[str, Any]) -> str:
    zh = _("zh", "en") == "zh"
    return "；".join(
        f"{FIELD_LABELS.get(k, k) if zh else k}：{_text(v)}" for k, v in fields.items()
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def csv_row(content: dict[str, Any]) -> list[Any]:
    f = content.get("fields", {})
    name = next((f[k] for k in ("party_name", "operator_name", "object_name", "school_name",
                                "holder_name", "name") if k in f), "")  # fmt: skip
    return escape_row(
        [
            content["id"],
            content["version"],
            content["record"],
            content["domain"],
            content["rule"],
            name,
            f.get("uscc", ""),
            content["decided_on"],
            content["published_on"],
            content.get("display_to") or "",
            _text(f),
            _text([f"{r['field']}:{r['kind']}" for r in content.get("redactions", [])]),
        ]
    )


def write(contents: Iterable[dict[str, Any]], out: Path, *, force: bool, title: str) -> list[Path]:
    """Write the three feeds into ``out`` (checked before by the caller)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = list(contents)  # the page embeds them all; the other two could stream
    paths = [out / name for name in FILES]
    with atomic_write(paths[0], force=force) as fh:
        for c in rows:
            fh.write(json.dumps(line(c), ensure_ascii=False, sort_keys=True) + "\n")
    with atomic_write(paths[1], force=force) as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for c in rows:
            w.writerow(csv_row(c))
    with atomic_write(paths[2], force=force) as fh:
        fh.write(page(rows, title))
    return paths


def _json_for_script(data: Any) -> str:
    # inside <script>: no "</" (would end the element), no U+2028/2029 surprises
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page(rows: list[dict[str, Any]], title: str) -> str:
    """A self-contained page: the records as JSON, rendered and searched by inline script
    (text only, never markup from the data)."""
    labels = {
        "search": _("搜索名称、信用代码、内容…", "search name, credit code, content…"),
        "name": _("名称", "name"),
        "uscc": _("统一社会信用代码", "credit code"),
        "record": _("类别", "kind"),
        "rule": _("规则", "rule"),
        "fields": _("公示内容", "content"),
        "published": _("公示日期", "published"),
        "until": _("公示截止", "shown until"),
        "count": _("条", "records"),
        "none": _("无", "none"),
        "penalty": _("行政处罚", "penalty"),
        "sanction": _("失信惩戒", "joint sanction"),
        "inspection_result": _("检查结果", "inspection result"),
        "licence": _("许可", "licence"),
        "warning": _("风险警示", "warning"),
        "plan": _("抽查计划", "plan"),
        "version": _("版本", "version"),
    }
    data = [
        {
            "name": csv_row(c)[5],
            "uscc": c.get("fields", {}).get("uscc", ""),
            "record": c["record"],
            "rule": f"{c['rule']} {c.get('rule_label', '')}",
            "fields": _labelled(c.get("fields", {})),
            "published": c["published_on"],
            "until": c.get("display_to") or "",
            "version": c["version"],
        }
        for c in rows
    ]
    return (
        _PAGE.replace("__TITLE__", _escape(title))
        .replace("__LABELS__", _json_for_script(labels))
        .replace("__DATA__", _json_for_script(data))
        .replace("__LANG__", _("zh-CN", "en"))
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text)


_PAGE = """<!DOCTYPE html>
<html lang="__LANG__"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem}input{width:100%;max-width:40rem;padding:.5rem;font-size:1rem}
table{border-collapse:collapse;width:100%;margin-top:1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}#count{color:#666;margin-left:.5rem}
</style></head><body>
<h1>__TITLE__</h1>
<input id="q" type="search" autocomplete="off"><span id="count"></span>
<table><thead><tr id="head"></tr></thead><tbody id="rows"></tbody></table>
<script id="labels" type="application/json">__LABELS__</script>
<script id="data" type="application/json">__DATA__</script>
<script>
(function(){
  var L=JSON.parse(document.getElementById('labels').textContent);
  var D=JSON.parse(document.getElementById('data').textContent);
  var cols=['name','uscc','record','fields','published','until','rule','version'];
  var q=document.getElementById('q');q.placeholder=L.search;
  q.value=new URLSearchParams(location.search).get('q')||'';
  var head=document.getElementById('head');
  cols.forEach(function(c){var th=document.createElement('th');th.textContent=L[c];head.appendChild(th);});
  var body=document.getElementById('rows');
  function show(){
    var t=q.value.trim().toLowerCase();var n=0;body.textContent='';
    D.forEach(function(r){
      var hay=cols.map(function(c){return String(r[c]);}).join(' ').toLowerCase();
      if(t&&hay.indexOf(t)<0)return;n++;
      var tr=document.createElement('tr');
      cols.forEach(function(c){var td=document.createElement('td');
        td.textContent=c==='record'?(L[r[c]]||r[c]):String(r[c]);tr.appendChild(td);});
      body.appendChild(tr);
    });
    document.getElementById('count').textContent=n?(n+' '+L.count):L.none;
  }
  q.addEventListener('input',show);show();
})();
</script></body></html>
"""
