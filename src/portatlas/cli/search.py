"""`portatlas search TEXT`: registry rows and the programs of the common-use dataset, ranked together."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

MAX_LIMIT = 1000

SPEC = Command(
    "search", "ranked search over registry names and descriptions and the programs that commonly use ports",
    args=(Arg("text", "words to look for, or a port (22/tcp, port 443, 8000-8100)", many=True),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "only rows and ports on this transport",
            ("tcp", "udp", "sctp", "dccp")),
        Opt(("--range",), "range", "R", "only rows and ports in this range", ("system", "user", "dynamic")),
        Opt(("--limit",), "limit", "N", f"show at most N hits as printed (rows alike but for their transport "
                                        f"are one hit); 0 for all (at most {MAX_LIMIT})", default="20"),
    ),
    description="Ranked search over the registry's names and descriptions and the programs of the common-use "
                "dataset: punctuation and letter case are ignored, typos tolerated, synonyms known (rdp, smb, "
                "sql server, ...); a port, range or list answers with its ports. Exit 0 with hits, 1 with none.",
    completes="names",
)


def run(argv: list[str]) -> int:
    """Exit 0 with hits, 1 with none, 2 on bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.cli.output import Out, emit_json
    from portatlas.cli.render_search import search_text

    text = " ".join(str(a) for a in args.text)  # type: ignore[attr-defined]
    if not text.strip():
        raise BadInput("empty search: give some text to look for")
    limit = integer(args, "limit", "--limit", 0, MAX_LIMIT) or MAX_LIMIT
    answer = Registry.default().search_answer(text, args.option("transport"), args.option("range"), limit)
    if args.json:
        emit_json(answer)
        return 0 if answer.found else 1
    out = Out(no_color=bool(args.no_color))
    search_text(out, answer)
    out.write()
    return 0 if answer.found else 1
