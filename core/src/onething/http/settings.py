"""The ``[http]`` section of a deployment config, read into frozen settings: where the service
listens, how callers' tokens are verified (or ``auth = "none"`` for local development), and
the webhooks events are delivered to. The config schema has already checked the shape; what
is checked here needs the environment (secrets) or the file system (keys)."""

from __future__ import annotations

import os
from pathlib import Path

from attrs import field, frozen

from ..config import Deployment
from ..errors import InvalidInput
from ..i18n import _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8700
DEFAULT_CLAIMS = {"subject": "sub", "department": "department", "role": "role", "region": "region"}


@frozen
class JwtSettings:
    """How a token is verified: its algorithms, the key, the issuer and audience it must
    name, and which claims carry the subject, department, role and region."""

    algorithms: tuple[str, ...] = field(converter=tuple)
    key: str | bytes = field(repr=False)
    issuer: str | None = None
    audience: str | None = None
    leeway: int = 0
    claims: dict[str, str] = field(factory=lambda: dict(DEFAULT_CLAIMS), hash=False)


@frozen
class Webhook:
    """One receiver of the outbox's events, each delivery signed with ``secret``."""

    name: str
    url: str
    secret: bytes = field(repr=False)
    events: tuple[str, ...] = field(default=("*",), converter=tuple)
    timeout: float = 10.0
    backoff: float = 1.0
    max_backoff: float = 600.0

    def wants(self, event_type: str) -> bool:
        """Whether events of this type go to this receiver (``case.*`` matches every case
        event, ``*`` every event)."""
        for pattern in self.events:
            if pattern == "*" or pattern == event_type:
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


@frozen
class HttpSettings:
    auth: str = "jwt"
    """``jwt`` or ``none`` (local development: identity from headers, said on each response)"""
    jwt: JwtSettings | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    webhooks: tuple[Webhook, ...] = field(factory=tuple, converter=tuple)
    log_file: Path | None = None
    poll_seconds: float = 2.0


def _secret(location: str, path: str, env: str) -> str:
    value = os.environ.get(env)
    if not value:
        raise InvalidInput(
            location,
            path,
            _(
                f"环境变量 {env} 未设置（或为空）",
                f"the environment variable {env} is not set (or empty)",
            ),
        )
    return value


def http_settings(deployment: Deployment) -> HttpSettings:
    """The deployment's ``[http]`` section with its secrets and keys read.

    :raises InvalidInput: naming the config and key path: no ``[http]`` auth chosen, a secret's
        environment variable unset, a key file missing.
    """
    where = str(deployment.path or "config")
    raw = deployment.http
    auth = raw.get("auth", "jwt")
    jwt = None
    if auth == "jwt":
        if "jwt" not in raw:
            raise InvalidInput(
                where,
                "http",
                _(
                    '服务需要 [http.jwt]（如何验证宿主平台的令牌），本地开发可用 auth = "none"',
                    "the service needs [http.jwt] (how to verify the host's tokens), or "
                    'auth = "none" for local development',
                ),
            )
        j = raw["jwt"]
        if "secret_env" in j:
            key: str | bytes = _secret(where, "http.jwt.secret_env", j["secret_env"])
        else:
            base = deployment.path.parent if deployment.path else Path(".")
            pem = base / j["public_key_file"]
            if not pem.is_file():
                raise InvalidInput(
                    where,
                    "http.jwt.public_key_file",
                    _(f"文件 {pem} 不存在", f"file {pem} not found"),
                )
            key = pem.read_bytes()
        jwt = JwtSettings(
            algorithms=j["algorithms"],
            key=key,
            issuer=j.get("issuer"),
            audience=j.get("audience"),
            leeway=j.get("leeway_seconds", 0),
            claims={**DEFAULT_CLAIMS, **j.get("claims", {})},
        )
    hooks = []
    for i, h in enumerate(raw.get("webhook", [])):
        secret = _secret(where, f"http.webhook[{i}].secret_env", h["secret_env"])
        hooks.append(
            Webhook(
                name=h["name"],
                url=h["url"],
                secret=secret.encode("utf-8"),
                events=h.get("events", ["*"]),
                timeout=h.get("timeout_seconds", 10.0),
                backoff=h.get("backoff_seconds", 1.0),
                max_backoff=h.get("max_backoff_seconds", 600.0),
            )
        )
    names = [h.name for h in hooks]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InvalidInput(
            where,
            "http.webhook",
            _(f"有两个 webhook 都叫 {dup!r}", f"two webhooks are named {dup!r}"),
        )
    log_file = raw.get("log_file")
    if log_file is not None and deployment.path is not None:
        log_file = deployment.path.parent / log_file
    return HttpSettings(
        auth=auth,
        jwt=jwt,
        host=raw.get("host", DEFAULT_HOST),
        port=raw.get("port", DEFAULT_PORT),
        webhooks=hooks,
        log_file=Path(log_file) if log_file else None,
        poll_seconds=raw.get("poll_seconds", 2.0),
    )
