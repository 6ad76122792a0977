"""Counts over time: each edition's state counts, and the System ports that lost an assignment.

Both answer from the compiled history's header (``compiled``), computed when
it was compiled; editions ``portatlas update`` stored later add their counts.
"""

from __future__ import annotations

from portatlas.model import TRANSPORTS, PortRange, StateCounts, Stats, Transport
from portatlas.registry.history.values import StatsOverTime

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from collections.abc import Sequence


def stats_over_time(*, include_stored: bool = True) -> StatsOverTime:
    """Assigned, reserved and unassigned counts per range and transport for every edition."""
    from portatlas.registry.history import compiled

    c = compiled.opened()
    out = [edition_stats(d, c.counts(i)) for i, d in enumerate(c.editions)]
    if include_stored:
        from portatlas.registry.history.stored import newer_editions

        out.extend(reg.stats() for _, reg in newer_editions(c.editions[-1]))
    return StatsOverTime(tuple(out))


def system_deassignments() -> tuple[tuple[int, Transport, str, str, str], ...]:
    """Every assignment a System port (0-1023) lost across the shipped editions, by port then transport:
    (port, transport, name, last edition with it, first edition without it).

    Each is a name that stopped being assigned on (port, transport) from one
    edition to the next: de-assigned or revoked (the registry does not say
    which), or the service renamed (the new name is then assigned in the
    same edition). A name that came back and went again is listed each time.
    """
    from portatlas.registry.history import compiled

    return tuple((p, Transport(t), name, last, first)
                 for p, t, name, last, first in compiled.opened().deassignments)


def edition_stats(edition: str, counts: Sequence[int]) -> Stats:
    """One edition's ``Stats`` from its 36 counts: (assigned, reserved, unassigned) per range, then transport."""
    out = []
    k = 0
    for rng in PortRange:
        lo, hi = rng.bounds
        for t in TRANSPORTS:
            a, r, u = counts[k:k + 3]
            out.append(StateCounts(range=rng, transport=t, total=hi - lo + 1,
                                   assigned=a, reserved=r, unassigned=u))
            k += 3
    return Stats(edition=edition, counts=tuple(out))
