"""Independent facts for the advice tests: read with plain code from the files themselves, sharing no code
with portatlas (the browsers' list the package ships, /proc, nmap-services, real sockets)."""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

from ..conftest import BAD_PORTS_FILE

INSTALLED_NMAP = Path("/usr/share/nmap/nmap-services")  # Debian's nmap-common


def nmap_path() -> Path:
    """The nmap table the tests run with: their own small file (tests/conftest.py), unless a test sets another."""
    return Path(os.environ["PORTATLAS_NMAP_SERVICES"])


@functools.cache
def bad_ports() -> frozenset[int]:
    """The Fetch bad-port list, from the copy the package ships."""
    out = set()
    for line in BAD_PORTS_FILE.read_text().splitlines():
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


def nmap_frequencies(proto: str = "tcp", path: Path | None = None) -> dict[int, tuple[float, str]]:
    """{port: (frequency, name)} from nmap-services (the tests' table unless ``path``), by plain splitting."""
    return _nmap_frequencies(proto, path or nmap_path())


@functools.cache
def _nmap_frequencies(proto: str, path: Path) -> dict[int, tuple[float, str]]:
    out: dict[int, tuple[float, str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        port, _, pr = cols[1].partition("/")
        if pr == proto:
            f = float(cols[2])
            if int(port) not in out or out[int(port)][0] < f:
                out[int(port)] = (f, cols[0])
    return out


def nmap_top(proto: str = "tcp", n: int = 1000, path: Path | None = None) -> frozenset[int]:
    """The ports ranked within the top n by frequency (ties at the edge included)."""
    freqs = nmap_frequencies(proto, path)
    ranked = sorted((f for f, _ in freqs.values()), reverse=True)
    edge = ranked[min(n, len(ranked)) - 1]
    return frozenset(p for p, (f, _) in freqs.items() if f >= edge and f > 0)


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
    if inside_ephemeral:
        span: range | list[int] = range(lo, min(hi, 49151) + 1)
    else:
        # Each xdist worker starts elsewhere, so one worker's listener on its quiet port never makes
        # another's "free here" false; clear of the ports suggest(near=20000) binds.
        start = 1500 * _worker_number()
        ports = list(range(21000, 32768))
        span = ports[start % len(ports):] + ports[:start % len(ports)]
    for p in span:
        if (oracle.state(p, "tcp") == "unassigned"
                and all(oracle.state(p, t) != "assigned" for t in ("udp", "sctp", "dccp"))
                and p not in bad and p not in top and p not in res and p not in taken and p not in used
                and not (lo <= p <= hi and not inside_ephemeral) and binds(p, ("tcp",))):
            return p
    raise AssertionError("no quiet port found")


def _worker_number() -> int:
    """This pytest-xdist worker's number (gw3: 3), 0 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
