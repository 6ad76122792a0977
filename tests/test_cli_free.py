"""`portatlas free`: real processes holding real ports, stopped (or refused) through the real entry point."""

from __future__ import annotations

import contextlib
import io
import json
import os
import pty
import pwd
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from portatlas.model import Transport
from portatlas.system.free import ancestors, docker_container, plan, refusal
from portatlas.system.listeners import bound_ports

from .sockets import NOBODY, as_nobody, bound, free_port, wait_until

# A process holding PORT on 127.0.0.1. Modes (comma-separated): ignore-term (SIGTERM is ignored: only
# SIGKILL stops it), prefork (a forked worker shares the socket), respawn (on SIGTERM it forks a new
# holder of the socket, then exits, as a supervisor restarting a service would), nobody (drops root and
# becomes as a process nobody started).
HOLDER = r"""
import ctypes, os, signal, socket, sys, time
kind, port, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
if kind == "tcp":
    s.listen()
if "ignore-term" in modes:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if "respawn" in modes:
    def again(*_):
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            time.sleep(120)
        os._exit(0)
    signal.signal(signal.SIGTERM, again)
if "nobody" in modes:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
    # Changing user makes a process undumpable (its /proc/PID stays root's); nobody's own would not be.
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
worker = os.fork() if "prefork" in modes else -1
if worker == 0:
    while True:
        time.sleep(1)
print("ready", os.getpid(), worker, flush=True)
while True:
    time.sleep(1)
"""


@contextlib.contextmanager
def holder(kind: str, port: int, modes: str = "",
           argv0: str | None = None) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A child process holding ``port`` (kind tcp or udp); yields (process, the prefork worker's PID or -1)."""
    exe = argv0 or sys.executable
    proc = subprocess.Popen([exe, "-c", HOLDER, kind, str(port), modes or "-"], stdout=subprocess.PIPE, cwd="/")
    ready = [b"", b"", b"-1"]
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        assert line[:1] == [b"ready"], "the holder did not start"
        ready = line
        yield proc, int(ready[2])
    finally:
        with contextlib.suppress(ProcessLookupError):
            if int(ready[2]) > 0:
                os.kill(int(ready[2]), signal.SIGKILL)
        proc.kill()
        proc.wait()


def held(port: int, transport: str = "tcp") -> bool:
    return port in bound_ports(Transport(transport))


def test_free_stops_a_tcp_listener_with_sigterm(cli):
    port = free_port()
    with holder("tcp", port) as (proc, _):
        r = cli("free", f"{port}/tcp", "--yes")
        assert r.returncode == 0, r.stderr
        assert proc.wait(timeout=10) == -signal.SIGTERM
    assert f"{port}/tcp is held by one process:" in r.stdout
    assert f"  PID {proc.pid}  user {pwd.getpwuid(os.getuid()).pw_name}  " in r.stdout
    assert f"      tcp 127.0.0.1:{port}" in r.stdout
    assert f"PID {proc.pid}: stopped (SIGTERM)\n{port}/tcp is free now" in r.stdout
    assert not held(port)


def test_free_stops_a_udp_socket_and_reports_json(cli):
    port = free_port()
    with holder("udp", port) as (proc, _):
        r = cli("free", f"{port}/udp", "--yes", "--json")
        assert proc.wait(timeout=10) == -signal.SIGTERM
    data = json.loads(r.stdout)
    assert (r.returncode, data["status"], data["exit_code"]) == (0, "freed", 0)
    (h,) = data["holders"]
    assert (h["pid"], h["sockets"], h["refusal"], h["commands"][0]) == \
        (proc.pid, [f"udp 127.0.0.1:{port}"], None, f"kill -TERM {proc.pid}")
    assert "-c" in h["cmdline"] and h["uid"] == os.getuid()
    assert data["stops"] == [{"pid": proc.pid, "outcome": "stopped"}] and data["still_held"] == []
    assert not held(port, "udp")


def test_free_kills_what_ignores_sigterm_after_the_timeout(cli):
    port = free_port()
    with holder("tcp", port, "ignore-term") as (proc, _):
        start = time.monotonic()
        r = cli("free", str(port), "--yes", "--timeout", "0.6")
        took = time.monotonic() - start
        assert proc.wait(timeout=10) == -signal.SIGKILL
    assert r.returncode == 0, r.stderr
    assert f"PID {proc.pid}: killed (SIGKILL: still running after 0.6 s)" in r.stdout
    assert took >= 0.6
    assert not held(port)


def test_free_stops_every_process_sharing_the_socket(cli):
    # A prefork server: the worker holds the same listening socket; stopping the parent alone leaves the port held.
    port = free_port()
    with holder("tcp", port, "prefork") as (proc, worker):
        r = cli("free", str(port), "--yes", "--json")
        data = json.loads(r.stdout)
        assert proc.wait(timeout=10) == -signal.SIGTERM
        assert wait_until(lambda: not psutil.pid_exists(worker) or
                          psutil.Process(worker).status() == psutil.STATUS_ZOMBIE)
    assert [h["pid"] for h in data["holders"]] == sorted([proc.pid, worker])
    assert (r.returncode, data["status"]) == (0, "freed")
    assert not held(port)


def test_free_exit_7_when_the_port_is_taken_again(cli):
    port = free_port()
    with holder("tcp", port, "respawn") as (proc, _):
        r = cli("free", str(port), "--yes", "--json", "--timeout", "2")
        data = json.loads(r.stdout)
        (again,) = data["still_held"]
        try:
            assert (r.returncode, data["status"]) == (7, "held")
            assert again["pid"] != proc.pid and again["sockets"] == [f"tcp 127.0.0.1:{port}"]
            text = cli("free", str(port), "--dry-run").stdout
            assert f"kill -TERM {again['pid']}\n" in text
        finally:
            os.kill(again["pid"], signal.SIGKILL)


def test_free_refuses_its_own_ancestor(cli):
    # This test process listens and runs `portatlas free`: the holder is the command's parent.
    with bound(socket.SOCK_STREAM) as (sock, port):
        r = cli("free", str(port), "--yes")
        assert r.returncode == 6
        assert f"  PID {os.getpid()}  user " in r.stdout
        assert (f"      not stopped: PID {os.getpid()} is portatlas itself or a process that started it"
                in r.stdout)
        assert r.stderr.strip() == (f"portatlas: refused: 1 of 1 holders of {port}/tcp or {port}/udp is not to "
                                    "be stopped (ancestor); nothing was stopped")
        assert held(port)
        sock.getsockname()  # still ours, still open


def test_guard_refuses_pid_1_ancestors_and_other_users():
    init = psutil.Process(1)
    why = refusal(1, init.uids().real)
    assert why is not None and why.code == "pid-1"
    # The real parent chain, read from /proc by hand, is what the guard protects.
    chain, pid = set(), os.getpid()
    while pid > 0:
        chain.add(pid)
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat[stat.rfind(")") + 2:].split()[1])
    assert ancestors() == frozenset(chain)
    assert {os.getpid(), os.getppid(), 1} <= chain
    mine = refusal(os.getppid(), os.getuid())
    assert mine is not None and mine.code == "ancestor"
    with holder("tcp", free_port()) as (proc, _):
        assert refusal(proc.pid, os.getuid()) is None  # a child is not an ancestor
        other = refusal(proc.pid, 0, user="root", euid=NOBODY, protected=frozenset())
        assert other is not None and other.code == "not-yours"
        assert other.message == f"PID {proc.pid} belongs to user root: only root stops another user's processes " \
                                "(run with sudo)"
        assert refusal(proc.pid, 0, euid=0, protected=frozenset()) is None  # root may


def test_dry_run_prints_kill_commands_and_stops_nothing(cli):
    port = free_port()
    with holder("tcp", port) as (proc, _):
        r = cli("free", str(port), "--dry-run")
        time.sleep(0.2)
        assert proc.poll() is None and held(port)
    assert r.returncode == 0
    assert f"\nkill -TERM {proc.pid}\n" in r.stdout
    assert f"# kill -KILL {proc.pid}" in r.stdout
    assert subprocess.run(["bash", "-n"], input=r.stdout, text=True, check=False).returncode == 0  # valid shell


def test_without_a_terminal_or_yes_it_refuses_at_once(cli):
    port = free_port()
    with holder("tcp", port) as (proc, _):
        r = cli("free", str(port), timeout=20)  # stdin is not a terminal: it must not wait for an answer
        assert proc.poll() is None and held(port)
    assert r.returncode == 6
    assert r.stderr.strip() == ("portatlas: refused: no terminal to ask on; pass --yes to stop them, "
                                "or --dry-run to print the commands")


def _on_pty(args: list[str], answer: bytes) -> tuple[int, str]:
    """Run `portatlas ARGS` on a real pseudo-terminal, answer its question, return (exit code, screen)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "portatlas", *args])
    screen = b""
    answered = False
    end = time.monotonic() + 30
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
            if not answered and b"[y/N] " in screen:
                os.write(fd, answer)
                answered = True
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), screen.decode("utf-8", "replace").replace("\r\n", "\n")


def test_prompt_on_a_real_terminal_no_then_yes():
    port = free_port()
    with holder("tcp", port) as (proc, _):
        code, screen = _on_pty(["free", str(port)], b"n\n")
        assert proc.poll() is None and held(port)
        assert code == 6, screen
        assert f"Stop PID {proc.pid} (SIGTERM, then SIGKILL after 5 s)? [y/N] n\n" in screen
        assert "portatlas: nothing was stopped" in screen
        code, screen = _on_pty(["free", str(port)], b"y\n")
        assert code == 0, screen
        assert proc.wait(timeout=10) == -signal.SIGTERM
    assert f"PID {proc.pid}: stopped (SIGTERM)\nPort {port} is free now" in screen
    assert not held(port)


def test_docker_proxy_holder_names_its_container(cli, tmp_path):
    # A real process with docker-proxy's command line: a python started under that name, with its flags.
    exe = tmp_path / "docker-proxy"
    exe.symlink_to(sys.executable)
    code = HOLDER.replace('kind, port, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")',
                          'kind, port, modes = "tcp", int(sys.argv[sys.argv.index("-host-port") + 1]), []')
    port = free_port()
    proc = subprocess.Popen([str(exe), "-c", code, "-proto", "tcp", "-host-ip", "127.0.0.1", "-host-port",
                             str(port), "-container-ip", "172.17.0.2", "-container-port", "80"],
                            stdout=subprocess.PIPE, cwd="/")
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith(b"ready")
        r = cli("free", str(port))  # no terminal: it lists the holders, then refuses to go on
        dry = cli("free", str(port), "--dry-run")
        j = json.loads(cli("free", str(port), "--dry-run", "--json").stdout)
    finally:
        proc.kill()
        proc.wait()
    assert j["holders"][0]["pid"] == proc.pid
    assert j["holders"][0]["container"] == {"ip": "172.17.0.2", "port": 80, "proto": "tcp"}
    assert r.returncode == 6
    assert f"  PID {proc.pid}  user root  {exe} -c " in r.stdout
    assert "      a Docker container holds it (172.17.0.2:80/tcp): 'docker ps' names it" in r.stdout
    assert "a Docker container holds it (172.17.0.2:80/tcp)" in dry.stdout.splitlines()[0]


def test_docker_proxy_command_lines():
    c = docker_container("/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 "
                         "-container-ip 172.17.0.2 -container-port 80")
    assert c is not None and (c.ip, c.port, c.proto) == ("172.17.0.2", 80, "tcp")
    c = docker_container("/usr/bin/docker-proxy --proto=udp -container-ip=fd00::2 -container-port 53")
    assert c is not None and (c.ip, c.port, c.proto) == ("fd00::2", 53, "udp")
    assert docker_container("python3 -m http.server -container-ip 1.2.3.4") is None
    assert docker_container(None) is None


def test_nothing_holds_and_bad_input(cli):
    port = free_port()
    r = cli("free", f"{port}/udp")
    assert (r.returncode, r.stdout.strip()) == (1, f"nothing holds {port}/udp here")
    assert json.loads(cli("free", str(port), "--json").stdout)["status"] == "nothing"
    for args, message in [(["70000"], "port 70000 is out of range"),
                          (["80/sctp"], "socket table is read for tcp and udp"),
                          (["80", "--timeout", "nan"], "--timeout nan: give 0 to 3600 seconds"),
                          (["80", "--timeout", "-1"], "--timeout -1: give 0 to 3600 seconds"),
                          (["80", "--timeout", "soon"], "--timeout 'soon' is not a number of seconds"),
                          (["80", "--force"], "unknown option '--force' for 'portatlas free'"),
                          (["80", "--yse"], "did you mean --yes?")]:
        r = cli("free", *args)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


@pytest.fixture
def nobody_home(tmp_path, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("needs root to start processes as another user and to drop to nobody")
    tmp_path.chmod(0o777)
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path))
    return tmp_path


def _free_here(*args: str) -> tuple[int, str, str]:
    """`portatlas free ARGS` in this process (for a forked child that dropped root: it cannot exec Python)."""
    from portatlas.cli.main import main

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    try:
        code = main(["free", *args])
        return code, sys.stdout.getvalue(), sys.stderr.getvalue()
    finally:
        sys.stdout, sys.stderr = out, err


def test_other_users_process_stopped_as_root(cli, nobody_home):
    port = free_port()
    with holder("tcp", port, "nobody") as (proc, _):
        assert psutil.Process(proc.pid).uids().real == NOBODY
        r = cli("free", str(port), "--yes")
        assert proc.wait(timeout=10) == -signal.SIGTERM
    assert r.returncode == 0, r.stderr
    assert f"  PID {proc.pid}  user nobody  " in r.stdout
    assert not held(port)


def test_as_nobody_other_users_process_is_refused_own_is_stopped(nobody_home):
    _free_here(str(free_port()))  # load every module the command needs before the drop
    port = free_port()
    with holder("tcp", port) as (proc, _):  # root's
        code, out, err = as_nobody(lambda: _free_here(str(port), "--yes"), nobody_home)
        assert proc.poll() is None and held(port)
    assert code == 6
    assert "  no process shown\n" in out
    assert "not stopped: the OS hides the process holding this socket from this user; run with sudo" in out
    assert "(hidden); nothing was stopped" in err
    # The guard itself, as nobody, on root's process it can name.
    with holder("tcp", free_port()) as (proc, _):
        why = as_nobody(lambda: refusal(proc.pid, 0, user="root"), nobody_home)
        assert why is not None and why.code == "not-yours"
    port = free_port()
    with holder("tcp", port, "nobody") as (proc, _):  # nobody's own: nobody may stop it
        code, out, err = as_nobody(lambda: _free_here(str(port), "--yes"), nobody_home)
        assert proc.wait(timeout=10) == -signal.SIGTERM
    assert code == 0, out + err
    assert f"PID {proc.pid}: stopped (SIGTERM)" in out


def test_plan_is_a_value_of_the_real_sockets():
    port = free_port()
    with holder("tcp", port) as (proc, _), holder("udp", port) as (uproc, _):
        p = plan(port)
        only_udp = plan(port, "udp")
    assert [h.pid for h in p.holders] == sorted([proc.pid, uproc.pid])
    assert [h.pid for h in only_udp.holders] == [uproc.pid] and only_udp.label == f"{port}/udp"
    assert all(h.refusal is None and h.started for h in p.holders)


def test_free_takes_the_options_every_command_takes(cli):
    port = free_port()
    r = cli("free", str(port), "--no-color", "--dry-run")
    assert r.returncode == 1 and r.stdout.strip() == f"nothing holds {port}/tcp or {port}/udp here"
    assert cli("free", "--help", "--no-color").stdout.startswith("usage: portatlas free PORT")
