"""One argument order for the engines: the store first, then the rulebook (as in
``evaluate_all(store, rulebook, on)``). The few that took the rulebook first still accept it,
with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rulebook import Rulebook
    from .store import Store


def store_first(store: Any, rulebook: Any, function: str) -> tuple[Store, Rulebook]:
    """``(store, rulebook)`` whichever order the caller gave them in; the old order
    (``function(rulebook, store, …)``) warns."""
    from .rulebook import Rulebook

    if isinstance(store, Rulebook):
        warnings.warn(
            f"{function}(rulebook, store, …) is deprecated: pass the store first, "
            f"{function}(store, rulebook, …)",
            DeprecationWarning,
            stacklevel=3,
        )
        return rulebook, store
    return store, rulebook
