"""`portatlas listening` takes one path, text and JSON alike: ``annotate.machine``'s values rendered by
``Out`` or ``emit_json``. These tests hold the two renderings to one reading of real sockets, keep the text
path light, and hold each light part the reading is built from (netlink table, quoting, word splitting,
range, names) to the slower reference it replaces.
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

from portatlas.model import PortRange, State, Transport
from portatlas.system import socktable
from portatlas.system.annotate import serves
from portatlas.system.flags import _words, range_value
from portatlas.system.listeners import bound_ports
from portatlas.system.rows import _unquote, join_argv, split_cmdline

from .sockets import bound, has_ipv6_loopback

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and netlink are Linux's")


def _free(registry, ports, state, want=lambda p: True):
    taken = bound_ports(Transport.TCP) | bound_ports(Transport.UDP)
    return next(p for p in ports if p not in taken and registry.state(p, Transport.TCP) is state and want(p))


@contextlib.contextmanager
def _flagged_sockets(registry):
    """Sockets raising every flag this machine allows: ephemeral, other-service, and as root the System ones."""
    with open("/proc/self/cmdline") as f:
        me = shlex.join(f.read().rstrip("\0").split("\0"))
    with open("/proc/self/comm") as f:
        name = f.read().strip()
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


def _own_lines(text: str) -> dict[tuple[str, str], str]:
    """The text's socket lines held by this process, by (transport, local address)."""
    return {(ln.split()[0], ln.split()[1]): ln for ln in text.splitlines() if f"(PID {os.getpid()}, " in ln}


def _endpoint(listener: dict[str, object]) -> str:
    a = str(listener["address"])
    return f"[{a}]:{listener['port']}" if ":" in a else f"{a}:{listener['port']}"


@linux
def test_text_and_json_read_the_sockets_alike(cli, registry):
    """Through the real entry point, on this test's own sockets (every flag this machine allows): each
    listener JSON lists is a text line naming the same registry reading and flags."""
    with _flagged_sockets(registry) as mine:
        text = cli("listening")
        data = json.loads(cli("listening", "--json").stdout)
    assert text.returncode == 0 and text.stderr == ""
    own = [s for s in data["sockets"] if s["listener"]["pid"] == os.getpid()]
    lines = _own_lines(text.stdout)
    assert {(s["listener"]["transport"], _endpoint(s["listener"])) for s in own} <= set(lines) and len(own) >= 2
    codes = set()
    for s in own:
        line = lines[(s["listener"]["transport"], _endpoint(s["listener"]))]
        assert line.startswith(s["listener"]["transport"] + " ")
        flags = [f["code"] for f in s["flags"]]
        codes |= set(flags)
        assert line.endswith("! " + ", ".join(flags)) if flags else "!" not in line
        if s["state"] == "assigned":
            assert s["names"][0] in line
    assert {"ephemeral", "other-service"} <= codes  # the comparison covered flagged sockets
    if os.geteuid() == 0:
        assert {"unassigned-system", "reserved"} <= codes
    assert mine  # the sockets were open while both ran


@linux
def test_the_text_path_stays_light(tmp_path):
    """No dataclasses, enum, typing, re, json, pathlib or argparse on either rendering, nor the Registry layer."""
    env = {"PATH": "/usr/bin:/bin", "PORTATLAS_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "from portatlas import Registry; Registry.default()"], env=env, check=True)
    for extra in ([], ["--json"]):
        code = ("import sys, io; from portatlas.cli.main import main; sys.stdout = io.StringIO(); "
                f"main(['listening', *{extra!r}]); sys.stdout = sys.__stdout__; "
                "print(sorted(m for m in ('dataclasses', 'enum', 're', 'json', 'pathlib', 'argparse', 'typing', "
                "'collections', 'portatlas.atlas', 'portatlas.query.grammar') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                             check=False)
        assert out.stdout.strip() == "[]", (extra, out.stderr)


def test_bad_transport_still_fails_in_one_line(cli):
    r = cli("listening", "--json", "--transport", "sctp")
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1
    assert "--transport 'sctp' is not one of tcp or udp" in r.stderr


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
@given(st.one_of(st.none(), st.text(max_size=20)),
       st.one_of(st.none(), st.text(max_size=60), st.lists(st.text(max_size=12), max_size=5).map(shlex.join)))
def test_words_without_re_are_the_words_with_re(process, cmdline):
    assert _words(process, cmdline) == _words_with_re(process, cmdline)


def test_range_value_is_port_range_of():
    assert all(range_value(p) == PortRange.of(p).value for p in range(65536))


def test_names_at_are_the_assignments_names(registry):
    ports = list(range(0, 1100)) + list(range(1100, 49152, 37))
    for t in (Transport.TCP, Transport.UDP):
        for p in ports:
            expected = tuple(dict.fromkeys(r.name for r in registry.lookup(p).on(t).assignments if r.name))
            assert registry.index.names_at(p, t) == registry.index.names_at(p, t.value) == expected
