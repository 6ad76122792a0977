"""nmap's entries for one port, read straight from nmap-services: what a port's answer quotes.

Parsing the whole 1 MB table takes ~25 ms (``portatlas.world.nmap`` does it
for advice and suggestions, which rank ports); one port's lines are found in
about a millisecond by searching the file's bytes for ``\\tPORT/PROTO\\t``.
The file is nmap's, under nmap's licence: read where it is installed, never
copied into portatlas.
"""

from __future__ import annotations

import os

from portatlas.model import Transport
from portatlas.query.reasons import Frequency
from portatlas.system.files import NMAP_ENV, NMAP_PATHS

PROTOCOLS = (Transport.TCP, Transport.UDP, Transport.SCTP)
INSTALL_HINT = ("install nmap (Debian and Ubuntu: apt install nmap-common; macOS: brew install nmap) or set "
                f"{NMAP_ENV} to an nmap-services file")


def configured_path() -> tuple[str | None, str]:
    """The nmap-services file to read, or None and why there is none (with how to install it)."""
    env = os.environ.get(NMAP_ENV)
    if env:
        return (env, "") if os.path.isfile(env) else (None, f"{NMAP_ENV}={env} is not a readable file")
    for path in NMAP_PATHS:
        if os.path.isfile(path):
            return path, ""
    return None, f"nmap-services is not installed: {INSTALL_HINT}"


class PortEntries:
    """nmap's lines for one port (a ``FrequencyTable`` that knows that port only, without ranks)."""

    def __init__(self, source: str, port: int, entries: dict[str, Frequency]) -> None:
        self.source = source
        self.port = port
        self.entries = entries

    def __repr__(self) -> str:
        return f"<nmap-services {self.source}: port {self.port}, {len(self.entries)} lines>"

    def get(self, port: int, transport: Transport) -> Frequency | None:
        """The entry for (port, transport), or None when nmap lists none (or another port is asked)."""
        return self.entries.get(str(transport)) if port == self.port else None


def port_lines(data: bytes, port: int) -> dict[str, list[tuple[float, str | None]]]:
    """(frequency, name) of each of the port's lines, per protocol, in file order, read as nmap's own
    parser reads them (zero-padded numbers count; comments and lines without a number frequency do not).
    One pass over the file finds every protocol's lines."""
    needle = f"{port}/".encode()
    out: dict[str, list[tuple[float, str | None]]] = {}
    seen: set[int] = set()
    at = data.find(needle)
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        if start not in seen:
            seen.add(start)
            end = data.find(b"\n", at)
            fields = data[start:end if end != -1 else len(data)].split(b"\t")
            number, _, proto = fields[1].partition(b"/") if len(fields) > 2 else (b"", b"", b"")
            if not fields[0].startswith(b"#") and number.isdigit() and len(number) <= 5 and int(number) == port:
                try:
                    freq: float | None = float(fields[2].split(b"#")[0].strip())
                except ValueError:
                    freq = None  # nmap's parser skips such a line
                if freq is not None:
                    name = fields[0].decode("utf-8", "replace").strip()
                    out.setdefault(proto.decode("ascii", "replace"), []).append(
                        (freq, None if name in ("", "unknown") else name))
        at = data.find(needle, at + 1)
    return out


def port_rows(data: bytes, port: int, proto: str) -> list[tuple[float, str | None]]:
    """(frequency, name) of the port's lines on one protocol (``port_lines`` for all of them at once)."""
    return port_lines(data, port).get(proto, [])


def _best(port: int, proto: Transport, rows: list[tuple[float, str | None]]) -> Frequency | None:
    """The port's entry as the full table reads it: its highest frequency, and that line's name."""
    if not rows:
        return None
    best = max(f for f, _ in rows)
    name = next(n for f, n in rows if f == best)
    return Frequency(port=port, transport=proto, frequency=best, name=name)


def read_entry(data: bytes, port: int, proto: Transport) -> Frequency | None:
    """The port's entry on one protocol as the full table reads it."""
    return _best(port, proto, port_rows(data, port, str(proto)))


_DATA: dict[tuple[str, int, int], bytes] = {}


def read_port(port: int) -> tuple[PortEntries | None, str]:
    """nmap's entries for ``port`` on TCP, UDP and SCTP, or None and why the table is missing."""
    path, why = configured_path()
    if path is None:
        return None, why
    try:
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
        data = _DATA.get(key)
        if data is None:
            with open(path, "rb") as fh:
                data = fh.read(64 << 20)  # nmap-services is ~1 MB; a runaway file is cut, not loaded whole
            _DATA.clear()
            _DATA[key] = data
    except OSError as e:
        return None, f"{path} cannot be read ({e.strerror})"
    lines = port_lines(data, port)
    found = {str(t): hit for t in PROTOCOLS if (hit := _best(port, t, lines.get(str(t), []))) is not None}
    return PortEntries(path, port, found), ""
