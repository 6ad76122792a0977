"""`portatlas update`: fetch the current registry and switch to it safely; `--rollback` undoes."""

from __future__ import annotations

import sys

from portatlas.errors import BadInput
from portatlas.source.fetch import DEFAULT_URL
from portatlas.cli import history_text
from portatlas.cli.common import Parser, emit_json, parser, write


def _bar(done: int, total: int | None) -> None:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""
    if total:
        n = int(30 * done / total)
        sys.stderr.write(f"\r  downloading [{'#' * n}{' ' * (30 - n)}] {done / 1e6:5.1f} of {total / 1e6:.1f} MB")
    else:
        sys.stderr.write(f"\r  downloading {done / 1e6:5.1f} MB")
    sys.stderr.flush()


def build() -> Parser:
    """The command's options."""
    p = parser("update", "Download the current registry, validate it, store it beside earlier "
                         "editions and switch to it atomically; print what changed.")
    p.add_argument("--source", metavar="URL-or-FILE",
                   help=f"where to fetch from (default PORTATLAS_UPDATE_URL or {DEFAULT_URL})")
    p.add_argument("--force", action="store_true",
                   help="switch even to an older edition, and skip the conditional request")
    p.add_argument("--rollback", action="store_true", help="return to the edition in use before the last update")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="give up when the download takes longer (default PORTATLAS_UPDATE_TIMEOUT or 30)")
    p.add_argument("--max-bytes", type=int, metavar="N",
                   help="refuse a body larger than N bytes (default PORTATLAS_UPDATE_MAX_BYTES or 64 MiB)")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 switched or unchanged; 1 nothing to roll back; 4 a bad download; 5 a failed download."""
    args = build().parse_args(argv)
    if args.timeout is not None and args.timeout <= 0:
        raise BadInput(f"--timeout {args.timeout:g} must be positive (seconds)")
    if args.max_bytes is not None and args.max_bytes <= 0:
        raise BadInput(f"--max-bytes {args.max_bytes} must be positive")
    if args.rollback and (args.source or args.force):
        raise BadInput("--rollback takes no --source or --force: it returns to the previous edition")
    from portatlas.source import update

    if args.rollback:
        result = update.rollback()
    else:
        show = sys.stderr.isatty() and not args.json
        try:
            result = update.update(args.source, force=args.force, max_bytes=args.max_bytes,
                                   timeout=args.timeout, progress=_bar if show else None)
        finally:
            if show:
                sys.stderr.write("\r\033[K")
    emit_json(result) if args.json else write(history_text.update_text(result))
    import os

    if os.environ.get("PORTATLAS_REGISTRY") and result.status != "unchanged":
        sys.stderr.write(f"portatlas: note: PORTATLAS_REGISTRY is set, so answers still come from "
                         f"{os.environ['PORTATLAS_REGISTRY']} until it is unset\n")
    return 0
