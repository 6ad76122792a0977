"""`portatlas ephemeral`: this machine's ephemeral port range, its reserved holes, and what it overlaps."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.system.annotate import ephemeral_report
from portatlas.cli import render_machine
from portatlas.cli.common import emit_json, parser, write


def build() -> "object":
    p = parser("ephemeral", "This machine's ephemeral (client) port range and reserved holes, read from the "
                            "kernel (Linux /proc, BSD/macOS sysctl, Windows netsh) or the OS default, marked "
                            "as such; and how many registered ports it overlaps.")
    return p


def run(argv: list[str]) -> int:
    """Show the ephemeral range; exit 0."""
    args = build().parse_args(argv)  # type: ignore[attr-defined]
    rep = ephemeral_report(Registry.default())
    emit_json(rep) if args.json else write(render_machine.ephemeral_text(rep))
    return 0
