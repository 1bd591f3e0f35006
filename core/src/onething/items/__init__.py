"""监管事项清单: the item lists of a deployment, kept in step with the related official lists.

* :class:`ItemCatalog` — every item version of the enabled domains, city layer applied; the list
  in force on a day (:meth:`ItemCatalog.at`) and the difference between two days
  (:meth:`ItemCatalog.diff`).
* :func:`unify` — the unified list: union over the domains, the same duty of the same department
  listed once with every domain referenced (see :mod:`onething.items.unified` for the rule).
* :func:`import_related`, :func:`check_links`, :func:`changes_since` — the four related lists
  (许可 / 权责 / 双随机 / 重点监管) with their history, and the links between them and the items.
* :func:`build`, :func:`write`, :func:`read`, :func:`import_list` — export as an official table
  (XLSX, CSV, JSON) and import it back.
"""

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .export import ItemList, Labels, build, read, write
    from .imported import import_list, load_list
    from .model import FieldChange, ItemChange, LinkProblem, ListedItem, RelatedEntry
    from .related import (
        RelatedChange,
        RelatedImportResult,
        changes_since,
        check_links,
        entries,
        import_related,
        parse_related,
    )
    from .unified import duty_keys, unify
    from .versions import ItemCatalog, diff, version_problems

__all__ = [
    "FieldChange",
    "ItemCatalog",
    "ItemChange",
    "ItemList",
    "Labels",
    "LinkProblem",
    "ListedItem",
    "RelatedChange",
    "RelatedEntry",
    "RelatedImportResult",
    "build",
    "changes_since",
    "check_links",
    "diff",
    "duty_keys",
    "entries",
    "import_list",
    "import_related",
    "load_list",
    "parse_related",
    "read",
    "unify",
    "version_problems",
    "write",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "ItemCatalog": "versions:ItemCatalog",
        "diff": "versions:diff",
        "version_problems": "versions:version_problems",
        "ItemList": "export:ItemList",
        "Labels": "export:Labels",
        "build": "export:build",
        "read": "export:read",
        "write": "export:write",
        "import_list": "imported:import_list",
        "load_list": "imported:load_list",
        "FieldChange": "model:FieldChange",
        "ItemChange": "model:ItemChange",
        "LinkProblem": "model:LinkProblem",
        "ListedItem": "model:ListedItem",
        "RelatedEntry": "model:RelatedEntry",
        "RelatedChange": "related:RelatedChange",
        "RelatedImportResult": "related:RelatedImportResult",
        "changes_since": "related:changes_since",
        "check_links": "related:check_links",
        "entries": "related:entries",
        "import_related": "related:import_related",
        "parse_related": "related:parse_related",
        "duty_keys": "unified:duty_keys",
        "unify": "unified:unify",
    },
    globals(),
)
