"""`portatlas firewall PORT[/tcp|/udp]`: the commands opening (or closing) a port on each firewall."""

from __future__ import annotations

from portatlas.cli.args import Arg, Command, Opt, run_with
from portatlas.query.firewall import FORMATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args
    from portatlas.cli.output import Out
    from portatlas.query.firewall import FirewallRules

SPEC = Command(
    "firewall", "the commands that open or close a port on each firewall",
    args=(Arg("port", "PORT (tcp and udp), PORT/tcp or PORT/udp"),),
    opts=(
        Opt(("--deny",), "deny", help="close the port instead of opening it"),
        Opt(("--format", "-f"), "formats", "FORMAT", "only this firewall (repeatable; default all)", FORMATS,
            repeat=True),
    ),
    description="The commands that open PORT (close it, with --deny) on ufw, firewalld, nftables, iptables, pf "
                "and Windows, with a note on each: what they assume and what keeps them after a reboot. Nothing "
                "is run. Both TCP and UDP unless PORT/tcp or PORT/udp is given. Exit 0, or 2 for bad input.",
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Print the rules; exit 0, 2 on bad input."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.cli.common import port_and_transport
    from portatlas.cli.output import Out, emit_json
    from portatlas.query.firewall import firewall_rules

    port, transport = port_and_transport(str(args.port), None, why="portatlas writes firewall rules for tcp and udp")
    chosen = args.get("formats")
    formats = tuple(str(f) for f in chosen) if isinstance(chosen, tuple) and chosen else None
    rules = firewall_rules(port, None if transport is None else (transport,), deny=bool(args.deny),
                           formats=formats)
    if args.json:
        emit_json(rules)
        return 0
    out = Out(no_color=bool(args.no_color))
    text(out, rules)
    out.write()
    return 0


def text(out: Out, rules: FirewallRules) -> None:
    """Each format under its heading: the commands, the file where one exists, the note (wrapped to the
    terminal; a file's lines as they are, since they are copied into a file)."""
    out.line(out.bold(f"{'Close' if rules.action == 'deny' else 'Open'} {rules.label}"))
    for r in rules.rules:
        out.heading(r.title)
        for c in r.commands:
            out.line(c, 2, hang=4)
        if r.file is not None:
            out.line("file:", 2)
            out.lines += [f"    {line}" for line in r.file.rstrip("\n").split("\n")]
        out.line(f"note: {r.note}", 2, hang=6)
