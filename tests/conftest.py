"""Shared fixtures: an isolated cache and data directory, the bundled registry, CLI runners.

Nothing outside the repository is read unless an environment variable names it:
``PORTATLAS_TEST_ARCHIVE`` (the 382-edition archive), ``PORTATLAS_TEST_DATABASE_URL``
(PostgreSQL), ``PORTATLAS_TEST_CHROMIUM`` (the browser; else ``chromium`` on PATH). Tests that
need one of them are skipped, with the reason in pytest's summary, when it is absent. nmap's
table is a small file written here (``PORTATLAS_NMAP_SERVICES``); one test reads the real one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "PORTATLAS_TEST_DATABASE_URL"
ARCHIVE_ENV = "PORTATLAS_TEST_ARCHIVE"
# The browsers' bad-port list as the product ships it (the tests read it with their own code).
BAD_PORTS_FILE = ROOT / "src" / "portatlas" / "data" / "browser-bad-ports.txt"

# A small table in nmap-services' format (name, port/proto, open frequency, comment), made up for the
# tests: a few well-known ports, one common port the registry leaves unassigned (5800/tcp), ties,
# a port listed but never seen open, UDP rows. The tests' facts read it with plain code too.
NMAP_SERVICES = b"""# nmap-services for the portatlas tests (same columns as nmap's own file)
# Fields: service name, portnum/protocol, open-frequency, optional comments
ssh	22/tcp	0.182286	# Secure Shell Login
http	80/tcp	0.484143	# World Wide Web HTTP
https	443/tcp	0.208669	# secure http (SSL)
ftp	21/tcp	0.197667	# File Transfer [Control]
telnet	23/tcp	0.221265
smtp	25/tcp	0.131314	# Simple Mail Transfer
domain	53/tcp	0.048463	# Domain Name Server
domain	53/udp	0.213496	# Domain Name Server
pop3	110/tcp	0.077142
imap	143/tcp	0.050750
microsoft-ds	445/tcp	0.056944
ms-wbt-server	3389/tcp	0.083904	# Microsoft Remote Display Protocol
mysql	3306/tcp	0.045390
postgresql	5432/tcp	0.004717
vnc	5900/tcp	0.015537
vnc-http	5800/tcp	0.014462	# Virtual Network Computer HTTP Access, display 0
http-proxy	8080/tcp	0.042052	# Common HTTP proxy/second web server port
http-alt	8000/tcp	0.007652
sun-answerbook	8888/tcp	0.002473
unknown	9999/tcp	0.001940
unknown	10000/tcp	0.002473
snmp	161/udp	0.433467
ntp	123/udp	0.330879
netbios-ns	137/udp	0.365163
unknown	13/tcp	0.000000
"""


@pytest.fixture(scope="session", autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test run (every xdist worker) gets its own cache and data directories, never the user's,
    and the tests' own nmap table."""
    base = tmp_path_factory.mktemp("portatlas-home")
    os.environ["PORTATLAS_CACHE_DIR"] = str(base / "cache")
    os.environ["PORTATLAS_DATA_DIR"] = str(base / "data")
    os.environ.pop("PORTATLAS_REGISTRY", None)
    nmap = base / "nmap-services"
    nmap.write_bytes(NMAP_SERVICES)
    os.environ["PORTATLAS_NMAP_SERVICES"] = str(nmap)


def archive() -> Path:
    """The 382-edition archive named by PORTATLAS_TEST_ARCHIVE; skips (visibly) when it is not set."""
    env = os.environ.get(ARCHIVE_ENV)
    if not env:
        pytest.skip(f"{ARCHIVE_ENV} is not set: the tests that read other registry editions need the "
                    "382-edition history.tar.xz (.ci/run sets it)")
    path = Path(env)
    if not path.is_file():
        pytest.fail(f"{ARCHIVE_ENV}={env} is not a readable file")
    return path


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


def run_cli(*args: str | bytes, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
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
