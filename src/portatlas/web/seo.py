"""What search engines read: the trail, JSON-LD, descriptions, the sitemap and robots.txt.

All of it comes from what a page already shows: the trail from its path, the
description from its lead paragraph (or the context's ``description``), the
FAQPage from the context's ``faq`` list of (question, answer).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from markupsafe import Markup

from portatlas.model import PortRange
from portatlas.web import urls

if TYPE_CHECKING:
    from portatlas.atlas import Registry

SITEMAP_CHUNK = 50_000  # URLs per sitemap file: the sitemaps protocol's limit
DESCRIPTION_MAX = 300
_LEAD = re.compile(r'<p class="lead"[^>]*>(.*?)</p>', re.DOTALL)
_FIRST_P = re.compile(r"<main[^>]*>.*?<p[^>]*>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def trail(path: str) -> list[tuple[str, str]]:
    """The breadcrumb trail of a page as (name, path), home first, the page itself last."""
    home = [("portatlas", "/")]
    kind, _, arg = path[1:].partition("/")
    if kind == "port" and arg.isdigit():
        p = int(arg)
        rng = PortRange.of(p)
        lo = p - p % 256
        return [*home, (rng.title, urls.range_path(rng.value)),
                (f"Ports {lo}-{lo + 255}", urls.span_path(lo, lo + 255)), (f"Port {p}", path)]
    if kind == "ports" and arg:
        first = arg.partition("-")[0]
        of = PortRange.of(int(first)) if first.isdigit() else None
        up = [(of.title, urls.range_path(of.value))] if of else []
        return home + up + [(f"Ports {arg}", path)]
    if kind == "service" and arg:
        from urllib.parse import unquote

        return [*home, (f"Service {unquote(arg)}", path)]
    if kind == "range" and arg in urls.RANGES:
        return [*home, (PortRange(arg).title, path)]
    if kind == "gaps":
        gaps = [("Unassigned blocks", urls.gaps_path())]
        return home + gaps + ([(f"Page {arg}", path)] if arg else [])
    if path == "/stats":
        return [*home, ("Statistics", path)]
    if path == "/search":
        return [*home, ("Search", path)]
    return home if path == "/" else [*home, (path, path)]


def jsonld(trail_urls: list[tuple[str, str]], faq: Iterable[tuple[str, str]] | None) -> Markup:
    """The page's JSON-LD: a BreadcrumbList, and a FAQPage when it has questions; safe inside <script>."""
    docs: list[dict[str, Any]] = [{
        "@context": "https://schema.org", "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": i, "name": name, "item": href}
                            for i, (name, href) in enumerate(trail_urls, 1)],
    }]
    questions = [{"@type": "Question", "name": str(q),
                  "acceptedAnswer": {"@type": "Answer", "text": str(a)}} for q, a in (faq or ())]
    if questions:
        docs.append({"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": questions})
    text = json.dumps(docs if len(docs) > 1 else docs[0], ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" inside registry text must not end the element early.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def description_from(page_html: str) -> str:
    """The page's lead paragraph (else its first paragraph) as plain text, shortened at a word."""
    m = _LEAD.search(page_html) or _FIRST_P.search(page_html)
    text = html.unescape(_TAG.sub("", m.group(1))) if m else ""
    text = re.sub(r"\s+", " ", re.sub(r"\[\d+\]", "", text)).strip()
    if len(text) > DESCRIPTION_MAX:
        text = text[:DESCRIPTION_MAX].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def all_paths(registry: Registry) -> Iterator[str]:
    """Every page of the site, in sitemap order: home, ranges, gaps, stats, ports, spans, services."""
    return in_sitemap_order(urls.other_pages(registry), range(65536))


def in_sitemap_order(others: list[str], ports: Iterable[int]) -> Iterator[str]:
    """The pages ``others`` and the pages of ``ports``: the index pages, the ports, then spans and services."""
    yield from (p for p in others if not p.startswith(("/ports/", "/service/")))
    yield from (urls.port_path(p) for p in ports)
    yield from (p for p in others if p.startswith(("/ports/", "/service/")))


def sitemap_chunks(registry: Registry) -> list[list[str]]:
    """Every page path, in chunks of at most ``SITEMAP_CHUNK``."""
    return chunked(list(all_paths(registry)))


def chunked(paths: list[str]) -> list[list[str]]:
    """``paths`` in sitemap chunks of at most ``SITEMAP_CHUNK``."""
    return [paths[i:i + SITEMAP_CHUNK] for i in range(0, len(paths), SITEMAP_CHUNK)]


def sitemap_index(origin: str, n_chunks: int, lastmod: str) -> bytes:
    """``/sitemap.xml``: the index naming each chunk."""
    items = "".join(f"<sitemap><loc>{xml_escape(origin + chunk_path(i))}</loc><lastmod>{lastmod}</lastmod></sitemap>"
                    for i in range(1, n_chunks + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>\n').encode()


def sitemap_chunk(origin: str, paths: list[str], lastmod: str) -> bytes:
    """``/sitemaps/N.xml``: one chunk's URLs."""
    tail = f"</loc><lastmod>{lastmod}</lastmod></url>\n"
    body = "".join("<url><loc>" + xml_escape(origin + p) + tail for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</urlset>\n').encode()


def chunk_path(n: int) -> str:
    """``/sitemaps/N.xml``."""
    return f"/sitemaps/{n}.xml"


def robots(origin: str | None, prefix: str = "") -> bytes:
    """robots.txt: crawl the pages, not the search; name the sitemap when the site's address is known.

    ``prefix`` is the path the site lives under (``/sub`` of ``https://host/sub``): its search is there.
    """
    lines = ["User-agent: *", f"Disallow: {prefix}/api/search", f"Disallow: {prefix}/search"]
    if origin:
        lines.append(f"Sitemap: {origin}/sitemap.xml")
    return ("\n".join(lines) + "\n").encode()


__all__ = [
    "SITEMAP_CHUNK",
    "all_paths",
    "chunk_path",
    "chunked",
    "description_from",
    "in_sitemap_order",
    "jsonld",
    "robots",
    "sitemap_chunk",
    "sitemap_chunks",
    "sitemap_index",
    "trail",
]
