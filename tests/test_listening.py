"""`portatlas listening --json`'s lean path answers exactly as the library path does, on real sockets.

The lean path (cli/listening_lean.py) skips the library's value types for
speed; these tests hold it to the library's answer byte for byte, and hold
each light part it is built from (netlink table, quoting, word splitting,
JSON writer, range, names) to the slower reference it replaces.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portatlas.cli import listening_lean
from portatlas.cli.json_lines import value
from portatlas.cli.render_machine import machine_json
from portatlas.model import PortRange, State, Transport
from portatlas.system import processes, socktable
from portatlas.system.annotate import machine, serves
from portatlas.system.ephemeral import EphemeralRange
from portatlas.system.ephemeral_read import read_range
from portatlas.system.flags import _words, range_value
from portatlas.system.listeners import bound_ports
from portatlas.system.probe import ListenerProbe, Scan, finish
from portatlas.system.rows import Row, _unquote, join_argv, split_cmdline

from .sockets import bound, has_ipv6_loopback

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lean path and /proc are Linux's")


class ReplayProbe(ListenerProbe):
    """The rows one real read of the kernel gave, for the library path to read again."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def scan(self, include_all: bool = False) -> Scan:
        return Scan(finish([r for r in self.rows if include_all or r[4] in ("LISTEN", "BOUND")]))


def _free(registry, ports, state, want=lambda p: True):
    taken = bound_ports(Transport.TCP) | bound_ports(Transport.UDP)
    return next(p for p in ports if p not in taken and registry.state(p, Transport.TCP) is state and want(p))


@contextlib.contextmanager
def _flagged_sockets(registry):
    """Sockets raising every flag this machine allows: ephemeral, other-service, and as root the System ones."""
    me = shlex.join(open("/proc/self/cmdline").read().rstrip("\0").split("\0"))
    name = open("/proc/self/comm").read().strip()
    with contextlib.ExitStack() as stack:
        server, port = stack.enter_context(bound(socket.SOCK_STREAM))  # the kernel picks: inside the ephemeral range
        stack.enter_context(bound(socket.SOCK_DGRAM))
        other = _free(registry, range(1024, 32768), State.ASSIGNED,
                      lambda p: serves(registry.index.names_at(p, "tcp"), name, me) is False)
        stack.enter_context(bound(socket.SOCK_STREAM, port=other))
        if os.geteuid() == 0:
            for state in (State.UNASSIGNED, State.RESERVED):
                stack.enter_context(bound(socket.SOCK_STREAM, port=_free(registry, range(1, 1024), state)))
        if has_ipv6_loopback():
            stack.enter_context(bound(socket.SOCK_STREAM, socket.AF_INET6))
            stack.enter_context(bound(socket.SOCK_DGRAM, socket.AF_INET6))
        client = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
        stack.enter_context(server.accept()[0])
        yield {port, other, client.getsockname()[1]}


@linux
def test_lean_json_is_the_library_json_byte_for_byte(registry):
    eph = read_range()
    with _flagged_sockets(registry):
        rows = processes.rows(include_all=True)
    codes = set()
    for include_all in (False, True):
        for transport in (None, "tcp", "udp"):
            found = [r for r in rows if (include_all or r[4] in ("LISTEN", "BOUND"))
                     and (transport is None or r[0] == transport)]
            lean = listening_lean.render(found, registry.index, eph, include_all, transport)
            rep = machine(registry, None, transport, include_all, probe=ReplayProbe(rows), eph=EphemeralRange(*eph))
            assert lean == machine_json(rep)
            codes |= {f.code for x in rep.sockets for f in x.flags}
    assert {"ephemeral", "other-service"} <= codes  # the comparison covered flagged sockets
    if os.geteuid() == 0:
        assert {"unassigned-system", "reserved"} <= codes


def _machine_json_with_the_json_module(rep):
    """The answer as first written, with json's encoder (the reference for json_lines)."""
    from portatlas.model import to_json

    def sock(x):
        s = x.listener
        return {"listener": {"transport": s.transport.value, "family": s.family, "address": s.address,
                             "port": s.port, "state": s.state, "pid": s.pid, "process": s.process,
                             "cmdline": s.cmdline, "user": s.user, "note": s.note, "remote": s.remote},
                "state": x.state.value, "range": x.range.value, "names": list(x.names),
                "flags": [{"code": f.code, "message": f.message} for f in x.flags]}

    head = {"port": rep.port, "transport": rep.transport.value if rep.transport else None,
            "include_all": rep.include_all}
    tail = {"notes": list(rep.notes), "complete": rep.complete, "ephemeral": to_json(rep.ephemeral),
            "edition": rep.edition}
    dump = json.JSONEncoder(ensure_ascii=False).encode
    lines = ["{"] + [f"  {dump(k)}: {dump(v)}," for k, v in head.items()]
    socks = [dump(sock(x)) for x in rep.sockets]
    lines.append('  "sockets": [' + ("" if socks else "],"))
    if socks:
        lines.append(",\n".join(f"    {s}" for s in socks))
        lines.append("  ],")
    items = list(tail.items())
    lines += [f"  {dump(k)}: {dump(v)}{',' if i < len(items) - 1 else ''}" for i, (k, v) in enumerate(items)]
    lines.append("}")
    return "\n".join(lines)


@linux
def test_machine_json_is_what_the_json_module_wrote(registry):
    eph = read_range()
    with _flagged_sockets(registry) as mine:
        rows = processes.rows(include_all=True)
        port = sorted(mine)[0]
    for include_all, transport, at in ((False, None, None), (True, None, None), (False, "udp", None),
                                       (True, None, port), (False, None, 307)):
        rep = machine(registry, at, transport, include_all, probe=ReplayProbe(rows), eph=EphemeralRange(*eph))
        assert machine_json(rep) == _machine_json_with_the_json_module(rep)


@linux
def test_listening_json_as_a_process_matches_the_library(cli, registry):
    """The real entry point (lean) against the library path in this process, on this test's own sockets."""
    with _flagged_sockets(registry) as mine:
        out = cli("listening", "--json", "--all")
        rep = machine(registry, include_all=True)
    assert out.returncode == 0 and out.stderr == ""
    lean, full = out.stdout.rstrip("\n").splitlines(), machine_json(rep).splitlines()
    assert lean[:5] == full[:5] and lean[-5:] == full[-5:]  # the question, notes, ephemeral range, edition

    def own(lines):
        rows = [ln.strip().rstrip(",") for ln in lines if ln.startswith("    {")]
        return [ln for ln in rows if json.loads(ln)["listener"]["pid"] == os.getpid()]

    assert own(lean) == own(full) and len(own(lean)) >= len(mine)


@linux
def test_lean_path_loads_none_of_the_value_types(tmp_path):
    code = ("import sys, io; from portatlas.cli.main import main; sys.stdout = io.StringIO(); "
            "main(['listening', '--json']); sys.stdout = sys.__stdout__; "
            "print(sorted(m for m in ('dataclasses', 'enum', 're', 'json', 'pathlib', 'argparse', 'typing', "
            "'socket', 'portatlas.model', 'portatlas.atlas') if m in sys.modules))")
    env = {"PATH": "/usr/bin:/bin", "PORTATLAS_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "from portatlas import Registry; Registry.default()"], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize("argv,parsed", [
    (["--json"], (False, None)),
    (["-a", "--json", "-t", "UDP"], (True, "udp")),
    (["--transport=tcp", "--json", "--all"], (True, "tcp")),
    ([], None), (["--all"], None), (["--json", "--json"], None), (["--json", "--bogus"], None),
    (["--json", "-t", "sctp"], None), (["--json", "--transport"], None), (["--json", "-t", "tcp", "-t", "udp"], None),
    (["--js"], None), (["--json", "-h"], None),
])
def test_lean_path_takes_only_the_plain_spellings(argv, parsed):
    assert listening_lean.parse(argv) == parsed


def test_bad_transport_still_fails_in_one_line(cli):
    r = cli("listening", "--json", "--transport", "sctp")
    assert r.returncode == 2 and r.stdout == "" and "invalid choice" in r.stderr and len(r.stderr.splitlines()) == 1


@linux
def test_netlink_and_proc_net_tables_agree_on_real_sockets():
    with _sockets_of_every_kind() as mine:
        for include_all in (False, True):
            a = socktable.netlink_table(include_all)
            b = socktable.proc_table(include_all)
            assert a is not None, "this kernel refused sock_diag"
            ours = sorted(e for e in a if e[3] in mine)
            assert ours == sorted(e for e in b if e[3] in mine)
            assert len(ours) >= (len(mine) if include_all else 2)


@contextlib.contextmanager
def _sockets_of_every_kind():
    with contextlib.ExitStack() as stack:
        server, port = stack.enter_context(bound(socket.SOCK_STREAM))
        _, uport = stack.enter_context(bound(socket.SOCK_DGRAM))
        client = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
        conn = stack.enter_context(server.accept()[0])
        udp = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        udp.connect(("127.0.0.1", uport))
        mine = {port, uport, client.getsockname()[1], udp.getsockname()[1]}
        if has_ipv6_loopback():
            mine.add(stack.enter_context(bound(socket.SOCK_STREAM, socket.AF_INET6))[1])
            mine.add(stack.enter_context(bound(socket.SOCK_DGRAM, socket.AF_INET6))[1])
        assert conn.fileno() > 0
        yield mine


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_join_argv_is_shlex_join(argv):
    assert join_argv(argv) == shlex.join(argv)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_what_join_argv_writes_splits_without_shlex(argv):
    assert _unquote(join_argv(argv)) == argv


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.text(), max_size=6).map(shlex.join),
                 st.text(alphabet="ab/-._ =:", max_size=30)))
def test_split_cmdline_is_shlex_split(text):
    try:
        expected = shlex.split(text)
    except ValueError:
        with pytest.raises(ValueError):
            split_cmdline(text)
        return
    assert split_cmdline(text) == expected


def _words_with_re(process, cmdline):
    """The word splitting as first written, with shlex and re (the reference for the lean one)."""
    raw = [process or ""]
    if cmdline:
        try:
            argv = shlex.split(cmdline)
        except ValueError:
            argv = cmdline.split()
        raw += [a.rstrip("/").rpartition("/")[2].rpartition("\\")[2] for a in argv[:8]]
    out = set()
    for w in raw:
        w = w.lower().removesuffix(".exe")
        if not w:
            continue
        out.add(w)
        out.update(p for p in re.split(r"[^a-z0-9]+", w) if len(p) >= 3)
        out.add(w.rstrip("0123456789."))
    return out


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=20)), st.one_of(st.none(), st.text(max_size=60),
                                                             st.lists(st.text(max_size=12), max_size=5).map(shlex.join)))
def test_words_without_re_are_the_words_with_re(process, cmdline):
    assert _words(process, cmdline) == _words_with_re(process, cmdline)


_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_json_writer_is_the_json_encoder(v):
    assert value(v) == json.dumps(v, ensure_ascii=False)


def test_range_value_is_port_range_of():
    assert all(range_value(p) == PortRange.of(p).value for p in range(65536))


def test_names_at_are_the_assignments_names(registry):
    ports = list(range(0, 1100)) + list(range(1100, 49152, 37))
    for t in (Transport.TCP, Transport.UDP):
        for p in ports:
            expected = tuple(dict.fromkeys(r.name for r in registry.lookup(p).on(t).assignments if r.name))
            assert registry.index.names_at(p, t) == registry.index.names_at(p, t.value) == expected
