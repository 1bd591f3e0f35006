"""The entry point for host platforms: one deployment, its plugins and its rulebook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Deployment, load_config
from .plugins import Domains, enable
from .rulebook import Rulebook

if TYPE_CHECKING:
    from .loop import Loop
    from .loop.inspections import RecordCases
    from .review import Review
    from .store import Store


class Onething:
    """A configured deployment. Build it with :meth:`from_config` (or from a ``Deployment``):

    >>> import datetime as dt
    >>> app = Onething.from_config("examples/liaocheng.toml")
    >>> app.rulebook.value("catering", "health_cert.validity", dt.date(2026, 3, 1))
    1
    >>> app.rulebook.unit("catering", "health_cert.validity")
    'year'
    """

    def __init__(
        self,
        deployment: Deployment,
        *,
        entry_points: Iterable[metadata.EntryPoint] | None = None,
    ):
        self.deployment = deployment
        self.domains: Domains = enable(deployment.domains, entry_points=entry_points)

    @classmethod
    def from_config(
        cls, path: str | Path, *, entry_points: Iterable[metadata.EntryPoint] | None = None
    ) -> Onething:
        return cls(load_config(path), entry_points=entry_points)

    @cached_property
    def rulebook(self) -> Rulebook:
        return Rulebook(self.domains, self.deployment)

    @cached_property
    def store(self) -> Store:
        """The deployment's database (``storage.url``); not migrated here: see ``db upgrade``.
        (SQLAlchemy is imported here, at first use, not with the module.)"""
        from .store import Store

        return Store(self.deployment.storage_url)

    def close(self) -> None:
        """Close the database connections this instance opened (none if it opened none)."""
        store = self.__dict__.pop("store", None)
        if store is not None:
            store.dispose()

    def add_record(
        self, data: Mapping[str, Any], *, case: int | None = None, at: dt.datetime | None = None
    ) -> RecordCases:
        """Store an inspection record (JSON-like mapping, ``record.schema.json``) and route its
        findings into the closed loop: :func:`onething.loop.add_inspection` on this
        deployment's store and rules. ``at``: when the loop records the cases opened or
        attached (default now; a host loading past records gives their time).
        :return: the record and the cases opened or attached."""
        from .loop.inspections import add_inspection

        return add_inspection(self.store, self.rulebook, self.loop, data, case=case, at=at)

    @cached_property
    def loop(self) -> Loop:
        """The closed loop of the rules (built once: states and transitions are data)."""
        from .loop import Loop

        return Loop(self.rulebook)

    def review(self, on: dt.date | None = None) -> Review:
        """What to look at again on ``on`` (default today): unconfirmed, unreviewed and
        unsourced verified values, outdated citations, elements that can never fail — what
        ``onething validate`` prints (see :mod:`onething.review`)."""
        from .review import review  # the checklist engine it reads imports the rulebook

        self.rulebook.catalog  # noqa: B018  (builds the city item layer: its errors first)
        return review(self.rulebook, on or dt.date.today(), self.deployment.review_max_age_days)
