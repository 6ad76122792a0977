"""Shared fixtures: an isolated cache and data directory, the bundled registry, CLI runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "PORTATLAS_TEST_DATABASE_URL"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test run gets its own cache and data directories, never the user's."""
    base = tmp_path_factory.mktemp("portatlas-home")
    os.environ["PORTATLAS_CACHE_DIR"] = str(base / "cache")
    os.environ["PORTATLAS_DATA_DIR"] = str(base / "data")
    os.environ.pop("PORTATLAS_REGISTRY", None)


def pg_url() -> str:
    """The test PostgreSQL DSN; its tests are skipped (visibly) only when none is configured (CI sets it)."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (CI sets it; see .ci/run)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A feedback database URL for each backend: every test using it runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    return pg_url()


@pytest.fixture(scope="session")
def registry():
    from portatlas import Registry

    return Registry.bundled()


@pytest.fixture(scope="session")
def oracle():
    from .oracle import Oracle

    return Oracle.bundled()


def run_cli(*args: str | bytes, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (`python -m portatlas`) in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "portatlas", *args], capture_output=True,
                          env=full_env, timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def cli_inprocess(capsys):
    """Run `portatlas ARGS` in this process through cli.main.main; returns (code, out, err)."""
    from portatlas.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run
