"""The record of plugin-data validations that passed, so that a start does not validate again
data it validated before (``onething --help`` aside, every command enables plugins).

Content-addressed: a key is the digest of everything the outcome depends on — the shipped
schemas (all of them: they refer to each other), the definition checked, onething's version,
the plugin distribution's version and the validated content itself (a data file's bytes, or the
repr of what a hook returned (attrs models)). Only passes are recorded, so a changed file or schema is simply a
new key and is validated — and its error reported — as the first time. A data file's parsed
content is kept beside its key, so that a recorded file is not parsed again either.

Stored in ``$ONETHING_CACHE_DIR`` (``off`` disables the record), else ``$XDG_CACHE_HOME/onething``
or ``~/.cache/onething``; written to a temporary name and renamed, so a reader never sees half a
file; a record that cannot be read is ignored (and replaced at the next write). ``onething
validate`` validates in full whatever the record says (:func:`full`). Two processes adding at
once may each keep only its own additions: the other's are validated again next time.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: Bump when the layout of the stored record changes.
_FORMAT = 2
_FILE = f"validated-{_FORMAT}.pickle"

#: What the record answered in this process: ``"validated"`` (validated in full, absent or
#: bypassed) and ``"recorded"`` (skipped, a recorded pass). Read by tests and by ``--verbose``
#: diagnostics; never consulted by the record itself.
counts = {"validated": 0, "recorded": 0}

_full = False
_save_at_exit = True


def cache_dir() -> Path | None:
    """Where the record lives, or ``None`` when ``ONETHING_CACHE_DIR=off``."""
    env = os.environ.get("ONETHING_CACHE_DIR")
    if env:
        return None if env.strip().lower() == "off" else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "onething"


@contextmanager
def full() -> Iterator[None]:
    """Within: every check validates in full, whatever the record says (``onething
    validate``); the passes are still recorded."""
    global _full
    before, _full = _full, True
    try:
        yield
    finally:
        _full = before


@cache
def _schemas_digest() -> str:
    """The digest of every shipped schema and of onething's version."""
    h = hashlib.sha256(metadata.version("onething").encode())
    files = resources.files("onething.schemas")
    for entry in sorted(files.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".schema.json"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()


def key(definition: str, version: str, content: bytes) -> str:
    """The key of validating ``content`` against ``definition`` (``plugin-data#domain`` …) for
    a plugin distribution at ``version``."""
    h = hashlib.sha256(_schemas_digest().encode())
    for part in (definition, version):
        h.update(b"\0" + part.encode())
    h.update(b"\0" + content)
    return h.hexdigest()


class _Record:
    """The passes read from the cache directory at first use, and those added since."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.passes: dict[str, bytes] = {}  # key → what was kept with the pass, pickled
        self.added = False
        if folder is not None:
            try:
                with open(folder / _FILE, "rb") as f:
                    passes = pickle.load(f)
                if isinstance(passes, dict):
                    self.passes = passes
            except Exception:  # absent, truncated, another format: as if there were none
                pass

    def write(self) -> None:
        if self.folder is None or not self.added:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".validated-", suffix=".tmp")
        except OSError:  # a read-only home costs speed, never the command
            return
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(self.passes, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / _FILE)
            self.added = False
        except OSError:  # a full disk: neither half a record nor a stray temporary file
            Path(tmp).unlink(missing_ok=True)


_records: dict[Path | None, _Record] = {}


def _record() -> _Record:
    folder = cache_dir()
    if folder not in _records:
        _records[folder] = _Record(folder)
    return _records[folder]


#: :func:`recorded`'s answer for a key to validate.
MISSING: Any = object()


def recorded(k: str) -> Any:
    """What was kept with the pass of ``k`` (``None`` if nothing was), or :data:`MISSING` when
    ``k`` must be validated: not recorded, the record off, or within :func:`full`."""
    if _full or cache_dir() is None:
        counts["validated"] += 1
        return MISSING
    try:  # a fresh copy each time: callers may change what they get
        value = pickle.loads(_record().passes[k])
    except Exception:  # not recorded, or kept damaged: validate
        counts["validated"] += 1
        return MISSING
    counts["recorded"] += 1
    return value


def add(k: str, kept: Any = None) -> None:
    """Record that ``k`` passed, keeping ``kept`` (picklable) with it; written by :func:`save`
    (at the latest when the process exits)."""
    if cache_dir() is None:
        return
    global _save_at_exit
    if _save_at_exit:
        atexit.register(save)
        _save_at_exit = False
    record = _record()
    record.passes[k] = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    record.added = True


def save() -> None:
    """Write the passes added in this process (atomically; nothing when none were added)."""
    for record in _records.values():
        record.write()


def checked(definition: str, version: str, content: bytes, check: Callable[[], T]) -> T:
    """``check()`` (parse and validate ``content``, raising on a problem) unless its pass is
    recorded: then what it returned that time. Its result is recorded when it returns."""
    k = key(definition, version, content)
    kept = recorded(k)
    if kept is MISSING:
        kept = check()
        add(k, kept)
    return kept
