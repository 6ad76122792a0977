"""The registry over time: a port's timeline, what changed between editions, counts per edition.

Answers come from the compact history shipped in the package (382 editions,
2017-03-10 to 2026-08-17, see ``history_build``) plus any newer edition that
``portatlas update`` stored. Editions are snapshots, so a change is known to
lie *between* the last edition without it and the first edition with it;
the records' own ``date`` and ``updated`` attributes are shown beside.

>>> from portatlas.registry.history import port_history
>>> h = port_history(300, "tcp")
>>> h.transports[0].events[-1].state
<State.ASSIGNED: 'assigned'>
"""

from __future__ import annotations

import marshal
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from portatlas.value import value
from datetime import date as _date
from pathlib import Path
from typing import Any

from portatlas.errors import BadInput, NotFound
from portatlas.model import (
    TRANSPORTS,
    Person,
    PortRange,
    Record,
    State,
    StateCounts,
    Stats,
    Transport,
    Xref,
)
from portatlas.registry.history_build import Row, record_row

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "history.json.xz"
GAP_DAYS = 120  # editions further apart than this are reported as a gap in the record


# -- values ---------------------------------------------------------------------

@value
class FieldChange:
    """One field of a record (or of a port's state) that changed: its old and new text.

    ``record`` names the service whose row changed, in a port's timeline where
    several rows share the port (None for the port's state).
    """

    field: str
    old: str | None
    new: str | None
    record: str | None = None


def when(first: str, before: str | None) -> str:
    """When a change happened, as the editions bound it: the last edition before and the first showing it."""
    if before is None:
        return f"present since at least {first}"
    return f"between {before} and {first}"


@value
class PortEvent:
    """One step of a port's timeline on one transport.

    ``first`` is the first edition showing the new state; ``before`` the last
    edition before it (None when the state is shown since the first edition
    of the history, so it is "present since at least" then). ``kind`` is one
    of: present, assigned, de-assigned, reserved, released, changed.
    ``records`` are the rows that make the state (assignments, or the
    reserved row); ``changes`` what differs from the previous event.
    """

    transport: Transport
    kind: str
    state: State
    first: str
    before: str | None
    records: tuple[Record, ...]
    changes: tuple[FieldChange, ...] = ()

    @property
    def when(self) -> str:
        """'present since at least 2017-03-10' or 'between 2024-03-18 and 2025-08-26'."""
        return when(self.first, self.before)


@value
class TransportHistory:
    """A port's timeline on one transport, oldest event first."""

    transport: Transport
    events: tuple[PortEvent, ...]


@value
class PortHistory:
    """Everything the editions say of one port over time.

    ``gaps`` are pairs of consecutive editions more than ``GAP_DAYS`` apart:
    changes inside them can only be dated to the gap.
    """

    port: int
    range: PortRange
    first_edition: str
    last_edition: str
    editions: int
    gaps: tuple[tuple[str, str], ...]
    transports: tuple[TransportHistory, ...]


@value
class RecordChange:
    """A row present in both editions with some fields changed."""

    before: Record
    after: Record
    changes: tuple[FieldChange, ...]


@value
class DiffCounts:
    """How many rows were added, removed and changed, and how many of those assign a port to a name.

    A de-assigned port often leaves its service name registered without a
    port: that shows as the port's row removed and a name-only row added.
    """

    added: int
    removed: int
    changed: int
    assignments_added: int
    assignments_removed: int


@value
class EditionDiff:
    """What changed from edition ``old`` to edition ``new``.

    ``removed`` rows that assigned a name were de-assigned or revoked (the
    registry does not say which); ``changed`` rows kept their name, transport
    and number but changed other fields.
    """

    old: str
    new: str
    old_source: str
    new_source: str
    counts: DiffCounts
    added: tuple[Record, ...]
    removed: tuple[Record, ...]
    changed: tuple[RecordChange, ...]


@value
class StatsOverTime:
    """State counts per range and transport for every edition, oldest first."""

    editions: tuple[Stats, ...]

    @property
    def dates(self) -> tuple[str, ...]:
        """The edition dates."""
        return tuple(s.edition for s in self.editions)

    def series(self, rng: PortRange | str, transport: Transport | str,
               state: State | str) -> tuple[tuple[str, int], ...]:
        """(edition, count) for one range, transport and state: one line of a chart."""
        r, t, s = PortRange(rng), Transport(transport), State(state)
        out = []
        for st in self.editions:
            for c in st.counts:
                if c.range is r and c.transport is t:
                    out.append((st.edition, int(getattr(c, s.value))))
        return tuple(out)


# -- rows and records -------------------------------------------------------------

def row_record(row: Row) -> Record:
    """A ``Row`` (see ``history_build.record_row``) back as a ``Record``."""
    (name, transport, low, high, desc, assignees, contacts, xrefs,
     registered, updated, note, unauthorized, sc) = row
    return Record(
        name=name, transport=Transport(transport) if transport else None, low=low, high=high,
        description=desc,
        assignees=tuple(Person(*p) for p in assignees),
        contacts=tuple(Person(*p) for p in contacts),
        xrefs=tuple(Xref(*x) for x in xrefs),
        registered=registered, updated=updated, note=note, unauthorized=unauthorized,
        service_code=sc,
    )


def _people_text(ps: Sequence[Person]) -> str | None:
    return "; ".join(p.display for p in ps) or None


def _fields(r: Record) -> dict[str, str | None]:
    """The fields a reader compares, as text (a person's 'updated' stamp alone is not a change)."""
    refs = [x.label for x in r.xrefs if x.type not in ("person",) and x.label]
    return {
        "name": r.name,
        "transport": r.transport.value if r.transport else None,
        "number": r.number or None,
        "description": r.description or None,
        "assignee": _people_text(r.assignees),
        "contact": _people_text(r.contacts),
        "references": "; ".join(refs) or None,
        "registered": r.registered,
        "updated": r.updated,
        "note": r.note,
        "unauthorized": r.unauthorized,
        "service code": str(r.service_code) if r.service_code is not None else None,
    }


def field_changes(old: Record, new: Record) -> tuple[FieldChange, ...]:
    """The fields that differ between two versions of a row, in a fixed order."""
    a, b = _fields(old), _fields(new)
    return tuple(FieldChange(k, a[k], b[k]) for k in a if a[k] != b[k])


def _key(r: Record) -> tuple[Any, ...]:
    """What identifies a row across editions: its name (or state), transport and number."""
    who = r.name.lower() if r.name else r.state.value
    return (who, r.transport.value if r.transport else "", r.low, r.high)


def diff_rows(old_rows: Iterable[Row], new_rows: Iterable[Row], old: str, new: str,
              old_source: str = "", new_source: str = "") -> EditionDiff:
    """Rows added, removed and changed from one edition's rows to another's."""
    a, b = Counter(old_rows), Counter(new_rows)
    gone = [row_record(r) for r in (a - b).elements()]
    came = [row_record(r) for r in (b - a).elements()]
    by_key: dict[tuple[Any, ...], list[Record]] = {}
    for r in gone:
        by_key.setdefault(_key(r), []).append(r)
    added: list[Record] = []
    changed: list[RecordChange] = []
    for r in came:
        olds = by_key.get(_key(r))
        if olds:
            before = olds.pop(0)
            ch = field_changes(before, r)
            if ch:  # rows differing only in a person's 'updated' stamp are no change to a reader
                changed.append(RecordChange(before, r, ch))
        else:
            added.append(r)
    removed = [r for rs in by_key.values() for r in rs]
    order = _order
    added.sort(key=order)
    removed.sort(key=order)
    changed.sort(key=lambda c: order(c.after))
    counts = DiffCounts(
        added=len(added), removed=len(removed), changed=len(changed),
        assignments_added=sum(_assigns_port(r) for r in added),
        assignments_removed=sum(_assigns_port(r) for r in removed),
    )
    return EditionDiff(old, new, old_source, new_source, counts,
                       tuple(added), tuple(removed), tuple(changed))


def assignments_only(d: EditionDiff) -> EditionDiff:
    """The diff restricted to rows that give a service name a port (before or after), counts recomputed."""
    added = tuple(r for r in d.added if _assigns_port(r))
    removed = tuple(r for r in d.removed if _assigns_port(r))
    changed = tuple(c for c in d.changed if _assigns_port(c.before) or _assigns_port(c.after))
    counts = DiffCounts(len(added), len(removed), len(changed), len(added), len(removed))
    return EditionDiff(d.old, d.new, d.old_source, d.new_source, counts, added, removed, changed)


def _assigns_port(r: Record) -> bool:
    """A row giving a service name a port (not a name-only registration)."""
    return r.state is State.ASSIGNED and r.low is not None


def _order(r: Record) -> tuple[Any, ...]:
    return (r.low is None, r.low or 0, r.high or 0, r.name or "", r.transport.value if r.transport else "")


# -- the compact history -------------------------------------------------------------

class History:
    """The compact history: record versions and the editions showing each."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.editions: tuple[str, ...] = tuple(data["editions"])
        self._pos = {d: i for i, d in enumerate(self.editions)}
        people = [tuple(p) for p in data["people"]]
        self._raw: list[Any] = data["records"]
        self._people = people
        self._spans: list[list[list[int]]] = data["spans"]
        self._counts: list[list[list[int]]] = data["counts"]
        self._lows = [r[2] for r in self._raw]
        self._highs = [r[3] for r in self._raw]
        self._rows: list[Row | None] = [None] * len(self._raw)
        self._records: list[Record | None] = [None] * len(self._raw)
        self._cover: list[tuple[int, ...]] | None = None
        self._gaps: tuple[tuple[str, str], ...] | None = None
        self._names: dict[str, list[int]] | None = None
        self._asked = 0

    @classmethod
    def load(cls, path: Path = SHIPPED, *, use_cache: bool = True) -> "History":
        """The history file, through a marshal cache beside the index cache (JSON+xz costs ~100 ms)."""
        from portatlas.index import cache_dir

        st = path.stat()
        cache = cache_dir() / f"history-{st.st_size:x}-{st.st_mtime_ns:x}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
        if use_cache:
            try:
                return cls(marshal.loads(cache.read_bytes()))
            except (OSError, EOFError, ValueError, TypeError, KeyError):
                pass  # no cache yet, or damaged: read the shipped file
        from portatlas.registry.history_build import loads

        data = loads(path.read_bytes())
        if use_cache:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
                tmp.write_bytes(marshal.dumps(data))
                os.replace(tmp, cache)
            except OSError:
                pass  # an unwritable cache only costs time
        return cls(data)

    def __repr__(self) -> str:
        return f"<History {len(self.editions)} editions {self.editions[0]} to {self.editions[-1]}>"

    def __contains__(self, edition: object) -> bool:
        return edition in self._pos

    def row(self, v: int) -> Row:
        """Record version ``v`` as a ``Row``."""
        row = self._rows[v]
        if row is None:
            rec = self._raw[v]
            p = self._people
            row = self._rows[v] = (
                *rec[:5], tuple(p[i] for i in rec[5]), tuple(p[i] for i in rec[6]),
                tuple(tuple(x) for x in rec[7]), *rec[8:])
        return row

    def record(self, v: int) -> Record:
        """Record version ``v`` as a ``Record``, made once."""
        r = self._records[v]
        if r is None:
            r = self._records[v] = row_record(self.row(v))
        return r

    def versions_at(self, edition: str) -> list[int]:
        """Ids of the record versions shown by one edition."""
        e = self._index(edition)
        return [v for v, runs in enumerate(self._spans) if any(a <= e <= b for a, b in runs)]

    def rows_at(self, edition: str) -> list[Row]:
        """The rows of one edition (order: by port, not the file's)."""
        return [self.row(v) for v in self.versions_at(edition)]

    def _index(self, edition: str) -> int:
        try:
            return self._pos[edition]
        except KeyError:
            raise NotFound(f"no edition {edition} in the history ({self.editions[0]} to "
                           f"{self.editions[-1]}); {nearest(edition, self.editions)}") from None

    def covering(self, port: int) -> list[int]:
        """Ids of the record versions whose number covers ``port``.

        The first few calls scan every version (~2 ms); a process asking for
        many ports (an export, a web server) then gets a port-to-versions table
        built once (~0.2 s) and answers from it.
        """
        if self._cover is not None:
            return list(self._cover[port])
        self._asked += 1
        if self._asked > 16:
            cover: list[list[int]] = [[] for _ in range(65536)]
            for v, (lo, hi) in enumerate(zip(self._lows, self._highs)):
                if lo is not None:
                    for p in range(lo, hi + 1):
                        cover[p].append(v)
            self._cover = [tuple(c) for c in cover]
            return list(self._cover[port])
        return [v for v, (lo, hi) in enumerate(zip(self._lows, self._highs))
                if lo is not None and lo <= port <= hi]

    def runs(self, port: int) -> list[tuple[str, str, Sequence[Record]]]:
        """(first edition, last edition, rows covering ``port``) for each run of editions
        in which those rows stay the same, oldest first."""
        return self.runs_of(self.covering(port))

    def named(self, name: str) -> list[int]:
        """Ids of the record versions registering a service name (any letter case)."""
        if self._names is None:
            names: dict[str, list[int]] = {}
            for v, rec in enumerate(self._raw):
                if rec[0]:
                    names.setdefault(rec[0].lower(), []).append(v)
            self._names = names
        return list(self._names.get(name.lower(), ()))

    def runs_of(self, cov: Sequence[int]) -> list[tuple[str, str, Sequence[Record]]]:
        """(first edition, last edition, the versions of ``cov`` shown) for each run of
        editions in which that set stays the same, oldest first."""
        n = len(self.editions)
        cuts = {0}
        for v in cov:
            for a, b in self._spans[v]:
                cuts.add(a)
                if b + 1 < n:
                    cuts.add(b + 1)
        starts = sorted(cuts)
        out: list[tuple[str, str, Sequence[Record]]] = []
        for i, a in enumerate(starts):
            b = starts[i + 1] - 1 if i + 1 < len(starts) else n - 1
            rows = [self.record(v) for v in cov if any(x <= a <= y for x, y in self._spans[v])]
            out.append((self.editions[a], self.editions[b], rows))
        return out

    @property
    def gaps(self) -> tuple[tuple[str, str], ...]:
        """Consecutive editions more than ``GAP_DAYS`` apart."""
        if self._gaps is None:
            self._gaps = gaps(self.editions)
        return self._gaps

    def present(self, v: int) -> list[int]:
        """Edition indices showing version ``v``."""
        return [e for a, b in self._spans[v] for e in range(a, b + 1)]

    def stats(self, i: int) -> Stats:
        """The state counts of edition number ``i`` (as the index computed them at build time)."""
        counts = []
        k = 0
        for rng in PortRange:
            lo, hi = rng.bounds
            for t in TRANSPORTS:
                a, r, u = self._counts[i][k]
                counts.append(StateCounts(range=rng, transport=t, total=hi - lo + 1,
                                          assigned=a, reserved=r, unassigned=u))
                k += 1
        return Stats(edition=self.editions[i], counts=tuple(counts))


def nearest(edition: str, editions: Sequence[str]) -> str:
    """A hint naming the editions either side of a date that has none."""
    before = [e for e in editions if e < edition]
    after = [e for e in editions if e > edition]
    parts = ([f"the last before it is {before[-1]}"] if before else []) + (
        [f"the first after it is {after[0]}"] if after else [])
    return "; ".join(parts) or "there are no editions"


_HISTORY: History | None = None


def history() -> History:
    """The shipped history, loaded once per process."""
    global _HISTORY
    if _HISTORY is None:
        _HISTORY = History.load()
    return _HISTORY


# -- a port's timeline -----------------------------------------------------------------

def _view(records: Sequence[Record]) -> tuple[State, tuple[Any, ...]]:
    """What a reader of a port's history compares: the state and the assignments' fields."""
    states = {r.state for r in records}
    state = (State.ASSIGNED if State.ASSIGNED in states
             else State.RESERVED if State.RESERVED in states else State.UNASSIGNED)
    if state is not State.ASSIGNED:
        return state, ()
    return state, tuple(sorted(tuple(_fields(r).items()) for r in records if r.state is State.ASSIGNED))


def _shown(records: Sequence[Record], state: State) -> tuple[Record, ...]:
    if state is State.UNASSIGNED:
        return ()
    return tuple(sorted((r for r in records if r.state is state), key=lambda r: (r.name or "", r.number)))


def _kind(old: State | None, new: State) -> str:
    if old is None:
        return "present"
    if new is State.ASSIGNED:
        return "changed" if old is State.ASSIGNED else "assigned"
    if old is State.ASSIGNED:
        return "de-assigned"
    return "reserved" if new is State.RESERVED else "released"


def _event_changes(old: tuple[Record, ...], old_state: State, new: tuple[Record, ...],
                   new_state: State) -> tuple[FieldChange, ...]:
    out: list[FieldChange] = []
    if old_state is not new_state:
        out.append(FieldChange("state", old_state.value, new_state.value))
    before = {r.name: r for r in old if r.state is State.ASSIGNED}
    after = {r.name: r for r in new if r.state is State.ASSIGNED}
    for name in sorted(before.keys() - after.keys(), key=str):
        out.append(FieldChange("name", name, None, name))
    for name in sorted(after.keys() - before.keys(), key=str):
        out.append(FieldChange("name", None, name, name))
    for name in sorted(before.keys() & after.keys(), key=str):
        out.extend(FieldChange(c.field, c.old, c.new, name)
                   for c in field_changes(before[name], after[name]) if c.field != "name")
    return tuple(out)


def timeline(port: int, transport: Transport,
             runs: Sequence[tuple[str, str, Sequence[Record]]]) -> TransportHistory:
    """The events of one (port, transport) from runs of editions, oldest first.

    Each run is (first edition, last edition, the rows covering the port in
    all of them); consecutive runs may well show the same state.
    """
    events: list[PortEvent] = []
    prev_view: tuple[State, tuple[Any, ...]] | None = None
    prev_records: tuple[Record, ...] = ()
    prev_last: str | None = None
    for first, last, records in runs:
        rows = [r for r in records if r.transport in (None, transport)]
        view = _view(rows)
        if view != prev_view:
            state = view[0]
            shown = _shown(rows, state)
            old_state = prev_view[0] if prev_view else None
            events.append(PortEvent(
                transport=transport, kind=_kind(old_state, state), state=state,
                first=first, before=prev_last, records=shown,
                changes=() if old_state is None else _event_changes(prev_records, old_state, shown, state),
            ))
            prev_view, prev_records = view, shown
        prev_last = last
    return TransportHistory(transport, tuple(events))


_REGISTRIES: dict[tuple[str, int, int], Any] = {}


def _newer_editions(after: str) -> list[tuple[str, Any]]:
    """Stored (updated) editions newer than the shipped history, as (date, Registry).

    Where two stored files carry one date, the one in use wins, else the last fetched.
    Registries are kept per file (path, size, mtime) so a server asking for many ports
    loads each once.
    """
    from portatlas.atlas import Registry
    from portatlas.store import editions as store

    # Asked once per port by a crawl of every page: answer from memory while neither
    # the store's bookkeeping nor the pointer has changed.
    stamp = (after, *(_stat(p) for p in (store.store_dir() / "meta.json", store.store_dir() / "current")))
    memo = _NEWER.get(stamp)
    if memo is not None:
        return memo
    out: dict[str, str] = {}
    for s in store.stored():  # oldest fetch first, so the last fetched of a date wins
        if s.edition > after and Path(s.path).is_file():
            out[s.edition] = s.path
    in_use = str(store.pointed())
    for date, path in list(out.items()):
        if any(x.path == in_use and x.edition == date for x in store.stored()):
            out[date] = in_use
    regs = []
    for date in sorted(out):
        try:
            st = os.stat(out[date])
            key = (out[date], st.st_size, st.st_mtime_ns)
            reg = _REGISTRIES.get(key)
            if reg is None:
                reg = _REGISTRIES[key] = Registry.from_file(out[date])
            regs.append((date, reg))
        except Exception:  # a damaged stored file must not break history; update reports it
            continue
    _NEWER.clear()
    _NEWER[stamp] = regs
    return regs


_NEWER: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def port_history(port: int, transport: Transport | str | None = None, *,
                 include_stored: bool = True) -> PortHistory:
    """A port's timeline on each transport (or one): every change of state or assignment.

    Covers the shipped editions and, with ``include_stored``, the newer
    editions ``portatlas update`` stored.
    """
    from portatlas.query.grammar import parse_port

    port = parse_port(port)
    ts = (Transport(transport),) if transport else TRANSPORTS
    h = history()
    runs = h.runs(port)
    dates: Sequence[str] = h.editions
    found_gaps = h.gaps
    if include_stored:
        newer = _newer_editions(h.editions[-1])
        for date, reg in newer:
            info = reg.lookup(port)
            runs.append((date, date, tuple({id(r): r for t in info.transports for r in t.records}.values())))
        if newer:
            dates = [*dates, *(d for d, _ in newer)]
            found_gaps = gaps(dates)
    return PortHistory(
        port=port, range=PortRange.of(port), first_edition=dates[0], last_edition=dates[-1],
        editions=len(dates), gaps=found_gaps,
        transports=tuple(timeline(port, t, runs) for t in ts),
    )


@value
class ServiceEvent:
    """One step of a service name's timeline: its rows changed between ``before`` and ``first``.

    ``kind``: present (the first event), registered, changed or removed.
    ``records`` are the name's rows from then on (empty once removed);
    ``changes`` name the row each concerns as 'number/transport' ('' number
    for a name-only row), with field 'row' for a row added or taken away.
    """

    kind: str
    first: str
    before: str | None
    records: tuple[Record, ...]
    changes: tuple[FieldChange, ...] = ()

    @property
    def when(self) -> str:
        """'present since at least 2017-03-10' or 'between 2024-03-18 and 2025-08-26'."""
        return when(self.first, self.before)


@value
class ServiceHistory:
    """Everything the editions say of one service name over time."""

    name: str
    first_edition: str
    last_edition: str
    editions: int
    gaps: tuple[tuple[str, str], ...]
    events: tuple[ServiceEvent, ...]


def row_label(r: Record) -> str:
    """'300/tcp', '9/all' for a row on every transport, '(no port)' for a name-only row."""
    t = r.transport.value if r.transport else "all"
    if not r.number:
        return "(no port)" if r.transport is None else f"(no port)/{t}"
    return f"{r.number}/{t}"


def service_history(name: str, *, include_stored: bool = True) -> ServiceHistory:
    """A service name's timeline: when it was registered, each change of its rows, its removal.

    ``NotFound`` (with suggestions) when no edition ever had the name.
    """
    h = history()
    versions = h.named(name)
    runs = h.runs_of(versions) if versions else [(h.editions[0], h.editions[-1], [])]
    dates: Sequence[str] = h.editions
    found_gaps = h.gaps
    newer = _newer_editions(h.editions[-1]) if include_stored else []
    for date, reg in newer:
        runs.append((date, date, [reg.index.record(i) for i in reg.index.name_ids(name)]))
    if newer:
        dates = [*dates, *(d for d, _ in newer)]
        found_gaps = gaps(dates)
    if not any(rows for _, _, rows in runs):
        from portatlas.atlas import Registry

        Registry.default().service(name)  # raises NotFound with close names
        raise NotFound(f"no service named {name!r} in any edition since {dates[0]}")
    events: list[ServiceEvent] = []
    prev: dict[str, Record] | None = None
    prev_last: str | None = None
    for first, last, rows in runs:
        now = {row_label(r): r for r in sorted(rows, key=_order)}
        view = {k: tuple(_fields(r).items()) for k, r in now.items()}
        prev_view = None if prev is None else {k: tuple(_fields(r).items()) for k, r in prev.items()}
        if view != prev_view and not (prev is None and not now):
            changes: list[FieldChange] = []
            if prev is not None:
                for k in prev.keys() - now.keys():
                    changes.append(FieldChange("row", k, None, k))
                for k in now.keys() - prev.keys():
                    changes.append(FieldChange("row", None, k, k))
                for k in sorted(prev.keys() & now.keys()):
                    changes.extend(FieldChange(c.field, c.old, c.new, k)
                                   for c in field_changes(prev[k], now[k]) if c.field != "name")
            kind = ("present" if not events and prev_last is None else "registered" if not prev
                    else "removed" if not now else "changed")
            events.append(ServiceEvent(kind, first, prev_last, tuple(now.values()),
                                       tuple(sorted(changes, key=lambda c: (c.record or "", c.field)))))
        prev = now
        prev_last = last
    shown = next((r.name for e in events for r in e.records if r.name), name)
    return ServiceHistory(shown or name, dates[0], dates[-1], len(dates), found_gaps, tuple(events))


def gaps(dates: Sequence[str], days: int = GAP_DAYS) -> tuple[tuple[str, str], ...]:
    """Consecutive editions further apart than ``days``."""
    out = []
    for a, b in zip(dates, dates[1:]):
        if (_date.fromisoformat(b) - _date.fromisoformat(a)).days > days:
            out.append((a, b))
    return tuple(out)


# -- counts per edition -------------------------------------------------------------------

def stats_over_time(*, include_stored: bool = True) -> StatsOverTime:
    """Assigned, reserved and unassigned counts per range and transport for every edition."""
    h = history()
    out = [h.stats(i) for i in range(len(h.editions))]
    if include_stored:
        out.extend(reg.stats() for _, reg in _newer_editions(h.editions[-1]))
    return StatsOverTime(tuple(out))


# -- diffs between editions -------------------------------------------------------------

@value
class Edition:
    """An edition resolved from what a user typed: its date, where it came from, its rows."""

    edition: str
    source: str
    rows: tuple[Row, ...]


def known_editions() -> dict[str, str]:
    """Every edition available by date: date to where it is (history, or a stored file)."""
    from portatlas.store import editions as store

    out = {d: "history" for d in history().editions}
    for s in store.stored():
        out.setdefault(s.edition, s.path)
    return dict(sorted(out.items()))


def resolve(spec: str, *, on_or_before: bool = False) -> Edition:
    """An edition from a date (YYYY-MM-DD), 'latest', 'current', or a registry file path.

    ``on_or_before`` picks the last edition on or before a date that has none
    (for ``--since``); otherwise a date must name an edition exactly.
    """
    from portatlas.atlas import Registry
    from portatlas.store import editions as store

    spec = spec.strip()
    if spec == "current":
        reg = Registry.from_file(store.in_use().path)
        return Edition(reg.edition, f"in use ({reg.source})", _rows_of(reg))
    known = known_editions()
    if spec == "latest":
        spec = max(known)
    if _is_date(spec):
        date = spec
        if date not in known:
            if on_or_before:
                earlier = [d for d in known if d <= date]
                date = earlier[-1] if earlier else min(known)
            else:
                raise NotFound(f"no edition {spec}: {nearest(spec, list(known))} "
                               "(see 'portatlas edition --list')")
        where = known[date]
        if where == "history":
            return Edition(date, "history", tuple(history().rows_at(date)))
        reg = Registry.from_file(where)
        return Edition(reg.edition, where, _rows_of(reg))
    try:
        path = Path(spec).expanduser()
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        is_file = False
    if is_file:
        reg = Registry.from_file(path)
        return Edition(reg.edition, str(path), _rows_of(reg))
    from portatlas.query.grammar import shown

    raise BadInput(f"{shown(spec)} is not an edition: give a date YYYY-MM-DD, 'latest', 'current' "
                   "or a registry XML file")


def _is_date(s: str) -> bool:
    try:
        _date.fromisoformat(s)
    except ValueError:
        return False
    return len(s) == 10


def _rows_of(reg: Any) -> tuple[Row, ...]:
    """An edition's rows, through a marshal cache keyed like the index's (making 14,000
    ``Record`` values costs ~0.4 s; reading them back ~20 ms)."""
    import zlib

    from portatlas.index import cache_dir

    try:
        src = Path(reg.source)
        st = src.stat()
        key = f"{zlib.crc32(str(src.resolve()).encode()):08x}-{st.st_size:x}-{st.st_mtime_ns:x}"
        cache: Path | None = cache_dir() / f"rows-v1-{key}.marshal"
    except OSError:
        cache = None  # compiled from bytes: no file to key on
    if cache is not None:
        try:
            rows: tuple[Row, ...] = marshal.loads(cache.read_bytes())
            return rows
        except (OSError, EOFError, ValueError, TypeError):
            pass
    rows = tuple(record_row(r) for r in reg.records())
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(rows))
            os.replace(tmp, cache)
        except OSError:
            pass  # an unwritable cache only costs time
    return rows


def diff(old: str, new: str = "current", *, since: bool = False) -> EditionDiff:
    """What changed between two editions (dates, 'latest', 'current' or files).

    With ``since``, ``old`` may be any date: the last edition on or before it is used.
    """
    a = resolve(old, on_or_before=since)
    b = resolve(new)
    return diff_rows(a.rows, b.rows, a.edition, b.edition, a.source, b.source)
