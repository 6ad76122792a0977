"""`export site` never writes outside DIR (issue 10, defects 5 and 6): links planted in an earlier
export are replaced, not followed, and hostile service names stay inside their folder.

The export runs through ``export_site`` with a few ports (a full export takes two minutes); the
files, links and worker processes are real.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portatlas.export.site import MARKER, export_site

PORTS = [22, 80, 81, 1001]
PAGES = ["/", "/gaps", "/service/http"]
SERVICES = ["http"]  # the documents of the services PAGES show (each of 6,000 is a NameAnswer: seconds in all)
LONG = "n" * 300
HOSTILE_NAMES = [".", "..", "a/b", "../../escape", "..\\..\\win", LONG]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: a file's bytes, or 'link -> target' (links are not followed)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = f"link -> {os.readlink(p)}"
            elif p.is_file():
                out[rel] = p.read_bytes()
    return out


def assert_inside(root: Path) -> None:
    """No link anywhere under ``root``, and every path resolves inside it."""
    real = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            assert not p.is_symlink(), p
            assert p.resolve().is_relative_to(real), p


def test_links_planted_in_an_earlier_export_are_replaced_not_followed(tmp_path, registry) -> None:
    site = tmp_path / "site"
    export_site(site, registry=registry, ports=PORTS, pages=PAGES, services=SERVICES, jobs=2, progress=False)
    first = {k: v for k, v in tree(site).items()}

    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("do not overwrite")
    linked_dir = outside / "dir"
    linked_dir.mkdir()
    hard_victim = outside / "hard.txt"
    hard_victim.write_text("do not overwrite either")
    # A link where a file goes (a port page, a JSON answer, a static file, the home page), where a
    # folder goes (a port's folder, api/ports, static), and a hard link to an outside file.
    for rel in ("port/80/index.html", "api/ports/22.json", "static/site.css", "index.html"):
        (site / rel).unlink()
        (site / rel).symlink_to(victim)
    for rel in ("port/81", "api/ports", "gaps"):
        p = site / rel
        for child in p.iterdir():
            child.unlink()
        p.rmdir()
        p.symlink_to(linked_dir, target_is_directory=True)
    (site / "port" / "22" / "index.html").unlink()
    os.link(hard_victim, site / "port" / "22" / "index.html")
    (site / "port" / "1001").rename(site / "port" / "1001-old")
    (site / "port" / "1001").symlink_to(site / "port" / "1001-old", target_is_directory=True)

    export_site(site, registry=registry, ports=PORTS, pages=PAGES, services=SERVICES, jobs=2, progress=False)
    assert victim.read_text() == "do not overwrite"
    assert hard_victim.read_text() == "do not overwrite either"
    assert list(linked_dir.iterdir()) == []
    assert sorted(p.name for p in outside.iterdir()) == ["dir", "hard.txt", "victim.txt"]
    assert_inside(site)
    again = tree(site)
    for rel, body in first.items():  # every file as the first export wrote it, now real files again
        assert again[rel] == body, rel


@pytest.fixture(params=[pytest.param([".", ".."], id="dots"), pytest.param(HOSTILE_NAMES, id="all")])
def hostile_registry(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A small registry whose service names are path tricks, in effect through PORTATLAS_REGISTRY."""
    from xml.sax.saxutils import escape

    names: list[str] = request.param

    rows = "".join(f"<record><name>{escape(n)}</name><protocol>tcp</protocol><number>{1001 + i}</number>"
                   f"<description>hostile {i}</description></record>\n" for i, n in enumerate(names))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">\n'
           "<title>Service Name and Transport Protocol Port Number Registry</title>\n"
           "<updated>2026-09-01</updated>\n" + rows +
           "<record><name>http</name><protocol>tcp</protocol><number>80</number>"
           "<description>World Wide Web HTTP</description></record>\n</registry>\n")
    path = tmp_path / "hostile.xml"
    path.write_text(xml, encoding="utf-8")
    monkeypatch.setenv("PORTATLAS_REGISTRY", str(path))
    return names


def test_hostile_service_names_stay_in_their_folder(tmp_path, hostile_registry) -> None:
    from portatlas import Registry

    reg = Registry.default()
    assert reg.edition == "2026-09-01" and reg.service("..").name == ".."
    box = tmp_path / "box"
    site = box / "site"
    result = export_site(site, registry=reg, ports=[80, 1001], jobs=2, progress=False)  # every other page
    assert result.pages > 250
    assert sorted(p.name for p in box.iterdir()) == ["site"]  # nothing beside DIR
    assert sorted(p.name for p in tmp_path.iterdir()) == ["box", "hostile.xml"]
    assert_inside(site)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>portatlas" in home  # the home page, not the page of the service ".."
    services = {p.name: p for p in (site / "service").iterdir()}
    assert set(services) >= {"%2E", "%2E%2E", "http"}
    for name in hostile_registry:  # every service has its page and its JSON, each in its own folder
        titles = [p for p in services.values()
                  if f"<title>Service {name[:20]}" in (p / "index.html").read_text(encoding="utf-8")]
        assert titles, name
    assert all(len(n.encode()) <= 255 for n in services)
    docs = [p.name for p in (site / "api" / "services").iterdir()]
    assert len(docs) == len(hostile_registry) + 1 and all(len(n.encode()) <= 255 for n in docs)
    assert (site / MARKER).is_file()
