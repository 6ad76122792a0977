"""History, diffs, counts over time, updates and the edition in use as terminal text."""

from __future__ import annotations

from portatlas.answers.rows import clean
from portatlas.cli.output import Out, plural

TYPE_CHECKING = False
if TYPE_CHECKING:  # only named in annotations: `portatlas history` need not load the updater or the store
    from collections.abc import Sequence

    from portatlas.model import PortRange, Record, Transport
    from portatlas.registry.history import (
        EditionDiff,
        FieldChange,
        PortEvent,
        PortHistory,
        ServiceHistory,
        StatsOverTime,
        TransportHistory,
    )
    from portatlas.source.update import UpdateResult
    from portatlas.store.editions import EditionInUse, StoredEdition

MAX_LISTED = 200  # rows per section of a diff in text, by default; --json has everything
WHEN = 34  # "between 2024-03-18 and 2025-08-26" and "present since at least 2017-03-10" fit


def _dates(r: Record) -> str:
    parts = [f"registered {r.registered}" if r.registered else "", f"updated {r.updated}" if r.updated else ""]
    return ", ".join(p for p in parts if p)


def _refs(r: Record) -> str:
    return "; ".join(x.label for x in r.rfcs if x.label)


def change_text(c: FieldChange) -> str:
    """'description: "old" -> "new"'."""
    def q(v: str | None) -> str:
        return f'"{clean(v)}"' if v is not None else "(none)"

    return f"{c.field}: {q(c.old)} -> {q(c.new)}"


def _row_line(out: Out, text: str, col: int) -> None:
    out.line(text, out.room(col, 6), hang=4)


def _event(out: Out, ev: PortEvent, rng: PortRange) -> None:
    names = ", ".join(dict.fromkeys(r.name or "" for r in ev.records))
    if ev.state == "assigned":
        word = {"present": "assigned", "assigned": "assigned", "changed": "changed"}[ev.kind]
        head = out.tint("assigned", word) + f": {names}"
    elif ev.state == "reserved":
        head = out.tint("reserved", "de-assigned and reserved" if ev.kind == "de-assigned" else "reserved")
    elif rng == "dynamic":
        head = out.tint("dynamic", "dynamic/private, never assigned")
    elif ev.kind == "de-assigned":
        head = out.tint("deassigned", "de-assigned or revoked") + ": unassigned"
    else:
        head = out.tint("unassigned", "no longer reserved: unassigned" if ev.kind == "released" else "unassigned")
    col = 2 + WHEN + 1
    out.line(f"{ev.when:<{WHEN}} {head}", 2, hang=out.room(WHEN + 1, 4))
    added = {c.new for c in ev.changes if c.field == "name" and c.new}
    for r in ev.records if ev.state == "assigned" else ():
        if ev.kind == "changed" and r.name not in added:
            continue  # an unchanged or edited row: its changes below say what moved
        extra = [x for x in (", ".join(p.display for p in r.assignees), _refs(r), _dates(r)) if x]
        _row_line(out, f"{r.name}: {clean(r.description)}" + (f" ({'; '.join(extra)})" if extra else ""), col)
    for c in ev.changes:
        if c.field == "state" or (c.field == "name" and c.new):
            continue
        if c.field == "name":
            _row_line(out, f"{c.old}: no longer assigned here", col)
        else:
            _row_line(out, f"{c.record + ': ' if c.record else ''}{change_text(c)}", col)


def port_history(out: Out, h: PortHistory) -> None:
    """A port's timeline, transports with the same story told once."""
    groups: dict[tuple[object, ...], list[TransportHistory]] = {}
    for th in h.transports:
        key = tuple((e.kind, e.state, e.first, tuple(r.name for r in e.records)) for e in th.events)
        groups.setdefault(key, []).append(th)
    out.line(out.bold(f"Port {h.port}: history in {h.editions} editions of the registry, "
                      f"{h.first_edition} to {h.last_edition}"))
    for ths in groups.values():
        names = [str(t.transport).upper() for t in ths]
        out.heading(names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])
        events = ths[0].events
        for ev in events:
            _event(out, ev, h.range)
        if len(events) == 1:
            _no_change(out, h.editions)
    _gaps(out, h.gaps)


def service_history(out: Out, h: ServiceHistory) -> None:
    """A service name's timeline: its rows when registered, then what changed."""
    from portatlas.registry.history import row_label

    out.line(out.bold(f"Service {h.name}: history in {h.editions} editions of the registry, "
                      f"{h.first_edition} to {h.last_edition}"))
    out.line()
    col = 2 + WHEN + 1
    for ev in h.events:
        ports = ", ".join(dict.fromkeys(row_label(r) for r in ev.records))
        head = {"present": out.tint("assigned", "registered") + f": {ports}",
                "registered": out.tint("assigned", "registered") + f": {ports}",
                "changed": f"changed, now: {ports}",
                "removed": out.tint("deassigned", "removed from the registry")}[ev.kind]
        out.line(f"{ev.when:<{WHEN}} {head}", 2, hang=out.room(WHEN + 1, 4))
        added = {c.new for c in ev.changes if c.field == "row" and c.new}
        for r in ev.records:
            if ev.kind == "changed" and row_label(r) not in added:
                continue  # an unchanged or edited row: its changes below say what moved
            extra = [x for x in (", ".join(p.display for p in r.assignees), _refs(r), _dates(r)) if x]
            _row_line(out, f"{row_label(r)}: {clean(r.description)}" + (f" ({'; '.join(extra)})" if extra else ""),
                      col)
        for c in ev.changes:
            if c.field == "row" and c.old:
                _row_line(out, f"{c.old}: given back (de-assigned or revoked)", col)
            elif c.field != "row":
                _row_line(out, f"{c.record}: {change_text(c)}", col)
    if len(h.events) == 1 and h.events[0].kind == "present":
        _no_change(out, h.editions)
    _gaps(out, h.gaps)


def _no_change(out: Out, editions: int) -> None:
    out.line(f"(no change in {editions} editions)", out.room(2 + WHEN + 1, 6))


def _gaps(out: Out, gaps: Sequence[tuple[str, str]]) -> None:
    """The closing note on the registry's gaps between editions, where there are any."""
    if gaps:
        spans = "; ".join(f"{a} and {b}" for a, b in gaps)
        out.line()
        out.line(f"No editions between {spans}: a change there is dated to the gap. "
                 "Dates beside a row are the registry's own.")


def _record_row(r: Record) -> tuple[str, str, str, str]:
    t = r.transport.value if r.transport else "all"
    extra = "; ".join(x for x in (_refs(r), _dates(r)) if x)
    return (f"{r.number or '(no port)':>11}", t, r.name or r.state.value,
            clean(r.description) + (f"  [{extra}]" if extra else ""))


def diff(out: Out, d: EditionDiff, limit: int = MAX_LISTED) -> None:
    """Counts, then added, removed and changed rows (at most ``limit`` of each; 0 for all)."""
    c = d.counts
    out.line(out.bold(f"Changes from edition {d.old} to {d.new}"))
    out.line(f"{plural(c.added, 'row')} added ({plural(c.assignments_added, 'port assignment')}), "
             f"{c.removed:,} removed ({plural(c.assignments_removed, 'port assignment')} de-assigned or revoked), "
             f"{c.changed:,} changed", 2)

    def more(n: int) -> None:
        if limit and n > limit:
            out.line(f"... and {n - limit:,} more (--limit 0 or --json lists all)", 2)

    for title, word, items in (("Added", "assigned", d.added), ("Removed", "deassigned", d.removed)):
        if items:
            out.heading(out.tint(word, f"{title} ({len(items):,})"))
            out.table([_record_row(r) for r in (items[:limit] if limit else items)])
            more(len(items))
    if d.changed:
        out.heading(f"Changed ({len(d.changed):,})")
        for ch in d.changed[:limit] if limit else d.changed:
            out.table([_record_row(ch.after)])
            for f in ch.changes:
                out.line(change_text(f), out.room(19, 6), hang=4)
        more(len(d.changed))
    if not (d.added or d.removed or d.changed):
        out.line("no differences", 2)


def stats_over_time(out: Out, s: StatsOverTime, transport: Transport, all_rows: bool = False) -> None:
    """One line per edition whose counts on ``transport`` changed (every edition with ``all_rows``)."""
    from portatlas.cli.render import REGISTRY_TITLE

    out.line(out.bold(f"State counts on {str(transport).upper()} per edition"))
    rows = [tuple(out.bold(h) for h in ("edition", "system: assigned", "reserved", "unassigned",
                                        "user: assigned", "reserved", "unassigned"))]
    prev: tuple[int, ...] | None = None
    for i, st in enumerate(s.editions):
        row: list[int] = []
        for c in st.counts:
            if c.transport == transport and c.range != "dynamic":
                row += [c.assigned, c.reserved, c.unassigned]
        key = tuple(row)
        if all_rows or key != prev or i == len(s.editions) - 1:
            rows.append((st.edition, f"{row[0]:>16}", f"{row[1]:>8}", f"{row[2]:>10}",
                         f"{row[3]:>14}", f"{row[4]:>8}", f"{row[5]:>10}"))
        prev = key
    out.table(rows, indent=0)
    out.line()
    if not all_rows:
        out.line(f"{len(rows) - 1} of {len(s.editions)} editions shown: those whose counts changed "
                 "(--all for every edition, --json for every range and transport).")
    out.line(f"Source: {REGISTRY_TITLE}, editions {s.editions[0].edition} to {s.editions[-1].edition}")


def update(out: Out, u: UpdateResult) -> None:
    """What an update or rollback did, and the diff it made."""
    out.line(out.bold(u.message) if u.status != "unchanged" else u.message)
    if u.status != "unchanged":
        out.line(f"now in use: {u.path}", 2, hang=4)
    if u.diff is not None:
        out.line()
        diff(out, u.diff, limit=50)


def edition(out: Out, e: EditionInUse, stored: Sequence[StoredEdition] | None = None,
            shipped: Sequence[str] | None = None) -> None:
    """Which edition answers, where it came from; with ``stored`` and ``shipped``, every edition known."""
    out.line(out.bold(f"Edition in use: {e.edition}"))
    out.line(f"{e.records:,} records, {e.origin}: {e.source}", 2, hang=4)
    out.line(f"file: {e.path}", 2, hang=4)
    if e.fetched:
        out.line(f"fetched {e.fetched}", 2)
    if shipped:
        out.heading(f"Shipped history ({plural(len(shipped), 'edition')}, {shipped[0]} to {shipped[-1]})")
        years: dict[str, list[str]] = {}
        for d in shipped:
            years.setdefault(d[:4], []).append(d[5:])
        for year, days in years.items():
            out.line(f"{year}  {' '.join(days)}", 2, hang=8)
    if stored is not None:
        out.heading(f"Stored by update ({len(stored)})")
        if not stored:
            out.line("none yet: 'portatlas update' downloads the current registry", 2)
        rows = [("*" if s.path == e.path else " ", s.edition, f"{s.records:>6,} records", f"fetched {s.fetched}",
                 f"from {s.source}") for s in stored]
        out.table(rows, indent=1)
