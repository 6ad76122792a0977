"""`portatlas completion bash|zsh|fish`: a shell completion script made from the command line's own parsers.

The commands come from ``cli.main.COMMANDS`` and each command's options from
its module's ``build()`` parser, so a new command or option completes without
touching this file. What a value completes is read off the parser too: an
option's ``choices``; "service" where ``common.completes`` marked it (service
names, from the hidden, fast `portatlas __complete-names PREFIX`); paths where
the metavar says FILE or DIR. The scripts call the same program the user is
completing (the first word of the line), so a portatlas outside PATH works.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from portatlas.cli.args import Arg as SpecArg
from portatlas.cli.args import Args, run_with
from portatlas.cli.args import Command as Cmd
from portatlas.cli.common import write
from portatlas.cli.output import emit_json
from portatlas.errors import BadInput
from portatlas.query.grammar import shown
from portatlas.value import value

SHELLS = ("bash", "zsh", "fish")
_WORD = re.compile(r"[A-Za-z0-9_.:/+@%=-]+")  # what goes into a script unquoted: checked, never assumed


@value
class Arg:
    """An option (``flags`` set) or a positional argument of one command, as completion sees it.

    ``values`` are its choices; ``completes`` is "service", "file", "directory"
    or None; ``takes_value`` is False for a flag such as --json; ``repeats``
    for an option given many times or a positional taking many words;
    ``optional`` for a positional that may be left out.
    """

    name: str
    help: str
    flags: tuple[str, ...] = ()
    takes_value: bool = True
    values: tuple[str, ...] = ()
    completes: str | None = None
    repeats: bool = False
    optional: bool = False


@value
class Command:
    """One command: its name, its line of help, its options and positionals in order."""

    name: str
    help: str
    options: tuple[Arg, ...]
    positionals: tuple[Arg, ...]


# The top level's own flags (cli.main reads them before any command).
TOP_FLAGS = (Arg("help", "show the commands and exit codes", ("-h", "--help"), takes_value=False),
             Arg("version", "show the version", ("-V", "--version"), takes_value=False))


def commands() -> tuple[Command, ...]:
    """Every command of ``COMMANDS``, read from the ``SPEC`` its module declares."""
    from portatlas.cli.main import COMMANDS

    out = []
    for entry in COMMANDS.values():
        # COMMANDS maps a name to its module, or to (module, one line of help).
        module = entry if isinstance(entry, str) else entry[0]
        __import__(module)
        mod = sys.modules[module]
        spec = getattr(mod, "SPEC", None)
        if spec is None:
            raise RuntimeError(f"{module} declares no SPEC: its options cannot be completed")
        out.append(from_spec(spec, tuple(COMMANDS)))
    return tuple(out)


def from_spec(spec: Any, names: tuple[str, ...] = ()) -> Command:
    """The completion view of a command declared as data (``portatlas.cli.args.Command``, a module's SPEC).

    Its options are its own and the common ones (``args.all_opts``); ``spec.completes`` says what its
    first argument completes: ports or names (service names), or commands (``names``).
    """
    __import__("portatlas.cli.args")
    all_opts = sys.modules["portatlas.cli.args"].all_opts
    options = tuple(Arg(o.dest, _first_sentence(o.help), tuple(_check(f) for f in o.flags), o.metavar is not None,
                        tuple(_check(str(c)) for c in o.choices),
                        "service" if o.completes == "names" else _hint(o.metavar, o.dest), bool(o.repeat))
                    for o in all_opts(spec) if not o.hidden)
    first = getattr(spec, "completes", "")
    positionals = []
    for i, a in enumerate(spec.args):
        values = names if i == 0 and first == "commands" else tuple(_check(c) for c in a.choices)
        what = "service" if i == 0 and first in ("ports", "names") else _hint(None, a.name)
        positionals.append(Arg(a.name, _first_sentence(a.help), (), True, values, what, bool(a.many),
                               bool(a.optional)))
    return Command(spec.name, spec.summary, options, tuple(positionals))


def _hint(metavar: str | None, dest: str) -> str | None:
    """Paths for a value whose name says FILE or DIR (or the output option), else None."""
    hint = f"{metavar or ''} {dest}".upper()
    if "FILE" in hint or dest == "output":
        return "file"
    if "DIR" in hint:
        return "directory"
    return None


def _first_sentence(text: str) -> str:
    text = " ".join(text.replace("%%", "%").split())
    cut = re.split(r"(?<=[.;:])\s|\s\(", text, maxsplit=1)[0].rstrip(".;:")
    return cut if len(cut) <= 70 else cut[:67].rstrip() + "..."


def _check(word: str) -> str:
    if not _WORD.fullmatch(word):
        raise RuntimeError(f"{word!r} cannot be completed safely: a choice or flag must be a plain word")
    return word


def bash(cmds: tuple[Command, ...]) -> str:
    """The bash script: defines _portatlas and registers it with ``complete -F``."""
    names = " ".join(_check(c.name) for c in cmds)
    top = " ".join(f for a in TOP_FLAGS for f in a.flags)
    per_command, value_cases, positional_cases = [], [], []
    for c in cmds:
        opts = " ".join(f for a in c.options for f in a.flags)
        valued = " ".join(f for a in c.options if a.takes_value for f in a.flags)
        per_command.append(f'        {c.name}) opts="{opts}"; valued="{valued}" ;;')
        for a in c.options:
            if a.takes_value and _kind(a):
                pattern = "|".join(f'"{c.name} {f}"' for f in a.flags)
                value_cases.append(f"        {pattern}) echo '{_kind(a)}' ;;")
        for i, a in enumerate(c.positionals):
            pattern = f'"{c.name} "*' if a.repeats else f'"{c.name} {i}"'
            positional_cases.append(f"        {pattern}) echo '{_kind(a)}' ;;")
    return _BASH.format(names=names, top=top, per_command="\n".join(per_command),
                        value_cases="\n".join(value_cases) or "        *) ;;",
                        positional_cases="\n".join(positional_cases) or "        *) ;;")


def _kind(a: Arg) -> str:
    """What a value completes, as the bash script's _portatlas_complete takes it."""
    if a.values:
        return "words:" + " ".join(a.values)
    return a.completes or ""


_BASH = r"""# bash completion for portatlas, made by `portatlas completion bash` from its own argument parsers.
# Load it with:  source <(portatlas completion bash)
# or keep it:    portatlas completion bash > ~/.local/share/bash-completion/completions/portatlas

_portatlas_names() {{
    local IFS=$'\n'
    COMPREPLY+=($("${{COMP_WORDS[0]}}" __complete-names "$1" 2>/dev/null))
}}

_portatlas_complete() {{  # $1: what to complete (words:LIST, service, file, directory, or nothing); $2: the word
    local IFS=$'\n'
    case "$1" in
        words:*) IFS=$' \t\n'; COMPREPLY+=($(compgen -W "${{1#words:}}" -- "$2")) ;;
        service) [[ -n $2 ]] && _portatlas_names "$2" ;;
        file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$2")) ;;
        directory) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$2")) ;;
    esac
}}

_portatlas_value() {{  # what the value of option $2 of command $1 completes
    case "$1 $2" in
{value_cases}
    esac
}}

_portatlas_positional() {{  # what positional argument $2 (from 0) of command $1 completes
    case "$1 $2" in
{positional_cases}
    esac
}}

_portatlas() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" cmd="" w i n=0 start=1
    local commands="{names}"
    COMPREPLY=()
    ((COMP_CWORD > 1)) && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        [[ $w == -* ]] && continue
        cmd="$w"; start=$((i + 1)); break
    done
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _portatlas_complete "words:{top}" "$cur"
        else
            _portatlas_complete "words:$commands" "$cur"
            _portatlas_complete service "$cur"  # `portatlas SERVICE` answers a name
        fi
        return 0
    fi
    case " $commands " in
        *" $cmd "*) ;;
        *) cmd=lookup; start=$i ;;  # `portatlas PORT|SERVICE ...` is lookup
    esac
    local opts="" valued=""
    case "$cmd" in
{per_command}
    esac
    if [[ -n $prev && " $valued " == *" $prev "* ]]; then
        _portatlas_complete "$(_portatlas_value "$cmd" "$prev")" "$cur"
        return 0
    fi
    if [[ $cur == -* ]]; then
        _portatlas_complete "words:$opts" "$cur"
        return 0
    fi
    for ((i = start; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if [[ $w == -* ]]; then
            [[ " $valued " == *" $w "* ]] && ((i++))
            continue
        fi
        ((n++))
    done
    _portatlas_complete "$(_portatlas_positional "$cmd" "$n")" "$cur"
    return 0
}}

complete -F _portatlas portatlas
"""


SPEC = Cmd(
    "completion", "print a shell completion script for bash, zsh or fish",
    args=(SpecArg("shell", "the shell to complete in: bash, zsh or fish", choices=SHELLS),),
    description="Print a shell completion script for bash, zsh or fish: commands, each command's options and "
                "their values, and service names from the registry. bash: source <(portatlas completion bash); "
                "zsh: source <(portatlas completion zsh) after compinit; fish: portatlas completion fish | source.",
)


def run(argv: list[str]) -> int:
    """Print the script (with --json, the commands and options it completes); exit 0, 2 for an unknown shell."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    shell = str(args.shell).lower()
    if shell not in SHELLS:
        raise BadInput(f"unknown shell {shown(str(args.shell))}: give {', '.join(SHELLS[:-1])} or {SHELLS[-1]}")
    cmds = commands()
    if args.json:  # what the script completes, for other tools
        emit_json(list(cmds))
        return 0
    from portatlas.cli import completion_shells

    make = {"bash": bash, "zsh": completion_shells.zsh, "fish": completion_shells.fish}[shell]
    write(make(cmds))
    return 0
