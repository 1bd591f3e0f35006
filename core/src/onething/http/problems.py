"""Every error as RFC 9457 problem details (``application/problem+json``), carrying the same
located message the command line prints: ``detail`` is the message, ``location`` and ``path``
where the input was wrong, ``reason`` why a transition was refused. Titles follow the
request's language (Chinese by default)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import InvalidInput, NotFound, NotInForce, OnethingError, PluginError, lost_a_race
from ..i18n import _

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://onething.dev/problems/"


class Problem(Exception):
    """An HTTP answer that is an error: raised in a handler, rendered by :func:`render`."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
            **self.extra,
        }


def _titles() -> dict[str, str]:
    return {
        "invalid-input": _("输入无效", "Invalid input"),
        "not-found": _("不存在", "Not found"),
        "conflict": _("版本冲突", "Conflict"),
        "refused": _("流转被拒绝", "Transition refused"),
        "unauthenticated": _("未认证", "Not authenticated"),
        "precondition-required": _("缺少 If-Match", "If-Match required"),
        "not-in-force": _("该日无有效规则", "Not in force"),
        "unavailable": _("数据库不可用", "Database unavailable"),
        "plugin": _("插件错误", "Plugin error"),
        "error": _("错误", "Error"),
        "internal": _("内部错误", "Internal error"),
        "method-not-allowed": _("方法不允许", "Method not allowed"),
        "http": _("请求错误", "Request error"),
        "unsupported-media-type": _("不支持的内容类型", "Unsupported media type"),
        "interrupted": _("任务中断", "Job interrupted"),
    }


def problem(status: int, kind: str, detail: str, **extra: Any) -> Problem:
    """A :class:`Problem` titled in the current language."""
    return Problem(status, kind, _titles()[kind], detail, **extra)


def from_error(exc: Exception) -> Problem:
    """The problem an engine error is: 404 a missing thing, 422 invalid input, 409 a stale
    version or a lost race, 403 a refused transition (with its reason), 503 a database not
    there or not migrated."""
    from ..loop import ConflictError, Refused
    from ..store.base import StoreNotCurrent, StoreUnreachable

    cli_message = f"{_('错误', 'error')}: {exc}"
    if isinstance(exc, NotFound):
        return problem(
            404, "not-found", str(exc), location=exc.location, path=exc.path, message=cli_message
        )
    if isinstance(exc, InvalidInput):
        return problem(
            422,
            "invalid-input",
            str(exc),
            location=exc.location,
            path=exc.path,
            message=cli_message,
        )
    if isinstance(exc, ConflictError):
        return problem(409, "conflict", str(exc), message=cli_message)
    if isinstance(exc, Refused):
        return problem(403, "refused", str(exc), reason=exc.reason, message=cli_message)
    if isinstance(exc, (StoreNotCurrent, StoreUnreachable)):
        return problem(503, "unavailable", str(exc), message=cli_message)
    if isinstance(exc, NotInForce):
        return problem(422, "not-in-force", str(exc), message=cli_message)
    if isinstance(exc, PluginError):
        return problem(500, "plugin", str(exc), message=cli_message)
    if isinstance(exc, OnethingError):
        return problem(422, "error", str(exc), message=cli_message)
    if lost_a_race(exc):
        detail = _(
            "另一进程正在写入同一数据库（同一对象、事件或事项），本次未保存任何数据；请稍后重试",
            "another process was writing the same data (the same objects, events or cases); "
            "nothing was stored; try again",
        )
        return problem(409, "conflict", detail, message=f"{_('错误', 'error')}: {detail}")
    return problem(500, "internal", _("服务内部错误，已记录", "internal error, logged"))


def render(request: Request, p: Problem) -> JSONResponse:
    return JSONResponse(
        p.body(request.url.path), status_code=p.status, headers=p.headers, media_type=MEDIA_TYPE
    )


def install(app) -> None:
    """Register the handlers that turn every error into problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        return render(request, exc)

    @app.exception_handler(OnethingError)
    async def _engine(request: Request, exc: OnethingError):
        return render(request, from_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        msg = f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid")
        return render(
            request,
            problem(422, "invalid-input", msg, location="request", path=where),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return render(
            request,
            Problem(
                exc.status_code,
                kind,
                _titles()[kind],
                str(exc.detail),
                headers=dict(exc.headers or {}),
            ),
        )
