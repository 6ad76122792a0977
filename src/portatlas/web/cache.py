"""Small in-process caches: rendered answers bounded by bytes, and short-lived feedback counts."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByteLRU(Generic[V]):
    """Least-recently-used cache bounded by the summed size of its values.

    Rendered pages are immutable for an edition, so entries never expire;
    the bound keeps a crawler that visits all 65,536 ports from growing the
    server without limit.
    """

    def __init__(self, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value for ``key`` (marking it recently used), or None."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return None
            self._data.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: V) -> V:
        """Store ``value`` (unless larger than the whole cache); evict the least recently used."""
        n = self._size(value)
        if n > self.max_bytes:
            return value
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, n)
            self._bytes += n
            while self._bytes > self.max_bytes and self._data:
                _, (_, m) = self._data.popitem(last=False)
                self._bytes -= m
        return value

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes(self) -> int:
        """Bytes held."""
        return self._bytes


class TTLCache(Generic[V]):
    """Values that may be a little stale (feedback counts on pages): each kept ``ttl`` seconds."""

    def __init__(self, ttl: float, max_items: int = 4096) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._data: dict[Hashable, tuple[float, V]] = {}

    def get(self, key: Hashable) -> V | None:
        """The value if stored less than ``ttl`` seconds ago."""
        hit = self._data.get(key)
        if hit is None or time.monotonic() - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, key: Hashable, value: V) -> None:
        """Store a fresh value."""
        if len(self._data) >= self.max_items:
            self._data.clear()  # cheap bound; entries live a second anyway
        self._data[key] = (time.monotonic(), value)
