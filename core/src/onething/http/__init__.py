"""The HTTP service (``onething serve``): the engines over HTTP and JSON for host platforms
that cannot import Python — OpenAPI 3.1 (``docs/openapi.json``), problem details, identity
from the host's signed tokens, events out (outbox, webhooks, ``GET /events``). See
``docs/http.md``."""

from .app import create_app, openapi_document, openapi_text
from .settings import HttpSettings, JwtSettings, Webhook, http_settings

__all__ = [
    "HttpSettings",
    "JwtSettings",
    "Webhook",
    "create_app",
    "http_settings",
    "openapi_document",
    "openapi_text",
]
