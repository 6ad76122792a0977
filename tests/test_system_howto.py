"""How to check by hand: the exact commands, and the Linux ones run for real against real sockets."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest

from portatlas.errors import BadInput
from portatlas.system.howto import SYSTEMS, check_commands

from .sockets import bound, free_port


def test_exact_commands_per_system():
    cmds = check_commands(307)
    by = {s: [c.command for c in cmds if c.system == s] for s in SYSTEMS}
    assert "ss -ltnup 'sport = :307'" in by["linux"] and "sudo lsof -nP -i :307" in by["linux"]
    assert "sudo lsof -nP -iTCP:307 -sTCP:LISTEN" in by["macos"]
    assert "netstat -ano | findstr :307" in by["windows"]
    assert "Get-NetTCPConnection -LocalPort 307" in by["windows"]
    assert all(c.shows for c in cmds) and all(c.shell in ("sh", "cmd", "powershell") for c in cmds)
    # Each command names the port, but for the two that say whether it can be had at all.
    port_wide = {"sysctl net.ipv4.ip_local_port_range net.ipv4.ip_local_reserved_ports",
                 "netsh interface ipv4 show excludedportrange protocol=tcp"}
    assert {c.command for c in cmds if "307" not in c.command} == port_wide
    assert all("308" not in c.command for c in cmds) and all("307" in c.shows for c in cmds if c.command in port_wide)


@pytest.mark.parametrize("bad", [-1, 65536, "80x", ""])
def test_bad_port(bad):
    with pytest.raises(BadInput):
        check_commands(bad)


def _sh(command: str) -> str:
    # The test runs as root; where sudo is not installed the command is the same without it.
    if command.startswith("sudo ") and os.geteuid() == 0 and not shutil.which("sudo"):
        command = command[len("sudo "):]
    return subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30).stdout


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="runs the Linux commands")


@linux
@pytest.mark.skipif(not shutil.which("ss"), reason="ss (iproute2) is not installed (CI installs it)")
def test_ss_command_finds_this_tests_tcp_and_udp_sockets():
    port = free_port()
    with bound(socket.SOCK_STREAM, port=port), bound(socket.SOCK_DGRAM, port=port):
        out = _sh(check_commands(port)[0].command)
    lines = [ln for ln in out.splitlines() if f":{port} " in ln]
    assert {ln.split()[0] for ln in lines} == {"tcp", "udp"}
    assert all(f"pid={os.getpid()}," in ln for ln in lines)


@linux
@pytest.mark.skipif(not shutil.which("lsof"), reason="lsof is not installed (CI installs it)")
def test_lsof_command_finds_this_tests_socket():
    with bound(socket.SOCK_STREAM) as (_, port):
        out = _sh(check_commands(port)[1].command)
    assert any(ln.split()[1] == str(os.getpid()) and f":{port} (LISTEN)" in ln for ln in out.splitlines()[1:])


@linux
@pytest.mark.skipif(not shutil.which("sysctl"), reason="sysctl (procps) is not installed")
def test_sysctl_command_prints_the_range_and_reserved_ports_the_kernel_holds():
    from portatlas.system.ephemeral import ephemeral_range

    (cmd,) = [c.command for c in check_commands(307) if c.command.startswith("sysctl ")]
    out = dict(line.split(" = ", 1) for line in _sh(cmd).splitlines() if " = " in line)
    e = ephemeral_range()
    assert out["net.ipv4.ip_local_port_range"].split() == [str(e.low), str(e.high)]
    holes = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in e.reserved)
    assert out["net.ipv4.ip_local_reserved_ports"].strip() == holes
