"""``onething loop list | show | inbox``: the cases (闭环事项) an operator can see."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..i18n import _
from ..loop.documents import ACTIONS, Labels, case_json, summary_json
from ..loop.documents import case_ids as case_ids
from .common import config_option, open_app, print_json, print_table

CSV_FIELDS = [
    "id", "version", "state", "state_label", "stage", "domain", "object", "object_name",
    "region", "owner", "owner_label", "lead", "lead_label", "severity", "opened_at", "due_at",
    "due", "due_provisional", "overdue", "closed_at", "source_kind", "source_ref", "risk_rule",
]  # fmt: skip


def _columns() -> list[str]:
    return [
        _("事项", "case"),
        _("状态", "state"),
        _("版本", "version"),
        _("领域", "domain"),
        _("对象", "object"),
        _("承办部门", "owner"),
        _("牵头部门", "lead"),
        _("时限", "due"),
        _("来源", "source"),
    ]


def _row(c, lab: Labels) -> list[Any]:
    due = lab.due(c.due) + (_("（已超期）", " (overdue)") if c.overdue else "")
    obj = c.object_key + (f" {c.object_name}" if c.object_name else "")
    return [
        c.id,
        lab.state(c.state),
        c.version,
        lab.domain(c.domain),
        obj,
        lab.dept(c.owner),
        lab.dept(c.lead),
        due,
        lab.source(c),
    ]


def _emit(fmt: str, title: str, rows: Iterable[Any], lab: Labels, extra=None) -> None:
    """Table, JSON (a list) or CSV of case summaries; CSV and JSON are written as they come."""
    extra = extra or _plain
    if fmt == "table":
        body = []
        for r in rows:
            c, more = extra(r)
            body.append(_row(c, lab) + list(more.values()))
        cols = _columns() + ([_("可执行流转", "transitions")] if extra is not _plain else [])
        print_table(title.format(n=len(body)), cols, body)
        return
    if fmt == "json":
        first = True
        sys.stdout.write("[")
        for r in rows:
            c, more = extra(r)
            text = json.dumps({**summary_json(c, lab), **more}, ensure_ascii=False, indent=2)
            sys.stdout.write(("\n" if first else ",\n") + text)
            first = False
        sys.stdout.write("\n]\n" if not first else "]\n")
        return
    writer = None
    for r in rows:
        c, more = extra(r)
        flat = {k: v for k, v in summary_json(c, lab).items() if k != "source"}
        flat.update(source_kind=c.source_kind, source_ref=c.source_ref, risk_rule=c.risk_rule)
        flat.update({k: " ".join(v) if isinstance(v, list) else v for k, v in more.items()})
        if writer is None:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
    if writer is None:  # nothing found: the header alone
        csv.writer(sys.stdout).writerow(CSV_FIELDS)


def _plain(r):
    return r, {}


def _fmt_option(f):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help=_("输出格式", "output format"),
    )(f)


def _actor(text: str | None):
    from ..errors import InvalidInput
    from ..loop import Actor

    if text is None:
        return None
    parts = text.split("/")
    if len(parts) != 3 or not all(parts):
        raise InvalidInput(
            "--as", text, "expected DEPARTMENT/ROLE/REGION, e.g. market/reviewer/371500"
        )
    return Actor(*parts)


def add_commands(loop: click.Group, make_loop, store_of) -> None:
    @loop.command(
        "list",
        help=_(
            "列出闭环事项：状态、版本、承办与牵头部门、时限（北京时间）、对象和来源；"
            "筛选在数据库中完成，逐行输出。",
            "List cases: state, version, owner and lead department, deadline (Asia/Shanghai), "
            "object and source; filtered in the database and streamed.",
        ),
    )
    @config_option
    @click.option("--state", default=None, help=_("状态代码", "state code"))
    @click.option(
        "--department",
        default=None,
        help=_("该部门承办或牵头的事项", "cases the department owns or whose domain it leads"),
    )
    @click.option("--owner", default=None, help=_("当前承办部门", "department owning it now"))
    @click.option("--overdue", is_flag=True, help=_("只列出已超期的", "only overdue cases"))
    @click.option("--domain", default=None, help=_("领域", "domain"))
    @click.option("--object", "object_key", default=None, help=_("对象标识", "object key"))
    @_fmt_option
    def list_(config_path: Path, state, department, owner, overdue, domain, object_key, fmt):
        from ..loop import list_cases

        app = open_app(config_path)
        lp = make_loop(app)
        rows = list_cases(
            store_of(app),
            lp,
            state=state,
            department=department,
            owner=owner,
            overdue=overdue,
            domain=domain,
            object_key=object_key,
        )
        _emit(fmt, _("闭环事项：{n} 件", "Cases: {n}"), rows, Labels(app, lp))

    @loop.command(
        "inbox",
        help=_(
            "部门待办：本部门现在须办理的事项，按时限排序，已超期的在前。",
            "A department's inbox: the cases it must act on now, by deadline, overdue first.",
        ),
    )
    @config_option
    @click.option("--department", required=True, help=_("部门代码", "department code"))
    @click.option("--region", required=True, help=_("本部门区划代码", "the department's region"))
    @_fmt_option
    def inbox_(config_path: Path, department: str, region: str, fmt: str) -> None:
        from ..loop import inbox

        app = open_app(config_path)
        lp = make_loop(app)
        lab = Labels(app, lp)
        entries = inbox(store_of(app), lp, department, region)
        _emit(
            fmt,
            _(f"{lab.dept(department)} 待办：{{n}} 件", f"Inbox of {lab.dept(department)}: {{n}}"),
            entries,
            lab,
            extra=lambda e: (e.case, {"transitions": list(e.transitions)}),
        )

    @loop.command(
        "show",
        help=_(
            "查看一件事项：状态、版本、部门、时限、对象、来源、可执行的流转（--as 部门/角色/区划）"
            "和审计日志中的全部经过。",
            "Show one case: state, version, departments, deadline, object, source, the "
            "transitions open (to --as DEPT/ROLE/REGION) and its full history from the audit log.",
        ),
    )
    @config_option
    @click.argument("case_id", type=int)
    @click.option(
        "--as",
        "as_",
        default=None,
        metavar="DEPT/ROLE/REGION",
        help=_("以此身份判断可执行的流转", "judge the transitions for this actor"),
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=_("输出格式", "output format"),
    )
    def show(config_path: Path, case_id: int, as_: str | None, fmt: str) -> None:
        from ..loop import case

        app = open_app(config_path)
        lp = make_loop(app)
        lab = Labels(app, lp)
        actor = _actor(as_)
        if actor is not None:
            from ..loop.cases import check_actor

            check_actor(actor, within=app.deployment.region)
        view = case(store_of(app), lp, case_id, actor=actor)
        c = view.summary
        shown = case_json(view, lab)
        if fmt == "json":
            print_json(shown)
            return
        moves, history = shown["transitions"], shown["history"]
        obj = c.object_key + (
            _(f"（{c.object_name}）", f" ({c.object_name})") if c.object_name else ""
        )
        stage = lab.stage(c.stage)
        due = lab.due(c.due) + (_("（已超期）", " (overdue)") if c.overdue else "")
        for name, value in [
            (_("事项", "case"), c.id),
            (_("状态", "state"), lab.state(c.state) + _(f"（{stage}）", f" ({stage})")),
            (_("版本", "version"), c.version),
            (_("领域", "domain"), lab.domain(c.domain)),
            (_("对象", "object"), f"{obj} {c.region}"),
            (_("承办部门", "owner"), lab.dept(c.owner)),
            (_("牵头部门", "lead"), lab.dept(c.lead)),
            (_("时限", "due"), due),
            (_("来源", "source"), lab.source(c)),
            (_("严重程度", "severity"), lab.severity(c.severity)),
            (_("事实", "facts"), json.dumps(view.facts, ensure_ascii=False, default=str)),
        ]:
            click.echo(f"{name}：{value}" if not lab.en else f"{name}: {value}")
        cols = [
            _("流转", "transition"),
            _("名称", "label"),
            _("到", "to"),
            _("角色", "roles"),
            _("部门", "departments"),
            _("条件", "guard"),
        ]
        if as_ is not None:
            cols.append(_("你可执行", "open to you"))
        print_table(
            _("下一步", "Next steps"),
            cols,
            [
                [
                    m["transition"],
                    m["label"],
                    m["to_label"],
                    lab.roles(m["roles"]),
                    "、".join(m["department_labels"])
                    if not lab.en
                    else ", ".join(m["department_labels"]),
                    ""
                    if m["guard"] is None
                    else json.dumps(m["guard"], ensure_ascii=False)
                    + ("" if m["guard_holds"] else _("（尚不满足）", " (not yet)")),
                    *([("✓" if m["allowed"] else m["refusal"])] if as_ is not None else []),
                ]
                for m in moves
            ],
        )
        print_table(
            _("经过", "History"),
            [
                _("序号", "seq"),
                _("时间", "at"),
                _("动作", "action"),
                _("操作人", "actor"),
                _("内容", "details"),
            ],
            [
                [
                    h["seq"],
                    h["at"][:16].replace("T", " "),
                    lab.pick(ACTIONS.get(h["action"], (h["action"], h["action"]))),
                    ""
                    if h["actor"] is None
                    else f"{lab.dept(h['actor']['department'])}/{lab.role(h['actor']['role'])}"
                    f"/{h['actor']['region']}",
                    _detail(h, lab),
                ]
                for h in history
            ],
        )


def _detail(h: dict[str, Any], lab: Labels) -> str:
    d = h["data"]
    if h["action"] == "open":
        return f"→ {lab.state(d.get('state', ''))}"
    if h["action"] == "transition":
        return (
            f"{d.get('transition')}: {lab.state(d.get('from', ''))} → {lab.state(d.get('to', ''))}"
        )
    if h["action"] == "refused":
        return f"{d.get('transition')}: {d.get('message', '')}"
    if h["action"] == "record_attached":
        failed = ", ".join(d.get("findings") or []) or lab.pick(("无问题", "no findings"))
        return f"{d.get('record')}: {failed}"
    return json.dumps(d, ensure_ascii=False, default=str)[:80]
