"""The whole port space as one small PNG: 65,536 pixels, one per port, coloured by state.

Ports are laid out in 256 tiles of 256 ports (16x16 pixels each), tiles in a
16x16 grid, ports left to right and top to bottom inside a tile: so each tile
is a contiguous run of ports the page can link to.
"""

from __future__ import annotations

import struct
import zlib

from portatlas.model import Transport

# Palette indices: 0 assigned, 1 reserved, 2 unassigned, 3 dynamic/private.
PALETTE = ((0x2b, 0x6c, 0xb0), (0xe3, 0xa2, 0x1a), (0xcf, 0xe8, 0xcf), (0xe4, 0xdc, 0xf2))
TILE = 16  # tiles per side, and pixels per tile side


def tile_of(port: int) -> tuple[int, int, int]:
    """(tile, x, y) of a port in the picture."""
    tile, inner = divmod(port, 256)
    ty, tx = divmod(tile, TILE)
    iy, ix = divmod(inner, TILE)
    return tile, tx * TILE + ix, ty * TILE + iy


def port_classes(index: object) -> bytes:
    """One palette index per port: assigned if TCP or UDP is, else reserved if either is, else free."""
    tcp = index.states(Transport.TCP)  # type: ignore[attr-defined]
    udp = index.states(Transport.UDP)  # type: ignore[attr-defined]
    # State bytes are 0 assigned, 1 reserved, 2 unassigned: the minimum of the two is the stronger claim.
    out = bytearray(a if a < b else b for a, b in zip(tcp, udp))
    for p in range(49152, 65536):
        if out[p] == 2:
            out[p] = 3
    return bytes(out)


def portspace_png(index: object) -> bytes:
    """The 256x256 palette PNG of every port."""
    cls = port_classes(index)
    side = TILE * TILE
    pixels = bytearray(side * side)
    for port in range(65536):
        _, x, y = tile_of(port)
        pixels[y * side + x] = cls[port]
    raw = b"".join(b"\x00" + bytes(pixels[y * side:(y + 1) * side]) for y in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 3, 0, 0, 0))
            + chunk(b"PLTE", bytes(c for rgb in PALETTE for c in rgb))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
