"""The ASGI application: the engines a host platform calls, over HTTP and JSON.

Every handler calls the same engine function the command line calls and answers the same JSON
document ``--format json`` prints; errors are problem details with the CLI's located message
(:mod:`.problems`). Handlers are plain functions (the engines are synchronous): FastAPI runs
them in its thread pool, one database connection each from the store's pool.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import asynccontextmanager
from importlib import metadata
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from .. import schemas
from ..errors import InvalidInput
from ..i18n import LANGUAGES, _, set_language
from ..outbox import TYPES as _TYPES
from . import logs
from .identity import LANG_COOKIE, Identity, identify
from .jobs import Jobs
from .problems import MEDIA_TYPE, Problem, install, problem
from .settings import HttpSettings

OUTBOX_TYPES = Literal[_TYPES]  # type: ignore[valid-type]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the media types a registry upload may have, and the format each is read as
IMPORT_TYPES = {
    "text/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    XLSX: "xlsx",
}
IMPORT_TYPES_SHOWN = ("text/csv", "application/x-ndjson", XLSX)

API_TITLE = "onething"
API_PREFIX = ""

#: The output documents (JSON Schemas in ``onething/schemas``) the API answers with, by the
#: name they take in the OpenAPI description's components.
DOCUMENTS = {
    "Problem": "problem",
    "CaseSummary": "case-summary",
    "Case": "case",
    "CasePage": "case-page",
    "InboxEntry": "inbox-entry",
    "Checklist": "checklist",
    "Record": "record-view",
    "RecordAdded": "record-added",
    "Parameter": "parameter",
    "AuditVerdict": "audit-verdict",
    "Job": "job",
    "OutboxEvent": "outbox-event",
    "EventPage": "event-page",
    "PlanVerdict": "plan-verdict",
    "PlanDraw": "plan-draw",
}
INPUTS = {"RecordInput": "record", "PlanRequest": "plan-request"}


class DocumentResponse(JSONResponse):
    """JSON as the command line prints it: UTF-8, dates as ISO text."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")


def _doc(
    name: str, description: str = "", status: int = 200, *, many: bool = False
) -> dict[int | str, Any]:
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
    if many:
        schema = {"type": "array", "items": schema}
    out: dict[int | str, Any] = {
        status: {
            "description": description or name,
            "content": {"application/json": {"schema": schema}},
        }
    }
    for code, what in (
        (401, "no valid identity"),
        (422, "invalid input (located)"),
        (503, "database unavailable"),
    ):
        out[code] = {
            "description": what,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out


def _problems(*codes: int) -> dict[int | str, Any]:
    return {
        c: {
            "description": {
                403: "refused",
                404: "not found",
                409: "conflict",
                415: "unsupported media type (the Content-Type the operation takes is named)",
                428: "If-Match",
            }[c],
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for c in codes
    }


def _json_body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": schema}},
        }
    }


# -- dependencies -------------------------------------------------------------------------------


async def _language(
    request: Request,
    lang: Annotated[
        Literal["zh", "en"] | None,
        Query(description="language of labels and messages (default zh; Accept-Language)"),
    ] = None,
) -> str:
    """``?lang=`` first, then the console's choice (cookie ``onething_lang``), then
    ``Accept-Language`` (the first of zh/en by weight), else Chinese. Set in the request's
    task: the handler's thread inherits it."""
    kept = request.cookies.get(LANG_COOKIE)
    chosen = (
        lang
        or (kept if kept in LANGUAGES else None)
        or _accepted(request.headers.get("Accept-Language", ""))
    )
    set_language(chosen)
    return chosen


def _accepted(header: str) -> str:
    best, weight = "zh", -1.0
    for part in header.split(","):
        tag, _sep, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        q = 1.0
        for p in params.split(";"):
            k, _eq, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if base in LANGUAGES and q > weight:
            best, weight = base, q
    return best


def _identity(request: Request) -> Identity:
    ident = identify(request.app.state.settings, request)
    request.state.subject = ident.subject
    return ident


def _ot(request: Request):
    return request.app.state.onething


#: how long a database found at the code's revision is taken to stay there (seconds)
CURRENT_FOR = 5.0


def _store(request: Request):
    """The store, checked to be at the code's revision (503 if not) — at most every
    :data:`CURRENT_FOR` seconds: the check reads the Alembic version table."""
    import time

    store = request.app.state.onething.store
    state = request.app.state
    if time.monotonic() - getattr(state, "current_at", -CURRENT_FOR) >= CURRENT_FOR:
        store.ensure_current()
        state.current_at = time.monotonic()
    return store


Who = Annotated[Identity, Depends(_identity)]
At = Annotated[
    str | None,
    Query(
        description="the day asked about, YYYY-MM-DD (default today)",
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        json_schema_extra={"format": "date"},
    ),
]


def _date(at: str | None) -> dt.date | None:
    """``at`` as a date, strictly ``YYYY-MM-DD`` (as ``--at``). :raises Problem: 422."""
    if at is None:
        return None
    try:
        return dt.date.fromisoformat(at)
    except ValueError:
        raise problem(
            422,
            "invalid-input",
            _(f"at: {at!r} 不是日期（YYYY-MM-DD）", f"at: {at!r} is not a date (YYYY-MM-DD)"),
            location="query",
            path="at",
        ) from None


def _day(at: str | None) -> dt.date:
    return _date(at) or dt.date.today()


def _moment(at: str | None) -> dt.datetime:
    """As ``loop overdue --at``: the end of that day, else now."""
    day = _date(at)
    if day is None:
        return dt.datetime.now(dt.UTC)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(value: str | None) -> int:
    if value is None:
        raise problem(
            428,
            "precondition-required",
            _(
                "请在 If-Match 中给出读到的事项版本（GET 返回的 ETag）",
                "give the case version you read in If-Match (the ETag a GET returned)",
            ),
        )
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise problem(
            422,
            "invalid-input",
            _(
                f'If-Match: {value!r} 不是事项版本（如 "3"）',
                f'If-Match: {value!r} is not a case version (e.g. "3")',
            ),
            location="If-Match",
            path="",
        )
    return int(text)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def unsupported(content_type: str | None, accepted: list[str]) -> Problem:
    shown = content_type or "(none)"
    return problem(
        415,
        "unsupported-media-type",
        _(
            f"Content-Type {shown} 不受支持；应为 {'、'.join(accepted)}",
            f"Content-Type {shown} is not supported; expected {', '.join(accepted)}",
        ),
        location="Content-Type",
        path="",
        accepted=accepted,
    )


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = request.headers.get("Content-Type")
    if content_type is None or not _is_json(content_type):
        raise unsupported(content_type, ["application/json"])
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise problem(
            422,
            "invalid-input",
            _(f"请求体不是有效的 JSON：{exc}", f"the request body is not valid JSON: {exc}"),
            location="request body",
            path="",
        ) from None


Body = Annotated[Any, Depends(_body)]


# -- the application ----------------------------------------------------------------------------


def create_app(
    onething=None, settings: HttpSettings | None = None, *, dispatch: bool = True
) -> FastAPI:
    """The service over ``onething`` (an :class:`onething.Onething`); ``None`` builds the
    application for its OpenAPI description only.

    :param dispatch: while it serves, deliver the outbox to the webhooks and note overdue steps
        (:class:`.webhooks.Dispatcher`) — every process of the service may, they share the
        work through the database.
    """
    settings = settings or HttpSettings(auth="none")

    @asynccontextmanager
    async def lifespan(api: FastAPI):
        dispatcher = None
        if onething is not None:
            onething.rulebook.catalog  # noqa: B018  (built once, before the first request)
            onething.loop  # noqa: B018
            if dispatch:
                from .webhooks import Dispatcher

                dispatcher = Dispatcher(onething.store, onething.loop, settings)
                dispatcher.start()
        api.state.jobs = Jobs(onething, settings) if onething is not None else None
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.stop()
            if api.state.jobs is not None:
                api.state.jobs.shutdown()

    api = FastAPI(
        title=API_TITLE,
        version=metadata.version("onething"),
        summary="综合监管一件事 — the engines over HTTP",
        description=(
            "Every operation calls the engine function the `onething` command calls and "
            "answers the document its `--format json` prints. Errors are RFC 9457 problem "
            "details carrying the command line's located message. Identity comes from a "
            "token the host platform signs (`Authorization: Bearer`); see docs/http.md."
        ),
        lifespan=lifespan,
        dependencies=[Depends(_language)],
        default_response_class=DocumentResponse,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.onething = onething
    api.state.settings = settings
    api.state.jobs = None  # the lifespan starts them
    install(api)
    api.add_middleware(logs.RequestLog, settings=settings)
    _routes(api)
    from ..console import mount

    mount(api)  # the reference web console at /ui/, outside the OpenAPI description
    api.openapi = lambda: openapi_document(api)  # type: ignore[method-assign]
    return api


def openapi_document(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 description, the output documents' JSON Schemas in its components."""
    if api.openapi_schema:
        return api.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(
        title=api.title,
        version=api.version,
        summary=api.summary,
        description=api.description,
        routes=api.routes,
    )
    comps = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, file in {**DOCUMENTS, **INPUTS}.items():
        comps[name] = _component(name, schemas.load(file))
    doc["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "a token the host platform signs; claims mapped by [http.jwt.claims]",
        }
    }
    doc["security"] = [{"bearer": []}]
    problems = {
        "401": "no valid identity (a missing, unsigned, expired or foreign token)",
        "404": "not found",
        "422": "invalid input, located (as the command line says it)",
        "503": "the database is unreachable or not migrated",
    }
    for path, ops in doc["paths"].items():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            if path == "/health":
                op["security"] = []
            for code, what in problems.items():  # FastAPI's own 422 shape replaced: a problem
                if code not in responses or code == "422":
                    responses[code] = {
                        "description": responses.get(code, {}).get("description", what)
                        if code != "422"
                        else what,
                        "content": {
                            MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    }
    for name in ("HTTPValidationError", "ValidationError"):
        comps.pop(name, None)
    api.openapi_schema = doc
    return doc


def openapi_text() -> str:
    """``docs/openapi.json``: the description of an application over no deployment (it does
    not depend on one)."""
    doc = create_app().openapi()
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def _component(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema file as an OpenAPI component: no ``$schema``/``$id``; its ``#/$defs/…``
    references pointed at the component; references to sibling files at their components."""
    files = {v: k for k, v in {**DOCUMENTS, **INPUTS}.items()}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in ("$schema", "$id"):
                    continue
                if k == "$ref" and isinstance(v, str):
                    if v.startswith("#/"):
                        v = f"#/components/schemas/{name}/{v[2:]}"
                    else:
                        file, _h, frag = v.partition("#")
                        target = files[file.removesuffix(".schema.json")]
                        v = f"#/components/schemas/{target}" + (f"/{frag[1:]}" if frag else "")
                out[k] = walk(v)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _routes(api: FastAPI) -> None:
    from ..i18n import _

    # -- service ------------------------------------------------------------------------------

    @api.get("/health", tags=["service"], summary="the service is up (no identity needed)")
    def health(request: Request) -> dict[str, Any]:
        return {"status": "ok", "auth": request.app.state.settings.auth}

    # -- rulebook -----------------------------------------------------------------------------

    @api.get(
        "/rulebook/parameters",
        tags=["rulebook"],
        summary="parameters in force on a day, city layer applied, with basis and provenance",
        responses=_doc("Parameter", "the parameters", many=True),
        response_model=None,
    )
    def parameters(
        request: Request,
        who: Who,
        at: At = None,
        domain: Annotated[str | None, Query(max_length=64)] = None,
        all_versions: bool = False,
    ):
        book = _ot(request).rulebook
        found = (
            list(book.parameter_versions(domain))
            if all_versions
            else book.parameters(_day(at), domain)
        )
        return [p.as_json() for p in found]

    @api.get(
        "/rulebook/items",
        tags=["rulebook"],
        summary="the supervision items in force on a day (city layer applied)",
        response_model=None,
    )
    def items(
        request: Request,
        who: Who,
        at: At = None,
        domain: Annotated[str | None, Query(max_length=64)] = None,
        unified: bool = False,
    ) -> list[dict[str, Any]]:
        from ..items import ItemCatalog, build
        from ..items.export import UNIFIED, as_json

        catalog = ItemCatalog.of(_ot(request))
        rows = build(catalog, _day(at)).sheets[UNIFIED] if unified else catalog.at(_day(at), domain)
        return [as_json(r, n) for n, r in enumerate(rows, 1)]

    @api.get(
        "/rulebook/elements",
        tags=["rulebook"],
        summary="the supervision elements in force on a day",
        response_model=None,
    )
    def elements(
        request: Request,
        who: Who,
        at: At = None,
        domain: Annotated[str | None, Query(max_length=64)] = None,
    ) -> list[dict[str, Any]]:
        from ..checklist import element_json, list_elements

        book, on = _ot(request).rulebook, _day(at)
        return [element_json(book, e, on) for e in list_elements(book, on, domain)]

    # -- registry -----------------------------------------------------------------------------

    @api.get(
        "/registry/objects/{key}",
        tags=["registry"],
        summary="one object: its record, applicable items, relations and history",
        responses=_problems(404),
        response_model=None,
    )
    def registry_object(request: Request, who: Who, key: str, at: At = None) -> dict[str, Any]:
        from ..registry.documents import object_document

        app = _ot(request)
        _store(request)
        return object_document(app, key, _day(at), relations_on=_date(at))

    @api.get(
        "/registry/stats",
        tags=["registry"],
        summary="baseline counts, coverage gaps and relations",
        response_model=None,
    )
    def registry_stats(
        request: Request,
        who: Who,
        at: At = None,
        by: Annotated[
            str,
            Query(
                description="comma-separated: domain,region,department,object_type,object_kind",
                max_length=200,
            ),
        ] = "domain",
    ) -> dict[str, Any]:
        from ..registry.documents import stats_document

        _store(request)
        dims = [b.strip() for b in by.split(",") if b.strip()]
        return stats_document(_ot(request), dims, _day(at))

    # -- long work as jobs ---------------------------------------------------------------------

    def accepted(request: Request, job: dict[str, Any]) -> DocumentResponse:
        return DocumentResponse(job, status_code=202, headers={"Location": f"/jobs/{job['id']}"})

    def jobs_of(request: Request):
        jobs = request.app.state.jobs
        if jobs is None:  # an application built for its description only
            raise problem(
                503, "unavailable", _("服务未连接部署", "no deployment behind the service")
            )
        return jobs

    job_accepted = _doc("Job", "accepted: the job (its status at Location)", 202)
    job_accepted[202]["headers"] = {
        "Location": {"description": "/jobs/{id}", "schema": {"type": "string"}}
    }

    @api.post(
        "/registry/imports",
        tags=["registry"],
        summary="import a registry file (CSV, JSON Lines or XLSX) as a job",
        description=(
            "The file is the request body, its format the Content-Type: `text/csv`, "
            "`application/x-ndjson` (JSON Lines) or the XLSX media type; any other is 415. "
            "What can be told at once (the file opens as its format, its header names known "
            "columns, a JSON Lines file's first line is an object) is checked before the job "
            "is accepted: 422, located, nothing stored. Then 202 with the job at `Location`; "
            "its result is the import report `registry import --report json` prints. The "
            "import is one transaction (all or nothing), as on the command line."
        ),
        status_code=202,
        responses=job_accepted | _problems(415),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
        response_model=None,
    )
    async def registry_import(
        request: Request,
        who: Who,
        at: At = None,
        uscc_checksum: Literal["strict", "tolerant"] = "strict",
    ):
        import tempfile
        from pathlib import Path as FilePath

        from starlette.concurrency import run_in_threadpool

        from ..registry.importer import check_file, import_file
        from .jobs import remove_tree

        content_type = request.headers.get("Content-Type")
        fmt = IMPORT_TYPES.get((content_type or "").split(";")[0].strip().lower())
        if fmt is None:
            raise unsupported(content_type, list(IMPORT_TYPES_SHOWN))
        jobs = jobs_of(request)
        app = _ot(request)
        await run_in_threadpool(_store, request)
        on = _day(at)
        folder = FilePath(tempfile.mkdtemp(prefix="onething-import-"))
        path = folder / f"upload.{fmt}"
        try:
            with path.open("wb") as f:
                async for chunk in request.stream():
                    f.write(chunk)
            await run_in_threadpool(check_file, path, app, fmt=fmt, where="request body")
        except BaseException:
            remove_tree(folder)()
            raise

        def work(progress):
            try:
                report = import_file(
                    app.store,
                    path,
                    app_or_rulebook=app,
                    fmt=fmt,
                    checksum=uscc_checksum,
                    on=on,
                    progress=progress,
                    workers=0,  # no worker processes beside the server's threads
                )
            except InvalidInput as exc:
                raise InvalidInput(
                    exc.location.replace(str(path), "request body"), exc.path, exc.message
                ) from None
            doc = report.as_json()
            if isinstance(doc.get("source"), str):
                doc["source"] = "request body"
            return doc

        return accepted(
            request, jobs.submit("registry.import", who.subject, work, remove_tree(folder))
        )

    @api.post(
        "/risk/evaluations",
        tags=["risk"],
        summary="evaluate every risk rule over the registry, open cases, re-grade — as a job",
        description=(
            "202 with the job at `Location`; its result is the document `risk evaluate "
            "--format json` prints. New warnings open cases (each announced in the outbox)."
        ),
        status_code=202,
        responses=job_accepted,
        response_model=None,
    )
    def risk_evaluate(request: Request, who: Who, at: At = None):
        from ..risk import batch

        app = _ot(request)
        jobs = jobs_of(request)
        _store(request)
        on = _day(at)
        return accepted(
            request,
            jobs.submit(
                "risk.evaluate",
                who.subject,
                lambda progress: batch.run(app, on, progress).as_json(),
            ),
        )

    @api.post(
        "/plans",
        tags=["plans"],
        summary="draw the double-random plan of a cycle (双随机) — as a job",
        description=(
            "Body: `cycle` (2026, 2026H1, 2026Q1 or 2026-03), `seed`, and for a redraw the `reason` "
            "(audited). 202 with the job at `Location`; its result is the plan document "
            "(`plan.json`), which `POST /plans/verify` recomputes from the store. A new plan "
            "is announced in the outbox (`plan.drawn`)."
        ),
        status_code=202,
        responses=job_accepted,
        openapi_extra=_json_body({"$ref": "#/components/schemas/PlanRequest"}),
        response_model=None,
    )
    def draw(request: Request, who: Who, data: Body):
        from ..planning import make_plan
        from ..planning.cycle import cycle_window
        from ..planning.plan import DEFAULT_INSPECTOR_CAP
        from ..planning.tasks import loop_tasks

        app = _ot(request)
        jobs = jobs_of(request)
        _store(request)
        if data is None:
            raise InvalidInput("request body", "", "expected a JSON object: cycle, seed")
        schemas.check_document(data, "plan-request", location="request body")
        cycle, seed = data["cycle"], data["seed"]
        reason = data.get("reason", "")
        cap = data.get("inspector_cap", DEFAULT_INSPECTOR_CAP)
        window = cycle_window(cycle)
        by = who.subject or "http"

        def work(progress):
            from ..cli.plan_cmd import STEPS

            steps = [0]

            def step(_name: str) -> None:
                steps[0] += 1
                progress(steps[0], len(STEPS))

            try:
                rows = loop_tasks(app.store, window)
            except InvalidInput:
                if not data.get("skip_loop"):
                    raise
                rows = []
            return make_plan(
                app.store,
                app.rulebook,
                cycle=cycle,
                seed=seed,
                task_rows=rows,
                inspector_cap=cap,
                by=by,
                reason=reason,
                progress=step,
            )

        return accepted(request, jobs.submit("plan.draw", f"{by} {cycle}", work))

    @api.post(
        "/plans/verify",
        tags=["plans"],
        summary="recompute a plan document from the store: every difference (none: verified)",
        responses=_doc("PlanVerdict"),
        openapi_extra=_json_body({"type": "object", "description": "a plan document (plan.json)"}),
        response_model=None,
    )
    def verify_plan_(request: Request, who: Who, data: Body):
        from ..planning import verify_plan
        from ..planning.verify import FORMAT

        app = _ot(request)
        _store(request)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InvalidInput("request body", "format", f"expected a plan file of format {FORMAT}")
        schemas.check_document(data, "plan", location="request body")
        problems = verify_plan(app.store, app.rulebook, data)
        return {"verified": not problems, "plan_id": data.get("plan_id"), "differences": problems}

    @api.get(
        "/plans/{plan_id:int}",
        tags=["plans"],
        summary="a stored draw: cycle, seed, digests, who and why, its visits and inspectors",
        description=(
            "What the store keeps of a draw (the plan document itself is the result of its "
            "job, and `plan.json` where the CLI drew it): enough to check a plan file's "
            "digest and to see which objects were visited and by whom."
        ),
        responses=_doc("PlanDraw") | _problems(404),
        response_model=None,
    )
    def plan_(request: Request, who: Who, plan_id: Annotated[int, Path(ge=1, le=2**53)]):
        from ..planning.stored import draw_document

        return draw_document(_store(request), plan_id)

    @api.get(
        "/jobs/{job_id}",
        tags=["jobs"],
        summary="a job's status and progress; once done its result or its problem",
        responses=_doc("Job") | _problems(404),
        response_model=None,
    )
    def job(
        request: Request,
        who: Who,
        job_id: Annotated[str, Path(max_length=32, pattern="^[0-9a-f]{1,32}$")],
    ):
        return jobs_of(request).get(job_id)

    # -- checklists and records ---------------------------------------------------------------

    @api.get(
        "/checklists",
        tags=["checklists"],
        summary="the joint checklist of an object or of item codes (JSON or a printable page)",
        responses=_doc("Checklist")
        | _problems(404)
        | {200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
        response_model=None,
    )
    def checklist(
        request: Request,
        who: Who,
        at: At = None,
        object: Annotated[str | None, Query(description="the object's key", max_length=64)] = None,
        items: Annotated[
            str | None, Query(description="item codes, comma-separated", max_length=4000)
        ] = None,
        format: Literal["json", "html"] = "json",
    ):
        from ..checklist import render_html
        from ..checklist._objects import checklist_of

        if (object is None) == (items is None):
            raise problem(
                422,
                "invalid-input",
                _("请给出 object 或 items 之一", "give exactly one of object or items"),
                location="query",
                path="object",
            )
        codes = None if items is None else [c.strip() for c in items.split(",") if c.strip()]
        c = checklist_of(_ot(request), _day(at), object_key=object, items=codes)
        if format == "html":
            return HTMLResponse(render_html(c))
        return c.as_json()

    @api.post(
        "/records",
        tags=["checklists"],
        summary="store an inspection record; its findings open or attach to cases",
        status_code=201,
        responses=_doc("RecordAdded", "the record stored and the cases opened or attached", 201)
        | _problems(404, 409, 415),
        openapi_extra=_json_body({"$ref": "#/components/schemas/RecordInput"}),
        response_model=None,
    )
    def add_record(
        request: Request,
        who: Who,
        data: Body,
        case: Annotated[int | None, Query(ge=1, description="the case that asked for it")] = None,
    ):
        from ..loop.inspections import add_inspection

        app = _ot(request)
        store = _store(request)
        if not isinstance(data, dict):
            raise problem(
                422,
                "invalid-input",
                _("检查记录须为 JSON 对象", "a record is a JSON object"),
                location="request body",
                path="",
            )
        done = add_inspection(
            store, app.rulebook, app.loop, data, case=case, location="request body"
        )
        body = {
            "record": done.record.as_json(),
            "opened": list(done.opened),
            "attached": list(done.attached),
        }
        return DocumentResponse(
            body, status_code=201, headers={"Location": f"/records/{done.record.id}"}
        )

    @api.get(
        "/records/{record_id}",
        tags=["checklists"],
        summary="a stored record, or one department's view of it (结果互认)",
        responses=_doc("Record") | _problems(404),
        response_model=None,
    )
    def record(
        request: Request,
        who: Who,
        record_id: str,
        department: Annotated[str | None, Query(max_length=32)] = None,
    ):
        from ..checklist import load_record

        rec = load_record(_store(request), record_id)
        if department is not None:
            rec = rec.view(department)
        return rec.as_json()

    # -- risk ---------------------------------------------------------------------------------

    @api.get(
        "/risk/objects/{key}",
        tags=["risk"],
        summary="an object's warnings and grade explained: rules, facts, thresholds",
        responses=_problems(404),
        response_model=None,
    )
    def risk_explain(request: Request, who: Who, key: str, at: At = None) -> dict[str, Any]:
        from ..risk.explain import explain

        app = _ot(request)
        return explain(_store(request), app.rulebook, key, _day(at))

    # -- the closed loop ----------------------------------------------------------------------

    def labels(request: Request):
        from ..loop.documents import Labels

        app = _ot(request)
        return Labels(app, app.loop)

    @api.get(
        "/cases",
        tags=["loop"],
        summary="cases, filtered in the database, a page at a time in id order",
        responses=_doc("CasePage"),
        response_model=None,
    )
    def cases(
        request: Request,
        who: Who,
        state: Annotated[str | None, Query(max_length=64)] = None,
        department: Annotated[str | None, Query(max_length=32)] = None,
        owner: Annotated[str | None, Query(max_length=32)] = None,
        overdue: bool = False,
        domain: Annotated[str | None, Query(max_length=64)] = None,
        object: Annotated[str | None, Query(max_length=64)] = None,
        region: Annotated[str | None, Query(pattern="^[0-9]{6}$")] = None,
        after: Annotated[
            int | None, Query(ge=0, description="the last id of the page before")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ):
        import itertools

        from ..loop import list_cases
        from ..loop.documents import summary_json

        app = _ot(request)
        lab = labels(request)
        rows = list_cases(
            _store(request),
            app.loop,
            state=state,
            department=department,
            owner=owner,
            overdue=overdue,
            domain=domain,
            object_key=object,
            region=region,
            after=after,
        )
        page = [summary_json(c, lab) for c in itertools.islice(rows, limit + 1)]
        more = len(page) > limit
        page = page[:limit]
        return {"cases": page, "next_after": page[-1]["id"] if more else None}

    @api.get(
        "/cases/{case_id}",
        tags=["loop"],
        summary="one case: state, version (also its ETag), the transitions open to you, history",
        responses=_doc("Case") | _problems(404),
        response_model=None,
    )
    def case_(request: Request, who: Who, case_id: Annotated[int, Path(ge=1)]):
        from ..loop import case
        from ..loop.cases import check_actor
        from ..loop.documents import case_json

        app = _ot(request)
        actor = None
        if who.department and who.role and who.region:
            actor = who.actor()
            check_actor(actor, within=app.deployment.region)
        view = case(_store(request), app.loop, case_id, actor=actor)
        return DocumentResponse(
            case_json(view, labels(request)), headers={"ETag": _etag(view.summary.version)}
        )

    @api.post(
        "/cases/{case_id}/transitions/{transition}",
        tags=["loop"],
        summary="take a transition as the caller (If-Match: the version read)",
        description=(
            "The caller's department, role and region come from the token. `If-Match` carries "
            "the version read (the case's ETag): a case moved on since is 409, nothing "
            "written; a refusal (illegal, permission, guard) is 403 with its reason, and is in "
            "the audit log with the token's subject."
        ),
        responses=_doc("Case", "the case after the step") | _problems(403, 404, 409, 415, 428),
        openapi_extra=_json_body(
            {
                "type": "object",
                "properties": {
                    "evidence": {"description": "what the transition's evidence schema asks"},
                    "facts": {"type": "object", "description": "facts this step establishes"},
                },
                "additionalProperties": False,
            },
            required=False,
        ),
        response_model=None,
    )
    def act(
        request: Request,
        who: Who,
        data: Body,
        case_id: Annotated[int, Path(ge=1)],
        transition: Annotated[str, Path(max_length=64)],
        if_match: Annotated[str | None, Header()] = None,
    ):
        from ..loop import case
        from ..loop import transition as take
        from ..loop.cases import check_actor
        from ..loop.documents import case_json

        app = _ot(request)
        version = _if_match(if_match)
        actor = who.actor()
        check_actor(actor, within=app.deployment.region)
        data = {} if data is None else data
        extra = set(data) - {"evidence", "facts"} if isinstance(data, dict) else None
        if extra is None or extra:
            raise problem(
                422,
                "invalid-input",
                _(
                    "请求体须为 JSON 对象，只含 evidence 和 facts",
                    "the body is a JSON object with evidence and facts only",
                ),
                location="request body",
                path=sorted(extra)[0] if extra else "",
            )
        store = _store(request)
        take(
            store,
            app.loop,
            case_id,
            transition,
            actor,
            version=version,
            evidence=data.get("evidence"),
            facts=data.get("facts"),
        )
        view = case(store, app.loop, case_id, actor=actor)
        return DocumentResponse(
            case_json(view, labels(request)), headers={"ETag": _etag(view.summary.version)}
        )

    @api.get(
        "/inbox",
        tags=["loop"],
        summary="the cases a department must act on now, overdue first (default: the caller's)",
        responses=_doc("InboxEntry", "the inbox", many=True),
        response_model=None,
    )
    def inbox_(
        request: Request,
        who: Who,
        department: Annotated[str | None, Query(max_length=32)] = None,
        region: Annotated[str | None, Query(pattern="^[0-9]{6}$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ):
        import itertools

        from ..loop import inbox
        from ..loop.documents import inbox_json

        app = _ot(request)
        department = department or who.department
        region = region or who.region
        if not department or not region:
            raise problem(
                422,
                "invalid-input",
                _("需要 department 和 region", "department and region are required"),
                location="query",
                path="department" if not department else "region",
            )
        lab = labels(request)
        entries = inbox(_store(request), app.loop, department, region)
        return [inbox_json(e, lab) for e in itertools.islice(entries, limit)]

    @api.get(
        "/overdue",
        tags=["loop"],
        summary="steps past their time limit",
        response_model=None,
    )
    def overdue_(request: Request, who: Who, at: At = None) -> list[dict[str, Any]]:
        from ..loop import overdue
        from ..loop.documents import overdue_json

        app = _ot(request)
        return [overdue_json(r) for r in overdue(_store(request), app.loop, _moment(at))]

    # -- events out ---------------------------------------------------------------------------

    @api.get(
        "/events",
        tags=["events"],
        summary="events out of the outbox after an id, oldest first (poll instead of a webhook)",
        description=(
            "Every new case, case transition, overdue step, new plan and publication change, "
            "written in the transaction that made it. Pass the `next_after` of the page before "
            "as `after`: ids are committed in increasing order, so nothing is missed. Each "
            "event's `key` is its idempotency key (the same one its webhook deliveries carry)."
        ),
        responses=_doc("EventPage"),
        response_model=None,
    )
    def events(
        request: Request,
        who: Who,
        after: Annotated[int, Query(ge=0, le=2**53, description="the last id already read")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        type: Annotated[
            list[OUTBOX_TYPES] | None,  # type: ignore[valid-type]
            Query(description="only these event types (repeat the parameter)"),
        ] = None,
    ):
        from .. import outbox

        return outbox.page(_store(request), after, limit=limit, types=tuple(type) if type else None)

    # -- audit --------------------------------------------------------------------------------

    @api.get(
        "/audit/verify",
        tags=["audit"],
        summary="walk the audit hash chain; the first bad entry, or its head to keep",
        responses=_doc("AuditVerdict"),
        response_model=None,
    )
    def audit_verify(
        request: Request,
        who: Who,
        expect: Annotated[
            str | None,
            Query(description="an anchor SEQ:HASH kept outside the database", max_length=200),
        ] = None,
    ):
        from ..loop import verify_audit
        from ..loop.audit import parse_anchor

        anchor = parse_anchor(expect) if expect is not None else None
        store = _store(request)
        with store.session() as s:
            v = verify_audit(s, expect=anchor)
        return v.as_json()

    @api.get(
        "/audit/head",
        tags=["audit"],
        summary="verify the chain and give a timestamped checkpoint of its head to keep outside",
        response_model=None,
    )
    def audit_head(request: Request, who: Who) -> dict[str, Any]:
        from ..errors import InvalidInput
        from ..loop import verify_audit

        store = _store(request)
        with store.session() as s:
            v = verify_audit(s)
        if v.problem is not None:
            raise InvalidInput("audit log", "", v.problem.message)
        seq, digest = v.head
        return {
            "anchor": f"{seq}:{digest}",
            "seq": seq,
            "hash": digest,
            "entries": v.entries,
            "database": store.engine.url.render_as_string(hide_password=True),
            "checked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


__all__ = ["create_app", "openapi_document", "openapi_text"]
