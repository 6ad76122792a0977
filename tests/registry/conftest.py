"""Fixtures for history and update tests: real editions from the 382-edition archive, read independently.

The archive is named by PORTATLAS_TEST_ARCHIVE (.ci/run points it at the developers' copy); without it
every test using ``editions`` or ``oracles`` is skipped with that reason.
"""

from __future__ import annotations

import lzma
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import archive
from ..oracle import TRANSPORTS, Oracle
from . import httpserver

# Editions the tests read from the archive: the first two, one a year, both sides of
# the 2024-2025 gap, both sides of port 300's RFC number change, the last two.
SAMPLE = ("2017-03-10", "2017-03-13", "2019-02-15", "2022-10-25", "2024-03-18", "2025-08-26",
          "2025-11-20", "2025-12-15", "2026-05-29", "2026-08-17")


def stream_archive(only: set[str]) -> Iterator[tuple[str, bytes]]:
    """(date, XML) of the wanted editions, streamed from the tar.xz without unpacking it."""
    # lzma's reader, not tarfile's 'r|xz', which skips members quadratically slowly.
    with lzma.open(archive()) as xz, tarfile.open(fileobj=xz, mode="r|") as tf:
        for m in tf:
            date = m.name.rsplit("/", 1)[-1].removesuffix(".xml")
            if m.isfile() and date in only:
                f = tf.extractfile(m)
                assert f is not None
                yield date, f.read()


@pytest.fixture(scope="session")
def editions() -> dict[str, bytes]:
    """The SAMPLE editions' XML bytes, read in one pass over the archive."""
    got = dict(stream_archive(set(SAMPLE)))
    assert sorted(got) == sorted(SAMPLE), f"archive lacks {set(SAMPLE) - set(got)}"
    return got


class _Oracles(dict):  # type: ignore[type-arg]
    """date -> Oracle, each edition read on first use (reading one costs about a second)."""

    def __init__(self, editions: dict[str, bytes]) -> None:
        super().__init__()
        self._editions = editions

    def __missing__(self, date: str) -> Oracle:
        o = self[date] = Oracle.from_bytes(self._editions[date])
        return o


@pytest.fixture(scope="session")
def oracles(editions: dict[str, bytes]) -> dict[str, Oracle]:
    """Each sample edition read by the independent stdlib reader (tests/oracle.py)."""
    return _Oracles(editions)


def oracle_state(o: Oracle, port: int, transport: str) -> str:
    """The state of (port, transport) by the DESIGN rule, from the oracle's rows."""
    rows = o.cover.get((port, transport), [])
    if any(r.name for r in rows):
        return "assigned"
    if any(r.description.lower().startswith("reserved") for r in rows):
        return "reserved"
    return "unassigned"


def oracle_counts(o: Oracle) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(range, transport) -> (assigned, reserved, unassigned), counted port by port."""
    out = {}
    for rng, lo, hi in (("system", 0, 1023), ("user", 1024, 49151), ("dynamic", 49152, 65535)):
        for t in TRANSPORTS:
            states = [oracle_state(o, p, t) for p in range(lo, hi + 1)]
            out[(rng, t)] = (states.count("assigned"), states.count("reserved"), states.count("unassigned"))
    return out


def named(o: Oracle) -> set[tuple[str, str, str]]:
    """(name, protocol, number) of every row with a service name and a port."""
    return {(r.name, r.protocol, f"{r.low}" if r.low == r.high else f"{r.low}-{r.high}")
            for r in o.rows if r.name and r.low is not None}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data directory for one test (the edition in use starts as the bundled one)."""
    d = tmp_path / "data"
    monkeypatch.setenv("PORTATLAS_DATA_DIR", str(d))
    monkeypatch.delenv("PORTATLAS_REGISTRY", raising=False)
    monkeypatch.delenv("PORTATLAS_UPDATE_URL", raising=False)
    assert os.environ["PORTATLAS_DATA_DIR"] == str(d)
    return d


@pytest.fixture(scope="module")
def server() -> Iterator[httpserver.Server]:
    """A loopback HTTP server for `portatlas update` to download from, one per test module."""
    state, httpd = httpserver.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
