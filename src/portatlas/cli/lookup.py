"""`portatlas PORT | PORT/tcp | LOW-HIGH | LIST | NAME`: the answer for a port, many ports, or a name."""

from __future__ import annotations

from portatlas.cli.args import Arg, Args, Command, Opt, run_with
from portatlas.cli.output import Out, emit_json
from portatlas.errors import BadInput

SPEC = Command(
    "lookup", "what a port is: the registry, what commonly runs there, whether to use it, how to check it",
    args=(Arg("query", "a port (0-65535), PORT/tcp, a range LOW-HIGH, a list 22,80,8000-8100, or a service "
                       "or program name"),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "only this transport", ("tcp", "udp", "sctp", "dccp")),
        Opt(("--local",), "local", help="for a port: also what is bound to it on this machine now"),
        Opt(("--all-os",), "all_os", help="how to check on Linux, macOS and Windows, not only this system"),
    ),
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Answer one query; exit 0 answered, 1 unknown name, 2 bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.atlas import Registry
    from portatlas.query.grammar import QueryKind, one_transport, read

    reg = Registry.default()
    text = str(args.query)
    q = read(text, is_name=reg.has_name)
    out = Out(no_color=bool(args.no_color))
    if q.kind is QueryKind.NAME:
        if args.local:
            raise BadInput(f"--local needs a single port (0-65535), not the name {q.name!r}")
        if args.transport:
            raise BadInput(f"--transport narrows a port's answer; the name {q.name!r} is answered on every "
                           "transport it has (ask a port, such as 80/udp)")
        if args.all_os:
            raise BadInput("--all-os chooses the commands of one port's 'how to check'; a name has none")
        named = reg.name(str(q.name))
        if args.json:
            emit_json(named)
            return 0
        from portatlas.cli.render_name import name_text

        name_text(out, named)
        out.write()
        return 0
    transport = one_transport(q.specs[0], str(args.transport) if args.transport else None) \
        if len(q.specs) == 1 else None
    if args.all_os and (args.json or q.kind is not QueryKind.PORT):
        raise BadInput("--all-os chooses the commands of one port's 'how to check' in the text; "
                       + ("--json has them all" if q.kind is QueryKind.PORT else "a range or list has none"))
    if q.kind is QueryKind.PORT:
        answer = reg.answer(q.port, transport=transport)
        local = None
        if args.local:
            from portatlas.system.annotate import machine

            local = machine(reg, q.port)
        if args.json:
            emit_json({"answer": answer, "local": local} if args.local else answer)
            return 0
        from portatlas.cli.render_port import port_text

        port_text(out, answer, all_os=bool(args.all_os))
        if local is not None:
            from portatlas.cli.render_machine import sockets

            out.heading("On this machine now")
            sockets(out, local, indent=2)
        out.write()
        return 0
    if args.local:
        raise BadInput("--local needs a single port; for every listener use 'portatlas listening'")
    if args.transport:
        from portatlas.query.grammar import PortSpec, parse_transport

        t = parse_transport(str(args.transport))
        q_specs = tuple(PortSpec(s.low, s.high, one_transport(s, str(t))) for s in q.specs)
    else:
        q_specs = q.specs
    ans = reg.ports(q.text, q_specs)
    if args.json:
        emit_json(ans)
        return 0
    from portatlas.cli.render_name import ports_text

    ports_text(out, ans)
    out.write()
    return 0
