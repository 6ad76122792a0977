"""`portatlas search TEXT`: ranked, typo-tolerant search over names and descriptions."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "search", "ranked, typo-tolerant search over service names and descriptions",
    args=(Arg("text", "words to look for (matched literally; typos in names tolerated)", many=True),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "only rows on this transport", ("tcp", "udp", "sctp", "dccp")),
        Opt(("--range",), "range", "R", "only rows in this range", ("system", "user", "dynamic")),
        Opt(("--limit",), "limit", "N", "show at most N results, rows alike but for their transport counted "
                                        "once; 0 for all", default="20"),
    ),
    description="Ranked search over service names and descriptions; the text is matched literally. Rows alike "
                "but for their transport are one result (postgresql on TCP and UDP). Exit 0 with results, "
                "1 with none.",
    completes="names",
)


def run(argv: list[str]) -> int:
    """Exit 0 with hits, 1 with none, 2 on bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.cli import render
    from portatlas.cli.output import Out, emit_json

    text = " ".join(str(a) for a in args.text)  # type: ignore[attr-defined]
    if not text.strip():
        raise BadInput("empty search: give some text to look for")
    limit = integer(args, "limit", "--limit", 0, 100_000) or 0
    reg = Registry.default()
    # Every hit, then grouped: --limit counts what is printed, not the registry's rows.
    found = reg.search(text, args.option("transport"), args.option("range"), limit=len(reg.index))
    groups = render.group_hits(found)
    if limit:
        groups = groups[:limit]
    if args.json:
        emit_json([h for g in groups for h in g])
        return 0 if groups else 1
    out = Out(no_color=bool(args.no_color))
    if groups:
        render.hits(out, groups)
    else:
        out.line(f"nothing in the registry matches {text!r}")
    out.write()
    return 0 if groups else 1
