"""`portatlas listening`: every listener here, one line each, read against the registry.

Text and ``--json`` come from the one path: ``system.annotate.machine``'s
values, rendered by ``Out`` or ``emit_json``. It is kept cheap for a
thousand sockets: the compiled index is loaded without the ``Registry``
layer, and nothing here imports typing, dataclasses, enum, re, json or
pathlib.
"""

from __future__ import annotations

from portatlas.cli.args import Command, Opt, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "listening", "every listener on this machine, one line each, read against the registry",
    opts=(
        Opt(("--all", "-a"), "include_all", help="also connected sockets (ESTABLISHED, TIME_WAIT, connected UDP)"),
        Opt(("--transport", "-t"), "transport", "T", "only this transport (default: both)", ("tcp", "udp")),
    ),
    description="Every listening TCP socket and bound UDP socket on this machine, one line each, with the port's "
                "registered services, state and range, and flags where something looks off (other-service, "
                "ephemeral, unassigned-system, reserved). Exit 0, or 1 when the machine has no socket at all.",
)


def run(argv: list[str]) -> int:
    """List this machine's listeners; exit 0 (1 when there is no socket at all)."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.index import load
    from portatlas.source.paths import current_source_path
    from portatlas.system.annotate import machine

    rep = machine(load(current_source_path()), None, args.option("transport"), bool(args.include_all))
    if args.json:
        from portatlas.cli.output import emit_json

        emit_json(rep)
    else:
        from portatlas.cli.output import Out
        from portatlas.cli.render_machine import listening

        out = Out(no_color=bool(args.no_color))
        listening(out, rep)
        out.write()
    return 0 if rep.sockets else 1
