"""Personal information (PIPL 个人信息保护法): a natural person's key is never stored in clear.

A personal object kind's key (a resident ID number, a practitioner licence number) is stored
as ``PH-`` and an HMAC-SHA-256 of it under the deployment's secret — the same person matches
across imports and relations, yet the clear number cannot be read back or recomputed without
the secret — beside its masked form (first 6 and last 4 kept) for display. The secret comes
from the environment variable the config's ``[privacy] secret_env`` names (default
:data:`DEFAULT_SECRET_ENV`); it is needed only once a personal key is read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import OnethingError
from ..i18n import _

DEFAULT_SECRET_ENV = "ONETHING_PERSON_SECRET"
PREFIX = "PH-"
#: Hex digits of the HMAC kept in the key (192 bits: no collision among a country's people).
DIGITS = 48
#: A secret shorter than this is refused (RFC 2104: not shorter than the hash's output, 32).
MIN_SECRET = 32


def secret_env(app_or_rulebook) -> str:
    dep = getattr(app_or_rulebook, "deployment", None)
    return getattr(dep, "person_secret_env", None) or DEFAULT_SECRET_ENV


def load_secret(env: str) -> bytes:
    """The deployment's secret from ``env``.

    :raises OnethingError: it is missing or too short (nothing is stored)."""
    value = os.environ.get(env, "")
    if not value:
        raise OnethingError(
            _(
                f"缺少个人信息密钥：自然人的身份号码只以密钥散列保存，请在环境变量 {env} 中设置"
                f"至少 {MIN_SECRET} 个字符的部署密钥（配置 [privacy] secret_env 可改变量名）；"
                "未保存任何数据",
                f"no personal-information secret: a natural person's ID number is stored only "
                f"as a keyed hash; set a deployment secret of at least {MIN_SECRET} characters "
                f"in the environment variable {env} ([privacy] secret_env in the config names "
                "another); nothing was stored",
            )
        )
    if len(value.encode()) < MIN_SECRET:
        raise OnethingError(
            _(
                f"环境变量 {env} 中的个人信息密钥不足 {MIN_SECRET} 个字符；未保存任何数据",
                f"the personal-information secret in {env} is shorter than {MIN_SECRET} "
                "characters; nothing was stored",
            )
        )
    return value.encode()


@contextmanager
def stand_in_secret(env: str, secret: str) -> Iterator[bool]:
    """While the block runs, ``env`` holds ``secret`` if it held nothing — for synthetic people
    only (the demo, a test cycle), never a deployment's. Yields whether it stood in."""
    assert len(secret.encode()) >= MIN_SECRET
    unset = not os.environ.get(env)
    if unset:
        os.environ[env] = secret
    try:
        yield unset
    finally:
        if unset:
            os.environ.pop(env, None)


def person_key(secret: bytes, clear: str) -> str:
    """The stored key of a personal key ``clear``."""
    digest = hmac.new(secret, clear.encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def is_hashed(key: str) -> bool:
    return key.startswith(PREFIX)
