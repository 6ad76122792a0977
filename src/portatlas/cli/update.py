"""`portatlas update`: fetch the current registry and switch to it safely; `--rollback` undoes."""

from __future__ import annotations

import sys

from portatlas.cli.args import Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "update", "download the current registry, validate it, and switch to it atomically (--rollback undoes)",
    opts=(
        Opt(("--source",), "source", "URL-or-FILE",
            "where to fetch from (default PORTATLAS_UPDATE_URL or IANA's service-names-port-numbers.xml)"),
        Opt(("--force",), "force", help="switch even to an older edition, and skip the conditional request"),
        Opt(("--rollback",), "rollback", help="return to the edition in use before the last update"),
        Opt(("--timeout",), "timeout", "SECONDS",
            "give up when the download takes longer (default PORTATLAS_UPDATE_TIMEOUT or 30)"),
        Opt(("--max-bytes",), "max_bytes", "N",
            "refuse a body larger than N bytes (default PORTATLAS_UPDATE_MAX_BYTES or 64 MiB)"),
    ),
    description="Download the current registry, validate it, store it beside earlier editions and switch to it "
                "atomically; print what changed. Exit 0 switched or unchanged, 1 nothing to roll back, 2 bad "
                "input, 4 the download is not a usable registry, 5 the download or the store failed.",
)


def _bar(done: int, total: int | None) -> None:
    """A one-line progress bar on stderr (only used when stderr is a terminal), as wide as fits in it."""
    import os

    try:
        room = (os.get_terminal_size(sys.stderr.fileno()).columns or 80) - 1
    except (OSError, ValueError):
        room = 79
    if total:
        tail = f"] {done / 1e6:5.1f} of {total / 1e6:.1f} MB"
        width = max(0, min(30, room - len("  downloading [") - len(tail)))
        n = int(width * done / total)
        line = f"  downloading [{'#' * n}{' ' * (width - n)}{tail}"
    else:
        line = f"  downloading {done / 1e6:5.1f} MB"
    sys.stderr.write("\r" + line[:room])
    sys.stderr.flush()


def run(argv: list[str]) -> int:
    """Exit 0 switched or unchanged; 1 nothing to roll back; 4 a bad download; 5 a failed download."""
    return run_with(SPEC, argv, _run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 86400:  # also refuses nan and inf
        raise BadInput(f"--timeout {text[:40]!r} must be a number of seconds above 0 (and below a day)")
    return value


def _run(args: Args) -> int:
    import os

    from portatlas.cli.output import Out, emit_json

    timeout = _seconds(str(args.timeout)) if args.timeout is not None else None
    max_bytes = integer(args, "max_bytes", "--max-bytes", 1, 2**40)
    if args.rollback:
        used = [f for f, d in (("--source", "source"), ("--force", "force"), ("--timeout", "timeout"),
                                ("--max-bytes", "max_bytes")) if d in args.given]
        if used:
            raise BadInput(f"--rollback takes no {' or '.join(used)}: it returns to the previous edition")
    from portatlas.source import update

    if args.rollback:
        result = update.rollback()
    else:
        show = sys.stderr.isatty() and not args.json
        try:
            result = update.update(args.option("source"), force=bool(args.force), max_bytes=max_bytes, timeout=timeout,
                                   progress=_bar if show else None)
        finally:
            if show:
                sys.stderr.write("\r\033[K")
    if args.json:
        emit_json(result)
    else:
        from portatlas.cli.render_history import update as render

        out = Out(no_color=bool(args.no_color))
        render(out, result)
        out.write()
    if os.environ.get("PORTATLAS_REGISTRY") and result.status != "unchanged":
        sys.stderr.write(f"portatlas: note: PORTATLAS_REGISTRY is set, so answers still come from "
                         f"{os.environ['PORTATLAS_REGISTRY']} until it is unset\n")
    return 0
