"""`portatlas stats`: counts per range and transport (`--over-time`: for every edition)."""

from __future__ import annotations

from portatlas.atlas import Registry
from portatlas.model import Transport
from portatlas.query.grammar import parse_transport
from portatlas.cli import render
from portatlas.cli.common import Parser, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("stats", "Assigned, reserved and unassigned ports per range and transport.")
    p.add_argument("--over-time", action="store_true",
                   help="the counts of every edition since 2017 (text: one transport, editions that changed)")
    p.add_argument("--transport", help="with --over-time, the transport shown in text (default tcp)")
    p.add_argument("--all", action="store_true", help="with --over-time, every edition in text")
    return p


def run(argv: list[str]) -> int:
    """Always exit 0 on valid arguments."""
    args = build().parse_args(argv)
    if args.over_time:
        from portatlas.registry.history import stats_over_time
        from portatlas.cli.history_text import stats_over_time_text

        s = stats_over_time()
        t = parse_transport(args.transport) or Transport.TCP
        emit_json(s) if args.json else write(stats_over_time_text(s, t, args.all))
        return 0
    st = Registry.default().stats()
    emit_json(st) if args.json else write(render.stats_text(st))
    return 0
