"""`portatlas update` against a real HTTP server on a loopback port: good, same, bad, slow, concurrent."""

from __future__ import annotations

import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portatlas.source.paths import BUNDLED

from ..conftest import run_cli
from . import httpserver

OLD = "2025-08-26"          # seeded as the edition in use
NEW = "2026-08-17"          # what the server offers


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file of the data directory and its bytes: 'nothing changed' means this is equal."""
    return {str(p.relative_to(data_dir)): p.read_bytes()
            for p in sorted(data_dir.rglob("*")) if p.is_file() and p.name != ".lock"}


def seed(data_dir: Path, tmp: Path, xml: bytes) -> None:
    """Make ``xml`` (an older edition) the edition in use, through update itself."""
    f = tmp / "seed.xml"
    f.write_bytes(xml)
    r = run_cli("update", "--source", str(f), "--force", env={"PORTATLAS_DATA_DIR": str(data_dir)})
    assert r.returncode == 0, r.stderr
    assert f"switched from edition {NEW} to {OLD}" in r.stdout


def answers(data_dir: Path) -> tuple[str, str]:
    """What the edition in use answers for port 300, and which edition it says it is."""
    env = {"PORTATLAS_DATA_DIR": str(data_dir), }
    port = run_cli("300", "--json", env=env)
    edition = run_cli("edition", "--json", env=env)
    assert port.returncode == 0 and edition.returncode == 0, port.stderr + edition.stderr
    return port.stdout, json.loads(edition.stdout)["edition"]


def test_newer_edition_switches_then_unchanged_then_rollback(server, editions, tmp_path) -> None:
    data = tmp_path / "data"
    env = {"PORTATLAS_DATA_DIR": str(data)}
    seed(data, tmp_path, editions[OLD])
    before, edition = answers(data)
    assert edition == OLD and "tacacss" in before  # assigned by then, with the draft's reference

    server.routes["/reg.xml"] = httpserver.Route(editions[NEW], etag='"v1"',
                                                 last_modified="Mon, 17 Aug 2026 00:00:00 GMT")
    url = server.url("/reg.xml")
    r = run_cli("update", "--source", url, env=env)
    assert r.returncode == 0, r.stderr
    assert f"switched from edition {OLD} to {NEW}" in r.stdout
    from portatlas.registry.history import diff

    want = diff(OLD, NEW).counts
    assert f"{want.added} rows added ({want.assignments_added} port assignments)" in r.stdout
    assert "netconf-beep" in r.stdout  # de-assigned in between: listed as removed
    after, edition = answers(data)
    assert edition == NEW and after != before and "RFC 9887" in after
    info = json.loads(run_cli("edition", "--json", env=env).stdout)
    assert info["origin"] == "stored" and info["source"] == url and info["fetched"]

    # Same source again: a conditional request, answered 304; nothing switches.
    kept = snapshot(data)
    r = run_cli("update", "--source", url, "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "unchanged"
    assert server.seen[-1].headers.get("If-None-Match") == '"v1"'
    assert server.seen[-1].headers.get("If-Modified-Since") == "Mon, 17 Aug 2026 00:00:00 GMT"
    assert {k: v for k, v in snapshot(data).items() if k != "editions/meta.json"} == \
           {k: v for k, v in kept.items() if k != "editions/meta.json"}

    # Rollback restores the earlier answers; the rolled-back file stays stored.
    r = run_cli("update", "--rollback", env=env)
    assert r.returncode == 0, r.stderr
    assert f"rolled back from edition {NEW} to {OLD}" in r.stdout
    assert answers(data) == (before, OLD)
    assert len(list((data / "editions").glob("service-names-port-numbers.*.xml"))) == 2
    # After a rollback the validators no longer vouch for the edition in use: ask afresh.
    r = run_cli("update", "--source", url, "--json", env=env)
    assert json.loads(r.stdout)["status"] == "switched"
    assert "If-None-Match" not in server.seen[-1].headers
    r = run_cli("update", "--rollback", env=env)
    r = run_cli("update", "--rollback", env=env)  # back to the bundled edition
    assert r.returncode == 0 and f"to {NEW}" in r.stdout and "bundled" in r.stdout
    r = run_cli("update", "--rollback", env=env)
    assert r.returncode == 1 and "nothing to roll back" in r.stderr


def test_the_same_registry_without_validators_is_unchanged(server, tmp_path) -> None:
    data = tmp_path / "data"
    server.routes["/same.xml"] = httpserver.Route(lzma.decompress(BUNDLED.read_bytes()))
    r = run_cli("update", "--source", server.url("/same.xml"), env={"PORTATLAS_DATA_DIR": str(data)})
    assert r.returncode == 0, r.stderr
    assert f"edition {NEW} is current" in r.stdout and "nothing switched" in r.stdout
    assert not (data / "editions" / "current").exists()
    assert not list((data / "editions").glob("service-names-port-numbers.*"))


def _bad_routes(editions: dict[str, bytes]) -> dict[str, tuple[httpserver.Route, list[str], int, str]]:
    new = editions[NEW]
    registry_head = new[: new.index(b"<record")]
    few = registry_head.replace(b"<updated>2026-08-17</updated>", b"<updated>2026-09-01</updated>", 1) + \
        b"<record><name>x</name><protocol>tcp</protocol><number>1</number><description>x</description>" \
        b"</record></registry>"
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE registry [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
            b'<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">'
            b'<updated>2026-09-01</updated><title>&c;</title></registry>')
    external = (b'<?xml version="1.0"?>\n<!DOCTYPE registry [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                b'<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">'
                b'<updated>2026-09-01</updated><title>&x;</title></registry>')
    html = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>sorry</body></html>"
    R = httpserver.Route
    return {
        "truncated": (R(new[: len(new) // 2]), [], 4, "malformed at line"),
        "entities": (R(bomb), [], 4, "declares entities"),
        "external": (R(external), [], 4, "which are refused"),
        "html": (R(html, content_type="text/html"), [], 4, "HTML page"),
        "too-few": (R(few), [], 4, "only 1 records"),
        "older": (R(editions["2017-03-10"]), [], 4, "older than"),
        "over-limit": (R(new), ["--max-bytes", "1000000"], 5, "over the 1,000,000-byte limit"),
        "over-limit-unannounced": (R(new, length=False), ["--max-bytes", "1000000"], 5,
                                   "more than the 1,000,000-byte limit"),
        "server-error": (R(b"oops", status=500), [], 5, "HTTP 500"),
        "stall": (R(new, delay=4), ["--timeout", "1"], 5, "no answer from 127.0.0.1"),
        "drip": (R(new, drip=2000, drip_every=0.1), ["--timeout", "1"], 5, "longer than 1 s"),
    }


BAD = ("truncated", "entities", "external", "html", "too-few", "older", "over-limit",
       "over-limit-unannounced", "server-error", "stall", "drip", "unreachable", "missing-file")


@pytest.fixture(scope="module")
def seeded(editions, tmp_path_factory) -> tuple[Path, dict[str, bytes], tuple[str, str]]:
    """One store with an updated edition in use, shared by every bad-download case: none may
    change it, so its files and answers are taken once and compared after each case."""
    base = tmp_path_factory.mktemp("seeded")
    data = base / "data"
    seed(data, base, editions[OLD])
    return data, snapshot(data), answers(data)


@pytest.mark.parametrize("case", BAD)
def test_a_bad_download_changes_nothing(case, server, editions, seeded, tmp_path) -> None:
    seeded, before_files, before = seeded
    if case == "unreachable":
        import socket

        with socket.socket() as s:  # a port nothing listens on: bound, never listening
            s.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{s.getsockname()[1]}/reg.xml"
            r = run_cli("update", "--source", url, env={"PORTATLAS_DATA_DIR": str(seeded)})
        code, phrase = 5, "cannot reach"
    elif case == "missing-file":
        r = run_cli("update", "--source", str(tmp_path / "nope.xml"), env={"PORTATLAS_DATA_DIR": str(seeded)})
        code, phrase = 2, "no such file"
    else:
        route, args, code, phrase = _bad_routes(editions)[case]
        server.routes[f"/{case}.xml"] = route
        r = run_cli("update", "--source", server.url(f"/{case}.xml"), *args,
                    env={"PORTATLAS_DATA_DIR": str(seeded)})
    assert r.returncode == code, (r.stdout, r.stderr)
    assert phrase in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and r.stdout == ""
    assert snapshot(seeded) == before_files  # nothing half-written, no temporary left behind
    assert answers(seeded) == before


def test_two_updates_at_once_do_not_corrupt_the_store(server, editions, tmp_path) -> None:
    data = tmp_path / "data"
    seed(data, tmp_path, editions[OLD])
    # The server is slow to start answering, so the two runs overlap.
    server.routes["/slow.xml"] = httpserver.Route(editions[NEW], etag='"s1"', delay=1.0)
    env = {**os.environ, "PORTATLAS_DATA_DIR": str(data)}
    cmd = [sys.executable, "-m", "portatlas", "update", "--source", server.url("/slow.xml"), "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    statuses = sorted(json.loads(o[0])["status"] for o in outs)
    assert statuses == ["switched", "unchanged"]
    slow = [s for s in server.seen if s.path == "/slow.xml"]
    assert abs(slow[-1].at - slow[-2].at) >= 0.9  # the second waited for the lock
    meta = json.loads((data / "editions" / "meta.json").read_text())
    stored = sorted(meta["editions"])
    assert len(stored) == 2 and all((data / "editions" / n).is_file() for n in stored)
    assert (data / "editions" / "current").read_text().strip() in stored
    assert answers(data)[1] == NEW
    assert not [p for p in (data / "editions").iterdir() if p.name.endswith(".tmp")]


def test_progress_bar_on_a_terminal(server, editions, tmp_path) -> None:
    import pty

    data = tmp_path / "data"
    seed(data, tmp_path, editions[OLD])
    server.routes["/tty.xml"] = httpserver.Route(editions[NEW])
    master, slave = pty.openpty()
    env = {**os.environ, "PORTATLAS_DATA_DIR": str(data)}
    p = subprocess.run([sys.executable, "-m", "portatlas", "update", "--source", server.url("/tty.xml")],
                       stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert p.returncode == 0
    total = f"of {len(editions[NEW]) / 1e6:.1f} MB".encode()
    assert b"downloading [" in seen and total in seen and b"[" + b"#" * 30 + b"]" in seen
    assert b"downloading" not in p.stdout  # piped output stays clean


def test_an_unwritable_store_is_one_clear_line(tmp_path, editions) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    f = tmp_path / "old.xml"
    f.write_bytes(editions[OLD])
    r = run_cli("update", "--source", str(f), "--force", env={"PORTATLAS_DATA_DIR": str(blocker / "data")})
    assert r.returncode == 5 and "cannot use the editions store" in r.stderr and r.stderr.count("\n") == 1
    assert blocker.read_text() == "not a directory"


def test_update_leaves_the_new_index_cached(editions, tmp_path, store, monkeypatch) -> None:
    """The first answer after an update needs no parse: update cached the index it compiled."""
    from portatlas import index
    from portatlas.registry import parse as parse_module
    from portatlas.source.update import update

    f = tmp_path / "old.xml"
    f.write_bytes(editions[OLD])
    result = update(str(f), force=True)
    assert result.status == "switched"

    def refuse(*a, **k):
        raise AssertionError("parsed again: the cache update wrote was not used")

    monkeypatch.setattr(parse_module, "parse", refuse)
    ix = index.load(Path(result.path))
    assert ix.edition == OLD and len(ix) == len(editions[OLD].split(b"<record")) - 1


def test_any_bytes_are_refused_cleanly(tmp_path, store) -> None:
    """Whatever a download holds, update raises one of its own errors and stores nothing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from portatlas.errors import PortatlasError
    from portatlas.source.update import update

    head = lzma.decompress(BUNDLED.read_bytes())[:4000]
    bodies = st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(lambda b: head + b),
                       st.text(max_size=500).map(lambda t: head + t.encode("utf-8", "surrogatepass")))
    f = tmp_path / "body.xml"

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(bodies)
    def check(body: bytes) -> None:
        f.write_bytes(body)
        with pytest.raises(PortatlasError) as e:
            update(str(f))
        assert e.value.exit_code in (4, 5) and "\n" not in str(e.value)
        editions = store / "editions"
        stored = list(editions.glob("service-names-port-numbers.*")) if editions.exists() else []
        assert stored == [] and not (store / "editions" / "current").exists()

    check()
