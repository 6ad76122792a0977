"""The values history answers are made of: timelines, diffs, counts over time.

Every field is documented in docs/json-history.md (a test checks), and each
value's JSON form is ``portatlas.value.to_data`` of it.
"""

from __future__ import annotations

from portatlas.model import PortRange, State, Stats, Transport
from portatlas.value import value

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from portatlas.model import Record
    from portatlas.registry.history.rows import Row

GAP_DAYS = 120  # editions further apart than this are reported as a gap in the record


def when(first: str, before: str | None) -> str:
    """When a change happened, as the editions bound it: the last edition before and the first showing it."""
    if before is None:
        return f"present since at least {first}"
    return f"between {before} and {first}"


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
class Edition:
    """An edition resolved from what a user typed: its date, where it came from, its rows."""

    edition: str
    source: str
    rows: tuple[Row, ...]


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
