"""监管对象名录库 (registry): every object in scope, validated, mapped to its items, counted.

Stable read API (other engines depend on these signatures):

* :func:`iter_objects` — stream objects in key order, in batches, never the whole table;
* :func:`get_object` — one object by key (uscc or alternative key);
* :func:`count_objects` — how many objects, optionally in one domain and/or region;
* :func:`object_history` — the earlier states of one object, oldest first;
* :func:`import_objects` — the in-Python import the CLI wraps (rows with the documented
  columns of ``docs/registry.md``).

Writes go through :mod:`onething.registry.importer`; the object → item mapping through
:mod:`onething.registry.mapping`; baseline counts through :mod:`onething.registry.stats`.
"""

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .importer import ImportOptions, ImportReport, import_file, import_objects
    from .reads import count_objects, get_object, iter_objects, object_history, stored_key
    from .sources import BATCH_SIZE

__all__ = [
    "BATCH_SIZE",
    "ImportOptions",
    "ImportReport",
    "count_objects",
    "get_object",
    "import_file",
    "import_objects",
    "iter_objects",
    "object_history",
    "stored_key",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "BATCH_SIZE": "sources:BATCH_SIZE",
        "ImportOptions": "importer:ImportOptions",
        "ImportReport": "importer:ImportReport",
        "count_objects": "reads:count_objects",
        "get_object": "reads:get_object",
        "import_file": "importer:import_file",
        "import_objects": "importer:import_objects",
        "iter_objects": "reads:iter_objects",
        "object_history": "reads:object_history",
        "stored_key": "reads:stored_key",
    },
    globals(),
)
