"""Item lists imported from files (``onething items import``): checked in full, then stored in
one transaction, so a bad file leaves the store unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from ..model import Item, converter
from ..store import Store
from ..store.items import ItemListImport, ItemListRow
from . import export, tabular
from .model import ListedItem


def import_list(store: Store, path: str | Path, fmt: str | None = None) -> tuple[int, int]:
    """Read ``path`` (an export of ``onething items export``) and store it.

    :return: the import id and the number of rows stored.
    :raises InvalidInput: naming ``file:row:column``; nothing is stored.
    """
    path = Path(path)
    lists = export.read(path, fmt)
    store.ensure_current()
    with store.session() as s:
        imp = ItemListImport(
            file=str(path), format=tabular.format_of(path, fmt), imported_at=dt.datetime.now(dt.UTC)
        )
        s.add(imp)
        s.flush()
        values = [
            {
                "import_id": imp.id,
                "sheet": sheet,
                "seq": n,
                "code": row.code,
                "data": export.as_json(row, n),
            }
            for sheet, rows in lists.sheets.items()
            for n, row in enumerate(rows, 1)
        ]
        for i in range(0, len(values), 1000):
            s.execute(sa.insert(ItemListRow.__table__), values[i : i + 1000])
        imp.rows = len(values)
        s.add(imp)
        return imp.id, len(values)


def load_list(store: Store, import_id: int) -> dict[str, list[ListedItem]]:
    """The sheets of a stored import, rows in their order."""
    out: dict[str, list[ListedItem]] = {}
    with store.session() as s:
        q = select(ItemListRow).where(ItemListRow.import_id == import_id).order_by(ItemListRow.id)
        for r in s.exec(q):
            raw = dict(r.data)
            extra = {
                f: raw.pop(f) for f in ("seq", "domains", "merged", "layer", "reason", "disabled")
            }
            item = converter.structure(raw, Item)
            out.setdefault(r.sheet, []).append(
                ListedItem(
                    item,
                    extra["layer"],
                    extra["domains"],
                    extra["merged"],
                    extra["reason"],
                    extra["disabled"],
                )
            )
    return out
