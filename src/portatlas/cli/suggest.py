"""`portatlas suggest`: free ports to use, each with the checks it passed."""

from __future__ import annotations

import argparse
import sys

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.cli.common import emit_json, parser, write


def build() -> "object":
    p = parser("suggest", "Ports free to use: unassigned in the registry on the asked transports, off the "
                          "browsers' bad-port list, outside the ephemeral ranges, not commonly used "
                          "(nmap-services), and free here (checked by binding).")
    p.add_argument("--count", default="5", metavar="K", help="how many ports (1-1000, default 5)")
    p.add_argument("--transport", default="tcp", help="tcp (default), udp or both")
    p.add_argument("--range", dest="rng", default=None, metavar="RANGE",
                   help="user (1024-32767, below Linux's ephemeral range; the default) or dynamic (61000-65535)")
    p.add_argument("--near", metavar="PORT", help="rank by distance from this port")
    p.add_argument("--name", metavar="APP", help="a service name: the same port for it on every machine")
    p.add_argument("--http", action="store_true",
                   help="the service speaks HTTP (browsers' bad ports are always left out)")
    p.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)  # repeatable order, for tests
    return p


def run(argv: list[str]) -> int:
    """Print the ports; exit 0 found some, 1 none passed every check, 2 bad input."""
    from portatlas.advice import suggest

    args = build().parse_args(argv)  # type: ignore[attr-defined]
    raw = str(args.count).strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 7:
        raise BadInput(f"--count {raw!r} is not a whole number: ask for 1 to 1000 ports")
    reg = Registry.default()
    found = suggest(reg, count=int(raw), transport=args.transport, range=args.rng, near=args.near,
                    name=args.name, http=args.http, seed=args.seed)
    if args.json:
        emit_json(found)
    elif found:
        from portatlas.cli.render_advice import suggestions_text

        write(suggestions_text(found, int(raw)))
    if not found:
        from portatlas.system.ephemeral import ephemeral_range

        e = ephemeral_range()
        sys.stderr.write(f"portatlas: no port passed every check (this machine's ephemeral range is "
                         f"{e.low}-{e.high}); try the other --range, another --transport, or --near\n")
        return 1
    return 0
