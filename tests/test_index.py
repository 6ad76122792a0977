"""The compiled index: built once, cached on disk, rebuilt when the source changes."""

from __future__ import annotations

import lzma
import os
import sys

import pytest

from portatlas import index
from portatlas.atlas import Registry
from portatlas.source.paths import BUNDLED

from .test_parse import SMALL


def test_cache_is_written_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path / "c"))
    src = tmp_path / "reg.xml"
    src.write_bytes(SMALL)
    first = index.load(src)
    [cached] = list((tmp_path / "c").iterdir())
    stamp = cached.stat().st_mtime_ns
    # A second load must come from the cache: make parsing impossible and load again.
    monkeypatch.setattr("portatlas.registry.parse.parse", lambda *_: pytest.fail("parsed again"))
    second = index.load(src)
    assert cached.stat().st_mtime_ns == stamp
    assert second.edition == first.edition and len(second) == len(first)


def test_changed_source_rebuilds(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path / "c"))
    src = tmp_path / "reg.xml"
    src.write_bytes(SMALL)
    assert Registry.from_file(src).edition == "2030-01-02"
    src.write_bytes(SMALL.replace(b"2030-01-02", b"2031-05-06"))
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    assert Registry.from_file(src).edition == "2031-05-06"


def test_damaged_cache_is_rebuilt_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(tmp_path / "c"))
    src = tmp_path / "reg.xml"
    src.write_bytes(SMALL)
    index.load(src)
    [cached] = list((tmp_path / "c").iterdir())
    cached.write_bytes(b"\x00garbage")
    assert index.load(src).state(300, index.Transport.TCP).value == "assigned"


def test_unwritable_cache_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PORTATLAS_CACHE_DIR", str(blocker / "sub"))
    src = tmp_path / "reg.xml"
    src.write_bytes(lzma.compress(SMALL))
    assert Registry.from_file(src).lookup(305).state.value == "unassigned"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fast path's directory logic is Linux's")
def test_directories_agree_with_platformdirs(monkeypatch):
    import platformdirs

    from portatlas.source import paths as sources

    monkeypatch.delenv("PORTATLAS_CACHE_DIR", raising=False)
    monkeypatch.delenv("PORTATLAS_DATA_DIR", raising=False)
    assert str(index.cache_dir()) == platformdirs.user_cache_dir("portatlas", appauthor=False)
    assert str(sources.data_dir()) == platformdirs.user_data_dir("portatlas", appauthor=False)


def test_bundled_edition_ships_in_the_package():
    assert BUNDLED.is_file()
    assert "shared" not in BUNDLED.parts


def test_a_missing_registry_file_is_one_line_exit_4(tmp_path):
    from .conftest import run_cli

    missing = str(tmp_path / "nope.xml")
    for args in (["80"], ["search", "http"], ["postgresql"], ["stats"]):
        r = run_cli(*args, env={"PORTATLAS_REGISTRY": missing})
        assert r.returncode == 4, (args, r.stderr)
        assert r.stderr.count("\n") == 1 and "cannot be read" in r.stderr and "Traceback" not in r.stderr
