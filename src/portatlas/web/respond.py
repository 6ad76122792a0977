"""Responses for answers that never change within an edition: ETag, Cache-Control, 304."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

API_CACHE = "public, max-age=3600"
PAGE_CACHE = "no-cache"  # pages carry live feedback counts: revalidate (cheap: 304 by ETag)
# Defence in depth behind the escaping: a page runs only this site's own script.
PAGE_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                                "frame-ancestors 'none'; object-src 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def not_modified(request: Request | str | None, etag: str) -> bool:
    """Whether the client already holds this version (``request`` may be the If-None-Match value itself)."""
    inm = request.headers.get("if-none-match") if isinstance(request, Request) else request
    return inm is not None and (etag in inm or inm.strip() == "*")


def cached(request: Request | str | None, body: bytes | Callable[[], bytes], etag: str,
           media_type: str = "application/json", cache_control: str = API_CACHE,
           extra: dict[str, str] | None = None) -> Response:
    """``body`` with its validators, or 304 when the client's copy is current.

    ``body`` may be a function making it: the ETag is known before the answer is
    (it names the edition), so a 304 never renders anything.
    """
    headers = {"ETag": etag, "Cache-Control": cache_control, "X-Content-Type-Options": "nosniff", **(extra or {})}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body() if callable(body) else body, media_type=media_type, headers=headers)
