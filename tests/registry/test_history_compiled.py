"""The compiled per-port history answers exactly what the compact history does, and a damaged file is never believed.

None of these needs the 382-edition archive: the compact history shipped in
the package is the reference, and a newer edition is made from the bundled one.
"""

from __future__ import annotations

import json
import lzma
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portatlas.model import TRANSPORTS, PortRange, State, Transport
from portatlas.registry.history import compiled
from portatlas.registry.history.compact import SHIPPED, History, gaps, history
from portatlas.registry.history.compile import compile_history
from portatlas.registry.history.timelines import from_history, timeline
from portatlas.registry.history.values import PortHistory

from ..conftest import run_cli


def sample_ports(h: History) -> list[int]:
    """Every port 0-1100, every User port any edition assigned, and 500 random ports elsewhere."""
    ports = set(range(1101))
    for v in range(len(h)):
        name, _, low, high = h.row(v)[:4]
        if name and low is not None and high >= 1024 and low <= 49151:
            ports.update(range(max(low, 1024), min(high, 49151) + 1))
    rest = sorted(set(range(65536)) - ports)
    ports.update(random.Random(6335).sample(rest, 500))
    return sorted(ports)


def slow(h: History, port: int) -> PortHistory:
    """A port's history the way it was made before the compiled file: from the compact history's runs."""
    return PortHistory(port, PortRange.of(port), h.editions[0], h.editions[-1], len(h.editions), h.gaps,
                       from_history(h, port))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package's data as the build sees it, with ``compiled.write`` run on it."""
    pkg = tmp_path_factory.mktemp("pkg")
    (pkg / "data").mkdir()
    shutil.copyfile(SHIPPED, pkg / "data" / SHIPPED.name)
    assert compiled.write(str(pkg)) == [str(pkg / "data" / "compiled" / "history.index")]
    return pkg


@pytest.mark.slow
def test_the_compiled_file_is_the_compact_history_port_by_port(package: Path) -> None:
    h = history()
    c = compiled.load(str(package), use_cache=False)
    assert c.path == compiled.shipped_path(str(package))  # the package's own file is preferred
    ports = sample_ports(h)
    assert len(ports) > 7_000  # some 5,600 User ports have been assigned since 2017
    for port in ports:
        want = from_history(h, port)
        assert c.transports(port) == want, port
    # The public path (this process's compiled file, in the test cache directory) and one transport.
    for port in (0, 7, 300, 831, 1023, 5432, 6000, 49151, 65535):
        assert port_history_of(port) == slow(h, port)
        udp = port_history_of(port, "udp")
        assert udp.transports == (slow(h, port).transports[1],)
    assert c.editions == h.editions and len(c.editions) == 382 and c.gaps == h.gaps
    assert all(c.counts(i) == tuple(h.state_counts(i)) for i in range(len(h.editions)))


def port_history_of(port: int, transport: str | None = None) -> PortHistory:
    from portatlas.registry.history import port_history

    return port_history(port, transport, include_stored=False)


def test_stats_over_time_come_from_the_compiled_header() -> None:
    from portatlas.registry.history import stats_over_time

    h = history()
    got = stats_over_time(include_stored=False)
    assert got.dates == h.editions
    assert got.editions == tuple(h.stats(i) for i in range(len(h.editions)))
    # The last edition is the bundled one: its own index counts the same.
    from portatlas.atlas import Registry

    assert got.editions[-1] == Registry.bundled().stats()


def test_system_deassignments_are_every_assignment_a_system_port_lost() -> None:
    """Checked against a plain walk of the compact history: names assigned in one edition, not the next."""
    from portatlas.registry.history import system_deassignments

    h = history()
    want = []
    for port in range(1024):
        runs = h.runs(port)  # consecutive runs are consecutive editions
        for t in TRANSPORTS:
            prev: set[str] = set()
            prev_last = None
            for first, last, records in runs:
                names = {r.name for r in records if r.transport in (None, t) and r.state is State.ASSIGNED}
                want.extend((port, t, name, prev_last, first) for name in sorted(prev - names))
                prev, prev_last = names, last
    got = system_deassignments()
    assert list(got) == want
    assert (831, Transport.TCP, "netconf-beep", "2025-09-26", "2025-09-29") in got
    assert all(port <= 1023 and t in TRANSPORTS for port, t, *_ in got)


def next_edition(xml: bytes) -> bytes:
    """A made-up edition after the bundled one: tacacss's TCP row gone, postgresql's TCP row reworded."""
    xml = xml.replace(b"<updated>2026-08-17</updated>", b"<updated>2026-09-01</updated>", 1)
    xml, n = re.subn(rb"<record[^>]*>\s*<name>tacacss</name>\s*<protocol>tcp</protocol>.*?</record>", b"",
                     xml, count=1, flags=re.DOTALL)
    assert n == 1
    xml, n = re.subn(rb"(<name>postgresql</name>\s*<protocol>tcp</protocol>.*?<description>)PostgreSQL Database<",
                     rb"\1PostgreSQL Database Server<", xml, count=1, flags=re.DOTALL)
    assert n == 1
    return xml


def test_a_stored_newer_edition_extends_the_compiled_timelines(tmp_path: Path, store: Path) -> None:
    from portatlas.registry.history import port_history
    from portatlas.source.paths import BUNDLED
    from portatlas.source.update import update

    f = tmp_path / "next.xml"
    f.write_bytes(next_edition(lzma.decompress(BUNDLED.read_bytes())))
    result = update(str(f))
    assert result.status == "switched" and result.new == "2026-09-01"
    from portatlas.atlas import Registry

    reg = Registry.from_file(result.path)
    h = history()
    dates = [*h.editions, "2026-09-01"]
    ports = sorted({*range(1101), 5432, 5433, *random.Random(9).sample(range(1101, 65536), 300)})
    for port in ports:
        info = reg.lookup(port)
        runs = [*h.runs(port),
                ("2026-09-01", "2026-09-01", tuple({id(r): r for t in info.transports for r in t.records}.values()))]
        want = PortHistory(port, PortRange.of(port), dates[0], dates[-1], len(dates), gaps(dates),
                           tuple(timeline(port, t, runs) for t in TRANSPORTS))
        assert port_history(port) == want, port
    tcp = port_history(300, "tcp").transports[0].events[-1]
    assert (tcp.kind, tcp.before, tcp.first) == ("de-assigned", "2026-08-17", "2026-09-01")
    pg = port_history(5432, Transport.TCP).transports[0].events[-1]
    assert pg.kind == "changed" and pg.first == "2026-09-01"
    assert any(ch.field == "description" and ch.new == "PostgreSQL Database Server" for ch in pg.changes)
    assert port_history(5432, include_stored=False).last_edition == "2026-08-17"


# -- damage ------------------------------------------------------------------------

def good_blob() -> bytes:
    return compile_history(history(), SHIPPED.stat().st_size)


def flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 0x5A]) + blob[at + 1:]


def damaged_versions(blob: bytes) -> dict[str, bytes]:
    """The ways a compiled file can be wrong, each a complete file's bytes."""
    c = compiled.Compiled(blob, SHIPPED.stat().st_size)
    timelines_at = blob.index(bytes(c._timelines[:64]))  # where the timelines blob starts
    b = c._port_blob[300]
    inside_300 = timelines_at + (c._offsets[b] + c._offsets[b + 1]) // 2
    port_table_at = blob.index(bytes(c._port_blob.cast("B")[:64]))
    return {
        "empty": b"",
        "truncated": blob[:len(blob) // 2],
        "header byte": flip(blob, len(compiled.MAGIC) + 30),
        "length field": flip(blob, len(compiled.MAGIC) + 2),
        "port table": flip(blob, port_table_at + 2 * 300),
        "port 300's timeline": flip(blob, inside_300),
        "garbage": random.Random(1).randbytes(len(blob)),
        "another history": compile_history(history(), SHIPPED.stat().st_size + 1),
    }


def test_a_damaged_file_is_refused_when_opened_or_read() -> None:
    blob = good_blob()
    size = SHIPPED.stat().st_size
    for what, bad in damaged_versions(blob).items():
        if what == "port 300's timeline":
            c = compiled.Compiled(bad, size)  # only that timeline is wrong: found when it is read
            with pytest.raises(compiled.Damaged):
                c.transports(300)
            assert c.transports(5432) == compiled.Compiled(blob, size).transports(5432)
            continue
        with pytest.raises(compiled.Damaged):
            compiled.Compiled(bad, size)


@pytest.mark.slow
def test_a_damaged_cache_file_is_compiled_again_never_believed(tmp_path: Path) -> None:
    """Each damaged cache file, in a fresh process: the right answer, nothing on stderr, the file rewritten."""
    ok = run_cli("history", "300", "--json")
    assert ok.returncode == 0 and ok.stderr == ""
    want = json.loads(ok.stdout)
    assert want["transports"][0]["events"][-1]["records"][0]["name"] == "tacacss"
    blob = good_blob()
    # The compact history's own marshal cache, so each process compiles from it quickly.
    compact_cache = next(Path(compiled.cache_path()).parent.glob("history-*.marshal"))
    for what, bad in damaged_versions(blob).items():
        cache = tmp_path / re.sub(r"\W", "-", what)
        cache.mkdir()
        shutil.copyfile(compact_cache, cache / compact_cache.name)
        target = cache / Path(compiled.cache_path()).name
        target.write_bytes(bad)
        r = run_cli("history", "300", "--json", env={"PORTATLAS_CACHE_DIR": str(cache)})
        assert r.returncode == 0 and r.stderr == "", (what, r.stderr)
        assert json.loads(r.stdout) == want, what
        rewritten = target.read_bytes()
        assert rewritten != bad, what
        assert compiled.Compiled(rewritten, SHIPPED.stat().st_size).transports(300) == from_history(history(), 300)


def test_without_a_file_or_a_writable_cache_each_port_is_made_when_asked(
        package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No compiled file and no cache to write one: nothing is compiled ahead, and the answers are the same."""
    from portatlas.registry.history.compile import InMemory

    bare = tmp_path / "pkg"
    (bare / "data").mkdir(parents=True)
    shutil.copyfile(SHIPPED, bare / "data" / SHIPPED.name)
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", "/dev/null/x")
    lazy = compiled.load(str(bare))
    assert isinstance(lazy, InMemory) and lazy.path is None
    full = compiled.load(str(package), use_cache=False)
    assert isinstance(full, compiled.Compiled)
    for port in (0, 2, 300, 831, 993, 1023, 5432, 6000, 49151, 65535):
        assert lazy.transports(port) == full.transports(port), port
        assert lazy.transports(port, Transport.SCTP) == full.transports(port, Transport.SCTP)
    assert (lazy.editions, lazy.gaps, lazy.deassignments) == (full.editions, full.gaps, full.deassignments)
    assert all(lazy.counts(i) == full.counts(i) for i in range(len(full.editions)))
    # With a writable cache directory, the same package compiles its file there once.
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path / "cache"))
    written = compiled.load(str(bare))
    assert isinstance(written, compiled.Compiled) and written.path is None
    assert compiled.load(str(bare)).path == compiled.cache_path(str(bare / "data" / SHIPPED.name))


def test_no_writable_cache_directory_still_answers_without_a_word() -> None:
    want = run_cli("history", "300")
    got = run_cli("history", "300", env={"PORTATLAS_CACHE_DIR": "/dev/null/x"})
    assert got.returncode == 0 and got.stderr == "", got.stderr
    assert got.stdout == want.stdout
    assert "between 2024-03-18 and 2025-08-26" in got.stdout and "tacacss" in got.stdout
    j = run_cli("history", "300", "--transport", "udp", "--json", env={"PORTATLAS_CACHE_DIR": "/dev/null/x"})
    assert j.returncode == 0 and j.stderr == ""
    assert json.loads(j.stdout)["transports"][0]["events"][-1]["state"] == "reserved"


def test_a_port_history_loads_nothing_heavy() -> None:
    """With the compiled file in place, a port's history imports no dataclasses, enum, typing, pathlib or re."""
    compiled.opened()  # compiled into this run's cache directory if it was not there yet
    code = ("import sys; from portatlas.registry.history import port_history; port_history(5432); "
            "print([m for m in ('dataclasses', 'enum', 'typing', 'pathlib', 're', 'json', 'datetime') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_every_public_name_of_the_history_package_resolves() -> None:
    """The package re-exports lazily: each name in __all__ comes from its module on first use."""
    code = ("import sys, portatlas.registry.history as h; "
            "assert not [m for m in sys.modules if m.startswith(h.__name__ + '.')]; "
            "missing = [n for n in h.__all__ if getattr(h, n, None) is None]; print(missing, len(h.__all__))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "[]" and int(out.split()[1]) > 30
