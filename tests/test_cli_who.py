"""`portatlas who`, `listening` and the port answer's machine parts, through the real entry point."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from portatlas.model import State, Transport
from portatlas.system.ephemeral import ephemeral_range
from portatlas.system.listeners import bound_ports

from .sockets import as_nobody, bound, free_port, has_ipv6_loopback, http_server, wait_until

NO_CACHE = {"PORTATLAS_NO_ANSWER_CACHE": "1"}


def test_who_finds_own_tcp_and_udp_sockets(cli, registry):
    port = free_port()
    with bound(socket.SOCK_STREAM, port=port), bound(socket.SOCK_DGRAM, port=port):
        r = cli("who", str(port))
        j = cli("who", str(port), "--json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    from portatlas.atlas import describe

    assert lines[0] == describe(registry.lookup(port))[0]
    assert f"tcp  ipv4  127.0.0.1:{port}  LISTEN" in lines and f"udp  ipv4  127.0.0.1:{port}  BOUND" in lines
    assert r.stdout.count(f"(PID {os.getpid()}, user ") == 2
    data = json.loads(j.stdout)
    assert j.returncode == 0 and data["port"] == port
    rows = [(s["listener"]["transport"], s["listener"]["pid"], s["state"]) for s in data["sockets"]]
    assert rows == [("tcp", os.getpid(), registry.state(port, Transport.TCP).value),
                    ("udp", os.getpid(), registry.state(port, Transport.UDP).value)]


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_who_ipv6_and_transport_filter(cli):
    with bound(socket.SOCK_STREAM, socket.AF_INET6) as (_, port):
        r = cli("who", str(port), "--transport", "tcp")
        u = cli("who", str(port), "--transport", "udp")
        slash_t, slash_u = cli("who", f"{port}/tcp"), cli("who", f"{port}/UDP")  # as ss and /etc/services write
    assert r.returncode == 0 and f"tcp  ipv6  [::1]:{port}  LISTEN" in r.stdout
    assert (u.returncode, u.stdout.splitlines()[0]) == (1, f"nothing is listening on {port}/udp here")
    assert (slash_t.stdout, slash_u.stdout) == (r.stdout, u.stdout)


def test_who_child_http_server_then_nothing(cli):
    port = free_port()
    with http_server(port) as proc:
        r = cli("who", str(port), "--json")
        assert r.returncode == 0, r.stderr
        (row,) = json.loads(r.stdout)["sockets"]
        assert row["listener"]["pid"] == proc.pid and "-m http.server" in row["listener"]["cmdline"]
    assert wait_until(lambda: port not in bound_ports(Transport.TCP))
    gone = cli("who", str(port))
    assert gone.returncode == 1
    assert gone.stdout.splitlines()[0] == f"nothing is listening on {port}/tcp or {port}/udp here"
    assert json.loads(cli("who", str(port), "--json").stdout)["sockets"] == []


def test_who_307_when_free(cli):
    if 307 in bound_ports(Transport.TCP) | bound_ports(Transport.UDP):
        pytest.skip("something on this machine really holds 307")
    r = cli("who", "307")
    lines = r.stdout.splitlines()
    assert (r.returncode, lines[0], r.stderr) == (1, "nothing is listening on 307/tcp or 307/udp here", "")
    assert "How to check (Linux)" in lines and "  ss -ltnup 'sport = :307'" in r.stdout


def test_who_all_shows_established_and_time_wait(cli):
    with bound(socket.SOCK_STREAM) as (server, port):
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        r = cli("who", str(port), "--all")
        assert r.returncode == 0
        assert f"tcp  ipv4  127.0.0.1:{port}  ESTABLISHED  peer 127.0.0.1:{client.getsockname()[1]}" in r.stdout
        cport = client.getsockname()[1]
        client.close()
        conn.close()
        assert wait_until(lambda: "TIME_WAIT" in cli("who", str(cport), "--all").stdout)
        tw = cli("who", str(cport), "--all").stdout
    assert "process  no process visible" in tw and "note     no process: the kernel keeps" in tw


@pytest.mark.parametrize("args,needle", [
    (["who", "70000"], "port 70000 is out of range: a port is a whole number from 0 to 65535"),
    (["who", "http"], "'http' is not a port"),
    (["who", "-1"], None),
    (["who"], "'portatlas who' needs PORT"),
    (["who", "80", "--transport", "sctp"], "--transport 'sctp' is not one of tcp or udp"),
    (["listening", "--bogus"], "unknown option '--bogus' for 'portatlas listening'"),
    (["ephemeral", "80"], "unexpected argument '80' for 'portatlas ephemeral'"),
    (["80-90", "--local"], "--local needs a single port"),
    (["who", "80/sctp"], "write PORT, PORT/tcp or PORT/udp"),
    (["who", "80/tcp", "--transport", "udp"], "disagree"),
    (["who", "99999/tcp"], "out of range"),
    (["postgresql", "--local"], "--local needs a single port"),
])
def test_bad_input_is_one_line_exit_2(cli, args, needle):
    r = cli(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == "" and len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr
    assert needle is None or needle in r.stderr


def test_listening_flags_an_ephemeral_server_and_lists_it_once(cli, registry):
    eph = ephemeral_range()
    with bound(socket.SOCK_STREAM) as (_, port):
        r = cli("listening")
        j = cli("listening", "--json")
    assert r.returncode == 0, r.stderr
    mine = [ln for ln in r.stdout.splitlines() if f"127.0.0.1:{port} " in ln]
    assert len(mine) == 1 and mine[0].startswith("tcp ") and f"(PID {os.getpid()}, " in mine[0]
    assert "! " in mine[0] and "ephemeral" in mine[0].split("! ")[1]
    assert f"ephemeral range {eph.low}-{eph.high}" in r.stdout
    rows = [s for s in json.loads(j.stdout)["sockets"] if s["listener"]["port"] == port]
    assert len(rows) == 1 and "ephemeral" in [f["code"] for f in rows[0]["flags"]]
    assert rows[0]["state"] == registry.state(port, Transport.TCP).value


@pytest.mark.skipif(os.geteuid() != 0, reason="binding a System port needs root")
def test_listening_flags_an_unassigned_system_port(cli, registry):
    taken = bound_ports(Transport.TCP)
    port = next(p for p in range(1, 1024) if registry.state(p, Transport.TCP) is State.UNASSIGNED
                and p not in taken)
    with bound(socket.SOCK_STREAM, port=port):
        j = json.loads(cli("listening", "--json").stdout)
        t = cli("listening", "--transport", "tcp").stdout
    (row,) = [s for s in j["sockets"] if s["listener"]["port"] == port]
    assert [f["code"] for f in row["flags"]] == ["unassigned-system"]
    assert (row["state"], row["range"], row["names"]) == ("unassigned", "system", [])
    (line,) = [ln for ln in t.splitlines() if f"127.0.0.1:{port} " in ln]
    assert "unassigned (system)" in line and line.endswith("! unassigned-system")
    assert f"unassigned-system: {port}/tcp is an unassigned System port" in t


def test_listening_as_nobody_says_what_is_hidden(tmp_path, registry, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody")
    import io
    import sys

    from portatlas.cli.main import main

    tmp_path.chmod(0o777)
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path))  # writable by nobody too
    monkeypatch.setenv("PORTATLAS_REGISTRY", registry.source)

    def run() -> tuple[int, str]:
        out, sys.stdout = sys.stdout, io.StringIO()
        try:
            code = main(["listening"])
            return code, sys.stdout.getvalue()
        finally:
            sys.stdout = out

    run()  # once as root, so every module the command needs is loaded before the drop
    port = free_port()
    with http_server(port):
        code, text = as_nobody(run, tmp_path)
    assert code == 0
    (line,) = [ln for ln in text.splitlines() if f"127.0.0.1:{port} " in ln]
    assert "no process visible [note " in line
    mark = line.split("[note ")[1].split("]")[0]
    assert f"note {mark}: the OS hides the process holding this socket from this user; run with sudo to see it" \
        in text


def test_port_answer_has_how_to_check_and_local(cli, registry):
    port = free_port()
    plain = cli("307").stdout
    assert "\nHow to check (Linux)\n  ss -ltnup 'sport = :307'  " in plain
    assert "lsof -nP -iTCP:307" not in plain and "netstat" not in plain  # other systems only with --all-os
    every = cli("307", "--all-os").stdout
    assert "\nHow to check (macOS)\n  sudo lsof -nP -iTCP:307 -sTCP:LISTEN  " in every
    assert "\nHow to check (Windows)\n  netstat -ano | findstr :307  " in every
    assert plain.index("How to check") < plain.index("\nSources\n")
    assert "On this machine now" not in plain
    data = json.loads(cli("307", "--json").stdout)
    assert next(c["command"] for c in data["checks"]) == "ss -ltnup 'sport = :307'"
    assert {c["system"] for c in data["checks"]} == {"linux", "macos", "windows"}
    with bound(socket.SOCK_STREAM, port=port):
        local = cli(str(port), "--local")
        local_json = json.loads(cli(str(port), "--local", "--json").stdout)
    assert local.returncode == 0
    assert f"On this machine now\n  tcp  ipv4  127.0.0.1:{port}  LISTEN\n" in local.stdout
    assert f"(PID {os.getpid()}, " in local.stdout
    (row,) = local_json["local"]["sockets"]
    assert local_json["answer"]["port"] == port
    assert row["listener"]["pid"] == os.getpid()
    free = cli(str(port), "--local").stdout
    assert f"On this machine now\n  nothing is listening on {port}/tcp or {port}/udp here" in free


def test_fast_json_equals_the_generic_json(registry):
    from portatlas.cli.jsontext import dumps
    from portatlas.model import to_json
    from portatlas.system.annotate import machine

    with bound(socket.SOCK_STREAM) as (_server, port):
        client = socket.create_connection(("127.0.0.1", port))
        try:
            for rep in (machine(registry, include_all=True), machine(registry, port, "tcp"),
                        machine(registry, 307 if 307 not in bound_ports(Transport.TCP) else 1)):
                assert dumps(rep) == json.dumps(to_json(rep), indent=2, ensure_ascii=False)
        finally:
            client.close()


def test_any_port_text_answers_or_fails_in_one_line(cli_inprocess):
    """Whatever is typed as the port: exit 0 or 1 with an answer, or 2 with one line; never a fault."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    texts = st.one_of(st.text(max_size=12), st.integers(-10, 70000).map(str),
                      st.tuples(st.integers(0, 70000), st.sampled_from(["tcp", "udp", "sctp", "TCP", ""]))
                      .map(lambda p: f"{p[0]}/{p[1]}"))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(texts)
    def check(text):
        if text.startswith("-"):
            text = " " + text  # an option-looking argument is argparse's to refuse; keep it a port
        code, out, err = cli_inprocess("who", text, "--json")
        assert code in (0, 1, 2), (text, err)
        if code == 2:
            assert out == "" and len(err.splitlines()) == 1 and err.startswith("portatlas: ")
        else:
            assert json.loads(out)["port"] == int(text.strip().partition("/")[0]) and err == ""

    check()


def test_a_process_cannot_drive_the_terminal_or_break_a_line_through_its_name(cli):
    # A real process names itself with a terminal escape and a newline (its comm, via /proc/self/comm),
    # and carries an OSC title sequence and a newline in its command line.
    port = free_port()
    code = ("import socket, sys, time\n"
            "open('/proc/self/comm', 'w').write('ev\\x1b[31mil\\nX')\n"
            "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
            "print('up', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), "\x1b]0;pwned\x07", "a\nb"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "up\n"
        for args in (("who", str(port)), ("listening",)):
            r = cli(*args)
            assert r.returncode == 0, r.stderr
            assert "\x1b" not in r.stdout and "\x07" not in r.stdout, args
            mine = [line for line in r.stdout.splitlines() if "ev\\x1b[31mil\\nX" in line]
            assert mine, (args, r.stdout)
        who = cli("who", str(port)).stdout
        assert "'\\x1b]0;pwned\\x07' 'a\\nb'" in who, who  # the shell-quoted command line, escaped
        # --json keeps the text as it is (JSON escapes it)
        row = json.loads(cli("who", str(port), "--json").stdout)["sockets"][0]["listener"]
        assert row["process"] == "ev\x1b[31mil\nX" and "\x1b]0;pwned\x07" in row["cmdline"]
    finally:
        proc.kill()
        proc.wait()


def test_who_takes_a_list_whose_items_name_their_own_transports(cli):
    with bound(socket.SOCK_STREAM) as (_, tcp_port), bound(socket.SOCK_DGRAM) as (_, udp_port):
        r = cli("who", f"{tcp_port}/tcp,{udp_port}/udp,{tcp_port}/udp", "--json")
        assert r.returncode == 0, r.stderr
        got = [(x["port"], x["transport"], [s["listener"]["transport"] for s in x["sockets"]])
               for x in json.loads(r.stdout)]
        assert got == [(tcp_port, "tcp", ["tcp"]), (udp_port, "udp", ["udp"]), (tcp_port, "udp", [])]
        text = cli("who", f"{tcp_port}/tcp,{tcp_port}/udp").stdout
        assert f"nothing is listening on {tcp_port} (udp) here" in text
