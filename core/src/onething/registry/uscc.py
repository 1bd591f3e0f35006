"""统一社会信用代码 (uscc): GB 32100-2015, and the alternative key of a business without one.

A uscc is 18 characters from the standard's alphabet (digits and upper-case letters without
I, O, S, V, Z)::

    9 1 371502 MA3C4X1K 5 3
    │ │ │      │        │ └ check character (GB 32100-2015 §4.3)
    │ │ │      └────────┴── organisation code, 9 characters (GB 11714, own check character)
    │ │ └ region code of the registering authority (GB/T 2260)
    │ └ type of body within that authority (9 1 = enterprise, 9 2 = sole trader, …)
    └ registration authority (1 编办, 5 民政, 9 市场监管, Y 其他 …)

The check character is ``31 - (Σ value(cᵢ)·Wᵢ mod 31)`` over the first 17 characters, with
``Wᵢ = 3ⁱ mod 31`` and ``31`` written as ``0``. Because 31 is prime and every weight is non-zero,
any single substituted character changes the check character: the property tests rely on it.

**Alternative key.** A business without a uscc (some sole traders registered before 2016 never
received one) is keyed ``ALT-<region code>-<local id>``, where ``<local id>`` is the number the
registering authority gave it (for a sole trader the 15-digit 注册号), 1–40 characters of
``0-9 A-Z``. :func:`alternative_key` builds one; the prefix keeps it apart from every uscc.
"""

from __future__ import annotations

import re
from operator import mul as _mul
from typing import Literal

from ..i18n import _

#: The 31 characters of GB 32100-2015 in value order (0–30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
#: Weights Wᵢ = 3ⁱ mod 31 of the first 17 characters.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18
#: Characters an ordinary upper-case alphanumeric might hold that the standard forbids.
FORBIDDEN = "IOSVZ"
#: GB 11714 organisation-code weights (characters 9–16 of the uscc).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

ALT_PREFIX = "ALT-"
_ALT = re.compile(r"ALT-(\d{6})-([0-9A-Z]{1,40})")

_SHAPE = re.compile(f"[{re.escape(ALPHABET)}]{{{LENGTH}}}")

Verdict = Literal["ok", "checksum"]


class MalformedUscc(ValueError):
    """Not a uscc at all (length, case, alphabet): always rejected."""


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters."""
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = sum(map(_mul, map(VALUES.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    rest = 11 - total % 11
    return "X" if rest == 10 else "0" if rest == 11 else str(rest)


def verify(code: str) -> Verdict:
    """``"ok"``, or ``"checksum"`` for a well-formed code whose check character is wrong.

    :raises MalformedUscc: wrong length, lower case, or a character outside the alphabet, with a
        message saying which.
    """
    if _SHAPE.fullmatch(code) is not None:  # the common case: one compiled match, no loop
        return "ok" if check_character(code[:17]) == code[17] else "checksum"
    if len(code) != LENGTH:
        raise MalformedUscc(
            _(
                f"统一社会信用代码为 {LENGTH} 位，此处为 {len(code)} 位",
                f"a uscc has {LENGTH} characters, got {len(code)}",
            )
        )
    for i, c in enumerate(code, 1):
        if c in VALUES:
            continue
        if c.isalpha() and c.upper() in VALUES and c != c.upper():
            raise MalformedUscc(
                _(
                    f"第 {i} 位 {c!r} 是小写；统一社会信用代码只用大写",
                    f"character {i} {c!r} is lower case; a uscc is upper case only",
                )
            )
        if c.upper() in set(FORBIDDEN):
            raise MalformedUscc(
                _(
                    f"第 {i} 位 {c!r} 不在 GB 32100-2015 的字符集中（不用 I、O、S、V、Z）",
                    f"character {i} {c!r} is not used by GB 32100-2015 (no I, O, S, V or Z)",
                )
            )
        raise MalformedUscc(
            _(
                f"第 {i} 位 {c!r} 不是数字或大写字母",
                f"character {i} {c!r} is not a digit or capital letter",
            )
        )
    if check_character(code[:17]) != code[17]:
        return "checksum"
    return "ok"


def is_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed uscc with the right check character."""
    try:
        return verify(code) == "ok"
    except MalformedUscc:
        return False


def make_uscc(authority: str, kind: str, region: str, org8: str) -> str:
    """A valid uscc from its parts; the organisation code's check character is computed.

    ``org8`` uses digits and capital letters of the uscc alphabet.
    """
    body = f"{authority}{kind}{region}{org8}{org_check_character(org8)}"
    return body + check_character(body)


def alternative_key(region: str, local_id: str) -> str:
    """The documented key of a business without a uscc: ``ALT-<region>-<local id>``."""
    key = f"{ALT_PREFIX}{region}-{local_id}"
    if not _ALT.fullmatch(key):
        raise ValueError(
            f"alternative key {key!r}: expected ALT-<6-digit region>-<1–40 of 0-9 A-Z>"
        )
    return key


def parse_alternative_key(key: str) -> tuple[str, str] | None:
    """``(region, local id)`` of an alternative key, or ``None`` if ``key`` is not one."""
    m = _ALT.fullmatch(key)
    return (m.group(1), m.group(2)) if m else None
