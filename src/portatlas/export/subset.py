"""The pages of a partial export (`portatlas export site DIR --ports 300-310`).

A few ports' pages and JSON, the site's index pages (home, ranges, gaps,
stats; search is always written), and the pages those ports' pages link to
that are cheap to name from the registry: the 256-port span each sits in,
the multi-port rows covering it, the unassigned block around it, and the
services assigned on it. Links to other ports (the neighbours) stay dangling:
the export is for a quick look or a test, not for hosting.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from portatlas.atlas import Registry
from portatlas.model import TRANSPORTS

INDEX_PAGES = ("/", "/range/system", "/range/user", "/range/dynamic", "/gaps", "/stats")
MAX_SPAN = 4096  # the longest /ports/LOW-HIGH page the site serves


def linked_pages(registry: Registry, ports: Iterable[int]) -> tuple[list[str], list[str]]:
    """(pages, service names): the index pages and what the ports' pages link to, each once, in order."""
    pages: dict[str, None] = dict.fromkeys(INDEX_PAGES)
    services: dict[str, None] = {}
    for p in ports:
        low = p - p % 256
        pages[f"/ports/{low}-{low + 255}"] = None
        block = registry.block(p)
        if block is not None and block.size <= MAX_SPAN:
            pages[f"/ports/{block.low}-{block.high}"] = None
        for t in TRANSPORTS:
            for i in registry.index.row_ids(p, t):
                r = registry.index.record(i)
                if r.low is not None and r.high is not None and r.low < r.high and r.high - r.low < MAX_SPAN:
                    pages[f"/ports/{r.low}-{r.high}"] = None
                if r.name:
                    name = registry.service(r.name).name
                    services[name] = None
                    pages["/service/" + quote(name, safe="")] = None
    return list(pages), list(services)


__all__ = ["INDEX_PAGES", "linked_pages"]
