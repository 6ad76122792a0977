"""A port's history as its answer shows it: each change once, transports that changed alike together."""

from __future__ import annotations

from portatlas.model import PortRange, State
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.model import Transport
    from portatlas.registry.history import PortEvent, PortHistory


@value
class Change:
    """One field that changed, for the services named (``records``: empty for the port's state)."""

    field: str
    old: str | None
    new: str | None
    records: tuple[str, ...] = ()


@value
class HistoryEntry:
    """One step of the port's timeline, on every transport where it happened alike.

    ``first`` is the first edition showing it, ``before`` the last edition
    without it (None: shown since the first edition); ``when`` says so in
    words; ``kind`` is present, assigned, de-assigned, reserved, released or
    changed; ``state`` uses 'dynamic' for the never-assigned range.
    """

    first: str
    before: str | None
    when: str
    kind: str
    state: str
    names: tuple[str, ...]
    transports: tuple[Transport, ...]
    changes: tuple[Change, ...] = ()


@value
class HistorySummary:
    """What the registry's editions say of a port over time."""

    editions: int
    first_edition: str
    last_edition: str
    gaps: tuple[tuple[str, str], ...]
    entries: tuple[HistoryEntry, ...]

    @property
    def changed(self) -> bool:
        """Whether anything changed after the first edition."""
        return any(e.before is not None for e in self.entries)


def state_word(state: State, rng: PortRange) -> str:
    """'assigned', 'reserved', 'unassigned', or 'dynamic' for the never-assigned range."""
    if state is State.UNASSIGNED and rng is PortRange.DYNAMIC:
        return "dynamic"
    return state.value


def _when(first: str, before: str | None, gaps: tuple[tuple[str, str], ...]) -> str:
    if before is None:
        return f"present since at least {first}"
    if (before, first) in gaps:
        return f"between {before} and {first} (no edition was kept in between)"
    return f"between {before} and {first}"


def _changes(e: PortEvent) -> tuple[Change, ...]:
    """The event's field changes, each (field, old, new) once with every service it concerns."""
    grouped: dict[tuple[str, str | None, str | None], list[str]] = {}
    for c in e.changes:
        if c.field in ("state", "name"):
            continue  # the entry's kind and names say these
        grouped.setdefault((c.field, c.old, c.new), []).append(c.record or "")
    return tuple(Change(f, old, new, tuple(dict.fromkeys(r for r in rs if r))) for (f, old, new), rs in grouped.items())


def summary(h: PortHistory) -> HistorySummary:
    """The port's timeline, events alike on several transports joined, oldest first."""
    groups: dict[tuple[str, str | None, str, State, tuple[str, ...], tuple[Change, ...]], list[Transport]] = {}
    for th in h.transports:
        for e in th.events:
            names = tuple(dict.fromkeys(r.name or r.description for r in e.records))
            groups.setdefault((e.first, e.before, e.kind, e.state, names, _changes(e)), []).append(th.transport)
    out = [HistoryEntry(first, before, _when(first, before, h.gaps), kind, state_word(state, h.range), names,
                        tuple(ts), changes)
           for (first, before, kind, state, names, changes), ts in groups.items()]
    out.sort(key=lambda x: (x.first, x.before or ""))
    return HistorySummary(h.editions, h.first_edition, h.last_edition, h.gaps, tuple(out))
