"""`portatlas search TEXT`: ranked, typo-tolerant search over names and descriptions."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.query.grammar import parse_range, parse_transport
from portatlas.cli import render
from portatlas.cli.common import Parser, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("search", "Ranked search over service names and descriptions; the text is matched literally.")
    p.add_argument("text", nargs="+", help="words to look for (typos tolerated)")
    p.add_argument("--transport", help="only rows on this transport: tcp, udp, sctp or dccp")
    p.add_argument("--range", dest="rng", help="only rows in this range: system, user or dynamic")
    p.add_argument("--limit", type=int, default=20, help="at most this many rows (default 20)")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 with hits, 1 with none, 2 on bad input."""
    args = build().parse_args(argv)
    text = " ".join(args.text)
    if not text.strip():
        raise BadInput("empty search: give some text to look for")
    if not 1 <= args.limit <= 1000:
        raise BadInput(f"--limit {args.limit} is out of range: use 1 to 1000")
    hits = Registry.default().search(text, parse_transport(args.transport), parse_range(args.rng), args.limit)
    if args.json:
        emit_json(hits)
    elif hits:
        write(render.hits_text(hits))
    else:
        write(f"nothing in the registry matches {text!r}")
    return 0 if hits else 1
