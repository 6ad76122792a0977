"""The compiled index on disk: where it is cached, its mapped file format, and loading it."""

from __future__ import annotations

import marshal
import os
import zlib

from portatlas.errors import RegistryError
from portatlas.index import FORMAT, Index

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

def _cache_dir_str() -> str:
    from portatlas.source.paths import cache_dir_str

    return cache_dir_str()


def _is_edition(text: Any) -> bool:
    from portatlas.source.paths import is_edition

    return is_edition(text)


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
    if use_cache:
        shipped = _shipped(src)
        if shipped is not None:
            return shipped
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
            # An index an older version compiled from a file with a bad <updated> is not trusted:
            # parsing again refuses that file.
            if data.get("format") == FORMAT and _is_edition(data.get("edition")):
                return Index(data)
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            pass  # missing or damaged cache: rebuild below
    from portatlas.index.compile import compile_registry  # only when there is no compiled file to read
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


def _shipped(src: str) -> Index | None:
    """The index compiled into the package at build time (``index.shipped``), if it is for ``src``.

    Only for the bundled edition, and only when the file was written by this ``FORMAT`` from a
    source of the same size; the user's cache directory is not touched at all then.
    """
    from portatlas.source.paths import BUNDLED_PATH

    if src != BUNDLED_PATH and (os.path.basename(src) != os.path.basename(BUNDLED_PATH)
                                or os.path.realpath(src) != os.path.realpath(BUNDLED_PATH)):
        return None
    from portatlas.index.shipped import index_path

    try:
        size = os.stat(src).st_size
        data = _read_cache(index_path(os.path.dirname(os.path.dirname(BUNDLED_PATH))), rewrite=False)
        if data.get("format") != FORMAT or data.get("source_size") != size:
            return None
        data["source"] = src  # it was compiled in the build directory: name the installed file
        return Index(data)
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return None  # no shipped index (an editable checkout), or a damaged one: the cache dir


# The cache file: MAGIC, the header's length (8 bytes, little-endian), the marshalled header, then
# each blob at an 8-byte-aligned offset the header's "layout" gives as (offset, length).
MAGIC = b"portatlas index\n"
_BLOBS = ("records", "record_offsets", "blocks", "group_offsets", "group_members", "group_state", "names", "text")
_PER_TRANSPORT = ("ports", "states")


def save(source: Path | str, data: dict[str, Any]) -> None:
    """Cache the compiled ``data`` of the registry file ``source`` (an unwritable cache is not an error)."""
    _write_atomically(_cache_file(os.fspath(source)), encode_cache(data))


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


def _read_cache(path: str, *, rewrite: bool = True) -> dict[str, Any]:
    """The plain data of a cache file, its blobs memoryviews on the mapped file (no copy).

    A file in the older unmapped form is rewritten in the mapped one unless ``rewrite`` is false.
    """
    import mmap

    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            # A file as update (or an older portatlas) wrote it: one marshalled dict. Rewritten mapped.
            f.seek(0)
            data: dict[str, Any] = marshal.loads(f.read())
            if rewrite and isinstance(data, dict) and data.get("format") == FORMAT:
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
    from portatlas.source.files import write_cache

    write_cache(os.fspath(path), blob)
