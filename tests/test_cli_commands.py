"""What people type, read the same on every command, through the real entry point (issue 14, point 2)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from .conftest import run_cli
from .sockets import bound, free_port


def _one_line_error(r: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert r.returncode == code, (r.stdout[:300], r.stderr)
    assert r.stdout == "" and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    return r.stderr


# -- an option a command does not use is an error ------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (["stats", "--all"], "--all works only with --over-time"),
    (["stats", "--transport", "udp"], "--transport works only with --over-time"),
    (["stats", "--over-time", "--all", "--json"], "--json has every edition"),
    (["diff", "2025-08-26", "--limit", "5", "--json"], "--json lists every row"),
    (["update", "--rollback", "--timeout", "3"], "--rollback takes no --timeout"),
    (["who", "80", "--all-os", "--json"], "--all-os chooses the commands the text shows"),
    (["advise", "80", "--all-os", "--json"], "--all-os chooses the commands the text shows"),
    (["advise", "22,80", "--all-os"], "a list has none"),
    (["who", "22,80", "--all-os"], "a list has none"),
    (["export", "csv", "--ranges", "first"], "--ranges applies to 'export services' only"),
    (["advise", "8080", "--service", "nosuch"], "--service 'nosuch' is neither a service name"),
    (["history", "postgresql", "--transport", "tcp"], "--transport applies to a port's history"),
])
def test_an_option_that_does_nothing_is_refused(args, words):
    assert words in _one_line_error(run_cli(*args))


def test_service_is_a_registry_name_or_a_program(cli):
    for name in ("postgresql", "PostgreSQL", "nginx"):
        assert cli("advise", "5432", "--service", name, "--alternatives", "0").returncode == 0, name
    mine = json.loads(cli("advise", "80", "--service", "nginx", "--json", "--alternatives", "0").stdout)
    theirs = json.loads(cli("advise", "80", "--json", "--alternatives", "0").stdout)
    assert "common.yours" in {r["code"] for r in mine["reasons"]}  # nginx's own port is good for nginx
    assert {r["code"] for r in theirs["reasons"]} >= {"common.default"}  # and someone else's otherwise
    err = _one_line_error(cli("advise", "5432", "--service", "postgressql"))
    assert "did you mean 'postgresql'?" in err


# -- --limit counts what is printed, and 0 means all ---------------------------------------------------

def test_search_limit_counts_results_not_rows(cli):
    r = cli("search", "postgres", "--limit", "1")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 1
    assert r.stdout.startswith("postgresql ") and "tcp, udp" in r.stdout  # one result, both transports
    hits = json.loads(cli("search", "postgres", "--limit", "1", "--json").stdout)["hits"]
    assert [(h["name"], h["transports"]) for h in hits] == [("postgresql", ["tcp", "udp"])]
    assert {r["transports"][0] for r in hits[0]["rows"]} <= {"tcp", "udp"}  # its rows, both transports


def test_limit_0_means_all_everywhere(cli):
    assert len(cli("search", "http").stdout.splitlines()) == 20
    every = cli("search", "http", "--limit", "0").stdout.splitlines()
    assert len(every) > 50 and len(set(every)) == len(every)
    assert cli("gaps", "--limit", "0").stdout == cli("gaps").stdout
    assert len(cli("gaps", "--limit", "3").stdout.splitlines()) == 1 + 3
    full = cli("diff", "2025-08-26", "--limit", "0").stdout
    assert "more (--limit 0" not in full and "more (--limit 0" in cli("diff", "2025-08-26", "--limit", "5").stdout
    assert len(full.splitlines()) > len(cli("diff", "2025-08-26").stdout.splitlines()) - 1


# -- 80/tcp, lists and leading zeros on advise, history and who ----------------------------------------

def test_advise_reads_the_grammar(cli):
    a = json.loads(cli("advise", "00000000080/udp", "--json", "--alternatives", "0").stdout)
    assert a["port"] == 80 and a["transports"] == ["udp"]
    many = json.loads(cli("advise", "22,0080,8000-8002", "--json", "--alternatives", "0").stdout)
    assert [x["port"] for x in many] == [22, 80, 8000, 8001, 8002]
    text = cli("advise", "22,80", "--alternatives", "0").stdout
    assert "Port 22 (TCP) for a production service" in text and "Port 80 (TCP) for a production service" in text
    assert "disagree" in _one_line_error(cli("advise", "80/udp", "--transport", "tcp"))


def test_history_reads_the_grammar(cli):
    one = json.loads(cli("history", "0300/tcp", "--json").stdout)
    assert one["port"] == 300 and [t["transport"] for t in one["transports"]] == ["tcp"]
    many = json.loads(cli("history", "22,80,300-301", "--json").stdout)
    assert [h["port"] for h in many] == [22, 80, 300, 301]
    text = cli("history", "300,301").stdout
    assert "Port 300: history" in text and "Port 301: history" in text
    assert "tacacss" in text  # 300's assignment in 2025, dated to the gap
    assert cli("history", "netconf-beep").returncode == 0  # a name is still a name
    assert "holds 2001 ports; ask for at most 1024 at once" in _one_line_error(cli("history", "0-2000"))


def test_who_reads_the_grammar(cli):
    port, idle = free_port(), free_port()
    with bound(socket.SOCK_STREAM, port=port):
        one = json.loads(cli("who", f"000{port}/tcp", "--json").stdout)
        many = cli("who", f"{port},{idle}", "--json")
        text = cli("who", f"{port},{idle}").stdout
    assert one["port"] == port and one["transport"] == "tcp" and len(one["sockets"]) == 1
    reps = json.loads(many.stdout)
    assert many.returncode == 0 and [r["port"] for r in reps] == [port, idle]
    assert len(reps[0]["sockets"]) == 1 and reps[1]["sockets"] == []
    assert f"127.0.0.1:{port}  LISTEN" in text and f"nothing is listening on {idle} (tcp or udp) here" in text
    assert "different transports" not in cli("who", "22/tcp,53/udp").stderr  # each item keeps its own


# -- --json on every command ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["search", "postgres"], ["gaps", "--min", "100"], ["stats"], ["stats", "--over-time"], ["history", "300"],
    ["diff", "2025-08-26"], ["edition"], ["edition", "--list"], ["who", "307"], ["listening"], ["ephemeral"],
    ["advise", "8080"], ["suggest"], ["check-name", "myapp"],
    ["request", "--name", "myapp", "--transport", "tcp", "--any", "--description", "x", "--contact", "a@b.org"],
    ["export", "services"], ["export", "csv"], ["export", "json"], ["80"], ["postgresql"], ["22,80"],
], ids=" ".join)
def test_every_command_takes_json(args):
    r = run_cli(*args, "--json")
    assert r.returncode in (0, 1), r.stderr
    json.loads(r.stdout)


def test_export_json_is_the_export_as_data(tmp_path, registry):
    data = json.loads(run_cli("export", "services", "--json").stdout)
    text = run_cli("export", "services").stdout
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert len(data["entries"]) == len(lines) and data["edition"] == registry.edition
    first = data["entries"][0]
    assert lines[0].split()[:2] == [first["name"], f"{first['port']}/{first['protocol']}"]
    out = tmp_path / "services"
    told = json.loads(run_cli("export", "services", "-o", str(out), "--json").stdout)
    assert told["path"] == str(out) and told["bytes"] == out.stat().st_size and told["format"] == "services"


def test_serve_json_says_where_it_serves(tmp_path):
    port = free_port()
    env = {"PORTATLAS_DATA_DIR": str(tmp_path)}
    import os

    proc = subprocess.Popen([sys.executable, "-m", "portatlas", "serve", "--port", f"0{port}", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **env},
                            start_new_session=True)
    try:
        head = b""
        while not head.rstrip().endswith(b"}"):
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, proc.stderr.read().decode()  # type: ignore[union-attr]
            head += line
        told = json.loads(head)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)
    assert told["port"] == port and told["url"] == f"http://127.0.0.1:{port}" and told["workers"] == 1


# -- error messages name what exists -------------------------------------------------------------------

def test_diff_names_the_shipped_editions_nearest_a_date(cli):
    err = _one_line_error(cli("diff", "2024-05-01"), code=1)
    assert "the last before it is 2024-03-18" in err and "the first after it is 2025-08-26" in err
    assert "382 editions, 2017-03-10 to 2026-08-17" in err
    listed = cli("edition", "--list").stdout
    assert "Shipped history (382 editions, 2017-03-10 to 2026-08-17)" in listed
    assert "\n  2024  " in listed and " 03-18" in listed


def test_a_near_miss_of_a_command_is_named(cli):
    assert "unknown command 'serach'; did you mean 'search'?" in _one_line_error(cli("serach", "postgres"))
    assert "did you mean 'listening'?" in _one_line_error(cli("listen"))
    assert cli("postgresql").returncode == 0  # an exact service name still wins
    assert "did you mean --limit?" in _one_line_error(cli("gaps", "--limt", "3"))


# -- the registry's text, normalised; plurals ----------------------------------------------------------

def test_registry_descriptions_are_one_clean_line(cli):
    for args in (["search", "vnc", "--limit", "0"], ["diff", "2017-03-10", "--limit", "0"], ["history", "2654"]):
        out = cli(*args).stdout
        assert "<br" not in out.lower() and "\t" not in out, args
    corel = [ln for ln in cli("search", "corel-vncadmin").stdout.splitlines() if ln.startswith("corel-vncadmin ")]
    assert len(corel) == 1 and "Corel VNC Admin IANA assigned this well-formed service name" in corel[0]


def test_counts_are_written_with_the_right_plural(cli, registry):
    single = next(b for b in registry.gaps(None, 1) if b.size == 1)
    line = next(ln for ln in cli("gaps", "--limit", "0").stdout.splitlines() if ln.split()[0] == str(single.low))
    assert " 1 port " in f"{line} " and "1 ports" not in line
    d = cli("diff", "2017-03-10", "2017-03-17").stdout
    assert "(1 port assignment)" in d and "1 port assignments" not in d
    assert "1 rows" not in cli("diff", "2017-03-10", "2017-03-13").stdout
    assert "1 ports" not in cli("suggest", "--count", "1", "--seed", "1").stdout


# -- how to check: this machine's system first ---------------------------------------------------------

def test_how_to_check_shows_this_system_and_the_others_when_asked(cli):
    for args in (["who", "307"], ["advise", "307", "--alternatives", "0"]):
        plain = cli(*args).stdout
        every = cli(*args, "--all-os").stdout
        assert "How to check (Linux)" in plain and "(macOS)" not in plain and "--all-os" in plain
        assert every.index("How to check (Linux)") < every.index("How to check (macOS)") < \
            every.index("How to check (Windows)")


@pytest.mark.parametrize("args, code, says", [
    (["http", "--transport", "udp"], 2, "--transport narrows a port's answer"),
    (["http", "--local"], 2, "--local needs a single port"),
    (["http", "--all-os"], 2, "a name has none"),
    (["22,80", "--all-os"], 2, "a range or list has none"),
    (["80", "--all-os", "--json"], 2, "--json has them all"),
    (["8000-8100-8200"], 2, "has more than one dash"),
    (["-1"], 2, "'-1' is not a port: a port is a whole number from 0 to 65535"),
    ([",22"], 2, "has an empty item"),
    (["22,"], 2, "has an empty item"),
    (["history", ""], 2, "empty query"),
    (["search", "x", "--limit", "abc"], 2, "--limit 'abc' is not a whole number"),
    (["search", "x", "--limit", "-5"], 2, "--limit '-5' is out of range"),
    (["serve", "--port", "0"], 2, "--port 0 cannot be served on: give a port from 1 to 65535"),
    (["x" * 201], 2, "at most 200 characters"),
])
def test_a_mistake_is_named_for_what_it_is(cli, args, code, says):
    r = cli(*args)
    assert r.returncode == code and says in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
