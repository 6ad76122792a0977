"""The registry's values: ports, transports, states, rows and blocks, frozen and printable in a REPL.

The answers (``portatlas.answers``) are made of these; ``to_json`` turns any
value into the plain JSON-ready data the CLI's ``--json``, the web API and the
MCP face share. They are ``portatlas.value`` classes, not dataclasses and
enums, so that importing them costs well under a millisecond.
"""

from __future__ import annotations

from portatlas.value import Choice, to_data, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

PORT_MIN = 0
PORT_MAX = 65535


def span_text(low: int, high: int) -> str:
    """A port or range as the registry writes it: '307', or '301-307' when it spans more than one port."""
    return str(low) if low == high else f"{low}-{high}"


class Transport(Choice, values=("tcp", "udp", "sctp", "dccp")):
    """A transport protocol the registry assigns ports on."""

    TCP: ClassVar[Transport]
    UDP: ClassVar[Transport]
    SCTP: ClassVar[Transport]
    DCCP: ClassVar[Transport]


TRANSPORTS: tuple[Transport, ...] = tuple(Transport)


class State(Choice, values=("assigned", "reserved", "unassigned")):
    """What the registry says of one (port, transport): exactly one of three."""

    ASSIGNED: ClassVar[State]
    RESERVED: ClassVar[State]
    UNASSIGNED: ClassVar[State]


class PortRange(Choice, values=("system", "user", "dynamic")):
    """The three ranges of RFC 6335 section 6."""

    SYSTEM: ClassVar[PortRange]
    USER: ClassVar[PortRange]
    DYNAMIC: ClassVar[PortRange]

    @property
    def bounds(self) -> tuple[int, int]:
        """First and last port of the range."""
        return _RANGE_BOUNDS[self]

    @property
    def title(self) -> str:  # type: ignore[override]  # deliberately shadows str.title
        """The range's name as RFC 6335 writes it ("System Ports")."""
        return _RANGE_TITLES[self]

    @property
    def procedure(self) -> str:
        """How ports in this range are assigned."""
        return _RANGE_PROCEDURES[self]

    @classmethod
    def of(cls, port: int) -> PortRange:
        """The range a port number falls in."""
        if port <= 1023:
            return cls.SYSTEM
        if port <= 49151:
            return cls.USER
        return cls.DYNAMIC


_RANGE_BOUNDS = {
    PortRange.SYSTEM: (0, 1023),
    PortRange.USER: (1024, 49151),
    PortRange.DYNAMIC: (49152, 65535),
}
_RANGE_TITLES = {
    PortRange.SYSTEM: "System Ports",
    PortRange.USER: "User Ports",
    PortRange.DYNAMIC: "Dynamic and/or Private Ports",
}
_RANGE_PROCEDURES = {
    PortRange.SYSTEM: "assigned by IANA through IETF Review or IESG Approval (RFC 6335 section 8.1.2)",
    PortRange.USER: "assigned by IANA through IETF Review, IESG Approval or Expert Review (RFC 6335)",
    PortRange.DYNAMIC: "never assigned: free for private and ephemeral use (RFC 6335 section 6)",
}


@value
class Person:
    """An assignee or contact from the registry's <people> section."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("display",)

    id: str
    name: str | None = None
    org: str | None = None
    uri: str | None = None
    updated: str | None = None

    @property
    def display(self) -> str:
        """Name, organisation, or the id when the registry gives neither."""
        if self.name and self.org:
            return f"{self.name} ({self.org})"
        return self.name or self.org or self.id.replace("_", " ")


@value
class Xref:
    """A cross-reference of a record: an RFC, a draft, a person, a URI, text or a note."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("label", "url")

    type: str
    data: str | None = None
    text: str | None = None
    section: str | None = None

    @property
    def label(self) -> str:
        """A short human label: 'RFC 9887', a URI, or the text."""
        if self.type == "rfc" and self.data:
            label = "RFC " + self.data[3:] if self.data.lower().startswith("rfc") else self.data
            return f"{label} section {self.section}" if self.section else label
        return self.text or self.data or ""

    @property
    def url(self) -> str | None:
        """Where the reference can be read, when it has an address."""
        if self.type == "rfc" and self.data:
            return f"https://www.rfc-editor.org/rfc/{self.data.lower()}"
        if self.type == "draft" and self.data:
            return f"https://datatracker.ietf.org/doc/{self.data}"
        if self.type == "uri" and self.data:
            return self.data
        return None


@value
class Record:
    """One registry row, as IANA published it.

    ``transport`` None means the row applies to every transport; ``low`` and
    ``high`` are None for service-name-only registrations.
    """

    __json_extra__: ClassVar[tuple[str, ...]] = ("state", "number")

    name: str | None
    transport: Transport | None
    low: int | None
    high: int | None
    description: str
    assignees: tuple[Person, ...] = ()
    contacts: tuple[Person, ...] = ()
    xrefs: tuple[Xref, ...] = ()
    registered: str | None = None
    updated: str | None = None
    note: str | None = None
    unauthorized: str | None = None
    service_code: int | None = None

    @property
    def state(self) -> State:
        """The state this row gives the ports it covers."""
        if self.name:
            return State.ASSIGNED
        if self.description.lower().startswith("reserved"):
            return State.RESERVED
        return State.UNASSIGNED

    @property
    def number(self) -> str:
        """The port or range as the registry writes it ("301-307"), or ''."""
        if self.low is None or self.high is None:  # a name-only row has neither
            return ""
        return span_text(self.low, self.high)

    @property
    def rfcs(self) -> tuple[Xref, ...]:
        """The RFC and draft references."""
        return tuple(x for x in self.xrefs if x.type in ("rfc", "draft"))

    @property
    def people(self) -> tuple[Person, ...]:
        """Assignees, then contacts, each once."""
        seen: dict[str, Person] = {}
        for p in self.assignees + self.contacts:
            seen.setdefault(p.id, p)
        return tuple(seen.values())


@value
class TransportState:
    """One transport of one port: its state and the rows covering it."""

    transport: Transport
    state: State
    records: tuple[Record, ...]

    @property
    def assignments(self) -> tuple[Record, ...]:
        """The rows that assign a service name."""
        return tuple(r for r in self.records if r.state is State.ASSIGNED)


@value
class PortInfo:
    """Everything the registry says of one port, on every transport."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("state", "names")

    port: int
    range: PortRange
    transports: tuple[TransportState, ...]
    edition: str

    def on(self, transport: Transport | str) -> TransportState:
        """The answer for one transport."""
        t = Transport(transport)
        for ts in self.transports:
            if ts.transport is t:
                return ts
        raise KeyError(t)  # every PortInfo carries all four transports

    @property
    def assignments(self) -> tuple[Record, ...]:
        """Every assigning row on every transport, each once, in registry order."""
        out: dict[int, Record] = {}
        for ts in self.transports:
            for r in ts.assignments:
                out.setdefault(id(r), r)
        return tuple(out.values())

    @property
    def names(self) -> tuple[str, ...]:
        """The service names assigned to this port, each once."""
        return tuple(dict.fromkeys(r.name for r in self.assignments if r.name))

    @property
    def state(self) -> State:
        """Assigned if any transport is, else Reserved if any is, else Unassigned."""
        states = {ts.state for ts in self.transports}
        for s in (State.ASSIGNED, State.RESERVED):
            if s in states:
                return s
        return State.UNASSIGNED


@value
class Block:
    """A maximal run of ports unassigned on every transport considered."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("size",)

    low: int
    high: int
    range: PortRange
    transports: tuple[Transport, ...]
    rank: int = 0
    of: int = 0

    @property
    def size(self) -> int:
        """How many ports the block holds."""
        return self.high - self.low + 1


@value
class Neighbour:
    """A nearby port and the names assigned to it on each transport."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("state", "word", "all_names")

    port: int
    states: tuple[tuple[Transport, State], ...]
    names: tuple[tuple[Transport, tuple[str, ...]], ...]
    registered: str | None = None
    references: tuple[str, ...] = ()

    @property
    def state(self) -> State:
        """Assigned if any transport is, else reserved if any is, else unassigned."""
        found = {s for _, s in self.states}
        return next((s for s in (State.ASSIGNED, State.RESERVED) if s in found), State.UNASSIGNED)

    @property
    def word(self) -> str:
        """The state as shown: 'dynamic' for an unassigned port of the never-assigned range."""
        if self.state is State.UNASSIGNED and self.port >= 49152:
            return "dynamic"
        return self.state.value

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name assigned to the port, on any transport, each once."""
        return tuple(dict.fromkeys(n for _, ns in self.names for n in ns))


@value
class Neighbourhood:
    """Where a port sits: nearest assigned ports either side, its block, the strip around it."""

    port: int
    below: Neighbour | None
    above: Neighbour | None
    block: Block | None
    strip: tuple[Neighbour, ...] = ()


@value
class ServiceInfo:
    """A service name and every row registering it."""

    name: str
    records: tuple[Record, ...]

    @property
    def ports(self) -> tuple[tuple[Transport | None, str], ...]:
        """(transport, number) pairs, in registry order; number '' for name-only rows."""
        return tuple((r.transport, r.number) for r in self.records)


@value
class SearchHit:
    """A search result: the row, how well it matched, and why."""

    record: Record
    score: float
    matched: str


@value
class StateCounts:
    """How many ports of a range, on one transport, are in each state."""

    range: PortRange
    transport: Transport
    total: int
    assigned: int
    reserved: int
    unassigned: int

    def percent(self, state: State | str) -> float:
        """Share of the range in a state, 0-100."""
        n = getattr(self, State(state).value)
        return 100.0 * n / self.total if self.total else 0.0


@value
class Stats:
    """State counts for every range and transport of one edition."""

    edition: str
    counts: tuple[StateCounts, ...] = ()


def to_json(obj: Any) -> Any:
    """Turn a value (and containers of them) into JSON-ready data (``portatlas.value.to_data``).

    Choices become their strings; the derived properties readers need (state,
    number, size, url, label, display) are included beside the fields.
    """
    return to_data(obj)
