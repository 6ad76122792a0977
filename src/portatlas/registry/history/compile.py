"""Compile the compact history into the per-port file ``compiled`` reads (format in its docstring).

Every port's timeline is ``timelines.from_history`` of it; ports covered by
the same record versions share one, so there are some 7,000 to compute, not
65,536 (about a second). Done when the package is built, or once into the
cache directory by an editable checkout; ``InMemory`` answers the same,
port by port, where no file can be written.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from array import array
from pathlib import Path
from typing import Any

from portatlas.model import TRANSPORTS, Transport
from portatlas.registry.history.compact import History
from portatlas.registry.history.compiled import (
    FORMAT,
    KINDS,
    MAGIC,
    SHIPPED_PATH,
    STATES,
)
from portatlas.registry.history.rows import Row, record_row
from portatlas.registry.history.timelines import from_history, timeline
from portatlas.registry.history.values import TransportHistory

SYSTEM_LAST = 1023  # the System range, whose lost assignments the header lists


def compile_file(source: str) -> bytes:
    """The compiled history of the compact history file ``source``."""
    return compile_history(_history_of(source), os.stat(source).st_size)


class InMemory:
    """What the compiled file would answer, made from the compact history as it is asked.

    For a process that has no compiled file and cannot write one (no
    writable cache directory): it loads the compact history (0.1-0.3 s) and
    makes each port's timeline when first asked, instead of compiling all of
    them (about a second) for nothing.
    """

    path = None  # no file behind it

    def __init__(self, source: str) -> None:
        self._h = _history_of(source)
        self.editions: tuple[str, ...] = self._h.editions
        self.gaps: tuple[tuple[str, str], ...] = self._h.gaps
        self._lost: tuple[tuple[int, str, str, str, str], ...] | None = None

    @property
    def deassignments(self) -> tuple[tuple[int, str, str, str, str], ...]:
        """(port, transport, name, last edition with it, first without), as ``compiled.Compiled`` has them."""
        if self._lost is None:
            self._lost = tuple((port, *x) for port in range(SYSTEM_LAST + 1)
                               for x in _lost(from_history(self._h, port)))
        return self._lost

    def counts(self, i: int) -> tuple[int, ...]:
        """Edition ``i``'s 36 state counts (see ``compiled.Compiled.counts``)."""
        return tuple(self._h.state_counts(i))

    def transports(self, port: int, transport: Transport | None = None) -> tuple[TransportHistory, ...]:
        """The port's timeline on every transport (or one), as the shipped editions give it."""
        ths = from_history(self._h, port)
        return ths if transport is None else tuple(th for th in ths if th.transport is transport)


def _history_of(source: str) -> History:
    if os.path.realpath(source) == os.path.realpath(SHIPPED_PATH):
        from portatlas.registry.history.compact import history

        return history()  # this process's own, loaded once (and its marshal cache)
    return History.load(Path(source), use_cache=False)  # another copy (a build): keep the user's cache out


def compile_history(h: History, source_size: int) -> bytes:
    """The compiled file's bytes for the compact history ``h`` (read from a file of ``source_size`` bytes)."""
    pos = {d: i for i, d in enumerate(h.editions)}
    cover = h.cover_table()
    by_cover: dict[tuple[int, ...], tuple[int, list[tuple[str, str, str, str]]]] = {}
    by_bytes: dict[bytes, int] = {}
    blobs: list[bytes] = []
    port_blob = array("H", bytes(2 * 65536))
    lost: list[tuple[int, str, str, str, str]] = []
    made: dict[int, Row] = {}  # id of a Record (h keeps each version's once) to its row
    for port in range(65536):
        known = by_cover.get(cover[port])
        if known is None:
            runs = h.runs_of(cover[port])
            ths = tuple(timeline(port, t, runs) for t in TRANSPORTS)
            blob = encode(ths, pos, made)
            b = by_bytes.get(blob)
            if b is None:
                b = by_bytes[blob] = len(blobs)
                blobs.append(blob)
            known = by_cover[cover[port]] = (b, _lost(ths))
        port_blob[port] = known[0]
        if port <= SYSTEM_LAST:
            lost.extend((port, *x) for x in known[1])
    if len(blobs) >= 65536:
        raise ValueError(f"{len(blobs)} distinct timelines do not fit the file's 16-bit table")
    offsets = array("I", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    crcs = array("I", (zlib.crc32(b) for b in blobs))
    counts = array("I", (c for i in range(len(h.editions)) for c in h.state_counts(i)))
    parts = {"port_blob": port_blob.tobytes(), "blob_offsets": offsets.tobytes(),
             "blob_crcs": crcs.tobytes(), "timelines": b"".join(blobs)}
    index_crc = 0
    for name in ("port_blob", "blob_offsets", "blob_crcs"):
        index_crc = zlib.crc32(parts[name], index_crc)
    header: dict[str, Any] = {
        "format": FORMAT, "source_size": source_size, "byteorder": sys.byteorder,
        "editions": tuple(h.editions), "gaps": tuple(h.gaps), "deassignments": tuple(lost),
        "counts": counts.tobytes(), "blobs": len(blobs), "index_crc": index_crc,
    }
    return _assemble(header, parts)


def encode(ths: tuple[TransportHistory, ...], pos: dict[str, int], made: dict[int, Row] | None = None) -> bytes:
    """One timeline blob: the distinct rows of its events, then each transport's events.

    ``made`` remembers the rows of records seen before (by identity: the records must outlive it).
    """
    if made is None:
        made = {}
    rows: dict[Row, int] = {}
    per_transport = []
    for th in ths:
        events = []
        for ev in th.events:
            shown = []
            for r in ev.records:
                row = made.get(id(r))
                if row is None:
                    row = made[id(r)] = record_row(r)
                shown.append(rows.setdefault(row, len(rows)))
            events.append((KINDS.index(ev.kind), STATES.index(ev.state.value), pos[ev.first],
                           -1 if ev.before is None else pos[ev.before], tuple(shown),
                           tuple((c.field, c.old, c.new, c.record) for c in ev.changes)))
        per_transport.append(tuple(events))
    return marshal.dumps((tuple(rows), tuple(per_transport)))


def _lost(ths: tuple[TransportHistory, ...]) -> list[tuple[str, str, str, str]]:
    """(transport, name, last edition with it, first without) for each assignment a timeline loses."""
    out = []
    for th in ths:
        for ev in th.events:
            for c in ev.changes:
                if c.field == "name" and c.new is None and c.old and ev.before is not None:
                    out.append((th.transport.value, c.old, ev.before, ev.first))
    return out


def _assemble(header: dict[str, Any], parts: dict[str, bytes]) -> bytes:
    layout: dict[str, tuple[int, int]] = {}
    chunks: list[bytes] = []
    pos = 0
    for name, blob in parts.items():
        pad = -pos % 8
        chunks.append(b"\0" * pad + blob)
        layout[name] = (pos + pad, len(blob))
        pos += pad + len(blob)
    head = marshal.dumps({**header, "layout": layout})
    prefix = MAGIC + len(head).to_bytes(8, "little") + zlib.crc32(head).to_bytes(4, "little") + b"\0" * 4
    start = len(prefix) + len(head)
    return b"".join([prefix, head, b"\0" * (-start % 8), *chunks])
