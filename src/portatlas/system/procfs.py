"""``ProcfsProbe``: Linux's socket tables read as ss reads them, without psutil.

The table comes from netlink sock_diag, or /proc/net/{tcp,udp}{,6} where
netlink is refused (``portatlas.system.socktable``); owners and their details
from /proc/PID (``portatlas.system.processes``). Both work on plain rows; this
probe makes them ``Listener`` values.
"""

from __future__ import annotations

import os

from portatlas.system import processes, socktable
from portatlas.system.probe import ListenerProbe, Scan, finish
from portatlas.system.socktable import TCP_STATES

TYPE_CHECKING = False  # `portatlas listening` loads this module: no typing, no pathlib (it loads re)
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["TCP_STATES", "ProcfsProbe"]


class ProcfsProbe(ListenerProbe):
    """Linux: the socket table (sock_diag or /proc/net), owners from /proc/PID/fd, details from /proc/PID."""

    def __init__(self, proc: Path | str = socktable.PROC) -> None:
        self.proc = os.fspath(proc)

    def available(self) -> bool:
        """Whether this kernel's /proc/net/tcp can be read."""
        return socktable.available(self.proc)

    def scan(self, include_all: bool = False) -> Scan:
        """See ``ListenerProbe.scan``."""
        return Scan(finish(processes.rows(include_all, self.proc)), (), True)

    def _process(self, pid: int) -> tuple[str | None, str | None, str | None, str | None]:
        """(name, command line, user, note), read as psutil reads them."""
        return processes.process(pid, self.proc)
