"""One port's entries in nmap-services, read without parsing the whole file.

Parsing all 27,000 lines costs ~60 ms, which the parsed-table cache
(``world/nmap.py``) pays once per file; a question about one port, with no
parse cached yet (a first `portatlas PORT`, or every one where no cache
directory can be written), would pay it for one line. ``PortTable`` answers
``get`` for that port from two scans of the file (~5 ms for Debian's), with
exactly the values the full table gives: the port's highest frequency on the
protocol, its competition rank among all of that protocol's rows, and nmap's
name (the port's lines are found by ``portatlas.world.nmap_port``, as a port's
answer finds them). Any other question (another port,
``is_common`` over many ports, ``common_ports``) parses the whole table once
and asks it.
"""

from __future__ import annotations

import re

from portatlas.model import Transport
from portatlas.query.reasons import Frequency
from portatlas.value import replace
from portatlas.world import nmap, nmap_port

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.world.nmap import NmapTable


class PortTable:
    """nmap's table as far as one port needs it; the full table, parsed on demand, for anything else."""

    def __init__(self, data: bytes, source: str, port: int, top: int = nmap.TOP) -> None:
        if not _any_row(data):
            raise ValueError("no 'name<TAB>port/proto<TAB>frequency' lines")
        self.source = source
        self.top = top
        self.port = port
        self._data = data
        self._entries: dict[str, Frequency | None] = {}
        self._full: NmapTable | None = None

    def get(self, port: int, transport: Transport) -> Frequency | None:
        """The entry for (port, transport), or None when nmap does not list it."""
        if port != self.port or transport.value not in nmap.PROTOCOLS:
            return self.table().get(port, transport)
        if transport.value not in self._entries:
            self._entries[transport.value] = _entry(self._data, port, transport, self.top)
        return self._entries[transport.value]

    def is_common(self, port: int, transport: Transport) -> bool:
        """Whether (port, transport) ranks among the ``top`` most frequently open."""
        if port == self.port:
            f = self.get(port, transport)
            return f is not None and f.frequency > 0 and 0 < f.rank <= self.top
        return self.table().is_common(port, transport)

    def common_ports(self, transport: Transport) -> list[int]:
        """The common ports of one transport, most frequent first (from the full table)."""
        return self.table().common_ports(transport)

    def table(self) -> NmapTable:
        """The whole parsed table (parsed once, on first need)."""
        if self._full is None:
            self._full = nmap.parse(self._data, self.source, self.top)
        return self._full


def _protocol_rows(data: bytes, proto: str) -> list[tuple[bytes, bytes]]:
    """(port, frequency) of every line of the protocol, exactly as nmap.parse's pattern reads them.

    The same pattern written to start with a newline (the file gets one in front) and with possessive
    quantifiers, which cannot change what matches (the next character is never in the repeated class)
    but lets the engine skip to each line's start: ~4 ms for Debian's file instead of ~12 ms.
    """
    pattern = _PATTERNS.get(proto)
    if pattern is None:
        pattern = _PATTERNS[proto] = re.compile(rb"\n[^\t#\r\n]*+\t(\d{1,5}+)/" + proto.encode() + rb"\t([0-9.]+)")
    rows: list[tuple[bytes, bytes]] = pattern.findall(b"\n" + data)
    return rows


_PATTERNS: dict[str, re.Pattern[bytes]] = {}


def _freq(text: bytes) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # nmap.parse skips such a line


def _entry(data: bytes, port: int, transport: Transport, top: int) -> Frequency | None:
    """The port's entry with its competition rank among every row of the protocol."""
    found = nmap_port.read_entry(data, port, transport)
    if found is None:
        return None
    higher = 0
    for number, text in _protocol_rows(data, transport.value):
        f = _freq(text)
        if f is not None and f > found.frequency and int(number) <= 65535:
            higher += 1
    return replace(found, rank=higher + 1)


def _any_row(data: bytes) -> bool:
    """Whether nmap.parse would find a line at all (else the file is not nmap-services)."""
    return any(int(m.group(2)) <= 65535 and _freq(m.group(4)) is not None for m in nmap._LINE.finditer(data))


__all__ = ["PortTable"]
