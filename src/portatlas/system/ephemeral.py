"""This machine's ephemeral (client-side) port range and reserved holes.

Read from the kernel where it can be (Linux /proc, BSD/macOS sysctl, Windows
netsh); where it cannot, the operating system's documented default, marked
``is_default`` so no face presents a guess as a reading.
"""

from __future__ import annotations

from portatlas.system.ephemeral_read import DEFAULTS, parse_netsh, parse_pair, parse_reserved, read_range
from portatlas.system.files import PROC_PORT_RANGE, PROC_RESERVED_PORTS
from portatlas.value import value

__all__ = ["DEFAULTS", "PROC_RANGE", "PROC_RESERVED", "EphemeralRange", "ephemeral_range", "parse_netsh",
           "parse_pair", "parse_reserved"]

PROC_RANGE = PROC_PORT_RANGE
PROC_RESERVED = PROC_RESERVED_PORTS


@value
class EphemeralRange:
    """The range the kernel picks client ports from, and ports it keeps out of it."""

    low: int
    high: int
    reserved: tuple[tuple[int, int], ...]
    source: str
    is_default: bool
    system: str

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.low <= port <= self.high

    def is_reserved(self, port: int) -> bool:
        """Whether the port is one of the kernel's reserved holes (never handed out as ephemeral)."""
        return any(a <= port <= b for a, b in self.reserved)

    @property
    def size(self) -> int:
        """How many ports the range holds."""
        return self.high - self.low + 1


def ephemeral_range() -> EphemeralRange:
    """This machine's ephemeral range, read from the kernel, or the OS default when unreadable."""
    return EphemeralRange(*read_range(str(PROC_RANGE), str(PROC_RESERVED)))
