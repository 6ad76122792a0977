"""`portatlas gaps`: unassigned blocks, largest first."""

from __future__ import annotations

from portatlas.cli.args import Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "gaps", "blocks of consecutive unassigned ports, largest first",
    opts=(
        Opt(("--range",), "range", "R", "only this range (default: system and user)", ("system", "user", "dynamic")),
        Opt(("--min",), "min_size", "N", "only blocks of at least N ports", default="1"),
        Opt(("--transport", "-t"), "transport", "T", "consider this transport (repeatable; default tcp and udp)",
            ("tcp", "udp", "sctp", "dccp"), repeat=True),
        Opt(("--limit",), "limit", "N", "show at most N blocks; 0 for all", default="0"),
    ),
    description="Blocks of consecutive ports unassigned on every transport considered, largest first, with "
                "their rank in their range. Exit 0 with blocks, 1 when none is as large as asked.",
)


def run(argv: list[str]) -> int:
    """Exit 0 with blocks, 1 when none is as large as asked."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.cli import render
    from portatlas.cli.output import Out, emit_json, plural
    from portatlas.model import Transport

    if args.range == "dynamic":
        raise BadInput("the dynamic range has no gaps: it is never assigned; use --range system or user")
    min_size = integer(args, "min_size", "--min", 1, 65536) or 1
    limit = integer(args, "limit", "--limit", 0, 65536) or 0
    ts = tuple(dict.fromkeys(Transport(str(t)) for t in args.transport)) or (Transport.TCP, Transport.UDP)  # type: ignore[attr-defined]
    blocks = Registry.default().gaps(args.option("range"), min_size, ts)
    if limit:
        blocks = blocks[:limit]
    if args.json:
        emit_json(blocks)
        return 0 if blocks else 1
    out = Out(no_color=bool(args.no_color))
    if blocks:
        render.gaps(out, blocks)
    else:
        out.line(f"no unassigned block of at least {plural(min_size, 'port')}")
    out.write()
    return 0 if blocks else 1
