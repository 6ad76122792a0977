"""One error shape for the API, an error page for humans; never a traceback, never a 500 for bad input.

API errors are ``{"error": {"status": 422, "type": "bad_input", "message": "..."}}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response

from portatlas.errors import NotFound, PortatlasError

log = logging.getLogger("portatlas.web")

_TYPES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          413: "too_large", 415: "unsupported_media_type", 422: "bad_input", 429: "too_many_requests",
          500: "internal", 503: "unavailable"}
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           413: "Too large", 422: "Not a valid question", 429: "Too many requests", 500: "Something broke",
           503: "Temporarily unavailable"}


class HTTPError(PortatlasError):
    """An error with an explicit HTTP status (413, 415, 429, 401, 403…) and optional headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.http_status = status
        self.headers = headers or {}


def error_body(status: int, message: str) -> bytes:
    """The one JSON error shape."""
    return json.dumps({"error": {"status": status, "type": _TYPES.get(status, "error"), "message": message}},
                      ensure_ascii=False).encode()


def wants_json(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML."""
    return request.url.path.startswith("/api")


RETRY_AFTER = 5  # seconds a client is asked to wait after a 503 (the database busy or down)


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """JSON for the API, an HTML page otherwise."""
    headers = dict(headers or {})
    headers.setdefault("Cache-Control", "no-store")
    if status == 503:
        headers.setdefault("Retry-After", str(RETRY_AFTER))
    if wants_json(request):
        return Response(error_body(status, message), status_code=status, media_type="application/json",
                        headers=headers)
    site = request.app.state.site
    html = site.render_doc("error.html", "/", status=status, title=_TITLES.get(status, "Error"), message=message,
                       feedback="")
    from portatlas.web.respond import PAGE_HEADERS

    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **headers})


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _leaf_routes(routes: Any) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's wrapper of an included router
        if inner is not None:
            yield from _leaf_routes(inner.routes)
        else:
            yield route


def allowed_methods(request: Request, named: str = "") -> str:
    """Every method some route answers on this path, for a 405's ``Allow``.

    The router names only the first route matching the path (``named``: PUT on
    /api/feedback gave "POST"), and FastAPI's routes leave out HEAD, which every
    GET route answers (``HeadAsGet``).
    """
    from starlette.routing import Match

    methods = {m.strip() for m in named.split(",") if m.strip()}
    for route in _leaf_routes(request.app.router.routes):
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods, key=lambda m: (_METHOD_ORDER.index(m) if m in _METHOD_ORDER else 99, m)))


def _next_step(request: Request, exc: PortatlasError) -> str:
    """The site's wording of the next step an error offers: the search page (or API) for the text."""
    if not (isinstance(exc, NotFound) and exc.search):
        return ""
    from urllib.parse import quote

    where = "/api/search" if wants_json(request) else "/search"
    return f"; search for it: {where}?q={quote(exc.search, safe='')}"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the shapes above."""

    async def portatlas_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PortatlasError)
        headers = getattr(exc, "headers", None)
        if exc.http_status >= 500 and not isinstance(exc, HTTPError):
            log.warning("%s: %s", type(exc).__name__, exc)
        return error_response(request, exc.http_status, f"{exc}{_next_step(request, exc)}", headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404:
            message = (f"no such {'endpoint' if wants_json(request) else 'page'} {request.url.path[:100]!r}: "
                       + ("see /api/docs" if wants_json(request) else "try /port/N, /service/NAME or /search"))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
            message = f"{request.method} is not allowed on {request.url.path[:100]}: use {headers['Allow']}"
        return error_response(request, exc.status_code, message, headers)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = []
        for e in exc.errors()[:3]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return error_response(request, 422, "; ".join(parts) or "invalid request")

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "unexpected error (it has been logged; please report it)")

    app.add_exception_handler(PortatlasError, portatlas_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


__all__ = ["HTTPError", "error_body", "error_response", "install"]
