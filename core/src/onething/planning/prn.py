"""Permanent random numbers (PRN): ``u = H(seed, key)`` in [0, 1), recomputable by anyone.

Byte layout (algorithm ``onething-prn-v1``)::

    digest = SHA-256( b"onething-prn-v1" 0x00 UTF-8(seed) 0x00 UTF-8(key) )
    u      = int.from_bytes(digest[0:8], "big") / 2**64

``key`` is the object's key (uscc) for sampling, and ``"<visit id>/<department>/<inspector
id>"`` for the draw of inspectors. Ties (equal 64-bit values, practically never) are broken by
the key itself, so an order by ``(prn_int, key)`` is total. Sorting uses the 64-bit integer,
never the float, so no rounding can reorder two objects.

Reproduce in any language; in Python::

    import hashlib
    d = hashlib.sha256(b"onething-prn-v1\\x00" + seed.encode() + b"\\x00" + key.encode()).digest()
    u = int.from_bytes(d[:8], "big") / 2**64
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

ALGORITHM = "onething-prn-v1"
_PREFIX = ALGORITHM.encode() + b"\x00"


def prn_head(seed: str) -> bytes:
    """What every hash of ``seed`` starts with: ``prn_int(seed, key)`` is the first 8 bytes,
    big-endian, of ``SHA-256(prn_head(seed) + UTF-8(key))``."""
    return _PREFIX + seed.encode() + b"\x00"


def prn_int(seed: str, key: str) -> int:
    """The 64-bit integer behind ``u``."""
    digest = hashlib.sha256(_PREFIX + seed.encode() + b"\x00" + key.encode()).digest()
    return int.from_bytes(digest[:8], "big")


def prn(seed: str, key: str) -> float:
    """``u = H(seed, key)`` in [0, 1)."""
    return prn_int(seed, key) / 2**64


def prn_array(seed: str, keys: Iterable[str]) -> np.ndarray:
    """``prn_int`` of many keys as a ``uint64`` array (one SHA-256 each, no Python objects kept)."""
    head = _PREFIX + seed.encode() + b"\x00"
    sha = hashlib.sha256
    return np.fromiter(
        (int.from_bytes(sha(head + k.encode()).digest()[:8], "big") for k in keys),
        dtype=np.uint64,
    )
