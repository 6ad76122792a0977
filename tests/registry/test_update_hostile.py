"""Hostile downloads for `portatlas update` (issue 10): a bad edition date, a decompression bomb,
and what an older version left in the store. Real CLI processes against a real loopback server."""

from __future__ import annotations

import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portatlas.source.paths import BUNDLED
from portatlas.value import replace

from ..conftest import run_cli
from . import httpserver
from .test_update import snapshot

BUNDLED_XML = lzma.decompress(BUNDLED.read_bytes())
HEAD = b"<updated>2026-08-17</updated>"
PEAK_LIMIT_MIB = 300


def with_edition(text: bytes) -> bytes:
    """The bundled registry claiming another <updated> text."""
    assert BUNDLED_XML.index(HEAD) < BUNDLED_XML.index(b"<record")  # the registry's own, first
    return BUNDLED_XML.replace(HEAD, b"<updated>" + text + b"</updated>", 1)


def test_only_a_real_date_is_an_edition(server, tmp_path) -> None:
    """Defects 1 and 2: a path, non-date text, a line break, a quote or an impossible day is exit 4,
    and nothing is written anywhere (inside the data directory or outside it)."""
    data = tmp_path / "data"
    env = {"PORTATLAS_DATA_DIR": str(data)}
    outside = tmp_path / "outside"
    hostile = {
        "traversal": f"2026-08-18/../../../../../../../..{outside}/x".encode(),
        "not-a-date": b"zzzz-not-a-date",
        "crlf": b"2026-09-01&#13;&#10;X-Injected: 1",
        "quote": b'2026-09-01"',
        "slash": b"2026/09/01",
        "impossible-day": b"2026-02-30",
        "trailing": b"2026-09-01x",
    }
    before = snapshot(data) if data.exists() else {}
    for case, text in hostile.items():
        server.routes[f"/{case}.xml"] = httpserver.Route(with_edition(text))
        r = run_cli("update", "--source", server.url(f"/{case}.xml"), env=env)
        assert r.returncode == 4, (case, r.stdout, r.stderr)
        assert "not a date YYYY-MM-DD" in r.stderr and "nothing changed" in r.stderr, case
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and r.stdout == "", case
        assert not outside.exists() and not list(tmp_path.rglob("x.*.xml")), case
        assert (snapshot(data) if data.exists() else {}) == before, case
    r = run_cli("edition", "--json", env=env)
    assert json.loads(r.stdout)["edition"] == "2026-08-17" and json.loads(r.stdout)["origin"] == "bundled"
    # A real date still switches, and its stored name is built from that date.
    server.routes["/good.xml"] = httpserver.Route(with_edition(b"2026-09-01"))
    r = run_cli("update", "--source", server.url("/good.xml"), "--json", env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["status"] == "switched", r.stderr
    stored = [p.name for p in (data / "editions").iterdir() if p.name.startswith("service-")]
    assert len(stored) == 1 and stored[0].startswith("service-names-port-numbers.2026-09-01.")


def _leave_as_an_older_version_did(data: Path, edition: str) -> Path:
    """What `update` before issue 10 stored for a registry whose <updated> was ``edition``:
    the file under a name built from it, its bookkeeping, the pointer, and its compiled index
    in the cache (so a reader that trusts the cache never parses the file again)."""
    from portatlas.index import cachefile, compile_registry
    from portatlas.registry.parse import parse

    xml = with_edition(b"2026-08-17")  # parse the good bytes, then give the result the bad edition
    name = f"service-names-port-numbers.{edition}.0123456789ab.xml"
    d = data / "editions"
    path = d / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(with_edition(edition.encode()))
    parsed = replace(parse(xml), edition=edition)
    cachefile.save(path, compile_registry(parsed, source=str(path)))
    meta = {"editions": {name: {"edition": edition, "source": "http://old.example/reg.xml",
                                "sha256": "0123456789ab" + "0" * 52, "records": len(parsed.records),
                                "fetched": "2026-09-01T00:00:00Z"}},
            "trail": [name], "validators": {"http://old.example/reg.xml": {"etag": '"x"', "file": name}}}
    (d / "meta.json").write_text(json.dumps(meta))
    (d / "current").write_text(name + "\n")
    return path


@pytest.mark.parametrize("edition", ["zzzz-not-a-date", "2026-09-01\r\nX: y", '2026-09-01"', "9999-99-99"])
def test_a_bad_stored_edition_breaks_no_command(edition, server, tmp_path) -> None:
    """Defect 2: a stored edition an older version named from a bad date is ignored by every
    command (no traceback), does not block a real update, and that update removes it."""
    if sys.platform == "win32" and ("\n" in edition or '"' in edition):
        pytest.skip("such a file name cannot exist on Windows")
    data = tmp_path / "data"
    env = {"PORTATLAS_DATA_DIR": str(data), "PORTATLAS_NO_ANSWER_CACHE": "1"}
    bad = _leave_as_an_older_version_did(data, edition)
    for args in (["history", "307"], ["history", "http"], ["diff", "2026-05-29"], ["diff", "latest", "current"],
                 ["edition"], ["edition", "--list", "--json"], ["stats", "--over-time"], ["307"], ["http"],
                 ["export", "services"]):
        r = run_cli(*args, env=env)
        assert r.returncode == 0, (args, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr == "", (args, r.stderr)
        assert edition not in r.stdout, args
    info = json.loads(run_cli("edition", "--list", "--json", env=env).stdout)
    assert info["in_use"]["origin"] == "bundled" and info["stored"] == []
    # A real, newer edition is not refused as "older than" the bad one; the update cleans it away.
    server.routes["/next.xml"] = httpserver.Route(with_edition(b"2026-09-01"))
    r = run_cli("update", "--source", server.url("/next.xml"), env=env)
    assert r.returncode == 0 and "switched from edition 2026-08-17 to 2026-09-01" in r.stdout, r.stderr
    assert not bad.exists()
    meta = json.loads((data / "editions" / "meta.json").read_text())
    assert [m["edition"] for m in meta["editions"].values()] == ["2026-09-01"]
    assert "0123456789ab" not in json.dumps(meta)  # the bad file's digest: gone from every part
    r = run_cli("update", "--rollback", env=env)
    assert r.returncode == 0 and "rolled back from edition 2026-09-01 to 2026-08-17" in r.stdout, r.stderr


def test_rollback_cleans_a_bad_stored_edition_too(tmp_path) -> None:
    data = tmp_path / "data"
    env = {"PORTATLAS_DATA_DIR": str(data)}
    bad = _leave_as_an_older_version_did(data, "zzzz-not-a-date")
    r = run_cli("update", "--rollback", env=env)
    assert r.returncode == 1 and "nothing to roll back" in r.stderr and "Traceback" not in r.stderr
    assert not bad.exists() and not (data / "editions" / "current").exists()
    assert json.loads((data / "editions" / "meta.json").read_text())["editions"] == {}


def test_a_pointer_outside_the_store_is_not_followed(tmp_path) -> None:
    """The CLI's fast path and the store read the pointer alike: only a name the store writes."""
    data = tmp_path / "data"
    (data / "editions").mkdir(parents=True)
    outside = tmp_path / "service-names-port-numbers.2026-09-01.0123456789ab.xml"
    outside.write_bytes(with_edition(b"2026-09-01"))
    (data / "editions" / "current").write_text(f"../../{outside.name}\n")
    env = {"PORTATLAS_DATA_DIR": str(data), "PORTATLAS_NO_ANSWER_CACHE": "1"}
    for args in (["307", "--json"], ["edition", "--json"]):
        r = run_cli(*args, env=env)
        assert r.returncode == 0 and json.loads(r.stdout)["edition"] == "2026-08-17", (args, r.stderr)


# -- defect 3: a decompression bomb -------------------------------------------------------------

def _xz_repeated(head: bytes, fill: bytes, total: int) -> bytes:
    """xz holding ``head`` then ``total`` bytes of ``fill``: one stream of 64 MiB repeated
    (concatenated streams are one .xz file; making a single 1 GiB stream takes a minute)."""
    block = 64 * 1024 * 1024
    one = lzma.compress(fill * (block // len(fill)), preset=0)
    return lzma.compress(head, preset=0) + one * (total // block)


# The child's peak memory is measured by a small parent: on Linux a child's ru_maxrss counts
# the memory of the process that forked it (pytest's, here), so this keeps that one small.
_MEASURE = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(p.pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss if sys.platform.startswith("linux") else usage.ru_maxrss // 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _peak_rss_mib(args: list[str], env: dict[str, str], tmp: Path) -> tuple[int, str, float]:
    """Run the CLI; its exit code, stderr, and peak resident memory in MiB (wait4's rusage)."""
    figure = tmp / "peak-kib"
    r = subprocess.run([sys.executable, "-c", _MEASURE, str(figure), sys.executable, "-m", "portatlas", *args],
                       capture_output=True, env={**os.environ, **env}, timeout=180)
    return r.returncode, r.stderr.decode("utf-8", "replace"), int(figure.read_text()) / 1024


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="peak memory is read from wait4's rusage")
def test_a_decompression_bomb_is_refused_within_bounded_memory(server, tmp_path, record_property) -> None:
    """Defect 3: 1 GiB of zeros in a 150 KB download, and 1 GiB of XML whitespace after a valid
    registry head, are each refused (exit 4) with the update's peak memory under 300 MiB."""
    data = tmp_path / "data"
    env = {"PORTATLAS_DATA_DIR": str(data)}
    head = BUNDLED_XML[: BUNDLED_XML.index(b"<record")]
    bombs = {
        "zeros": (_xz_repeated(b"", b"\0", 1 << 30), "malformed"),
        "xml": (_xz_repeated(head.replace(HEAD, b"<updated>2026-09-01</updated>") + b"<note>", b" " * 64,
                             1 << 30), "larger than the 67,108,864-byte limit"),
    }
    for case, (body, phrase) in bombs.items():
        assert len(body) < 1_000_000
        server.routes[f"/{case}.xml.xz"] = httpserver.Route(body, content_type="application/x-xz")
        code, err, peak = _peak_rss_mib(["update", "--source", server.url(f"/{case}.xml.xz")], env, tmp_path)
        record_property(f"peak_rss_mib_{case}", round(peak))
        print(f"{case} bomb ({len(body):,} bytes): exit {code}, peak RSS {peak:.0f} MiB")
        assert code == 4, (case, err)
        assert phrase in err and err.count("\n") == 1 and "Traceback" not in err, (case, err)
        assert peak < PEAK_LIMIT_MIB, f"{case}: peak {peak:.0f} MiB"
        assert not (data / "editions" / "current").exists()


def test_a_single_stream_bomb_is_cut_off_in_steps(tmp_path) -> None:
    """The bounded decompressor on one long stream (the form IANA-like files take), through parse."""
    from portatlas.errors import RegistryError
    from portatlas.registry.parse import parse
    from portatlas.source import xz

    body = lzma.compress(b"<registry>" + b" " * (80 * 1024 * 1024), preset=0)
    with pytest.raises(RegistryError, match="larger than the 67,108,864-byte limit"):
        parse(body)
    with pytest.raises(RegistryError, match="larger than the 1,000-byte limit"):
        xz.decompress(body, 1000)
    assert xz.decompress(lzma.compress(b"abc") + lzma.compress(b"def")) == b"abcdef"
    with pytest.raises(RegistryError, match="damaged xz archive"):
        xz.decompress(body[: len(body) // 2])


# -- defect 8: an argument too long for a file name ----------------------------------------------

@pytest.mark.parametrize("args", [["diff", "LONG"], ["diff", "2026-08-17", "LONG"], ["diff", "--since", "LONG"],
                                  ["update", "--source", "LONG"]])
def test_an_over_long_argument_is_bad_input_quoted_short(args, tmp_path) -> None:
    long = "a" * 300
    r = run_cli(*[long if a == "LONG" else a for a in args], env={"PORTATLAS_DATA_DIR": str(tmp_path / "data")})
    assert r.returncode == 2, (args, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and long not in r.stderr, r.stderr
    assert "(300 characters)" in r.stderr and len(r.stderr) < 250
