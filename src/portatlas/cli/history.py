"""`portatlas history PORT`: when a port was assigned, changed or given back."""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.query.grammar import parse_port, parse_transport
from portatlas.registry.history import port_history
from portatlas.cli import history_text
from portatlas.cli.common import Parser, completes, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("history", "A port's (or a service name's) timeline across the registry's editions since 2017: "
                          "each change of state or assignment, between the last edition without it and "
                          "the first with it.")
    completes(p.add_argument("port", help="a port number, 0-65535, or a service name"), "service")
    p.add_argument("--transport", help="only this transport: tcp, udp, sctp or dccp (default all)")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 with the timeline; 1 for a service name no edition has; 2 for a bad port or transport."""
    args = build().parse_args(argv)
    text = args.port.strip()
    if text and not text.isdigit() and not text.lstrip("+-").isdigit():
        # A service name: when it was registered, its rows changed, its ports given back.
        if args.transport:
            raise BadInput("--transport applies to a port's history; a service's history shows all its rows")
        from portatlas.registry.history import service_history

        sh = service_history(text)
        emit_json(sh) if args.json else write(history_text.service_history_text(sh))
        return 0
    h = port_history(parse_port(text), parse_transport(args.transport))
    emit_json(h) if args.json else write(history_text.port_history_text(h))
    return 0
