"""Ranked, typo-tolerant search over service names and descriptions.

The query is matched literally (no regular expressions): exact name, name
prefix, name substring and description substring score first; then
rapidfuzz's edit-distance ratio over names catches typos ("postgress").
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from portatlas.index import Index
from portatlas.model import PortRange, Record, SearchHit, Transport

FUZZY_CUTOFF = 80.0


class SearchIndex:
    """Lower-cased names and descriptions of every row, made once per index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        names, descriptions = index.text()
        self.names = [n.lower() for n in names]
        self.descriptions = [d.lower() for d in descriptions]
        self.unique_names = list(index.names())

    def search(self, query: str, transport: Transport | None = None, rng: PortRange | None = None,
               limit: int = 20) -> list[SearchHit]:
        """Rows matching ``query``, best first, filtered by transport and range."""
        q = " ".join(query.lower().split())
        if not q:
            return []
        scores: dict[int, tuple[float, str]] = {}

        def hit(i: int, score: float, why: str) -> None:
            if scores.get(i, (-1.0, ""))[0] < score:
                scores[i] = (score, why)

        for i in self.index.name_ids(q):
            hit(i, 100.0, "name")
        for i, n in enumerate(self.names):
            if n and n != q and q in n:
                # Shorter names that contain the query are closer to it.
                hit(i, (90.0 if n.startswith(q) else 80.0) + 9.0 * len(q) / len(n), "name")
        for i, d in enumerate(self.descriptions):
            if q in d:
                hit(i, 60.0 + 15.0 * len(q) / max(len(d), 1), "description")
        for name, score, _ in process.extract(q, self.unique_names, scorer=fuzz.ratio,
                                              score_cutoff=FUZZY_CUTOFF, limit=50):
            for i in self.index.name_ids(name):
                hit(i, 0.7 * score, "similar name")

        out = []
        for i, (score, why) in sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0])):
            r = self.index.record(i)
            if not _keep(r, transport, rng):
                continue
            out.append(SearchHit(record=r, score=round(score, 1), matched=why))
            if len(out) >= limit:
                break
        return out


def _keep(r: Record, transport: Transport | None, rng: PortRange | None) -> bool:
    if transport is not None and r.transport not in (transport, None):
        return False
    if rng is not None:
        if r.low is None or r.high is None:
            return False
        lo, hi = rng.bounds
        if r.high < lo or r.low > hi:
            return False
    return True


def suggest_names(search: SearchIndex, name: str, limit: int = 5) -> Sequence[str]:
    """Service names close to ``name``, for 'did you mean'."""
    found = process.extract(name.lower(), search.unique_names, scorer=fuzz.ratio,
                            score_cutoff=70.0, limit=limit)
    return [n for n, _, _ in found]
