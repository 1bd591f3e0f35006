"""Core's own parameters (domain code ``core``): rules that belong to no single domain, such
as the yearly cap on inspections per enterprise (``onething/data/parameters.toml``) and the
closed loop's time limits (``onething/data/loop_parameters.toml``, names ``loop.*``). Same file
format and schema as a plugin's ``parameters.toml``; the city layer overrides them with
``domain = "core"``. This is the one source: the rulebook and the loop both read it."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from .core_data import checked
from .errors import InvalidInput
from .model import Parameter, converter

CORE = "core"
#: The data files of core's parameters, in the order they are read.
FILES = ("parameters.toml", "loop_parameters.toml", "publication_parameters.toml")


@cache
def core_parameters() -> tuple[Parameter, ...]:
    """Every core parameter, each with the file and position it comes from."""
    out: list[Parameter] = []
    for name in FILES:
        source = f"onething/data/{name}"
        data = checked(name, "parameters_file")
        out.extend(
            converter.structure(
                {**p, "domain": CORE, "source": f"{source}#parameter[{i}]"}, Parameter
            )
            for i, p in enumerate(data.get("parameter", []))
        )
    names = [p.name for p in out]
    if len(names) != len(set(names)):  # two files must never define one name twice
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InvalidInput("onething/data", "parameter", f"defined twice: {', '.join(dup)}")
    return tuple(out)


def core_version() -> str:
    return metadata.version("onething")
