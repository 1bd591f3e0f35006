"""The rulebook: everything in force on a day, city layer applied, each with provenance.

Engines read rules only from here; they never call a plugin or read a data file themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

from attrs import field, frozen

from .config import Deployment, Extension, Override
from .core_parameters import CORE, core_parameters, core_version
from .errors import InvalidInput, NotInForce, not_enabled
from .i18n import _
from .items.versions import ItemCatalog
from .model import (
    Basis,
    Element,
    Item,
    Parameter,
    ParameterValue,
    Provenance,
    RiskRule,
    Scalar,
    in_force,
    version_on,
)
from .model.fields import as_tuple
from .plugins import DomainRules, Domains


@frozen
class ParameterInForce:
    """A parameter's value on one day, and why."""

    domain: str
    name: str
    label_zh: str
    label_en: str
    value: Scalar
    unit: str
    basis: tuple[Basis, ...] = field(converter=as_tuple)
    status: str
    effective_from: dt.date
    effective_to: dt.date | None
    reviewed: dt.date
    provenance: Provenance
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The documented JSON form (``onething params --format json``)."""
        from .model import converter

        return {
            "domain": self.domain,
            "name": self.name,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "value": self.value,
            "unit": self.unit,
            "basis": [converter.unstructure(b) for b in self.basis],
            "status": self.status,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "reviewed": self.reviewed.isoformat(),
            "layer": self.provenance.layer,
            "plugin": self.provenance.plugin,
            "plugin_version": self.provenance.plugin_version,
            "source": self.provenance.source,
            "reason": self.provenance.reason,
            "note": self.note,
        }


class Rulebook:
    """Rules of the enabled domains with the deployment's city layer applied."""

    def __init__(self, domains: Domains, deployment: Deployment | None = None):
        self.domains = domains
        self.deployment = deployment
        self._params: dict[tuple[str, str], Parameter] = {}
        self._origin: dict[tuple[str, str], Extension | None] = {}
        self._overrides: dict[tuple[str, str], list[Override]] = {}
        for p in core_parameters():
            self._params[(CORE, p.name)] = p
            self._origin[(CORE, p.name)] = None
        for name in domains.names:
            for p in self.rules(name).parameters:
                self._params[(name, p.name)] = p
                self._origin[(name, p.name)] = None
        if deployment is not None:
            self._apply_layer(deployment)

    # -- city layer ---------------------------------------------------------------------------

    def _apply_layer(self, deployment: Deployment) -> None:
        label = str(deployment.path or "config")
        for ext in deployment.extensions:
            p = ext.parameter
            if p.domain not in self.domains and p.domain != CORE:
                raise InvalidInput(
                    ext.source,
                    "domain",
                    _(
                        f"领域 {p.domain!r} 未在 {label} 中启用",
                        f"domain {p.domain!r} is not enabled in {label}",
                    ),
                )
            if (p.domain, p.name) in self._params:
                raise InvalidInput(
                    ext.source,
                    "name",
                    _(
                        f"参数 {p.domain}.{p.name} 已存在；扩展只能新增（修改取值请用 [[override]]）",
                        f"parameter {p.domain}.{p.name} already exists; an extension may only "
                        f"add (change a value with [[override]])",
                    ),
                )
            for k, v in enumerate(p.values):
                _check_value(p, v.value, ext.source, f"values[{k}].value")
            self._params[(p.domain, p.name)] = p
            self._origin[(p.domain, p.name)] = ext
        for o in deployment.overrides:
            key = (o.domain, o.parameter)
            if key not in self._params:
                known = sorted(n for d, n in self._params if d == o.domain)
                raise InvalidInput(
                    o.source or label,
                    "parameter",
                    _(
                        f"领域 {o.domain!r} 中没有可覆盖的参数 {o.parameter!r}"
                        + (f"；已有：{'、'.join(known)}" if known else "（领域未启用）"),
                        f"no parameter {o.parameter!r} in domain {o.domain!r} to override"
                        + (f"; known: {', '.join(known)}" if known else " (domain not enabled)"),
                    ),
                )
            _check_value(self._params[key], o.value, o.source or label, "value")
            self._overrides.setdefault(key, []).append(o)

    # -- per domain ---------------------------------------------------------------------------

    def rules(self, domain: str) -> DomainRules:
        return self.domains.rules(domain)

    def _domains(self, domain: str | None) -> list[str]:
        if domain is None:
            return self.domains.names
        if domain not in self.domains and domain != CORE:
            raise InvalidInput(
                "--domain",
                "",
                not_enabled(domain, self.domains.names),
            )
        return [domain]

    def _provenance(
        self, domain: str, rule_id: str, basis: Iterable[Basis], source: str | None
    ) -> Provenance:
        if domain == CORE:
            plugin, version = "onething", core_version()
        else:
            info = self.rules(domain).info
            plugin, version = info.name, info.version
        return Provenance(
            plugin=plugin,
            plugin_version=version,
            rule_id=rule_id,
            basis=tuple(basis),
            source=source,
        )

    # -- parameters ---------------------------------------------------------------------------

    def parameter_names(self, domain: str | None = None) -> list[tuple[str, str]]:
        """``(domain, name)`` of every parameter; core's own are under domain ``core``."""
        wanted = {CORE, *self._domains(None)} if domain is None else set(self._domains(domain))
        return sorted(k for k in self._params if k[0] in wanted)

    def parameter(self, domain: str, name: str, on: dt.date) -> ParameterInForce:
        """The value of a parameter on day ``on``.

        :raises NotInForce: when no value covers that day (never a silent default).
        :raises InvalidInput: when the parameter does not exist.
        """
        key = (domain, name)
        if key not in self._params:
            known = ", ".join(n for d, n in self.parameter_names(domain) if d == domain)
            raise InvalidInput(
                "parameter",
                f"{domain}.{name}",
                _(f"没有这个参数；已有：{known}", f"no such parameter; known: {known}"),
            )
        param = self._params[key]
        override = version_on(reversed(self._overrides.get(key, [])), on)  # the last layer wins
        if override is not None:
            return self._in_force_override(param, override)
        value = version_on(param.values, on)
        if value is not None:
            return self._in_force_value(param, value)
        spans = ", ".join(f"{v.effective_from}–{v.effective_to or ''}" for v in param.values)
        raise NotInForce(
            f"parameter {domain}.{name} has no value in force on {on} (values: {spans})"
        )

    def unit(self, domain: str, name: str) -> str:
        """The unit of a parameter (the same on every day)."""
        return self._params[(domain, name)].unit

    def value(self, domain: str, name: str, on: dt.date) -> Scalar:
        return self.parameter(domain, name, on).value

    def parameters(self, on: dt.date, domain: str | None = None) -> list[ParameterInForce]:
        """Every parameter in force on ``on`` (those with no value that day are left out;
        :meth:`parameter` raises for them)."""
        out = []
        for d, n in self.parameter_names(domain):
            try:
                out.append(self.parameter(d, n, on))
            except NotInForce:
                continue
        return out

    def parameter_versions(self, domain: str | None = None) -> Iterator[ParameterInForce]:
        """Every dated value of every parameter, overrides included, for review listings."""
        for d, n in self.parameter_names(domain):
            param = self._params[(d, n)]
            for v in param.values:
                yield self._in_force_value(param, v)
            for o in self._overrides.get((d, n), []):
                yield self._in_force_override(param, o)

    def _in_force_value(self, param: Parameter, v: ParameterValue) -> ParameterInForce:
        ext = self._origin[(param.domain, param.name)]
        prov = self._provenance(param.domain, param.name, v.basis, param.source)
        if ext is not None:
            prov = Provenance(
                plugin="config",
                plugin_version="",
                rule_id=param.name,
                basis=v.basis,
                layer="extension",
                source=ext.source,
                reason=ext.reason,
            )
        return ParameterInForce(
            domain=param.domain,
            name=param.name,
            label_zh=param.label_zh,
            label_en=param.label_en,
            value=v.value,
            unit=param.unit,
            basis=v.basis,
            status=v.status,
            effective_from=v.effective_from,
            effective_to=v.effective_to,
            reviewed=v.reviewed,
            provenance=prov,
            note=v.note,
        )

    def _in_force_override(self, param: Parameter, o: Override) -> ParameterInForce:
        return ParameterInForce(
            domain=param.domain,
            name=param.name,
            label_zh=param.label_zh,
            label_en=param.label_en,
            value=o.value,
            unit=param.unit,
            basis=o.basis,
            status=o.status,
            effective_from=o.effective_from,
            effective_to=o.effective_to,
            reviewed=o.reviewed,
            provenance=Provenance(
                plugin="config",
                plugin_version="",
                rule_id=param.name,
                basis=o.basis,
                layer="override",
                source=o.source,
                reason=o.reason,
            ),
            note=o.note,
        )

    # -- items, elements, rules ---------------------------------------------------------------

    @cached_property
    def catalog(self) -> ItemCatalog:
        """Every item version with the city layer (local items, disabled items) applied."""
        return ItemCatalog(self)

    def items(self, on: dt.date, domain: str | None = None) -> list[Item]:
        """Items in force on ``on``: the plugins' plus the city's local ones, less those the
        city disabled."""
        self._domains(domain)  # an unknown or disabled domain is an error
        return [v.item for v in self.catalog.at(on, domain, include_disabled=False)]

    def elements(self, on: dt.date, domain: str | None = None) -> list[Element]:
        return [e for d in self._domains(domain) for e in self.rules(d).elements if in_force(e, on)]

    def risk_rules(self, on: dt.date, domain: str | None = None) -> list[RiskRule]:
        return [
            r for d in self._domains(domain) for r in self.rules(d).risk_rules if in_force(r, on)
        ]

    def provenance_of(self, rule: Item | Element | RiskRule) -> Provenance:
        rule_id = rule.id if isinstance(rule, RiskRule) else rule.code
        return self._provenance(rule.domain, rule_id, rule.basis, rule.source)


def rulebook_of(app_or_rulebook: Any) -> Rulebook:
    """The rulebook of an :class:`~onething.Onething` app, or ``app_or_rulebook`` itself when
    it is a :class:`Rulebook` (the engines take either)."""
    if isinstance(app_or_rulebook, Rulebook):
        return app_or_rulebook
    rulebook: Rulebook = app_or_rulebook.rulebook
    return rulebook


def _check_value(param: Parameter, value: object, location: str, path: str) -> None:
    """A city layer's value must fit the parameter's unit (a ratio in [0, 1], never NaN or
    infinite), and a sampling ratio is never 0: that would exempt objects from every check."""
    from .integrity import value_fits_unit

    if not value_fits_unit(param.unit, value):
        raise InvalidInput(
            location,
            path,
            _(
                f"{value!r} 不符合参数 {param.name} 的单位 {param.unit!r}"
                + ("（比例须在 0 到 1 之间）" if param.unit == "ratio" else ""),
                f"{value!r} does not fit unit {param.unit!r} of {param.name}",
            ),
        )
    if param.name.split(".")[0] == "sampling_ratio" and value == 0:
        raise InvalidInput(
            location,
            path,
            _(
                "抽查比例为 0 将使对象免于一切检查",
                "a sampling ratio of 0 would exempt objects from all checks",
            ),
        )
