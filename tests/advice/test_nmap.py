"""Common use without assignment, from nmap-services: the tests' own small table, and Debian's real one
when nmap-common is installed (.ci/run installs it)."""

from __future__ import annotations

import os

import pytest

from portatlas.advice import advise
from portatlas.model import Transport
from portatlas.query.reasons import Level
from portatlas.world import nmap

from ..conftest import run_cli
from . import facts


@pytest.fixture(params=["tests-table", "installed"])
def nmap_table(request, monkeypatch):  # type: ignore[no-untyped-def]
    """The nmap-services file a test reads: the tests' own, or the machine's real one (skipped without it)."""
    if request.param == "installed":
        if not facts.INSTALLED_NMAP.is_file():
            pytest.skip(f"{facts.INSTALLED_NMAP} is not installed (apt-get install nmap-common; .ci/run does)")
        monkeypatch.setenv("PORTATLAS_NMAP_SERVICES", str(facts.INSTALLED_NMAP))
    return facts.nmap_path()


def _common_unofficial(oracle) -> tuple[int, float, str]:
    """The most frequently open TCP User port that nmap names but the registry leaves unassigned (not a
    bad port, not in this machine's ephemeral range)."""
    lo, hi = facts.ephemeral()
    bad = facts.bad_ports()
    rows = sorted(((f, p, n) for p, (f, n) in facts.nmap_frequencies("tcp").items()), reverse=True)
    for f, p, n in rows:
        if (1024 <= p <= 49151 and not lo <= p <= hi and p not in bad and n != "unknown"
                and oracle.state(p, "tcp") == "unassigned"):
            return p, f, n
    raise AssertionError("no unassigned port in nmap-services")


def test_a_common_unofficial_port_is_flagged(registry, oracle):
    p, f, name = _common_unofficial(oracle)
    a = advise(registry, p)
    r = next(r for r in a.reasons if r.code == "frequency.named")
    assert r.level is Level.CAUTION and a.verdict is not Level.GOOD
    assert name in r.title and os.environ["PORTATLAS_NMAP_SERVICES"] in r.source
    pct = f * 100
    assert (f"{pct:.2f}%" if pct >= 0.1 else f"{pct:.2g}%") in r.detail


def test_table_agrees_with_a_plain_reading_of_the_file(nmap_table):
    table, why = nmap.load()
    assert table is not None, why
    assert table.source == str(nmap_table)
    freqs = facts.nmap_frequencies("tcp", nmap_table)
    top = facts.nmap_top("tcp", path=nmap_table)
    assert top, "no common port in the table"
    assert {p for p in range(65536) if table.is_common(p, Transport.TCP)} == top
    for p in (22, 80, 443, 8080, 5800, 65535):
        got = table.get(p, Transport.TCP)
        assert (got is None) == (p not in freqs)
        if got:
            assert got.frequency == freqs[p][0]
            assert got.rank == 1 + sum(1 for f, _ in freqs.values() if f > freqs[p][0])


def test_a_missing_table_is_reported_not_guessed(registry, tmp_path):
    missing = tmp_path / "nope"
    r = run_cli("advise", "5800", env={"PORTATLAS_NMAP_SERVICES": str(missing)})
    assert r.returncode == 0
    assert "Not checked" in r.stdout and f"PORTATLAS_NMAP_SERVICES={missing} is not a readable file" in r.stdout
    assert "nmap calls it" not in r.stdout
    short = run_cli("5800", env={"PORTATLAS_NMAP_SERVICES": str(missing)}).stdout
    assert f"(not read: nmap-services: PORTATLAS_NMAP_SERVICES={missing} is not a readable file)" in short
    assert "nmap calls" not in short


def test_a_file_that_is_not_nmap_services_is_reported(tmp_path):
    junk = tmp_path / "nmap-services"
    junk.write_bytes(b"<html>not it</html>\n\x00\xff")
    r = run_cli("advise", "5800", "--json", env={"PORTATLAS_NMAP_SERVICES": str(junk)})
    import json

    sig = {s["name"]: s for s in json.loads(r.stdout)["signals"]}
    assert sig["frequency"]["available"] is False and "not an nmap-services file" in sig["frequency"]["source"]


def test_parse_ranks_ties_and_cache_roundtrip(tmp_path, monkeypatch):
    data = (b"# comment\n"
            b"a\t10/tcp\t0.5\t# x\n"
            b"b\t11/tcp\t0.5\n"
            b"c\t12/tcp\t0.25\n"
            b"unknown\t13/tcp\t0.000000\n"
            b"d\t10/udp\t0.9\n")
    t = nmap.parse(data, "fixture", top=2)
    assert [t.get(p, Transport.TCP).rank for p in (10, 11, 12, 13)] == [1, 1, 3, 4]
    assert t.is_common(11, Transport.TCP) and not t.is_common(12, Transport.TCP)
    assert not t.is_common(13, Transport.TCP)  # listed but never seen open
    assert t.get(10, Transport.UDP).name == "d" and t.get(99, Transport.TCP) is None
    f = tmp_path / "nmap-services"
    f.write_bytes(data)
    monkeypatch.setenv("PORTATLAS_NMAP_SERVICES", str(f))
    first, _ = nmap.load()
    nmap._LOADED.clear()
    again, _ = nmap.load()  # from the marshal cache this time
    assert again is not first
    for p in range(9, 15):
        assert first.get(p, Transport.TCP) == again.get(p, Transport.TCP)


def test_one_ports_reading_equals_the_full_table(nmap_table):
    # Without a cache directory `portatlas PORT` reads only its port's lines: the same entry, to the bit.
    from portatlas.world.nmap_rank import PortTable

    data = nmap_table.read_bytes()
    full = nmap.parse(data, str(nmap_table))
    listed = {p for t in ("tcp", "udp") for p in facts.nmap_frequencies(t, nmap_table)}
    ports = [*sorted(listed)[::max(1, len(listed) // 150)], 0, 13, 22, 80, 5800, 8080, 65535]
    for p in ports:
        one = PortTable(data, str(nmap_table), p)
        for t in (Transport.TCP, Transport.UDP, Transport.SCTP):
            assert one.get(p, t) == full.get(p, t), (p, t)
            assert one.is_common(p, t) == full.is_common(p, t), (p, t)
    assert one.get(80, Transport.TCP) == full.get(80, Transport.TCP)  # another port: the full table answers
    assert one.common_ports(Transport.TCP) == full.common_ports(Transport.TCP)


def test_without_a_cache_dir_one_port_is_read_and_answers_alike(tmp_path):
    r = run_cli("advise", "5800", "--json", env={"PORTATLAS_CACHE_DIR": "/dev/null/x"})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout == run_cli("advise", "5800", "--json").stdout
    sig = {s["name"]: s for s in __import__("json").loads(r.stdout)["signals"]}
    assert sig["frequency"]["available"] is True


def test_one_ports_reading_agrees_on_odd_lines():
    # Lines a plain search for "80/tcp" would misread: a comment quoting another line, zero padding, a
    # port past 65535, a frequency that is not a number, the same port twice, a name in UTF-8.
    from portatlas.world.nmap_rank import PortTable

    data = ("# header\t80/tcp\t0.99\n"
            "http\t80/tcp\t0.4\t# a comment\t81/tcp\t0.95\n"
            "www\t0080/tcp\t0.4\n"
            "alt\t180/tcp\t0.5\n"
            "big\t70000/tcp\t0.9\n"
            "junk\t81/tcp\t1.2.3\n"
            "thing\t81/tcp\t0.2\n"
            "thing2\t81/tcp\t0.3\n"
            "café\t82/tcp\t0.3\n"
            "\t83/tcp\t0.1\n"
            "zero\t84/tcp\t0.000000\n"
            "u\t80/udp\t0.7\n").encode()
    full = nmap.parse(data, "odd", top=5)
    for p in (79, 80, 81, 82, 83, 84, 180, 70000 % 65536):
        one = PortTable(data, "odd", p, top=5)
        for t in (Transport.TCP, Transport.UDP):
            assert one.get(p, t) == full.get(p, t), (p, t)
