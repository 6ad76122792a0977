"""`portatlas PORT | LOW-HIGH | SERVICE`: the registry's answer for a port, a span or a name."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.query.grammar import looks_like_span, parse_port, parse_span, shown
from portatlas.cli import render
from portatlas.cli.common import completes, emit_json, parser, write

MAX_SPAN = 4096


def build() -> "object":
    p = parser("lookup", "What the registry says of a port, a range of ports (LOW-HIGH) or a service name.")
    completes(p.add_argument("query", help="a port (0-65535), a range LOW-HIGH, or a service name"), "service")
    p.add_argument("--local", action="store_true",
                   help="for a port: also what is bound to it on this machine now (as 'portatlas who PORT')")
    return p


def run(argv: list[str]) -> int:
    """Answer one query; exit 0 answered, 1 unknown service name, 2 bad input."""
    args = build().parse_args(argv)  # type: ignore[attr-defined]
    q: str = args.query
    reg = Registry.default()
    s = q.strip()
    if s.isascii() and s.isdigit() or s.startswith("-") or _numberish(s):
        port = parse_port(s)
        rep = reg.report(port)
        from portatlas.cli.port_advice import with_advice  # the short verdict: should I use it?

        rep = with_advice(rep, reg, as_json=args.json)
        from portatlas.cli.port_machine import with_machine  # "How to check", and --local's live answer

        rep = with_machine(rep, reg, local=args.local, as_json=args.json)
        emit_json(rep) if args.json else write(render.report_text(rep))
        return 0
    if args.local:
        raise BadInput(f"--local needs a single port (0-65535), not {shown(s)}; for every listener "
                       "use 'portatlas listening'")
    if looks_like_span(s) or (s[:1].isdigit() and "-" in s):
        low, high = parse_span(s)
        if high - low + 1 > MAX_SPAN:
            raise BadInput(f"range {low}-{high} holds {high - low + 1} ports; ask for at most {MAX_SPAN} at once")
        infos = reg.span(low, high)
        emit_json(infos) if args.json else write(render.span_text(infos))
        return 0
    if not s:
        raise BadInput("empty query: give a port (0-65535), a range LOW-HIGH or a service name")
    if len(s) > 200:
        raise BadInput(f"{shown(s)} is too long for a service name (names have at most 15 characters); "
                       "give a port (0-65535), a range LOW-HIGH or a service name")
    svc = reg.service(s)
    emit_json(svc) if args.json else write(render.service_text(svc))
    return 0


def _numberish(s: str) -> bool:
    """Looks like an attempt at a number ('1e3', '8.5', '+80', '0x50'): refused as a port, not a name."""
    if not s or not (s[0].isdigit() or s[0] in "+."):
        return False
    return "-" not in s
