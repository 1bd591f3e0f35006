"""Exchange (数据交换): onething's records in the language of the existing systems — the
national and provincial 互联网+监管 systems and the provincial 双随机、一公开 platform — and
the platform's results back as inspection records (docs/exchange.md).

One mapping per target is a versioned data file (:mod:`onething.exchange.mapping`); every field
not checked against a standard's text is provisional, and ``onething validate`` lists it.
"""

from .mapping import (
    SOURCES,
    TARGETS,
    Field,
    Kind,
    Mapping,
    Vocabulary,
    builtin,
    json_schema,
    load_mapping,
    provisional_fields,
)

__all__ = [
    "SOURCES",
    "TARGETS",
    "Field",
    "Kind",
    "Mapping",
    "Vocabulary",
    "builtin",
    "json_schema",
    "load_mapping",
    "provisional_fields",
]
