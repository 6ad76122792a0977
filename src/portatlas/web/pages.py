"""The HTML pages: each a cached render from ``Site`` with the live feedback counts filled in."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portatlas import __version__
from portatlas.errors import BadInput, PortatlasError
from portatlas.query.grammar import parse_port, shown
from portatlas.web import seo, urls
from portatlas.web.respond import PAGE_CACHE, PAGE_HEADERS, cached, not_modified
from portatlas.web.site import Page, Site

router = APIRouter(include_in_schema=False)


async def page_response(request: Request, path: str) -> Response:
    """The cached page at ``path`` with this moment's counts; 304 when the client's copy is current."""
    state = request.app.state
    return await page_answer(state, state.site.page(path), path, request.headers.get("if-none-match"))


async def page_answer(state: State, page: Page, path: str, inm: str | None) -> Response:
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
    """Each port of a range of at most 4,096, one row each; /ports/01-5 redirects to /ports/1-5."""
    from portatlas.query.grammar import parse_span

    low, high = parse_span(spec)
    if spec != f"{low}-{high}":
        return RedirectResponse(request.app.state.site.span_url(low, high), status_code=301)
    return await page_response(request, f"/ports/{spec}")


@router.get("/service/{name:path}")
async def service(request: Request, name: str) -> Response:
    """A service name's rows; the canonical URL uses the registry's spelling."""
    reg = request.app.state.site.registry
    svc = reg.service(unquote(name))
    if svc.name != unquote(name):
        return RedirectResponse(request.app.state.site.service_url(svc.name), status_code=301)
    return await page_response(request, urls.service_path(svc.name))


@router.get("/range/{name}")
async def range_page(request: Request, name: str) -> Response:
    """System, User or Dynamic/Private."""
    if name not in ("system", "user", "dynamic"):
        raise BadInput(f"no range {name[:40]!r}: the ranges are system, user and dynamic")
    return await page_response(request, f"/range/{name}")


@router.get("/gaps")
async def gaps(request: Request, page: str | None = None) -> Response:
    """The unassigned blocks of the System and User ranges, 100 a page (``?page=N`` goes to /gaps/N)."""
    if page is not None:
        n = page.strip()
        target = urls.gaps_path(int(n)) if n.isascii() and n.isdigit() and len(n) < 6 else None
        if target is None:
            raise BadInput(f"page {shown(page)} is not a page number: /gaps has pages 1, 2, 3 ...")
        return RedirectResponse(request.app.state.site.url(target), status_code=301)
    return await page_response(request, urls.gaps_path())


@router.get("/gaps/{n}")
async def gaps_page(request: Request, n: str) -> Response:
    """Page N of the unassigned blocks (/gaps/1 is /gaps)."""
    if n == "1":
        return RedirectResponse(request.app.state.site.url(urls.gaps_path()), status_code=301)
    return await page_response(request, f"/gaps/{n}")


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
        target = _goes_to(site, answer.ports.query)
        if target is not None:
            return RedirectResponse(target, status_code=303)
    ctx = site.search_context(s, answer)
    html = site.render_doc("search.html", "/search", description="Search the IANA port registry and the programs "
                           "that commonly use ports, by port number, range, name or words.", feedback="", **ctx)
    return HTMLResponse(html, headers={"Cache-Control": "public, max-age=300", **PAGE_HEADERS})


def _goes_to(site: Site, text: str) -> str | None:
    """The page a search box entry names directly: a port ('22', '22/tcp', 'port 443') or a range."""
    from portatlas.query.grammar import QueryKind, read

    if not text:
        return None
    try:
        q = read(text, is_name=site.registry.has_name)
    except BadInput:
        return None  # not a port after all: search for the words
    if q.kind is QueryKind.PORT:
        return site.port_url(q.port)
    if q.kind is QueryKind.SPAN and q.specs[0].size <= urls.MAX_SPAN:
        return site.span_url(q.specs[0].low, q.specs[0].high)
    return None


@router.get("/portspace.png")
async def portspace(request: Request) -> Response:
    """The picture of every port."""
    site = request.app.state.site
    return cached(request, site.portspace_png(), site.etag, "image/png", "public, max-age=86400")


@router.get("/static/{name}")
async def static(request: Request, name: str) -> Response:
    """CSS, script, icon and picture under content-hashed names, cached for a year (plain names: an hour)."""
    site = request.app.state.site
    found = site.assets.get(name)
    if found is None and name.startswith("portspace."):
        site.picture_url()  # drawn on first use in this process
        found = site.assets.get(name)
    if found is None:
        from portatlas.web.errors import HTTPError

        raise HTTPError(404, f"no static file {shown(name)}")
    asset, cache_control = found
    return cached(request, asset.body, asset.etag, asset.media_type, cache_control)


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    """For load balancers: the edition answered from (the database is not touched)."""
    body = json.dumps({"ok": True, "edition": request.app.state.site.edition}, separators=(",", ":"))
    return Response(body.encode(), media_type="application/json", headers={"Cache-Control": "no-store"})


def origin(request: Request) -> str:
    """The site's absolute address: the base URL when absolute, else this request's scheme and host."""
    site = request.app.state.site
    if site.origin:
        return str(site.origin)
    host = request.headers.get("host", "")
    if not _HOST.fullmatch(host):
        host = f"{request.url.hostname}:{request.url.port}" if request.url.port else str(request.url.hostname)
    return f"{request.url.scheme}://{host}{site.base}"


_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")


@router.get("/robots.txt")
async def robots(request: Request) -> Response:
    """Crawl the pages, not the search; the sitemap's address."""
    return Response(seo.robots(origin(request), request.app.state.site.path_prefix),
                    media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/sitemap.xml")
async def sitemap(request: Request) -> Response:
    """The sitemap index: one chunk of at most 50,000 URLs after another."""
    site = request.app.state.site
    chunks = await run_in_threadpool(site.sitemap_chunks)
    body = seo.sitemap_index(origin(request), len(chunks), site.lastmod)
    return cached(request, body, _xml_etag(request), "application/xml", "public, max-age=86400")


@router.get("/sitemaps/{name}")
async def sitemap_chunk(request: Request, name: str) -> Response:
    """``/sitemaps/N.xml``: chunk N of every page's URL."""
    site = request.app.state.site
    chunks = await run_in_threadpool(site.sitemap_chunks)
    n = name[:-4] if name.endswith(".xml") else ""
    if not (n.isascii() and n.isdigit() and 1 <= int(n) <= len(chunks)):
        from portatlas.web.errors import HTTPError

        raise HTTPError(404, f"no sitemap {shown(name)}: there are /sitemaps/1.xml to /sitemaps/{len(chunks)}.xml")
    etag = _xml_etag(request)
    if not_modified(request, etag):
        return cached(request, b"", etag)
    body = await run_in_threadpool(seo.sitemap_chunk, origin(request), chunks[int(n) - 1], site.lastmod)
    return cached(request, body, etag, "application/xml", "public, max-age=86400")


def _xml_etag(request: Request) -> str:
    """A sitemap's validator: the edition and the address its URLs start with."""
    import hashlib

    site: Site = request.app.state.site
    return site.etag[:-1] + "." + hashlib.sha256(origin(request).encode()).hexdigest()[:8] + '"'
