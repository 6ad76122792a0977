"""The compiled per-port history: each port's timeline decoded from a mapped file in well under a millisecond.

``portatlas PORT`` shows a port's history, so reading it may cost nothing
like the 0.3 s of loading the compact history and walking its record
versions. The compiled file holds the answers ready-made:

- ``MAGIC``; the header's length (8 bytes, little-endian) and CRC-32 (4
  bytes); the marshalled header; then each blob at an 8-byte-aligned offset;
- the header: ``format``, ``source_size`` (the size of the compact history it
  was compiled from: another size means another history, so it is stale),
  ``byteorder`` (the arrays are native), the ``editions`` (dates), the
  ``gaps``, ``counts`` (per edition, 12 ``(assigned, reserved, unassigned)``
  triples in the order of ``PortRange`` then ``TRANSPORTS``, as uint32 bytes),
  ``deassignments`` (see ``system_deassignments``), ``blobs`` (how many
  distinct timelines), ``layout`` (name to offset and length) and
  ``index_crc``;
- ``port_blob``: 65,536 uint16, each port's timeline number (ports covered by
  the same rows in every edition share one: 7,000 timelines for 65,536 ports);
- ``blob_offsets`` (uint32, one more than ``blobs``) and ``blob_crcs``
  (uint32), checked with ``index_crc`` when the file is opened;
- ``timelines``: each a marshalled ``(rows, per_transport)``: ``rows`` the
  distinct rows of its events (``rows.Row`` tuples), ``per_transport`` the
  events of tcp, udp, sctp and dccp, each ``(kind, state, first, before,
  row numbers, changes)`` with ``kind`` and ``state`` indices into ``KINDS``
  and ``STATES``, ``first`` and ``before`` edition indices (-1 for none) and
  ``changes`` ``(field, old, new, record)`` tuples. A timeline's CRC-32 is
  checked before it is decoded.

The file is what ``port_history(port, include_stored=False)`` gives, for
every port. It ships in the package (``write``, called when the package is
built); an editable checkout compiles it once into the cache directory
(about a second), and where that cannot be written, each process makes the
timelines it asks for from the compact history (``compile.InMemory``). A
damaged, truncated or stale file is never believed: it is compiled again.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from portatlas.model import TRANSPORTS, State, Transport
from portatlas.registry.history.rows import row_record
from portatlas.registry.history.values import FieldChange, PortEvent, TransportHistory
from portatlas.source.files import writable_dir, write_cache, write_whole

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from typing import Any

    from portatlas.model import Record
    from portatlas.registry.history.compile import InMemory

FORMAT = 2
MAGIC = b"portatlas history index\n"
KINDS = ("present", "assigned", "de-assigned", "reserved", "released", "changed")
STATES = ("assigned", "reserved", "unassigned")
NAME = "history.index"
_PKG = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_PATH = os.path.join(_PKG, "data", "history.json.xz")
_PREFIX = len(MAGIC) + 16  # MAGIC, header length, header CRC, padding to 8


class Damaged(Exception):
    """A compiled file whose bytes are not what was written (truncated, corrupt, of another format)."""


def shipped_path(package_dir: str = _PKG) -> str:
    """Where the package at ``package_dir`` carries its compiled history."""
    return os.path.join(package_dir, "data", "compiled", NAME)


def cache_path(source: str = SHIPPED_PATH) -> str:
    """Where the compiled history of ``source`` is cached when the package carries none."""
    from portatlas.source.paths import cache_dir_str

    st = os.stat(source)
    return os.path.join(cache_dir_str(), f"history-v{FORMAT}-{st.st_size:x}-{st.st_mtime_ns:x}.index")


class Compiled:
    """An opened compiled history (see the module's docstring). ``Damaged`` if it is not whole."""

    __slots__ = ("_counts", "_crcs", "_offsets", "_port_blob", "_records", "_timelines", "deassignments",
                 "editions", "gaps", "path")

    def __init__(self, blob: bytes | memoryview, source_size: int, path: str | None = None) -> None:
        self.path = path
        view = memoryview(blob)
        try:
            if bytes(view[:len(MAGIC)]) != MAGIC:
                raise Damaged("not a compiled history")
            n = int.from_bytes(view[len(MAGIC):len(MAGIC) + 8], "little")
            crc = int.from_bytes(view[len(MAGIC) + 8:len(MAGIC) + 12], "little")
            head = view[_PREFIX:_PREFIX + n]
            if len(head) != n or zlib.crc32(head) != crc:
                raise Damaged("header truncated or corrupt")
            header: dict[str, Any] = marshal.loads(head)
            if (header["format"], header["source_size"], header["byteorder"]) != (
                    FORMAT, source_size, sys.byteorder):
                raise Damaged("compiled from another history, format or machine")
            base = _PREFIX + n + (-(_PREFIX + n) % 8)
            parts = {}
            for name, (off, size) in header["layout"].items():
                if base + off + size > len(view):
                    raise Damaged("truncated")
                parts[name] = view[base + off:base + off + size]
            index_crc = 0
            for name in ("port_blob", "blob_offsets", "blob_crcs"):
                index_crc = zlib.crc32(parts[name], index_crc)
            if index_crc != header["index_crc"]:
                raise Damaged("index corrupt")
            self._port_blob = parts["port_blob"].cast("H")
            self._offsets = parts["blob_offsets"].cast("I")
            self._crcs = parts["blob_crcs"].cast("I")
            self._timelines = parts["timelines"]
            if (len(self._port_blob) != 65536 or len(self._offsets) != header["blobs"] + 1
                    or len(self._crcs) != header["blobs"] or self._offsets[-1] > len(self._timelines)):
                raise Damaged("index of the wrong size")
            self.editions: tuple[str, ...] = header["editions"]
            self.gaps: tuple[tuple[str, str], ...] = header["gaps"]
            self.deassignments: tuple[tuple[int, str, str, str, str], ...] = header["deassignments"]
            self._counts = memoryview(header["counts"]).cast("I")
            if len(self._counts) != 36 * len(self.editions) or not self.editions:
                raise Damaged("counts of the wrong size")
        except (KeyError, TypeError, ValueError, EOFError, IndexError) as e:
            raise Damaged(f"unreadable: {e}") from None
        self._records: dict[int, tuple[Record, ...]] = {}

    @classmethod
    def open(cls, path: str, source_size: int) -> Compiled:
        """The compiled file at ``path``, mapped (a lookup reads only the pages it needs)."""
        import mmap

        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays valid after close
        return cls(memoryview(mapped), source_size, path)

    def counts(self, i: int) -> tuple[int, ...]:
        """Edition ``i``'s 36 state counts: (assigned, reserved, unassigned) per range, then transport."""
        return tuple(self._counts[36 * i:36 * i + 36])

    def transports(self, port: int, transport: Transport | None = None) -> tuple[TransportHistory, ...]:
        """The port's timeline on every transport (or one), as the shipped editions give it."""
        b = self._port_blob[port]
        try:
            lo, hi = self._offsets[b], self._offsets[b + 1]
            raw = self._timelines[lo:hi]
            if lo > hi or zlib.crc32(raw) != self._crcs[b]:
                raise Damaged(f"timeline {b} corrupt")
            rows, per_transport = marshal.loads(raw)
            made = self._records.get(b)
            if made is None:
                made = self._records[b] = tuple(row_record(r) for r in rows)
            eds = self.editions
            out = []
            for t, events in zip(TRANSPORTS, per_transport):
                if transport is not None and t is not transport:
                    continue
                out.append(TransportHistory(t, tuple(
                    PortEvent(transport=t, kind=KINDS[kind], state=State(STATES[state]), first=eds[first],
                              before=eds[before] if before >= 0 else None,
                              records=tuple(made[i] for i in shown),
                              changes=tuple(FieldChange(*c) for c in changes))
                    for kind, state, first, before, shown, changes in events)))
        except (TypeError, ValueError, EOFError, IndexError) as e:
            raise Damaged(f"timeline {b} unreadable: {e}") from None
        return tuple(out)


_OPENED: Compiled | InMemory | None = None


def opened() -> Compiled | InMemory:
    """The compiled history this process answers from, opened (or compiled) once."""
    global _OPENED
    if _OPENED is None:
        _OPENED = load()
    return _OPENED


def port_transports(port: int, transport: Transport | None = None,
                    ) -> tuple[Compiled | InMemory, tuple[TransportHistory, ...]]:
    """The compiled history in use and ``port``'s timelines from it; a damaged file is compiled again."""
    global _OPENED
    c = opened()
    try:
        return c, c.transports(port, transport)
    except Damaged:
        if c.path is None:
            raise  # compiled in this process: a fault of the compiler, not of a file
        _OPENED = c = load(skip=(c.path,))
        return c, c.transports(port, transport)


def load(package_dir: str = _PKG, *, skip: tuple[str, ...] = (),
         use_cache: bool = True) -> Compiled | InMemory:
    """The compiled history: the package's own file, else the cache directory's, else compiled now.

    Compiling (about a second) writes the cache file for the next process.
    Where the cache directory cannot be written, nothing is compiled ahead:
    each port's timeline is made from the compact history when asked
    (``compile.InMemory``), so such a process only pays for what it asks.
    Paths in ``skip`` were found damaged: the cache file is then rewritten.
    """
    source = os.path.join(package_dir, "data", "history.json.xz")
    size = os.stat(source).st_size
    candidates = [shipped_path(package_dir)]
    cache: str | None = None
    if use_cache:
        try:
            cache = cache_path(source)
            candidates.append(cache)
        except OSError:
            cache = None
    for path in candidates:
        if path in skip:
            continue
        try:
            return Compiled.open(path, size)
        except (OSError, ValueError, Damaged):
            continue  # missing, empty (mmap refuses), stale or damaged: the next one, or compile
    from portatlas.registry.history.compile import InMemory, compile_file

    if cache is None or not writable_dir(os.path.dirname(cache)):
        return InMemory(source)
    blob = compile_file(source)
    write_cache(cache, blob)
    return Compiled(blob, size)


def write(package_dir: str) -> list[str]:
    """Compile the history of the package at ``package_dir`` into its ``data/compiled/``; the files written.

    The build step (``setup.py``'s ``build_py``) calls this on the built copy of the package.
    """
    from portatlas.registry.history.compile import compile_file

    target = shipped_path(package_dir)
    blob = compile_file(os.path.join(package_dir, "data", "history.json.xz"))
    write_whole(target, blob)
    return [target]

