"""The compiled index: a registry edition turned into arrays answering in O(1).

Layout (all plain data, so ``marshal`` loads it in a few milliseconds):

- ``records``: every registry row as a tuple, in file order;
- ``ports[t]``: for each transport, 65,536 unsigned shorts, the id of the
  *group* of rows covering each port (group 0 is "no row");
- ``groups``: each distinct tuple of row ids that covers some port, and
  ``group_state`` its state, so a port's state is two array reads;
- ``names``: lower-cased service name to row ids.

Rows become ``Record`` values only when asked for, and are kept once made.
The compiled form is cached on disk, keyed by the source file's path, size
and modification time and by ``FORMAT``; a changed source rebuilds it. The
cache file is a small marshalled header and the blobs after it, mapped into
memory: loading reads the header only, and a question touches only the pages
it needs (a lookup or `portatlas listening` reads a few of its 3.4 MB).

Importing this module loads neither ``portatlas.model`` (its dataclasses cost
~20 ms to build) nor pathlib: `portatlas listening --json` reads states and
names through ``state_code`` and ``names_at`` without them.
"""

from __future__ import annotations

import marshal

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any, Literal

    from portatlas.model import Record, State, Transport

    Buffer = bytes | memoryview

FORMAT = 7  # 7: people inline in rows, ranked blocks
# State codes as stored: 0 assigned, 1 reserved, 2 unassigned; the values of model.State in that order.
STATE_VALUES = ("assigned", "reserved", "unassigned")
_NPORTS = 65536


class Index:
    """An immutable, compiled registry edition."""

    __slots__ = (
        "_blob",
        "_blocks",
        "_blocks_blob",
        "_group_members",
        "_group_offsets",
        "_group_state",
        "_made",
        "_names",
        "_names_blob",
        "_offsets",
        "_ports",
        "_states",
        "_text_blob",
        "edition",
        "source",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        self.edition: str = data["edition"]
        self.source: str = data["source"]
        # Rows, people and names stay marshalled until first asked for: a
        # single-port lookup decodes a handful of rows, not 14,000.
        # Blobs are bytes, or memoryviews on the mapped cache file (Buffer, below).
        self._blob: Buffer = data["records"]
        self._offsets = _view("I", data["record_offsets"])
        self._made: list[Record | None] = [None] * (len(self._offsets) - 1)
        self._blocks_blob: Buffer = data["blocks"]
        self._blocks: dict[str, tuple[list[tuple[int, int, int]], list[tuple[int, int, int]], list[int]]] | None = None
        # Keyed by the transport's value: a Transport (a str enum) hashes and compares as its
        # value, so both index these dicts, and the lean paths need no enum.
        self._ports: dict[str, memoryview[int]] = {t: _view("H", blob) for t, blob in data["ports"].items()}
        self._group_offsets = _view("I", data["group_offsets"])
        self._group_members = _view("H", data["group_members"])
        self._group_state: Buffer = data["group_state"]
        self._names_blob: Buffer = data["names"]
        self._names: dict[str, tuple[int, ...]] | None = None
        self._text_blob: Buffer = data["text"]
        self._states: dict[str, Buffer] = dict(data["states"])

    # -- rows -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._made)

    def record(self, i: int) -> Record:
        """Row ``i`` of the edition, made into a ``Record`` once."""
        r = self._made[i]
        if r is None:
            r = self._made[i] = self._make(self.raw(i))
        return r

    def records(self) -> Iterator[Record]:
        """Every row, in registry order."""
        return (self.record(i) for i in range(len(self._made)))

    def raw(self, i: int) -> tuple[Any, ...]:
        """Row ``i`` as its compact tuple (name, transport, low, high, description, ...)."""
        row: tuple[Any, ...] = marshal.loads(self._blob[self._offsets[i]:self._offsets[i + 1]])
        return row

    def ranked_blocks(self, rng: str) -> list[tuple[int, int, int]]:
        """The System or User range's unassigned blocks on TCP and UDP as (low, high, rank), largest first."""
        return self._block_table()[rng][0]

    def block_at(self, port: int, rng: str) -> tuple[int, int, int, int] | None:
        """(low, high, rank, number of blocks) of the TCP-and-UDP unassigned block holding ``port`` in
        its range (System or User), or None: a bisection over the blocks compiled with the index."""
        ranked, by_low, lows = self._block_table()[rng]
        i = _bisect_right(lows, port) - 1
        if i < 0:
            return None
        low, high, rank = by_low[i]
        return (low, high, rank, len(ranked)) if low <= port <= high else None

    def _block_table(self) -> dict[str, tuple[list[tuple[int, int, int]], list[tuple[int, int, int]], list[int]]]:
        """Per range: the blocks ranked, the same sorted by their first port, and those first ports."""
        if self._blocks is None:
            raw: dict[str, list[tuple[int, int, int]]] = marshal.loads(self._blocks_blob)
            self._blocks = {}
            for rng, ranked in raw.items():
                by_low = sorted(ranked)
                self._blocks[rng] = (ranked, by_low, [b[0] for b in by_low])
        return self._blocks

    def _make(self, t: tuple[Any, ...]) -> Record:
        (name, transport, low, high, desc, assignees, contacts, xrefs,
         registered, updated, note, unauthorized, sc) = t
        m = _model()
        record: Record = m.Record(
            name=name,
            transport=m.Transport(transport) if transport else None,
            low=low,
            high=high,
            description=desc,
            assignees=tuple(m.Person(*p) for p in assignees),
            contacts=tuple(m.Person(*p) for p in contacts),
            xrefs=tuple(m.Xref(*x) for x in xrefs),
            registered=registered,
            updated=updated,
            note=note,
            unauthorized=unauthorized,
            service_code=sc,
        )
        return record

    # -- ports ----------------------------------------------------------
    def state(self, port: int, transport: Transport) -> State:
        """The state of (port, transport): two array reads."""
        return (_STATES or _state_members())[self._group_state[self._ports[transport][port]]]

    def state_code(self, port: int, transport: Transport | str) -> int:
        """The state as 0 assigned, 1 reserved, 2 unassigned (for tight loops); ``STATE_VALUES`` names them."""
        return self._group_state[self._ports[transport][port]]

    def row_ids(self, port: int, transport: Transport | str) -> tuple[int, ...]:
        """Ids of the rows covering (port, transport), in registry order."""
        g = self._ports[transport][port]
        return tuple(self._group_members[self._group_offsets[g]:self._group_offsets[g + 1]])

    def names_at(self, port: int, transport: Transport | str) -> tuple[str, ...]:
        """The service names assigned on (port, transport), each once, in registry order.

        The same as the names of ``PortInfo.on(transport).assignments`` (a row
        assigns exactly when it has a name), read from the raw rows.
        """
        return tuple(dict.fromkeys(n for n in (self.raw(i)[0] for i in self.row_ids(port, transport)) if n))

    def states(self, transport: Transport) -> bytes:
        """65,536 state codes of one transport (0 assigned, 1 reserved, 2 unassigned)."""
        s = self._states[transport]
        if not isinstance(s, bytes):
            s = self._states[transport] = bytes(s)  # callers use bytes' methods (translate, count)
        return s

    def text(self) -> tuple[list[str], list[str]]:
        """Every row's service name ('' for none) and description, by row id, for search."""
        names, descriptions = marshal.loads(self._text_blob)
        return names, descriptions

    # -- names ----------------------------------------------------------
    def name_ids(self, name: str) -> tuple[int, ...]:
        """Row ids registering a service name, any letter case."""
        return self.names().get(name.lower(), ())

    def names(self) -> dict[str, tuple[int, ...]]:
        """Every lower-cased service name and its row ids."""
        if self._names is None:
            self._names = marshal.loads(self._names_blob)
        return self._names


def _bisect_right(a: list[int], x: int) -> int:
    # bisect.bisect_right without importing bisect (a C module, but one more import on the hot path).
    lo, hi = 0, len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _view(typecode: Literal["H", "I"], blob: bytes) -> memoryview[int]:
    # A typed view on the marshalled bytes: no copy, and no `array` import (which loads collections).
    return memoryview(blob).cast(typecode)


_STATES: tuple[State, ...] = ()
_MODEL: Any = None


def _state_members() -> tuple[State, ...]:
    global _STATES
    from portatlas.model import State

    _STATES = tuple(State(v) for v in STATE_VALUES)
    return _STATES


def _model() -> Any:
    # The dataclasses, once, for the paths that make Records.
    global _MODEL
    if _MODEL is None:
        from portatlas import model

        _MODEL = model
    return _MODEL


def __getattr__(name: str) -> Any:
    # The model names this module once imported eagerly stay reachable as attributes (index.Transport).
    if name in ("TRANSPORTS", "Person", "Record", "State", "Transport", "Xref"):
        return getattr(_model(), name)
    raise AttributeError(name)


# Compiling and the cache file live in their own modules; these names stay reachable from here.
def compile_registry(parsed: Any, source: str = "") -> dict[str, Any]:
    """Turn a ``ParsedRegistry`` into the index's plain-data form (see ``portatlas.index.compile``)."""
    from portatlas.index.compile import compile_registry as _compile

    return _compile(parsed, source)


def load(source: Path | str, *, use_cache: bool = True) -> Index:
    """The compiled index of a registry file, from the cache when it is fresh (``portatlas.index.cachefile``)."""
    from portatlas.index.cachefile import load as _load

    return _load(source, use_cache=use_cache)


def cache_dir() -> Path:
    """Where compiled indexes are cached (``PORTATLAS_CACHE_DIR`` overrides)."""
    from pathlib import Path

    from portatlas.source.paths import cache_dir_str

    return Path(cache_dir_str())
