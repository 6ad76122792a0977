"""The listener probe's interface and values: what a probe returns, whatever reads the socket table.

Implementations: ``portatlas.system.procfs.ProcfsProbe`` (Linux /proc) and
``portatlas.system.psutil_probe.PsutilProbe`` (everywhere psutil runs). The
helpers here word what the OS hid the same way for both.
"""

from __future__ import annotations

import abc
import os
import sys
from dataclasses import dataclass

from ..model import Transport

# The transports a socket table can show; the registry's SCTP and DCCP are not listed by psutil.
SOCKET_TRANSPORTS: tuple[Transport, ...] = (Transport.TCP, Transport.UDP)

LISTEN = "LISTEN"
BOUND = "BOUND"  # an unconnected UDP socket: it receives whatever arrives on its port
CONNECTED = "CONNECTED"  # a UDP socket connected to one peer


@dataclass(frozen=True, slots=True)
class Listener:
    """One socket bound to a local port, and the process holding it.

    ``state`` is the TCP state (``LISTEN``, ``ESTABLISHED``, ``TIME_WAIT`` ...)
    or, for UDP, ``BOUND`` (unconnected) or ``CONNECTED``. ``pid``,
    ``process``, ``cmdline`` and ``user`` are None when the OS did not say;
    ``note`` then says why and how to see it (for example with sudo).
    ``remote`` is the peer ("203.0.113.80:80") of a connected socket.
    """

    transport: Transport
    family: str
    address: str
    port: int
    state: str
    pid: int | None
    process: str | None
    cmdline: str | None
    user: str | None
    note: str | None = None
    remote: str | None = None

    @property
    def endpoint(self) -> str:
        """'0.0.0.0:5432' or '[::1]:5432'."""
        return endpoint(self.address, self.port)

    @property
    def listening(self) -> bool:
        """A TCP listener or an unconnected UDP socket: something serving the port."""
        return self.state in (LISTEN, BOUND)


@dataclass(frozen=True, slots=True)
class Scan:
    """The result of one probe: the sockets, and notes on what the OS kept from it as a whole."""

    listeners: tuple[Listener, ...]
    notes: tuple[str, ...] = ()
    complete: bool = True


def endpoint(address: str, port: int) -> str:
    """An address and port as one usually writes them, IPv6 in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class ListenerProbe(abc.ABC):
    """Reads this machine's socket table. One implementation per way of reading it."""

    @abc.abstractmethod
    def scan(self, include_all: bool = False) -> Scan:
        """Every TCP listener and bound UDP socket (every inet socket with ``include_all``)."""


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return bool(geteuid and geteuid() == 0)


def sudo_hint() -> str:
    """How to see what the OS hid: sudo, or an elevated prompt on Windows."""
    if sys.platform == "win32":
        return "run from an elevated (Administrator) prompt to see it"
    return "run with sudo to see it"


def join_argv(argv: list[str]) -> str:
    """A command line as a shell would take it back (shlex.join)."""
    import shlex

    return shlex.join(argv)


def no_pid_note(state: str) -> str:
    """Why a socket in ``state`` shows no process, and how to see it where that helps."""
    if state == "TIME_WAIT":
        return "no process: the kernel keeps this closed connection in TIME_WAIT for a while"
    if state not in (LISTEN, BOUND, CONNECTED, "ESTABLISHED"):
        return f"no process: the kernel holds this {state} connection"
    if sys.platform.startswith("linux") and _is_root():
        return ("no process in this PID namespace holds it: a kernel socket, or a process "
                "in another container or PID namespace")
    return f"the OS hides the process holding this socket from this user; {sudo_hint()}"


def finish(rows: list[Listener]) -> tuple[Listener, ...]:
    """Sort, and explain connections no process holds yet: they wait in a listener's accept queue."""
    from dataclasses import replace

    listening = {(x.transport, x.port): x for x in rows if x.state == LISTEN}
    out = []
    for x in rows:
        owner = listening.get((x.transport, x.port))
        if x.pid is None and x.state in ("ESTABLISHED", "SYN_RECV", "CLOSE_WAIT") and owner is not None:
            by = f" (PID {owner.pid})" if owner.pid is not None else ""
            x = replace(x, note=f"not accepted yet: waiting in the accept queue of the listener on "
                                f"{owner.endpoint}{by}")
        out.append(x)
    out.sort(key=_order)
    return tuple(out)


def _order(x: Listener) -> tuple[int, str, bool, str, str, str, str]:
    # Per port and transport: the serving socket first, then its connections.
    return x.port, x.transport.value, not x.listening, x.family, x.address, x.state, x.remote or ""
