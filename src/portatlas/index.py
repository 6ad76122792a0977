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
import os
import zlib

from portatlas.errors import RegistryError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any, Literal

    from portatlas.model import Person, Record, State, Transport

    Buffer = bytes | memoryview

FORMAT = 6
# State codes as stored: 0 assigned, 1 reserved, 2 unassigned; the values of model.State in that order.
STATE_VALUES = ("assigned", "reserved", "unassigned")
_NPORTS = 65536


class Index:
    """An immutable, compiled registry edition."""

    __slots__ = ("edition", "source", "_blob", "_offsets", "_made", "_people_blob", "_people",
                 "_ports", "_group_offsets", "_group_members", "_group_state", "_names_blob",
                 "_names", "_text_blob", "_states")

    def __init__(self, data: dict[str, Any]) -> None:
        self.edition: str = data["edition"]
        self.source: str = data["source"]
        # Rows, people and names stay marshalled until first asked for: a
        # single-port lookup decodes a handful of rows, not 14,000.
        # Blobs are bytes, or memoryviews on the mapped cache file (Buffer, below).
        self._blob: Buffer = data["records"]
        self._offsets = _view("I", data["record_offsets"])
        self._made: list[Record | None] = [None] * (len(self._offsets) - 1)
        self._people_blob: Buffer = data["people"]
        self._people: dict[str, tuple[Any, ...]] | None = None
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

    def _person(self, pid: str) -> Person:
        if self._people is None:
            self._people = marshal.loads(self._people_blob)
        p = self._people.get(pid)
        person = _model().Person
        return person(pid, *p) if p else person(pid)

    def _make(self, t: tuple[Any, ...]) -> Record:
        (name, transport, low, high, desc, assignees, contacts, xrefs,
         registered, updated, note, unauthorized, sc) = t
        m = _model()
        return m.Record(
            name=name,
            transport=m.Transport(transport) if transport else None,
            low=low,
            high=high,
            description=desc,
            assignees=tuple(self._person(p) for p in assignees),
            contacts=tuple(self._person(p) for p in contacts),
            xrefs=tuple(m.Xref(*x) for x in xrefs),
            registered=registered,
            updated=updated,
            note=note,
            unauthorized=unauthorized,
            service_code=sc,
        )

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


# -- compiling ----------------------------------------------------------------

def compile_registry(parsed: Any, source: str = "") -> dict[str, Any]:
    """Turn a ``ParsedRegistry`` into the index's plain-data form."""
    from array import array

    from portatlas.model import TRANSPORTS, State

    code = {State(v): i for i, v in enumerate(STATE_VALUES)}
    people: dict[str, tuple[Any, ...]] = {
        pid: (p.name, p.org, p.uri, p.updated) for pid, p in parsed.people.items()
    }
    records: list[tuple[Any, ...]] = []
    for r in parsed.records:
        for p in r.assignees + r.contacts:
            if p.id not in people:
                people[p.id] = (p.name, p.org, p.uri, p.updated)
        records.append((
            r.name, r.transport.value if r.transport else None, r.low, r.high, r.description,
            tuple(p.id for p in r.assignees), tuple(p.id for p in r.contacts),
            tuple((x.type, x.data, x.text, x.section) for x in r.xrefs),
            r.registered, r.updated, r.note, r.unauthorized, r.service_code,
        ))

    # Which rows cover each (port, transport); a row without protocol covers all four.
    cover: dict[Transport, list[list[int] | None]] = {t: [None] * _NPORTS for t in TRANSPORTS}
    for i, r in enumerate(parsed.records):
        if r.low is None:
            continue
        for t in ([r.transport] if r.transport else TRANSPORTS):
            col = cover[t]
            for port in range(r.low, r.high + 1):
                cell = col[port]
                if cell is None:
                    col[port] = [i]
                else:
                    cell.append(i)

    groups: list[tuple[int, ...]] = [()]
    group_id: dict[tuple[int, ...], int] = {(): 0}
    group_state = bytearray([code[State.UNASSIGNED]])
    ports: dict[str, bytes] = {}
    for t in TRANSPORTS:
        arr = array("H", bytes(2 * _NPORTS))
        for port, cell in enumerate(cover[t]):
            if cell is None:
                continue
            key = tuple(cell)
            gid = group_id.get(key)
            if gid is None:
                gid = group_id[key] = len(groups)
                if gid > 0xFFFF:
                    raise RegistryError("registry has more distinct port groups than the index holds")
                groups.append(key)
                group_state.append(code[_state_of(parsed.records[j] for j in key)])
            arr[port] = gid
        ports[t.value] = arr.tobytes()

    names: dict[str, list[int]] = {}
    for i, r in enumerate(parsed.records):
        if r.name:
            names.setdefault(r.name.lower(), []).append(i)

    blobs = [marshal.dumps(r) for r in records]
    offsets = array("I", [0])
    for b in blobs:
        offsets.append(offsets[-1] + len(b))
    group_offsets = array("I", [0])
    members = array("H")
    for g in groups:
        members.extend(g)
        group_offsets.append(len(members))
    if len(records) > 0xFFFF:
        raise RegistryError("registry has more rows than the index holds (65,535)")
    return {
        "format": FORMAT,
        "edition": parsed.edition,
        "source": source,
        "records": b"".join(blobs),
        "record_offsets": offsets.tobytes(),
        "people": marshal.dumps(people),
        "ports": ports,
        "group_offsets": group_offsets.tobytes(),
        "group_members": members.tobytes(),
        "group_state": bytes(group_state),
        "names": marshal.dumps({k: tuple(v) for k, v in names.items()}),
        "text": marshal.dumps(([r.name or "" for r in parsed.records],
                               [r.description for r in parsed.records])),
        "states": {t: bytes(group_state[g] for g in array("H", ports[t])) for t in ports},
    }


def _state_of(rows: Iterator[Record]) -> State:
    from portatlas.model import State

    states = {r.state for r in rows}
    if State.ASSIGNED in states:
        return State.ASSIGNED
    if State.RESERVED in states:
        return State.RESERVED
    return State.UNASSIGNED


# -- loading, with the on-disk cache -----------------------------------------

def cache_dir() -> Path:
    """Where compiled indexes are cached (``PORTATLAS_CACHE_DIR`` overrides)."""
    from pathlib import Path

    return Path(_cache_dir_str())


def _cache_dir_str() -> str:
    from portatlas.source.paths import cache_dir_str

    return cache_dir_str()


def _cache_file(source: str) -> str:
    # os.path.realpath is what Path.resolve() calls: the same key either way.
    st = os.stat(source)
    key = f"{zlib.crc32(os.path.realpath(source).encode()):08x}-{st.st_size:x}-{st.st_mtime_ns:x}"
    return os.path.join(_cache_dir_str(), f"index-v{FORMAT}-{key}.marshal")


def _cache_path(source: Path) -> Path:
    from pathlib import Path

    return Path(_cache_file(os.fspath(source)))


def load(source: Path | str, *, use_cache: bool = True) -> Index:
    """The compiled index of a registry file, from the cache when it is fresh.

    Works on path strings (``os`` calls, no pathlib) so the CLI's lean paths stay light.
    """
    src = os.fspath(source)
    try:
        path = _cache_file(src) if use_cache else None
        if path is None:
            os.stat(src)
    except OSError as e:
        raise RegistryError(
            f"registry file {src} cannot be read ({e.strerror}); check PORTATLAS_REGISTRY, "
            "or run 'portatlas edition' to see the edition in use"
        ) from None
    if path is not None:
        try:
            data = _read_cache(path)
            if data.get("format") == FORMAT:
                return Index(data)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            pass  # missing or damaged cache: rebuild below
    from portatlas.registry.parse import parse

    try:
        with open(src, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise RegistryError(f"registry file {src} cannot be read ({e.strerror})") from None
    data = compile_registry(parse(raw), source=src)
    if path is not None:
        _write_atomically(path, encode_cache(data))
    return Index(data)


# The cache file: MAGIC, the header's length (8 bytes, little-endian), the marshalled header, then
# each blob at an 8-byte-aligned offset the header's "layout" gives as (offset, length).
MAGIC = b"portatlas index\n"
_BLOBS = ("records", "record_offsets", "people", "group_offsets", "group_members", "group_state", "names", "text")
_PER_TRANSPORT = ("ports", "states")


def encode_cache(data: dict[str, Any]) -> bytes:
    """The cache file's bytes for an index's plain data (``compile_registry``)."""
    blobs: list[bytes] = []
    layout: dict[str, tuple[int, int]] = {}
    pos = 0

    def place(name: str, blob: bytes) -> None:
        nonlocal pos
        pad = -pos % 8
        blobs.append(b"\0" * pad + blob)
        layout[name] = (pos + pad, len(blob))
        pos += pad + len(blob)

    header: dict[str, Any] = {}
    for key, v in data.items():
        if key in _BLOBS:
            place(key, v)
        elif key in _PER_TRANSPORT:
            for t, blob in v.items():
                place(f"{key}/{t}", blob)
        else:
            header[key] = v
    header["layout"] = layout
    head = marshal.dumps(header)
    start = len(MAGIC) + 8 + len(head)
    return b"".join([MAGIC, len(head).to_bytes(8, "little"), head, b"\0" * (-start % 8), *blobs])


def _read_cache(path: str) -> dict[str, Any]:
    """The plain data of a cache file, its blobs memoryviews on the mapped file (no copy)."""
    import mmap

    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            # A file as update (or an older portatlas) wrote it: one marshalled dict. Rewritten mapped.
            f.seek(0)
            data: dict[str, Any] = marshal.loads(f.read())
            if isinstance(data, dict) and data.get("format") == FORMAT:
                _write_atomically(path, encode_cache(data))
            return data if isinstance(data, dict) else {}
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # stays valid after close
    view = memoryview(mapped)
    n = int.from_bytes(view[len(MAGIC):len(MAGIC) + 8], "little")
    start = len(MAGIC) + 8 + n
    header: dict[str, Any] = marshal.loads(view[len(MAGIC) + 8:start])
    base = start + (-start % 8)
    data = {k: v for k, v in header.items() if k != "layout"}
    for key in _PER_TRANSPORT:
        data[key] = {}
    for name, (off, size) in header["layout"].items():
        if base + off + size > len(view):
            raise ValueError("index cache file is truncated")
        key, _, t = name.partition("/")
        blob = view[base + off:base + off + size]
        if t:
            data[key][t] = blob
        else:
            data[key] = blob
    return data


def _write_atomically(path: Path | str, blob: bytes) -> None:
    """Write the cache so a reader never sees half a file; an unwritable cache is not an error."""
    target = os.fspath(path)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, target)
    except OSError:
        pass
