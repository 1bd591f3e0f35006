"""Every file onething writes goes through here: refused over an existing file unless forced,
never over an input or the database, written to a temporary file in the same directory and
renamed at the end (removed on failure), and its text cells escaped against spreadsheet
formulas."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InvalidInput
from .i18n import _

#: Leading characters a spreadsheet reads as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """``value``; a text starting like a formula gets a leading ``'`` so a spreadsheet shows it
    as text. Numbers are left alone (``-3`` is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def escape_row(values: Iterable[Any]) -> list[Any]:
    return [escape_cell(v) for v in values]


def sqlite_file(store: Any) -> Path | None:
    """The file of a SQLite store (protected from being written over), else None."""
    url = getattr(getattr(store, "engine", None), "url", None)
    if url is None or url.get_backend_name() != "sqlite" or not url.database:
        return None
    if url.database == ":memory:":
        return None
    return Path(url.database)


def check_target(
    path: Path, *, option: str, force: bool, protected: Iterable[Path | None] = ()
) -> None:
    """Raise InvalidInput unless ``path`` may be written: its directory exists, it is none of
    ``protected`` (inputs, the database; compared resolved) and it does not exist unless
    ``force``."""
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidInput(
            option, "", _(f"{path}：目录不存在", f"{path}: the directory does not exist")
        )
    target = path.resolve()
    for p in protected:
        if p is not None and Path(p).resolve() == target:
            raise InvalidInput(
                option,
                "",
                _(
                    f"{path}：是输入文件或数据库，不能被覆盖",
                    f"{path}: is an input file or the database, never written over",
                ),
            )
    if path.is_dir():
        raise InvalidInput(option, "", _(f"{path}：是目录", f"{path}: is a directory"))
    if path.exists() and not force:
        raise InvalidInput(
            option,
            "",
            _(
                f"{path}：文件已存在（用 --force 覆盖）",
                f"{path}: already exists (--force to write over it)",
            ),
        )


def check_folder(
    folder: Path,
    names: Iterable[str | Path],
    *,
    option: str = "--out",
    force: bool = False,
    protected: Iterable[Path | None] = (),
) -> None:
    """Before a command writes several files into ``folder`` (created if missing): every one of
    them may be written (:func:`check_target`), checked all at once so that a refusal leaves
    none written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(option, "", _(f"{folder}：不是目录", f"{folder}: is not a directory"))
    if not folder.exists():
        return  # nothing there to write over
    protected = list(protected)
    for name in names:
        path = folder / name
        if path.parent.is_dir():  # a subfolder still to be made holds nothing to write over
            check_target(path, option=option, force=force, protected=protected)


@contextmanager
def atomic_write(
    path: Path,
    *,
    option: str = "--out",
    force: bool = False,
    protected: Iterable[Path | None] = (),
    binary: bool = False,
) -> Iterator[IO]:
    """An open temporary file next to ``path``, renamed to it when the block ends without error
    and removed otherwise, so a reader never sees half a file and a failure leaves none."""
    path = Path(path)
    check_target(path, option=option, force=force, protected=protected)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if binary:
            fh = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from the group
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes, **kwargs: Any) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_write`."""
    with atomic_write(path, binary=isinstance(data, bytes), **kwargs) as fh:
        fh.write(data)
