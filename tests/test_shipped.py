"""The index compiled at build time (index/shipped.py): what it writes, and that loading uses it, on a copy
of the package as a build makes it, without touching the cache directory; and every command still
answering, silently, when no cache directory can be made."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portatlas import index
from portatlas.index import cachefile, shipped
from portatlas.source.paths import BUNDLED

from .conftest import ROOT, run_cli

PACKAGE = ROOT / "src" / "portatlas"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with its compiled data written by ``shipped.write``, as setup.py's build_py does."""
    lib = tmp_path_factory.mktemp("build-lib")
    shutil.copytree(PACKAGE, lib / "portatlas", ignore=shutil.ignore_patterns("__pycache__", "compiled"))
    written = shipped.write(str(lib / "portatlas"))
    compiled = lib / "portatlas" / "data" / "compiled"
    # One file per step of shipped.STEPS, each in data/compiled/ and nowhere else.
    assert written[0] == shipped.index_path(str(lib / "portatlas"))
    assert len(written) == len(set(written)) >= len(shipped.STEPS)
    assert sorted(written) == sorted(str(p) for p in compiled.iterdir())
    assert {Path(p).name for p in written} >= {"registry.index", "history.index", "common-use.marshal"}
    return lib


def test_the_shipped_index_is_the_compiled_bundled_edition(built: Path) -> None:
    data = cachefile._read_cache(shipped.index_path(str(built / "portatlas")), rewrite=False)
    assert data["format"] == index.FORMAT and data["source_size"] == BUNDLED.stat().st_size
    got, want = index.Index(data), index.load(BUNDLED, use_cache=False)
    assert got.edition == want.edition and len(got) == len(want)
    for t in ("tcp", "udp", "sctp", "dccp"):
        assert got.states(t) == want.states(t)  # type: ignore[arg-type]
    assert got.names() == want.names() and got.text() == want.text()
    assert [got.raw(i) for i in range(0, len(got), 97)] == [want.raw(i) for i in range(0, len(want), 97)]


def _load_in(lib: Path, cache: Path) -> dict[str, str]:
    """Load the bundled edition with ``lib`` first on the path (the built copy, not src)."""
    code = ("import json, portatlas; from portatlas import Registry; r = Registry.default(); "
            "print(json.dumps({'file': portatlas.__file__, 'source': r.source, "
            "'state': r.state(300).value, 'edition': r.edition}))")
    env = {**os.environ, "PYTHONPATH": str(lib), "PORTATLAS_CACHE_DIR": str(cache)}
    env.pop("PORTATLAS_REGISTRY", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=lib, check=True)
    out: dict[str, str] = json.loads(proc.stdout)
    return out


def test_loading_the_bundled_edition_uses_it_and_never_the_cache_dir(built: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    got = _load_in(built, cache)
    assert got["file"] == str(built / "portatlas" / "__init__.py")
    assert got["source"] == str(built / "portatlas" / "data" / BUNDLED.name)  # the installed file, named
    assert got["state"] == "assigned" and got["edition"] == "2026-08-17"
    assert not cache.exists()


def test_a_stale_shipped_index_is_not_used(built: Path, tmp_path: Path) -> None:
    # Another source size (an edited bundled file): the shipped index is ignored, the cache dir used.
    stale = tmp_path / "lib"
    shutil.copytree(built, stale)
    target = shipped.index_path(str(stale / "portatlas"))
    data = cachefile._read_cache(target, rewrite=False)
    data = {k: bytes(v) if isinstance(v, memoryview) else
            ({t: bytes(b) for t, b in v.items()} if isinstance(v, dict) and k in ("ports", "states") else v)
            for k, v in data.items()}
    data["source_size"] += 1
    data["edition"] = "1999-01-01"  # would show if it were used
    Path(target).write_bytes(cachefile.encode_cache(data))
    cache = tmp_path / "cache"
    got = _load_in(stale, cache)
    assert got["edition"] == "2026-08-17"
    assert [p.name.startswith(f"index-v{index.FORMAT}-") for p in cache.iterdir()] == [True]


# Each command a user might run where no cache directory can be made (read-only home, sandboxed CI).
NO_CACHE_COMMANDS = [("307",), ("search", "postgres"), ("history", "300"), ("advise", "307"),
                     ("export", "services"), ("listening", "--json")]


@pytest.mark.parametrize("args", NO_CACHE_COMMANDS, ids=lambda a: a[0])
def test_every_command_answers_without_a_cache_dir_and_says_nothing_of_it(built: Path, args: tuple[str, ...]) -> None:
    # The package as built (its shipped index), as an installed one runs.
    unwritable = run_cli(*args, env={"PORTATLAS_CACHE_DIR": "/dev/null/x", "PYTHONPATH": str(built)})
    assert unwritable.returncode == 0 and unwritable.stderr == "", unwritable.stderr
    if args[0] == "listening":  # live: the sockets may change between two runs
        assert json.loads(unwritable.stdout)["sockets"], unwritable.stdout[:500]
        return
    assert unwritable.stdout == run_cli(*args).stdout


def test_without_a_shipped_index_or_a_cache_dir_the_index_is_compiled_in_memory() -> None:
    # An editable checkout has no shipped index: it compiles each time, still silently.
    assert not Path(shipped.index_path(str(PACKAGE))).exists() or pytest.skip("this checkout has a shipped index")
    for args in (("307",), ("search", "postgres")):
        r = run_cli(*args, env={"PORTATLAS_CACHE_DIR": "/dev/null/x", "PORTATLAS_NO_ANSWER_CACHE": "1"})
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert r.stdout == run_cli(*args).stdout
