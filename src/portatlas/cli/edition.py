"""`portatlas edition`: which registry edition answers, where it came from, and its date."""

from __future__ import annotations

from portatlas.store import editions
from portatlas.cli import history_text
from portatlas.cli.common import Parser, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("edition", "The registry edition in use: its date, its file and where it came from.")
    p.add_argument("--list", action="store_true", help="also list the editions 'update' stored")
    return p


def run(argv: list[str]) -> int:
    """Always exit 0 on valid arguments."""
    args = build().parse_args(argv)
    e = editions.in_use()
    stored = editions.stored() if args.list else None
    if args.json:
        emit_json({"in_use": e, "stored": stored} if args.list else e)
    else:
        write(history_text.edition_text(e, stored))
    return 0
