"""Hostile and unlucky requests to a real `portatlas serve` process (issue 10, defects 4, 7, 9, 11):
each gets a clear answer in the one error shape, never a traceback or a closed connection."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from ..conftest import pg_url, run_cli
from .conftest import free_port

pytestmark = pytest.mark.server


def stop_and_read_stderr(server) -> str:  # type: ignore[no-untyped-def]
    """Stop a server started by the ``serve`` fixture and return everything it logged."""
    os.killpg(server.proc.pid, signal.SIGTERM)
    _, err = server.proc.communicate(timeout=15)
    return err.decode("utf-8", "replace")


def is_error_shape(r: httpx.Response, status: int) -> bool:
    body = r.json()
    return (r.status_code == status and r.headers["content-type"].startswith("application/json")
            and set(body) == {"error"} and body["error"]["status"] == status
            and isinstance(body["error"]["message"], str) and "\n" not in body["error"]["message"])


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- defect 4 ------------------------------------------------------------------------------------

def test_deeply_nested_json_is_a_400_not_a_500(serve) -> None:
    server = serve()
    bodies = [b'{"page": ' + b"[" * 1000 + b"]" * 1000 + b', "helpful": true}',  # the attack: 2 KB
              b"[" * 8000 + b"]" * 8000,  # as deep as 16 KiB allows
              b'{"a":' * 2500 + b"1" + b"}" * 2500]
    for body in bodies:
        r = httpx.post(server.url + "/api/feedback", content=body, headers={"Content-Type": "application/json"})
        assert is_error_shape(r, 400), (r.status_code, r.text[:200])
        assert r.json()["error"]["type"] == "bad_request"
    assert httpx.get(server.url + "/healthz").status_code == 200
    logged = stop_and_read_stderr(server)
    assert "Traceback" not in logged and "RecursionError" not in logged, logged[-2000:]


# -- defect 7 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("updated", ["2026-08-17&#13;&#10;X-Injected: 1", '2026-08-17"', "2026-8-17"])
def test_a_registry_whose_edition_is_not_a_date_is_refused(updated, tmp_path) -> None:
    import lzma

    from portatlas.source.paths import BUNDLED

    xml = lzma.decompress(BUNDLED.read_bytes()).replace(
        b"<updated>2026-08-17</updated>", b"<updated>" + updated.encode() + b"</updated>", 1)
    f = tmp_path / "reg.xml"
    f.write_bytes(xml)
    env = {**os.environ, "PORTATLAS_REGISTRY": str(f), "PORTATLAS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "portatlas", "serve", "--port", str(free_port())], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the server started with an edition that is not a date")
    text = err.decode()
    assert proc.returncode == 4, text
    assert "not a date YYYY-MM-DD" in text and text.count("\n") == 1 and "Traceback" not in text
    r = run_cli("307", env={"PORTATLAS_REGISTRY": str(f), "PORTATLAS_NO_ANSWER_CACHE": "1"})
    assert r.returncode == 4 and "not a date YYYY-MM-DD" in r.stderr and r.stdout == ""


def test_healthz_is_json_and_headers_name_the_edition(serve) -> None:
    server = serve()
    r = httpx.get(server.url + "/healthz")
    assert r.headers["content-type"] == "application/json" and r.json() == {"ok": True, "edition": "2026-08-17"}
    assert httpx.get(server.url + "/api/ports/307").headers["etag"].startswith('"2026-08-17.')


# -- defect 9 ------------------------------------------------------------------------------------

def test_a_large_span_is_cached_and_a_304_renders_nothing(serve) -> None:
    """/api/ports/0-4095 is the largest answer (0.8 MB of JSON, a line per port): a 304 must cost no render,
    and a repeated request must come from the cache. Measured as the server's own CPU time."""
    server = serve()
    c = httpx.Client(base_url=server.url, timeout=60)
    etag = c.get("/api/ports/80").headers["etag"]
    pid = server.proc.pid
    before = server_cpu_seconds(pid)
    for _ in range(3):
        r = c.get("/api/ports/0-4095", headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    not_modified = server_cpu_seconds(pid) - before
    first = c.get("/api/ports/0-4095")
    assert first.status_code == 200 and len(first.content) > 500_000 and first.headers["etag"] == etag
    before = server_cpu_seconds(pid)
    for _ in range(3):
        again = c.get("/api/ports/0-4095")
        assert again.status_code == 200 and again.content == first.content
    repeated = server_cpu_seconds(pid) - before
    print(f"server CPU: three 304s {not_modified:.2f} s, three repeated 200s {repeated:.2f} s")
    assert not_modified < 0.15, f"three 304s cost {not_modified:.2f} s of server CPU: rendered"
    assert repeated < 0.3, f"three repeated requests cost {repeated:.2f} s of server CPU: rendered again"
    assert c.head("/api/ports/0-4095").headers["etag"] == etag


# -- defect 11 -----------------------------------------------------------------------------------

MALFORMED = [
    b"GET /api/ports/80 HTTP/1.1\r\nHost: x\r\nthis header has no colon\r\n\r\n",
    b"GET /api/ports/80 HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n",
    b"NOT A REQUEST LINE\r\n\r\n",
    b"GET /api/stats HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
]


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def test_a_malformed_request_gets_the_json_error_shape(serve) -> None:
    server = serve()
    for request in MALFORMED:
        raw = raw_exchange(server.port, request)
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        assert lines[0].startswith("HTTP/1.1 400"), (request, raw[:300])
        assert headers["content-type"] == "application/json", (request, raw[:300])
        error = json.loads(body)["error"]
        assert error["status"] == 400 and error["type"] == "bad_request" and "not valid HTTP" in error["message"]
        assert int(headers["content-length"]) == len(body)
    assert httpx.get(server.url + "/api/ports/80").status_code == 200  # and the server goes on


def test_405_allows_head_and_every_method_of_the_path(serve) -> None:
    server = serve()
    want = {"/api/ports/80": ("POST", {"GET", "HEAD"}), "/port/80": ("DELETE", {"GET", "HEAD"}),
            "/api/feedback": ("PUT", {"GET", "HEAD", "POST", "OPTIONS"})}
    for path, (method, allowed) in want.items():
        r = httpx.request(method, server.url + path)
        assert r.status_code == 405, (path, r.status_code)
        assert {m.strip() for m in r.headers["allow"].split(",")} == allowed, (path, r.headers["allow"])
        if path.startswith("/api"):
            assert is_error_shape(r, 405)
        assert httpx.head(server.url + path.replace("/api/feedback", "/api/feedback?page=/port/80")).status_code \
            in (200, 204)


def test_a_503_says_when_to_retry(serve) -> None:
    dead = f"postgresql://portatlas:portatlas@127.0.0.1:{free_port()}/none?connect_timeout=2"
    server = serve({"PORTATLAS_DATABASE_URL": dead})
    r = httpx.post(server.url + "/api/feedback", json={"page": "/port/307", "helpful": True}, timeout=30)
    assert is_error_shape(r, 503), (r.status_code, r.text)
    assert int(r.headers["retry-after"]) > 0
    assert httpx.get(server.url + "/port/307").status_code == 200  # pages serve without the database


def test_a_vote_waits_at_most_5_s_for_a_locked_sqlite(serve, tmp_path) -> None:
    db = tmp_path / "votes.sqlite3"
    server = serve({"PORTATLAS_DATABASE_URL": f"sqlite:///{db}"})
    page = "/port/307"
    assert httpx.post(server.url + "/api/feedback", json={"page": page, "helpful": True}).status_code == 201
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        start = time.monotonic()
        r = httpx.post(server.url + "/api/feedback", json={"page": page, "helpful": False}, timeout=60)
        waited = time.monotonic() - start
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert is_error_shape(r, 503) and int(r.headers["retry-after"]) > 0, (r.status_code, r.text)
    assert 4.0 <= waited <= 9.0, f"waited {waited:.1f} s"
    r = httpx.get(server.url + "/api/feedback", params={"page": page})
    assert (r.json()["yes"], r.json()["no"]) == (1, 0)  # the refused vote is not stored
    assert httpx.post(server.url + "/api/feedback", json={"page": page, "helpful": False}).status_code == 201


@pytest.mark.postgres
def test_a_connection_lost_between_insert_and_count_never_reports_a_stored_vote_as_failed(serve) -> None:
    """The answer tells the truth: 201 and the vote stored, or 503 and the vote not stored."""
    import psycopg

    from .pgproxy import CuttingProxy

    url = pg_url()
    parts = urlsplit(url)
    proxy = CuttingProxy((parts.hostname or "127.0.0.1", parts.port or 5432), b"INSERT INTO feedback").start()
    try:
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
        via_proxy = urlunsplit((parts.scheme, netloc, parts.path, "sslmode=disable&gssencmode=disable", ""))
        server = serve({"PORTATLAS_DATABASE_URL": via_proxy})
        page = f"/port/{uuid.uuid4().int % 65536}"

        def stored() -> int:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT COUNT(*) FROM feedback WHERE page = %s", (page,)).fetchone()
                return int(row[0]) if row else 0

        before = stored()
        proxy.arm()
        r = httpx.post(server.url + "/api/feedback", json={"page": page, "helpful": True}, timeout=30)
        assert proxy.cuts == 1, "the proxy never cut the connection"
        after = stored()
        assert (r.status_code, after) in ((201, before + 1), (503, before)), (r.status_code, r.text, before, after)
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) > 0
        again = httpx.post(server.url + "/api/feedback", json={"page": page, "helpful": True}, timeout=30)
        assert again.status_code == 201 and again.json()["yes"] == stored()
    finally:
        proxy.stop()
