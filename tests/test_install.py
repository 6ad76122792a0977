"""The package as a user gets it: a wheel and an sdist built here, each installed into a fresh virtual
environment outside the source tree (no editable install, no src on the path), and every face run
from there with the working directory outside the tree too."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from portatlas.web.assets import hashed_name

from .conftest import ROOT
from .web.conftest import free_port

pytestmark = pytest.mark.slow

# What a checkout holds that a build must not see: environments, caches, earlier builds.
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".peers",
                                 ".pytest_cache", ".mypy_cache", ".hypothesis", ".ruff_cache", "compiled")


def build(base: Path) -> dict[str, Path]:
    """An sdist and a wheel, built (wheel from the sdist, as `python -m build` does) from a copy of the tree."""
    tree = base / "portatlas"
    shutil.copytree(ROOT, tree, ignore=IGNORED)
    out = base / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(tree)],
                          check=False, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {"wheel": next(out.glob("portatlas-*.whl")), "sdist": next(out.glob("portatlas-*.tar.gz"))}


class Installed:
    """A fresh venv with one distribution installed, and a clean environment to run it in."""

    def __init__(self, home: Path, dist: Path) -> None:
        home.mkdir(parents=True)
        self.home = home
        self.venv = home / "venv"
        # A venv without pip (seconds saved); this interpreter's pip installs into it. The project's
        # distribution comes from its file, its dependencies from the package index as usual.
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], check=True, timeout=120)
        proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(self.venv / "bin" / "python"),
                               "install", "-q", "--disable-pip-version-check", str(dist)],
                              check=False, capture_output=True, text=True, timeout=900, cwd=home)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        self.bin = self.venv / "bin"
        self.cwd = home / "elsewhere"
        self.cwd.mkdir()
        self.cache = home / "cache"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("PORTATLAS_", "PYTHON", "VIRTUAL_ENV"))}
        self.env.update(PORTATLAS_CACHE_DIR=str(self.cache), PORTATLAS_DATA_DIR=str(home / "data"),
                        PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}")

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "portatlas"), *args], check=False, capture_output=True, text=True,
                              env=self.env, cwd=self.cwd, timeout=timeout)

    def package_dir(self) -> Path:
        out = subprocess.run([str(self.bin / "python"), "-c", "import portatlas; print(portatlas.__file__)"],
                             capture_output=True, text=True, env=self.env, cwd=self.cwd, check=True).stdout
        return Path(out.strip()).parent


@contextlib.contextmanager
def serving(installed: Installed) -> Iterator[str]:
    """`portatlas serve` from the installed package on a free loopback port; its base URL."""
    port = free_port()
    proc = subprocess.Popen([str(installed.bin / "portatlas"), "serve", "--port", str(port)], env=installed.env,
                            cwd=installed.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                _, err = proc.communicate()
                raise AssertionError(f"serve exited {proc.returncode}: {err.decode()[-2000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz within 60 s"
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)


def test_a_wheel_and_an_sdist_installed_in_fresh_venvs_run_every_face(tmp_path: Path) -> None:
    # One test, so one xdist worker builds once while the other runs the rest of the suite.
    dists = build(tmp_path / "build")
    with ThreadPoolExecutor(2) as pool:  # both installs at once: mostly waiting on pip
        made = {kind: pool.submit(Installed, tmp_path / kind, dist) for kind, dist in dists.items()}
        installs = {kind: f.result() for kind, f in made.items()}
    for kind, installed in installs.items():
        for check in (check_it_runs_from_the_venv_with_the_index_compiled_at_build_time,
                      check_serve_answers_pages_their_files_and_the_api, check_export_site_of_some_ports,
                      check_history):
            try:
                check(installed)
            except AssertionError as e:
                raise AssertionError(f"installed from the {kind}: {check.__name__}: {e}") from e


def check_it_runs_from_the_venv_with_the_index_compiled_at_build_time(installed: Installed) -> None:
    pkg = installed.package_dir()
    assert installed.venv in pkg.parents and ROOT not in pkg.parents
    for f in ("py.typed", "data/browser-bad-ports.txt", "data/history.json.xz", "data/common-use/README.md",
              "data/compiled/registry.index", "web/templates/port.html", "web/static/site.css"):
        assert (pkg / f).is_file(), f
    r = installed.run("307")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("Port 307 is unassigned") and "Unassigned  301-307 on all transports" in r.stdout
    # The first run compiled nothing: no index in the cache directory (only the answer cache, if any).
    assert not list(installed.cache.rglob("index-*")), sorted(installed.cache.rglob("*"))


def check_serve_answers_pages_their_files_and_the_api(installed: Installed) -> None:
    with serving(installed) as server:
        _check_serve(installed, server)


# These checks are of what was installed, not of speed: a loaded two-core CI machine (the other
# xdist worker running chromium or schemathesis) once took over httpx's default 5 s for the
# first page of a fresh server, which renders its templates for the first time.
SLOW = httpx.Timeout(60.0)


def _check_serve(installed: Installed, server: str) -> None:
    page = httpx.get(server + "/port/307", timeout=SLOW)
    assert page.status_code == 200 and "Port 307 is unassigned" in page.text
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert css, "the page links no stylesheet"
    linked = [css.group(1), *re.findall(r'<script src="([^"]+)"', page.text)]
    assert any("feedback." in u for u in linked), linked  # the page links its script (the feedback box)
    static = installed.package_dir() / "web" / "static"
    for url in linked:
        got = httpx.get(server + url, timeout=SLOW)
        assert got.status_code == 200, url
        # Served under a content-hashed name (site.3f2a1c9d0b.css): the installed file's bytes, that hash.
        hashed = Path(url.split("?")[0]).name
        plain = re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", hashed)
        assert got.content == (static / plain).read_bytes(), url
        assert hashed_name(plain, got.content) == hashed, url
    api = httpx.get(server + "/api/ports/307", timeout=SLOW)
    assert api.status_code == 200 and api.json()["port"] == 307
    # While it serves: `listening` from the same install names the server's socket.
    r = installed.run("listening")
    assert r.returncode == 0, r.stderr
    assert f"127.0.0.1:{server.rsplit(':', 1)[1]}" in r.stdout


def check_export_site_of_some_ports(installed: Installed) -> None:
    out = installed.home / "site"
    r = installed.run("export", "site", str(out), "--ports", "300-310", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["directory"] == str(out)
    assert sorted(int(p.name) for p in (out / "port").iterdir()) == list(range(300, 311))
    singles = sorted(p.name for p in (out / "api" / "ports").iterdir() if "-" not in p.name)
    assert singles == sorted(f"{p}.json" for p in range(300, 311))
    assert (out / "api" / "ports" / "301-307.json").is_file()  # a span page's JSON, as its page links it
    for page in ("index.html", "range/system/index.html", "gaps/index.html", "stats/index.html",
                 "search/index.html", "ports/301-307/index.html", "service/tacacss/index.html"):
        assert (out / page).is_file(), page
    assert (out / "static" / "site.css").read_bytes() == (installed.package_dir() / "web/static/site.css").read_bytes()


def check_history(installed: Installed) -> None:
    r = installed.run("history", "300")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Port 300: history in 382 editions of the registry")
