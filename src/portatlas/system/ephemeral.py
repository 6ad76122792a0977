"""This machine's ephemeral (client-side) port range and reserved holes.

Read from the kernel where it can be (Linux /proc, BSD/macOS sysctl, Windows
netsh); where it cannot, the operating system's documented default, marked
``is_default`` so no face presents a guess as a reading.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROC_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
PROC_RESERVED = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")

# Defaults per OS (see the README's "This machine" section for sources).
DEFAULTS: dict[str, tuple[int, int]] = {
    "linux": (32768, 60999),
    "darwin": (49152, 65535),
    "win32": (49152, 65535),
    "freebsd": (10000, 65535),
}


@dataclass(frozen=True, slots=True)
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


def parse_reserved(text: str) -> tuple[tuple[int, int], ...]:
    """'8080,9000-9010' (Linux's ip_local_reserved_ports format) to ((8080, 8080), (9000, 9010))."""
    out = []
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return tuple(out)


def _platform() -> str:
    return "freebsd" if sys.platform.startswith("freebsd") else (
        "linux" if sys.platform.startswith("linux") else sys.platform)


def _default(system: str, why: str) -> EphemeralRange:
    lo, hi = DEFAULTS.get(system, (49152, 65535))
    return EphemeralRange(lo, hi, (), f"default for {system} ({why})", True, system)


def ephemeral_range() -> EphemeralRange:
    """This machine's ephemeral range, read from the kernel, or the OS default when unreadable."""
    system = _platform()
    if system == "linux":
        try:
            lo, hi = (int(x) for x in PROC_RANGE.read_text().split())
        except (OSError, ValueError):
            return _default(system, f"{PROC_RANGE} unreadable")
        try:
            reserved = parse_reserved(PROC_RESERVED.read_text())
        except (OSError, ValueError):
            reserved = ()
        return EphemeralRange(lo, hi, reserved, str(PROC_RANGE), False, system)
    if system in ("darwin", "freebsd") or "bsd" in system:
        try:
            out = subprocess.run(["sysctl", "-n", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last"],
                                 capture_output=True, text=True, timeout=2, check=True).stdout.split()
            return EphemeralRange(int(out[0]), int(out[1]), (), "sysctl net.inet.ip.portrange", False, system)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return _default(system, "sysctl unreadable")
    if system == "win32":
        try:
            out = subprocess.run(["netsh", "int", "ipv4", "show", "dynamicport", "tcp"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout
            nums = [int(w) for w in out.replace(":", " ").split() if w.isdigit()]
            start, count = nums[0], nums[1]
            return EphemeralRange(start, start + count - 1, (), "netsh int ipv4 show dynamicport tcp", False, system)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return _default(system, "netsh unreadable")
    return _default(system, "no way to read it on this system")
