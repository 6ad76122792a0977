"""Responses for answers that never change within an edition: ETag, Cache-Control, 304."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

API_CACHE = "public, max-age=3600"
PAGE_CACHE = "no-cache"  # pages carry live feedback counts: revalidate (cheap: 304 by ETag)


def not_modified(request: Request, etag: str) -> bool:
    """Whether the client already holds this version."""
    inm = request.headers.get("if-none-match")
    return bool(inm) and (etag in inm or inm.strip() == "*")


def cached(request: Request, body: bytes, etag: str, media_type: str = "application/json",
           cache_control: str = API_CACHE) -> Response:
    """``body`` with its validators, or 304 when the client's copy is current."""
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
