"""Entry point and the one error boundary of the command line.

Exit codes (as grep's): 0 answered, 1 nothing found, 2 bad input, 3 an
unexpected fault, 4 a registry file that cannot be read, 5 an update that
failed (download, store or lock), 6 refused (free: PID 1, an ancestor, not
yours, the answer no), 7 still held (free, after SIGKILL), 130 interrupted.
Commands are imported only when used, so `portatlas 5432` loads little.
"""

from __future__ import annotations

import sys

from portatlas.errors import BadInput, PortatlasError

# The forms the answer cache serves: a bare port, optionally with --json.
_FAST_FLAGS = {"--json"}

# name: (module, one line of help). A module defines run(argv) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "lookup": ("portatlas.cli.lookup", "what the registry says of a port, a range of ports, or a service name"),
    "search": ("portatlas.cli.search", "ranked, typo-tolerant search over service names and descriptions"),
    "gaps": ("portatlas.cli.gaps", "unassigned blocks of the System and User ranges, largest first"),
    "stats": ("portatlas.cli.stats", "assigned, reserved and unassigned counts per range and transport"),
    "history": ("portatlas.cli.history", "a port's timeline since 2017: when it was assigned, changed or given back"),
    "diff": ("portatlas.cli.diff", "rows added, removed and changed between two registry editions"),
    "update": ("portatlas.cli.update", "fetch the current registry, validate it and switch to it (--rollback undoes)"),
    "edition": ("portatlas.cli.edition", "which registry edition is in use, where it came from, its date"),
    "export": ("portatlas.cli.export", "write the edition in use as an /etc/services file, JSON, CSV, or the web site"),
    "who": ("portatlas.cli.who", "every socket on this machine bound to a port, and the process holding it"),
    "listening": ("portatlas.cli.listening", "every listener on this machine, read against the registry, with flags"),
    "free": ("portatlas.cli.free", "stop whatever holds a port: SIGTERM, then SIGKILL (asks first; --dry-run)"),
    "firewall": ("portatlas.cli.firewall", "the commands that open (or --deny close) a port on each firewall"),
    "ephemeral": ("portatlas.cli.ephemeral", "this machine's ephemeral port range and reserved holes"),
    "advise": ("portatlas.cli.advise", "should I use port N? a verdict with every reason and its source"),
    "suggest": ("portatlas.cli.suggest", "free ports to use: unassigned, off browser and ephemeral lists, free here"),
    "check-name": ("portatlas.cli.check_name", "whether a service name keeps RFC 6335's rules and is not registered"),
    "request": ("portatlas.cli.request", "draft IANA's application for a service name and port, checked first"),
    "serve": ("portatlas.cli.serve", "the web site and JSON API (a page for every port, feedback) on this machine"),
    "completion": ("portatlas.cli.completion", "a completion script for bash, zsh or fish: commands, options, names"),
}
# Not listed: what the completion scripts call on each TAB (service names with a prefix, read fast).
HIDDEN = {"__complete-names": "portatlas.cli.complete_names"}

USAGE = """usage: portatlas PORT | LOW-HIGH | SERVICE [--json]
       portatlas COMMAND [options]   (portatlas COMMAND --help for its options)

Answers from the IANA Service Name and Transport Protocol Port Number Registry.

commands:
{commands}

exit codes: 0 answered, 1 nothing found, 2 bad input, 3 unexpected fault,
            4 unreadable registry file, 5 update failed (download or store),
            6 refused (free), 7 still held (free), 130 interrupted
"""


def usage() -> str:
    """The top-level help text, listing every command."""
    width = max(len(n) for n in COMMANDS)
    lines = "\n".join(f"  {n.ljust(width)}  {h}" for n, (_, h) in COMMANDS.items())
    return USAGE.format(commands=lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        cached = _fast(args)
        if cached is not None:
            return cached
        return _dispatch(args)
    except PortatlasError as e:
        _say(f"portatlas: {e}")
        return e.exit_code
    except KeyboardInterrupt:
        _say("portatlas: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`portatlas stats | head`): not an error worth a trace.
        try:
            sys.stdout = None  # type: ignore[assignment]
        finally:
            return 0
    except Exception as e:  # the boundary: one line, never a traceback
        _say(f"portatlas: unexpected error: {type(e).__name__}: {e} "
             "(please report it with the command you ran)")
        return 3


def _say(line: str) -> None:
    sys.stderr.write(line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")


def _fast(args: list[str]) -> int | None:
    """Serve `portatlas PORT [--json]` from the answer cache, filling it on a miss.

    Returns None when the arguments are not of that form (or the cache is off).
    """
    if args and args[0] == "lookup":
        args = args[1:]
    ports = [a for a in args if a not in _FAST_FLAGS]
    if len(ports) != 1 or len(args) > 2 or not (ports[0].isascii() and ports[0].isdigit()) \
            or len(ports[0]) > 5 or int(ports[0]) > 65535:
        return None
    from portatlas import answer_cache

    if not answer_cache.enabled():
        return None
    variant = "json" if "--json" in args else ("tty" if sys.stdout.isatty() else "txt")
    name = f"{int(ports[0])}.{variant}"
    where = answer_cache.directory()
    text = answer_cache.read(where, name)
    if text is None:
        import io

        real, sys.stdout = sys.stdout, io.StringIO()
        try:
            code = _dispatch(["lookup", *args])
            text = sys.stdout.getvalue()
        finally:
            sys.stdout = real
        if code != 0:
            sys.stdout.write(text)
            return code
        answer_cache.write(where, name, text)
    sys.stdout.write(text)
    return 0


def _dispatch(args: list[str]) -> int:
    for a in args:
        try:
            a.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput("an argument is not valid UTF-8 text: give a port (0-65535), "
                           "a range LOW-HIGH or a service name") from None
    if not args:
        sys.stderr.write(usage())
        return 2
    first = args[0]
    if first in ("-h", "--help", "help"):
        sys.stdout.write(usage())
        return 0
    if first in ("-V", "--version"):
        from portatlas import __version__

        sys.stdout.write(f"portatlas {__version__}\n")
        return 0
    if first in COMMANDS:
        module, rest = COMMANDS[first][0], args[1:]
    elif first in HIDDEN:
        module, rest = HIDDEN[first], args[1:]
    else:
        module, rest = COMMANDS["lookup"][0], args
    # __import__ rather than importlib.import_module: importing importlib (and warnings) costs ~0.4 ms
    # of every command, more than a whole cached `portatlas PORT` answer takes to print.
    __import__(module)
    run = sys.modules[module].run
    code: int = run(rest)
    return code
