"""`portatlas search` through its real entry point, in a subprocess (the web's is in tests/web/test_web_search.py)."""

from __future__ import annotations

import json

import pytest

from portatlas.value import to_data


def _same_json(value: object) -> object:
    return json.loads(json.dumps(to_data(value)))


def test_cli_json_is_the_library_answer(cli, registry):
    r = cli("search", "windows", "file", "sharing", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data == _same_json(registry.search_answer("windows file sharing"))
    assert data["normalised"] == "windows file sharing"
    assert data["hits"][0]["kind"] == "registry" and data["hits"][0]["ports"] == ["445"]
    assert {"registry", "program"} <= {h["kind"] for h in data["hits"]}
    assert all({"kind", "score", "match", "why", "name", "ports"} <= set(h) for h in data["hits"])


def test_cli_text_is_one_line_per_hit_and_limit_counts_them(cli):
    r = cli("search", "SQL_Server", "--limit", "4")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("ms-sql-s") and " 1433 " in lines[0] and "Microsoft SQL Server" in lines[0]
    program = next(line for line in lines if " program " in line)
    assert "1433/tcp" in program
    r = cli("search", "minecraft")
    assert r.stdout.splitlines()[0].startswith("Minecraft: Java Edition server") and "25565/tcp" in r.stdout


def test_cli_port_goes_to_the_port(cli):
    r = cli("search", "22/tcp")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["22", "assigned", "ssh"]
    assert lines[-1] == "the whole answer: portatlas 22/tcp"
    r = cli("search", "port", "443")
    assert r.stdout.splitlines()[0].split()[:3] == ["443", "assigned", "https"] and "portatlas 443" in r.stdout
    data = json.loads(cli("search", "8000-8100", "--json").stdout)
    assert data["hits"] == [] and len(data["ports"]["ports"]) == 101


@pytest.mark.parametrize("args, code, words", [
    (("search", "qqqqzzzzxxxx"), 1, "nothing in the registry or the common-use dataset matches"),
    (("search", "70000"), 2, "out of range"),
    (("search", "x", "--limit", "-1"), 2, "--limit '-1' is out of range"),
    (("search", "22/tcp", "--transport", "udp"), 2, "disagree"),
    (("search", "ssh", "--transport", "ipx"), 2, "'ipx' is not one of tcp, udp, sctp or dccp"),
])
def test_cli_nothing_found_and_bad_input(cli, args, code, words):
    r = cli(*args)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert words in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_cli_did_you_mean_names_programs(cli):
    r = cli("minecrft")
    assert r.returncode == 1 and "did you mean minecraft" in r.stderr
