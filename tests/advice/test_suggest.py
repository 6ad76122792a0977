"""suggest: every port checked again here, independently: registry, browsers, /proc, nmap, a real bind."""

from __future__ import annotations

import json
import socket

import pytest

from portatlas.advice import suggest
from portatlas.query.suggest import name_hash

from ..conftest import run_cli
from ..sockets import bound
from . import facts


def _check_port(p: int, transports: tuple[str, ...], oracle, rng: str = "user") -> None:
    lo, hi = facts.ephemeral()
    for t in transports:
        assert oracle.state(p, t) == "unassigned", (p, t)
        assert p not in facts.nmap_top(t) and p not in facts.nmap_named(t), (p, t)
    assert p not in facts.bad_ports() and p not in facts.common_use_ports(), p
    assert not lo <= p <= hi and p not in facts.reserved()
    assert (1024 <= p <= 32767) if rng == "user" else (61000 <= p <= 65535)
    assert facts.binds(p, transports), p


@pytest.mark.parametrize("transport, ts", [("tcp", ("tcp",)), ("udp", ("udp",)), ("both", ("tcp", "udp"))])
def test_each_suggested_port_passes_every_check(registry, oracle, transport, ts):
    got = suggest(registry, count=10, transport=transport)
    assert len(got) == 10 and len({s.port for s in got}) == 10
    for s in got:
        _check_port(s.port, ts, oracle)
        assert {r.code for r in s.reasons} >= {"registry.unassigned", "browser.allowed", "ephemeral.outside",
                                               "frequency.rare", "common.unused", "free.here"}


def test_dynamic_range(registry, oracle):
    for s in suggest(registry, count=5, transport="both", range="dynamic"):
        _check_port(s.port, ("tcp", "udp"), oracle, rng="dynamic")


def test_near_ranks_by_distance(registry, oracle):
    got = suggest(registry, count=8, near=8080)
    d = [abs(s.port - 8080) for s in got]
    assert d == sorted(d) and got[0].distance == d[0]
    for s in got:
        _check_port(s.port, ("tcp",), oracle)
    # No port closer than the last one was skipped without a reason: each is either suggested or fails a check.
    for p in range(8080 - d[-1] + 1, 8080 + d[-1]):  # strictly closer: a tie at the last distance may be left out
        if p in {s.port for s in got}:
            continue
        lo, hi = facts.ephemeral()
        assert (oracle.state(p, "tcp") != "unassigned" or p in facts.bad_ports() or p in facts.nmap_top("tcp")
                or p in facts.nmap_named("tcp") or p in facts.common_use_ports()
                or not facts.binds(p, ("tcp",)) or lo <= p <= hi), p


def test_a_port_in_use_is_never_suggested(registry):
    first = suggest(registry, count=1, near=20000)[0].port
    with bound(socket.SOCK_STREAM, port=first, host="0.0.0.0"):
        assert first not in {s.port for s in suggest(registry, count=3, near=20000)}
    with bound(socket.SOCK_DGRAM, port=first, host="127.0.0.1"):
        assert first in {s.port for s in suggest(registry, count=3, near=20000, transport="tcp")}
        assert first not in {s.port for s in suggest(registry, count=3, near=20000, transport="udp")}


def test_name_is_stable_across_runs_processes_and_machines(registry, oracle, tmp_path):
    a = run_cli("suggest", "--name", "myapp", "--count", "1", "--json")
    b = run_cli("suggest", "--name", "MyApp", "--count", "1", "--json")
    assert a.returncode == 0, a.stderr
    pa, pb = json.loads(a.stdout)[0]["port"], json.loads(b.stdout)[0]["port"]
    assert pa == pb == suggest(registry, count=1, name="myapp")[0].port
    # A machine without nmap's table starts from the same port: the stable choice does not depend on it.
    c = run_cli("suggest", "--name", "myapp", "--count", "1", "--json",
                env={"PORTATLAS_NMAP_SERVICES": str(tmp_path / "none")})
    assert json.loads(c.stdout)[0]["port"] == pa
    _check_port(pa, ("tcp",), oracle)
    other = suggest(registry, count=1, name="otherapp")[0].port
    assert other != pa and name_hash("otherapp") != name_hash("myapp")


def test_name_moves_on_and_says_so_when_its_port_is_taken_here(registry):
    p = suggest(registry, count=1, name="teamsvc")[0].port
    with bound(socket.SOCK_STREAM, port=p, host="0.0.0.0"):
        moved = suggest(registry, count=1, name="teamsvc")[0]
    assert moved.port != p
    r = next(r for r in moved.reasons if r.code == "suggest.name-moved")
    assert str(p) in r.detail and "in use here" in r.detail


def test_json_is_a_list_of_objects_with_port_and_reasons():
    r = run_cli("suggest", "--count", "3", "--transport", "both", "--json")
    items = json.loads(r.stdout)
    assert isinstance(items, list) and len(items) == 3
    for it in items:
        assert isinstance(it["port"], int) and it["reasons"] and all("source" in x for x in it["reasons"])


def test_text_lists_ports_then_the_checks():
    r = run_cli("suggest", "--count", "2", "--near", "8080")
    assert r.returncode == 0
    assert r.stdout.startswith("2 ports to use on TCP") and "Each passed" in r.stdout and "Free here" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["--count", "0"], "1 to 1000"),
    (["--count", "1001"], "1 to 1000"),
    (["--count", "ten"], "1 to 1000"),
    (["--near", "70000"], "0 to 65535"),
    (["--near", "-5"], "0 to 65535"),
    (["--transport", "sctp"], "tcp, udp or both"),
    (["--range", "system"], "user or dynamic"),
    (["--range", "weird"], "user or dynamic"),
    (["--name", "x" * 200], "1 to 15 characters"),
    (["--name", "my_app!"], "only letters A-Z and a-z, digits 0-9 and hyphens"),
    (["--name", "a", "--near", "80"], "not both"),
])
def test_bad_input_is_one_line_exit_2(args, needle):
    r = run_cli("suggest", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_the_pure_search_honours_any_machine(registry, oracle):
    """Any ephemeral range, reserved holes and busy ports: every result passes them all, near ranks by distance."""
    from dataclasses import dataclass

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from portatlas.model import PortRange, Transport
    from portatlas.query.reasons import Signals
    from portatlas.query.suggest import suggest as pure
    from portatlas.world.badports import bad_ports

    @dataclass(frozen=True)
    class Eph:
        low: int
        high: int
        reserved: tuple[tuple[int, int], ...]
        source: str = "test"
        is_default: bool = False
        system: str = "test"
        excluded: tuple[tuple[int, int], ...] = ()

        def is_reserved(self, port: int) -> bool:
            return any(a <= port <= b for a, b in self.reserved)

        def excluded_range(self, port: int) -> tuple[int, int] | None:
            return next(((a, b) for a, b in self.excluded if a <= port <= b), None)

    bad = bad_ports()

    @settings(max_examples=60, deadline=None)
    @given(lo=st.integers(1024, 40000), width=st.integers(0, 20000), holes=st.lists(
        st.tuples(st.integers(1024, 65535), st.integers(0, 50)), max_size=3),
        ts=st.sampled_from([("tcp",), ("udp",), ("tcp", "udp")]), rng=st.sampled_from(["user", "dynamic"]),
        count=st.integers(1, 30), near=st.one_of(st.none(), st.integers(0, 65535)), busy=st.integers(2, 9),
        exclusions=st.lists(st.tuples(st.integers(1024, 65535), st.integers(0, 300)), max_size=3))
    def check(lo, width, holes, ts, rng, count, near, busy, exclusions):
        eph = Eph(lo, min(65535, lo + width), tuple((a, min(65535, a + w)) for a, w in holes),
                  excluded=tuple((a, min(65535, a + w)) for a, w in exclusions))
        transports = tuple(Transport(t) for t in ts)
        got = pure(registry.index, count=count, transports=transports, rng=PortRange(rng),
                   signals=Signals(bad_ports=bad, ephemeral=eph), is_free=lambda p: "busy" if p % busy == 0 else None,
                   free_source="test", near=near, seed=1)
        ports = [s.port for s in got]
        assert len(ports) == len(set(ports)) <= count
        for p in ports:
            assert all(oracle.state(p, t) == "unassigned" for t in ts)
            assert p not in bad and p % busy and not eph.low <= p <= eph.high and not eph.is_reserved(p)
            assert eph.excluded_range(p) is None
            assert (1024 <= p <= 32767) if rng == "user" else (61000 <= p <= 65535)
        if near is not None:
            assert [abs(p - near) for p in ports] == sorted(abs(p - near) for p in ports)

    check()


FULL = b"""<?xml version="1.0"?>
<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
  <title>Service Name and Transport Protocol Port Number Registry</title>
  <updated>2030-01-02</updated>
  <record><name>everything</name><protocol>tcp</protocol><description>Takes every User port</description>
    <number>1024-49151</number></record>
</registry>"""


def test_nothing_passes_exit_1_with_the_reason(tmp_path):
    reg = tmp_path / "full.xml"
    reg.write_bytes(FULL)
    env = {"PORTATLAS_REGISTRY": str(reg)}
    r = run_cli("suggest", "--count", "3", env=env)
    assert r.returncode == 1 and r.stdout == ""
    lo, hi = facts.ephemeral()
    assert f"no port passed every check (this machine's ephemeral range is {lo}-{hi})" in r.stderr
    # The same registry leaves UDP free, and the Dynamic range is never assigned.
    assert run_cli("suggest", "--transport", "udp", env=env).returncode == 0
    ok = run_cli("suggest", "--range", "dynamic", "--json", env=env)
    assert ok.returncode == 0 and all(61000 <= x["port"] <= 65535 for x in json.loads(ok.stdout))
