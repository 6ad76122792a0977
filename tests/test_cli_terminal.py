"""Every command on a real terminal: lines fit its width, words stay whole, styling shows and goes when asked.

Each command runs with stdout on a pseudo-terminal whose window is 80 and then
60 columns wide (COLUMNS unset, so the width comes from the terminal), and
once piped. Wrapping may only break lines at spaces: the words of the
terminal's text are the piped text's words, in order. Bold and colour appear
on the terminal and vanish with NO_COLOR, --no-color, and when piped.
"""

from __future__ import annotations

import os
import socket

import pytest

from .conftest import run_cli
from .sockets import bound
from .terminal import ESCAPE, on_pty, strip_styles, too_wide

COMMANDS = [
    ["search", "vnc"],
    ["search", "postgres", "--limit", "3"],
    ["gaps", "--min", "50", "--limit", "5"],
    ["stats"],
    ["stats", "--over-time"],
    ["history", "300"],
    ["history", "netconf-beep"],
    ["diff", "2025-08-26", "--limit", "5"],
    ["edition", "--list"],
    ["ephemeral"],
    ["advise", "8080"],
    ["advise", "307", "--purpose", "standard", "--all-os"],
    ["suggest", "--count", "3", "--seed", "7"],
    ["check-name", "-bad--name-"],
    ["check-name", "http"],
    ["request", "--name", "myapp", "--transport", "tcp", "--any", "--description", "a test service",
     "--contact", "me@example.org"],
    ["search", "--help"],
    ["--help"],
]


@pytest.fixture(scope="module")
def piped() -> dict[tuple[str, ...], str]:
    return {tuple(c): run_cli(*c).stdout for c in COMMANDS}


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_line_fits_and_no_word_is_split(args, columns, piped):
    code, shown, err = on_pty(*args, columns=columns)
    assert code in (0, 1), err
    assert not too_wide(shown, columns), too_wide(shown, columns)[:3]
    text = strip_styles(shown)
    assert text.split() == piped[tuple(args)].split()  # only line breaks and indents were added
    assert ESCAPE + "1m" in shown, "no bold heading on the terminal"
    if len(text.splitlines()) > len(piped[tuple(args)].splitlines()):
        assert any(ln.startswith("  ") for ln in text.splitlines())  # continuation lines are indented


def test_piped_output_keeps_one_record_per_line(piped):
    # Piped, nothing wraps: a search result or a stats row is one line, however long.
    lines = piped[("search", "vnc")].splitlines()
    assert any(len(ln) > 100 for ln in lines) and all(ln.endswith("]") for ln in lines)  # each ends with why
    assert len(piped[("stats",)].splitlines()) == 1 + 12 + 3


@pytest.mark.parametrize("columns", [80, 60])
def test_machine_commands_fit_too(columns):
    """who and listening read live sockets (other processes' come and go): held on this test's own socket."""
    with bound(socket.SOCK_STREAM) as (_, port):
        code, who, _ = on_pty("who", str(port), columns=columns)
        piped_who = run_cli("who", str(port)).stdout
        _, listening, _ = on_pty("listening", columns=columns)
        piped_listening = run_cli("listening").stdout
    assert code == 0 and not too_wide(who, columns) and not too_wide(listening, columns)
    assert strip_styles(who).split() == piped_who.split()
    mine = next(ln for ln in piped_listening.splitlines() if f"127.0.0.1:{port} " in ln)
    assert " ".join(mine.split()) in " ".join(strip_styles(listening).split())
    assert f"(PID {os.getpid()}, " in piped_who


def test_states_and_verdicts_are_coloured_on_a_terminal():
    _, advice, _ = on_pty("advise", "8080")
    assert ESCAPE + "33mcaution" in advice and ESCAPE + "32mgood" in advice  # verdict words in their colours
    _, stats, _ = on_pty("stats")
    assert ESCAPE + "32m" in stats and ESCAPE + "33m" in stats  # assigned green, reserved yellow
    _, history, _ = on_pty("history", "300")
    assert ESCAPE + "32massigned" in history


@pytest.mark.parametrize("args", [["advise", "8080"], ["stats"], ["history", "300"], ["search", "vnc"],
                                  ["listening"], ["--help"]], ids=" ".join)
def test_styling_goes_with_no_color_and_when_piped(args):
    _, styled, _ = on_pty(*args)
    assert ESCAPE in styled
    _, no_color_env, _ = on_pty(*args, env={"NO_COLOR": "1"})
    _, no_color_flag, _ = on_pty(*args, "--no-color")
    assert ESCAPE not in no_color_env and ESCAPE not in no_color_flag
    if args != ["listening"]:  # live sockets come and go between runs
        assert strip_styles(styled).split() == no_color_env.split()
    assert ESCAPE not in run_cli(*args).stdout


def test_the_update_progress_bar_fits_a_narrow_terminal(tmp_path):
    """The bar is drawn on stderr when it is a terminal: as wide as fits, never wrapping the redraw."""
    import fcntl
    import struct
    import subprocess
    import sys
    import termios

    from .conftest import ROOT

    bundled = next((ROOT / "src" / "portatlas" / "data").glob("service-names-port-numbers.*.xml.xz"))
    for columns, bar in ((60, 1), (120, 30)):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        env = {**os.environ, "PORTATLAS_DATA_DIR": str(tmp_path / str(columns))}
        p = subprocess.run([sys.executable, "-m", "portatlas", "update", "--source", str(bundled)],
                           stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120, check=False)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        assert p.returncode == 0
        drawn = [d for d in seen.decode().replace("\x1b[K", "").split("\r") if "downloading" in d]
        assert drawn and all(len(d) < columns for d in drawn), drawn
        assert f"[{'#' * bar}" in drawn[-1] if columns > 60 else "[#" in drawn[-1]


def test_on_a_narrow_terminal_a_command_and_what_it_does_never_share_a_column():
    # "How to check": each command at its own indent (its continuation 2 further in), and what it
    # does further in still, so the text is never read as part of the command.
    code, shown, err = on_pty("5432", columns=60)
    assert code == 0, err
    text = strip_styles(shown).replace("\r\n", "\n").split("\n")
    start = text.index("How to check (Linux)")
    block = []
    for line in text[start + 1:]:
        if not line.startswith("  ") or line.startswith("  (--all-os"):
            break
        block.append(line)
    commands = [ln for ln in block if not ln.startswith("   ")]
    assert [c.split()[0] for c in commands] == ["ss", "sudo", "sysctl"], block
    described = [ln for ln in block if ln.startswith(" " * 8)]
    assert described and all(not ln.startswith(" " * 9) for ln in described), block
    continued = [ln for ln in block if ln.startswith("    ") and not ln.startswith(" " * 5)]
    assert continued == ["    net.ipv4.ip_local_reserved_ports"], block
