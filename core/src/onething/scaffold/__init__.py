"""``onething plugin new``: a working data-only domain plugin distribution from a template.

The template (``template/``, files ending ``.tmpl``, ``PKG`` in a path replaced by the package
name) holds a pyproject with the entry point, the package with one commented example of each
rule kind in ``data/``, a scenario file, a README and the contract test. The generated plugin
validates and passes core's contract suite as it stands; every example rule is marked
``unconfirmed`` for its owner to replace.

>>> from onething.scaffold import package_name, distribution_name
>>> package_name("food_safety"), distribution_name("food_safety")
('onething_food_safety', 'onething-food-safety')
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from ..departments import departments
from ..errors import InvalidInput
from ..i18n import _
from ..plugins import API_VERSION, discover

__all__ = ["distribution_name", "new_plugin", "package_name"]

CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def package_name(code: str) -> str:
    """The import package of the plugin for domain ``code``."""
    return f"onething_{code}"


def distribution_name(code: str) -> str:
    """The distribution (pip) name of the plugin for domain ``code``."""
    return "onething-" + code.replace("_", "-")


def _onething_range() -> tuple[str, str]:
    """``(min, next)``: the generated plugin depends on this minor series of onething."""
    major, minor = (int(x) for x in metadata.version("onething").split(".")[:2])
    return f"{major}.{minor}", f"{major}.{minor + 1}"


def _files(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                out += _files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".tmpl"):
            out.append((prefix + entry.name.removesuffix(".tmpl"), entry))
    return out


def _check(code: str, lead: str, responsible: Sequence[str], name_zh: str) -> None:
    if not CODE.fullmatch(code):
        raise InvalidInput(
            "CODE",
            code,
            _(
                "领域代码须为小写字母开头，只含小写字母、数字和下划线（如 food_safety）",
                "a domain code starts with a lowercase letter and has only lowercase letters, "
                "digits and underscores (food_safety, say)",
            ),
        )
    installed = discover()
    if code in installed:
        raise InvalidInput(
            "CODE",
            code,
            _(
                f"已有插件使用此领域代码：{installed[code].dist}",
                f"an installed plugin already has this domain code: {installed[code].dist}",
            ),
        )
    known = departments()
    for where, dept in [("--lead", lead), *(("--department", d) for d in responsible)]:
        if dept not in known:
            raise InvalidInput(
                where,
                dept,
                _(
                    f"未知部门代码；可用：{', '.join(sorted(known))}（见 onething departments）",
                    f"unknown department code; known: {', '.join(sorted(known))} "
                    "(see onething departments)",
                ),
            )
    if not name_zh.strip() or '"' in name_zh or "\\" in name_zh:
        raise InvalidInput(
            "--name-zh",
            name_zh,
            _(
                "名称不能为空，也不能含引号或反斜杠",
                "a name is not empty and has no quote or backslash",
            ),
        )


def new_plugin(
    code: str,
    *,
    name_zh: str,
    lead: str,
    out: Path,
    name_en: str | None = None,
    responsible: Sequence[str] = (),
    today: dt.date | None = None,
    force: bool = False,
) -> list[Path]:
    """Write the distribution of a new data-only plugin for domain ``code`` into ``out``.

    The directory is built beside ``out`` and renamed into place, so a failure leaves nothing
    behind; an existing ``out`` is refused unless ``force`` (then replaced whole).

    :param code: the domain code (entry-point name), ``[a-z][a-z0-9_]*``.
    :param name_zh: the domain's Chinese name; ``name_en`` defaults to the code in words.
    :param lead: the lead department's code (``onething departments``); ``responsible`` the
        other departments sharing duties.
    :returns: the files written, relative to ``out``.
    :raises InvalidInput: a malformed or installed code, an unknown department, ``out`` exists.
    """
    name_en = name_en or code.replace("_", " ").capitalize()
    _check(code, lead, responsible, name_zh)
    if '"' in name_en or "\\" in name_en:
        raise InvalidInput(
            "--name-en", name_en, _("名称不能含引号或反斜杠", "a name has no quote or backslash")
        )
    out = Path(out)
    if out.exists() and not force:
        raise InvalidInput(
            str(out),
            "",
            _("已存在；用 --force 整体替换", "exists already; --force replaces it whole"),
        )
    dept = departments()[lead]
    low, high = _onething_range()
    values = {
        "code": code,
        "pkg": package_name(code),
        "dist": distribution_name(code),
        "name_zh": name_zh,
        "name_en": name_en,
        "lead": lead,
        "lead_zh": dept.name("province"),
        "lead_en": dept.name_en,
        "responsible": json.dumps(list(responsible), ensure_ascii=False),
        "today": (today or dt.date.today()).isoformat(),
        "api": str(API_VERSION),
        "onething_min": low,
        "onething_next": high,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    written = []
    try:
        root = resources.files("onething.scaffold").joinpath("template")
        for rel, entry in _files(root):
            rel = rel.replace("PKG_CODE", code).replace("PKG", values["pkg"])
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(Template(entry.read_text("utf-8")).substitute(values), "utf-8")
            written.append(Path(rel))
        if out.exists():  # force: the old tree goes only once the new one is complete
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(written)
