"""One answer for every face: `portatlas X --json` and the API's answer for X are the same JSON document.

The command line runs as a subprocess, the API in a real server process; both read the same machine
(nmap's table, firewalld's files) and the same data directory, so any difference is a face deciding.
"""

from __future__ import annotations

import json

import httpx
import pytest

from ..conftest import run_cli
from ..test_answers import _kinds


@pytest.fixture(scope="module")
def kinds(registry):
    return _kinds(registry)


def _same(cli_args: list[str], api_path: str, server, params=None) -> dict:  # type: ignore[no-untyped-def]
    env = {"PORTATLAS_DATA_DIR": server.env["PORTATLAS_DATA_DIR"]}
    r = run_cli(*cli_args, "--json", env=env)
    assert r.returncode in (0, 1), (cli_args, r.stderr)
    api = httpx.get(server.url + api_path, params=params, timeout=60)
    assert api.status_code == 200, (api_path, api.text[:300])
    assert json.loads(r.stdout) == api.json(), (cli_args, api_path)
    return api.json()


def test_ports_of_every_kind_are_one_document(serve, kinds):
    server = serve()
    for kind, port in kinds.items():
        doc = _same([str(port)], f"/api/ports/{port}", server)
        assert doc["port"] == port, kind
    _same(["80/udp"], "/api/ports/80/udp", server)
    _same(["25565"], "/api/ports/25565", server)


def test_names_lists_search_gaps_and_stats_are_one_document(serve):
    server = serve()
    assert _same(["minecraft"], "/api/services/minecraft", server)["software"]
    assert _same(["postgresql"], "/api/services/postgresql", server)["service"] == "postgresql"
    assert len(_same(["22,80,8000-8002"], "/api/ports/22,80,8000-8002", server)["ports"]) == 5
    assert len(_same(["300-310"], "/api/ports/300-310", server)["ports"]) == 11
    found = _same(["search", "remote desktop"], "/api/search", server, {"q": "remote desktop"})
    assert any("3389" in " ".join([*h.get("ports", []), h.get("number") or ""]) for h in found["hits"][:5])
    _same(["gaps", "--range", "system", "--min", "5"], "/api/gaps", server, {"range": "system", "min": 5})
    _same(["stats"], "/api/stats", server)
