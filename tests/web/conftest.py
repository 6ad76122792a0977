"""Fixtures for the web face: the app in-process, real server processes, both feedback databases."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from portatlas.web import create_app
from portatlas.web.settings import Settings


@pytest.fixture
def make_client(registry, tmp_path: Path) -> Iterator[Callable[..., httpx.Client]]:  # type: ignore[no-untyped-def]
    """Build a client for the real app in-process, with settings overridden."""
    from fastapi.testclient import TestClient

    clients: list[TestClient] = []

    def make(reg=None, **settings) -> TestClient:  # type: ignore[no-untyped-def]
        settings.setdefault("database_url", f"sqlite:///{tmp_path / 'app.sqlite3'}")
        settings.setdefault("feedback_rate", "0")
        app = create_app(registry=reg or registry, settings=Settings(**settings))
        c = TestClient(app, raise_server_exceptions=False)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client):  # type: ignore[no-untyped-def]
    """The app with defaults: SQLite in a temporary directory, no rate limit."""
    return make_client()


@pytest.fixture
def page_path() -> str:
    """A port page nobody has voted on yet, even on the shared PostgreSQL across runs."""
    return f"/port/{uuid.uuid4().int % 65536}"


def free_port() -> int:
    """A port the kernel says is free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A real `portatlas serve` process on a loopback port."""

    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 1) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portatlas", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                _out, err = self.proc.communicate()
                raise RuntimeError(f"server exited {self.proc.returncode}: {err.decode()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the server and its workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
            self.proc.stderr.close()  # type: ignore[union-attr]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start real server processes (stopped at the end of the test)."""
    servers: list[Server] = []

    def start(env: dict[str, str] | None = None, **kw) -> Server:  # type: ignore[no-untyped-def]
        base = {"PORTATLAS_DATA_DIR": str(tmp_path / "data"), "PORTATLAS_FEEDBACK_RATE": "0"}
        s = Server({**base, **(env or {})}, **kw).start()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
