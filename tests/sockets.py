"""Real sockets and processes for the machine tests: bind, serve, and run code as an unprivileged user."""

from __future__ import annotations

import contextlib
import os
import pickle
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

NOBODY = 65534


def has_ipv6_loopback() -> bool:
    """Whether ::1 can be bound here (containers often lack IPv6)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@contextlib.contextmanager
def bound(kind: int, family: int = socket.AF_INET, port: int = 0,
          host: str | None = None) -> Iterator[tuple[socket.socket, int]]:
    """A listening TCP socket or a bound UDP socket on loopback; yields (socket, port)."""
    host = host or ("::1" if family == socket.AF_INET6 else "127.0.0.1")
    s = socket.socket(family, kind)
    try:
        s.bind((host, port))
        if kind == socket.SOCK_STREAM:
            s.listen()
        yield s, s.getsockname()[1]
    finally:
        s.close()


def free_port(family: int = socket.AF_INET) -> int:
    """A port free on both TCP and UDP right now (the kernel's choice)."""
    for _ in range(50):
        with bound(socket.SOCK_STREAM, family) as (_, port):
            pass
        try:
            with bound(socket.SOCK_DGRAM, family, port):
                return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``check`` until true or timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


@contextlib.contextmanager
def http_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A child `python -m http.server PORT` on 127.0.0.1, up and listening."""
    from portatlas.system.listeners import is_listening

    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
    try:
        assert wait_until(lambda: is_listening(port)), "http.server did not start"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def as_nobody(fn: Callable[[], Any], home: Path) -> Any:
    """Run ``fn`` in a forked child that has dropped root to user nobody; returns its result.

    Everything ``fn`` needs must be imported before the call: after the drop,
    the child cannot read root's Python installation, only /proc as nobody can.
    """
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(r)
            os.environ["HOME"] = str(home)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result: Any = ("ok", fn())
        except BaseException as e:  # noqa: BLE001 - report any failure to the parent, then exit
            result = ("error", f"{type(e).__name__}: {e}")
            code = 1
        with os.fdopen(w, "wb") as f:
            pickle.dump(result, f)
        os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    status, value = pickle.loads(data)
    assert status == "ok", value
    return value
