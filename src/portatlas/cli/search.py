"""`portatlas search TEXT`: the registry's names and descriptions and the common-use dataset's programs, ranked."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.cli.common import parser
from portatlas.cli.output import Out, emit_json
from portatlas.cli.render_search import search_text
from portatlas.query.grammar import parse_range, parse_transport


def run(argv: list[str]) -> int:
    """Exit 0 with hits, 1 with none, 2 on bad input."""
    p = parser("search", "Ranked search over the registry's names and descriptions and the programs of the "
                         "common-use dataset; punctuation is ignored, typos tolerated; a port goes to the port.")
    p.add_argument("text", nargs="+", help="words to look for, or a port (22/tcp, port 443, 8000-8100)")
    p.add_argument("--transport", help="only rows and ports on this transport: tcp, udp, sctp or dccp")
    p.add_argument("--range", dest="rng", help="only rows and ports in this range: system, user or dynamic")
    p.add_argument("--limit", type=int, default=20, help="at most this many hits, as printed (default 20)")
    args = p.parse_args(argv)
    text = " ".join(args.text)
    answer = Registry.default().search_answer(text, parse_transport(args.transport), parse_range(args.rng),
                                              args.limit)
    if args.json:
        emit_json(answer)
    else:
        out = Out()
        search_text(out, answer)
        out.write()
    return 0 if answer.found else 1
