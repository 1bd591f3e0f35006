"""Synthetic registries (``onething registry synth``) for tests, the demo and benchmarks.

Businesses are drawn from the enabled plugins' own data: each domain's ``synth_share`` (its
share of primary businesses), ``synth_overlaps`` (how often another domain's business is also
in this one: a restaurant selling prepaid cards, an elderly-care home with a canteen) and
``synth_overlap_types`` (its object type here, where fixed: a chemical plant's canteen), the
object types' ``synth_weight`` and ``onething_synth_attributes``. Every business has a valid
uscc (a few sole traders the documented alternative key), a real county code of the region,
licences with validity dates (each domain's ``synth_licence``), names ending as its
``synth_name_suffixes`` say, and a spread of credit grades. The output depends only on the
enabled plugins, region, size and seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from attrs import define

from ..errors import InvalidInput
from ..model import Membership, SupervisedObject
from ..outfiles import atomic_write
from ..plugins import Domains
from . import regions, uscc
from .parsing import COLUMNS
from .relations import COLUMNS as RELATION_COLUMNS
from .synth_related import Drawn, RelatedSynthesiser

BRANDS = (
    "鑫源 恒泰 福兴 华润 东方 金泰 瑞丰 永盛 聚德 天和 宏达 安康 康泰 盛世 龙腾 润丰 家和 "
    "顺心 乐享 佳美 百福 新华 昌隆 益民 惠民 明德 光明 泰和 万通 开元 同仁 仁和 长青 "
    "嘉禾 富华 鲁聊 水城 运河 凤凰 阳光"
).split()
ROADS = (
    "东昌路 柳园路 花园路 兴华路 建设路 振兴路 光岳路 湖南路 古楼街 站前街 人民路 "
    "文化路 新华路 向阳路 卫育路 东关街"
).split()
CREDIT = {"A": 55, "B": 33, "C": 9, "D": 3}
RISK = {"A": 35, "B": 40, "C": 18, "D": 7}
#: share of sole traders, and of those without a uscc (alternative key)
SOLE_TRADER = 0.25
NO_USCC = 0.02


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Synthesiser:
    def __init__(self, domains: Domains, region: str, seed: int):
        problem = regions.problem(region)
        if problem:
            raise InvalidInput("--region", "", problem)
        self.counties = regions.counties(region)
        if not self.counties:
            raise InvalidInput(
                "--region", "", f"no county codes known in {region} (registry/data/regions.toml)"
            )
        if not domains.names:
            raise InvalidInput("--config", "deployment.domains", "no domain enabled")
        self.domains = domains
        self.region = region
        self.seed = seed
        self.desc = {n: domains.rules(n).description for n in domains.names}
        # Businesses are drawn among business types only: a domain's projects, vehicles or
        # people are drawn for their anchors (synth_related), and a domain without business
        # types has no primary businesses.
        self.types = {
            n: {t.code: t.synth_weight for t in d.object_types if t.object_kind == "business"}
            for n, d in self.desc.items()
        }
        self.types = {n: ts for n, ts in self.types.items() if sum(ts.values()) > 0}
        if not self.types:
            raise InvalidInput(
                "--config", "deployment.domains", "no enabled domain has a business type to draw"
            )
        shares = {n: d.synth_share for n, d in self.desc.items() if n in self.types}
        self.shares = shares if sum(shares.values()) > 0 else dict.fromkeys(shares, 1.0)
        # overlaps[primary] = [(other domain, probability)]
        self.overlaps: dict[str, list[tuple[str, float]]] = {n: [] for n in self.types}
        for other, d in self.desc.items():
            for primary, p in d.synth_overlaps.items():
                if primary in self.overlaps and primary != other and other in self.types:
                    self.overlaps[primary].append((other, p))
        self._mult = 1_000_003  # coprime to 31: index → distinct organisation codes
        self.today = dt.date.today()
        self.related = RelatedSynthesiser(domains, seed, self.today, BRANDS, ROADS)

    def _org8(self, index: int, rng: random.Random) -> str:
        n = (index * self._mult + self.seed) % 31**6
        digits = []
        for _ in range(6):
            n, r = divmod(n, 31)
            digits.append(uscc.ALPHABET[r])
        return "MA" + "".join(reversed(digits))

    def _licence(self, rng: random.Random, domain: str, county: str, today: dt.date):
        own = self.desc[domain].synth_licence  # the plugin's data, else a generic licence
        kind, dept, prefix, years = (
            (own.kind, own.department, own.prefix, own.validity_years)
            if own is not None
            else (f"{domain}_licence", self.desc[domain].lead_department, "XK", 5)
        )
        start = today - dt.timedelta(days=rng.randint(0, years * 365))
        end = start + dt.timedelta(days=years * 365)  # last day inclusive
        return {
            "number": f"{prefix}{county}{rng.randint(0, 10**8 - 1):08d}",
            "kind": kind,
            "department": dept,
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat(),
        }

    def batches(self, size: int, batch_size: int = 2000) -> Iterator[list[dict[str, Any]]]:
        """Object rows with the documented columns: ``batch_size`` businesses at a time, each
        batch followed by the objects drawn for them (:mod:`.synth_related`)."""
        for rows, drawn in self.draw(size, batch_size):
            yield rows + drawn.objects

    def draw(self, size: int, batch_size: int = 2000) -> Iterator[tuple[list[dict], Drawn]]:
        """``(business rows, what was drawn for them)`` — objects beyond businesses and the
        relation rows — ``batch_size`` businesses at a time."""
        for start in range(0, size, batch_size):
            rows = self._businesses(start, min(size, start + batch_size))
            yield rows, self.related.draw(rows, start, self.domains.synth_attributes)

    def _businesses(self, start: int, stop: int) -> list[dict[str, Any]]:
        today = self.today
        rng = random.Random(f"{self.seed}:{start}")
        objects: list[SupervisedObject] = []
        extra: list[dict[str, Any]] = []
        for index in range(start, stop):
            county = rng.choice(self.counties)
            primary = _pick(rng, self.shares)
            member = {primary: _pick(rng, self.types[primary])}
            for other, p in self.overlaps[primary]:
                if rng.random() < p:
                    drawn = _pick(rng, self.types[other])  # drawn even if fixed: same stream
                    member[other] = self.desc[other].synth_overlap_types.get(primary, drawn)
            share = self.desc[primary].synth_sole_trader_share
            sole = rng.random() < (SOLE_TRADER if share is None else share)
            if sole and rng.random() < NO_USCC:
                key = uscc.alternative_key(county.code, f"{county.code}600{index:06d}")
            else:
                key = uscc.make_uscc("9", "2" if sole else "1", county.code, self._org8(index, rng))
            suffix = rng.choice(self.desc[primary].synth_name_suffixes or ("有限公司",))
            if sole:
                suffix = suffix.replace("有限公司", "经营部")
            town = county.name.rstrip("区县市") if len(county.name) > 2 else county.name
            name = f"{regions.name(self.region)[:2]}{town}{rng.choice(BRANDS)}{suffix}"
            objects.append(
                SupervisedObject(
                    key=key,
                    name=name,
                    region_code=county.code,
                    domains={d: Membership(object_types=[t]) for d, t in member.items()},
                )
            )
            extra.append(
                {
                    "address": f"{regions.name(county.code)}{rng.choice(ROADS)}"
                    f"{rng.randint(1, 399)}号",
                    "licences": [self._licence(rng, d, county.code, today) for d in member],
                    "credit_grade": _pick(rng, CREDIT),
                    "risk_grade": _pick(rng, RISK),
                }
            )
        attributes: dict[str, dict[str, dict[str, Any]]] = {}
        for d in self.desc:
            mine = [o for o in objects if d in o.domains]
            if mine:
                got = self.domains.synth_attributes(d, mine, self.seed * 1_000_003 + start)
                attributes[d] = {o.key: a for o, a in zip(mine, got, strict=True)}
        rows = []
        for obj, more in zip(objects, extra, strict=True):
            alt = obj.key.startswith(uscc.ALT_PREFIX)
            rows.append(
                {
                    "uscc": "" if alt else obj.key,
                    "key": obj.key if alt else "",
                    "name": obj.name,
                    "region_code": obj.region_code,
                    "domains": {
                        d: {
                            "object_types": list(m.object_types),
                            "attributes": attributes[d][obj.key],
                        }
                        for d, m in obj.domains.items()
                    },
                    **more,
                }
            )
        return rows


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return str(v)


@define
class Written:
    """What :func:`write` wrote."""

    businesses: int
    objects: int
    """Every object row: the businesses and the objects drawn for them."""
    relations: int
    relations_path: Path | None
    """The relations file; ``None`` when the enabled domains draw no related objects."""


def relations_path_for(out: Path) -> Path:
    """The relations file written beside ``out``: ``registry.csv`` → ``registry.relations.csv``."""
    return out.with_name(f"{out.stem}.relations{out.suffix}")


class _Sink:
    """Rows of ``columns`` written to a .csv, .jsonl or .xlsx file, renamed into place only
    when every batch was written."""

    def __init__(self, path: Path, fmt: str, columns, sheet: str, *, option, force, protected):
        self.path, self.fmt, self.columns = path, fmt, list(columns)
        self._cm = atomic_write(
            path, option=option, force=force, protected=protected, binary=fmt == "xlsx"
        )
        self.fh = self._cm.__enter__()
        if fmt == "xlsx":
            import openpyxl

            self.wb = openpyxl.Workbook(write_only=True)
            self.ws = self.wb.create_sheet(sheet)
            self.ws.append(self.columns)
        elif fmt == "csv":
            self.writer = csv.writer(self.fh)
            self.writer.writerow(self.columns)

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for r in rows:
            if self.fmt == "jsonl":
                self.fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            elif self.fmt == "csv":
                self.writer.writerow([_csv_value(r.get(c)) for c in self.columns])
            else:
                self.ws.append([_csv_value(r.get(c)) for c in self.columns])

    def close(self, error: BaseException | None) -> None:
        if error is None and self.fmt == "xlsx":
            self.wb.save(self.fh)
        if error is None:
            self._cm.__exit__(None, None, None)
        else:
            self._cm.__exit__(type(error), error, error.__traceback__)


def write(
    domains: Domains,
    region: str,
    size: int,
    seed: int,
    out: str | Path,
    *,
    relations_out: str | Path | None = None,
    progress=None,
    force: bool = False,
    protected: Iterable[Path | None] = (),
) -> Written:
    """Write ``size`` synthetic businesses, and the objects the enabled domains draw for them
    (``synth_related``), to ``out`` (.csv, .jsonl or .xlsx), and the relations between them to
    ``relations_out`` (default :func:`relations_path_for`; the same format), each through
    :func:`onething.outfiles.atomic_write` (an existing file only with ``force``). Import
    ``out`` first, then the relations (``registry import-relations``)."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "jsonl", "xlsx"):
        raise InvalidInput("--out", "", f"{out.name}: expected a .csv, .jsonl or .xlsx file")
    if size < 0:
        raise InvalidInput("--size", "", "must be at least 0")
    synth = Synthesiser(domains, region, seed)
    rel_path = None
    if synth.related.active:
        rel_path = Path(relations_out) if relations_out is not None else relations_path_for(out)
        rel_fmt = rel_path.suffix.lower().lstrip(".")
        if rel_fmt not in ("csv", "jsonl", "xlsx"):
            raise InvalidInput(
                "--relations-out", "", f"{rel_path.name}: expected a .csv, .jsonl or .xlsx file"
            )
        if rel_path.resolve() == out.resolve():
            raise InvalidInput("--relations-out", "", "the same file as --out")
    protected = [*protected]
    written = Written(0, 0, 0, rel_path)
    sinks: list[_Sink] = []
    error: BaseException | None = None
    try:
        sinks.append(
            _Sink(out, fmt, COLUMNS, "registry", option="--out", force=force, protected=protected)
        )
        if rel_path is not None:
            sinks.append(
                _Sink(
                    rel_path,
                    rel_fmt,
                    RELATION_COLUMNS,
                    "relations",
                    option="--relations-out",
                    force=force,
                    protected=[*protected, out],
                )
            )
        for rows, drawn in synth.draw(size):
            sinks[0].write(rows)
            sinks[0].write(drawn.objects)
            if rel_path is not None:
                sinks[1].write(drawn.relations)
            written.businesses += len(rows)
            written.objects += len(rows) + len(drawn.objects)
            written.relations += len(drawn.relations)
            if progress:
                progress(written.businesses, size)
    except BaseException as exc:
        error = exc
        raise
    finally:
        for sink in reversed(sinks):
            sink.close(error)
    return written
