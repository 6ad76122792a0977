"""Search on the web: /api/search is the command line's document, /search lists rows and programs."""

from __future__ import annotations

import json

import pytest

from ..conftest import run_cli


def test_api_is_the_cli_document(client):
    for q in ("rdp", "22/tcp", "plex"):
        api = client.get("/api/search", params={"q": q})
        assert api.status_code == 200
        assert api.json() == json.loads(run_cli("search", q, "--json").stdout), q
    assert client.get("/api/search", params={"q": "rdp", "limit": 3}).json()["hits"][0]["ports"] == ["3389"]
    assert client.get("/api/search", params={"q": "70000"}).status_code == 422


def test_page_lists_rows_and_programs_with_their_ports_linked(client):
    body = client.get("/search", params={"q": "minecraft"}).text
    assert "Minecraft: Java Edition server" in body and 'href="/port/25565"' in body
    assert 'href="/port/19132"' in body and 'class="hit-program"' in body
    body = client.get("/search", params={"q": "remote desktop"}).text
    assert 'href="/service/ms-wbt-server"' in body and 'href="/port/3389"' in body
    assert 'class="hit-registry"' in body
    ranged = client.get("/search", params={"q": "x11"}).text
    assert 'href="/ports/6000-6063"' in ranged


@pytest.mark.parametrize("q, where", [("22/tcp", "/port/22"), ("port 443", "/port/443"), ("5432", "/port/5432"),
                                      ("8000-8100", "/ports/8000-8100")])
def test_page_sends_a_port_to_its_page(client, q, where):
    r = client.get("/search", params={"q": q}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == where


def test_page_lists_a_list_of_ports(client):
    body = client.get("/search", params={"q": "22,80"}).text
    assert 'id="search-ports"' in body and 'href="/port/22"' in body and 'href="/port/80"' in body
