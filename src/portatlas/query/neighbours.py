"""A port's neighbourhood: nearest assigned ports either side, its block, the strip around it."""

from __future__ import annotations

from portatlas.index import Index
from portatlas.model import TRANSPORTS, Block, Neighbour, Neighbourhood, PortRange, State, Transport
from portatlas.query.blocks import ASSIGNABLE, DEFAULT_TRANSPORTS, blocks

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (portatlas PORT loads this)
if TYPE_CHECKING:
    from collections.abc import Sequence


def neighbour(index: Index, port: int) -> Neighbour:
    """A compact view of one port: state and names per transport, first registration date and RFCs."""
    states = []
    names = []
    registered: list[str] = []
    refs: dict[str, None] = {}
    for t in TRANSPORTS:
        states.append((t, index.state(port, t)))
        recs = [index.record(i) for i in index.row_ids(port, t)]
        names.append((t, tuple(r.name for r in recs if r.name)))
        for r in recs:
            if r.name:
                if r.registered:
                    registered.append(r.registered)
                for x in r.rfcs:
                    refs.setdefault(x.label)
    return Neighbour(
        port=port,
        states=tuple(states),
        names=tuple(names),
        registered=min(registered) if registered else None,
        references=tuple(refs),
    )


def block_of(index: Index, port: int, transports: Sequence[Transport] = DEFAULT_TRANSPORTS,
             ranked: list[Block] | None = None) -> Block | None:
    """The unassigned block holding ``port``, with its rank in its range; None if the port is not free."""
    rng = PortRange.of(port)
    if rng not in ASSIGNABLE:
        return None
    if any(index.state(port, t) is not State.UNASSIGNED for t in transports):
        return None
    for b in ranked if ranked is not None else blocks(index, rng, transports):
        if b.low <= port <= b.high:
            return b
    return None


def nearest_assigned(index: Index, port: int, transports: Sequence[Transport]) -> tuple[int, int]:
    """The nearest ports below and above ``port`` assigned on any of ``transports`` (-1 where none)."""
    below = above = -1
    for t in transports:
        states = index.states(t)  # 0 is assigned: a byte search each way, no per-port loop
        below = max(below, states.rfind(0, 0, port))
        a = states.find(0, port + 1)
        if a != -1 and (above == -1 or a < above):
            above = a
    return below, above


def neighbourhood(index: Index, port: int, width: int = 5,
                  transports: Sequence[Transport] = DEFAULT_TRANSPORTS,
                  block: Block | bool | None = False) -> Neighbourhood:
    """Nearest ports assigned on any of ``transports`` below and above, the block, and a strip of 2*width+1.

    ``block`` (the port's block, or None when it is in none) may be passed in by a caller that has it.
    """
    below, above = nearest_assigned(index, port, transports)
    lo, hi = max(0, port - width), min(65535, port + width)
    return Neighbourhood(
        port=port,
        below=neighbour(index, below) if below != -1 else None,
        above=neighbour(index, above) if above != -1 else None,
        block=block_of(index, port, transports) if isinstance(block, bool) else block,
        strip=tuple(neighbour(index, p) for p in range(lo, hi + 1)),
    )
