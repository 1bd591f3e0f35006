"""The reference web console (``/ui/`` of ``onething serve``): a department's inbox, a case
page, the plan's visits and the joint checklist filled in on a phone, offline.

A client of the service and the loop engine with no logic of its own: pages are rendered from
the documents the API answers (the same engine calls), and every change is a ``fetch`` of the
API (``POST /cases/{id}/transitions/{t}`` with ``If-Match``, ``POST /records``) carrying the
identity in a cookie (:mod:`onething.http.identity`). See ``docs/http.md``."""

from .pages import PREFIX, mount

__all__ = ["PREFIX", "mount"]
