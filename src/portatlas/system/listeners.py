"""What is bound to a port on this machine: sockets, their processes, and what the OS hid.

The probe varies by platform, so it sits behind ``ListenerProbe``
(``portatlas.system.probe``):
``ProcfsProbe`` (Linux) reads /proc/net and /proc/PID directly, as ss does,
without loading psutil (its import alone costs about 20 ms); ``PsutilProbe``
(macOS, Windows, BSD, and Linux without a readable /proc) reads the whole
socket table through psutil and falls back to asking each process it may see
(macOS without root, where the whole table is refused).
``PORTATLAS_LISTENER_PROBE=psutil`` forces psutil. Tests run both probes on
the same real sockets and require the same answer.

    >>> from portatlas.system.listeners import listeners, is_listening
    >>> listeners(5432)                  # every TCP listener and bound UDP socket on 5432
    >>> is_listening(5432, "tcp")

psutil is imported only when a probe runs, so importing this module is cheap.
"""

from __future__ import annotations

import os
import sys

from portatlas.errors import BadInput
from portatlas.model import Transport
from portatlas.system.probe import BOUND, CONNECTED, LISTEN, SOCKET_TRANSPORTS, Listener, ListenerProbe, Scan, endpoint

__all__ = ["BOUND", "CONNECTED", "LISTEN", "SOCKET_TRANSPORTS", "Listener", "ListenerProbe", "Scan", "bound_ports",
           "check_transport", "default_probe", "endpoint", "is_listening", "listeners", "scan"]

_PROBE: ListenerProbe | None = None


def default_probe() -> ListenerProbe:
    """The probe for this platform: /proc on Linux, psutil elsewhere (``PORTATLAS_LISTENER_PROBE`` overrides)."""
    global _PROBE
    if _PROBE is None:
        choice = os.environ.get("PORTATLAS_LISTENER_PROBE", "").lower()
        if choice not in ("", "procfs", "psutil"):
            raise BadInput(f"PORTATLAS_LISTENER_PROBE={choice!r} is not a probe: use procfs or psutil")
        if choice != "psutil" and sys.platform.startswith("linux"):
            from portatlas.system.procfs import ProcfsProbe

            procfs = ProcfsProbe()
            if procfs.available():
                _PROBE = procfs
        if _PROBE is None:
            from portatlas.system.psutil_probe import PsutilProbe

            _PROBE = PsutilProbe()
    return _PROBE


def check_transport(transport: Transport | str | None) -> Transport | None:
    """A transport the socket table can show (tcp or udp), or None for both; BadInput otherwise."""
    if transport is None or transport == "" or transport == "all":
        return None
    try:
        t = Transport(str(transport).lower())
    except ValueError:
        t = None
    if t not in SOCKET_TRANSPORTS:
        raise BadInput(f"cannot look for {str(transport)!r} sockets: this machine's socket table "
                       "is read for tcp and udp; use --transport tcp or --transport udp")
    return t


def _check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise BadInput(f"port {port!r} is out of range: a port is a whole number from 0 to 65535")
    return port


def scan(port: int | None = None, transport: Transport | str | None = None,
         include_all: bool = False, probe: ListenerProbe | None = None) -> Scan:
    """One probe of this machine, filtered to a port and transport; notes say what the OS hid."""
    t = check_transport(transport)
    if port is not None:
        _check_port(port)
    s = (probe or default_probe()).scan(include_all)
    rows = tuple(x for x in s.listeners
                 if (port is None or x.port == port) and (t is None or x.transport is t))
    return Scan(rows, s.notes, s.complete)


def listeners(port: int | None = None, transport: Transport | None = None,
              include_all: bool = False) -> list[Listener]:
    """Every TCP listener and bound UDP socket here (every inet socket with ``include_all``).

    ``port`` and ``transport`` narrow the answer. Rows are sorted by port,
    transport, family and address.
    """
    return list(scan(port, transport, include_all).listeners)


def _proc_ports(transport: Transport) -> frozenset[int] | None:
    """Serving ports read straight from the kernel's table on Linux (no process walk); None where unreadable."""
    from portatlas.system.socktable import read_table

    try:
        return frozenset(e[3] for e in read_table(False, transports=(transport.value,)))
    except OSError:
        return None


def bound_ports(transport: Transport | str) -> frozenset[int]:
    """The ports with a TCP listener (or an unconnected UDP socket) here, read cheaply.

    The same sockets ``listeners(transport=...)`` shows, without process
    details: on Linux one read of the kernel's table (under a millisecond
    through netlink, no process walk), which suits checking many candidate
    ports at once.
    """
    t = check_transport(transport)
    if t is None:
        raise BadInput("bound_ports needs one transport: tcp or udp")
    if sys.platform.startswith("linux"):
        ports = _proc_ports(t)
        if ports is not None:
            return ports
    return frozenset(x.port for x in scan(None, t).listeners)


def is_listening(port: int, transport: Transport | str = Transport.TCP) -> bool:
    """Whether a TCP listener (or an unconnected UDP socket) holds the port here; cheap, no process details."""
    t = check_transport(transport) or Transport.TCP
    return _check_port(port) in bound_ports(t)
