"""Page contexts beside the port page's: the /gaps pages and the figures the home and stats pages show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portatlas.errors import NotFound
from portatlas.model import PortRange, Transport, to_json
from portatlas.query.grammar import shown
from portatlas.web import urls

if TYPE_CHECKING:
    from portatlas.model import Stats
    from portatlas.web.site import Site


def gaps_context(site: Site, path: str, arg: str) -> dict[str, Any]:
    """One page of the unassigned blocks: System then User, largest first, ``GAPS_PER_PAGE`` a page."""
    blocks = site._gap_list()
    n_pages = urls.gaps_pages(len(blocks))
    page = int(arg) if arg.isascii() and arg.isdigit() and len(arg) < 6 else (1 if not arg else 0)
    if not 1 <= page <= n_pages or urls.gaps_path(page) != path:
        raise NotFound(f"no page {shown(path)}: the blocks are on /gaps and /gaps/2 to /gaps/{n_pages}")
    per = urls.GAPS_PER_PAGE
    on_page = blocks[(page - 1) * per:page * per]
    totals = {r: len(site.registry.gaps(r)) for r in (PortRange.SYSTEM, PortRange.USER)}
    groups = [(r, [b for b in on_page if b.range is r], totals[r]) for r in totals]
    prev = site.url(urls.gaps_path(page - 1)) if page > 1 else None
    nxt = site.url(urls.gaps_path(page + 1)) if page < n_pages else None
    return {"groups": [g for g in groups if g[1]], "page": page, "n_pages": n_pages, "prev": prev, "next": nxt,
            "rel_prev": prev, "rel_next": nxt, "per": per,
            "pages": [(n, site.url(urls.gaps_path(n))) for n in range(1, n_pages + 1)],
            "first": (page - 1) * per + 1, "last": (page - 1) * per + len(on_page), "total": len(blocks)}


def _totals(st: Stats) -> dict[str, Any]:
    tcp = [c for c in st.counts if c.transport is Transport.TCP]
    return {
        "assigned_tcp": sum(c.assigned for c in tcp),
        "reserved_tcp": sum(c.reserved for c in tcp),
        "unassigned_tcp": sum(c.unassigned for c in tcp if c.range is not PortRange.DYNAMIC),
        "dynamic": 65536 - 49152,
    }



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


