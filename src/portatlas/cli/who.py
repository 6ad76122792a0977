"""`portatlas who PORT`: every socket on this machine bound to PORT (or to each port of a list), and who holds it."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args
    from portatlas.system.annotate import MachineReport

MAX_PORTS = 4096  # one probe answers them all: a list costs what one port costs

SPEC = Command(
    "who", "every socket on this machine bound to a port, and the process holding it",
    args=(Arg("port", "a port (0-65535), PORT/tcp, PORT/udp, or a list such as 22,80,8000-8100"),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "only this transport (default: both)", ("tcp", "udp")),
        Opt(("--all", "-a"), "include_all",
            help="also connected sockets (ESTABLISHED, TIME_WAIT, connected UDP), not only listeners"),
        Opt(("--all-os",), "all_os", help="how to check by hand on Linux, macOS and Windows, not only this system"),
    ),
    description="Every socket on this machine bound to PORT: transport, IPv4/IPv6, address, state, PID, process, "
                "command line and user, read against the registry; then how to check by hand. A list or range "
                "answers each port (JSON: a list). Exit 0 something is bound, 1 nothing is, 2 bad input.",
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Answer who holds a port; exit 0 found, 1 nothing bound, 2 bad input."""
    return run_with(SPEC, argv, _run)


def ports_and_transports(text: str, option: str | None) -> tuple[list[tuple[int, str | None]], bool]:
    """([(port, transport), ...], several) from '5432', '5432/tcp', '22,80/udp,8000-8100' and --transport.

    The socket table holds TCP and UDP only; a transport written after a port and --transport must
    agree. Each item keeps its own transport (None: both).
    """
    from portatlas.query.grammar import QueryKind, one_transport, read, shown

    q = read(text, is_name=lambda _: False, max_ports=MAX_PORTS)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{shown(text)} is not a port: give a port (0-65535), PORT/tcp, PORT/udp or a list "
                       "such as 22,80,8000-8100")
    asked: list[tuple[int, str | None]] = []
    for spec in q.specs:
        if spec.transport is not None and spec.transport.value not in ("tcp", "udp"):
            raise BadInput(f"{shown(text)}: this machine's socket table is read for tcp and udp; "
                           "write PORT, PORT/tcp or PORT/udp")
        t = one_transport(spec, option)
        asked += [(p, t.value if t else None) for p in spec.ports()]
    return list(dict.fromkeys(asked)), q.kind is not QueryKind.PORT


def _run(args: Args) -> int:
    from portatlas.atlas import Registry, describe

    if args.json and args.all_os:
        raise BadInput("--all-os chooses the commands the text shows; --json has no 'how to check' part")
    asked, several = ports_and_transports(str(args.port), args.option("transport"))
    ports = [p for p, _ in asked]
    if several and args.all_os:
        raise BadInput("--all-os chooses the commands of one port's 'how to check'; a list has none")
    reg = Registry.default()
    include_all = bool(args.include_all)
    if not several:
        from portatlas.system.annotate import machine

        reps: tuple[MachineReport, ...] = (machine(reg, ports[0], asked[0][1], include_all),)
    else:
        from portatlas.system.annotate import machines

        # One probe per transport asked (two at most), the reports back in the order written.
        by: dict[tuple[int, str | None], MachineReport] = {}
        for t in dict.fromkeys(t for _, t in asked):
            group = [p for p, x in asked if x == t]
            by.update(((r.port, t), r) for r in machines(reg, group, t, include_all) if r.port is not None)
        reps = tuple(by[k] for k in asked)
    found = any(r.sockets for r in reps)
    if args.json:
        from portatlas.cli.output import emit_json

        emit_json(list(reps) if several else reps[0])
        return 0 if found else 1
    from portatlas.cli import render_machine
    from portatlas.cli.output import Out

    out = Out(no_color=bool(args.no_color))
    if several:
        render_machine.who_many(out, reps, {r.port: describe(reg.lookup(r.port))[0]
                                            for r in reps if r.sockets and r.port is not None})
    else:
        rep = reps[0]
        if rep.sockets:
            render_machine.who(out, rep, describe(reg.lookup(ports[0]))[0])
        else:
            render_machine.nothing(out, rep)
        from portatlas.system.howto import check_commands

        render_machine.checks(out, check_commands(ports[0]), bool(args.all_os))
    out.write()
    return 0 if found else 1
