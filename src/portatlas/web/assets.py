"""Static files under content-hashed names (``site.3f2a1c9d0b.css``), so they may be cached for a year.

A changed file gets a new name, so the pages that link it ask for the new one;
an old name keeps answering (short cache) for pages held in caches.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from portatlas.value import value

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"  # an unhashed name may change under the same URL
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
         ".png": "image/png"}


@value
class Asset:
    """One static file: its bytes, media type, hashed name and ETag."""

    body: bytes
    media_type: str
    hashed: str
    etag: str


def hashed_name(name: str, body: bytes) -> str:
    """``site.css`` → ``site.<10 hex digits of its SHA-256>.css``."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(body).hexdigest()[:10]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


class Assets:
    """The site's static files by plain and by hashed name."""

    def __init__(self, directory: Path = STATIC) -> None:
        self._by_plain: dict[str, Asset] = {}
        self._by_hashed: dict[str, Asset] = {}
        for p in sorted(directory.iterdir()):
            if p.is_file():
                self.add(p.name, p.read_bytes())

    def add(self, name: str, body: bytes) -> Asset:
        """Register a file (the port-space picture is added once it is drawn)."""
        h = hashed_name(name, body)
        asset = Asset(body, TYPES.get(name[name.rfind("."):], "application/octet-stream"), h, f'"{h}"')
        self._by_plain[name] = asset
        self._by_hashed[h] = asset
        return asset

    def name(self, plain: str) -> str:
        """The hashed name to link (the plain name if the file is unknown)."""
        a = self._by_plain.get(plain)
        return a.hashed if a else plain

    def has(self, plain: str) -> bool:
        """Whether a file of that plain name is registered."""
        return plain in self._by_plain

    def get(self, name: str) -> tuple[Asset, str] | None:
        """The file served at ``/static/NAME`` and its Cache-Control, or None."""
        if name in self._by_hashed:
            return self._by_hashed[name], IMMUTABLE
        if name in self._by_plain:
            return self._by_plain[name], SHORT
        return None

    def files(self) -> list[tuple[str, bytes]]:
        """(name, bytes) to write in an export: each file under its hashed and its plain name."""
        out = []
        for plain, a in self._by_plain.items():
            out += [(a.hashed, a.body), (plain, a.body)]
        return out


__all__ = ["IMMUTABLE", "STATIC", "Asset", "Assets", "hashed_name"]
