"""`portatlas gaps`: unassigned blocks, largest first."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.model import PortRange, Transport
from portatlas.query.grammar import parse_range, parse_transport
from portatlas.cli import render
from portatlas.cli.common import Parser, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("gaps", "Blocks of consecutive ports unassigned on every transport considered.")
    p.add_argument("--range", dest="rng", help="system or user (default both)")
    p.add_argument("--min", type=int, default=1, dest="min_size", help="only blocks of at least N ports")
    p.add_argument("--transport", action="append",
                   help="consider this transport (repeatable; default tcp and udp)")
    p.add_argument("--limit", type=int, default=0, help="show at most N blocks (default all)")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 with blocks, 1 when none is as large as asked."""
    args = build().parse_args(argv)
    rng = parse_range(args.rng)
    if rng is PortRange.DYNAMIC:
        raise BadInput("the dynamic range has no gaps: it is never assigned; use --range system or user")
    if args.limit < 0:
        raise BadInput(f"--limit {args.limit} is negative: use 0 (all) or more")
    ts: list[Transport] = [t for t in (parse_transport(x) for x in args.transport or []) if t]
    blocks = Registry.default().gaps(rng, args.min_size, tuple(ts) or (Transport.TCP, Transport.UDP))
    if args.limit:
        blocks = blocks[: args.limit]
    if args.json:
        emit_json(blocks)
    elif blocks:
        write(render.gaps_text(blocks))
    else:
        write(f"no unassigned block of at least {args.min_size} ports")
    return 0 if blocks else 1
