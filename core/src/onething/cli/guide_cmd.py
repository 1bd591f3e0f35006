"""``onething guide``: the compliance guides (合规指引) of a deployment, a domain or one object."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import LANGUAGES, _, set_language
from ..outfiles import check_folder, sqlite_file, write_atomic
from .common import config_option, date_option, day, force_option, open_app

FORMATS = ("html", "md", "pdf", "svg", "png")


def _lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_language(value)


def make() -> click.Command:
    @click.command(
        "guide",
        help=_(
            "生成合规指引（全要素监管指南与全环节监管流程图）：由本部署在 --at 日生效的规则数据"
            "（叠加城市层）生成，写明范围、部门分工、监管事项与要素、检查频次、措施、闭环流程与时限、"
            "违规后果、公示、法律依据和企业自查清单。--object 生成一个监管对象的指引。"
            "格式：html（自包含、可打印 A4）、md（流程图为 Mermaid）、pdf、svg/png（仅流程图）。",
            "Write compliance guides (element guide and process flowchart) from the rules in "
            "force on --at with the city layer applied: scope, division of labour, items and "
            "check points, frequency, measures, the closed loop with time limits, consequences "
            "of failure, publication, legal bases and a self-check list. --object writes one "
            "object's guide. Formats: html (self-contained, prints on A4), md (Mermaid "
            "flowchart), pdf, svg/png (the flowchart alone).",
        ),
    )
    @config_option
    @click.option("--domain", default=None, help=_("该领域的指引", "the guide of this domain"))
    @click.option(
        "--all",
        "all_domains",
        is_flag=True,
        help=_(
            "每个启用领域各一份，另加全部领域的统一指引（all）",
            "one guide per enabled domain, and the unified guide of all of them (all)",
        ),
    )
    @click.option(
        "--object",
        "object_key",
        default=None,
        metavar="USCC",
        help=_(
            "一个监管对象的指引（按名录库中的事项对应）",
            "the guide of one registry object (from its stored item mapping)",
        ),
    )
    @date_option()
    @click.option(
        "--format",
        "formats",
        type=click.Choice(FORMATS),
        multiple=True,
        default=("html",),
        show_default=True,
        help=_("输出格式（可重复）", "output format (repeatable)"),
    )
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("guides"),
        show_default=True,
        help=_("输出目录", "output directory"),
    )
    @click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_lang,
        help=_("指引的语言（zh 中文，en 英文）", "language of the guide (zh, en)"),
    )
    @force_option
    def guide(
        config_path: Path,
        domain: str | None,
        all_domains: bool,
        object_key: str | None,
        at,
        formats: tuple[str, ...],
        out: Path,
        force: bool,
    ) -> None:
        from ..guide import build_guide, object_guide, render_html, render_markdown, render_pdf
        from ..loop import Loop
        from ..loop.diagram import swimlanes

        if sum(x is not None and x is not False for x in (domain, object_key, all_domains)) > 1:
            raise click.UsageError(
                _(
                    "--domain、--all、--object 只能给出一个",
                    "give at most one of --domain, --all and --object",
                )
            )
        app = open_app(config_path)
        rulebook = app.rulebook
        on = day(at)
        guides = []
        if object_key is not None:
            store = app.store
            store.ensure_current()
            guides.append((f"object-{object_key}", object_guide(store, rulebook, object_key, on)))
        elif all_domains:
            guides += [(d, build_guide(rulebook, on, d)) for d in rulebook.domains.names]
            guides.append(("all", build_guide(rulebook, on, None)))
        elif domain is not None:
            guides.append((domain, build_guide(rulebook, on, domain)))
        else:  # the deployment's unified guide
            guides.append(("all", build_guide(rulebook, on, None)))
        formats = tuple(dict.fromkeys(formats))
        loop = Loop(rulebook)
        files: dict[str, str | bytes] = {}
        for name, g in guides:  # everything rendered before anything is written
            for fmt in formats:
                if fmt == "html":
                    data: str | bytes = render_html(g)
                elif fmt == "md":
                    data = render_markdown(g)
                elif fmt == "pdf":
                    data = render_pdf(g)
                else:  # the flowcharts alone, arrows labelled in full (no table beside them)
                    charts = [f.domain for f in g.flowcharts]
                    for d in charts:
                        image = swimlanes(loop, d, on, level=g.level).pipe(format=fmt)
                        suffix = "" if len(charts) == 1 else f"-{d}"
                        files[f"{name}-flow{suffix}.{fmt}"] = image
                    continue
                files[f"{name}.{fmt}"] = data
        protected = [config_path, sqlite_file(app.store)] if object_key else [config_path]
        check_folder(out, files, force=force, protected=protected)
        out.mkdir(parents=True, exist_ok=True)
        for fname, data in files.items():
            write_atomic(out / fname, data, force=force, protected=protected)
            click.echo(str(out / fname))

    return guide
