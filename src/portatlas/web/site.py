"""The site: every page and JSON answer, rendered from the registry, cached per edition.

The server and the static export both render through ``Site``: a port page
and ``/api/ports/N`` come from the same ``PortReport``. A page's HTML is
cached as three parts around the feedback counts, so serving a cached page
costs a dict lookup and a join.
"""

from __future__ import annotations

import json
from portatlas.value import replace, to_data, value
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from portatlas import __version__
from portatlas.atlas import Registry
from portatlas.errors import BadInput, NotFound
from portatlas.model import PortRange, PortReport, Transport, to_json
from portatlas.query.grammar import parse_port, shown
from portatlas.web import sections
from portatlas.web.cache import ByteLRU
from portatlas.web.picture import PALETTE
from portatlas.web.port_view import REGISTRY_TITLE, REGISTRY_URL, neighbour_summary, port_context, state_word
from portatlas.web.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
MAX_SPAN = 4096

_YES, _NO = "\x01", "\x02"  # stand-ins for the counts while a page is rendered once


@value
class Page:
    """A rendered page: ``parts`` joined around the yes and no counts (one part when it has none)."""

    parts: tuple[bytes, ...]

    def body(self, yes: int = 0, no: int = 0) -> bytes:
        """The page's bytes with the counts filled in."""
        if len(self.parts) == 1:
            return self.parts[0]
        a, b, c = self.parts
        return b"".join((a, str(yes).encode(), b, str(no).encode(), c))

    @property
    def size(self) -> int:
        """Bytes held."""
        return sum(len(p) for p in self.parts)


class Site:
    """Pages and answers for one registry edition, rendered on demand and cached."""

    def __init__(self, registry: Registry, settings: Settings | None = None, *, mode: str = "server") -> None:
        self.registry = registry
        self.settings = settings or Settings()
        self.mode = mode  # "server": live feedback; "export": static files (feedback posts to feedback_api)
        self.base = self.settings.base_url.rstrip("/")
        self.edition = registry.edition
        self.etag = f'"{self.edition}.{__version__}"'
        budget = max(1, self.settings.cache_mb) * 1024 * 1024
        self._json: ByteLRU[bytes] = ByteLRU(budget // 3, len)
        self._pages: ByteLRU[Page] = ByteLRU(budget - budget // 3, lambda p: p.size)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,  # registry text and visitor comments are never markup
            trim_blocks=True, lstrip_blocks=True,
        )
        self.env.globals.update(
            url=self.url, static=self.static_url, svc_url=self.service_url, port_url=self.port_url,
            ports_url=self.ports_url,
            site=self, edition=self.edition, version=__version__, palette=PALETTE,
            registry_title=REGISTRY_TITLE, registry_url=REGISTRY_URL, state_word=state_word,
            neighbour_summary=neighbour_summary,
        )
        self.env.filters["tojsonable"] = to_data
        self._portspace: bytes | None = None

    # -- links -----------------------------------------------------------------
    def url(self, path: str) -> str:
        """A link to a page of this site."""
        return self.base + path

    def static_url(self, name: str) -> str:
        """A link to a static file, versioned so caches renew with the code."""
        return f"{self.base}/static/{name}?v={__version__}"

    def service_url(self, name: str) -> str:
        """The page of a service name ('/' inside old names like 914c/g is escaped)."""
        return self.url("/service/" + quote(name, safe=""))

    def port_url(self, port: int) -> str:
        """The page of a port."""
        return f"{self.base}/port/{port}"

    # -- answers -----------------------------------------------------------------
    def report(self, port: int) -> PortReport:
        """The full answer for a port, with the sections other parts of portatlas add."""
        rep = self.registry.report(port)
        extras = list(rep.extras)
        for key, fn in (("how_to_check", lambda: sections.how_to_check(rep.port)),
                        ("advice", lambda: sections.advice(self.registry, rep.port)),
                        ("history", lambda: sections.history(self.registry, rep.port))):
            try:
                value = fn()
            except Exception as e:  # an optional section must never take the page down
                _warn_once(key, e)
                continue
            if value is not None:
                extras.append((key, value))
        return replace(rep, extras=tuple(extras)) if extras else rep

    def port_json(self, port: int) -> bytes:
        """``/api/ports/N``: the report as JSON bytes (cached)."""
        hit = self._json.get(("port", port))
        if hit is None:
            hit = self._json.put(("port", port), dump(self.report(port)))
        return hit

    def cached_port_json(self, port: int) -> bytes | None:
        """``/api/ports/N`` if already rendered, else None (the fast path never renders)."""
        return self._json.get(("port", port))

    def cached_page(self, path: str) -> Page | None:
        """The page at ``path`` if already rendered, else None."""
        return self._pages.get(path)

    def json(self, key: tuple[Any, ...], build: Any) -> bytes:
        """Any other JSON answer, cached under ``key``; ``build()`` gives the value."""
        hit = self._json.get(key)
        if hit is None:
            hit = self._json.put(key, dump(build()))
        return hit

    # -- pages -------------------------------------------------------------------
    def page(self, path: str) -> Page:
        """The rendered page at ``path`` (canonical form), cached; ``BadInput``/``NotFound`` otherwise."""
        hit = self._pages.get(path)
        if hit is None:
            hit = self._pages.put(path, self._render_path(path))
        return hit

    def render(self, template: str, **ctx: Any) -> str:
        """A template rendered with the site's globals."""
        return self.env.get_template(template).render(**ctx)

    def _render_path(self, path: str) -> Page:
        template, ctx = self.resolve(path)
        return self.render_page(path, template, ctx)

    def render_port(self, port: int) -> tuple[Page, bytes]:
        """A port's page and its JSON from one report (what the export writes for each port)."""
        rep = self.report(port)
        return self.render_page(f"/port/{rep.port}", "port.html", port_context(rep)), dump(rep)

    def render_page(self, path: str, template: str, ctx: dict[str, Any]) -> Page:
        """A page with its feedback section (split around the counts when served live)."""
        ctx.setdefault("path", path)
        html = self.render(template, feedback=self.feedback_markup(path), **ctx)
        if self.mode == "server" and _YES in html:
            head, _, rest = html.partition(_YES)
            mid, _, tail = rest.partition(_NO)
            return Page((head.encode(), mid.encode(), tail.encode()))
        return Page((html.encode(),))

    def feedback_markup(self, path: str) -> Markup:
        """The "Was this page helpful?" section for ``path``, or nothing (an export with no API)."""
        if self.mode == "server":
            return Markup(self.render("_feedback.html", page=path, api=self.base, yes=Markup(_YES),
                                      no=Markup(_NO), live=True))
        if self.settings.feedback_api:
            return Markup(self.render("_feedback.html", page=path, api=self.settings.feedback_api.rstrip("/"),
                                      yes="…", no="…", live=False))
        return Markup("")

    def resolve(self, path: str) -> tuple[str, dict[str, Any]]:
        """The template and context for a canonical page path."""
        if path == "/":
            return "index.html", self.index_context()
        kind, _, arg = path[1:].partition("/")
        if kind == "port" and arg:
            port = parse_port(arg)
            if str(port) != arg:
                raise NotFound(f"no page {shown(path)}: port pages are /port/0 to /port/65535")
            return "port.html", port_context(self.report(port))
        if kind == "ports" and arg:
            return "span.html", self.span_context(arg)
        if kind == "service" and arg:
            from urllib.parse import unquote

            svc = self.registry.service(unquote(arg))
            return "service.html", {"svc": svc, "rows": _service_rows(svc)}
        if kind == "range" and arg in ("system", "user", "dynamic"):
            return "range.html", self.range_context(PortRange(arg))
        if path == "/gaps":
            return "gaps.html", {"groups": [(r, self.registry.gaps(r)) for r in (PortRange.SYSTEM, PortRange.USER)]}
        if path == "/stats":
            return "stats.html", self.stats_context()
        raise NotFound(f"no page {shown(path)}: try /port/N, /service/NAME, /range/system, /gaps, /stats or /search")

    # -- page contexts -------------------------------------------------------------
    def index_context(self) -> dict[str, Any]:
        """The home page: the port-space picture's tiles and headline numbers."""
        st = self.registry.stats()
        tiles = []
        for t in range(256):
            lo, hi = t * 256, t * 256 + 255
            tiles.append((lo, hi))
        return {"tiles": tiles, "stats": st, "totals": _totals(st)}

    def span_context(self, arg: str) -> dict[str, Any]:
        """A run of ports, one row each."""
        lo_s, sep, hi_s = arg.partition("-")
        if not sep:
            raise BadInput(f"{shown(arg)} is not a range: write LOW-HIGH, e.g. /ports/300-310")
        lo, hi = parse_port(lo_s), parse_port(hi_s)
        if lo > hi:
            raise BadInput(f"range {lo}-{hi} runs backwards: write the lower port first")
        if hi - lo + 1 > MAX_SPAN:
            raise BadInput(f"range {lo}-{hi} holds {hi - lo + 1} ports; ask for at most {MAX_SPAN} at once")
        rows = []
        for info in self.registry.span(lo, hi):
            rows.append({
                "port": info.port,
                "state": state_word(info.state, info.range),
                "per": [(ts.transport.value.upper(), state_word(ts.state, info.range)) for ts in info.transports],
                "names": info.names,
                "desc": info.assignments[0].description if info.assignments else "",
            })
        prev = (max(0, lo - (hi - lo + 1)), lo - 1) if lo > 0 else None
        nxt = (hi + 1, min(65535, hi + 1 + (hi - lo))) if hi < 65535 else None
        return {"lo": lo, "hi": hi, "rows": rows, "prev": prev, "next": nxt}

    def range_context(self, rng: PortRange) -> dict[str, Any]:
        """A range: counts per transport, its largest gaps, its tiles."""
        st = self.registry.stats()
        counts = [c for c in st.counts if c.range is rng]
        gaps = self.registry.gaps(rng)[:25] if rng is not PortRange.DYNAMIC else []
        lo, hi = rng.bounds
        chunks = [(a, min(a + 255, hi)) for a in range(lo - lo % 256, hi + 1, 256)]
        chunks = [(max(a, lo), b) for a, b in chunks]
        return {"rng": rng, "counts": counts, "gaps": gaps, "chunks": chunks,
                "n_gaps": len(self.registry.gaps(rng)) if rng is not PortRange.DYNAMIC else 0}

    def stats_context(self) -> dict[str, Any]:
        """Counts per range and transport, and over time where the history work provides it."""
        st = self.registry.stats()
        over_time = None
        try:
            over_time = sections.stats_over_time()
        except Exception:  # an optional section must never take the page down
            over_time = None
        return {"stats": st, "totals": _totals(st), "over_time": _series(over_time)}

    def search_context(self, q: str, answer: Any = None) -> dict[str, Any]:
        """The search page: the ``SearchAnswer`` for ``q`` (hits best first, or a list of ports' lines)."""
        if answer is None and q.strip():
            answer = self.registry.search_answer(q, limit=50)
        return {"q": q, "answer": answer, "hits": answer.hits if answer is not None else (),
                "port_lines": answer.ports.ports if answer is not None and answer.ports is not None else ()}

    def ports_url(self, number: str) -> str:
        """The page of a port ('3389') or a range ('6000-6063')."""
        return self.port_url(int(number)) if "-" not in number else self.url(f"/ports/{number}")

    # -- the picture -------------------------------------------------------------
    def portspace_png(self) -> bytes:
        """The port-space picture (computed once per edition)."""
        if self._portspace is None:
            from portatlas.web.picture import portspace_png

            self._portspace = portspace_png(self.registry.index)
        return self._portspace


_warned: set[str] = set()


def _warn_once(section: str, e: Exception) -> None:
    if section not in _warned:
        _warned.add(section)
        import logging

        logging.getLogger("portatlas.web").warning("section %s left out: %s: %s", section, type(e).__name__, e)


def dump(value: Any) -> bytes:
    """A model value as compact UTF-8 JSON (the API's bytes)."""
    return json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":")).encode()


def _totals(st: Any) -> dict[str, Any]:
    tcp = [c for c in st.counts if c.transport is Transport.TCP]
    return {
        "assigned_tcp": sum(c.assigned for c in tcp),
        "reserved_tcp": sum(c.reserved for c in tcp),
        "unassigned_tcp": sum(c.unassigned for c in tcp if c.range is not PortRange.DYNAMIC),
        "dynamic": 65536 - 49152,
    }


def _service_rows(svc: Any) -> list[Any]:
    from portatlas.web.port_view import Notes, group_rows

    return group_rows(list(svc.records), Notes())


def _series(over_time: Any) -> Any:
    """Stats over time as chart series, whatever shape the history work returns; None if unknown."""
    if over_time is None:
        return None
    data = to_json(over_time)
    if isinstance(data, dict):
        for key in ("editions", "points", "series", "stats"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list) or not data:
        return None
    points = []
    for item in data:
        if not isinstance(item, dict):
            return None
        edition = item.get("edition") or item.get("date")
        counts = item.get("counts")
        if not edition or not isinstance(counts, list):
            return None
        sys_tcp = usr_tcp = None
        for c in counts:
            if isinstance(c, dict) and c.get("transport") == "tcp":
                if c.get("range") == "system":
                    sys_tcp = c.get("assigned")
                elif c.get("range") == "user":
                    usr_tcp = c.get("assigned")
        if sys_tcp is None or usr_tcp is None:
            return None
        points.append((str(edition), int(sys_tcp), int(usr_tcp)))
    # x by date, so the gap in the record shows as a gap, not a squeeze.
    from datetime import date

    try:
        days = [date.fromisoformat(e).toordinal() for e, _, _ in points]
    except ValueError:
        return None
    span = max(days[-1] - days[0], 1)
    return [(e, s, u, (d - days[0]) / span) for (e, s, u), d in zip(points, days)]


__all__ = ["Site", "Page", "dump"]
