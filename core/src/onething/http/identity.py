"""Who calls: the host platform's assertion of subject, department, role and region, accepted
only from a token signed with the configured key (``auth = "jwt"``). The service keeps no
users. ``auth = "none"`` (local development) takes the identity from the
``X-Onething-Department``, ``-Role`` and ``-Region`` headers instead and says so on every
response (``X-Onething-Auth: none``).

The web console (``/ui/``, :mod:`onething.console`) carries the identity in a cookie instead:
the token itself (``onething_token``, verified as the header's), or under ``auth = "none"`` the
development login's department, role and region (``onething_dev``). A call that changes
something on a cookie's identity must also carry ``X-Onething-Console: 1``, which a page of
another site cannot send (cross-site request forgery)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
from attrs import frozen
from fastapi import Request

from ..i18n import _
from ..loop import Actor
from .problems import problem
from .settings import HttpSettings

AUTH_HEADER = "X-Onething-Auth"
TOKEN_COOKIE = "onething_token"
DEV_COOKIE = "onething_dev"
CONSOLE_HEADER = "X-Onething-Console"
#: the language the console was switched to (read by every call, after ``?lang=``)
LANG_COOKIE = "onething_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@frozen
class Identity:
    subject: str | None
    department: str | None
    role: str | None
    region: str | None
    verified: bool
    """from a verified token (``False``: ``auth = "none"``)"""

    def actor(self) -> Actor:
        """The loop's actor. :raises Problem: 401 when a part is missing."""
        missing = [
            n for n in ("department", "role", "region") if not getattr(self, n)
        ]  # fmt: skip
        if missing:
            raise problem(
                401,
                "unauthenticated",
                _(
                    f"身份缺少 {', '.join(missing)}"
                    + ("（auth = none：请给出 X-Onething-* 请求头）" if not self.verified else ""),
                    f"the identity lacks {', '.join(missing)}"
                    + (
                        " (auth = none: give the X-Onething-* headers)" if not self.verified else ""
                    ),
                ),
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Actor(self.department, self.role, self.region, subject=self.subject)  # type: ignore[arg-type]


def _unauthenticated(why: str):
    return problem(
        401,
        "unauthenticated",
        why,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def dev_cookie(department: str, role: str, region: str, subject: str | None) -> str:
    """The development login's cookie value (``auth = "none"`` only)."""
    parts = {"department": department, "role": role, "region": region}
    if subject:
        parts["subject"] = subject
    return urlencode(parts)


def _from_cookie(request: Request, name: str) -> str | None:
    """A cookie's value; a call that changes something must say it comes from the console."""
    value = request.cookies.get(name)
    if value and request.method not in SAFE_METHODS and request.headers.get(CONSOLE_HEADER) != "1":
        raise _unauthenticated(
            _(
                f"以 Cookie 身份的修改请求须带 {CONSOLE_HEADER}: 1 请求头",
                f"a change made on a cookie's identity needs the header {CONSOLE_HEADER}: 1",
            )
        )
    return value or None


def identify(settings: HttpSettings, request: Request) -> Identity:
    """The caller's identity. :raises Problem: 401 for a missing, unsigned, expired or
    otherwise invalid token, or one lacking a claim the mapping names."""
    h = request.headers
    if settings.auth == "none":
        parts = {
            "subject": h.get("X-Onething-Subject"),
            "department": h.get("X-Onething-Department"),
            "role": h.get("X-Onething-Role"),
            "region": h.get("X-Onething-Region"),
        }
        if not any(parts.values()) and (cookie := _from_cookie(request, DEV_COOKIE)):
            given = parse_qs(cookie)
            parts = {n: given.get(n, [None])[0] for n in parts}
        return Identity(**parts, verified=False)
    scheme, _sep, token = h.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        token = _from_cookie(request, TOKEN_COOKIE) or ""
        if not token:
            raise _unauthenticated(
                _(
                    "需要宿主平台签发的令牌：Authorization: Bearer <JWT>",
                    "a token signed by the host platform is required: Authorization: Bearer <JWT>",
                )
            )
    return verify_token(settings, token)


def verify_token(settings: HttpSettings, token: str) -> Identity:
    """The identity a token asserts. :raises Problem: 401 (see :func:`identify`)."""
    cfg = settings.jwt
    assert cfg is not None
    options: dict[str, Any] = {"require": ["exp", cfg.claims["subject"]]}
    try:
        claims = jwt.decode(
            token.strip(),
            cfg.key,
            algorithms=list(cfg.algorithms),
            issuer=cfg.issuer,
            audience=cfg.audience,
            leeway=cfg.leeway,
            options={**options, "verify_aud": cfg.audience is not None},
        )
    except jwt.PyJWTError as exc:
        raise _unauthenticated(_(f"令牌无效：{exc}", f"invalid token: {exc}")) from None
    parts = {}
    for name in ("subject", "department", "role", "region"):
        value = claims.get(cfg.claims[name])
        if value is not None and not isinstance(value, str):
            value = str(value)
        parts[name] = value
    if not parts["subject"]:
        raise _unauthenticated(_("令牌没有主体（sub）", "the token names no subject (sub)"))
    return Identity(**parts, verified=True)
