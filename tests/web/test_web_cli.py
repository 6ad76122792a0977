"""`portatlas serve` and `portatlas export site` through the real entry point; settings documented; the default port."""

from __future__ import annotations

import re
import socket

import pytest

from portatlas.model import TRANSPORTS, PortRange, State
from portatlas.system.ephemeral import DEFAULTS
from portatlas.web.settings import DEFAULT_PORT, SETTINGS, Settings, bad_ports, recommended_port

from ..conftest import ROOT, run_cli


def test_default_port_is_the_one_portatlas_recommends(registry):
    assert recommended_port(registry) == DEFAULT_PORT == Settings().port
    p = DEFAULT_PORT
    assert PortRange.of(p) is PortRange.USER
    assert all(registry.state(p, t) is State.UNASSIGNED for t in TRANSPORTS)
    assert p not in bad_ports()
    assert not any(lo <= p <= hi for lo, hi in DEFAULTS.values())
    assert not 1025 <= p <= 5000  # Windows XP's old ephemeral range


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    web = readme[readme.index("## The web site and JSON API"):]
    for s in SETTINGS:
        assert f"`{s.env}`" in web, s.env


def test_a_bad_setting_is_one_line(monkeypatch):
    from portatlas.errors import BadInput

    monkeypatch.setenv("PORTATLAS_FEEDBACK_RATE", "lots")
    with pytest.raises(BadInput, match="N/SECONDS"):
        Settings.from_env()
    monkeypatch.setenv("PORTATLAS_FEEDBACK_RATE", "10/60")
    monkeypatch.setenv("PORTATLAS_PORT", "eighty")
    with pytest.raises(BadInput, match="PORTATLAS_PORT"):
        Settings.from_env()


def test_serve_on_a_busy_port_says_so_in_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "--port", str(port))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [["--port", "70000"], ["--workers", "0"], ["--port", "x"], ["--bogus"]])
def test_serve_refuses_bad_options(args):
    r = run_cli("serve", *args)
    assert r.returncode == 2 and r.stderr.startswith("portatlas: ") and r.stderr.count("\n") == 1


def test_export_site_refuses_a_directory_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    r = run_cli("export", "site", str(tmp_path))
    assert r.returncode == 2 and "nothing was written" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert run_cli("export", "site", "--help").returncode == 0
    r = run_cli("export", "site", str(tmp_path / "new"), "--base-url", "ftp://x")
    assert r.returncode == 2 and re.search(r"--base-url", r.stderr)
