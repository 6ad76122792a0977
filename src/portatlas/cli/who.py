"""`portatlas who PORT`: every socket on this machine bound to PORT, and the process holding it."""

from __future__ import annotations

from portatlas.atlas import Registry, describe
from portatlas.system.annotate import machine
from portatlas.cli import render_machine
from portatlas.cli.common import parser, port_and_transport, write


def build() -> "object":
    p = parser("who", "Every socket on this machine bound to PORT: transport, IPv4/IPv6, address, state, "
                      "PID, process, command line and user, read against the registry. "
                      "Exit 0 found, 1 nothing bound, 2 bad input.")
    p.add_argument("port", help="a port (0-65535), or PORT/tcp, PORT/udp")
    p.add_argument("--transport", "-t", type=str.lower, choices=("tcp", "udp"),
                   help="only this transport (default: both)")
    p.add_argument("--all", "-a", action="store_true", dest="include_all",
                   help="also connected sockets (ESTABLISHED, TIME_WAIT, connected UDP), not only listeners")
    return p


def run(argv: list[str]) -> int:
    """Answer who holds a port; exit 0 found, 1 nothing bound, 2 bad input."""
    args = build().parse_args(argv)  # type: ignore[attr-defined]
    port, transport = port_and_transport(args.port, args.transport)
    reg = Registry.default()
    rep = machine(reg, port, transport, args.include_all)
    if args.json:
        write(render_machine.machine_json(rep))
    elif rep.sockets:
        write(render_machine.who_text(rep, describe(reg.lookup(port))[0]))
    else:
        write(render_machine.nothing_text(rep))
    return 0 if rep.sockets else 1

