"""The console's pages: each reads what the matching API call answers (the same engine call
and JSON document) and renders it; the browser changes things through the API only.

======================  ===============================================================
page                    reads (the API call a host's own screen would make)
======================  ===============================================================
``/ui/login``           ``POST /ui/session`` sets the identity cookie
``/ui/inbox``           ``GET /inbox``
``/ui/cases/{id}``      ``GET /cases/{id}``, ``GET /records/{id}``; acts with
                        ``POST /cases/{id}/transitions/{t}`` (``If-Match``)
``/ui/plan``            ``GET /plans/{id}`` (the latest draw)
``/ui/checklist``       ``GET /checklists?object=``; submits ``POST /records``
======================  ===============================================================
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ..errors import InvalidInput, OnethingError
from ..http.identity import (
    DEV_COOKIE,
    LANG_COOKIE,
    TOKEN_COOKIE,
    Identity,
    dev_cookie,
    identify,
    verify_token,
)
from ..http.problems import Problem, from_error, render
from ..i18n import _, language
from . import views

PREFIX = "/ui"
HERE = Path(__file__).parent


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False)
    return env


def _who(request: Request) -> Identity | None:
    """The console user, or ``None`` when the login page must come first."""
    try:
        ident = identify(request.app.state.settings, request)
    except Problem:
        return None
    return ident if ident.department and ident.role and ident.region else None


def _render(request: Request, template: str, who: Identity | None, status=200, **ctx) -> Response:
    settings = request.app.state.settings
    lang = language()
    body = (
        _env()
        .get_template(template)
        .render(
            who=who,
            dev=settings.auth == "none",
            lang=lang,
            other=("en" if lang == "zh" else "zh"),
            sep="、" if lang == "zh" else ", ",
            path=request.url.path,
            switch=_switch(request, "en" if lang == "zh" else "zh"),
            prefix=PREFIX,
            dept_label=views.dept_label(request.app.state.onething),
            role_label=views.role_label,
            **ctx,
        )
    )
    response = HTMLResponse(body, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):  # the switch is kept for later pages
        response.set_cookie(LANG_COOKIE, lang, samesite="strict", path="/")
    return response


def _switch(request: Request, to: str) -> str:
    """This page in the other language (the language switch)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', to)])}"


def _login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)


def _failed(request: Request, who: Identity | None, exc: Exception) -> Response:
    """An engine error as a page: the same located message the API's problem carries."""
    p = exc if isinstance(exc, Problem) else from_error(exc)
    return _render(request, "error.html", who, status=p.status, problem=p)


def mount(api: FastAPI) -> None:
    """Add the console's routes under ``/ui/`` (left out of the OpenAPI description)."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("/")
    def home():
        return RedirectResponse(f"{PREFIX}/inbox", status_code=303)

    @router.get("/login")
    def login_page(request: Request, next: str = f"{PREFIX}/inbox"):
        app = request.app.state.onething
        target = next if next.startswith(f"{PREFIX}/") else f"{PREFIX}/inbox"
        return _render(
            request,
            "login.html",
            _who(request),
            next=target,
            departments=views.department_choices(app),
            roles=views.roles(app.loop),
            region=app.deployment.region,
        )

    @router.post("/session")
    async def session(request: Request):
        """Sign in: ``{department, role, region, subject}`` under ``auth = "none"``, else
        ``{token}`` (the host's JWT, verified now and on every later call)."""
        settings = request.app.state.settings
        app = request.app.state.onething
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _problem(request, InvalidInput("request body", "", "expected a JSON object"))
        response = JSONResponse({"ok": True})
        cookie = {"httponly": True, "samesite": "strict", "path": "/"}
        try:
            if settings.auth == "none":
                parts = views.dev_login(app, data)
                response.set_cookie(DEV_COOKIE, dev_cookie(**parts), **cookie)
            else:
                token = str(data.get("token") or "").strip()
                verify_token(settings, token)
                response.set_cookie(TOKEN_COOKIE, token, **cookie)
        except (OnethingError, Problem) as exc:
            return _problem(request, exc)
        return response

    @router.post("/logout")
    def logout():
        response = JSONResponse({"ok": True})
        for name in (DEV_COOKIE, TOKEN_COOKIE):
            response.delete_cookie(name, path="/")
        return response

    @router.get("/inbox")
    def inbox_page(request: Request):
        who = _who(request)
        if who is None:
            return _login(request)
        try:
            entries = views.inbox(request.app.state.onething, who)
        except (OnethingError, Problem) as exc:
            return _failed(request, who, exc)
        return _render(request, "inbox.html", who, entries=entries)

    @router.get("/cases/{case_id:int}")
    def case_page(request: Request, case_id: int):
        who = _who(request)
        if who is None:
            return _login(request)
        try:
            page = views.case_page(request.app.state.onething, who, case_id)
        except (OnethingError, Problem) as exc:
            return _failed(request, who, exc)
        return _render(request, "case.html", who, **page)

    @router.get("/plan")
    def plan_page(request: Request, plan: int | None = None):
        who = _who(request)
        if who is None:
            return _login(request)
        try:
            page = views.plan_page(request.app.state.onething, who, plan)
        except (OnethingError, Problem) as exc:
            return _failed(request, who, exc)
        return _render(request, "plan.html", who, **page)

    @router.get("/checklist")
    def checklist_page(
        request: Request, object: str, visit: str | None = None, items: str | None = None
    ):
        who = _who(request)
        if who is None:
            return _login(request)
        codes = None if items is None else [c.strip() for c in items.split(",") if c.strip()]
        try:
            page = views.checklist_page(request.app.state.onething, object, codes)
        except (OnethingError, Problem) as exc:
            return _failed(request, who, exc)
        return _render(request, "checklist.html", who, visit=visit, **page)

    @router.get("/sw.js")
    def service_worker():
        # served from /ui/ so that its scope is the whole console
        return Response(
            (HERE / "static" / "sw.js").read_text("utf-8"),
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache"},
        )

    api.include_router(router)
    api.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")


def _problem(request: Request, exc: Exception) -> JSONResponse:
    return render(request, exc if isinstance(exc, Problem) else from_error(exc))


__all__ = ["PREFIX", "mount"]
