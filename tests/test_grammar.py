"""The one grammar (portatlas.query.grammar) read directly: what it asks of the registry."""

from __future__ import annotations

import pytest

from portatlas.query.grammar import QueryKind, read


@pytest.mark.parametrize("text", ["5432", "080", "22,80,8000-8100", "8000-8100"])
def test_digits_alone_are_never_looked_up_as_a_name(registry, text):
    asked: list[str] = []
    q = read(text, is_name=lambda s: asked.append(s) or registry.has_name(s))
    assert q.kind is not QueryKind.NAME and asked == []


def test_names_that_start_with_a_digit_are_still_names(registry):
    # computed from the registry: every assigned name that begins like a port number
    numeric_looking = [n for n in registry.index.names() if n[0].isdigit() and "/" not in n]
    assert numeric_looking, "the registry has names such as 9pfs and 3com-tsmux"
    for name in numeric_looking:
        q = read(name, is_name=registry.has_name)
        assert q.kind is QueryKind.NAME and q.name == name

