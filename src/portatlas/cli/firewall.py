"""`portatlas firewall PORT[/tcp|/udp]`: the commands opening (or closing) a port on each firewall."""

from __future__ import annotations

from portatlas.cli.common import (
    Parser,
    bold,
    emit_json,
    parser,
    port_and_transport,
    write,
)
from portatlas.query.firewall import FORMATS, FirewallRules, firewall_rules


def build() -> Parser:
    """The command's options."""
    p = parser("firewall", "The commands that open PORT (close it, with --deny) on ufw, firewalld, nftables, "
                           "iptables, pf and Windows, with a note on each: what they assume and what keeps "
                           "them after a reboot. Nothing is run. Both TCP and UDP unless PORT/tcp or "
                           "PORT/udp is given. Exit 0, or 2 for bad input.")
    p.add_argument("port", help="PORT (tcp and udp), PORT/tcp or PORT/udp")
    p.add_argument("--deny", action="store_true", help="close the port instead of opening it")
    p.add_argument("--format", "-f", action="append", choices=FORMATS, dest="formats",
                   help="only this firewall (repeatable; default all)")
    return p


def run(argv: list[str]) -> int:
    """Print the rules; exit 0, 2 on bad input."""
    args = build().parse_args(argv)
    port, transport = port_and_transport(args.port, None)
    rules = firewall_rules(port, None if transport is None else (transport,), deny=args.deny,
                           formats=args.formats)
    if args.json:
        emit_json(rules)
    else:
        write(text(rules))
    return 0


def text(rules: FirewallRules) -> str:
    """Each format under its heading: the commands, the file where one exists, the note."""
    out = [bold(f"{'Close' if rules.action == 'deny' else 'Open'} {rules.label}")]
    for r in rules.rules:
        out += ["", bold(r.title), *(f"  {c}" for c in r.commands)]
        if r.file is not None:
            out += ["  file:", *(f"    {line}" for line in r.file.rstrip("\n").split("\n"))]
        out.append(f"  note: {r.note}")
    return "\n".join(out)
