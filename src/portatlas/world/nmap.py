"""nmap's open-frequency table (``nmap-services``): which ports are commonly open, assigned or not.

Each line of nmap-services reads ``name<TAB>port/proto<TAB>frequency`` where
the frequency is the share of scanned hosts found with the port open. A port
is *common* when it ranks among the ``TOP`` most frequent of its protocol:
the set nmap itself scans by default, so scanners and intrusion detection
look there first.

The file is read where it is installed (Debian's ``nmap-common``:
``/usr/share/nmap/nmap-services``) or where ``PORTATLAS_NMAP_SERVICES``
points. Parsing the 1 MB file takes ~25 ms, so the parsed table is cached
(``marshal``) in the cache directory, keyed by the file's path, size and
modification time; a warm load takes about a millisecond.
"""

from __future__ import annotations

import marshal
import os
import re
import zlib
from array import array
from bisect import bisect_left

from portatlas.model import Transport
from portatlas.query.reasons import Frequency
from portatlas.system.files import NMAP_ENV, NMAP_PATHS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.world.nmap_rank import PortTable

ENV = NMAP_ENV
DEFAULT_PATHS = NMAP_PATHS
TOP = 1000
FORMAT = 3
PROTOCOLS = ("tcp", "udp", "sctp")

_LINE = re.compile(rb"^([^\t#\r\n]*)\t(\d{1,5})/(tcp|udp|sctp)\t([0-9.]+)", re.M)


class _Column:
    """One protocol's listed ports, sorted, with parallel frequencies and ranks (arrays: cheap to load)."""

    __slots__ = ("freqs", "ports", "ranks")

    def __init__(self, ports: array[int], freqs: array[float], ranks: array[int]) -> None:
        self.ports, self.freqs, self.ranks = ports, freqs, ranks

    def find(self, port: int) -> int:
        i = bisect_left(self.ports, port)
        return i if i < len(self.ports) and self.ports[i] == port else -1


class NmapTable:
    """A parsed nmap-services: per protocol, each listed port's frequency and rank, and nmap's names
    for the common ones."""

    def __init__(self, source: str, top: int, columns: dict[str, _Column], names: dict[str, dict[int, str]]) -> None:
        self.source = source
        self.top = top
        self.columns = columns
        self.names = names

    def __repr__(self) -> str:
        counts = ", ".join(f"{p} {len(c.ports)}" for p, c in self.columns.items())
        return f"<NmapTable {self.source}: {counts}; top {self.top}>"

    def get(self, port: int, transport: Transport) -> Frequency | None:
        """The entry for (port, transport), or None when nmap does not list it."""
        col = self.columns.get(transport.value)
        i = col.find(port) if col is not None else -1
        if col is None or i < 0:
            return None
        name = self.names.get(transport.value, {}).get(port)
        return Frequency(port=port, transport=transport, frequency=col.freqs[i],
                         name=name if name and name != "unknown" else None, rank=col.ranks[i])

    def is_common(self, port: int, transport: Transport) -> bool:
        """Whether (port, transport) ranks among the ``top`` most frequently open."""
        col = self.columns.get(transport.value)
        i = col.find(port) if col is not None else -1
        return col is not None and i >= 0 and col.ranks[i] <= self.top and col.freqs[i] > 0

    def common_ports(self, transport: Transport) -> list[int]:
        """The common ports of one transport, most frequent first."""
        col = self.columns.get(transport.value)
        if col is None:
            return []
        rows = [(r, p) for p, f, r in zip(col.ports, col.freqs, col.ranks) if r <= self.top and f > 0]
        return [p for _, p in sorted(rows)]


def parse(data: bytes, source: str, top: int = TOP) -> NmapTable:
    """Parse nmap-services bytes; ValueError when no frequency line is found."""
    freqs: dict[str, list[tuple[float, int, str]]] = {p: [] for p in PROTOCOLS}
    for name, port, proto, freq in _LINE.findall(data):
        p = int(port)
        if p > 65535:
            continue
        try:
            f = float(freq)
        except ValueError:
            continue
        freqs[proto.decode()].append((f, p, name.decode("utf-8", "replace")))
    if not any(freqs.values()):
        raise ValueError("no 'name<TAB>port/proto<TAB>frequency' lines")
    columns: dict[str, _Column] = {}
    names: dict[str, dict[int, str]] = {}
    for proto, rows in freqs.items():
        rows.sort(key=lambda r: (-r[0], r[1]))
        ranked: dict[int, tuple[float, int, str]] = {}
        rank, prev = 0, None
        for i, (f, p, n) in enumerate(rows, 1):
            if f != prev:  # competition ranking: equal frequencies share a rank
                rank, prev = i, f
            ranked.setdefault(p, (f, rank, n))
        ports = sorted(ranked)
        columns[proto] = _Column(array("H", ports), array("d", (ranked[p][0] for p in ports)),
                                 array("I", (ranked[p][1] for p in ports)))
        names[proto] = {p: n for p, (f, r, n) in ranked.items() if n and n != "unknown"}
    return NmapTable(source=source, top=top, columns=columns, names=names)


def configured_path() -> tuple[str | None, str]:
    """The nmap-services file to read, or None and why there is none."""
    env = os.environ.get(ENV)
    if env:
        return (env, "") if os.path.isfile(env) else (None, f"{ENV}={env} is not a readable file")
    for path in DEFAULT_PATHS:
        if os.path.isfile(path):
            return path, ""
    return None, ("nmap-services was not found (install nmap, or Debian's nmap-common; or set "
                  f"{ENV} to its path)")


_LOADED: dict[tuple[str, int, int], NmapTable | PortTable] = {}


def load(port: int | None = None) -> tuple[NmapTable | PortTable | None, str]:
    """The table from the configured file (cached in memory and on disk), or None and why not.

    Given the one ``port`` a caller asks about and no parse cached yet, only that port's lines are
    read (``world/nmap_rank.py``, ~5 ms): a first `portatlas PORT`, or every one where no cache
    directory can be written, does not pay a whole parse (~60 ms) for one line. Callers asking
    about many ports (suggest, the web's sections) parse once and cache the table.
    """
    path, why = configured_path()
    if path is None:
        return None, why
    try:
        st = os.stat(path)
    except OSError as e:
        return None, f"{path} cannot be read ({e.strerror})"
    key = (path, st.st_size, st.st_mtime_ns)
    table = _LOADED.get(key)
    if table is not None:
        return table, ""
    cache = _cache_file(key)
    table = _read_cache(cache, path)
    if table is None:
        try:
            with open(path, "rb") as f:
                data = f.read()
            if port is not None:
                from portatlas.world.nmap_rank import PortTable

                table = PortTable(data, path, port)
            else:
                table = parse(data, path)
                _write_cache(cache, table)
        except OSError as e:
            return None, f"{path} cannot be read ({e.strerror})"
        except ValueError as e:
            return None, f"{path} is not an nmap-services file ({e})"
    _LOADED.clear()
    _LOADED[key] = table
    return table, ""


def _cache_file(key: tuple[str, int, int]) -> str:
    from portatlas.index import cache_dir

    crc = zlib.crc32(f"{FORMAT}:{TOP}:{key[0]}:{key[1]}:{key[2]}".encode("utf-8", "replace"))
    return os.path.join(str(cache_dir()), f"nmap-services.{crc:08x}.marshal")


def _read_cache(cache: str, path: str) -> NmapTable | None:
    try:
        with open(cache, "rb") as f:
            data = marshal.loads(f.read())
        if data.get("format") != FORMAT:
            return None
        columns = {}
        for proto, blobs in data["columns"].items():
            ports, freqs, ranks = array("H"), array("d"), array("I")
            ports.frombytes(blobs[0])
            freqs.frombytes(blobs[1])
            ranks.frombytes(blobs[2])
            if not len(ports) == len(freqs) == len(ranks):
                return None
            columns[proto] = _Column(ports, freqs, ranks)
        return NmapTable(source=path, top=data["top"], columns=columns, names=data["names"])
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing or damaged: parse the file again


def _write_cache(cache: str, table: NmapTable) -> None:
    columns = {p: (c.ports.tobytes(), c.freqs.tobytes(), c.ranks.tobytes()) for p, c in table.columns.items()}
    blob = marshal.dumps({"format": FORMAT, "top": table.top, "columns": columns, "names": table.names})
    from portatlas.source.files import write_cache

    write_cache(cache, blob)  # an unwritable cache only costs the parse next time
