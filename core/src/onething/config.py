"""Deployment configuration: a TOML file → JSON Schema validation → a frozen ``Deployment``.

Errors name the file, the key path and what was expected. The schema is published as
``onething/schemas/config.schema.json``; city layers as ``layer.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from attrs import field, frozen

from . import schemas
from .errors import InvalidInput
from .i18n import _
from .model import Basis, Item, Parameter, Scalar, Status, converter
from .model.fields import as_tuple
from .schemas import validated
from .textfiles import read_utf8
from .workdays import CalendarYear, calendar_years

#: Administrative levels as a message names them.
_LEVELS = {"province": "省", "city": "市", "county": "县"}

DEFAULT_STORAGE = "sqlite:///onething.db"
DEFAULT_REVIEW_DAYS = 730


@frozen
class Override:
    """A city layer's change to the value of an existing parameter (a "reform")."""

    domain: str
    parameter: str
    value: Scalar
    effective_from: dt.date
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    status: Status
    reviewed: dt.date
    reason: str
    effective_to: dt.date | None = None
    note: str | None = None
    source: str | None = None


@frozen
class Extension:
    """A parameter a city layer adds (add only: it must not exist in the plugin)."""

    parameter: Parameter
    reason: str
    source: str


@frozen
class ItemExtension:
    """A supervision item a city layer adds (add only: its code must not exist in the plugin)."""

    item: Item
    reason: str
    source: str


@frozen
class ItemDisable:
    """A provincial (plugin) item the deployment does not carry, with the reason why."""

    code: str
    reason: str
    source: str
    effective_from: dt.date = dt.date.min
    effective_to: dt.date | None = None


@frozen
class Deployment:
    """One deployment: a province, city or county running onething."""

    region: str
    level: str
    domains: tuple[str, ...] = field(converter=as_tuple)
    name: str = ""
    storage_url: str = DEFAULT_STORAGE
    output_dir: Path = Path("out")
    review_max_age_days: int = DEFAULT_REVIEW_DAYS
    language: str = "zh"
    overrides: tuple[Override, ...] = field(factory=tuple, converter=as_tuple)
    extensions: tuple[Extension, ...] = field(factory=tuple, converter=as_tuple)
    path: Path | None = None
    item_extensions: tuple[ItemExtension, ...] = field(factory=tuple, converter=as_tuple)
    item_disables: tuple[ItemDisable, ...] = field(factory=tuple, converter=as_tuple)
    calendar: tuple[CalendarYear, ...] = field(factory=tuple, converter=as_tuple)
    """``[[calendar.year]]``: holiday schedules the calendar package does not know (yet)"""
    person_secret_env: str = "ONETHING_PERSON_SECRET"
    """The environment variable holding the secret that keys persons' hashed ID numbers."""
    publication: dict[str, Any] = field(factory=dict, hash=False)
    """``[publication]``: the page title and ``[[publication.policy]]`` redaction policies"""
    http: dict[str, Any] = field(factory=dict, hash=False)
    """``[http]``: the HTTP service (:mod:`onething.http`): listening address, identity from
    signed tokens, webhooks"""


def _read_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            str(path), "", _(f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}")
        ) from None


def _checked(path: Path, schema: str) -> dict[str, Any]:
    """File ``path`` read and validated against ``schema`` (``config``, ``layer``); a file
    whose pass is in the record of :mod:`onething.schemas.validated` is not parsed or
    validated again (``onething validate`` always is)."""
    text = read_utf8(path)
    return validated.checked(
        schema,
        "",
        text.encode(),
        lambda: schemas.check(_read_toml(path, text), schema, location=str(path)),
    )


def _check_level(path: Path, region: str, level: str) -> None:
    expected = (
        "province" if region.endswith("0000") else "city" if region.endswith("00") else "county"
    )
    if expected != level:
        raise InvalidInput(
            str(path),
            "deployment.level",
            _(
                f"行政区划 {region} 是{_LEVELS.get(expected, expected)}级代码（GB/T 2260），"
                f"而 level 为 {level!r}",
                f"region {region} is a {expected}-level code (GB/T 2260), but level is {level!r}",
            ),
        )


def _layer(data: dict[str, Any], label: str) -> tuple[list[Override], list[Extension]]:
    overrides = [
        converter.structure({**o, "source": f"{label}#override[{i}]"}, Override)
        for i, o in enumerate(data.get("override", []))
    ]
    extensions = []
    for i, raw in enumerate(data.get("extension", {}).get("parameter", [])):
        raw = dict(raw)
        reason = raw.pop("reason")
        source = f"{label}#extension.parameter[{i}]"
        param = converter.structure({**raw, "source": source}, Parameter)
        extensions.append(Extension(parameter=param, reason=reason, source=source))
    return overrides, extensions


def _item_layer(data: dict[str, Any], label: str) -> tuple[list[ItemExtension], list[ItemDisable]]:
    """``[[extension.item]]`` and ``[[disable]]`` of a config or layer file (see onething.items)."""
    added = []
    for i, raw in enumerate(data.get("extension", {}).get("item", [])):
        raw = dict(raw)
        reason = raw.pop("reason")
        source = f"{label}#extension.item[{i}]"
        item = converter.structure({**raw, "source": source}, Item)
        added.append(ItemExtension(item=item, reason=reason, source=source))
    disabled = [
        converter.structure({**raw, "source": f"{label}#disable[{i}]"}, ItemDisable)
        for i, raw in enumerate(data.get("disable", []))
    ]
    return added, disabled


def load_config(path: str | Path) -> Deployment:
    """Read and validate a deployment config and its layer files.

    :raises InvalidInput: naming the file and key path of the first problem.
    """
    path = Path(path)
    data = _checked(path, "config")
    dep = data["deployment"]
    _check_level(path, dep["region"], dep["level"])
    overrides, extensions = _layer(data, str(path))
    item_extensions, item_disables = _item_layer(data, str(path))
    for i, layer_name in enumerate(dep.get("layers", [])):
        layer_path = path.parent / layer_name
        if not layer_path.is_file():
            raise InvalidInput(
                str(path),
                f"deployment.layers[{i}]",
                _(f"文件 {layer_path} 不存在", f"file {layer_path} not found"),
            )
        layer = _checked(layer_path, "layer")
        more_o, more_e = _layer(layer, str(layer_path))
        overrides += more_o
        extensions += more_e
        more_i, more_d = _item_layer(layer, str(layer_path))
        item_extensions += more_i
        item_disables += more_d
    url = data.get("storage", {}).get("url", DEFAULT_STORAGE)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{(path.parent / url.removeprefix('sqlite:///')).as_posix()}"
    return Deployment(
        name=dep.get("name", ""),
        region=dep["region"],
        level=dep["level"],
        domains=dep["domains"],
        storage_url=url,
        output_dir=path.parent / data.get("output", {}).get("dir", "out"),
        review_max_age_days=data.get("review", {}).get("max_age_days", DEFAULT_REVIEW_DAYS),
        language=data.get("language", "zh"),
        overrides=overrides,
        extensions=extensions,
        path=path,
        item_extensions=item_extensions,
        item_disables=item_disables,
        calendar=calendar_years(data.get("calendar", {}).get("year", []), str(path)),
        person_secret_env=data.get("privacy", {}).get("secret_env", "ONETHING_PERSON_SECRET"),
        publication=data.get("publication", {}),
        http=data.get("http", {}),
    )
