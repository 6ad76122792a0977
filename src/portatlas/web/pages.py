"""The HTML pages: each a cached render from ``Site`` with the live feedback counts filled in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portatlas import __version__
from portatlas.errors import BadInput, PortatlasError
from portatlas.query.grammar import parse_port
from portatlas.web.respond import PAGE_CACHE, PAGE_HEADERS, cached, not_modified
from portatlas.web.site import STATIC, Page

router = APIRouter(include_in_schema=False)


async def page_response(request: Request, path: str) -> Response:
    """The cached page at ``path`` with this moment's counts; 304 when the client's copy is current."""
    state = request.app.state
    return await page_answer(state, state.site.page(path), path, request.headers.get("if-none-match"))


async def page_answer(state: Any, page: Page, path: str, inm: str | None) -> Response:
    """A rendered page as a response (shared by the route and the fast path in ``fast.py``)."""
    request = inm
    if len(page.parts) == 1:
        return cached(request, page.parts[0], state.site.etag, "text/html; charset=utf-8", PAGE_CACHE,
                      PAGE_HEADERS)
    counts = state.counts.get(path)
    if counts is None:
        try:
            counts = await run_in_threadpool(state.open_store().counts, path)
            state.counts.put(path, counts)
        except PortatlasError:  # the database is down: the page still answers, without counts
            counts = None
    yes, no = (counts.yes, counts.no) if counts else ("?", "?")
    etag = f'W/"{state.site.edition}.{__version__}.{yes}.{no}"'
    headers = {"ETag": etag, "Cache-Control": PAGE_CACHE, **PAGE_HEADERS}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(page.body(yes, no), media_type="text/html; charset=utf-8",  # type: ignore[arg-type]
                    headers=headers)


@router.get("/port/{spec}")
async def port(request: Request, spec: str) -> Response:
    """A port's reference page; /port/0307 redirects to /port/307."""
    p = parse_port(spec)
    if spec != str(p):
        return RedirectResponse(request.app.state.site.port_url(p), status_code=301)
    return await page_response(request, f"/port/{p}")


@router.get("/")
async def index(request: Request) -> Response:
    """Search and the picture of the whole port space."""
    return await page_response(request, "/")


@router.get("/ports/{spec}")
async def span(request: Request, spec: str) -> Response:
    """Each port of a range of at most 4,096, one row each."""
    return await page_response(request, f"/ports/{spec}")


@router.get("/service/{name:path}")
async def service(request: Request, name: str) -> Response:
    """A service name's rows; the canonical URL uses the registry's spelling."""
    reg = request.app.state.site.registry
    svc = reg.service(unquote(name))
    if svc.name != unquote(name):
        return RedirectResponse(request.app.state.site.service_url(svc.name), status_code=301)
    return await page_response(request, "/service/" + quote(svc.name, safe=""))


@router.get("/range/{name}")
async def range_page(request: Request, name: str) -> Response:
    """System, User or Dynamic/Private."""
    if name not in ("system", "user", "dynamic"):
        raise BadInput(f"no range {name[:40]!r}: the ranges are system, user and dynamic")
    return await page_response(request, f"/range/{name}")


@router.get("/gaps")
async def gaps(request: Request) -> Response:
    """Every unassigned block of the System and User ranges."""
    return await page_response(request, "/gaps")


@router.get("/stats")
async def stats(request: Request) -> Response:
    """Counts and charts."""
    return await page_response(request, "/stats")


@router.get("/search")
async def search(request: Request, q: str = "") -> Response:
    """A port or a range goes straight to its page (``22``, ``22/tcp``, ``port 443``, ``8000-8100``); anything
    else lists the registry rows and programs that match (a list of ports, their lines)."""
    site = request.app.state.site
    s = q.strip()[:200]
    answer = site.registry.search_answer(s, limit=50) if s else None
    if answer is not None and answer.ports is not None:
        from portatlas.query.grammar import QueryKind, read

        query = read(answer.ports.query, is_name=lambda _: False)
        if query.kind is QueryKind.PORT:
            return RedirectResponse(site.port_url(query.port), status_code=303)
        if query.kind is QueryKind.SPAN:
            spec = query.specs[0]
            return RedirectResponse(site.url(f"/ports/{spec.low}-{spec.high}"), status_code=303)
    ctx = site.search_context(s, answer)
    html = site.render("search.html", path="/search", feedback="", **ctx)
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=300", **PAGE_HEADERS})


@router.get("/portspace.png")
async def portspace(request: Request) -> Response:
    """The picture of every port."""
    site = request.app.state.site
    return cached(request, site.portspace_png(), site.etag, "image/png", "public, max-age=86400")


_STATIC = {p.name: p.read_bytes() for p in STATIC.iterdir() if p.is_file()}
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@router.get("/static/{name}")
async def static(request: Request, name: str) -> Response:
    """CSS and the feedback script, versioned by ?v= so they may be cached for a long time."""
    body = _STATIC.get(name)
    if body is None:
        from portatlas.web.errors import HTTPError

        raise HTTPError(404, f"no static file {name[:60]!r}")
    etag = f'"{__version__}.{len(body)}"'
    ctype = _TYPES.get(name[name.rfind("."):], "application/octet-stream")
    return cached(request, body, etag, ctype, "public, max-age=604800")


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    """For load balancers: the edition answered from (the database is not touched)."""
    return Response(b'{"ok":true,"edition":"%s"}' % request.app.state.site.edition.encode(),
                    media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("/robots.txt")
async def robots() -> Response:
    """Crawl the pages, not the API's search."""
    return Response(b"User-agent: *\nDisallow: /api/search\nDisallow: /search\n", media_type="text/plain")
