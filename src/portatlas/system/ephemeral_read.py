"""This machine's ephemeral port range read as plain values: (low, high, reserved, source, is_default, system,
excluded).

``portatlas.system.ephemeral`` makes them an ``EphemeralRange``. Imports only sys (subprocess
where sysctl or netsh is asked, never on Linux).
"""

from __future__ import annotations

import sys

from portatlas.system.files import PROC_PORT_RANGE, PROC_RESERVED_PORTS

# (low, high, reserved holes, source, is_default, system, excluded ranges): EphemeralRange's fields in order.
Values = tuple[int, int, tuple[tuple[int, int], ...], str, bool, str, tuple[tuple[int, int], ...]]

# Windows' port exclusions: ranges no program may bind (Hyper-V, WinNAT, WSL 2 and Docker Desktop take them).
EXCLUDED_COMMAND = ("netsh", "interface", "ipv4", "show", "excludedportrange", "protocol=tcp")

# Defaults per OS (see the README's "This machine" section for sources).
DEFAULTS: dict[str, tuple[int, int]] = {
    "linux": (32768, 60999),
    "darwin": (49152, 65535),
    "win32": (49152, 65535),
    "freebsd": (10000, 65535),
}


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


def parse_excluded(text: str) -> tuple[tuple[int, int], ...]:
    """The ranges from ``netsh interface ipv4 show excludedportrange protocol=tcp`` output.

    Each row is a start and an end port, with ``*`` after an administered exclusion; headings, the
    dashes and the footnote (worded in the system's language) hold no two numbers and are passed over.
    A row with an impossible range makes the whole output refused (ValueError), never half read.
    """
    out = []
    for line in text.splitlines():
        words = line.replace("*", " ").split()
        if len(words) == 2 and all(w.isdigit() for w in words):
            out.append(_valid(int(words[0]), int(words[1]), "excluded port range"))
    return tuple(sorted(out))


def _platform() -> str:
    return "freebsd" if sys.platform.startswith("freebsd") else (
        "linux" if sys.platform.startswith("linux") else sys.platform)


def default(system: str, why: str) -> Values:
    """The OS's documented default, marked as one, saying why the kernel's was not read."""
    lo, hi = DEFAULTS.get(system, (49152, 65535))
    return lo, hi, (), f"default for {system} ({why})", True, system, ()


def read_range(range_path: str = PROC_PORT_RANGE, reserved_path: str = PROC_RESERVED_PORTS) -> Values:
    """This machine's ephemeral range, read from the kernel, or the OS default when unreadable.

    The paths are Linux's two /proc files (tests point them elsewhere).
    """
    system = _platform()
    if system == "linux":
        try:
            lo, hi = parse_pair(_read(range_path))
        except (OSError, ValueError):
            return default(system, f"{range_path} unreadable")
        try:
            reserved = parse_reserved(_read(reserved_path))
        except (OSError, ValueError):
            reserved = ()
        return lo, hi, reserved, range_path, False, system, ()
    if system in ("darwin", "freebsd") or "bsd" in system or system == "win32":
        import subprocess  # not on Linux, where two /proc files answer
    if system in ("darwin", "freebsd") or "bsd" in system:
        try:
            out = subprocess.run(["sysctl", "-n", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last"],
                                 capture_output=True, text=True, timeout=2, check=True).stdout
            lo, hi = parse_pair(out)
            return lo, hi, (), "sysctl net.inet.ip.portrange.first/.last", False, system, ()
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return default(system, "sysctl unreadable")
    if system == "win32":
        try:
            out = subprocess.run(["netsh", "int", "ipv4", "show", "dynamicport", "tcp"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout
            lo, hi = parse_netsh(out)
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            return default(system, "netsh unreadable")
        try:  # a reading of the range stands without its exclusions (an older Windows has none to show)
            excluded = parse_excluded(subprocess.run(list(EXCLUDED_COMMAND), capture_output=True, text=True,
                                                     timeout=5, check=True).stdout)
        except (OSError, subprocess.SubprocessError, ValueError):
            excluded = ()
        return lo, hi, (), "netsh int ipv4 show dynamicport tcp", False, system, excluded
    return default(system, "no way to read it on this system")


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()
