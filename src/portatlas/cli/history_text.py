"""Plain-text renderings of history, diffs, counts over time, updates and the edition in use."""

from __future__ import annotations

from portatlas.cli.common import bold
from portatlas.model import PortRange, State, Transport
from portatlas.registry.history.rows import row_label

TYPE_CHECKING = False
if TYPE_CHECKING:  # only named in annotations: `portatlas history` need not load the updater
    from collections.abc import Sequence

    from portatlas.model import Record
    from portatlas.registry.history.values import (
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

MAX_LISTED = 200  # per section of a diff on a terminal; --json has everything


def _dates(r: Record) -> str:
    parts = [f"registered {r.registered}" if r.registered else "",
             f"updated {r.updated}" if r.updated else ""]
    return ", ".join(p for p in parts if p)


def _refs(r: Record) -> str:
    return "; ".join(x.label for x in r.rfcs if x.label)


def _event_lines(ev: PortEvent, rng: PortRange) -> list[str]:
    when = f"{ev.when:<38} "
    names = ", ".join(dict.fromkeys(r.name or "" for r in ev.records))
    if ev.state is State.ASSIGNED:
        head = {"present": "assigned", "assigned": "assigned", "changed": "changed"}[ev.kind] + f": {names}"
    elif ev.state is State.RESERVED:
        head = "de-assigned and reserved" if ev.kind == "de-assigned" else "reserved"
    elif rng is PortRange.DYNAMIC:
        head = "dynamic/private, never assigned"
    else:
        head = {"de-assigned": "de-assigned or revoked: unassigned",
                "released": "no longer reserved: unassigned"}.get(ev.kind, "unassigned")
    lines = ["  " + when + head]
    pad = "  " + " " * len(when)
    added = {c.new for c in ev.changes if c.field == "name" and c.new}
    for r in ev.records if ev.state is State.ASSIGNED else ():
        if ev.kind == "changed" and r.name not in added:
            continue  # an unchanged or edited row: its changes below say what moved
        extra = [x for x in (", ".join(p.display for p in r.assignees), _refs(r), _dates(r)) if x]
        lines.append(f"{pad}{r.name}: {r.description}" + (f" ({'; '.join(extra)})" if extra else ""))
    for c in ev.changes:
        if c.field == "state" or (c.field == "name" and c.new):
            continue
        if c.field == "name":
            lines.append(f"{pad}{c.old}: no longer assigned here")
        else:
            lines.append(f"{pad}{c.record + ': ' if c.record else ''}{change_text(c)}")
    return lines


def change_text(c: FieldChange) -> str:
    """'description: "old" -> "new"'."""
    def q(v: str | None) -> str:
        return f'"{v}"' if v is not None else "(none)"

    return f"{c.field}: {q(c.old)} -> {q(c.new)}"


def port_history_text(h: PortHistory) -> str:
    """A port's timeline, transports with the same story told once."""
    groups: dict[tuple[object, ...], list[TransportHistory]] = {}
    for th in h.transports:
        key = tuple((e.kind, e.state, e.first, tuple(r.name for r in e.records)) for e in th.events)
        groups.setdefault(key, []).append(th)
    out = [bold(f"Port {h.port}: history in {h.editions} editions of the registry, "
                f"{h.first_edition} to {h.last_edition}")]
    for ths in groups.values():
        names = " and ".join(", ".join(t.transport.value.upper() for t in ths).rsplit(", ", 1))
        out += ["", bold(names)]
        events = ths[0].events
        for ev in events:
            out += _event_lines(ev, h.range)
        if len(events) == 1:
            out.append(_no_change(h.editions))
    return "\n".join(out + _gap_lines(h.gaps))


def service_history_text(h: ServiceHistory) -> str:
    """A service name's timeline: its rows when registered, then what changed."""
    out = [bold(f"Service {h.name}: history in {h.editions} editions of the registry, "
                f"{h.first_edition} to {h.last_edition}"), ""]
    for ev in h.events:
        when = f"{ev.when:<38} "
        pad = "  " + " " * len(when)
        ports = ", ".join(dict.fromkeys(row_label(r) for r in ev.records))
        head = {"present": f"registered: {ports}", "registered": f"registered: {ports}",
                "changed": f"changed, now: {ports}", "removed": "removed from the registry"}[ev.kind]
        out.append("  " + when + head)
        added = {c.new for c in ev.changes if c.field == "row" and c.new}
        for r in ev.records:
            if ev.kind == "changed" and row_label(r) not in added:
                continue  # an unchanged or edited row: its changes below say what moved
            extra = [x for x in (", ".join(p.display for p in r.assignees), _refs(r), _dates(r)) if x]
            out.append(f"{pad}{row_label(r)}: {r.description}" + (f" ({'; '.join(extra)})" if extra else ""))
        for c in ev.changes:
            if c.field == "row" and c.old:
                out.append(f"{pad}{c.old}: given back (de-assigned or revoked)")
            elif c.field != "row":
                out.append(f"{pad}{c.record}: {change_text(c)}")
    if len(h.events) == 1 and h.events[0].kind == "present":
        out.append(_no_change(h.editions))
    return "\n".join(out + _gap_lines(h.gaps))


def _no_change(editions: int) -> str:
    return f"  {'':<38} (no change in {editions} editions)"


def _gap_lines(gaps: Sequence[tuple[str, str]]) -> list[str]:
    """The closing note on the registry's gaps between editions, where there are any."""
    if not gaps:
        return []
    spans = "; ".join(f"{a} and {b}" for a, b in gaps)
    return ["", f"No editions between {spans}: a change there is dated to the gap. "
            "Dates beside a row are the registry's own."]


def _record_line(r: Record) -> str:
    t = r.transport.value if r.transport else "all"
    head = r.name or r.state.value
    extra = "; ".join(x for x in (_refs(r), _dates(r)) if x)
    return f"  {r.number or '(no port)':>11} {t:<4} {head:<24} {r.description}" + (f"  [{extra}]" if extra else "")


def diff_text(d: EditionDiff, limit: int = MAX_LISTED) -> str:
    """Counts, then added, removed and changed rows (at most ``limit`` of each)."""
    c = d.counts
    out = [bold(f"Changes from edition {d.old} to {d.new}"),
           f"  {c.added} rows added ({c.assignments_added} port assignments), "
           f"{c.removed} removed ({c.assignments_removed} port assignments de-assigned or revoked), "
           f"{c.changed} changed"]

    def section(title: str, items: Sequence[Record]) -> None:
        if not items:
            return
        out.extend(["", bold(f"{title} ({len(items)})")])
        out.extend(_record_line(r) for r in items[:limit])
        if len(items) > limit:
            out.append(f"  ... and {len(items) - limit} more (--json lists all)")

    section("Added", d.added)
    section("Removed", d.removed)
    if d.changed:
        out.extend(["", bold(f"Changed ({len(d.changed)})")])
        for ch in d.changed[:limit]:
            out.append(_record_line(ch.after))
            out.extend(f"{'':>19}{change_text(f)}" for f in ch.changes)
        if len(d.changed) > limit:
            out.append(f"  ... and {len(d.changed) - limit} more (--json lists all)")
    if not (d.added or d.removed or d.changed):
        out.append("  no differences")
    return "\n".join(out)


def stats_over_time_text(s: StatsOverTime, transport: Transport, all_rows: bool = False) -> str:
    """One line per edition whose counts on ``transport`` changed (every edition with ``all_rows``)."""
    head = (f"{'edition':<10}  {'system: assigned':>16} {'reserved':>8} {'unassigned':>10}"
            f"  {'user: assigned':>14} {'reserved':>8} {'unassigned':>10}")
    out = [bold(f"State counts on {transport.value.upper()} per edition"), head]
    prev: tuple[int, ...] | None = None
    shown = 0
    for i, st in enumerate(s.editions):
        row: list[int] = []
        for c in st.counts:
            if c.transport is transport and c.range is not PortRange.DYNAMIC:
                row += [c.assigned, c.reserved, c.unassigned]
        key = tuple(row)
        if all_rows or key != prev or i == len(s.editions) - 1:
            out.append(f"{st.edition:<10}  {row[0]:>16} {row[1]:>8} {row[2]:>10}  "
                       f"{row[3]:>14} {row[4]:>8} {row[5]:>10}")
            shown += 1
        prev = key
    out.append("")
    if not all_rows:
        out.append(f"{shown} of {len(s.editions)} editions shown: those whose counts changed "
                   "(--all for every edition, --json for every range and transport).")
    from portatlas.cli.render import REGISTRY_TITLE  # render loads the atlas; a port's history does not

    out.append(f"Source: {REGISTRY_TITLE}, editions {s.editions[0].edition} to {s.editions[-1].edition}")
    return "\n".join(out)


def update_text(u: UpdateResult) -> str:
    """What an update or rollback did, and the diff it made."""
    out = [u.message]
    if u.status != "unchanged":
        out.append(f"  now in use: {u.path}")
    if u.diff is not None:
        out += ["", diff_text(u.diff, limit=50)]
    return "\n".join(out)


def edition_text(e: EditionInUse, stored: Sequence[StoredEdition] | None = None) -> str:
    """Which edition answers, where it came from; with ``stored``, the editions kept."""
    out = [bold(f"Edition in use: {e.edition}"), f"  {e.records:,} records, {e.origin}: {e.source}",
           f"  file: {e.path}"]
    if e.fetched:
        out.append(f"  fetched {e.fetched}")
    if stored is not None:
        out += ["", bold(f"Stored editions ({len(stored)})")]
        if not stored:
            out.append("  none yet: 'portatlas update' downloads the current registry")
        for s in stored:
            mark = "*" if s.path == e.path else " "
            out.append(f" {mark}{s.edition}  {s.records:>6,} records  fetched {s.fetched}  from {s.source}")
    return "\n".join(out)
