"""Import into the registry: CSV, XLSX and JSON Lines, streamed in batches, validated row by
row, all-or-nothing by default, upserted by key with the history of changed rows.

The columns are documented in ``docs/registry.md``. Every rejected row is reported as
``file:row: field: reason``. The whole import — objects, their profiles, history — is
one transaction: with the default mode the first bad row leaves the store unchanged; with
``skip_invalid`` the good rows are stored and each bad one is written to the rejects file.

This module is the API and the orchestration; the rooms beside it do the work:
:mod:`~onething.registry.parsing` checks each row, :mod:`~onething.registry.workers` prepares
the batches (in worker processes for large files), :mod:`~onething.registry.writes` stores
them, :mod:`~onething.registry.rejects` writes the rejects file.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
from attrs import define, field, frozen

from ..errors import InvalidInput
from ..i18n import _
from ..outfiles import sqlite_file
from ..rulebook import rulebook_of
from ..store import Store
from . import personal, regions
from .mapping import Mapper
from .parsing import COLUMNS, GRADES, IGNORED, Checksum, RowError, RowParser, json_object
from .rejects import Rejects
from .sources import BATCH_SIZE, Source, batched
from .workers import Batch, Prepared, Preparer
from .writes import SQLITE_CACHE_KIB, finish_import, sqlite_cache, start_import, write_batch

__all__ = [
    "COLUMNS",
    "GRADES",
    "IGNORED",
    "PARALLEL_BYTES",
    "SQLITE_CACHE_KIB",
    "Checksum",
    "ImportOptions",
    "ImportReport",
    "RowError",
    "RowParser",
    "import_file",
    "import_objects",
]


@define
class ImportReport:
    """What one import did. ``flagged``/``rejections`` hold the first 1000 of each."""

    source: str
    format: str
    mode: str
    import_id: int | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    mapped: int = 0
    """Applicable (object, item) pairs of the inserted and changed objects."""
    flagged: list[tuple[str, str]] = field(factory=list)
    """``(file:row, key)`` of rows stored with a wrong uscc check character (tolerant mode)."""
    flagged_count: int = 0
    rejections: list[str] = field(factory=list)
    workers: int = 0
    """Worker processes that validated and mapped the rows (0: this process)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "mode": self.mode,
            "import_id": self.import_id,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "flagged": self.flagged_count,
            "flagged_rows": [{"row": r, "key": k} for r, k in self.flagged],
            "mapped": self.mapped,
            "workers": self.workers,
        }


@frozen(kw_only=True)
class ImportOptions:
    """How an import runs: the keyword arguments :func:`import_objects` and
    :func:`import_file` take (either these keywords, or an ``ImportOptions`` and keywords
    that replace some of its values).

    :param app_or_rulebook: an :class:`~onething.Onething` app or a
        :class:`~onething.Rulebook`: gives the enabled domains, their attribute schemas and
        items, and the deployment's region (every object must lie inside it).
    :param checksum: ``strict`` rejects a uscc whose check character is wrong; ``tolerant``
        stores it flagged and lists it in the report. Malformed codes are always rejected.
    :param skip_invalid: store the good rows; reject the bad ones (to ``rejects``).
    :param rejects: the rejects file (CSV, or JSON Lines by its suffix); ``force_rejects``
        replaces an existing one.
    :param region: the region objects must lie in (default: the deployment's).
    :param on: the day the mapping is computed for (default today).
    :param batch_size: rows per batch (default :data:`~onething.registry.BATCH_SIZE`).
    :param workers: validate and map in this many worker processes (forked; 0: in this
        process). ``None``: see :func:`import_file` (in-Python rows: this process). The
        result is the same either way.
    """

    app_or_rulebook: Any
    checksum: Checksum = "strict"
    skip_invalid: bool = False
    rejects: str | Path | None = None
    force_rejects: bool = False
    region: str | None = None
    on: dt.date | None = None
    batch_size: int | None = None
    workers: int | None = None

    @classmethod
    def of(cls, options: ImportOptions | None, settings: Mapping[str, Any]) -> ImportOptions:
        """``options`` with ``settings`` (field names) replacing some of its values, or the
        options ``settings`` give."""
        if options is None:
            return cls(**settings)
        return attrs.evolve(options, **settings) if settings else options

    @property
    def rows_per_batch(self) -> int:
        return self.batch_size or BATCH_SIZE


@frozen(kw_only=True)
class _Feed:
    """What one import reads: its jobs (batches of rows or CSV chunks), the header when the
    file has one, where it comes from, and how it is prepared."""

    jobs: Iterator
    header: list[str] | None
    source: str
    fmt: str
    workers: int = 0
    progress: Callable[[], None] | None = None
    resume: Callable[[int, int], Iterator] | None = None
    """A torn CSV chunk's rest: ``resume(offset, lines before)``."""
    lines_before: int = 0


def _domains_of(app_or_rulebook: Any):
    domains = getattr(app_or_rulebook, "domains", None)
    if domains is None:
        raise TypeError("app_or_rulebook must be an Onething app or a Rulebook")
    return domains


def _region_of(app_or_rulebook: Any) -> str | None:
    dep = getattr(app_or_rulebook, "deployment", None)
    return dep.region if dep is not None else None


def import_objects(
    store: Store,
    rows: Iterable[Mapping[str, Any]],
    options: ImportOptions | None = None,
    *,
    source: str = "<rows>",
    fmt: str = "rows",
    **settings: Any,
) -> ImportReport:
    """Import rows with the documented columns (``docs/registry.md``) into the registry.

    Rows are dicts; ``domains`` and ``licences`` may be JSON text or already parsed. Rows are
    numbered from 1 in messages (``<source>:<n>``). ``options`` and ``settings`` (the fields
    of :class:`ImportOptions`, ``app_or_rulebook`` first of them) say how; ``workers``
    defaults to 0 (this process).

    :raises InvalidInput: for the first bad row when not ``skip_invalid``; nothing is stored.
    """
    opts = ImportOptions.of(options, settings)
    feed = _Feed(
        jobs=batched(((i, dict(r)) for i, r in enumerate(rows, 1)), opts.rows_per_batch),
        header=None,
        source=source,
        fmt=fmt,
        workers=_worker_count(opts.workers or 0, None),
    )
    return _run(store, feed, opts)


def import_file(
    store: Store,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    fmt: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    **settings: Any,
) -> ImportReport:
    """Import a CSV, XLSX or JSON Lines file (format by suffix unless ``fmt``); see
    :func:`import_objects` and :class:`ImportOptions`. ``progress(done, total)`` is called
    after each batch.

    ``workers``: by default a file of :data:`PARALLEL_BYTES` or more is validated and mapped in
    one worker process per CPU when this process runs no other thread (forking beside threads
    is unsafe); give a number to choose (0: in this process)."""
    opts = ImportOptions.of(options, settings)
    path = Path(path)
    src = Source(path, fmt)
    batch_size = opts.rows_per_batch
    try:
        feed = _Feed(
            jobs=src.jobs(batch_size),
            resume=lambda offset, lines: src.resume(offset, lines, batch_size),
            lines_before=src.header_lines,
            header=src.header,
            source=str(path),
            fmt=src.format,
            workers=_worker_count(opts.workers, src.size),
            progress=(lambda: progress(*src.progress)) if progress else None,
        )
        return _run(store, feed, opts)
    finally:
        src.close()


def check_file(
    path: str | Path, app_or_rulebook: Any, *, fmt: str | None = None, where: str | None = None
) -> str:
    """What can be told of a file before importing it, at once: it opens as its format, its
    header names only known columns, and (JSON Lines) its first line is a JSON object. The
    service runs it before it accepts an upload as a job.

    :param where: the name the errors give the file (default its path).
    :return: the format.
    :raises InvalidInput: located as the import would locate it.
    """
    path = Path(path)
    shown = where or str(path)
    try:
        src = Source(path, fmt)
    except InvalidInput as exc:
        raise InvalidInput(exc.location.replace(str(path), shown), exc.path, exc.message) from None
    try:
        if src.header is not None:
            parser = RowParser(
                _domains_of(app_or_rulebook),
                region=_region_of(app_or_rulebook),
                checksum="strict",
                secret_env=personal.secret_env(app_or_rulebook),
            )
            parser.check_columns(src.header, f"{shown}:1")
        elif src.format == "jsonl":
            for batch in src.jobs(1):
                line, raw = batch[0]
                if "__error__" in (row := json_object(raw)):
                    raise InvalidInput(f"{shown}:{line}", "", row["__error__"])
                break
            else:
                raise InvalidInput(
                    shown,
                    "",
                    _(
                        "文件为空：应每行一个 JSON 对象",
                        "empty file: expected one JSON object a line",
                    ),
                )
    finally:
        src.close()
    return src.format


#: A file at least this large is parsed in worker processes (when ``workers`` allows).
PARALLEL_BYTES = 4 << 20


def _worker_count(workers: int | None, size: int | None) -> int:
    """How many worker processes: ``workers`` as given, else one per CPU for a large file in a
    single-threaded process on a platform that forks (a host with threads imports in-process:
    forking beside running threads is unsafe). Where processes cannot fork: none."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if workers is not None:
        return max(workers, 0)
    if size is None or size < PARALLEL_BYTES or threading.active_count() > 1:
        return 0
    cpus = os.cpu_count() or 1
    return cpus if cpus > 1 else 0


def _run(store: Store, feed: _Feed, options: ImportOptions) -> ImportReport:
    """The import of ``feed`` in one transaction: rows prepared (:mod:`.workers`), checked
    and counted (:func:`_checked`), written batch by batch (:mod:`.writes`)."""
    app_or_rulebook = options.app_or_rulebook
    checksum = options.checksum
    if checksum not in ("strict", "tolerant"):
        raise InvalidInput(
            "--uscc-checksum",
            "",
            _(
                f"{checksum!r}：应为 strict 或 tolerant",
                f"{checksum!r}: expected strict or tolerant",
            ),
        )
    domains = _domains_of(app_or_rulebook)
    region = options.region or _region_of(app_or_rulebook)
    if region is not None and (problem := regions.problem(region)):
        raise InvalidInput("deployment.region", "", problem)
    parser = RowParser(
        domains, region=region, checksum=checksum, secret_env=personal.secret_env(app_or_rulebook)
    )
    header, source, progress = feed.header, feed.source, feed.progress
    if header is not None:
        parser.check_columns(header, f"{source}:1")
    on = options.on or dt.date.today()
    mode = "skip_invalid" if options.skip_invalid else "all_or_nothing"
    report = ImportReport(source=source, format=feed.fmt, mode=mode, workers=feed.workers)
    sink = None
    if options.rejects is not None:
        protected = [sqlite_file(store), Path(source)]
        sink = Rejects(
            Path(options.rejects), header, force=options.force_rejects, protected=protected
        )
    error: BaseException | None = None
    # The batches are acyclic garbage that reference counting frees; the cyclic collector would
    # only rescan the whole heap for every few thousand rows built (~15 % of an import).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with store.session() as session, sqlite_cache(session.connection()) as conn:
            store.serialize(session, "registry")  # a concurrent import of the same keys waits
            mapper = Mapper(conn, rulebook_of(app_or_rulebook), on)
            mapper.refresh()  # objects already stored follow item changes first
            import_id = start_import(conn, source=source, fmt=feed.fmt, mode=mode)
            report.import_id = import_id
            preparer = Preparer(parser, mapper.matcher, header)
            # Writing stays in this thread: a writer thread would wait for the GIL after each
            # round trip to the database while this one parses (the convoy effect).
            with Prepared(
                preparer, feed.jobs, feed.workers, feed.resume, feed.lines_before
            ) as prepared:
                for good in _checked(prepared, report, source, options.skip_invalid, sink):
                    write_batch(conn, good, import_id, mapper, report)
                    if progress:
                        progress()
            if progress:
                progress()
            finish_import(
                conn,
                import_id,
                {
                    "rows": report.rows,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                    "flagged": report.flagged_count,
                },
            )
    except BaseException as exc:
        error = exc
        raise
    finally:
        if collecting:
            gc.enable()
        if sink is not None:
            sink.close(error)
    return report


def _checked(
    prepared: Iterable[tuple[int, Batch]],
    report: ImportReport,
    source: str,
    skip_invalid: bool,
    sink: Rejects | None,
) -> Iterator[list[tuple]]:
    """The good rows of each prepared batch; a bad row raises (all or nothing) or goes to the
    rejects. Counts every row."""
    for base, batch in prepared:
        if batch.fatal is not None:
            raise InvalidInput(f"{source}:{base + batch.fatal[0]}", "", batch.fatal[1])
        good = []
        for res in batch.results:
            report.rows += 1
            row = res[1]
            if row is None:
                (field_, message), raw = res[2], res[3]
                where = f"{source}:{base + res[0]}"
                report.rejected += 1
                if not skip_invalid:
                    raise InvalidInput(where, field_, message)
                reason = f"{where}: {field_}: {message}"
                if len(report.rejections) < 1000:
                    report.rejections.append(reason)
                if sink is not None:
                    sink.write(raw, reason)
                continue
            if res[2]:
                report.flagged_count += 1
                if len(report.flagged) < 1000:
                    report.flagged.append((f"{source}:{base + res[0]}", row[0]))
            good.append(res)
        yield good
