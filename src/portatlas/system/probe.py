"""The listener probe's interface and values: what a probe returns, whatever reads the socket table.

Implementations: ``portatlas.system.procfs.ProcfsProbe`` (Linux /proc) and
``portatlas.system.psutil_probe.PsutilProbe`` (everywhere psutil runs). The
helpers here word what the OS hid the same way for both.
"""

from __future__ import annotations

import abc

from portatlas.model import Transport

# Re-exported (``X as X``): the helpers every probe shares live with the plain rows.
from portatlas.system.rows import (
    BOUND as BOUND,
)
from portatlas.system.rows import (
    CONNECTED as CONNECTED,
)
from portatlas.system.rows import (
    LISTEN as LISTEN,
)
from portatlas.system.rows import (
    SERVING as SERVING,
)
from portatlas.system.rows import (
    Row as Row,
)
from portatlas.system.rows import (
    endpoint as endpoint,
)
from portatlas.system.rows import (
    finish_rows as finish_rows,
)
from portatlas.system.rows import (
    join_argv as join_argv,
)
from portatlas.system.rows import (
    no_pid_note as no_pid_note,
)
from portatlas.system.rows import (
    sudo_hint as sudo_hint,
)
from portatlas.value import value

# The transports a socket table can show; the registry's SCTP and DCCP are not listed by psutil.
SOCKET_TRANSPORTS: tuple[Transport, ...] = (Transport.TCP, Transport.UDP)


@value
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


@value
class Scan:
    """The result of one probe: the sockets, and notes on what the OS kept from it as a whole."""

    listeners: tuple[Listener, ...]
    notes: tuple[str, ...] = ()
    complete: bool = True


class ListenerProbe(abc.ABC):
    """Reads this machine's socket table. One implementation per way of reading it."""

    @abc.abstractmethod
    def scan(self, include_all: bool = False) -> Scan:
        """Every TCP listener and bound UDP socket (every inet socket with ``include_all``)."""


def finish(rows: list[Row]) -> tuple[Listener, ...]:
    """Rows sorted and explained (``finish_rows``), as ``Listener`` values."""
    return tuple(Listener(_TRANSPORTS[r[0]], *r[1:]) for r in finish_rows(rows))


_TRANSPORTS = {t.value: t for t in SOCKET_TRANSPORTS}
