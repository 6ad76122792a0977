"""How much of each range is assigned, reserved and unassigned, per transport."""

from __future__ import annotations

from portatlas.index import Index
from portatlas.model import TRANSPORTS, PortRange, StateCounts, Stats


def stats(index: Index) -> Stats:
    """State counts per range and transport (bytes.count over the state arrays)."""
    out = []
    for rng in PortRange:
        lo, hi = rng.bounds
        for t in TRANSPORTS:
            s = index.states(t)[lo:hi + 1]
            out.append(StateCounts(
                range=rng, transport=t, total=len(s),
                assigned=s.count(0), reserved=s.count(1), unassigned=s.count(2),
            ))
    return Stats(edition=index.edition, counts=tuple(out))
