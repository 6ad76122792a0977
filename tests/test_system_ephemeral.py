"""This machine's ephemeral range: the kernel's own files, the pure parsers, the registry overlap."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from portatlas.model import State, Transport
from portatlas.system.annotate import ephemeral_report
from portatlas.system.ephemeral import (
    DEFAULTS,
    PROC_RANGE,
    PROC_RESERVED,
    EphemeralRange,
    ephemeral_range,
    parse_excluded,
    parse_netsh,
    parse_pair,
    parse_reserved,
)

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux /proc")

NETSH = """
Protocol tcp Dynamic Port Range
---------------------------------
Start Port      : 49152
Number of Ports : 16384

"""


def _proc() -> tuple[int, int, tuple[tuple[int, int], ...]]:
    lo, hi = (int(x) for x in Path(PROC_RANGE).read_text().split())
    reserved = []
    for part in Path(PROC_RESERVED).read_text().strip().split(","):
        if part:
            a, _, b = part.partition("-")
            reserved.append((int(a), int(b or a)))
    return lo, hi, tuple(reserved)


@linux
def test_agrees_with_proc():
    lo, hi, reserved = _proc()
    e = ephemeral_range()
    assert (e.low, e.high, e.reserved) == (lo, hi, reserved)
    assert not e.is_default and e.source == str(PROC_RANGE) and e.size == hi - lo + 1
    assert lo in e and hi in e and lo - 1 not in e and hi + 1 not in e


@linux
def test_cli_agrees_with_proc(cli):
    lo, hi, reserved = _proc()
    r = cli("ephemeral", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (data["range"]["low"], data["range"]["high"]) == (lo, hi)
    assert [tuple(x) for x in data["range"]["reserved"]] == list(reserved)
    assert data["range"]["is_default"] is False
    text = cli("ephemeral").stdout
    assert text.splitlines()[0] == f"Ephemeral ports here: {lo}-{hi} ({hi - lo + 1:,} ports)"
    assert f"read from {PROC_RANGE}" in text


def test_parsers_read_what_the_kernels_print():
    assert parse_pair("32768\t60999\n") == (32768, 60999)
    assert parse_pair("49152\n65535\n") == (49152, 65535)  # sysctl -n first last
    assert parse_netsh(NETSH) == (49152, 65535)
    assert parse_netsh(NETSH.replace("49152", "1025").replace("16384", "3976")) == (1025, 5000)
    assert parse_reserved("8080,9000-9010\n") == ((8080, 8080), (9000, 9010))
    assert parse_reserved("\n") == ()


@pytest.mark.parametrize("text", ["", "1", "1 2 3", "60999 32768", "0 70000", "a b"])
def test_parse_pair_refuses_what_is_not_a_range(text):
    with pytest.raises(ValueError):
        parse_pair(text)


def test_parse_netsh_and_reserved_refuse_garbage():
    with pytest.raises(ValueError):
        parse_netsh("The requested operation requires elevation.")
    with pytest.raises(ValueError):
        parse_netsh(NETSH.replace("16384", "0"))
    for bad in ("9010-9000", "70000", "x"):
        with pytest.raises(ValueError):
            parse_reserved(bad)


def test_defaults_match_the_documented_table():
    assert DEFAULTS["linux"] == (32768, 60999) and DEFAULTS["win32"] == (49152, 65535)
    assert DEFAULTS["darwin"] == (49152, 65535) and DEFAULTS["freebsd"] == (10000, 65535)


def test_report_counts_assigned_ports_inside_the_range(registry):
    e = ephemeral_range()
    rep = ephemeral_report(registry, e)
    for t in (Transport.TCP, Transport.UDP):
        expected = sum(1 for p in range(e.low, e.high + 1)
                       if registry.state(p, t) is State.ASSIGNED and not e.is_reserved(p))
        assert rep.assigned_inside[t] == expected
    assert all(registry.state(x.port, Transport.TCP) is State.ASSIGNED and x.names for x in rep.examples)
    assert rep.matches_iana == ((e.low, e.high) == (49152, 65535))
    assert rep.edition == registry.edition


@linux
@pytest.mark.parametrize("content", [None, "", "garbage here\n", "60999 32768\n"])
def test_unreadable_range_falls_back_to_the_marked_default(tmp_path, monkeypatch, content):
    from portatlas.system import ephemeral

    path = tmp_path / "ip_local_port_range"
    if content is not None:
        path.write_text(content)
    monkeypatch.setattr(ephemeral, "PROC_RANGE", path)
    e = ephemeral.ephemeral_range()
    assert (e.low, e.high, e.is_default, e.system) == (32768, 60999, True, "linux")
    assert e.source == f"default for linux ({path} unreadable)"


@linux
def test_cli_marks_a_default_as_a_default(tmp_path):
    # The same fallback through the real entry point: a Python that cannot see the range file.
    import subprocess

    code = ("import sys; from portatlas.system import ephemeral as e; "
            f"e.PROC_RANGE = {str(tmp_path / 'missing')!r}; "
            "from portatlas.cli.main import main; sys.exit(main(['ephemeral']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"default for linux ({tmp_path / 'missing'} unreadable): not read from this machine" in out.stdout
    assert "reserved" not in out.stdout  # nothing was read, so nothing is claimed about holes


# What `netsh interface ipv4 show excludedportrange protocol=tcp` prints on a Windows machine with Hyper-V,
# and the same table from a German Windows (headings and footnote in its language).
EXCLUDED = """
Protocol tcp Port Exclusion Ranges

Start Port    End Port
----------    --------
      5357        5357
     50000       50059     *
      1031        1130
     49671       49770

* - Administered port exclusions.

"""
EXCLUDED_DE = """
Protokoll tcp Portausschlussbereiche

Startport   Endport
----------  --------
      8005        8005
     61117       61216     *

* - Verwaltete Portausschlüsse.
"""


def test_parse_excluded_reads_every_range_in_any_language():
    assert parse_excluded(EXCLUDED) == ((1031, 1130), (5357, 5357), (49671, 49770), (50000, 50059))
    assert parse_excluded(EXCLUDED_DE) == ((8005, 8005), (61117, 61216))
    assert parse_excluded("") == () == parse_excluded("Protocol tcp Port Exclusion Ranges\n\n* - x.\n")


@pytest.mark.parametrize("row", ["     60000       70000", "      9000        8000"])
def test_parse_excluded_refuses_an_impossible_range(row):
    with pytest.raises(ValueError, match="excluded port range"):
        parse_excluded(EXCLUDED + row + "\n")


def test_an_excluded_range_is_found_by_port():
    e = EphemeralRange(49152, 65535, (), "netsh int ipv4 show dynamicport tcp", False, "win32",
                       parse_excluded(EXCLUDED))
    assert e.excluded_range(50010) == (50000, 50059) and e.excluded_range(5357) == (5357, 5357)
    assert e.excluded_range(50060) is None and e.excluded_range(1030) is None
    # A machine read without exclusions (Linux, macOS) has none.
    assert ephemeral_range().excluded == () or sys.platform == "win32"


def test_the_ephemeral_command_names_the_excluded_ranges(registry):
    import io

    from portatlas.cli.output import Out
    from portatlas.cli.render_machine import ephemeral as render

    e = EphemeralRange(49152, 65535, (), "netsh int ipv4 show dynamicport tcp", False, "win32",
                       parse_excluded(EXCLUDED))
    out = Out(stream=io.StringIO())
    render(out, ephemeral_report(registry, e))
    text = "\n".join(out.lines)
    assert "excluded (Windows refuses to bind these): 1031-1130, 5357, 49671-49770, 50000-50059" in text
