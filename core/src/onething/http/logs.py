"""Structured logs: one JSON line for every request (and every job, :mod:`.jobs`), on standard
error or the ``[http] log_file``; and the ``X-Onething-Auth`` header on every response, so
that a deployment running with ``auth = "none"`` can never pass for a verified one."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import uuid
from typing import Any

from .settings import HttpSettings

LOGGER = "onething.http"


def logger(settings: HttpSettings) -> logging.Logger:
    """The service's logger, writing bare JSON lines (configured once per process)."""
    log = logging.getLogger(LOGGER)
    if not getattr(log, "_onething_configured", False):
        handler: logging.Handler = (
            logging.FileHandler(settings.log_file, encoding="utf-8")
            if settings.log_file is not None
            else _Stderr()
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
        log._onething_configured = True  # type: ignore[attr-defined]
    return log


def emit(log: logging.Logger, **fields: Any) -> None:
    """One JSON line: ``ts`` (UTC) first, then the fields."""
    line = {"ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **fields}
    log.info(json.dumps(line, ensure_ascii=False, default=str))


class _Stderr(logging.StreamHandler):
    """Standard error as it is when a line is written (a test may have swapped it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class RequestLog:
    """Pure ASGI middleware (it runs in the request's own task): a request id, the auth mode
    header, and a log line per request with method, path, status, duration and subject."""

    def __init__(self, app, settings: HttpSettings):
        self.app, self.settings = app, settings
        self.log = logger(settings)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = _request_id(scope) or uuid.uuid4().hex
        status = {"code": 500}
        auth = self.settings.auth.encode()

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-onething-auth", auth))
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive, send_wrapped)
        finally:
            emit(
                self.log,
                event="request",
                request_id=rid,
                method=scope["method"],
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1"),
                status=status["code"],
                duration_ms=round((time.perf_counter() - start) * 1000, 2),
                subject=state.get("subject"),
                auth=self.settings.auth,
            )


def _request_id(scope) -> str | None:
    for k, v in scope.get("headers", []):
        if k == b"x-request-id":
            text = v.decode("latin-1")[:64]
            if text.isprintable():
                return text
    return None
