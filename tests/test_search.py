"""Search: ranked, typo-tolerant, literal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portatlas.model import PortRange, Transport


def test_typo_finds_postgresql(registry):
    hits = registry.search("postgress")
    assert hits[0].record.name == "postgresql"


def test_exact_name_ranks_first(registry):
    assert registry.search("redis")[0].record.name == "redis"
    assert registry.search("HTTP")[0].record.name == "http"


def test_description_words_are_searched(registry, oracle):
    hits = registry.search("X Window System", limit=50)
    assert {h.record.name for h in hits} >= {r.name for r in oracle.rows if r.description == "X Window System"}


def test_regex_characters_are_literal(registry, oracle):
    # "." must not act as a wildcard: "x.1" would match "x11" as a regex.
    assert not [h for h in registry.search("x.1") if h.matched != "similar name" and "x.1" not in
                (h.record.name or "").lower() + h.record.description.lower()]
    for q in ("(", "[a-", "*", "\\", "+++", "^$"):
        registry.search(q)  # no exception


def test_filters(registry):
    for h in registry.search("http", transport=Transport.SCTP, limit=50):
        assert h.record.transport in (Transport.SCTP, None)
    for h in registry.search("http", rng=PortRange.SYSTEM, limit=50):
        assert h.record.low is not None and h.record.low <= 1023


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_valid_query(registry, text):
    hits = registry.search(text)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
