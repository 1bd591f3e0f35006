"""The plugin manager: discover domain plugins, enable those the deployment names, and give
core one typed method per hook.

Build one with :func:`enable`; tests and hosts build their own (there is no global manager).
Discovery reads the entry-point group ``onething.domains``; pass ``entry_points`` to use others
(tests fake discovery that way instead of installing packages).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from importlib import metadata
from typing import Any

import attrs
import pluggy
from attrs import frozen

from . import hookspecs, rule_lists, schemas
from ._markers import PROJECT
from .errors import InvalidInput, OnethingError, PluginError
from .i18n import _
from .model import DomainDescription, Item, LoopExtension, SupervisedObject, converter
from .schemas import validated

#: The version of the contract in ``onething.hookspecs``; a plugin declares the version it was
#: written against as ``ONETHING_API`` in its module. Bumped only on breaking changes.
API_VERSION = 1
ENTRY_POINT_GROUP = "onething.domains"


@frozen
class PluginInfo:
    """An installed domain plugin: entry-point name (= domain code), distribution, version."""

    name: str
    dist: str
    version: str
    value: str
    """The entry point's target, ``module:attribute``."""


#: ``(name, version)`` of a distribution by its metadata folder: reading them parses the whole
#: METADATA file each time, and a start asks once per plugin and enable. (An upgrade installs
#: another folder, so a long-running process never reads a stale version.)
_dists: dict[str, tuple[str, str]] = {}


def _dist_of(ep: metadata.EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ("(not installed)", "0+unknown")
    folder = str(getattr(dist, "_path", "")) or None
    if folder is None or folder not in _dists:
        found = (dist.metadata["Name"], dist.version)
        if folder is None:
            return found
        _dists[folder] = found
    return _dists[folder]


def discover(entry_points: Iterable[metadata.EntryPoint] | None = None) -> dict[str, PluginInfo]:
    """Every installed domain plugin by name, without importing any of them.

    :raises PluginError: when two distributions claim one domain code.
    """
    if entry_points is None:
        entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    found: dict[str, list[metadata.EntryPoint]] = {}
    for ep in entry_points:
        found.setdefault(ep.name, []).append(ep)
    out = {}
    for name, eps in sorted(found.items()):
        if len({ep.value for ep in eps}) > 1:
            claims = ", ".join(f"{_dist_of(ep)[0]} ({ep.value})" for ep in eps)
            raise PluginError(
                _(
                    f"两个插件声明了同一领域代码 {name!r}：{claims}",
                    f"two plugins claim the domain code {name!r}: {claims}",
                )
            )
        dist, version = _dist_of(eps[0])
        out[name] = PluginInfo(name=name, dist=dist, version=version, value=eps[0].value)
    return out


def _entry_points(entry_points: Iterable[metadata.EntryPoint] | None) -> dict[str, Any]:
    if entry_points is None:
        entry_points = metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {ep.name: ep for ep in entry_points}


def _load(ep: metadata.EntryPoint) -> object:
    try:
        obj = ep.load()
        module = importlib.import_module(ep.module)
    except Exception as exc:  # a broken plugin must not take the process down unexplained
        raise PluginError(
            _(
                f"插件 {ep.name!r}（{ep.value}）导入失败：{exc!r}",
                f"plugin {ep.name!r} ({ep.value}) failed to import: {exc!r}",
            )
        ) from exc
    api = getattr(module, "ONETHING_API", None)
    if api != API_VERSION:
        raise PluginError(
            _(
                f"插件 {ep.name!r}（{ep.value}）是为 onething API 版本 {api!r} 编写的，本核心为版本 "
                f"{API_VERSION}；按当前的 onething.hookspecs 移植后，在 {ep.module} 中声明 "
                f"ONETHING_API = {API_VERSION}",
                f"plugin {ep.name!r} ({ep.value}) was built for onething API version {api!r}, "
                f"this core speaks version {API_VERSION}; declare ONETHING_API = {API_VERSION} "
                f"in {ep.module} after porting it to the current onething.hookspecs",
            )
        )
    return obj


#: Set to ``1`` to have every hook call written to standard error: the hook, the plugins that
#: answered, how long they took and how many results came back (a plugin author's first look
#: at what core asks of a plugin, and when; after datasette's ``DATASETTE_TRACE_PLUGINS``).
TRACE_ENV = "ONETHING_TRACE_PLUGINS"


def make_plugin_manager() -> pluggy.PluginManager:
    """A fresh plugin manager holding only the contract (tracing its calls when
    :data:`TRACE_ENV` is set)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV, "") not in ("", "0"):
        _trace(pm)
    return pm


def _trace(pm: pluggy.PluginManager) -> None:
    started: list[float] = []

    def before(hook: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        started.append(time.perf_counter())

    def after(
        outcome: pluggy.Result[Any],
        hook: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, Any],
    ) -> None:
        ms = (time.perf_counter() - started.pop()) * 1000
        plugins = ", ".join(i.plugin_name for i in impls) or _("（无）", "(none)")
        if outcome.exception is not None:
            result = _(f"出错：{outcome.exception!r}", f"raised {outcome.exception!r}")
        else:
            got = outcome.get_result()  # one answer per plugin (a list) unless firstresult
            n = sum(_size(r) for r in got) if isinstance(got, list) else _size(got)
            result = _(f"{n} 个结果", f"{n} result(s)")
        args = ", ".join(f"{k}={v!r}"[:60] for k, v in kwargs.items())
        print(
            _(
                f"[插件调用] {hook}({args}) ← {plugins}：{ms:.1f} 毫秒，{result}",
                f"[plugin call] {hook}({args}) <- {plugins}: {ms:.1f} ms, {result}",
            ),
            file=sys.stderr,
        )

    pm.add_hookcall_monitoring(before, after)


def _size(answer: Any) -> int:
    """How many things one plugin's answer holds: a list's length, one, or none."""
    if answer is None:
        return 0
    return len(answer) if isinstance(answer, list | tuple | dict) else 1


def enable(
    names: Sequence[str],
    *,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
) -> Domains:
    """Enable exactly the domain plugins ``names`` (the deployment's ``domains``).

    Plugins that are installed but not named are not even imported.

    :raises PluginError: for an unknown name (listing the installed ones), two plugins claiming
        one domain code, a plugin built for another contract version, a hook implementation
        not in the contract or with arguments the specification lacks, a description whose
        code differs from the entry-point name, or plugin data that fails its schema.
    """
    eps = list(entry_points) if entry_points is not None else None
    installed = discover(eps)
    unknown = [n for n in names if n not in installed]
    if unknown:
        raise PluginError(
            _(
                f"未知的领域插件 {'、'.join(map(repr, unknown))}：拼写错误或未安装；"
                f"已安装：{'、'.join(installed) or '（无）'}",
                f"unknown domain plugin(s) {', '.join(map(repr, unknown))}: misspelled or not "
                f"installed; installed: {', '.join(installed) or '(none)'}",
            )
        )
    by_name = _entry_points(eps)
    pm = make_plugin_manager()
    for name in dict.fromkeys(names):
        obj = _load(by_name[name])
        try:
            pm.register(obj, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                _(
                    f"插件 {name!r} 不符合契约：{exc}",
                    f"plugin {name!r} does not honour the contract: {exc}",
                )
            ) from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            _(
                f"插件 {pm.get_name(exc.plugin)!r} 实现了 onething.hookspecs 中没有的钩子："
                f"{exc}；契约的钩子为：{'、'.join(hook_names())}",
                f"plugin {pm.get_name(exc.plugin)!r} implements a hook that is not in "
                f"onething.hookspecs: {exc}; the contract's hooks are: {', '.join(hook_names())}",
            )
        ) from exc
    domains = Domains(pm, {n: installed[n] for n in dict.fromkeys(names)})
    try:
        for name in domains.names:
            domains.rules(name)  # validate every plugin's data now, not at first use
    finally:
        validated.save()  # the passes, also of the plugins before one that failed
    from .registry.kinds import object_kinds, relation_types
    from .registry.through import check_over, check_through

    try:  # object kinds and relation types agree across the enabled plugins
        check_through(domains, object_kinds(domains), relation_types(domains))
        check_over(domains, relation_types(domains))
    except InvalidInput as exc:
        raise PluginError(str(exc)) from exc
    return domains


def hook_names() -> list[str]:
    """Names of every hook specification in the contract."""
    return sorted(n for n in dir(hookspecs) if n.startswith(f"{PROJECT}_"))


@frozen
class DomainRules:
    """Everything one enabled domain contributes, validated: its description, its loop
    extension and one tuple per kind of :data:`~onething.rule_lists.RULE_LISTS`, read as an
    attribute named by the kind's ``field`` (``rules.items``, ``rules.sanctions`` …)."""

    info: PluginInfo
    description: DomainDescription
    loop: LoopExtension | None
    lists: Mapping[str, tuple[Any, ...]]
    """Entries by rule-list field."""

    def replace(self, **changes: Any) -> DomainRules:
        """A copy with some fields or rule lists changed (``attrs.evolve`` for rule lists)."""
        lists = {k: tuple(changes.pop(k)) for k in list(changes) if k in self.lists}
        return attrs.evolve(self, lists={**self.lists, **lists}, **changes)

    def __getattr__(self, name: str) -> tuple[Any, ...]:
        if name != "lists":  # not yet set while attrs builds or unpickles the instance
            try:
                return self.lists[name]
            except KeyError:
                pass
        raise AttributeError(
            f"DomainRules has no {name!r}; rule lists: {', '.join(self.lists or ())}"
            if name != "lists"
            else name
        )


class Domains:
    """The typed facade over the enabled plugins: core calls hooks only through it."""

    def __init__(self, pm: pluggy.PluginManager, infos: Mapping[str, PluginInfo]):
        self.pm = pm
        self.infos = dict(infos)
        self._rules: dict[str, DomainRules] = {}

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def __contains__(self, name: object) -> bool:
        return name in self.infos

    @cached_property
    def _callers(self) -> dict[tuple[str, str], pluggy.HookCaller]:
        plugins = {name: self.pm.get_plugin(name) for name in self.names}
        out = {}
        for hook in hook_names():
            for name in self.names:
                others = [p for n, p in plugins.items() if n != name]
                out[(name, hook)] = self.pm.subset_hook_caller(hook, remove_plugins=others)
        return out

    def implements(self, name: str, hook: str) -> bool:
        """Whether plugin ``name`` implements ``hook`` itself."""
        return any(impl.plugin_name == name for impl in getattr(self.pm.hook, hook).get_hookimpls())

    def call(self, name: str, hook: str, **kwargs: Any) -> list[Any]:
        """Call one plugin's implementations of ``hook``; a plugin error names the plugin."""
        caller = self._callers[(name, hook)]
        try:
            result = caller(**kwargs)
        except OnethingError as exc:
            raise PluginError(_(f"插件 {name!r}：{exc}", f"plugin {name!r}: {exc}")) from exc
        return [result] if caller.spec and caller.spec.opts.get("firstresult") else list(result)

    def _checked(
        self, name: str, hook: str, definition: str, model: type, values: Sequence[Any]
    ) -> tuple[Any, ...]:
        """``values`` (what ``hook`` of plugin ``name`` returned), each checked to be a
        ``model`` of this domain valid against ``plugin-data#/$defs/<definition>``. The schema
        check of values whose pass is in the record of :mod:`onething.schemas.validated` is
        skipped (the same values, so the same outcome)."""
        where = _(f"插件 {name!r} 的 {hook}", f"plugin {name!r} {hook}")
        for value in values:
            if not isinstance(value, model):
                raise PluginError(
                    _(
                        f"{where} 返回了 {type(value).__name__}，应为 {model.__name__}",
                        f"{where} returned {type(value).__name__}, expected {model.__name__}",
                    )
                )
            domain = getattr(value, "domain", name)
            if domain != name:
                raise PluginError(
                    _(
                        f"{where} 为领域 {domain!r} 返回了 {value!r:.80}",
                        f"{where} returned {value!r:.80} for domain {domain!r}",
                    )
                )
        # The content of the key is the values' repr: attrs names the class and every field
        # (the models hide none), and it costs half of unstructuring them for JSON.
        k = validated.key(
            f"plugin-data#{definition}", self.infos[name].version, repr(list(values)).encode()
        )
        if validated.recorded(k) is validated.MISSING:
            try:
                for v in values:
                    data = converter.unstructure(v)
                    schemas.check(data, "plugin-data", location=where, definition=definition)
            except InvalidInput as exc:
                raise PluginError(str(exc)) from exc
            validated.add(k)
        return tuple(values)

    def rules(self, name: str) -> DomainRules:
        """Everything plugin ``name`` contributes, validated against the schemas and checked for
        consistency (see :mod:`onething.integrity`); cached."""
        if name in self._rules:
            return self._rules[name]
        from .integrity import problems  # integrity reads DomainRules; import late

        (description,) = self.call(name, "onething_describe_domain") or [None]
        (description,) = self._checked(
            name, "onething_describe_domain", "domain", DomainDescription, [description]
        )
        if description.code != name:
            raise PluginError(
                _(
                    f"插件 {name!r} 描述的是领域 {description.code!r}：入口点名称与领域代码必须相同",
                    f"plugin {name!r} describes domain {description.code!r}: the entry-point name "
                    f"and the domain code must be the same",
                )
            )
        lists = {
            kind.field: self._checked(
                name,
                kind.hook,
                kind.definition,
                kind.model,
                [v for result in self.call(name, kind.hook) for v in result],
            )
            for kind in rule_lists.RULE_LISTS
        }
        loops = [x for x in self.call(name, "onething_extend_loop") if x is not None]
        loop = None
        if loops:
            (loop,) = self._checked(
                name, "onething_extend_loop", "loop_extension", LoopExtension, loops[:1]
            )
        rules = DomainRules(info=self.infos[name], description=description, loop=loop, lists=lists)
        found = problems(rules)
        if found:
            raise PluginError(
                _(f"插件 {name!r} 的数据不一致：", f"plugin {name!r} data is inconsistent:")
                + "\n  "
                + "\n  ".join(found)
            )
        self._rules[name] = rules
        return rules

    def match_items(
        self,
        name: str,
        objects: Sequence[SupervisedObject],
        items: Sequence[Item],
        on: dt.date,
        rulebook: Any = None,
    ) -> set[tuple[str, str]]:
        """Applicable ``(object key, item code)`` pairs for a batch of one domain's objects;
        ``rulebook`` (the deployment's) lets the plugin read parameters with city overrides."""
        from .applicability import match_by_data

        if not self.implements(name, "onething_match_items"):
            return set(match_by_data(name, objects, items))
        codes = {i.code for i in items}
        keys = {o.key for o in objects}
        pairs = set()
        results = self.call(
            name, "onething_match_items", objects=objects, items=items, on=on, rulebook=rulebook
        )
        for result in results:
            for key, code in result:
                if key not in keys or code not in codes:
                    raise PluginError(
                        _(
                            f"插件 {name!r} 的 onething_match_items 返回了 ({key!r}, {code!r})，"
                            "其中的对象或事项不在本批中",
                            f"plugin {name!r} onething_match_items returned ({key!r}, {code!r}), "
                            f"which names an object or item not in the batch",
                        )
                    )
                pairs.add((key, code))
        return pairs

    def synth_attributes(
        self, name: str, objects: Sequence[SupervisedObject], seed: int
    ) -> list[dict[str, Any]]:
        """Synthetic domain attributes for a batch, one dict per object."""
        results = self.call(name, "onething_synth_attributes", objects=objects, seed=seed)
        result = list(results[0]) if results else [{} for _obj in objects]
        if len(result) != len(objects):
            raise PluginError(
                _(
                    f"插件 {name!r} 的 onething_synth_attributes 为 {len(objects)} 个对象返回了 "
                    f"{len(result)} 组属性",
                    f"plugin {name!r} onething_synth_attributes returned {len(result)} attribute "
                    f"sets for {len(objects)} objects",
                )
            )
        return result
