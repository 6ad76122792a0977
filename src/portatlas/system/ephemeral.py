"""This machine's ephemeral (client-side) port range, its reserved holes and the ports the OS refuses to bind.

Read from the kernel where it can be (Linux /proc, BSD/macOS sysctl, Windows
netsh); where it cannot, the operating system's documented default, marked
``is_default`` so no face presents a guess as a reading. On Windows the
excluded port ranges are read too (``netsh interface ipv4 show
excludedportrange``): ports no program may bind, taken by Hyper-V, WinNAT,
WSL 2 or Docker Desktop, often right where a developer's port sits.
"""

from __future__ import annotations

from portatlas.system.ephemeral_read import (
    DEFAULTS,
    parse_excluded,
    parse_netsh,
    parse_pair,
    parse_reserved,
    read_range,
)
from portatlas.system.files import PROC_PORT_RANGE, PROC_RESERVED_PORTS
from portatlas.value import value

__all__ = ["DEFAULTS", "PROC_RANGE", "PROC_RESERVED", "EphemeralRange", "ephemeral_range", "parse_excluded",
           "parse_netsh", "parse_pair", "parse_reserved"]

PROC_RANGE = PROC_PORT_RANGE
PROC_RESERVED = PROC_RESERVED_PORTS


@value
class EphemeralRange:
    """The range the kernel picks client ports from, ports it keeps out of it, and ports it will not bind.

    ``reserved`` are Linux's ip_local_reserved_ports (never handed out as client ports, yet free to
    bind); ``excluded`` are Windows' port exclusions, which no program may bind at all.
    """

    low: int
    high: int
    reserved: tuple[tuple[int, int], ...]
    source: str
    is_default: bool
    system: str
    excluded: tuple[tuple[int, int], ...] = ()

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.low <= port <= self.high

    def is_reserved(self, port: int) -> bool:
        """Whether the port is one of the kernel's reserved holes (never handed out as ephemeral)."""
        return any(a <= port <= b for a, b in self.reserved)

    def excluded_range(self, port: int) -> tuple[int, int] | None:
        """The OS's excluded range holding the port (binding it fails with access denied), or None."""
        return next(((a, b) for a, b in self.excluded if a <= port <= b), None)

    @property
    def size(self) -> int:
        """How many ports the range holds."""
        return self.high - self.low + 1


def ephemeral_range() -> EphemeralRange:
    """This machine's ephemeral range, read from the kernel, or the OS default when unreadable."""
    return EphemeralRange(*read_range(str(PROC_RANGE), str(PROC_RESERVED)))
