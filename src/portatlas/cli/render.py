"""Plain-text renderings of the library's answers (bold headings on a terminal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from portatlas.atlas import _join
from portatlas.model import (
    Block,
    Neighbour,
    PortInfo,
    PortRange,
    Record,
    SearchHit,
    ServiceInfo,
    State,
    Stats,
)
from portatlas.cli.common import bold

REGISTRY_TITLE = "IANA Service Name and Transport Protocol Port Number Registry"


def _transports(records: Sequence[Record]) -> str:
    ts = [r.transport.value.upper() if r.transport else "all transports" for r in records]
    return _join(list(dict.fromkeys(ts)))


def group_rows(records: Iterable[Record]) -> list[tuple[Record, list[Record]]]:
    """Rows alike but for their transport, grouped: (first row, all rows)."""
    groups: dict[tuple[object, ...], list[Record]] = {}
    for r in records:
        key = (r.name, r.number, r.description, tuple(p.id for p in r.people),
               tuple(x.label for x in r.rfcs), r.note, r.registered, r.updated, r.unauthorized)
        groups.setdefault(key, []).append(r)
    return [(rows[0], rows) for rows in groups.values()]


def record_lines(r: Record, rows: Sequence[Record], indent: str = "  ") -> list[str]:
    """A registry row in a few lines: name, number, transports, description, then its details."""
    head = r.name or r.description
    lines = [f"{indent}{bold(head)}  {r.number or '(no port)'} on {_transports(rows)}"
             + (f"  {r.description}" if r.name else "")]
    sub = indent + "    "
    if r.assignees:
        lines.append(f"{sub}assignee: {', '.join(p.display for p in r.assignees)}")
    contacts = [p for p in r.contacts if p.id not in {a.id for a in r.assignees}]
    if contacts:
        lines.append(f"{sub}contact: {', '.join(p.display for p in contacts)}")
    refs = [x.label for x in r.xrefs if x.type not in ("person", "note") and x.label]
    if refs:
        lines.append(f"{sub}references: {'; '.join(refs)}")
    dates = [f"registered {r.registered}" if r.registered else "", f"updated {r.updated}" if r.updated else ""]
    if any(dates):
        lines.append(f"{sub}{', '.join(d for d in dates if d)}")
    if r.service_code is not None:
        lines.append(f"{sub}service code: {r.service_code}")
    if r.unauthorized:
        lines.append(f"{sub}{r.unauthorized}")
    if r.note:
        note = r.note.replace("\n", "\n" + sub + "      ")
        lines.append(f"{sub}note: {note}")
    return lines


def neighbour_text(n: Neighbour) -> str:
    """'300  tacacss on TCP (registered 2025-07-15, RFC 9887); reserved on UDP'."""
    by: dict[str, list[str]] = {}
    for (t, state), (_, names) in zip(n.states, n.names):
        if state is State.ASSIGNED:
            label = ", ".join(names)
        elif state is State.RESERVED:
            label = "reserved"
        else:
            continue
        by.setdefault(label, []).append(t.value.upper())
    parts = [f"{label} on {_join(ts)}" for label, ts in by.items()]
    extra = []
    if n.registered:
        extra.append(f"registered {n.registered}")
    extra.extend(n.references)
    text = f"{n.port}  " + "; ".join(parts)
    return text + (f" ({', '.join(extra)})" if extra else "")


def block_text(b: Block) -> str:
    """'301-307: 7 ports unassigned on TCP and UDP, rank 16 of 53 blocks in the System range'."""
    span = f"{b.low}-{b.high}" if b.size > 1 else str(b.low)
    ports = "port" if b.size == 1 else "ports"
    return (f"{span}: {b.size} {ports} unassigned on {_join([t.value.upper() for t in b.transports])}, "
            f"rank {b.rank} of {b.of} blocks in the {b.range.title.split()[0]} range")


def span_text(infos: Sequence[PortInfo]) -> str:
    """One line per port: number, state, names per transport."""
    lines = []
    for info in infos:
        if info.state is State.ASSIGNED:
            groups = group_rows(info.assignments)
            what = "; ".join(f"{r.name} ({_transports(rows).lower()})" for r, rows in groups)
            desc = groups[0][0].description
            lines.append(f"{info.port:>5}  assigned    {what}  {desc}")
        else:
            state = "dynamic" if info.range is PortRange.DYNAMIC else info.state.value
            lines.append(f"{info.port:>5}  {state:<10}")
    return "\n".join(lines)


def service_text(s: ServiceInfo) -> str:
    """A service name and each row registering it."""
    out = [bold(f"Service {s.name}")]
    for r, rows in group_rows(s.records):
        out += record_lines(r, rows)
    return "\n".join(out)


def hits_text(hits: Sequence[SearchHit]) -> str:
    """Search results, rows alike but for transport folded into one line."""
    seen: dict[tuple[object, ...], list[SearchHit]] = {}
    for h in hits:
        seen.setdefault((h.record.name, h.record.number, h.record.description), []).append(h)
    lines = []
    for (name, number, desc), hs in seen.items():
        ts = _transports([h.record for h in hs]).lower()
        lines.append(f"{name or '-':<20} {number or '(no port)':>11}  {ts:<16} {desc}  [{hs[0].matched}]")
    return "\n".join(lines)


def gaps_text(blocks: Sequence[Block]) -> str:
    """Blocks, largest first."""
    return "\n".join(
        f"{b.low:>5}-{b.high:<5} {b.size:>5} ports  {b.range.value:<6}  rank {b.rank} of {b.of}"
        for b in blocks
    )


def stats_text(st: Stats) -> str:
    """A table of counts and percentages per range and transport."""
    out = [f"{'range':<8} {'transport':<9} {'ports':>6} {'assigned':>15} {'reserved':>14} {'unassigned':>15}"]
    for c in st.counts:
        out.append(f"{c.range.value:<8} {c.transport.value:<9} {c.total:>6} "
                   f"{c.assigned:>6} ({c.percent('assigned'):5.1f}%) {c.reserved:>5} ({c.percent('reserved'):5.1f}%) "
                   f"{c.unassigned:>6} ({c.percent('unassigned'):5.1f}%)")
    out.append("")
    out.append("Dynamic/Private ports (49152-65535) are never assigned: 'unassigned' there means free for "
               "private use, not available for assignment.")
    out.append(f"Source: {REGISTRY_TITLE}, edition {st.edition}")
    return "\n".join(out)
