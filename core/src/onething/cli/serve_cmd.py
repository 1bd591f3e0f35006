"""``onething serve``: the HTTP service over the deployment (:mod:`onething.http`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from .common import config_option, open_app


def make() -> click.Command:
    @click.command(
        "serve",
        help=_(
            "启动 HTTP 服务（ASGI，FastAPI + uvicorn）：与命令行相同的引擎函数，JSON 与 OpenAPI 3.1"
            "（docs/openapi.json），错误为 RFC 9457 问题详情；身份来自宿主平台签名的令牌"
            '（[http.jwt]，或 auth = "none" 仅供本地开发）；事件写入发件箱，投递到配置的 webhook，'
            "或由 GET /events 拉取。见 docs/http.md。",
            "Start the HTTP service (ASGI, FastAPI on uvicorn): the engine functions the "
            "command line calls, JSON and OpenAPI 3.1 (docs/openapi.json), errors as RFC 9457 "
            "problem details; identity from tokens the host platform signs ([http.jwt], or "
            'auth = "none" for local development only); events to the outbox, delivered to '
            "the configured webhooks or polled with GET /events. See docs/http.md.",
        ),
    )
    @config_option
    @click.option(
        "--host",
        default=None,
        help=_(
            "监听地址（默认 [http] host 或 127.0.0.1）",
            "address to listen on (default [http] host or 127.0.0.1)",
        ),
    )
    @click.option(
        "--port",
        type=click.IntRange(1, 65535),
        default=None,
        help=_("端口（默认 [http] port 或 8700）", "port (default [http] port or 8700)"),
    )
    def serve(config_path: Path, host: str | None, port: int | None) -> None:
        import uvicorn

        from ..http import create_app, http_settings

        app = open_app(config_path)
        settings = http_settings(app.deployment)
        app.store.ensure_current()
        if settings.auth == "none":
            click.secho(
                _(
                    '注意：auth = "none"，身份未经验证，仅供本地开发',
                    'note: auth = "none": identities are not verified; local development only',
                ),
                err=True,
                fg="yellow",
            )
        api = create_app(app, settings)
        where = f"http://{host or settings.host}:{port or settings.port}"
        click.echo(_(f"网页控制台：{where}/ui/", f"web console: {where}/ui/"), err=True)
        uvicorn.run(
            api,
            host=host or settings.host,
            port=port or settings.port,
            log_level="warning",
            access_log=False,
        )

    return serve
