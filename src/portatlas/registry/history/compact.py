"""The compact history shipped in the package: each record version once, and the editions showing it.

``data/history.json.xz`` (see ``portatlas.registry.history.build`` for its
format) answers what any edition held without parsing XML. Reading it costs
~100 ms (xz and JSON), so the first read is cached with ``marshal`` beside the
index; a port's history does not need it at all (``compiled`` answers that).
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Sequence
from datetime import date as _date
from itertools import pairwise
from pathlib import Path
from typing import Any

from portatlas.errors import NotFound
from portatlas.model import Record, Stats
from portatlas.registry.history.compiled import SHIPPED_PATH
from portatlas.registry.history.rows import Row, row_record
from portatlas.registry.history.values import GAP_DAYS

SHIPPED = Path(SHIPPED_PATH)


class History:
    """The compact history: record versions and the editions showing each."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.editions: tuple[str, ...] = tuple(data["editions"])
        self._pos = {d: i for i, d in enumerate(self.editions)}
        people = [tuple(p) for p in data["people"]]
        self._raw: list[Any] = data["records"]
        self._people = people
        self._spans: list[list[list[int]]] = data["spans"]
        self._counts: list[list[list[int]]] = data["counts"]
        self._lows = [r[2] for r in self._raw]
        self._highs = [r[3] for r in self._raw]
        self._rows: list[Row | None] = [None] * len(self._raw)
        self._records: list[Record | None] = [None] * len(self._raw)
        self._cover: list[tuple[int, ...]] | None = None
        self._gaps: tuple[tuple[str, str], ...] | None = None
        self._names: dict[str, list[int]] | None = None
        self._asked = 0

    @classmethod
    def load(cls, path: Path = SHIPPED, *, use_cache: bool = True) -> History:
        """The history file, through a marshal cache beside the index cache (JSON+xz costs ~100 ms)."""
        from portatlas.index import cache_dir

        st = path.stat()
        py = f"py{sys.version_info[0]}{sys.version_info[1]}"
        cache = cache_dir() / f"history-{st.st_size:x}-{st.st_mtime_ns:x}-{py}.marshal"
        if use_cache:
            try:
                return cls(marshal.loads(cache.read_bytes()))
            except (OSError, EOFError, ValueError, TypeError, KeyError):
                pass  # no cache yet, or damaged: read the shipped file
        from portatlas.registry.history.build import loads

        data = loads(path.read_bytes())
        if use_cache:
            from portatlas.source.files import write_cache

            write_cache(str(cache), marshal.dumps(data))
        return cls(data)

    def __repr__(self) -> str:
        return f"<History {len(self.editions)} editions {self.editions[0]} to {self.editions[-1]}>"

    def __len__(self) -> int:
        """How many distinct record versions the editions hold."""
        return len(self._raw)

    def __contains__(self, edition: object) -> bool:
        return edition in self._pos

    def row(self, v: int) -> Row:
        """Record version ``v`` as a ``Row``."""
        row = self._rows[v]
        if row is None:
            rec = self._raw[v]
            p = self._people
            row = self._rows[v] = (
                *rec[:5], tuple(p[i] for i in rec[5]), tuple(p[i] for i in rec[6]),
                tuple(tuple(x) for x in rec[7]), *rec[8:])
        return row

    def record(self, v: int) -> Record:
        """Record version ``v`` as a ``Record``, made once."""
        r = self._records[v]
        if r is None:
            r = self._records[v] = row_record(self.row(v))
        return r

    def versions_at(self, edition: str) -> list[int]:
        """Ids of the record versions shown by one edition."""
        e = self._index(edition)
        return [v for v, runs in enumerate(self._spans) if any(a <= e <= b for a, b in runs)]

    def rows_at(self, edition: str) -> list[Row]:
        """The rows of one edition (order: by port, not the file's)."""
        return [self.row(v) for v in self.versions_at(edition)]

    def _index(self, edition: str) -> int:
        try:
            return self._pos[edition]
        except KeyError:
            raise NotFound(f"no edition {edition} in the history ({self.editions[0]} to "
                           f"{self.editions[-1]}); {nearest(edition, self.editions)}") from None

    def covering(self, port: int) -> list[int]:
        """Ids of the record versions whose number covers ``port``.

        The first few calls scan every version (~2 ms); a process asking for
        many ports (a service's names, the compiler) then gets a port-to-versions
        table built once (~0.1 s) and answers from it.
        """
        if self._cover is None:
            self._asked += 1
            if self._asked <= 16:
                return [v for v, (lo, hi) in enumerate(zip(self._lows, self._highs))
                        if lo is not None and lo <= port <= hi]
        return list(self.cover_table()[port])

    def cover_table(self) -> list[tuple[int, ...]]:
        """For each of the 65,536 ports, the ids of the record versions covering it."""
        if self._cover is None:
            cover: list[list[int]] = [[] for _ in range(65536)]
            for v, (lo, hi) in enumerate(zip(self._lows, self._highs)):
                if lo is not None:
                    for p in range(lo, hi + 1):
                        cover[p].append(v)
            self._cover = [tuple(c) for c in cover]
        return self._cover

    def runs(self, port: int) -> list[tuple[str, str, Sequence[Record]]]:
        """(first edition, last edition, rows covering ``port``) for each run of editions
        in which those rows stay the same, oldest first."""
        return self.runs_of(self.covering(port))

    def named(self, name: str) -> list[int]:
        """Ids of the record versions registering a service name (any letter case)."""
        if self._names is None:
            names: dict[str, list[int]] = {}
            for v, rec in enumerate(self._raw):
                if rec[0]:
                    names.setdefault(rec[0].lower(), []).append(v)
            self._names = names
        return list(self._names.get(name.lower(), ()))

    def runs_of(self, cov: Sequence[int]) -> list[tuple[str, str, Sequence[Record]]]:
        """(first edition, last edition, the versions of ``cov`` shown) for each run of
        editions in which that set stays the same, oldest first."""
        n = len(self.editions)
        cuts = {0}
        for v in cov:
            for a, b in self._spans[v]:
                cuts.add(a)
                if b + 1 < n:
                    cuts.add(b + 1)
        starts = sorted(cuts)
        out: list[tuple[str, str, Sequence[Record]]] = []
        for i, a in enumerate(starts):
            b = starts[i + 1] - 1 if i + 1 < len(starts) else n - 1
            rows = [self.record(v) for v in cov if any(x <= a <= y for x, y in self._spans[v])]
            out.append((self.editions[a], self.editions[b], rows))
        return out

    @property
    def gaps(self) -> tuple[tuple[str, str], ...]:
        """Consecutive editions more than ``GAP_DAYS`` apart."""
        if self._gaps is None:
            self._gaps = gaps(self.editions)
        return self._gaps

    def present(self, v: int) -> list[int]:
        """Edition indices showing version ``v``."""
        return [e for a, b in self._spans[v] for e in range(a, b + 1)]

    def state_counts(self, i: int) -> list[int]:
        """Edition number ``i``'s 36 state counts as the index computed them at build time:
        (assigned, reserved, unassigned) per ``PortRange``, then per transport."""
        return [c for triple in self._counts[i] for c in triple]

    def stats(self, i: int) -> Stats:
        """The state counts of edition number ``i``."""
        from portatlas.registry.history.counts import edition_stats

        return edition_stats(self.editions[i], self.state_counts(i))


def nearest(edition: str, editions: Sequence[str]) -> str:
    """A hint naming the editions either side of a date that has none."""
    before = [e for e in editions if e < edition]
    after = [e for e in editions if e > edition]
    parts = ([f"the last before it is {before[-1]}"] if before else []) + (
        [f"the first after it is {after[0]}"] if after else [])
    return "; ".join(parts) or "there are no editions"


_HISTORY: History | None = None


def history() -> History:
    """The shipped history, loaded once per process."""
    global _HISTORY
    if _HISTORY is None:
        _HISTORY = History.load()
    return _HISTORY


def gaps(dates: Sequence[str], days: int = GAP_DAYS) -> tuple[tuple[str, str], ...]:
    """Consecutive editions further apart than ``days``."""
    out = []
    for a, b in pairwise(dates):
        if (_date.fromisoformat(b) - _date.fromisoformat(a)).days > days:
            out.append((a, b))
    return tuple(out)
