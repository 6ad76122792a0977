"""`portatlas history PORT|LIST|SERVICE`: when a port (each port of a list, or a name) was assigned, changed
or given back."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, run_with
from portatlas.errors import BadInput, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args
    from portatlas.cli.output import Out

MAX_PORTS = 1024  # a port's history costs ~1 ms; a list of them prints a screen each

SPEC = Command(
    "history", "a port's (or a service name's) timeline across the registry's editions since 2017",
    args=(Arg("query", "a port (0-65535), PORT/tcp, a list such as 22,80,8000-8100, or a service name"),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "only this transport (default: all)",
            ("tcp", "udp", "sctp", "dccp")),
    ),
    description="A port's (or a service name's) timeline across the registry's editions since 2017: each change "
                f"of state or assignment, between the last edition without it and the first with it. A list "
                f"or range (at most {MAX_PORTS:,} ports) answers each port (JSON: a list). Exit 0 answered, 1 a "
                "service name no edition has, 2 bad input.",
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Exit 0 with the timeline; 1 for a service name no edition has; 2 for a bad port or transport."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.cli.output import Out, emit_json
    from portatlas.query.grammar import QueryKind, looks_numeric, one_transport, read

    text = str(args.query).strip()
    out = Out(no_color=bool(args.no_color))
    if not text:
        raise BadInput("empty query: give a port (0-65535), PORT/tcp, a range, a list or a service name")
    if not looks_numeric(text):
        return _service(args, text, out)
    try:
        q = read(text, is_name=lambda _: False, max_ports=MAX_PORTS)
    except BadInput as bad:
        if any(c.isalpha() for c in text) and "/" not in text and "," not in text:
            try:  # a name that starts like a number ('3com-tsmux')
                return _service(args, text, out)
            except NotFound:
                pass
        raise bad from None
    from portatlas.registry.history import port_history

    several = q.kind is not QueryKind.PORT
    found = []
    for spec in q.specs:
        t = one_transport(spec, args.option("transport"))
        found += [port_history(p, t) for p in spec.ports()]
    if args.json:
        emit_json(found if several else found[0])
        return 0
    from portatlas.cli.render_history import port_history as render

    for i, h in enumerate(found):
        if i:
            out.line()
        render(out, h)
    out.write()
    return 0


def _service(args: Args, name: str, out: Out) -> int:
    """A service name's timeline: when it was registered, its rows changed, its ports given back."""
    from portatlas.cli.output import emit_json
    from portatlas.registry.history import service_history

    if args.transport:
        raise BadInput("--transport applies to a port's history; a service's history shows all its rows")
    sh = service_history(name)
    if args.json:
        emit_json(sh)
        return 0
    from portatlas.cli.render_history import service_history as render

    render(out, sh)
    out.write()
    return 0
