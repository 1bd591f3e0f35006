"""Who calls: the host platform's assertion of subject, department, role and region, accepted
only from a token signed with the configured key (``auth = "jwt"``). The service keeps no
users. ``auth = "none"`` (local development) takes the identity from the
``X-Onething-Department``, ``-Role`` and ``-Region`` headers instead and says so on every
response (``X-Onething-Auth: none``)."""

from __future__ import annotations

from typing import Any

import jwt
from attrs import frozen
from fastapi import Request

from ..i18n import _
from ..loop import Actor
from .problems import problem
from .settings import HttpSettings

AUTH_HEADER = "X-Onething-Auth"


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


def identify(settings: HttpSettings, request: Request) -> Identity:
    """The caller's identity. :raises Problem: 401 for a missing, unsigned, expired or
    otherwise invalid token, or one lacking a claim the mapping names."""
    h = request.headers
    if settings.auth == "none":
        return Identity(
            subject=h.get("X-Onething-Subject"),
            department=h.get("X-Onething-Department"),
            role=h.get("X-Onething-Role"),
            region=h.get("X-Onething-Region"),
            verified=False,
        )
    scheme, _sep, token = h.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated(
            _(
                "需要宿主平台签发的令牌：Authorization: Bearer <JWT>",
                "a token signed by the host platform is required: Authorization: Bearer <JWT>",
            )
        )
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
