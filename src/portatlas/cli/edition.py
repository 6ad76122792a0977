"""`portatlas edition`: which registry edition answers, where it came from, and its date."""

from __future__ import annotations

from portatlas.cli.args import Command, Opt, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "edition", "the registry edition in use: its date, its file and where it came from",
    opts=(Opt(("--list",), "list", help="also every edition known: the shipped history's and those 'update' "
                                        "stored (what 'diff' and 'history' read)"),),
    description="The registry edition in use: its date, its file and where it came from. With --list, every "
                "edition diff and history know: the 382 shipped with portatlas and those 'update' stored.",
)


def run(argv: list[str]) -> int:
    """Always exit 0 on valid arguments."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.cli.output import Out, emit_json
    from portatlas.store import editions

    e = editions.in_use()
    stored = shipped = None
    if args.list:
        from portatlas.registry.history import history

        stored = editions.stored()
        shipped = history().editions
    if args.json:
        emit_json({"in_use": e, "stored": stored, "shipped": shipped} if args.list else e)
        return 0
    from portatlas.cli.render_history import edition

    out = Out(no_color=bool(args.no_color))
    edition(out, e, stored, shipped)
    out.write()
    return 0
