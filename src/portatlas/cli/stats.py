"""`portatlas stats`: counts per range and transport."""

from __future__ import annotations

from ..atlas import Registry
from . import render
from .common import emit_json, parser, write


def run(argv: list[str]) -> int:
    """Always exit 0 on valid arguments."""
    p = parser("stats", "Assigned, reserved and unassigned ports per range and transport.")
    args = p.parse_args(argv)
    st = Registry.default().stats()
    emit_json(st) if args.json else write(render.stats_text(st))
    return 0
