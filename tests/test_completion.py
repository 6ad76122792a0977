"""`portatlas completion`: the scripts complete in real shells, from the real parsers and the real registry."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portatlas.cli.main import COMMANDS

BIN = Path(sys.executable).parent
PROGRAM = shutil.which("portatlas", path=str(BIN))


def program() -> str:
    if PROGRAM is None:
        pytest.skip(f"no portatlas script beside {sys.executable} (pip install -e . makes one)")
    return PROGRAM


def script(cli, shell: str, tmp_path: Path) -> Path:
    r = cli("completion", shell)
    assert r.returncode == 0, r.stderr
    path = tmp_path / f"portatlas.{shell}"
    path.write_text(r.stdout)
    return path


def command_module(command: str):
    entry = COMMANDS[command]
    module = entry if isinstance(entry, str) else entry[0]
    __import__(module)
    return sys.modules[module]


def options_of(command: str) -> set[str]:
    """The option strings a command really takes (what completion must offer), suppressed ones left out."""
    mod = command_module(command)
    spec = getattr(mod, "SPEC", None)
    if spec is not None:  # declared as data (portatlas.cli.args)
        from portatlas.cli.args import all_opts

        return {f for o in all_opts(spec) if not o.hidden for f in o.flags}
    p = mod.build()
    return {f for a in p._actions if a.help != argparse.SUPPRESS for f in a.option_strings}


def names_with(prefix: str) -> list[str]:
    from portatlas.atlas import Registry

    return sorted(n for n in Registry.default().index.names() if n.startswith(prefix))


# -- bash ------------------------------------------------------------------------------------------

def bash_complete(path: Path, *lines: str) -> list[list[str]]:
    """For each command line (the last word is being completed), what _portatlas offers, in a real bash."""
    body = [f"source {path}"]
    for line in lines:
        words = " ".join(f"'{w}'" for w in [program(), *line.split(" ")[1:]])
        body += [f"COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _portatlas",
                 'printf "%s\\n" "${COMPREPLY[@]}"; echo "<end>"']
    r = subprocess.run(["bash", "-c", "\n".join(body)], capture_output=True, text=True, check=False, timeout=60)
    assert r.returncode == 0, r.stderr
    chunks = r.stdout.split("<end>\n")[:-1]
    return [[w for w in c.split("\n") if w] for c in chunks]


def test_bash_completes_commands_options_and_names(cli, tmp_path):
    path = script(cli, "bash", tmp_path)
    ser, firewall_opt, name, value, positional, implicit, after_value = bash_complete(
        path, "portatlas ser", "portatlas firewall 8080 --d", "portatlas lookup postgres",
        "portatlas firewall 8080 --format nf", "portatlas completion f", "portatlas 5432 --lo",
        "portatlas advise 80 --service ssh")
    assert ser == ["serve", *names_with("ser")]  # the command, then `portatlas SERVICE`'s names
    assert "service-ctrl" in ser
    assert firewall_opt == ["--deny"]
    assert name == ["postgresql"]
    assert value == ["nftables"]
    assert positional == ["fish"]
    assert implicit == ["--local"]  # a port first: lookup's options
    assert after_value == names_with("ssh")


def test_bash_offers_every_option_of_every_real_parser(cli, tmp_path):
    path = script(cli, "bash", tmp_path)
    got = bash_complete(path, *(f"portatlas {c} -" for c in COMMANDS))
    for command, offered in zip(COMMANDS, got, strict=True):
        assert set(offered) == options_of(command), command
    (top,) = bash_complete(path, "portatlas ")
    assert top == list(COMMANDS)  # no names for an empty word: thousands would help nobody


def test_bash_counts_positionals_past_option_values(cli, tmp_path):
    path = script(cli, "bash", tmp_path)
    first, after_option, second = bash_complete(
        path, "portatlas export j", "portatlas export --ranges first s", "portatlas export services s")
    assert first == ["json"]
    assert after_option == ["services", "site"]  # --ranges took "first": this is still the format
    assert second == []  # export has one positional


def test_commands_declared_as_data_complete_from_their_spec(cli, tmp_path):
    declared = [c for c in COMMANDS if getattr(command_module(c), "SPEC", None) is not None]
    if not declared:
        pytest.skip("no command declares a SPEC (portatlas.cli.args) here: all are argparse build() parsers")
    path = script(cli, "bash", tmp_path)
    got = bash_complete(path, *(f"portatlas {c} -" for c in declared), *(f"portatlas {c} postgres" for c in declared))
    for command, offered in zip(declared, got[:len(declared)], strict=True):
        assert set(offered) == options_of(command), command
    for command, offered in zip(declared, got[len(declared):], strict=True):
        first = command_module(command).SPEC.completes
        assert offered == (["postgresql"] if first in ("ports", "names") else []), command


def test_a_new_option_completes_without_touching_the_scripts(monkeypatch):
    # The scripts are made from the SPEC each command declares now: add an option, and it is offered.
    from portatlas.cli import completion, firewall
    from portatlas.cli.args import Opt
    from portatlas.value import replace

    spec = replace(firewall.SPEC, opts=(*firewall.SPEC.opts, Opt(("--zone",), "zone", "ZONE", "a zone",
                                                                   ("public", "home"))))
    monkeypatch.setattr(firewall, "SPEC", spec)
    text = completion.bash(completion.commands())
    assert '"firewall --zone") echo \'words:public home\' ;;' in text
    assert " --zone" in text.split("        firewall) opts=")[1].split("\n")[0]


# -- zsh and fish ----------------------------------------------------------------------------------

def need_shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian's {name} package; .ci/run installs it)")
    return path


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse(cli, tmp_path, shell):
    exe = need_shell(shell)
    path = script(cli, shell, tmp_path)
    r = subprocess.run([exe, "-n", str(path)], capture_output=True, text=True, check=False, timeout=60)
    assert r.returncode == 0, r.stderr


def test_fish_completes_commands_options_and_names(cli, tmp_path):
    fish = need_shell("fish")
    path = script(cli, "fish", tmp_path)

    def complete(line: str) -> list[str]:
        line = line.replace("portatlas", program(), 1)
        r = subprocess.run([fish, "--no-config", "-c", f"source {path}; complete -C '{line}'"],
                           capture_output=True, text=True, check=False, timeout=60)
        assert r.returncode == 0, r.stderr
        return [x.split("\t")[0] for x in r.stdout.splitlines()]

    # fish registers completions for the command name, so the line must start with `portatlas` itself.
    if Path(program()).name != "portatlas":
        pytest.skip("the program is not called portatlas")
    assert "serve" in complete("portatlas ser") and "service-ctrl" in complete("portatlas ser")
    assert complete("portatlas firewall 80 --d") == ["--deny"]
    assert complete("portatlas lookup postgres") == ["postgresql"]
    assert complete("portatlas firewall 80 --format nf") == ["nftables"]


def test_zsh_completes_on_a_real_terminal(cli, tmp_path):
    zsh = need_shell("zsh")
    path = script(cli, "zsh", tmp_path)
    # zpty runs an interactive zsh on a pseudo-terminal; TAB there inserts a unique completion.
    driver = tmp_path / "drive.zsh"
    driver.write_text(f"""
zmodload zsh/zpty || exit 3
setopt extendedglob
zpty z 'zsh -f -i'
zpty -w z 'PS1="> "; path=({BIN} $path); autoload -U compinit; compinit -u -D; source {path}; print READY'
zpty -r z out '*READY*'
typeset -A want
want=('portatlas complet' 'portatlas completion' 'portatlas firewall 80 --de' 'portatlas firewall 80 --deny'
      'portatlas firewall 80 --format nf' 'portatlas firewall 80 --format nftables'
      'portatlas postgresq' 'portatlas postgresql' 'portatlas 5432 --lo' 'portatlas 5432 --local')
for line in 'portatlas complet' 'portatlas firewall 80 --de' 'portatlas firewall 80 --format nf' \\
            'portatlas postgresq' 'portatlas 5432 --lo'; do
  zpty -w -n z "$line"$'\\t'
  all="" screen=""
  for i in {{1..300}}; do  # up to 30 s: a loaded machine is slow to start the names helper
    while zpty -r -t z chunk; do all+=$chunk; done
    screen=${{all//$'\\e'\\[[0-9\\;?]#[A-Za-z]/}}
    screen=${{screen//[[:cntrl:]]/}}
    [[ $screen == *"$want[$line]"* ]] && break
    sleep 0.1
  done
  print -r -- "RESULT $screen"
  zpty -w -n z $'\\C-u'
  sleep 0.2
  while zpty -r -t z chunk; do :; done
done
zpty -d z
""")
    r = subprocess.run([zsh, "-f", str(driver)], capture_output=True, text=True, check=False, timeout=120)
    if r.returncode == 3:
        pytest.skip("zsh has no zpty module here")
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x09\x0b-\x1f]", "", r.stdout)  # escapes, bells, backspaces
    results = screen.split("RESULT ")[1:]
    assert len(results) == 5, r.stdout + r.stderr
    for got, want in zip(results, ["portatlas completion", "portatlas firewall 80 --deny",
                                   "portatlas firewall 80 --format nftables", "portatlas postgresql",
                                   "portatlas 5432 --local"], strict=True):
        assert want in got, (want, got)


# -- the names helper and the command --------------------------------------------------------------

def test_complete_names_is_lean():
    code = ("import sys, io; from portatlas.cli.main import main; out = sys.stdout; sys.stdout = io.StringIO(); "
            "main(['__complete-names', 'PostG']); got = sys.stdout.getvalue(); sys.stdout = out; "
            "print(got.split()); print(sorted(m for m in sys.modules if m in ('argparse', 'json', 'pathlib', "
            "'portatlas.model', 'portatlas.atlas', 'portatlas.query.search', 'rapidfuzz')))")
    subprocess.run([sys.executable, "-m", "portatlas", "__complete-names", "x"], capture_output=True, check=False)
    # (that run compiled and cached the index if no test had yet: a TAB reads the cached one)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found, loaded = r.stdout.splitlines()
    assert found == "['postgresql']"
    assert loaded == "[]"  # no parser, no values, no search index: only the index's name table
    # How fast a TAB answers is measured beside bare Python by bench/bench_cli.py, not asserted here.


def test_complete_names_answers(cli):
    r = cli("__complete-names", "postgres")
    assert (r.returncode, r.stdout) == (0, "postgresql\n")
    assert cli("__complete-names", "zzzznothing").returncode == 1
    assert cli("__complete-names", "").stdout == ""
    assert "__complete-names" not in cli("--help").stdout  # hidden


def test_completion_json_and_bad_shell(cli):
    data = json.loads(cli("completion", "bash", "--json").stdout)
    assert [c["name"] for c in data] == list(COMMANDS)
    firewall = next(c for c in data if c["name"] == "firewall")
    fmt = next(o for o in firewall["options"] if "--format" in o["flags"])
    assert fmt["values"] == ["ufw", "firewalld", "nftables", "iptables", "pf", "windows"] and fmt["repeats"]
    r = cli("completion", "powershell")
    assert r.returncode == 2 and "unknown shell 'powershell': give bash, zsh or fish" in r.stderr
