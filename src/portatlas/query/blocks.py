"""Unassigned blocks: maximal runs of ports unassigned on every transport considered.

Computed with bytes operations (translate, big-integer AND, find), so the
whole User range is scanned in well under a millisecond.
"""

from __future__ import annotations

from portatlas.index import Index
from portatlas.model import Block, PortRange, Transport

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (portatlas PORT loads this)
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence


DEFAULT_TRANSPORTS: tuple[Transport, ...] = (Transport.TCP, Transport.UDP)
ASSIGNABLE: tuple[PortRange, ...] = (PortRange.SYSTEM, PortRange.USER)

_UNASSIGNED_TO_1 = bytes(1 if i == 2 else 0 for i in range(256))


def _and(flag_sets: Iterable[bytes]) -> bytes:
    acc: int | None = None
    n = 0
    for f in flag_sets:
        n = len(f)
        v = int.from_bytes(f, "big")
        acc = v if acc is None else acc & v
    return (acc or 0).to_bytes(n, "big")


def unassigned_flags(index: Index, transports: Sequence[Transport]) -> bytes:
    """One byte per port: 1 where the port is unassigned on every given transport."""
    return _and(index.states(t).translate(_UNASSIGNED_TO_1) for t in transports)


def runs(flags: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(low, high) of each run of 1s in flags[start:end+1]."""
    stop = end + 1
    i = flags.find(1, start, stop)
    while i != -1:
        j = flags.find(0, i, stop)
        if j == -1:
            j = stop
        yield i, j - 1
        i = flags.find(1, j, stop)


def blocks(index: Index, rng: PortRange, transports: Sequence[Transport] = DEFAULT_TRANSPORTS) -> list[Block]:
    """Every unassigned block of an assignable range, ranked largest first (ties: lower port first)."""
    flags = unassigned_flags(index, transports)
    lo, hi = rng.bounds
    found = sorted(runs(flags, lo, hi), key=lambda r: (-(r[1] - r[0]), r[0]))
    ts = tuple(transports)
    out: list[Block] = []
    rank = 0
    prev = -1
    for pos, (a, b) in enumerate(found, 1):
        size = b - a + 1
        if size != prev:  # competition ranking: equal sizes share a rank
            rank, prev = pos, size
        out.append(Block(low=a, high=b, range=rng, transports=ts, rank=rank, of=len(found)))
    return out
