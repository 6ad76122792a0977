"""The registry's lists as terminal text: search results, unassigned blocks, counts."""

from __future__ import annotations

from portatlas.answers.rows import clean
from portatlas.cli.output import Out, plural

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.model import Block, Record, SearchHit, Stats

REGISTRY_TITLE = "IANA Service Name and Transport Protocol Port Number Registry"


def transports_of(records: Sequence[Record]) -> str:
    """'tcp and udp', 'all transports' (a row without a protocol is on every one)."""
    ts = list(dict.fromkeys(r.transport.value if r.transport else "all transports" for r in records))
    return ts[0] if len(ts) == 1 else ", ".join(ts[:-1]) + " and " + ts[-1]


def group_hits(hits: Sequence[SearchHit]) -> list[list[SearchHit]]:
    """Hits alike but for their transport (name, port and description) as one group, best first."""
    groups: dict[tuple[object, ...], list[SearchHit]] = {}
    for h in hits:
        r = h.record
        groups.setdefault((r.name, r.number, clean(r.description)), []).append(h)
    return list(groups.values())


def hits(out: Out, groups: Sequence[Sequence[SearchHit]]) -> None:
    """One line per group: name, port, transports, description and what matched."""
    rows = []
    for hs in groups:
        r = hs[0].record
        state = r.state.value
        rows.append((out.bold(r.name) if r.name else "-", out.tint(state, r.number or "(no port)"),
                     transports_of([h.record for h in hs]), f"{clean(r.description)}  [{hs[0].matched}]"))
    out.table(rows, indent=0)


def gaps(out: Out, blocks: Sequence[Block]) -> None:
    """Blocks, largest first: span, size, range, rank."""
    head = [tuple(out.bold(h) for h in ("block", f"{'size':>11}", "range", "rank"))]
    out.table(head + [(f"{b.low}-{b.high}" if b.size > 1 else str(b.low), f"{plural(b.size, 'port'):>11}",
                       b.range.value, f"rank {b.rank} of {b.of}") for b in blocks], indent=0)


def stats(out: Out, st: Stats) -> None:
    """A table of counts and percentages per range and transport."""
    head = ("range", "transport", "ports", "assigned", "reserved", "unassigned")
    rows = [tuple(out.bold(h) for h in head)]
    for c in st.counts:
        rows.append((c.range.value, c.transport.value, f"{c.total:>6}",
                     out.tint("assigned", f"{c.assigned:>6} ({c.percent('assigned'):5.1f}%)"),
                     out.tint("reserved", f"{c.reserved:>5} ({c.percent('reserved'):5.1f}%)"),
                     out.tint("unassigned", f"{c.unassigned:>6} ({c.percent('unassigned'):5.1f}%)")))
    out.table(rows, indent=0)
    out.line()
    out.line("Dynamic/Private ports (49152-65535) are never assigned: 'unassigned' there means free for "
             "private use, not available for assignment.")
    out.line(f"Source: {REGISTRY_TITLE}, edition {st.edition}")
