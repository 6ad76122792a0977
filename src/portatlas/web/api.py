"""``/api``: the command line's ``--json`` answers over HTTP, with ETag and Cache-Control from the edition."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from portatlas.errors import BadInput
from portatlas.model import PortRange, Transport
from portatlas.query.grammar import parse_port, parse_range, parse_transport, shown
from portatlas.web.respond import cached

router = APIRouter(prefix="/api")
MAX_SPAN = 4096

_JSON: dict[str, Any] = {"content": {"application/json": {}}}
_ERR: dict[int | str, dict[str, Any]] = {
    422: {"description": "bad input: {\"error\": {\"status\", \"type\", \"message\"}}"},
    404: {"description": "nothing found (same error shape)"}}


@router.get("/ports/{spec}", summary="A port (PortReport) or a range LOW-HIGH (list of PortInfo)",
            responses={200: {"description": "`portatlas PORT --json` / `portatlas LOW-HIGH --json` (docs/json.md)",
                             **_JSON}, **_ERR})
async def port(request: Request, spec: str) -> Response:
    """The full answer for a port, as the port page shows it; or each port of a range of at most 4,096."""
    site = request.app.state.site
    s = spec.strip()
    if s.isascii() and s.isdigit():
        return cached(request, site.port_json(parse_port(s)), site.etag)
    if s[:1].isdigit() and "-" in s:
        lo_s, _, hi_s = s.partition("-")
        lo, hi = parse_port(lo_s), parse_port(hi_s)
        if lo > hi:
            raise BadInput(f"range {lo}-{hi} runs backwards: write the lower port first")
        if hi - lo + 1 > MAX_SPAN:
            raise BadInput(f"range {lo}-{hi} holds {hi - lo + 1} ports; ask for at most {MAX_SPAN} at once")
        return cached(request, site.json(("span", lo, hi), lambda: site.registry.span(lo, hi)), site.etag)
    parse_port(s)  # raises the one-line message for -1, 1e3, 70000, abc
    raise BadInput(f"{shown(spec)} is not a port: give 0-65535 or LOW-HIGH")  # pragma: no cover


@router.get("", summary="What this API answers", include_in_schema=False)
async def api_index(request: Request) -> Response:
    """Links to each endpoint and the edition answered from."""
    site = request.app.state.site
    return cached(request, site.json(("index",), lambda: {
        "edition": site.edition,
        "endpoints": {"port": "/api/ports/{port}", "span": "/api/ports/{low}-{high}",
                      "service": "/api/services/{name}", "search": "/api/search?q=",
                      "gaps": "/api/gaps", "stats": "/api/stats", "feedback": "/api/feedback?page=",
                      "openapi": "/api/openapi.json"},
    }), site.etag)


@router.get("/services/{name:path}", summary="A service name and every row registering it (ServiceInfo)",
            responses={200: {"description": "`portatlas NAME --json`", **_JSON}, **_ERR})
async def service(request: Request, name: str) -> Response:
    """Any letter case; 404 with suggestions for an unknown name."""
    site = request.app.state.site
    name = unquote(name).strip()
    if not name or len(name) > 200:
        raise BadInput("give a service name (at most 15 characters in the registry), e.g. /api/services/http")
    return cached(request, site.json(("svc", name.lower()), lambda: site.registry.service(name)), site.etag)


@router.get("/search", summary="Ranked search over registry rows and common-use programs (SearchAnswer)",
            responses={200: {"description": "`portatlas search TEXT --json`", **_JSON}, **_ERR})
async def search(request: Request,
                 q: str = Query(..., min_length=1, max_length=200, description="words, a name, a port"),
                 transport: str | None = Query(None, description="tcp, udp, sctp or dccp"),
                 range: str | None = Query(None, description="system, user or dynamic"),  # noqa: A002
                 limit: int = Query(20, ge=1, le=200, description="at most this many hits")) -> Response:
    """Best first; the same document as the command line's (a port, range or list: its ports' lines)."""
    site = request.app.state.site
    t, r = parse_transport(transport), parse_range(range)
    key = ("search", q, t, r, limit)
    return cached(request, site.json(key, lambda: site.registry.search_answer(q, t, r, limit)), site.etag)


@router.get("/gaps", summary="Unassigned blocks, largest first (list of Block)",
            responses={200: {"description": "`portatlas gaps --json`", **_JSON}, **_ERR})
async def gaps(request: Request,
               range: str | None = Query(None, description="system or user (default both)"),  # noqa: A002
               min: int = Query(1, ge=1, le=65536, description="only blocks of at least this many ports"),  # noqa: A002
               transport: list[str] = Query([], description="repeatable; default tcp and udp"),
               limit: int = Query(0, ge=0, description="at most this many blocks (0: all)")) -> Response:
    """Blocks unassigned on every transport considered, ranked within their range."""
    site = request.app.state.site
    rng = parse_range(range)
    if rng is PortRange.DYNAMIC:
        raise BadInput("the dynamic range has no gaps: it is never assigned; use range=system or user")
    ts = tuple(dict.fromkeys(t for t in (parse_transport(x) for x in transport) if t)) \
        or (Transport.TCP, Transport.UDP)
    key = ("gaps", rng, min, ts, limit)

    def build() -> object:
        blocks = site.registry.gaps(rng, min, ts)
        return blocks[:limit] if limit else blocks

    return cached(request, site.json(key, build), site.etag)


@router.get("/stats", summary="Assigned, reserved and unassigned counts per range and transport (Stats)",
            responses={200: {"description": "`portatlas stats --json`", **_JSON}})
async def stats(request: Request) -> Response:
    """One edition's counts."""
    site = request.app.state.site
    return cached(request, site.json(("stats",), site.registry.stats), site.etag)
