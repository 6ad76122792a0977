"""`portatlas request`: draft IANA's application for a service name and port, after checking what IANA would refuse."""

from __future__ import annotations

from portatlas.cli.args import Command, Opt, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "request", "draft IANA's application for a service name and port, after the checks IANA would refuse on",
    opts=(
        Opt(("--name",), "name", "NAME", "the service name (RFC 6335 section 5.1); required"),
        Opt(("--transport", "-t"), "transport", "T", "TCP and UDP with both; required",
            ("tcp", "udp", "sctp", "dccp", "both")),
        Opt(("--port",), "port", "N", "the port asked for"),
        Opt(("--any",), "any", help="any User port: IANA chooses"),
        Opt(("--description",), "description", "TEXT", "a short description of the service; required"),
        Opt(("--contact",), "contact", "EMAIL", "the contact's email address; required"),
        Opt(("--reference",), "reference", "RFC-or-URL",
            "the document describing the protocol: RFC NNNN, draft-..., or a URL"),
    ),
    description="Draft the fields of IANA's application for a service name and port number (RFC 6335 section "
                "8.1.1), after checking what IANA would refuse: a taken name, a port assigned on that transport, "
                "a System port without an IETF or IESG reference, a Dynamic port. Exit 0 nothing to refuse, "
                "1 IANA would refuse it (each reason named), 2 bad input.",
)

REQUIRED = (("--name", "name"), ("--transport", "transport"), ("--description", "description"),
            ("--contact", "contact"))


def run(argv: list[str]) -> int:
    """Print the draft; exit 0 nothing IANA would refuse, 1 something it would, 2 bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.advice import parse_transports
    from portatlas.atlas import Registry
    from portatlas.cli.output import Out, emit_json
    from portatlas.query.iana_request import draft

    missing = [flag for flag, dest in REQUIRED if args[dest] is None]
    if missing:
        raise BadInput(f"'portatlas request' needs {', '.join(missing)} (see 'portatlas request --help')")
    d = draft(Registry.default().index, name=str(args.name), transports=parse_transports(str(args.transport)),
              port=args.option("port"), any_port=bool(args.any), description=str(args.description),
              contact=str(args.contact), reference=args.option("reference"))
    if args.json:
        from portatlas.value import to_data

        emit_json({**to_data(d), "refused": d.refused})
    else:
        from portatlas.cli.render_advice import request

        out = Out(no_color=bool(args.no_color))
        request(out, d)
        out.write()
    return 1 if d.refused else 0
