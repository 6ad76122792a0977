"""`portatlas request`: draft IANA's application for a service name and port, after checking what IANA would refuse."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.cli.common import emit_json, parser, write


def build() -> "object":
    p = parser("request", "Draft the fields of IANA's application for a service name and port number (RFC 6335 "
                          "section 8.1.1), after checking what IANA would refuse: a taken name, a port assigned "
                          "on that transport, a System port without an IETF or IESG reference, a Dynamic port. "
                          "Exit 0 nothing to refuse, 1 IANA would refuse it (each reason named), 2 bad input.")
    p.add_argument("--name", required=True, help="the service name (RFC 6335 section 5.1)")
    p.add_argument("--transport", required=True, help="tcp, udp, sctp, dccp or both (TCP and UDP)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--port", metavar="N", help="the port asked for")
    which.add_argument("--any", action="store_true", help="any User port: IANA chooses")
    p.add_argument("--description", required=True, help="a short description of the service")
    p.add_argument("--contact", required=True, metavar="EMAIL", help="the contact's email address")
    p.add_argument("--reference", metavar="RFC-or-URL",
                   help="the document describing the protocol: RFC NNNN, draft-..., or a URL")
    return p


def run(argv: list[str]) -> int:
    """Print the draft; exit 0 nothing IANA would refuse, 1 something it would, 2 bad input."""
    from portatlas.advice import parse_transports
    from portatlas.query.iana_request import draft

    args = build().parse_args(argv)  # type: ignore[attr-defined]
    ts = parse_transports(args.transport)
    reg = Registry.default()
    d = draft(reg.index, name=args.name, transports=ts, port=args.port, any_port=args.any,
              description=args.description, contact=args.contact, reference=args.reference)
    if args.json:
        from portatlas.model import to_json

        emit_json({**to_json(d), "refused": to_json(d.refused)})
    else:
        from portatlas.cli.render_advice import request_text

        write(request_text(d))
    return 1 if d.refused else 0
