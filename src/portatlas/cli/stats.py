"""`portatlas stats`: counts per range and transport (`--over-time`: for every edition)."""

from __future__ import annotations

from portatlas.cli.args import Command, Opt, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "stats", "assigned, reserved and unassigned ports per range and transport (--over-time: every edition)",
    opts=(
        Opt(("--over-time",), "over_time",
            help="the counts of every edition since 2017 (text: one transport, the editions whose counts changed)"),
        Opt(("--transport", "-t"), "transport", "T", "the transport the text shows (default tcp)",
            ("tcp", "udp", "sctp", "dccp"), needs="over_time"),
        Opt(("--all",), "all", help="every edition in the text, not only those whose counts changed",
            needs="over_time"),
    ),
    description="Assigned, reserved and unassigned ports per range and transport in the edition in use; with "
                "--over-time, in each of the registry's editions since 2017.",
)


def run(argv: list[str]) -> int:
    """Always exit 0 on valid arguments."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.cli.output import Out, emit_json

    out = Out(no_color=bool(args.no_color))
    if args.over_time:
        from portatlas.model import Transport
        from portatlas.registry.history import stats_over_time

        s = stats_over_time()
        if args.json:
            if args.transport or args.all:
                from portatlas.errors import BadInput

                raise BadInput("--transport and --all choose what the text shows; --json has every edition, "
                               "range and transport")
            emit_json(s)
            return 0
        from portatlas.cli.render_history import stats_over_time as render

        render(out, s, Transport(str(args.transport or "tcp")), bool(args.all))
        out.write()
        return 0
    from portatlas.atlas import Registry
    from portatlas.cli.render import stats

    st = Registry.default().stats()
    if args.json:
        emit_json(st)
        return 0
    stats(out, st)
    out.write()
    return 0
