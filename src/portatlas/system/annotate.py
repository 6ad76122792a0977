"""Every socket on this machine read against the registry, with flags where something looks off.

Flags (``Flag.code``; the rules are in ``portatlas.system.flags``):

- ``other-service``: the port is assigned on that transport to services
  none of which the holding process looks like (``python -m http.server``
  on 8000, which is registered to irdmi).
- ``ephemeral``: a server inside this machine's ephemeral range (and not in
  its reserved holes): the kernel may hand the port to an outgoing
  connection first, and then the server cannot start.
- ``unassigned-system``: a listener on a System port (0-1023) that the
  registry leaves unassigned on that transport, such as 307.
- ``reserved``: a listener on a port the registry marks Reserved.

Flags are raised for serving sockets only (TCP LISTEN, unconnected UDP);
connected sockets are shown with ``--all`` but never flagged.
"""

from __future__ import annotations

from portatlas.index import STATE_VALUES
from portatlas.model import PortRange, State, Transport
from portatlas.system.ephemeral import EphemeralRange, ephemeral_range
from portatlas.system.flags import (
    FORWARDERS,
    SERVERS,
    Reader,
    flag_pairs,
    range_value,
    serves,
)
from portatlas.system.listeners import Listener, ListenerProbe, check_transport, scan
from portatlas.value import value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `portatlas listening` loads this module
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from portatlas.atlas import Registry
    from portatlas.index import Index

__all__ = ["FORWARDERS", "SERVERS", "EphemeralReport", "Flag", "ListenerReport", "MachineReport", "NamedPort",
           "ephemeral_report", "flags_for", "machine", "machines", "read", "serves"]

_STATES = tuple(State(v) for v in STATE_VALUES)  # by the index's state code


@value
class Flag:
    """Something that looks off about a socket: a stable code and a sentence saying why."""

    code: str
    message: str


@value
class ListenerReport:
    """One socket and what the registry says of its (port, transport).

    ``names`` are the service names assigned on that transport; ``state`` the
    registry's state there; ``range`` the RFC 6335 range of the port.
    """

    listener: Listener
    state: State
    range: PortRange
    names: tuple[str, ...]
    flags: tuple[Flag, ...] = ()


@value
class MachineReport:
    """The answer of ``who`` and ``listening``: sockets read against one registry edition.

    ``port`` and ``transport`` are the question (None: every port, both
    transports); ``notes`` say what the OS kept from the whole probe;
    ``complete`` is False when some sockets could not be seen at all.
    """

    port: int | None
    transport: Transport | None
    include_all: bool
    sockets: tuple[ListenerReport, ...]
    notes: tuple[str, ...]
    complete: bool
    ephemeral: EphemeralRange
    edition: str


def flags_for(listener: Listener, state: State, names: tuple[str, ...],
              eph: EphemeralRange) -> tuple[Flag, ...]:
    """The flags a serving socket raises against the registry and this machine's ephemeral range."""
    if not listener.listening:
        return ()
    pairs = flag_pairs(listener.port, listener.transport.value, STATE_VALUES.index(state.value), names,
                       listener.process, listener.cmdline, eph.low, eph.high, eph.reserved)
    return tuple(Flag(code, message) for code, message in pairs)


_RANGES = {r.value: r for r in PortRange}


def _index(reg: Registry | Index) -> Index:
    return reg.index if hasattr(reg, "index") else reg


def read(sockets: Iterable[Listener], reg: Registry | Index, eph: EphemeralRange) -> tuple[ListenerReport, ...]:
    """Each socket with the registry's state and names for its (port, transport), and its flags."""
    reader = Reader(_index(reg), eph.low, eph.high, eph.reserved)
    out = []
    flags_of: dict[tuple[tuple[str, str], ...], tuple[Flag, ...]] = {(): ()}
    for x in sockets:
        code, names, pairs = reader.read(x.port, x.transport, x.state, x.process, x.cmdline)
        flags = flags_of.get(pairs)
        if flags is None:
            flags = flags_of[pairs] = tuple(Flag(c, m) for c, m in pairs)
        out.append(ListenerReport(x, _STATES[code], _RANGES[range_value(x.port)], names, flags))
    return tuple(out)


def machine(reg: Registry | Index, port: int | None = None, transport: Transport | str | None = None,
            include_all: bool = False, probe: ListenerProbe | None = None,
            eph: EphemeralRange | None = None) -> MachineReport:
    """Probe this machine and read every socket found against ``reg`` (the ``who``/``listening`` answer).

    ``reg`` is a ``Registry`` or its compiled ``Index`` (what `portatlas listening` loads, to stay light).
    """
    s = scan(port, transport, include_all, probe)
    e = eph or ephemeral_range()
    t = check_transport(transport)
    index = _index(reg)
    return MachineReport(port, t, include_all, read(s.listeners, index, e), s.notes, s.complete, e, index.edition)


def machines(reg: Registry | Index, ports: Sequence[int], transport: Transport | str | None = None,
             include_all: bool = False, probe: ListenerProbe | None = None) -> tuple[MachineReport, ...]:
    """``machine`` for each of ``ports``, from one probe of this machine (a list or range asked at once)."""
    s = scan(None, transport, include_all, probe)
    e = ephemeral_range()
    t = check_transport(transport)
    index = _index(reg)
    wanted = set(ports)
    by_port: dict[int, list[ListenerReport]] = {}
    for x in read([x for x in s.listeners if x.port in wanted], index, e):
        by_port.setdefault(x.listener.port, []).append(x)
    return tuple(MachineReport(p, t, include_all, tuple(by_port.get(p, ())), s.notes, s.complete, e, index.edition)
                 for p in dict.fromkeys(ports))


@value
class NamedPort:
    """A port and the service names assigned to it on one transport."""

    port: int
    names: tuple[str, ...]


@value
class EphemeralReport:
    """This machine's ephemeral range read against the registry.

    ``assigned_inside`` counts, per transport, the registry-assigned ports the
    kernel may hand out as client ports (reserved holes excluded): a server on
    one of them can find its port taken. ``examples`` are a few of them on TCP.
    ``matches_iana`` is True when the range is exactly RFC 6335's Dynamic/Private
    range (49152-65535), which no assignment overlaps.
    """

    range: EphemeralRange
    assigned_inside: dict[Transport, int]
    examples: tuple[NamedPort, ...]
    matches_iana: bool
    edition: str


def ephemeral_report(reg: Registry, eph: EphemeralRange | None = None, examples: int = 5) -> EphemeralReport:
    """The ephemeral range here, and how many assigned ports it overlaps on TCP and UDP."""
    e = eph or ephemeral_range()
    counts: dict[Transport, int] = {}
    found: list[NamedPort] = []
    for t in (Transport.TCP, Transport.UDP):
        states = reg.index.states(t)
        inside = [p for p in range(e.low, e.high + 1) if states[p] == 0 and not e.is_reserved(p)]
        counts[t] = len(inside)
        if t is Transport.TCP:
            for p in inside[:examples]:
                found.append(NamedPort(p, tuple(dict.fromkeys(
                    r.name for r in reg.lookup(p).on(t).assignments if r.name))))
    iana = (e.low, e.high) == PortRange.DYNAMIC.bounds
    return EphemeralReport(e, counts, tuple(found), iana, reg.edition)
