"""xz decompression in bounded steps, refused past a size limit (a small body can hold gigabytes).

A registry edition is about 4 MB of XML; 64 MiB leaves room for growth. A
decompression bomb (156 KB of xz holding 1 GiB of zeros) is cut off once its
output passes the limit, having held at most one step in memory at a time.
"""

from __future__ import annotations

import lzma
from collections.abc import Iterator

from portatlas.errors import RegistryError

MAX_XML_BYTES = 64 * 1024 * 1024  # largest registry XML accepted, decompressed or plain (README)
STEP = 1024 * 1024  # bytes of output per decompression step
XZ_MAGIC = b"\xfd7zXZ\x00"


def too_large(limit: int) -> RegistryError:
    """The refusal for XML past ``limit`` bytes."""
    return RegistryError(f"the registry XML is larger than the {limit:,}-byte limit (a real edition is "
                         "about 4 MB); refused as a decompression bomb or not a registry")


def chunks(data: bytes, limit: int = MAX_XML_BYTES) -> Iterator[bytes]:
    """The decompressed bytes of the xz ``data``, ``STEP`` bytes at a time, at most ``limit`` in all.

    Concatenated streams are read in turn, as ``xz -d`` and ``lzma.decompress`` do
    (trailing bytes that are not a stream are ignored, as there). Raises
    ``RegistryError`` for a damaged archive or output past ``limit``.
    """
    total = 0
    pending = data
    streams = 0
    while pending:
        d = lzma.LZMADecompressor(lzma.FORMAT_AUTO)
        try:
            out = d.decompress(pending, max_length=STEP)
            while True:
                total += len(out)
                if total > limit:
                    raise too_large(limit)
                if out:
                    yield out
                if d.eof:
                    break
                if d.needs_input:  # all input consumed and no end-of-stream marker
                    raise lzma.LZMAError("Compressed data ended before the end-of-stream marker was reached")
                out = d.decompress(b"", max_length=STEP)
        except lzma.LZMAError as e:
            if streams:  # garbage after a complete stream: ignored, like lzma.decompress
                return
            raise RegistryError(f"registry file is a damaged xz archive: {e}") from None
        streams += 1
        pending = d.unused_data


def decompress(data: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """All of ``chunks(data, limit)`` as one bytes value."""
    return b"".join(chunks(data, limit))
