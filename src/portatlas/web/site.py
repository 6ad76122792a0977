"""The site: every page and JSON answer, rendered from the registry, cached per edition.

The server and the static export both render through ``Site``: a port page
and ``/api/ports/N`` come from the same ``PortAnswer`` (the library's answer,
which the command line prints too). A page's HTML is
cached as three parts around the feedback counts, so serving a cached page
costs a dict lookup and a join.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup, escape

from portatlas import __version__
from portatlas.atlas import Registry
from portatlas.errors import BadInput, NotFound
from portatlas.model import Block, PortRange
from portatlas.query.grammar import parse_port, shown
from portatlas.value import to_data, value
from portatlas.web import seo, urls
from portatlas.web.assets import Assets
from portatlas.web.cache import ByteLRU
from portatlas.web.contexts import _series, _totals, gaps_context
from portatlas.web.picture import PALETTE
from portatlas.web.port_view import REGISTRY_TITLE, REGISTRY_URL, neighbour_summary, port_context
from portatlas.web.settings import Settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from portatlas.answers.port import PortAnswer
    from portatlas.answers.search import SearchAnswer

TEMPLATES = Path(__file__).parent / "templates"
MAX_SPAN = urls.MAX_SPAN
LARGE_SLOT = 8 * 1024 * 1024  # bytes kept for answers too large for the JSON cache (beside cache_mb)

_YES, _NO = "\x01", "\x02"  # stand-ins for the counts while a page is rendered once
_DESC = "\x04"  # stand-in for the description, read from the rendered lead


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
        # Absolute URLs (canonical, og:url, sitemap) need the site's address: known only from an absolute base.
        self.origin = self.base if self.base.startswith(("http://", "https://")) else ""
        # The path the site lives under (/sub of https://host/sub): what robots.txt's paths start with.
        self.path_prefix = urlsplit(self.base).path.rstrip("/") if self.origin else self.base
        self.assets = Assets()
        self.edition = registry.edition
        self.etag = f'"{self.edition}.{__version__}"'
        budget = max(1, self.settings.cache_mb) * 1024 * 1024
        self._json: ByteLRU[bytes] = ByteLRU(budget // 3, len)
        # Answers larger than the JSON cache (/api/ports/0-4095 is 5 MB) get a slot of their own,
        # so a repeated request does not render them again.
        self._large: ByteLRU[bytes] = ByteLRU(LARGE_SLOT, len)
        self._pages: ByteLRU[Page] = ByteLRU(budget - budget // 3, lambda p: p.size)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,  # registry text and visitor comments are never markup
            trim_blocks=True, lstrip_blocks=True,
        )
        self.env.globals.update(
            url=self.url, static=self.static_url, svc_url=self.service_url, port_url=self.port_url,
            svc_json_url=self.service_json_url,
            ports_url=self.ports_url,
            site=self, edition=self.edition, version=__version__, palette=PALETTE,
            registry_title=REGISTRY_TITLE, registry_url=REGISTRY_URL, neighbour_summary=neighbour_summary,
            gaps_url=self.gaps_url, span_url=self.span_url,
            picture_url=self.picture_url,
        )
        self.env.filters["tojsonable"] = to_data
        self._portspace: bytes | None = None
        self._sitemap: list[list[str]] | None = None
        self._spans: frozenset[str] | None = None
        self.lastmod = self.edition if len(self.edition) == 10 else ""  # an edition is its registry's date

    # -- links -----------------------------------------------------------------
    def url(self, path: str) -> str:
        """A link to a page or API document of this site (in an export, to the file written for it)."""
        return self.base + self.link_path(path)

    def link_path(self, path: str) -> str:
        """``path`` as this site links to it: as served, or in an export where the export writes it."""
        return urls.static_path(path) if self.mode == "export" else path

    def service_json_url(self, name: str) -> str:
        """The JSON document (NameAnswer) of a service or program name."""
        return self.url("/api/services/" + quote(name, safe=""))

    def static_url(self, name: str) -> str:
        """A link to a static file under its content-hashed name (cached for a year)."""
        return f"{self.base}/static/{self.assets.name(name)}"

    def picture_url(self) -> str:
        """The port-space picture, drawn once per edition, under its hashed name."""
        if not self.assets.has("portspace.png"):
            self.assets.add("portspace.png", self.portspace_png())
        return self.static_url("portspace.png")

    def service_url(self, name: str) -> str:
        """The page of a service name ('/' inside old names like 914c/g is escaped)."""
        return self.url(urls.service_path(name))

    def port_url(self, port: int) -> str:
        """The page of a port."""
        return self.base + urls.port_path(port)

    def span_url(self, low: int, high: int) -> str:
        """The page of a run of ports."""
        return self.base + urls.span_path(low, high)

    def gaps_url(self, block: Block | PortRange | None = None) -> str:
        """The /gaps page listing ``block`` (with its anchor), or the first page."""
        if block is None:
            return self.url(urls.gaps_path())
        blocks = self._gap_list()
        if isinstance(block, PortRange):  # where that range's blocks start
            first = next((i for i, b in enumerate(blocks) if b.range is block), 0)
            return self.url(urls.gaps_path(first // urls.GAPS_PER_PAGE + 1)) + f"#{block.value}"
        for i, b in enumerate(blocks):
            if b.low == block.low and b.range is block.range:
                return self.url(urls.gaps_path(i // urls.GAPS_PER_PAGE + 1)) + f"#gap-{b.low}"
        first = next((i for i, b in enumerate(blocks) if b.range is block.range), 0)
        return self.url(urls.gaps_path(first // urls.GAPS_PER_PAGE + 1)) + f"#{block.range.value}"

    def _gap_list(self) -> list[Block]:
        return [b for r in (PortRange.SYSTEM, PortRange.USER) for b in self.registry.gaps(r)]

    # -- answers -----------------------------------------------------------------
    def answer(self, port: int) -> PortAnswer:
        """The library's whole answer for a port (what the page, the API and the command line show)."""
        return self.registry.answer(port)

    def port_json(self, port: int) -> bytes:
        """``/api/ports/N``: the report as JSON bytes (cached)."""
        hit = self._json.get(("port", port))
        if hit is None:
            hit = self._json.put(("port", port), dump(self.answer(port)))
        return hit

    def cached_port_json(self, port: int) -> bytes | None:
        """``/api/ports/N`` if already rendered, else None (the fast path never renders)."""
        return self._json.get(("port", port))

    def cached_page(self, path: str) -> Page | None:
        """The page at ``path`` if already rendered, else None."""
        return self._pages.get(path)

    def json(self, key: tuple[Any, ...], build: Callable[[], object]) -> bytes:
        """Any other JSON answer, cached under ``key``; ``build()`` gives the value."""
        hit = self._json.get(key) or self._large.get(key)
        if hit is None:
            hit = dump(build())
            (self._json if len(hit) <= self._json.max_bytes else self._large).put(key, hit)
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

    def render_doc(self, template: str, path: str, **ctx: Any) -> str:
        """A page outside the cache (search results, errors, thanks) with its trail and description,
        and no canonical link (such pages are not for search engines to keep)."""
        ctx.setdefault("path", path)
        ctx.update(self.seo_context(path, ctx), canonical=None)
        html = self.render(template, **ctx)
        given = ctx.get("description")
        return html.replace(_DESC, str(escape(given if given and given != _DESC else seo.description_from(html))))

    def _render_path(self, path: str) -> Page:
        template, ctx = self.resolve(path)
        return self.render_page(path, template, ctx)

    def render_port(self, port: int) -> tuple[Page, bytes]:
        """A port's page and its JSON from one answer (what the export writes for each port)."""
        a = self.answer(port)
        return self.render_page(urls.port_path(a.port), "port.html", port_context(a)), dump(a)

    def render_page(self, path: str, template: str, ctx: dict[str, Any]) -> Page:
        """A page with its feedback section (split around the counts when served live)."""
        ctx.setdefault("path", path)
        ctx.update(self.seo_context(path, ctx))
        html = self.render(template, feedback=self.feedback_markup(path), **ctx)
        given = ctx.get("description")
        desc = str(given) if given and given != _DESC else seo.description_from(html)
        html = html.replace(_DESC, str(escape(desc)))
        if self.mode == "server" and _YES in html:
            head, _, rest = html.partition(_YES)
            mid, _, tail = rest.partition(_NO)
            return Page((head.encode(), mid.encode(), tail.encode()))
        return Page((html.encode(),))

    def seo_context(self, path: str, ctx: dict[str, Any]) -> dict[str, Any]:
        """The head's canonical URL, trail, JSON-LD and description stand-in for a page."""
        crumbs = seo.trail(path)
        return {
            "canonical": self.origin + self.link_path(path) if self.origin else None,
            "trail": [(name, self.url(p)) for name, p in crumbs],
            "jsonld": seo.jsonld([(name, (self.origin or self.base) + self.link_path(p)) for name, p in crumbs],
                                 ctx.get("faq")),
            "description": ctx.get("description") or Markup(_DESC),
        }

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
            return "port.html", port_context(self.answer(port))
        if kind == "ports" and arg:
            return "span.html", self.span_context(arg)
        if kind == "service" and arg:
            from urllib.parse import unquote

            svc = self.registry.service(unquote(arg))
            n = self.registry.name(svc.name)
            what = next((r.description for r in n.rows if r.description), "")
            ports = list(dict.fromkeys(r.number for r in n.rows if r.number))
            return "service.html", {"n": n, "ports": ports, "cite": {s.url: s.n for s in n.sources if s.url},
                                    "description": (
                f"{svc.name}{f' ({what})' if what and what != svc.name else ''} in the IANA port registry: "
                "every row registering the name, with its ports, transports, references and assignees, and "
                "the software known by that name.")}
        if kind == "range" and arg in ("system", "user", "dynamic"):
            return "range.html", self.range_context(PortRange(arg))
        if kind == "gaps":
            return "gaps.html", self.gaps_context(path, arg)
        if path == "/stats":
            return "stats.html", self.stats_context()
        raise NotFound(f"no page {shown(path)}: try /port/N, /service/NAME, /range/system, /gaps, /stats or /search")

    # -- page contexts -------------------------------------------------------------
    def index_context(self) -> dict[str, Any]:
        """The home page: the port-space picture's tiles and headline numbers."""
        st = self.registry.stats()
        tiles = [(t * 256, t * 256 + 255) for t in range(256)]
        rows = [(r * 4096, r * 4096 + 4095, [PortRange.of(p).title for p in (r * 4096, r * 4096 + 4095)],
                 tiles[r * 16:r * 16 + 16]) for r in range(16)]
        return {"tiles": tiles, "rows": rows, "stats": st, "totals": _totals(st)}

    def gaps_context(self, path: str, arg: str) -> dict[str, Any]:
        """One page of the unassigned blocks: System then User, largest first, 100 a page."""
        return gaps_context(self, path, arg)

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
        ans = self.registry.ports(f"{lo}-{hi}")
        prev = (max(0, lo - (hi - lo + 1)), lo - 1) if lo > 0 else None
        nxt = (hi + 1, min(65535, hi + 1 + (hi - lo))) if hi < 65535 else None
        if self.mode == "export":  # the export writes only the spans other pages link to: no pager to others
            spans = self.export_spans()
            prev = prev if prev and urls.span_path(*prev) in spans else None
            nxt = nxt if nxt and urls.span_path(*nxt) in spans else None
        return {"lo": lo, "hi": hi, "ans": ans, "prev": prev, "next": nxt,
                "rel_prev": self.span_url(*prev) if prev else None, "rel_next": self.span_url(*nxt) if nxt else None}

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
            from portatlas.registry.history import stats_over_time

            over_time = stats_over_time()
        except Exception:  # noqa: BLE001 - the chart is optional: the page stands without it
            over_time = None
        return {"stats": st, "totals": _totals(st), "over_time": _series(over_time)}

    def search_context(self, q: str, answer: SearchAnswer | None = None) -> dict[str, Any]:
        """The search page: the ``SearchAnswer`` for ``q`` (hits best first, or a list of ports' lines)."""
        if answer is None and q.strip():
            answer = self.registry.search_answer(q, limit=50)
        return {"q": q, "answer": answer, "hits": answer.hits if answer is not None else (),
                "port_lines": answer.ports.ports if answer is not None and answer.ports is not None else ()}

    def ports_url(self, number: str) -> str:
        """The page of a port ('3389') or a range ('6000-6063')."""
        return self.port_url(int(number)) if "-" not in number else self.url(f"/ports/{number}")

    def export_spans(self) -> frozenset[str]:
        """The /ports/LOW-HIGH pages a whole export writes (computed once)."""
        if self._spans is None:
            self._spans = frozenset(p for p in urls.other_pages(self.registry) if p.startswith("/ports/"))
        return self._spans

    def sitemap_chunks(self) -> list[list[str]]:
        """Every page path in sitemap chunks (computed once)."""
        if self._sitemap is None:
            self._sitemap = seo.sitemap_chunks(self.registry)
        return self._sitemap

    # -- the picture -------------------------------------------------------------
    def portspace_png(self) -> bytes:
        """The port-space picture (computed once per edition)."""
        if self._portspace is None:
            from portatlas.web.picture import portspace_png

            self._portspace = portspace_png(self.registry.index)
        return self._portspace


def dump(value: Any) -> bytes:
    """A model value as compact UTF-8 JSON (the API's bytes)."""
    return json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":")).encode()


__all__ = ["Page", "Site", "dump"]
