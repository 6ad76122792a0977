"""The listener probe on real sockets and real processes (no mock of psutil)."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys

import pytest

from portatlas.errors import BadInput
from portatlas.model import Transport
from portatlas.system import listeners as L
from portatlas.system.listeners import Listener, bound_ports, default_probe, is_listening, listeners, scan
from portatlas.system.procfs import ProcfsProbe
from portatlas.system.psutil_probe import PsutilProbe, read_process

from .sockets import as_nobody, bound, free_port, has_ipv6_loopback, http_server, wait_until

FAMILIES = [(socket.AF_INET, "ipv4", "127.0.0.1")]
if has_ipv6_loopback():
    FAMILIES.append((socket.AF_INET6, "ipv6", "::1"))
KINDS = [(socket.SOCK_STREAM, Transport.TCP, "LISTEN"), (socket.SOCK_DGRAM, Transport.UDP, "BOUND")]


def test_this_machine_has_ipv6_loopback_or_says_so():
    # Recorded so a run without IPv6 is visible in the test ids rather than silently narrower.
    assert len(FAMILIES) in (1, 2)


@pytest.mark.parametrize("family,fam_name,host", FAMILIES, ids=[f[1] for f in FAMILIES])
@pytest.mark.parametrize("kind,transport,state", KINDS, ids=["tcp", "udp"])
def test_own_socket_found_with_own_pid(family, fam_name, host, kind, transport, state):
    with bound(kind, family) as (_, port):
        found = listeners(port)
        assert len(found) == 1, found
        x = found[0]
        assert (x.transport, x.family, x.address, x.port, x.state) == (transport, fam_name, host, port, state)
        assert x.pid == os.getpid()
        me = __import__("psutil").Process()
        assert x.process == me.name() and x.cmdline == shlex.join(me.cmdline()) and x.user == me.username()
        assert x.note is None and x.listening
        assert is_listening(port, transport)
        assert port in bound_ports(transport)
        other = Transport.UDP if transport is Transport.TCP else Transport.TCP
        assert listeners(port, other) == []
        assert not is_listening(port, other)
    assert listeners(port) == []
    assert not is_listening(port, transport)


def test_tcp_and_udp_on_one_port_are_two_rows_sorted_tcp_first():
    port = free_port()
    with bound(socket.SOCK_DGRAM, port=port), bound(socket.SOCK_STREAM, port=port):
        rows = listeners(port)
        assert [r.transport for r in rows] == [Transport.TCP, Transport.UDP]
        assert listeners(port, Transport.UDP) == rows[1:]


def test_child_http_server_found_with_pid_and_command_line_then_gone():
    port = free_port()
    with http_server(port) as proc:
        rows = listeners(port, Transport.TCP)
        assert [(r.pid, r.state) for r in rows] == [(proc.pid, "LISTEN")]
        assert "http.server" in rows[0].cmdline and str(port) in rows[0].cmdline
        assert rows[0].process == __import__("psutil").Process(proc.pid).name()
    assert wait_until(lambda: not listeners(port))


def test_include_all_shows_connections_and_time_wait_without_pid():
    with bound(socket.SOCK_STREAM) as (server, port):
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        cport = client.getsockname()[1]
        assert listeners(cport) == []  # a client socket is not a listener
        rows = listeners(cport, include_all=True)
        assert [(r.state, r.pid, r.remote) for r in rows] == [("ESTABLISHED", os.getpid(), f"127.0.0.1:{port}")]
        peers = [r for r in listeners(port, include_all=True) if r.state == "ESTABLISHED"]
        assert [r.remote for r in peers] == [f"127.0.0.1:{cport}"]
        # The side closing first keeps the connection in TIME_WAIT, owned by no process.
        client.close()
        conn.close()
        assert wait_until(lambda: any(r.state == "TIME_WAIT" for r in listeners(cport, include_all=True)))
        tw = next(r for r in listeners(cport, include_all=True) if r.state == "TIME_WAIT")
        assert tw.pid is None and tw.process is None and "TIME_WAIT" in tw.note


def test_bad_port_and_transport_are_bad_input():
    for port in (-1, 65536, True):
        with pytest.raises(BadInput, match="0 to 65535"):
            listeners(port)
        with pytest.raises(BadInput):
            is_listening(port)
    for t in ("sctp", "dccp", "icmp"):
        with pytest.raises(BadInput, match="tcp or --transport udp"):
            listeners(80, t)


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")


def _readers():
    out = [("psutil", read_process)]
    if sys.platform.startswith("linux"):
        out.append(("procfs", ProcfsProbe()._process))
    return out


@pytest.mark.parametrize("which,read", _readers(), ids=[r[0] for r in _readers()])
def test_process_gone_and_zombie_are_reported_not_raised(which, read):
    import psutil

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    name, cmd, user, note = read(dead.pid)
    assert (name, cmd, user) == (None, None, None) and note == f"process {dead.pid} exited while it was being read"
    # A zombie (exited, not yet reaped) still has a name but no command line to read.
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    assert wait_until(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE)
    name, cmd, user, note = read(zombie.pid)
    assert cmd is None and note == f"process {zombie.pid} exited while it was being read"
    zombie.wait()


@linux
def test_procfs_is_the_default_on_linux_and_psutil_can_be_forced(monkeypatch):
    assert isinstance(default_probe(), ProcfsProbe)
    monkeypatch.setattr(L, "_PROBE", None)
    monkeypatch.setenv("PORTATLAS_LISTENER_PROBE", "psutil")
    assert isinstance(default_probe(), PsutilProbe)
    monkeypatch.setattr(L, "_PROBE", None)
    monkeypatch.setenv("PORTATLAS_LISTENER_PROBE", "netstat")
    with pytest.raises(BadInput, match="use procfs or psutil"):
        default_probe()
    monkeypatch.setattr(L, "_PROBE", None)


@linux
def test_procfs_and_psutil_probes_agree_on_the_same_real_sockets():
    """Two independent readers of the kernel's tables: any decoding slip in one shows as a difference."""
    port = free_port()
    with http_server(port), bound(socket.SOCK_DGRAM, port=port), bound(socket.SOCK_STREAM) as (_server, sport):
        client = socket.create_connection(("127.0.0.1", sport))
        extra = []
        if len(FAMILIES) > 1:
            extra = [bound(socket.SOCK_STREAM, socket.AF_INET6), bound(socket.SOCK_DGRAM, socket.AF_INET6)]
            for cm in extra:
                cm.__enter__()
        try:
            for include_all in (False, True):
                mine = {sport, port, client.getsockname()[1]} | {
                    x.port for x in listeners() if x.pid == os.getpid()}
                a = [x for x in ProcfsProbe().scan(include_all).listeners if x.port in mine]
                b = [x for x in PsutilProbe().scan(include_all).listeners if x.port in mine]
                assert a == b
                # http.server, UDP, server (+ IPv6 TCP and UDP); with --all both ends of the connection
                assert len(a) == 3 + 2 * (len(FAMILIES) - 1) + (2 if include_all else 0)
        finally:
            client.close()
            for cm in extra:
                cm.__exit__(None, None, None)


@pytest.mark.parametrize("probe", [PsutilProbe(), ProcfsProbe()], ids=["psutil", "procfs"])
def test_unprivileged_user_sees_the_socket_but_not_roots_process(tmp_path, probe):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to nobody; the hidden-owner case is then the test run itself")
    if isinstance(probe, ProcfsProbe) and not probe.available():
        pytest.skip("no /proc/net here")
    tmp_path.chmod(0o777)
    port = free_port()
    # A separate root process holds the socket: a forked child would inherit it as its own fd.
    with http_server(port):
        rows = as_nobody(lambda: scan(port, probe=probe).listeners, tmp_path)
    assert len(rows) == 1
    x: Listener = rows[0]
    assert x.port == port and x.state == "LISTEN"
    assert x.pid is None and x.process is None and x.user is None
    assert "hides the process" in x.note and "sudo" in x.note


def test_connected_udp_socket_is_not_a_listener_but_shows_with_all():
    with bound(socket.SOCK_DGRAM) as (_peer, pport):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.connect(("127.0.0.1", pport))
            port = s.getsockname()[1]
            assert listeners(port) == [] and not is_listening(port, Transport.UDP)
            assert port not in bound_ports("udp")
            (row,) = listeners(port, include_all=True)
            assert (row.state, row.remote, row.pid) == ("CONNECTED", f"127.0.0.1:{pport}", os.getpid())
            assert is_listening(pport, "udp")
        finally:
            s.close()


def test_connection_not_yet_accepted_is_explained():
    with bound(socket.SOCK_STREAM) as (server, port):
        client = socket.create_connection(("127.0.0.1", port))
        try:
            rows = listeners(port, include_all=True)
            assert [r.state for r in rows] == ["LISTEN", "ESTABLISHED"]  # the server first
            queued = rows[1]
            assert queued.pid is None and queued.remote == f"127.0.0.1:{client.getsockname()[1]}"
            assert queued.note == (f"not accepted yet: waiting in the accept queue of the listener on "
                                   f"127.0.0.1:{port} (PID {os.getpid()})")
            conn, _ = server.accept()
            (accepted,) = [r for r in listeners(port, include_all=True) if r.state == "ESTABLISHED"]
            assert accepted.pid == os.getpid() and accepted.note is None
            conn.close()
        finally:
            client.close()
