"""`portatlas diff OLD NEW`: rows added, removed and changed between two editions."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, integer, run_with
from portatlas.errors import BadInput, NotFound
from portatlas.query.grammar import shown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "diff", "what changed between two registry editions: rows added, removed and changed",
    args=(Arg("old", "an edition date YYYY-MM-DD, 'latest', 'current' or a registry file", optional=True),
          Arg("new", "the same kinds (default: 'current', the edition in use)", optional=True)),
    opts=(
        Opt(("--since",), "since", "DATE", "from the last edition on or before DATE to the edition in use"),
        Opt(("--assigned",), "assigned",
            help="only rows giving a service name a port (no reserved, unassigned or name-only rows)"),
        Opt(("--limit",), "limit", "N", "list at most N rows per section in the text; 0 for all", default="200"),
    ),
    description="What changed between two registry editions: rows added, removed (de-assigned or revoked) and "
                "changed, field by field. OLD and NEW are edition dates (the 382 shipped ones from 2017-03-10, "
                "and those 'update' stored), 'latest', 'current' or registry files. Exit 0 answered (no "
                "difference is an answer too), 1 a date with no edition, 2 bad input.",
)


def run(argv: list[str]) -> int:
    """Exit 0 with the differences (none is an answer too); 1 for an unknown edition."""
    return run_with(SPEC, argv, _run)


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def check_edition(text: str) -> None:
    """``NotFound`` naming the editions nearest a date that has none (the history knows them all)."""
    if not _is_date(text.strip()):
        return
    from portatlas.registry.history import history, known_editions

    known = list(known_editions())
    d = text.strip()
    if d in known:
        return
    before = [e for e in known if e < d]
    after = [e for e in known if e > d]
    near = (["the last before it is " + before[-1]] if before else []) + \
           (["the first after it is " + after[0]] if after else [])
    shipped = history().editions
    extra = len(known) - len(shipped)
    raise NotFound(f"no edition {d}: {'; '.join(near)} (portatlas ships {len(shipped)} editions, "
                   f"{shipped[0]} to {shipped[-1]}" + (f", and {extra} stored by 'portatlas update'" if extra > 0
                                                      else "") + "; 'portatlas edition --list' lists them)")


def _run(args: Args) -> int:
    from portatlas.cli.output import Out, emit_json
    from portatlas.registry.history import assignments_only, diff

    if args.since and (args.old or args.new):
        raise BadInput("give either --since DATE or OLD [NEW], not both")
    if not args.since and not args.old:
        raise BadInput("give OLD [NEW] editions (dates, 'latest', 'current' or files) or --since DATE")
    limit = integer(args, "limit", "--limit", 0, 1_000_000)
    if args.since:
        if not _is_date(str(args.since).strip()):
            raise BadInput(f"--since {shown(str(args.since))} is not a date: write YYYY-MM-DD")
        d = diff(str(args.since), "current", since=True)
    else:
        check_edition(str(args.old))
        check_edition(str(args.new or "current"))
        d = diff(str(args.old), str(args.new or "current"))
    if args.assigned:
        d = assignments_only(d)
    if args.json:
        if "limit" in args.given:
            raise BadInput("--limit shortens the text; --json lists every row")
        emit_json(d)
        return 0
    from portatlas.cli.render_history import diff as render

    out = Out(no_color=bool(args.no_color))
    render(out, d, limit or 0)
    out.write()
    return 0
