"""Independent facts for the advice tests: read with plain code from the files themselves, sharing nothing
with portatlas (the browsers' list from ../shared, /proc, nmap-services, real sockets)."""

from __future__ import annotations

import functools
import socket
from pathlib import Path

from ..conftest import SHARED

NMAP = Path("/usr/share/nmap/nmap-services")


@functools.cache
def bad_ports() -> frozenset[int]:
    """The Fetch bad-port list, from the developers' copy in ../shared."""
    out = set()
    for line in (SHARED / "data" / "browser-bad-ports.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            out.add(int(line.split()[0]))
    return frozenset(out)


def ephemeral() -> tuple[int, int]:
    lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(lo), int(hi)


def reserved() -> set[int]:
    text = Path("/proc/sys/net/ipv4/ip_local_reserved_ports").read_text().strip()
    out: set[int] = set()
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


@functools.cache
def nmap_frequencies(proto: str = "tcp") -> dict[int, tuple[float, str]]:
    """{port: (frequency, name)} from nmap-services, by plain splitting."""
    out: dict[int, tuple[float, str]] = {}
    for line in NMAP.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        port, _, pr = cols[1].partition("/")
        if pr == proto:
            f = float(cols[2])
            if int(port) not in out or out[int(port)][0] < f:
                out[int(port)] = (f, cols[0])
    return out


@functools.cache
def nmap_top(proto: str = "tcp", n: int = 1000) -> frozenset[int]:
    """The ports ranked within the top n by frequency (ties at the edge included)."""
    freqs = sorted((f for f, _ in nmap_frequencies(proto).values()), reverse=True)
    edge = freqs[n - 1]
    return frozenset(p for p, (f, _) in nmap_frequencies(proto).items() if f >= edge and f > 0)


@functools.cache
def nmap_named(proto: str = "tcp") -> frozenset[int]:
    """Ports nmap's table names (not 'unknown') and has seen open: software runs there."""
    return frozenset(p for p, (f, name) in nmap_frequencies(proto).items() if f > 0 and name != "unknown")


@functools.cache
def common_use_ports() -> frozenset[int]:
    """Every port the shipped common-use dataset says some software holds by default, as an OS service or as
    malware (entries of at most 256 ports; wider ones are ranges software picks from), read with tomllib."""
    import tomllib

    root = Path(__file__).resolve().parents[2] / "src" / "portatlas" / "data" / "common-use"
    out: set[int] = set()
    for f in root.glob("*.toml"):
        for e in tomllib.loads(f.read_text(encoding="utf-8"))["entry"]:
            lo, _, hi = str(e["port"]).partition("-")
            if e["use"] != "configured" and int(hi or lo) - int(lo) + 1 <= 256:
                out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


def binds(port: int, transports: tuple[str, ...]) -> bool:
    """Whether the port can be bound on 0.0.0.0 on each transport right now."""
    for t in transports:
        kind = socket.SOCK_STREAM if t == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
        try:
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def quiet_user_port(oracle, *, inside_ephemeral: bool, taken: set[int] = frozenset()) -> int:  # type: ignore[assignment]
    """A TCP port with nothing against it but (optionally) the ephemeral range: unassigned, not a bad port,
    not common in nmap, not reserved here, bindable."""
    lo, hi = ephemeral()
    bad, top, res = bad_ports(), nmap_top("tcp") | nmap_named("tcp"), reserved()
    used = common_use_ports()
    span = range(lo, min(hi, 49151) + 1) if inside_ephemeral else range(20000, 32768)
    for p in span:
        if (oracle.state(p, "tcp") == "unassigned" and all(oracle.state(p, t) != "assigned" for t in ("udp", "sctp", "dccp"))
                and p not in bad and p not in top and p not in res and p not in taken and p not in used
                and not (lo <= p <= hi and not inside_ephemeral) and binds(p, ("tcp",))):
            return p
    raise AssertionError("no quiet port found")
