"""DataDomain: a domain plugin whose rules are data files, with no code needed.

A plugin package ships ``data/*.toml`` files and registers one ``DataDomain`` in the
``onething.domains`` entry-point group::

    # onething_catering/__init__.py
    from onething import DataDomain
    ONETHING_API = 1
    plugin = DataDomain(__name__)

    # pyproject.toml
    [project.entry-points."onething.domains"]
    catering = "onething_catering:plugin"

Files (each optional but ``domain.toml``), validated by ``plugin-data.schema.json``:

==========================  ==========================  ===============================
file                        top-level array             hook it feeds
==========================  ==========================  ===============================
``domain.toml``             (a table)                   ``onething_describe_domain``
``attributes.schema.json``  (a JSON Schema)             the description's attribute schema
``items.toml``              ``[[item]]``                ``onething_list_items``
``elements.toml``           ``[[element]]``             ``onething_list_elements``
``parameters.toml``         ``[[parameter]]``           ``onething_list_parameters``
``risk_rules.toml``         ``[[rule]]``                ``onething_list_risk_rules``
``merge.toml``              ``[[constraint]]``          ``onething_list_merge_constraints``
``loop.toml``               ``[[state]]``, ``[[transition]]``  ``onething_extend_loop``
``sanctions.toml``          ``[[measure]]``             ``onething_list_sanctions``
``publication.toml``        ``[[rule]]``                ``onething_list_publication_rules``
==========================  ==========================  ===============================

The rule-list rows come from :data:`onething.rule_lists.RULE_LISTS`: each kind there gets its
``onething_list_*`` implementation here without a method written by hand.
Entries do not repeat ``domain``: it is taken from ``domain.toml``. Subclass ``DataDomain``
and add ``@hookimpl`` methods for logic data cannot express (applicability from attributes,
synthetic attributes beyond :attr:`DataDomain.synth_by_type`).
"""

from __future__ import annotations

import json
import random
import tomllib
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from typing import Any, ClassVar

from . import rule_lists, schemas
from ._markers import hookimpl
from .errors import InvalidInput
from .i18n import _
from .model import DomainDescription, Element, LoopExtension, SupervisedObject, converter
from .schemas import validated
from .tables import not_json


def _kinds() -> dict[str, rule_lists.RuleList]:
    """The rule lists by hook name (read at call time: the table is the one source)."""
    return {r.hook: r for r in rule_lists.RULE_LISTS}


class DataDomain:
    """Implements the data hooks of the contract from a package's ``data/`` folder."""

    def __init__(self, package: str, data: str = "data"):
        self.package = package
        self.data_dir = data
        # One ``onething_list_*`` implementation per rule list, made from the table so none can
        # be forgotten; a subclass's own method of that name wins. (pluggy finds instance
        # attributes, not ``__getattr__``.)
        for hook, kind in _kinds().items():
            if not hasattr(type(self), hook):
                setattr(self, hook, hookimpl(self._implementation(kind)))

    def _implementation(self, kind: rule_lists.RuleList) -> Callable[[], Sequence[Any]]:
        def implementation() -> Sequence[Any]:
            return self.entries(kind.field)

        implementation.__name__ = kind.hook
        return implementation

    def __repr__(self) -> str:
        return f"DataDomain({self.package!r})"

    # -- loading ------------------------------------------------------------------------------

    def _file(self, name: str) -> Traversable:
        return resources.files(self.package).joinpath(self.data_dir, name)

    def _label(self, name: str) -> str:
        return f"{self.package}/{self.data_dir}/{name}"

    def _read_toml(self, name: str, text: str) -> dict[str, Any]:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(
                self._label(name), "", _(f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}")
            ) from exc

    @cached_property
    def _version(self) -> str:
        """The version of the distribution shipping the package ("" when not installed)."""
        try:
            return metadata.version(self.package.partition(".")[0])
        except metadata.PackageNotFoundError:
            return ""

    def _checked(self, name: str, definition: str) -> dict[str, Any] | None:
        """Data file ``name`` parsed and validated against ``plugin-data#/$defs/<definition>``
        (``None`` when the plugin has no such file). A file whose pass is in the record of
        :mod:`onething.schemas.validated` is neither parsed nor validated again."""
        file = self._file(name)
        if not file.is_file():
            return None
        toml_bytes = file.read_bytes()
        content = toml_bytes
        schema_file = self._file("attributes.schema.json") if definition == "domain" else None
        if schema_file is not None and schema_file.is_file():
            content += b"\0" + schema_file.read_bytes()
        else:
            schema_file = None
        k = validated.key(f"plugin-data#{definition}", self._version, content)
        data: dict[str, Any] | None = validated.recorded(k)
        if data is not validated.MISSING:
            return data
        raw = self._read_toml(name, toml_bytes.decode("utf-8"))
        if schema_file is not None:
            try:
                raw["attribute_schema"] = json.loads(schema_file.read_text("utf-8"))
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    self._label("attributes.schema.json"), "", not_json(str(exc))
                ) from exc
        data = schemas.check(raw, "plugin-data", location=self._label(name), definition=definition)
        validated.add(k, data)
        return data

    @cached_property
    def description(self) -> DomainDescription:
        name = "domain.toml"
        data = self._checked(name, "domain")
        if data is None:
            raise InvalidInput(
                self._label(name),
                "",
                _("缺失：每个领域插件都需要它", "missing: every domain plugin needs one"),
            )
        return converter.structure(data, DomainDescription)

    @property
    def code(self) -> str:
        return self.description.code

    def _entries(self, kind: rule_lists.RuleList) -> list[Any]:
        stem, key, model = kind.stem, kind.key, kind.model
        name = f"{stem}.toml"
        data = self._checked(name, f"{stem}_file")
        if data is None:
            return []
        out: list[Any] = []
        for index, entry in enumerate(data.get(key, [])):
            entry = {**entry, "domain": self.code, "source": f"{self._label(name)}#{key}[{index}]"}
            if model is Element:  # a check point no other domain shares is its own canonical
                entry.setdefault("canonical", entry["code"])
            out.append(converter.structure(entry, model))
        return out

    @cached_property
    def _cache(self) -> dict[str, list[Any]]:
        return {}

    def entries(self, field: str) -> list[Any]:
        """The entries of one rule list (``items``, ``parameters`` …) from its data file."""
        if field not in self._cache:
            kinds = {k.field: k for k in rule_lists.RULE_LISTS}
            if field not in kinds:
                raise KeyError(f"no rule list {field!r}; rule lists: {', '.join(kinds)}")
            self._cache[field] = self._entries(kinds[field])
        return self._cache[field]

    # -- hook implementations -----------------------------------------------------------------

    @hookimpl
    def onething_describe_domain(self) -> DomainDescription:
        return self.description

    @cached_property
    def _loop(self) -> LoopExtension | None:
        name = "loop.toml"
        data = self._checked(name, "loop_file")
        if data is None:
            return None
        return converter.structure(
            {
                "domain": self.code,
                "states": data.get("state", []),
                "transitions": data.get("transition", []),
                "source": self._label(name),
            },
            LoopExtension,
        )

    @hookimpl
    def onething_extend_loop(self) -> LoopExtension | None:
        return self._loop

    #: A plugin's own attribute drawers, by object type: an object gets the attributes of its
    #: first type listed here, drawn from a generator seeded by the seed and its key alone (the
    #: same object gets the same attributes in any batch), and none without such a type. Empty:
    #: the schema's ``enum``/``examples`` are drawn instead.
    synth_by_type: ClassVar[Mapping[str, Callable[[random.Random], dict[str, Any]]]] = {}

    @hookimpl
    def onething_synth_attributes(
        self, objects: Sequence[SupervisedObject], seed: int
    ) -> Sequence[dict[str, Any]]:
        """Draw by :attr:`synth_by_type`, or else each attribute of the schema that has an
        ``enum`` or ``examples``."""
        if self.synth_by_type:
            return [self._synth_by_type(obj, seed) for obj in objects]
        rng = random.Random(seed)
        props = self.description.attribute_schema.get("properties", {})
        out = []
        for _obj in objects:
            attrs: dict[str, Any] = {}
            for name, prop in props.items():
                choices = prop.get("enum") or prop.get("examples")
                if choices:
                    attrs[name] = rng.choice(choices)
            out.append(attrs)
        return out

    def _synth_by_type(self, obj: SupervisedObject, seed: int) -> dict[str, Any]:
        member = obj.domains.get(self.code)
        types = [t for t in (member.object_types if member else ()) if t in self.synth_by_type]
        if not types:
            return {}
        return self.synth_by_type[types[0]](random.Random(f"{self.code}:{seed}:{obj.key}"))
