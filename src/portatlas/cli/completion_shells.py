"""The zsh and fish completion scripts, from the same command descriptions as bash (``cli.completion``)."""

from __future__ import annotations

from portatlas.cli.completion import TOP_FLAGS, Arg, Command


def zsh(cmds: tuple[Command, ...]) -> str:
    """The zsh script: an ``_arguments`` spec per command; works autoloaded from $fpath or sourced."""
    described = "\n".join(f"    {_zq(c.name + ':' + c.help)}" for c in cmds)
    cases = "\n".join(f"    {c.name})\n      _arguments -s -S \\\n"
                      + " \\\n".join(f"        {spec}" for spec in _zsh_specs(c)) + " ;;" for c in cmds)
    top = " ".join(f for a in TOP_FLAGS for f in a.flags)
    return _ZSH.format(described=described, cases=cases, top=top)


def _zsh_specs(c: Command) -> list[str]:
    specs: list[str] = []
    for a in c.options:
        exclusive = f"({' '.join(a.flags)})" if len(a.flags) > 1 and not a.repeats else ""
        for f in a.flags:
            star = "*" if a.repeats else ""
            eq = "=" if a.takes_value and f.startswith("--") else ""
            value = f":{_zmsg(a.name)}:{_zaction(a)}" if a.takes_value else ""
            specs.append(_zq(f"{star}{exclusive}{f}{eq}[{_zhelp(a.help)}]{value}"))
    for i, a in enumerate(c.positionals, 1):
        where = "*" if a.repeats else str(i)
        colon = "::" if a.optional and not a.repeats else ":"
        specs.append(_zq(f"{where}{colon}{_zmsg(a.name)}:{_zaction(a)}"))
    return specs


def _zaction(a: Arg) -> str:
    if a.values:
        return "(" + " ".join(a.values) + ")"
    return {"service": "_portatlas_names", "file": "_files", "directory": "_files -/"}.get(a.completes or "", " ")


def _zhelp(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "(").replace("]", ")")


def _zmsg(name: str) -> str:
    return name.replace("_", " ").replace(":", " ")


def _zq(text: str) -> str:
    """A zsh single-quoted word."""
    return "'" + text.replace("'", "'\\''") + "'"


_ZSH = r"""#compdef portatlas
# zsh completion for portatlas, made by `portatlas completion zsh` from its own argument parsers.
# Load it with:  source <(portatlas completion zsh)      (after compinit)
# or keep it:    portatlas completion zsh > "${{fpath[1]}}/_portatlas"

_portatlas_names() {{  # service names from the registry, through the program being completed
  [[ -n $PREFIX ]] || return 1
  local -a found
  found=(${{(f)"$($_portatlas_prog __complete-names "$PREFIX" 2>/dev/null)"}})
  (( $#found )) && compadd -a found
}}

_portatlas() {{
  typeset -g _portatlas_prog=${{words[1]}}
  local -a commands
  commands=(
{described}
  )
  if (( CURRENT == 2 )); then
    if [[ $PREFIX == -* ]]; then
      compadd -- {top}
    else
      _describe -t commands 'portatlas command' commands
      _portatlas_names
    fi
    return
  fi
  local cmd=${{words[2]}}
  if (( ${{commands[(I)$cmd:*]}} )); then
    shift words
    (( CURRENT-- ))
  else
    cmd=lookup  # `portatlas PORT|SERVICE ...` is lookup
  fi
  case $cmd in
{cases}
  esac
}}

if [[ $funcstack[1] == _portatlas ]]; then
  _portatlas "$@"  # autoloaded from $fpath: complete now
else
  compdef _portatlas portatlas  # sourced: register
fi
"""


def fish(cmds: tuple[Command, ...]) -> str:
    """The fish script: one ``complete`` line per command, option and value."""
    names = " ".join(c.name for c in cmds)
    lines = ["complete -c portatlas -f"]
    lines += [f"complete -c portatlas -n 'not __portatlas_command' -a {c.name} -d {_fq(c.help)}" for c in cmds]
    lines.append("complete -c portatlas -n 'not __portatlas_command' -a '(__portatlas_names)'")
    lines += [_fish_option("not __portatlas_command", a) for a in TOP_FLAGS]
    for c in cmds:
        when = f"__portatlas_using {c.name}"
        lines += [_fish_option(when, a) for a in c.options]
        for a in c.positionals:
            if a.values:
                lines.append(f"complete -c portatlas -n {_fq(when)} -a {_fq(' '.join(a.values))} -d {_fq(a.help)}")
            elif a.completes == "service":
                lines.append(f"complete -c portatlas -n {_fq(when)} -a '(__portatlas_names)'")
            elif a.completes in ("file", "directory"):
                lines.append(f"complete -c portatlas -n {_fq(when)} -F")
    return _FISH.format(names=names, lines="\n".join(lines))


def _fish_option(when: str, a: Arg) -> str:
    parts = [f"complete -c portatlas -n {_fq(when)}"]
    for f in a.flags:
        parts.append(f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}")
    if a.takes_value:
        if a.values:
            parts.append(f"-x -a {_fq(' '.join(a.values))}")
        elif a.completes == "service":
            parts.append("-x -a '(__portatlas_names)'")
        elif a.completes in ("file", "directory"):
            parts.append("-r -F")
        else:
            parts.append("-x")
    parts.append(f"-d {_fq(a.help)}")
    return " ".join(parts)


def _fq(text: str) -> str:
    """A fish single-quoted word."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_FISH = r"""# fish completion for portatlas, made by `portatlas completion fish` from its own argument parsers.
# Load it with:  portatlas completion fish | source
# or keep it:    portatlas completion fish > ~/.config/fish/completions/portatlas.fish

function __portatlas_names --description 'service names from the registry, through the program being completed'
    set -l prefix (commandline -ct)
    test -n "$prefix"; or return
    set -l prog (commandline -opc)[1]
    $prog __complete-names $prefix 2>/dev/null
end

function __portatlas_command --description 'the command being completed: lookup for a port or a name'
    for w in (commandline -opc)[2..-1]
        if not string match -q -- '-*' $w
            if contains -- $w {names}
                echo $w
            else
                echo lookup
            end
            return 0
        end
    end
    return 1
end

function __portatlas_using
    set -l c (__portatlas_command); and test "$c" = $argv[1]
end

{lines}
"""
