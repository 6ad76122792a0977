"""Entry point and the one error boundary of the command line.

Exit codes (as grep's): 0 answered, 1 nothing found, 2 bad input, 3 an
unexpected fault, 4 a registry file that cannot be read, 5 an update that
failed (download, store or lock), 6 refused (free: PID 1, an ancestor, not
yours, the answer no), 7 still held (free, after SIGKILL), 130 interrupted.
Commands are imported only when used, so `portatlas 5432` loads little.
"""

from __future__ import annotations

import sys

from portatlas.errors import BadInput, NotFound, PortatlasError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (the CLI's start-up counts)
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

# Every command and the module that runs it (its SPEC declares its arguments and one line of help).
COMMANDS: dict[str, str] = {
    "lookup": "portatlas.cli.lookup",
    "search": "portatlas.cli.search",
    "gaps": "portatlas.cli.gaps",
    "stats": "portatlas.cli.stats",
    "history": "portatlas.cli.history",
    "diff": "portatlas.cli.diff",
    "update": "portatlas.cli.update",
    "edition": "portatlas.cli.edition",
    "export": "portatlas.cli.export",
    "who": "portatlas.cli.who",
    "listening": "portatlas.cli.listening",
    "free": "portatlas.cli.free",
    "firewall": "portatlas.cli.firewall",
    "ephemeral": "portatlas.cli.ephemeral",
    "advise": "portatlas.cli.advise",
    "suggest": "portatlas.cli.suggest",
    "check-name": "portatlas.cli.check_name",
    "request": "portatlas.cli.request",
    "serve": "portatlas.cli.serve",
    "mcp": "portatlas.cli.mcp",
    "completion": "portatlas.cli.completion",
}
# Not listed: what the completion scripts call on each TAB (service names with a prefix, read fast).
HIDDEN = {"__complete-names": "portatlas.cli.complete_names"}

USAGE = """usage: portatlas PORT | PORT/tcp | LOW-HIGH | 22,80,443 | NAME [--json]
       portatlas COMMAND [options]   (portatlas COMMAND --help for its options)

Answers from the IANA Service Name and Transport Protocol Port Number Registry,
with what commonly runs on each port, this machine, and advice.

commands:
{commands}

exit codes: 0 answered, 1 nothing found, 2 bad input, 3 unexpected fault,
            4 unreadable registry file, 5 update failed (download or store),
            6 refused (free), 7 still held (free), 130 interrupted
"""


def module(name: str) -> ModuleType:
    """A command's module, imported on first use."""
    path = COMMANDS.get(name) or HIDDEN[name]
    # __import__ rather than importlib.import_module: importing importlib (and warnings) costs ~0.4 ms.
    __import__(path)
    return sys.modules[path]


def usage() -> str:
    """The top-level help text, listing every command."""
    width = max(len(n) for n in COMMANDS)
    lines = "\n".join(f"  {n.ljust(width)}  {_summary(n)}" for n in COMMANDS)
    return USAGE.format(commands=lines)


def _summary(name: str) -> str:
    mod = module(name)
    spec = getattr(mod, "SPEC", None)
    return spec.summary if spec is not None else (mod.__doc__ or "").split(":", 1)[-1].strip().split("\n")[0]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    if sys.stdout is None:  # started with standard output closed (`portatlas 80 >&-`)
        sys.stdout = _Closed()
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # here, not at exit: a full disk is then this command's error, not Python's
        return code
    except PortatlasError as e:
        _say(f"portatlas: {e}{_next_step(e)}")
        return e.exit_code
    except KeyboardInterrupt:
        _say("portatlas: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`portatlas stats | head`): not an error worth a trace.
        _quiet_stdout()
        return 0
    except Exception as e:  # noqa: BLE001 - the boundary: one line, never a traceback
        if isinstance(e, OSError) and e.errno in _output_errors():
            # Nothing else lets these through: files portatlas writes itself raise its own errors.
            _say(f"portatlas: cannot write the output: {e.strerror or e}")
            _quiet_stdout()
            return 8
        _say(f"portatlas: unexpected error: {type(e).__name__}: {e} "
             "(please report it with the command you ran)")
        return 3


def _output_errors() -> set[int]:
    """Why standard output can fail once opened: a full disk or quota, a file size limit, a device
    error, a closed descriptor (EPIPE, the reader gone, is BrokenPipeError: not an error here)."""
    import errno

    return {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF}


class _Closed:
    """Standard output when the process started without one: every write fails as a closed fd would."""

    def write(self, text: str) -> int:
        raise OSError(9, "standard output is closed")

    def flush(self) -> None:
        pass


def _next_step(e: PortatlasError) -> str:
    """The command line's wording of the next step an error offers (a search to run), or ''."""
    if isinstance(e, NotFound) and e.search:
        import shlex

        return f"; search for it: portatlas search {shlex.quote(e.search)}"
    return ""


def _quiet_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except (OSError, ValueError):
        pass


def _say(line: str) -> None:
    sys.stderr.write(line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")


def _close_command(word: str) -> str | None:
    """A command the first word is a near miss of ('serach' → 'search'), or None."""
    import difflib  # only for words that are no command and no number

    w = word.lower()
    if len(w) < 3:
        return None
    near = difflib.get_close_matches(w, list(COMMANDS), n=1, cutoff=0.75)
    if near:
        return near[0]
    prefixed = [c for c in COMMANDS if c.startswith(w) and len(w) >= 4]
    return prefixed[0] if len(prefixed) == 1 else None


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
        from portatlas.cli.args import help_lines
        from portatlas.cli.output import Out

        out = Out(no_color="--no-color" in args)
        help_lines(out, usage())
        out.write()
        return 0
    if first in ("-V", "--version"):
        from portatlas import __version__

        sys.stdout.write(f"portatlas {__version__}\n")
        return 0
    if first in COMMANDS or first in HIDDEN:
        name, rest = first, args[1:]
    else:
        name, rest = "lookup", args
        if first[:1].isalpha() and " " not in first:
            near = _close_command(first)
            if near is not None and not _is_name(first):
                raise BadInput(f"unknown command {first!r}; did you mean {near!r}? "
                               "(portatlas --help lists every command)")
    run: Callable[[list[str]], int] = module(name).run  # every command module's entry point
    return run(rest)


def _is_name(word: str) -> bool:
    """Whether the registry or the common-use dataset knows ``word`` (then it is a lookup, not a typo)."""
    from portatlas.atlas import Registry

    reg = Registry.default()
    return reg.has_name(word) or bool(reg.knowledge.dataset().software(word))
