"""The command line through its real entry point: in a subprocess and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import run_cli


def test_307_reads_like_a_reference_page(cli, registry):
    r = cli("307")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Port 307 is unassigned"
    out = r.stdout
    assert "System Ports (0-1023)" in out and "IETF Review or IESG Approval" in out
    assert "Unassigned  301-307 on all transports" in out
    assert "below  300  tacacss on TCP; reserved on UDP" in out
    assert "above  308  novastorbakcup" in out
    b = registry.block(307)
    assert (f"block  301-307: 7 ports unassigned on TCP and UDP, rank {b.rank} of {b.of} blocks in the System range"
            in out)
    assert f"edition {registry.edition}" in out


def test_explicit_lookup_and_python_m_agree(cli):
    assert cli("lookup", "307").stdout == cli("307").stdout


def test_80_names_every_assignment_with_rfcs_and_assignees(cli):
    out = cli("80").stdout
    for name in ("http", "www", "www-http"):
        assert f"\n  {name}  80 on TCP and UDP" in out
    assert "\n  http  80 on SCTP" in out
    assert "RFC 9110" in out and "assignee: IESG" in out and "Tim Berners-Lee" in out


def test_6001_and_50000(cli):
    assert "x11  6000-6063 on TCP and UDP" in cli("6001").stdout
    out = cli("50000").stdout
    assert "dynamic port, never assigned" in out.splitlines()[0] and "Dynamic/Private" in out
    assert "available for assignment" not in out


def test_service_names_and_search(cli):
    r = cli("postgresql")
    assert r.returncode == 0 and "5432 on TCP and UDP" in r.stdout
    assert "6379" in cli("redis").stdout
    s = cli("search", "postgress")
    first = s.stdout.splitlines()[0]
    assert s.returncode == 0 and first.lower().startswith("postgresql") and "5432" in first


def test_span_gaps_stats(cli, registry):
    r = cli("8000-8100")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 101
    g = cli("gaps", "--range", "system", "--min", "10", "--json")
    blocks = json.loads(g.stdout)
    assert [(b["low"], b["high"]) for b in blocks] == [(b.low, b.high) for b in registry.gaps("system", 10)]
    st = json.loads(cli("stats", "--json").stdout)
    assert sum(c["total"] for c in st["counts"] if c["transport"] == "udp") == 65536


@pytest.mark.parametrize("arg, words", [
    ("70000", "out of range"),
    ("-1", "not a port"),
    ("1e3", "not a port"),
    ("", "empty query"),
    ("80-", "not a port range"),
    ("90-80", "runs backwards"),
    ("0x50", "not a port"),
    ("x" * 100_000, "too long"),
    ("1" * 100_000, "out of range"),
    ("0-65535", "at most"),
])
def test_bad_input_is_one_line_and_exit_2(cli, arg, words):
    r = cli(arg)
    assert r.returncode == 2, (arg[:20], r.stdout[:200], r.stderr[:300])
    assert r.stdout == ""
    err = r.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and words in err
    assert len(err) < 300


def test_bytes_that_are_not_utf8(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "portatlas", b"\xff\xfe80"], capture_output=True)
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr and b"UTF-8" in proc.stderr


def test_nothing_found_is_exit_1(cli):
    r = cli("no-such-service-xyz")
    assert r.returncode == 1 and "no service or program named" in r.stderr
    # nothing resembles it: the next step, in the command line's words, runs as written
    assert r.stderr.rstrip().endswith("; search for it: portatlas search no-such-service-xyz")
    assert "/search" not in r.stderr and "search tool" not in r.stderr
    assert cli("zq xv").stderr.rstrip().endswith("portatlas search 'zq xv'")  # quoted for a shell
    assert cli("search", "qqqqzzzzxxxx").returncode == 1


def test_unknown_option_is_exit_2(cli):
    r = cli("gaps", "--range", "dynamic")
    assert r.returncode == 2 and "never assigned" in r.stderr
    r = cli("search", "x", "--limit", "-1")
    assert r.returncode == 2 and "--limit '-1' is out of range" in r.stderr
    r = cli("stats", "--bogus")
    assert r.returncode == 2 and "unknown option '--bogus' for 'portatlas stats'" in r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_json_is_the_library_answer(cli, registry):
    from portatlas.value import to_data

    data = json.loads(cli("307", "--json").stdout)
    assert data == json.loads(json.dumps(to_data(registry.answer(307))))
    assert data["headline"] == "Port 307 is unassigned" and data["kind"] == "unassigned"
    assert data["neighbourhood"]["block"]["low"] == 301
    assert [t["transport"] for t in data["transports"]] == ["tcp", "udp", "sctp", "dccp"]
    svc = json.loads(cli("postgresql", "--json").stdout)
    assert svc["service"] == "postgresql" and {r["number"] for r in svc["rows"]} == {"5432"}
    assert "PostgreSQL" in {s["software"] for s in svc["software"]}


def test_in_process_matches_subprocess(cli_inprocess):
    code, out, err = cli_inprocess("307")
    assert code == 0 and out == run_cli("307").stdout
    code, out, err = cli_inprocess("70000")
    assert code == 2 and "out of range" in err
    code, out, err = cli_inprocess("--help")
    assert code == 0 and "exit codes" in out


def test_piped_output_is_plain(cli):
    assert "\x1b[" not in cli("80").stdout


def test_console_script_exists():
    script = os.path.join(os.path.dirname(sys.executable), "portatlas")
    proc = subprocess.run([script, "307"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("Port 307 is unassigned")


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.tuples(st.integers(-5, 70000), st.integers(-5, 70000)).map(lambda t: f"{t[0]}-{t[1]}"),
))
def test_any_argument_gets_an_answer_or_one_line(cli_inprocess, arg):
    code, out, err = cli_inprocess(arg)
    assert code in (0, 1, 2), (arg, err)
    if code == 0:
        assert out and not err
    else:
        assert out == "" and err.count("\n") == 1 and err.startswith("portatlas: ")
    s = arg.strip()
    if s.isascii() and s.isdigit() and int(s) <= 65535:
        assert code == 0 and out.startswith(f"Port {int(s)} ")
    if s[:1].isdigit() and not s.isdigit() and "-" not in s:
        assert code == 2, (arg, out[:80])  # a number that is no port: bad input, never a name lookup


@pytest.mark.parametrize("args", [["80"], ["80", "--json"], ["stats"], ["search", "postgres"], ["8000-8100"]])
def test_output_that_cannot_be_written_is_exit_8_in_one_line(args):
    import os

    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full is Linux's")
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "portatlas", *args], stdout=full, stderr=subprocess.PIPE,
                           text=True)
    assert r.returncode == 8, r.stderr
    assert r.stderr == "portatlas: cannot write the output: No space left on device\n"


def test_a_closed_standard_output_is_exit_8_in_one_line():
    r = subprocess.run([sys.executable, "-m", "portatlas", "80"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, preexec_fn=lambda: __import__("os").close(1))
    assert r.returncode == 8 and r.stderr == "portatlas: cannot write the output: standard output is closed\n", \
        r.stderr
