"""A port's timeline: every change of state or assignment on each transport, across the editions.

``port_history`` answers from the compiled per-port history (``compiled``:
one port's events decoded from a mapped file, well under a millisecond) and
appends any newer edition ``portatlas update`` stored. ``timeline`` is how
those events are made from runs of editions; the compiler runs it over the
compact history for every port, and ``extend`` continues it over stored
editions.

>>> port_history(300, "tcp").transports[0].events[-1].state
<State.ASSIGNED: 'assigned'>
"""

from __future__ import annotations

import os

from portatlas.model import TRANSPORTS, PortRange, State, Transport
from portatlas.query.grammar import parse_port
from portatlas.registry.history import compiled
from portatlas.registry.history.rows import field_changes, fields
from portatlas.registry.history.values import (
    FieldChange,
    PortEvent,
    PortHistory,
    TransportHistory,
)
from portatlas.source.paths import data_dir_str

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from portatlas.model import Record
    from portatlas.registry.history.compact import History

    Run = tuple[str, str, Sequence[Record]]
    """(first edition, last edition, the rows covering a port in all of them)."""
    View = tuple[State, tuple[Any, ...]]


def port_history(port: int, transport: Transport | str | None = None, *,
                 include_stored: bool = True) -> PortHistory:
    """A port's timeline on each transport (or one): every change of state or assignment.

    Covers the shipped editions and, with ``include_stored``, the newer
    editions ``portatlas update`` stored.
    """
    port = parse_port(port)
    wanted = Transport(transport) if transport else None
    c, ths = compiled.port_transports(port, wanted)
    dates: Sequence[str] = c.editions
    found_gaps = c.gaps
    if include_stored and _has_store():
        from portatlas.registry.history.stored import newer_editions

        newer = newer_editions(dates[-1])
        if newer:
            from portatlas.registry.history.compact import gaps

            runs: list[Run] = []
            for date, reg in newer:
                info = reg.lookup(port)
                runs.append((date, date, tuple({id(r): r for t in info.transports for r in t.records}.values())))
            ths = tuple(extend(th, runs, dates[-1]) for th in ths)
            dates = [*dates, *(d for d, _ in newer)]
            found_gaps = gaps(dates)
    return PortHistory(
        port=port, range=PortRange.of(port), first_edition=dates[0], last_edition=dates[-1],
        editions=len(dates), gaps=found_gaps, transports=ths,
    )


def _has_store() -> bool:
    """Whether ``portatlas update`` ever stored an edition (its bookkeeping exists): one ``stat``."""
    return os.path.exists(os.path.join(data_dir_str(), "editions", "meta.json"))


def from_history(h: History, port: int) -> tuple[TransportHistory, ...]:
    """A port's timeline on every transport, straight from the compact history (what ``compiled`` stores)."""
    runs = h.runs(port)
    return tuple(timeline(port, t, runs) for t in TRANSPORTS)


def timeline(port: int, transport: Transport, runs: Sequence[Run]) -> TransportHistory:
    """The events of one (port, transport) from runs of editions, oldest first.

    Each run is (first edition, last edition, the rows covering the port in
    all of them); consecutive runs may well show the same state. Only the
    rows matter, not ``port``: ports covered by the same rows share a timeline.
    """
    return TransportHistory(transport, tuple(_events(transport, runs, None, (), None)))


def extend(th: TransportHistory, runs: Sequence[Run], last: str) -> TransportHistory:
    """``th`` (a timeline up to edition ``last``) continued over later runs of editions."""
    if not th.events:
        return TransportHistory(th.transport, tuple(_events(th.transport, runs, None, (), None)))
    end = th.events[-1]
    # An event's records are what its state shows, so the state it leaves is their view.
    more = _events(th.transport, runs, _view(end.records), end.records, last)
    return TransportHistory(th.transport, th.events + tuple(more)) if more else th


def _events(transport: Transport, runs: Sequence[Run], prev_view: View | None,
            prev_records: tuple[Record, ...], prev_last: str | None) -> list[PortEvent]:
    events: list[PortEvent] = []
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
    return events


def _view(records: Sequence[Record]) -> View:
    """What a reader of a port's history compares: the state and the assignments' fields."""
    states = {r.state for r in records}
    state = (State.ASSIGNED if State.ASSIGNED in states
             else State.RESERVED if State.RESERVED in states else State.UNASSIGNED)
    if state is not State.ASSIGNED:
        return state, ()
    return state, tuple(sorted(tuple(fields(r).items()) for r in records if r.state is State.ASSIGNED))


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
