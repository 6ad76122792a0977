"""Each command's arguments and options, declared once as data, and the one parser that reads them.

A command module declares ``SPEC = Command(...)``; ``parse`` turns argv
into ``Args`` or a ``BadInput`` naming what was wrong and what is valid; the
help text and the shell completions are made from the same declarations.
argparse would do the parsing, but importing it (with ``re`` and
``gettext``) costs more than answering ``portatlas PORT`` may take.
"""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from portatlas.cli.output import Out


@value
class Opt:
    """An option: its flags, where its value goes, the value's name (None for a flag), help, choices."""

    flags: tuple[str, ...]
    dest: str
    metavar: str | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    default: object = None
    repeat: bool = False
    needs: str = ""  # the dest of an option this one works with only ('over_time'); alone it is an error
    hidden: bool = False  # left out of --help and of the options an error lists (for tests)
    completes: str = ""  # what its value completes to in a shell: 'names' (service names) or ''


@value
class Arg:
    """A positional argument; ``optional`` ones may be left out, a ``many`` one takes the rest.

    ``choices`` are the words it takes, offered by shell completion (the command checks them and says
    what is valid).
    """

    name: str
    help: str = ""
    optional: bool = False
    many: bool = False
    choices: tuple[str, ...] = ()


@value
class Command:
    """A command's name, one line of help, a longer description, its arguments and its options."""

    name: str
    summary: str
    args: tuple[Arg, ...] = ()
    opts: tuple[Opt, ...] = ()
    description: str = ""
    completes: str = ""  # what its first argument completes to: 'ports', 'names', 'commands' or ''


# Every command takes these.
COMMON: tuple[Opt, ...] = (
    Opt(("--json",), "json", help="print the answer as JSON (the same document the API serves)"),
    Opt(("--no-color",), "no_color", help="no bold or colour, even on a terminal (so does NO_COLOR)"),
    Opt(("-h", "--help"), "help", help="show this help and exit"),
)


class Args(dict[str, object]):
    """Parsed arguments; read as ``args.name`` or ``args["name"]``; ``given`` holds the options typed."""

    given: frozenset[str] = frozenset()

    def option(self, name: str) -> str | None:
        """An option's value as typed (lower-cased for a choice), or None when it was not given."""
        v = self.get(name)
        return None if v is None or v == "" else str(v)

    def __getattr__(self, name: str) -> object:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def shown(text: str) -> str:
    """The argument as quoted back in an error (``query.grammar.shown``, imported only on that path:
    `portatlas listening` reads no port and need not load the grammar)."""
    from portatlas.query.grammar import shown as quoted

    return quoted(text)


def all_opts(cmd: Command) -> tuple[Opt, ...]:
    """The command's own options and the common ones."""
    return cmd.opts + COMMON


def _close(word: str, options: list[str]) -> str:
    import difflib  # only on the error path

    near = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


def parse(cmd: Command, argv: list[str]) -> Args:
    """Read ``argv`` against the command's declarations; ``BadInput`` for anything it does not take."""
    opts = all_opts(cmd)
    by_flag = {f: o for o in opts for f in o.flags}
    out = Args({o.dest: (() if o.repeat else (False if o.metavar is None else o.default)) for o in opts})
    positionals: list[str] = []
    given: set[str] = set()
    i = 0
    rest = False
    while i < len(argv):
        a = argv[i]
        i += 1
        if rest or a == "-" or not a.startswith("-") or _negative_number(a):
            positionals.append(a)
            continue
        if a == "--":
            rest = True
            continue
        flag, eq, inline = a.partition("=") if a.startswith("--") else (a, "", "")
        o = by_flag.get(flag)
        if o is None:
            names = sorted({f for f, x in by_flag.items() if f.startswith("--") and not x.hidden})
            raise BadInput(f"unknown option {shown(flag)} for 'portatlas {cmd.name}'{_close(flag, names)} "
                           f"(its options: {', '.join(names)})")
        given.add(o.dest)
        if o.metavar is None:
            if eq:
                raise BadInput(f"{flag} takes no value (see 'portatlas {cmd.name} --help')")
            out[o.dest] = True
            continue
        if eq:
            val = inline
        elif i < len(argv):
            val = argv[i]
            i += 1
        else:
            raise BadInput(f"{flag} needs a value: {flag} {o.metavar} (see 'portatlas {cmd.name} --help')")
        if o.choices and val.lower() not in o.choices:
            raise BadInput(f"{flag} {shown(val)} is not one of {', '.join(o.choices[:-1])} or {o.choices[-1]}")
        value_ = val.lower() if o.choices else val
        if o.repeat:
            current = out[o.dest]
            assert isinstance(current, tuple)
            out[o.dest] = (*current, value_)
        else:
            out[o.dest] = value_
    out.given = frozenset(given)
    if out.get("help"):
        return out
    for o in opts:
        if o.needs and o.dest in given and o.needs not in given:
            other = next(x for x in opts if x.dest == o.needs)
            raise BadInput(f"{o.flags[0]} works only with {other.flags[0]}: {o.help} "
                           f"(see 'portatlas {cmd.name} --help')")
    _positionals(cmd, positionals, out)
    return out


def _negative_number(a: str) -> bool:
    return len(a) > 1 and a[0] == "-" and a[1:].replace("-", "").isdigit()


def _positionals(cmd: Command, given: list[str], out: Args) -> None:
    need = [a for a in cmd.args if not a.optional]
    if len(given) < len(need):
        missing = need[len(given)]
        raise BadInput(f"'portatlas {cmd.name}' needs {missing.name.upper()}: {missing.help or missing.name} "
                       f"(usage: {usage(cmd)})")
    for j, arg in enumerate(cmd.args):
        if arg.many:  # takes the rest (at least one when it is not optional: checked above)
            out[arg.name] = tuple(given[j:])
            return
        out[arg.name] = given[j] if j < len(given) else None
    if len(given) > len(cmd.args):
        extra = given[len(cmd.args)]
        raise BadInput(f"unexpected argument {shown(extra)} for 'portatlas {cmd.name}' "
                       f"(usage: {usage(cmd)})")


def usage(cmd: Command) -> str:
    """'portatlas advise PORT [--purpose P] ...'."""
    parts = [f"portatlas {cmd.name}"]
    for a in cmd.args:
        name = a.name.upper() + (" ..." if a.many else "")
        parts.append(f"[{name}]" if a.optional else name)
    parts.append("[options]")
    return " ".join(parts)


def help_text(cmd: Command) -> str:
    """The command's --help: usage, description, arguments and every option."""
    lines = [f"usage: {usage(cmd)}", "", cmd.description or cmd.summary]
    if cmd.args:
        lines += ["", "arguments:"]
        lines += [f"  {a.name.upper():<18} {a.help}" for a in cmd.args]
    lines += ["", "options:"]
    for o in all_opts(cmd):
        if o.hidden:
            continue
        flags = ", ".join(o.flags) + (f" {o.metavar}" if o.metavar else "")
        extra = f" (one of {', '.join(o.choices)})" if o.choices else ""
        extra += f" (with {next(x.flags[0] for x in all_opts(cmd) if x.dest == o.needs)})" if o.needs else ""
        extra += f" [default: {o.default}]" if o.default not in (None, False, ()) else ""
        lines.append(f"  {flags:<24} {o.help}{extra}")
    return "\n".join(lines) + "\n"


def integer(args: Args, dest: str, flag: str, low: int, high: int) -> int | None:
    """An option's value as a whole number within [low, high]; ``BadInput`` naming the valid range."""
    raw = args.get(dest)
    if raw is None:
        return None
    s = str(raw).strip()
    if not (s.isascii() and s.lstrip("-").isdigit()):
        raise BadInput(f"{flag} {shown(s)} is not a whole number: give one from {low} to {high}")
    if not low <= int(s) <= high:
        raise BadInput(f"{flag} {shown(s)} is out of range: give a whole number from {low} to {high}")
    return int(s)


def run_with(cmd: Command, argv: list[str], body: Callable[[Args], int]) -> int:
    """Parse, print --help when asked, and run ``body`` with the arguments."""
    args = parse(cmd, argv)
    if args.get("help"):
        from portatlas.cli.output import Out

        out = Out(no_color=bool(args.get("no_color")))
        help_lines(out, help_text(cmd))
        out.write()
        return 0
    return body(args)


def help_lines(out: Out, text: str) -> None:
    """Help text through ``out``: on a terminal, wrapped with each entry's text under its column."""
    hang = 4
    for line in text.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            hang = {"arguments:": 19, "options:": 25, "commands:": 12}.get(line, 4)
            out.line(out.bold(line))
            continue
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if line.startswith("usage: "):
            out.line(out.bold("usage:") + body[6:], hang=7)
        else:
            out.line(body, indent, hang=hang if indent else 4)
