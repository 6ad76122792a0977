"""This machine's ephemeral (client-side) port range and reserved holes.

Read from the kernel where it can be (Linux /proc, BSD/macOS sysctl, Windows
netsh); where it cannot, the operating system's documented default, marked
``is_default`` so no face presents a guess as a reading.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..machine_files import PROC_PORT_RANGE, PROC_RESERVED_PORTS

PROC_RANGE = Path(PROC_PORT_RANGE)
PROC_RESERVED = Path(PROC_RESERVED_PORTS)

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
        out.append(_valid(int(lo), int(hi or lo), "reserved ports"))
    return tuple(out)


def _valid(lo: int, hi: int, what: str) -> tuple[int, int]:
    if not (0 <= lo <= hi <= 65535):
        raise ValueError(f"{what}: {lo}-{hi} is not a port range")
    return lo, hi


def parse_pair(text: str) -> tuple[int, int]:
    """'32768\t60999' (Linux's ip_local_port_range, or sysctl's two lines) to (32768, 60999)."""
    words = text.split()
    if len(words) != 2:
        raise ValueError(f"expected two port numbers, got {text.strip()!r}")
    return _valid(int(words[0]), int(words[1]), "ephemeral range")


def parse_netsh(text: str) -> tuple[int, int]:
    """The range from ``netsh int ipv4 show dynamicport tcp`` output (Start Port, Number of Ports)."""
    start = count = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or not value.strip().isdigit():
            continue
        k = key.strip().lower()
        if k.startswith("start"):
            start = int(value)
        elif k.startswith("number"):
            count = int(value)
    if start is None or count is None:
        # Localised Windows names the fields differently; they still come in this order.
        nums = [int(w) for w in text.replace(":", " ").split() if w.isdigit()]
        if len(nums) < 2:
            raise ValueError("netsh output names no start port and count")
        start, count = nums[0], nums[1]
    if count < 1:
        raise ValueError(f"netsh gives {count} dynamic ports")
    return _valid(start, start + count - 1, "netsh dynamic port range")


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
            lo, hi = parse_pair(PROC_RANGE.read_text())
        except (OSError, ValueError):
            return _default(system, f"{PROC_RANGE} unreadable")
        try:
            reserved = parse_reserved(PROC_RESERVED.read_text())
        except (OSError, ValueError):
            reserved = ()
        return EphemeralRange(lo, hi, reserved, str(PROC_RANGE), False, system)
    if system in ("darwin", "freebsd") or "bsd" in system or system == "win32":
        import subprocess  # not on Linux, where two /proc files answer
    if system in ("darwin", "freebsd") or "bsd" in system:
        try:
            out = subprocess.run(["sysctl", "-n", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last"],
                                 capture_output=True, text=True, timeout=2, check=True).stdout
            lo, hi = parse_pair(out)
            return EphemeralRange(lo, hi, (), "sysctl net.inet.ip.portrange.first/.last", False, system)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return _default(system, "sysctl unreadable")
    if system == "win32":
        try:
            out = subprocess.run(["netsh", "int", "ipv4", "show", "dynamicport", "tcp"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout
            lo, hi = parse_netsh(out)
            return EphemeralRange(lo, hi, (), "netsh int ipv4 show dynamicport tcp", False, system)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return _default(system, "netsh unreadable")
    return _default(system, "no way to read it on this system")
