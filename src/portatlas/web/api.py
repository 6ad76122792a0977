"""``/api``: the library's answers as JSON, the same documents ``portatlas ... --json`` prints.

Every route reads its input with the one grammar (``portatlas.query.grammar``),
answers with the library's value and sends ``to_data`` of it, with ETag and
Cache-Control from the edition. The response schemas in the OpenAPI document
are generated from the same values (``portatlas.web.openapi``).
"""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from portatlas.errors import BadInput
from portatlas.model import PortRange, Transport
from portatlas.query.grammar import MAX_PORTS, QueryKind, parse_range, parse_transport, read, shown
from portatlas.web.openapi import answers, errors
from portatlas.web.respond import cached

router = APIRouter(prefix="/api")

# What /api/ports/ takes: a port, a range or a list of them, each with an optional /transport.
_ITEM = r"[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp|dccp))?"
SPEC_PATTERN = rf"^{_ITEM}(,{_ITEM})*$"
TRANSPORTS = ("tcp", "udp", "sctp", "dccp")


@router.get("/ports/{spec:path}", summary="A port (PortAnswer), or a range or list of ports (PortsAnswer)",
            responses={**answers("PortAnswer", "PortsAnswer"), **errors(400, 404, 422)})
async def port(request: Request,
               # The patterns are documented, not enforced here: the grammar refuses bad input with a
               # message that says what is valid, which a pattern mismatch would not.
               spec: str = Path(..., max_length=200, json_schema_extra={"pattern": SPEC_PATTERN},
                                description="a port (0-65535), PORT/tcp, LOW-HIGH, or a list such as 22,80,8000-8100"),
               transport: str | None = Query(None, json_schema_extra={"enum": list(TRANSPORTS)},
                                             description="for one port: only this transport")) -> Response:
    """A port's whole answer, as its page shows it; or one line per port of a range or list (at most 4,096)."""
    site = request.app.state.site
    q = read(spec, is_name=lambda _: False, max_ports=MAX_PORTS)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{shown(spec)} is not a port: give a port (0-65535), PORT/tcp, LOW-HIGH or a list such "
                       "as 22,80,443 (a name goes to /api/services/NAME)")
    # The bodies are thunks: a 304 renders nothing (0-4095 is 5 MB of JSON).
    if q.kind is QueryKind.PORT:
        t = q.transport or parse_transport(transport)
        if t is None:
            return cached(request, lambda: site.port_json(q.port), site.etag)
        return cached(request, lambda: site.json(("port", q.port, str(t)), lambda: site.registry.answer(q.port, t)),
                      site.etag)
    if transport:
        raise BadInput("'transport' goes with one port; in a range or list write it after each item (80-90/tcp)")
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
                 range: str | None = Query(None, json_schema_extra={"enum": ["system", "user", "dynamic"]},  # noqa: A002
                                           description="only rows and ports in this range"),
                 limit: int = Query(20, ge=1, le=200, description="at most this many hits")) -> Response:
    """Best first; the same document as the command line's (a port, range or list: its ports' lines)."""
    site = request.app.state.site
    t, r = parse_transport(transport), parse_range(range)
    key = ("search", q, t, r, limit)
    return cached(request, site.json(key, lambda: site.registry.search_answer(q, t, r, limit)), site.etag)


@router.get("/gaps", summary="Unassigned blocks, largest first (Gaps)",
            responses={**answers("Gaps"), **errors(400, 422)})
async def gaps(request: Request,
               range: str | None = Query(None, json_schema_extra={"enum": ["system", "user"]},  # noqa: A002
                                         description="system or user (default both)"),
               min: int = Query(1, ge=1, le=65536, description="only blocks of at least this many ports"),  # noqa: A002
               transport: list[str] = Query([], description="repeatable; default tcp and udp"),
               limit: int = Query(0, ge=0, le=65536, description="at most this many blocks (0: all)")) -> Response:
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

    return cached(request, lambda: site.json(key, build), site.etag)


@router.get("/stats", summary="Assigned, reserved and unassigned counts per range and transport (Stats)",
            responses={**answers("Stats")})
async def stats(request: Request) -> Response:
    """One edition's counts."""
    site = request.app.state.site
    return cached(request, lambda: site.json(("stats",), site.registry.stats), site.etag)
