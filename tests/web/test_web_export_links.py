"""The static export on a static host: every link an exported page holds resolves to a file the export
writes, as a plain static server (python -m http.server) resolves it; the sitemap lists what was written.

Through the real entry point (`portatlas export site DIR --ports ...`); a whole export takes minutes, so the
links of a partial one are checked against the files it wrote and the pages a whole export writes.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html import escape as html_escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from portatlas.web import urls

from ..conftest import run_cli

_LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
# Names a static server would decode into another path, or that need escaping in a URL at all.
ESCAPED = ["914c/g", "cl/1", "EtherNet/IP-1", "sql*net", "whois++"]
ESCAPED_PORTS = "63,66,172,211,2222"  # the ports those names are assigned to


def export(out: Path, *args: str) -> None:
    r = run_cli("export", "site", str(out), *args, "--jobs", "2", "--no-progress", timeout=300)
    assert r.returncode == 0, r.stderr


def pages(root: Path) -> dict[str, str]:
    """Every exported page: its folder under ``root`` ('/' for the home page) -> its HTML."""
    found = {}
    for f in sorted(root.rglob("index.html")):
        rel = f.parent.relative_to(root).as_posix()
        found["/" if rel == "." else "/" + rel] = f.read_text(encoding="utf-8")
    return found


def links(html: str, base: str = "") -> set[str]:
    """The paths of the site's own links and resources in a page (no fragments, other sites or mailto)."""
    out = set()
    for href in _LINK.findall(html):
        href = href.replace("&amp;", "&")
        if href.startswith(base + "/") and not href.startswith("//"):
            out.add(urlsplit(href[len(base):]).path)
    return out


def on_disk(root: Path, path: str) -> Path | None:
    """The file a static server sends for ``path``: the path decoded once, a folder's index.html."""
    target = root / unquote(path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def whole_export_pages(registry) -> set[str]:  # type: ignore[no-untyped-def]
    """Every page a whole export writes, as the folder (under DIR) a static server looks in.

    A service's folder is its name with '/' written %2F (a folder name cannot hold '/').
    """
    folders = {urls.port_path(p) for p in range(65536)} | {"/search"}
    for p in urls.other_pages(registry):
        if p.startswith("/service/"):
            p = "/service/" + unquote(p[len("/service/"):]).replace("/", "%2F")
        folders.add(p)
    return folders


def test_every_link_of_an_exported_page_resolves_in_the_export(tmp_path, registry) -> None:
    out = tmp_path / "site"
    export(out, "--ports", "300-310")
    every_page = whole_export_pages(registry)
    exported = pages(out)
    assert {"/ports/301-307", "/ports/256-511", "/port/307", "/service/tacacss"} <= set(exported)
    dangling = {}
    for page, html in exported.items():
        for path in links(html):
            if on_disk(out, path):
                continue
            # A partial export leaves its neighbours' pages out (a whole export writes them); every
            # document, picture and style sheet a page links to is written with it.
            if unquote(path) not in every_page or path.startswith(("/api/", "/static/")):
                dangling.setdefault(path, page)
    assert dangling == {}
    # The JSON of each page: the documents the export writes, not the API's paths.
    assert 'href="/api/ports/307.json"' in exported["/port/307"]
    assert 'href="/api/ports/301-307.json"' in exported["/ports/301-307"]
    assert 'href="/api/services/tacacss.json"' in exported["/service/tacacss"]
    assert all("/api/docs" not in html for html in exported.values())
    # 301-307 (a row's range) has no neighbour of its width in any export: no pager; a tile's neighbours are tiles.
    assert 'rel="prev"' not in exported["/ports/301-307"] and 'rel="next"' not in exported["/ports/301-307"]
    assert '<a href="/ports/0-255" rel="prev">' in exported["/ports/256-511"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def static_server():  # type: ignore[no-untyped-def]
    """``python -m http.server`` over a directory: the plainest static host."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(root: Path) -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/robots.txt", timeout=1)
                return url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("http.server did not start")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_services_whose_names_need_escaping_are_reachable_on_a_plain_static_server(tmp_path, static_server) -> None:
    out = tmp_path / "site"
    export(out, "--ports", ESCAPED_PORTS)
    url = static_server(out)
    exported = pages(out)
    with httpx.Client(base_url=url, follow_redirects=True, timeout=10) as http:
        for name in ESCAPED:
            # The link to the service, from the page of its port.
            found = {m for html in exported.values()
                     for m in re.findall(rf'<a href="([^"]*)">{re.escape(html_escape(name))}</a>', html)}
            assert len(found) == 1, (name, found)
            path = found.pop()
            r = http.get(path)
            assert r.status_code == 200 and f"<title>Service {html_escape(name)}" in r.text, (name, path)
            # Every link on the service page that the export wrote is served, its JSON among them.
            for target in links(r.text):
                if target.startswith(("/service/", "/api/", "/static/")):
                    assert http.get(target).status_code == 200, (name, target)
            json_link = re.search(r'<a href="([^"]*)">JSON</a>', r.text).group(1)  # type: ignore[union-attr]
            doc = http.get(json_link)
            assert doc.status_code == 200 and doc.json()["service"] == name, (name, json_link)


def test_a_partial_export_maps_only_its_pages_and_robots_knows_its_path(tmp_path) -> None:
    base = "https://ports.example.org/sub"
    out = tmp_path / "site"
    export(out, "--ports", "307", "--base-url", base)
    index = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = set()
    for loc in index.findall("s:sitemap/s:loc", ns):
        assert loc.text and loc.text.startswith(base + "/sitemaps/")
        listed |= {e.text for e in ET.parse(out / loc.text[len(base) + 1:]).getroot().findall("s:url/s:loc", ns)}
    written = {base + p for p in pages(out) if p != "/search"}
    assert listed == written and f"{base}/port/307" in listed and f"{base}/port/308" not in listed
    robots = (out / "robots.txt").read_text().splitlines()
    assert "Disallow: /sub/search" in robots and "Disallow: /sub/api/search" in robots
    assert "Disallow: /search" not in robots and f"Sitemap: {base}/sitemap.xml" in robots
