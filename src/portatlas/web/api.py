"""``/api``: the library's answers as JSON, the same documents ``portatlas ... --json`` prints.

Every route reads its input with the one grammar (``portatlas.query.grammar``),
answers with the library's value and sends ``to_data`` of it, with ETag and
Cache-Control from the edition. The response schemas in the OpenAPI document
are generated from the same values (``portatlas.web.openapi``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from portatlas.errors import BadInput
from portatlas.model import Transport
from portatlas.query.grammar import LIST_PATTERN, MAX_PORTS, QueryKind, parse_range, parse_transport, read, shown
from portatlas.web.openapi import answers, errors
from portatlas.web.respond import cached
from portatlas.web.urls import RANGES

router = APIRouter(prefix="/api")

TRANSPORTS = tuple(str(t) for t in Transport)
_SPEC = re.compile(LIST_PATTERN)
_WRITE_SPEC = "write it as digits: /api/ports/80, /api/ports/80/tcp, /api/ports/8000-8100 or /api/ports/22,80,443"


def one_of(text: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """A query parameter the OpenAPI document gives as an enum: exactly one of ``allowed``, or left out.

    The command line reads ``TCP`` or `` tcp``; an API takes what its document says and nothing near it.
    """
    if text is not None and text not in allowed:
        raise BadInput(f"unknown {what} {shown(text)}: use {', '.join(allowed[:-1])} or {allowed[-1]}")
    return text


@router.get("/ports/{spec:path}", summary="A port (PortAnswer), or a range or list of ports (PortsAnswer)",
            responses={**answers("PortAnswer", "PortsAnswer"), **errors(400, 404, 422)})
async def port(request: Request,
               spec: str = Path(..., max_length=200, json_schema_extra={"pattern": LIST_PATTERN},
                                description="a port (0-65535), PORT/tcp, LOW-HIGH, LOW-HIGH/udp, or a list such as "
                                            "22,80,8000-8100 (a range or list holds at most 4,096 ports; a range "
                                            "is written low port first)")) -> Response:
    """A port's whole answer, as its page shows it; or one line per port of a range or list (at most 4,096)."""
    site = request.app.state.site
    if "transport" in request.query_params:
        # One way to say it, so a path and a parameter can never disagree.
        raise BadInput("give the transport in the path, after the port: /api/ports/5432/udp "
                       "(in a range or list, after each item: 80-90/tcp)")
    # The grammar's refusal says best what is wrong; what it reads beyond the documented forms
    # (' 80', 'port 80', '80/TCP') the API refuses too, so the document is the whole contract.
    q = read(spec, is_name=lambda _: False, max_ports=MAX_PORTS)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{shown(spec)} is not a port: give a port (0-65535), PORT/tcp, LOW-HIGH or a list such "
                       "as 22,80,443 (a name goes to /api/services/NAME)")
    if not _SPEC.fullmatch(spec):
        raise BadInput(f"{shown(spec)}: {_WRITE_SPEC}")
    # The bodies are thunks: a 304 renders nothing (0-4095 is 5 MB of JSON).
    if q.kind is QueryKind.PORT:
        t = q.transport
        if t is None:
            return cached(request, lambda: site.port_json(q.port), site.etag)
        return cached(request, lambda: site.json(("port", q.port, str(t)), lambda: site.registry.answer(q.port, t)),
                      site.etag)
    return cached(request, lambda: site.json(("ports", q.text), lambda: site.registry.ports(q.text, q.specs)),
                  site.etag)


@router.get("", summary="What this API answers", include_in_schema=False)
async def api_index(request: Request) -> Response:
    """Links to each endpoint and the edition answered from."""
    site = request.app.state.site
    return cached(request, site.json(("index",), lambda: {
        "edition": site.edition,
        "endpoints": {"port": "/api/ports/{port}", "ports": "/api/ports/{low}-{high} or /api/ports/22,80,443",
                      "service": "/api/services/{name}", "search": "/api/search?q=",
                      "gaps": "/api/gaps", "stats": "/api/stats", "feedback": "/api/feedback?page=",
                      "openapi": "/api/openapi.json"},
    }), site.etag)


@router.get("/services/{name:path}", summary="A service or program name: its registry rows and ports (NameAnswer)",
            responses={**answers("NameAnswer"), **errors(400, 404, 422)})
async def service(request: Request, name: str = Path(..., min_length=1, max_length=200,
                                                      description="a service name (any letter case) or a "
                                                                  "program's name, e.g. http, minecraft")) -> Response:
    """Any letter case; 404 with suggestions for a name neither the registry nor the dataset knows."""
    site = request.app.state.site
    name = unquote(name).strip()
    if not name or len(name) > 200:
        raise BadInput("give a service or program name, e.g. /api/services/http or /api/services/minecraft")
    return cached(request, site.json(("name", name), lambda: site.registry.name(name)), site.etag)


@router.get("/search", summary="Ranked search over registry rows and common-use programs (SearchAnswer)",
            responses={**answers("SearchAnswer"), **errors(400, 422)})
async def search(request: Request,
                 q: str = Query(..., min_length=1, max_length=200, description="words, a name, a port"),
                 transport: str | None = Query(None, json_schema_extra={"enum": list(TRANSPORTS)},
                                               description="only rows and ports on this transport"),
                 range: str | None = Query(None, json_schema_extra={"enum": list(RANGES)},  # noqa: A002
                                           description="only rows and ports in this range"),
                 limit: int = Query(20, ge=1, le=200, description="at most this many hits")) -> Response:
    """Best first; the same document as the command line's (a port, range or list: its ports' lines)."""
    site = request.app.state.site
    t = parse_transport(one_of(transport, TRANSPORTS, "transport"))
    r = parse_range(one_of(range, RANGES, "range"))
    key = ("search", q, t, r, limit)
    return cached(request, site.json(key, lambda: site.registry.search_answer(q, t, r, limit)), site.etag)


@router.get("/gaps", summary="Unassigned blocks, largest first (Gaps)",
            responses={**answers("Gaps"), **errors(400, 422)})
async def gaps(request: Request,
               range: str | None = Query(None, json_schema_extra={"enum": list(RANGES[:2])},  # noqa: A002
                                         description="system or user (default both)"),
               min: int = Query(1, ge=1, le=65536, description="only blocks of at least this many ports"),  # noqa: A002
               transport: list[str] = Query([], description="repeatable; default tcp and udp",
                                            json_schema_extra={"items": {"type": "string", "enum": list(TRANSPORTS)}}),
               limit: int = Query(0, ge=0, le=65536, description="at most this many blocks (0: all)")) -> Response:
    """Blocks unassigned on every transport considered, ranked within their range."""
    site = request.app.state.site
    if range == "dynamic":
        raise BadInput("the dynamic range has no gaps: it is never assigned; use range=system or user")
    rng = parse_range(one_of(range, RANGES[:2], "range"))
    ts = tuple(dict.fromkeys(t for t in (parse_transport(one_of(x, TRANSPORTS, "transport")) for x in transport)
                             if t)) \
        or (Transport.TCP, Transport.UDP)
    key = ("gaps", rng, min, ts, limit)

    def build() -> object:
        blocks = site.registry.gaps(rng, min, ts)
        return blocks[:limit] if limit else blocks

    return cached(request, lambda: site.json(key, build), site.etag)


@router.get("/stats", summary="Assigned, reserved and unassigned counts per range and transport (Stats)",
            responses={**answers("Stats")})
async def stats(request: Request) -> Response:
    """One edition's counts."""
    site = request.app.state.site
    return cached(request, lambda: site.json(("stats",), site.registry.stats), site.etag)
