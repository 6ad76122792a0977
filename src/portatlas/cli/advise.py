"""`portatlas advise PORT|LIST`: should I use this port? A verdict, every reason with its source, free ports nearby."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.atlas import Registry
    from portatlas.cli.args import Args
    from portatlas.model import Transport
    from portatlas.query.grammar import PortSpec

MAX_PORTS = 1024  # each port is advised and, when not good, offered alternatives: ~1-2 ms a port

SPEC = Command(
    "advise", "should I use this port? a verdict with every reason and its source, and free ports nearby",
    args=(Arg("port", "a port (0-65535), PORT/tcp, PORT/udp, or a list such as 22,80,8000-8100"),),
    opts=(
        Opt(("--transport", "-t"), "transport", "T", "the service's transport (default tcp, or the one after "
                                                     "the port)", ("tcp", "udp", "both", "sctp", "dccp")),
        Opt(("--purpose",), "purpose", "P", "production, internal (a documented internal tool), testing, or "
                                            "standard (a protocol being standardized)",
            ("production", "internal", "testing", "standard"), default="production"),
        Opt(("--http",), "http", help="the service speaks HTTP: ports browsers refuse count"),
        Opt(("--service",), "service", "NAME", "your service: its registered name, or a program portatlas knows "
                                               "(the port counts as yours where it is theirs)", completes="names"),
        Opt(("--alternatives",), "alternatives", "N",
            "free ports nearby to offer when the verdict is not good (0 for none)", default="3"),
        Opt(("--all-os",), "all_os", help="how to check by hand on Linux, macOS and Windows, not only this system"),
    ),
    description="Should I use this port? A verdict (good, caution, avoid) with every reason and its source: the "
                "range, the registry, browsers, this machine's ephemeral range, what commonly runs there, "
                f"nmap's scans, and what listens here now. A list or range (at most {MAX_PORTS:,} ports) answers "
                "each port (JSON: a list). Exit 0 answered, whatever the verdict; 2 bad input.",
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Print the advice; exit 0 answered (whatever the verdict), 2 bad input."""
    return run_with(SPEC, argv, _run)


def transports_for(spec: PortSpec, option: str | None) -> tuple[Transport, ...]:
    """The transports asked for one item: its '/udp', the --transport option ('both' is TCP and UDP), or TCP;
    the two disagreeing is bad input."""
    from portatlas.advice import parse_transports

    if spec.transport is None:
        return parse_transports(option or "tcp")
    if option and option != str(spec.transport):
        raise BadInput(f"{spec.low}/{spec.transport} and --transport {option} disagree: give the transport once")
    return parse_transports(str(spec.transport))


def check_service(reg: Registry, name: str) -> str:
    """A --service that names something: a service in the registry, or a program of the common-use data."""
    from portatlas.query.grammar import shown

    if reg.has_name(name) or reg.knowledge.dataset().software(name):
        return name
    from portatlas.query.search import suggest_names

    near = list(suggest_names(reg.searcher(), name, 1))
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise BadInput(f"--service {shown(name)} is neither a service name in the registry nor a program in "
                   f"portatlas's common-use data{hint} (give your service's registered name, or leave "
                   "--service out)")


def _run(args: Args) -> int:
    from portatlas.advice import advise, machine_signals, suggest, with_listening
    from portatlas.atlas import Registry
    from portatlas.query.grammar import QueryKind, read

    if args.json and args.all_os:
        raise BadInput("--all-os chooses the commands the text shows; --json has no 'how to check' part")
    q = read(str(args.port), is_name=lambda _: False, max_ports=MAX_PORTS)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{str(args.port)[:40]!r} is not a port: a port is a whole number from 0 to 65535; "
                       "write PORT, PORT/tcp or a list such as 22,80,8000-8100")
    n_alts = integer(args, "alternatives", "--alternatives", 0, 100) or 0
    reg = Registry.default()
    service = check_service(reg, str(args.service)) if args.service else None
    several = q.kind is not QueryKind.PORT
    if several and args.all_os:
        raise BadInput("--all-os chooses the commands of one port's 'how to check'; a list has none")
    answers = []
    base = {}
    for spec in q.specs:
        ts = transports_for(spec, args.option("transport"))
        for p in spec.ports():
            if several:  # the machine read once per set of transports, who holds each port read per port
                if ts not in base:
                    base[ts] = machine_signals(None, ts)
                a = advise(reg, p, ts, str(args.purpose), bool(args.http), service,
                           signals=with_listening(base[ts], p, ts))
            else:
                a = advise(reg, p, ts, str(args.purpose), bool(args.http), service)
            alts = []
            if n_alts and a.verdict != "good" and all(str(t) in ("tcp", "udp") for t in ts):
                alts = suggest(reg, count=n_alts, transport=ts, near=a.port)
            answers.append((a, alts))
    if args.json:
        from portatlas.cli.output import emit_json
        from portatlas.value import to_data

        docs = [{**to_data(a), "alternatives": alts} for a, alts in answers]
        emit_json(docs if several else docs[0])
        return 0
    from portatlas.cli import render_advice
    from portatlas.cli.output import Out

    out = Out(no_color=bool(args.no_color))
    for i, (a, alts) in enumerate(answers):
        if i:
            out.line()
        render_advice.advice(out, a, alts)
    if not several:
        from portatlas.cli.render_machine import checks
        from portatlas.system.howto import check_commands

        checks(out, check_commands(answers[0][0].port), bool(args.all_os))
    out.write()
    return 0
