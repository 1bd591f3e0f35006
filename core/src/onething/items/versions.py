"""The dated item list: every version of every item of the enabled domains, the city layer
applied; the list in force on a day, and the difference between two days.

Versions are never overwritten: a change is a new version with new dates
(``effective_from`` inclusive, ``effective_to`` exclusive). A city layer may add local items
(``[[extension.item]]``, add only) and disable provincial ones (``[[disable]]``, with a reason);
a disabled item stays in the domain's list, marked, and leaves the unified list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..config import Deployment
from ..departments import departments, unknown_department
from ..errors import InvalidInput, not_enabled
from ..i18n import _
from ..model import Item, converter, in_force
from ..model.dated import ends_before_start, overlapping_pairs
from .model import FieldChange, ItemChange, ListedItem

#: Fields compared by :func:`diff`, in the order of the official table.
DIFF_FIELDS = (
    "name_zh",
    "name_en",
    "basis",
    "departments",
    "object_types",
    "measures",
    "stage",
    "modes",
    "levels",
    "related",
    "condition",
)


def version_problems(items: Iterable[Item], where=lambda i: i.source or i.code) -> list[str]:
    """Dates that end before they start, and versions of one code that overlap."""
    items = list(items)
    out = [
        f"{where(i)}: item {i.code} effective_to {i.effective_to} is not after "
        f"effective_from {i.effective_from}"
        for i in ends_before_start(items)
    ]
    by_code: dict[str, list[Item]] = defaultdict(list)
    for i in items:
        by_code[i.code].append(i)
    for code, vs in by_code.items():
        out += [
            f"{where(b)}: item {code}: versions from {a.effective_from} and "
            f"{b.effective_from} overlap"
            for a, b in overlapping_pairs(vs)
        ]
    return out


class ItemCatalog:
    """Every item version of a deployment's enabled domains, city layer applied.

    ``ItemCatalog(rulebook)`` or ``ItemCatalog.of(app)``; the rulebook supplies the plugin items,
    ``rulebook.deployment`` the city layer.
    """

    def __init__(self, rulebook, deployment: Deployment | None = None):
        self.rulebook = rulebook
        self.deployment = deployment if deployment is not None else rulebook.deployment
        self.domains: list[str] = list(rulebook.domains.names)
        plugin = [i for d in self.domains for i in rulebook.rules(d).items]
        self._versions: list[ListedItem] = [ListedItem(i, "plugin", (i.domain,)) for i in plugin]
        self._disables = []
        if self.deployment is not None:
            self._apply_layer(plugin)

    @classmethod
    def of(cls, app) -> ItemCatalog:
        return cls(app.rulebook, app.deployment)

    def _apply_layer(self, plugin: Sequence[Item]) -> None:
        dep = self.deployment
        codes = {i.code for i in plugin}
        known = set(departments())
        added = []
        for ext in dep.item_extensions:
            item = ext.item
            if item.domain not in self.domains:
                raise InvalidInput(
                    ext.source,
                    "domain",
                    not_enabled(item.domain, self.domains),
                )
            if not item.code.startswith(f"{item.domain}."):
                raise InvalidInput(
                    ext.source,
                    "code",
                    _(
                        f"事项编码应为 {item.domain}.<nnn>，得到 {item.code!r}",
                        f"item code must be {item.domain}.<nnn>, got {item.code!r}",
                    ),
                )
            if item.code in codes:
                raise InvalidInput(
                    ext.source,
                    "code",
                    _(
                        f"事项 {item.code} 已存在于插件 {item.domain!r}；扩展只能新增"
                        "（用 [[disable]] 停用它，再以新编码新增本地事项）",
                        f"item {item.code} already exists in plugin {item.domain!r}; an extension "
                        f"may only add (disable it with [[disable]] and add a local item with a "
                        f"new code)",
                    ),
                )
            for k, d in enumerate(item.departments):
                if d not in known:
                    raise InvalidInput(
                        ext.source,
                        f"departments[{k}]",
                        unknown_department(d),
                    )
            added.append(ListedItem(item, "extension", (item.domain,), reason=ext.reason))
        problems = version_problems([a.item for a in added])
        if problems:
            raise InvalidInput(str(dep.path or "config"), "extension.item", "; ".join(problems))
        for dis in dep.item_disables:
            if dis.code not in codes:
                raise InvalidInput(
                    dis.source,
                    "code",
                    _(
                        f"已启用的领域中没有可停用的省级事项 {dis.code!r}",
                        f"no provincial item {dis.code!r} to disable in the enabled domains",
                    ),
                )
        self._disables = list(dep.item_disables)
        self._versions += added

    # -- queries ------------------------------------------------------------------------------

    def _disabled(self, code: str, on: dt.date) -> str | None:
        for dis in self._disables:
            if (
                dis.code == code
                and dis.effective_from <= on
                and (dis.effective_to is None or on < dis.effective_to)
            ):
                return dis.reason
        return None

    def versions(self, domain: str | None = None) -> list[ListedItem]:
        """Every version, in domain order then code then date."""
        order = {d: n for n, d in enumerate(self.domains)}
        rows = [v for v in self._versions if domain is None or v.item.domain == domain]
        return sorted(rows, key=lambda v: (order[v.item.domain], v.code, v.item.effective_from))

    def at(
        self, on: dt.date, domain: str | None = None, *, include_disabled: bool = True
    ) -> list[ListedItem]:
        """The list in force on ``on``; disabled provincial items are kept, marked, unless
        ``include_disabled`` is false."""
        if domain is not None and domain not in self.domains:
            raise InvalidInput(
                "--domain",
                "",
                not_enabled(domain, self.domains),
            )
        out = []
        for v in self.versions(domain):
            if not in_force(v.item, on):
                continue
            reason = self._disabled(v.code, on) if v.layer == "plugin" else None
            if reason is not None:
                if not include_disabled:
                    continue
                v = ListedItem(v.item, v.layer, v.domains, v.merged, v.reason, reason)
            out.append(v)
        return out

    def diff(self, old: dt.date, new: dt.date, domain: str | None = None) -> list[ItemChange]:
        """What changed between the list in force on ``old`` and on ``new`` (city layer
        applied; a disabled item counts as absent)."""
        return diff(
            self.at(old, domain, include_disabled=False),
            self.at(new, domain, include_disabled=False),
        )


def _plain(item: Item, name: str):
    return converter.unstructure(getattr(item, name))


def diff(old: Sequence[ListedItem], new: Sequence[ListedItem]) -> list[ItemChange]:
    """Added, removed and changed items (by code) from one list to another."""
    a = {v.code: v.item for v in old}
    b = {v.code: v.item for v in new}
    out = []
    for code in sorted(a.keys() | b.keys()):
        if code not in a:
            out.append(ItemChange(code, "added", b[code].name_zh))
        elif code not in b:
            out.append(ItemChange(code, "removed", a[code].name_zh))
        else:
            changes = [
                FieldChange(f, _plain(a[code], f), _plain(b[code], f))
                for f in DIFF_FIELDS
                if getattr(a[code], f) != getattr(b[code], f)
            ]
            if changes:
                out.append(ItemChange(code, "changed", b[code].name_zh, changes))
    return out
