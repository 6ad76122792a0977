"""`portatlas listening`: every listener here, one line each, read against the registry.

``--json`` on Linux takes the lean path (``listening_lean``): the same answer
without importing the library's value types. Everything else, and every
usage error, goes through argparse and ``annotate.machine``.
"""

from __future__ import annotations

from portatlas.cli import listening_lean

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from portatlas.cli.common import Parser


def build() -> Parser:
    """The command's argument parser."""
    from portatlas.cli.common import parser

    p = parser("listening", "Every listening TCP socket and bound UDP socket on this machine, one line each, "
                            "with the port's registered services, state and range, and flags where something "
                            "looks off (other-service, ephemeral, unassigned-system, reserved).")
    p.add_argument("--all", "-a", action="store_true", dest="include_all",
                   help="also connected sockets (ESTABLISHED, TIME_WAIT, connected UDP)")
    p.add_argument("--transport", "-t", type=str.lower, choices=("tcp", "udp"),
                   help="only this transport (default: both)")
    return p


def run(argv: list[str]) -> int:
    """List this machine's listeners; exit 0 (1 when there is no socket at all)."""
    lean = listening_lean.parse(argv)
    if lean is not None and listening_lean.applies():
        return listening_lean.run(*lean)
    from portatlas.atlas import Registry
    from portatlas.system.annotate import machine
    from portatlas.cli import render_machine
    from portatlas.cli.common import write

    args = build().parse_args(argv)
    rep = machine(Registry.default(), None, args.transport, args.include_all)
    write(render_machine.machine_json(rep) if args.json else render_machine.listening_text(rep))
    return 0 if rep.sockets else 1
