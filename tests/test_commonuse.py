"""The common-use dataset: well-formed, sourced, no duplicates, CC0; it covers nmap's most frequently open ports."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from portatlas.world.commonuse import DATA_DIR, compile_dir, dataset, normalise
from portatlas.world.commonuse_check import BANNED_SOURCES, check_entry

ROOT = Path(__file__).resolve().parent.parent
NMAP = Path(os.environ.get("PORTATLAS_NMAP_SERVICES") or "/usr/share/nmap/nmap-services")
FIELDS = ("dev", "databases", "caches-queues", "observability", "containers", "remote-access", "games",
          "media-home", "ai-ml", "blockchain", "printers-iot", "os-macos", "os-windows", "os-linux")
# nmap names these ports, but nothing we could find documents any software there (checked 2026-12-01):
# a port's answer quotes nmap's own name for them at run time instead.
UNDOCUMENTED = {(787, "tcp"): "nmap's 'qsc': no software's documentation names this port"}


def _entries() -> list[tuple[str, dict]]:
    out = []
    for f in sorted(Path(DATA_DIR).glob("*.toml")):
        for e in tomllib.loads(f.read_text(encoding="utf-8"))["entry"]:
            out.append((f.stem, e))
    return out


def test_every_entry_is_well_formed_and_sourced():
    entries = _entries()
    assert len(entries) >= 400
    problems = [p for field, e in entries for p in check_entry(f"{field}: {e.get('software')}", e)]
    assert not problems, problems[:10]
    for _, e in entries:
        assert e["source"].startswith("https://") and not any(b in e["source"] for b in BANNED_SOURCES)
        assert e["summary"] != e["source_title"] and len(e["summary"].split()) >= 5


def test_a_broken_entry_is_refused(tmp_path):
    (tmp_path / "x.toml").write_text('[[entry]]\nport = 70000\ntransport = ["tcp"]\nsoftware = "X"\n'
                                     'use = "default"\nsummary = "short"\nsource = "http://example.com"\n'
                                     'source_title = "t"\nchecked = 2026-12-01\n')
    with pytest.raises(ValueError) as e:
        compile_dir(str(tmp_path))
    text = str(e.value)
    assert "port is an integer" in text and "https URL" in text and "summary" in text


def test_no_two_entries_say_the_same_thing():
    seen: dict[tuple[object, ...], str] = {}
    for field, e in _entries():
        for t in e["transport"]:
            key = (str(e["port"]), t, normalise(e["software"]))
            assert key not in seen, f"{field} {e['software']} {e['port']}/{t} is also in {seen[key]}"
            seen[key] = field


def test_every_field_is_there_and_the_licence_is_cc0():
    names = {f.stem for f in Path(DATA_DIR).glob("*.toml")}
    assert set(FIELDS) <= names
    readme = (Path(DATA_DIR) / "README.md").read_text(encoding="utf-8")
    assert "CC0 1.0" in readme and "creativecommons.org/publicdomain/zero/1.0" in readme
    assert "CC0" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_compiled_dataset_is_the_toml():
    d = dataset()
    assert len(d) == len(_entries())
    by_port = [u for u in d.at(25565)]
    assert {u.software for u in by_port} == {e["software"] for _, e in _entries() if str(e["port"]) == "25565"}


def _nmap_top() -> list[tuple[int, str, str]]:
    rows = []
    for line in NMAP.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        port, _, proto = cols[1].partition("/")
        rows.append((float(cols[2]), cols[0], int(port), proto))
    out = []
    for proto, top in (("tcp", 300), ("udp", 100)):
        ranked = sorted((r for r in rows if r[3] == proto), reverse=True)[:top]
        out += [(p, proto, name) for _, name, p, _ in ranked if name != "unknown"]
    return out


def _registry_says(registry, port: int, proto: str, name: str) -> bool:
    """The registry already says what is there: it assigns nmap's name, or its rows on that transport say
    something beyond "Unassigned" (an assignment, a reservation, a note, a known unauthorized use)."""
    info = registry.lookup(port)
    rows = info.on(proto).records
    if name.lower() in {r.name.lower() for r in rows if r.name}:
        return True
    return any(r.name or r.note or r.unauthorized or not r.description.lower().startswith("unassigned")
               for r in rows)


@pytest.mark.skipif(not NMAP.is_file(), reason="nmap-services is not installed (apt install nmap-common)")
def test_nmaps_most_frequently_open_ports_are_covered(registry):
    """nmap's 300 most open TCP ports and 100 UDP ports that nmap names: each is in the dataset or the
    registry already says what runs there; what is not is listed."""
    d = dataset()
    uncovered = [(p, proto, name) for p, proto, name in _nmap_top()
                 if not d.at(p, proto) and not _registry_says(registry, p, proto, name)]
    unexplained = [u for u in uncovered if (u[0], u[1]) not in UNDOCUMENTED]
    assert not unexplained, f"uncovered nmap top ports: {unexplained}"
    assert len(_nmap_top()) > 300  # the table was really read
