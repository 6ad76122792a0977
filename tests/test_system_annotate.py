"""Listeners read against the registry: the flags, raised on real sockets, from registry facts."""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from portatlas.model import PortRange, State, Transport
from portatlas.system.annotate import ephemeral_report, machine, serves
from portatlas.system.ephemeral import PROC_RESERVED, ephemeral_range
from portatlas.system.listeners import bound_ports, is_listening

from .sockets import bound, wait_until

ME = psutil.Process()
MY_NAME, MY_CMD = ME.name(), shlex.join(ME.cmdline())
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="binding a System port needs root")


def _names(registry, port, t=Transport.TCP):
    return tuple(dict.fromkeys(r.name for r in registry.lookup(port).on(t).assignments if r.name))


def _free(port: int) -> bool:
    return port not in bound_ports(Transport.TCP) and port not in bound_ports(Transport.UDP)


def _first(registry, ports, state, want=lambda p: True):
    for p in ports:
        if registry.state(p, Transport.TCP) is state and _free(p) and want(p):
            return p
    raise AssertionError(f"no free {state} port found")


def _flags(rep, transport=Transport.TCP):
    rows = [x for x in rep.sockets if x.listener.transport is transport]
    assert len(rows) == 1, rep.sockets
    return {f.code: f.message for f in rows[0].flags}, rows[0]


@root_only
def test_unassigned_system_port_is_flagged(registry):
    eph = ephemeral_range()
    port = _first(registry, range(1, 1024), State.UNASSIGNED)
    with bound(socket.SOCK_STREAM, port=port):
        flags, row = _flags(machine(registry, port))
    assert (row.state, row.range, row.names) == (State.UNASSIGNED, PortRange.SYSTEM, ())
    assert set(flags) == {"unassigned-system"}, flags
    assert f"{port}/tcp is an unassigned System port" in flags["unassigned-system"]
    assert port not in eph


@root_only
def test_reserved_system_port_is_flagged(registry):
    port = _first(registry, range(1, 1024), State.RESERVED)
    with bound(socket.SOCK_STREAM, port=port):
        flags, row = _flags(machine(registry, port))
    assert row.state is State.RESERVED and set(flags) == {"reserved"}


def test_server_inside_ephemeral_range_is_flagged(registry):
    eph = ephemeral_range()
    with bound(socket.SOCK_STREAM) as (_, port):  # port 0: the kernel picks from the ephemeral range
        flags, row = _flags(machine(registry, port))
    assert port in eph and not eph.is_reserved(port)
    assert "ephemeral" in flags and f"{eph.low}-{eph.high}" in flags["ephemeral"]
    assert row.state is registry.state(port, Transport.TCP)


def test_port_registered_to_another_service_is_flagged(registry):
    eph = ephemeral_range()
    # An assigned User port below the ephemeral range whose services this test process does not look like.
    port = _first(registry, range(1024, min(eph.low, 49152)), State.ASSIGNED,
                  lambda p: serves(_names(registry, p), MY_NAME, MY_CMD) is False)
    names = _names(registry, port)
    with bound(socket.SOCK_STREAM, port=port):
        flags, row = _flags(machine(registry, port))
    assert row.names == names and set(flags) == {"other-service"}
    assert f"registered to {', '.join(names)}, but {MY_NAME} holds it" in flags["other-service"]


def test_process_named_for_the_service_is_not_flagged(registry):
    eph = ephemeral_range()
    port = _first(registry, range(1024, min(eph.low, 49152)), State.ASSIGNED,
                  lambda p: _names(registry, p)[0].isalnum() and len(_names(registry, p)[0]) >= 5)
    name = _names(registry, port)[0]
    code = ("import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); "
            "s.listen(); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code, str(port), f"/opt/{name}/bin/{name}"])
    try:
        assert wait_until(lambda: is_listening(port))
        flags, row = _flags(machine(registry, port))
        assert row.listener.pid == child.pid and row.names[0] == name
        assert "other-service" not in flags
    finally:
        child.kill()
        child.wait()


def test_serves_matches_real_server_names():
    assert serves(("postgresql",), "postgres", "/usr/lib/postgresql/15/bin/postgres -D /x")
    assert serves(("ssh",), "sshd", "sshd: /usr/sbin/sshd -D")
    assert serves(("http", "www", "www-http"), "nginx", "nginx: master process /usr/sbin/nginx")
    assert serves(("domain",), "systemd-resolve", None)
    assert serves(("mysql",), "mysqld", None) and serves(("redis",), "redis-server", None)
    assert serves(("irdmi",), "python3", "python3 -m http.server 8000") is False
    assert serves(("http",), None, None) is None  # nothing known: no verdict
    assert serves(("http",), "docker-proxy", "docker-proxy -host-port 80") is None  # forwards for someone else


def test_connected_sockets_are_never_flagged(registry):
    with bound(socket.SOCK_STREAM) as (_server, port):
        client = socket.create_connection(("127.0.0.1", port))
        try:
            cport = client.getsockname()[1]
            rep = machine(registry, cport, include_all=True)
            assert [x.listener.state for x in rep.sockets] == ["ESTABLISHED"]
            assert rep.sockets[0].flags == ()
        finally:
            client.close()


@contextlib.contextmanager
def _reserved(port: int):
    reserved = Path(PROC_RESERVED)
    old = reserved.read_text()
    reserved.write_text(str(port))
    try:
        yield
    finally:
        reserved.write_text(old.strip() or "\n")


def _can_write(path: Path) -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and os.access(path, os.W_OK)


@pytest.mark.skipif(not _can_write(PROC_RESERVED),
                    reason="needs root and a writable /proc/sys (not a locked container)")
def test_reserved_hole_is_read_and_lifts_the_ephemeral_flag(registry):
    before = ephemeral_range().reserved
    with bound(socket.SOCK_STREAM) as (_, port), _reserved(port):
        eph = ephemeral_range()
        assert eph.reserved == ((port, port),) and eph.is_reserved(port)
        flags, _ = _flags(machine(registry, port))
        assert "ephemeral" not in flags
        rep = ephemeral_report(registry)
        tcp_inside = sum(1 for p in range(eph.low, eph.high + 1)
                         if registry.state(p, Transport.TCP) is State.ASSIGNED and p != port)
        assert rep.assigned_inside[Transport.TCP] == tcp_inside
    assert ephemeral_range().reserved == before
