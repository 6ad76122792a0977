"""check-name: each rule of RFC 6335 section 5.1, and names the registry already holds, in any case."""

from __future__ import annotations

import json
import re

import pytest

from portatlas.query.naming import check_name, rules

from ..conftest import run_cli

# An independent statement of RFC 6335 section 5.1: letter-digit runs joined by single hyphens, 1-15, a letter.
_RFC = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def rfc_valid(name: str) -> bool:
    return 1 <= len(name) <= 15 and bool(_RFC.fullmatch(name)) and any(c.isascii() and c.isalpha() for c in name)


@pytest.mark.parametrize("name, broken", [
    ("a", set()),
    ("abcdefghijklmno", set()),           # 15: the longest
    ("abcdefghijklmnop", {"length"}),     # 16
    ("", {"length", "letter"}),
    ("x1-2-3", set()),
    ("my_app", {"characters"}),
    ("caf\u00e9", {"characters"}),        # a letter, but not US-ASCII
    ("my app", {"characters"}),
    ("12345", {"letter"}),
    ("1-2", {"letter"}),
    ("-abc", {"hyphen-ends"}),
    ("abc-", {"hyphen-ends"}),
    ("a--b", {"hyphen-pairs"}),
    ("-a--b-", {"hyphen-ends", "hyphen-pairs"}),
])
def test_each_rule(name, broken):
    got = {r.code for r in rules(name) if not r.ok}
    assert got == broken
    assert all(not r.detail for r in rules(name) if r.ok and r.code != "length")
    assert (not got) == rfc_valid(name)


def test_a_name_hyphenated_at_both_ends_says_both():
    r = next(r for r in rules("-ab-") if r.code == "hyphen-ends")
    assert r.detail == "it starts and ends with a hyphen"


def test_rules_agree_with_an_independent_reading():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=st.sampled_from("aZ09-_.é "), max_size=20))
    def check(name):
        assert all(r.ok for r in rules(name)) == rfc_valid(name)

    check()


def test_a_taken_name_in_another_letter_case(registry, oracle):
    # A registered name, asked in upper case.
    name = next(r.name for r in oracle.rows if r.name and r.name.isalpha() and len(r.name) > 4)
    c = check_name(registry.index, name.upper())
    assert c.valid and c.taken and not c.free
    assert {x.name for x in c.registered} == {name}
    r = run_cli("check-name", name.upper())
    assert r.returncode == 1 and "already registered" in r.stdout and name in r.stdout


def test_an_alias_is_named_as_one(registry):
    # Registry rows whose note says they are an alias of another name (e.g. whois++ for whoispp).
    row = next(r for r in registry.records() if r.name and r.note and "alias to" in r.note)
    c = check_name(registry.index, row.name.swapcase())
    assert c.taken and any(x.alias_of and x.alias_of in row.note for x in c.registered)


def test_a_valid_free_name_exits_0(registry):
    name = "zzqv-portatlas"
    assert not registry.has_name(name)
    r = run_cli("check-name", name)
    assert r.returncode == 0 and "valid service name and free" in r.stdout
    j = json.loads(run_cli("check-name", name, "--json").stdout)
    assert j["free"] is True and j["valid"] is True and j["registered"] == []


def test_an_invalid_name_exits_1_naming_each_broken_rule():
    r = run_cli("check-name", "-my--app_")
    assert r.returncode == 1
    assert "FAIL  only letters A-Z and a-z, digits 0-9 and hyphens: it contains '_'" in r.stdout
    assert "FAIL  no hyphen at the start or end" in r.stdout and "FAIL  no two hyphens in a row" in r.stdout
    long = run_cli("check-name", "x" * 200)
    assert long.returncode == 1 and "it has 200 characters" in long.stdout


def test_bad_usage_exits_2():
    for args in (["check-name"], ["check-name", "a", "b"], ["check-name", "--bogus", "a"]):
        r = run_cli(*args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
