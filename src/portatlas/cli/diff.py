"""`portatlas diff OLD NEW`: rows added, removed and changed between two editions."""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.registry.history import assignments_only, diff
from portatlas.cli import history_text
from portatlas.cli.common import Parser, emit_json, parser, write


def build() -> Parser:
    """The command's options."""
    p = parser("diff", "What changed between two registry editions: rows added, removed "
                       "(de-assigned or revoked) and changed, field by field.")
    p.add_argument("old", nargs="?", help="an edition date YYYY-MM-DD, 'latest', 'current' or a registry file")
    p.add_argument("new", nargs="?", default=None,
                   help="the same kinds (default: 'current', the edition in use)")
    p.add_argument("--since", metavar="DATE",
                   help="shorthand for OLD = the last edition on or before DATE, NEW = current")
    p.add_argument("--assigned", action="store_true",
                   help="only rows giving a service name a port (no reserved, unassigned or name-only rows)")
    p.add_argument("--limit", type=int, default=history_text.MAX_LISTED,
                   help=f"list at most N rows per section in text (default {history_text.MAX_LISTED})")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 with the differences (none is an answer too); 1 for an unknown edition."""
    args = build().parse_args(argv)
    if args.since and (args.old or args.new):
        raise BadInput("give either --since DATE or OLD [NEW], not both")
    if not args.since and not args.old:
        raise BadInput("give OLD [NEW] editions (dates, 'latest', 'current' or files) or --since DATE")
    if args.limit < 1:
        raise BadInput(f"--limit {args.limit} is too small: list at least 1 row per section")
    d = diff(args.since, "current", since=True) if args.since else diff(args.old, args.new or "current")
    if args.assigned:
        d = assignments_only(d)
    emit_json(d) if args.json else write(history_text.diff_text(d, args.limit))
    return 0
