"""`portatlas suggest`: free ports to use, each with the checks it passed."""

from __future__ import annotations

import sys

from portatlas.cli.args import Command, Opt, integer, run_with

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "suggest", "ports free to use, each with the checks it passed",
    opts=(
        Opt(("--count",), "count", "K", "how many ports (1-1000)", default="5"),
        Opt(("--transport", "-t"), "transport", "T", "the service's transport", ("tcp", "udp", "both"),
            default="tcp"),
        Opt(("--range",), "range", "RANGE", "user (1024-32767, below Linux's ephemeral range) or dynamic "
                                            "(61000-65535); default: user, or dynamic for a --near port in "
                                            "49152-65535", ("user", "dynamic")),
        Opt(("--near",), "near", "PORT", "rank by distance from this port"),
        Opt(("--name",), "name", "APP", "a service name: the same first port for it on every machine"),
        Opt(("--http",), "http", help="the service speaks HTTP (browsers' bad ports are always left out)"),
        Opt(("--seed",), "seed", "N", "a repeatable order (for tests)", hidden=True),
    ),
    description="Ports free to use: unassigned in the registry on the asked transports, off the browsers' "
                "bad-port list, outside the ephemeral ranges, not among nmap's most common ports, and free "
                "here (checked by binding). Exit 0 with ports, 1 when none passes every check, 2 bad input.",
)


def run(argv: list[str]) -> int:
    """Print the ports; exit 0 found some, 1 none passed every check, 2 bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.advice import MAX_COUNT, suggest
    from portatlas.atlas import Registry
    from portatlas.cli.output import Out, emit_json

    count = integer(args, "count", "--count", 1, MAX_COUNT) or 5
    seed = integer(args, "seed", "--seed", 0, 2**63)
    found = suggest(Registry.default(), count=count, transport=str(args.transport), range=args.option("range"),
                    near=args.option("near"), name=args.option("name"), http=bool(args.http), seed=seed)
    if args.json:
        emit_json(found)
    elif found:
        from portatlas.cli.render_advice import suggestions

        out = Out(no_color=bool(args.no_color))
        suggestions(out, found, count)
        out.write()
    if not found:
        from portatlas.system.ephemeral import ephemeral_range

        e = ephemeral_range()
        sys.stderr.write(f"portatlas: no port passed every check (this machine's ephemeral range is "
                         f"{e.low}-{e.high}); try the other --range, another --transport, or --near\n")
        return 1
    return 0
