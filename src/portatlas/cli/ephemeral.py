"""`portatlas ephemeral`: this machine's ephemeral port range, its reserved holes, and what it overlaps."""

from __future__ import annotations

from portatlas.cli.args import Command, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "ephemeral", "this machine's ephemeral (client) port range, its reserved holes, and the services inside it",
    description="This machine's ephemeral (client) port range and reserved holes, read from the kernel (Linux "
                "/proc, BSD/macOS sysctl, Windows netsh) or the OS default, marked as such; and how many "
                "registered ports it overlaps.",
)


def run(argv: list[str]) -> int:
    """Show the ephemeral range; exit 0."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.cli.output import Out, emit_json
    from portatlas.cli.render_machine import ephemeral
    from portatlas.system.annotate import ephemeral_report

    rep = ephemeral_report(Registry.default())
    if args.json:
        emit_json(rep)
        return 0
    out = Out(no_color=bool(args.no_color))
    ephemeral(out, rep)
    out.write()
    return 0
