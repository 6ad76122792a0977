"""`portatlas advise PORT`: should I use this port? A verdict, every reason with its source, free ports nearby."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.model import to_json
from portatlas.cli.common import completes, emit_json, parser, write


def build() -> "object":
    p = parser("advise", "Should I use this port? A verdict (good, caution, avoid) with every reason and its "
                         "source: the range, the registry, browsers, this machine's ephemeral range, common "
                         "unassigned use (nmap-services) and what listens here now.")
    p.add_argument("port", help="the port (0-65535)")
    p.add_argument("--transport", default="tcp", help="tcp (default), udp, both, sctp or dccp")
    p.add_argument("--purpose", default="production",
                   help="production (default), internal (a documented internal tool), testing, or standard "
                        "(a protocol being standardized)")
    p.add_argument("--http", action="store_true", help="the service speaks HTTP: ports browsers refuse count")
    completes(p.add_argument("--service", metavar="NAME",
                             help="your service's registered name, if the port may be yours"), "service")
    p.add_argument("--alternatives", type=int, default=3, metavar="N",
                   help="free ports nearby to offer when the verdict is not good (default 3, 0 for none)")
    return p


def run(argv: list[str]) -> int:
    """Print the advice; exit 0 answered (whatever the verdict), 2 bad input."""
    from portatlas.advice import advise, parse_purpose, parse_transports, suggest

    args = build().parse_args(argv)  # type: ignore[attr-defined]
    parse_purpose(args.purpose)  # refuse a bad option before any work
    ts = parse_transports(args.transport)
    if not 0 <= args.alternatives <= 100:
        raise BadInput(f"--alternatives {args.alternatives} is out of range: give 0 to 100")
    reg = Registry.default()
    a = advise(reg, args.port, ts, args.purpose, args.http, args.service)
    alts = []
    if args.alternatives and a.verdict.value != "good" and all(t.value in ("tcp", "udp") for t in ts):
        alts = suggest(reg, count=args.alternatives, transport=ts, near=a.port)
    if args.json:
        emit_json({**to_json(a), "alternatives": to_json(alts)})
    else:
        from portatlas.cli.render_advice import advice_text

        write(advice_text(a, alts))
    return 0
