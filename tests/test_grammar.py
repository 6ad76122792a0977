"""The one grammar (portatlas.query.grammar) read directly: what it asks of the registry."""

from __future__ import annotations

import pytest

from portatlas.errors import BadInput
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



@pytest.mark.parametrize("text, says", [
    ("22 80", "has a space inside a port"),
    ("8 0", "(8,0)"),
    ("22 tcp", "as 22/tcp"),
    ("22,80 443", "(80,443)"),
])
def test_a_space_inside_a_port_is_refused_not_deleted(text, says):
    with pytest.raises(BadInput) as e:
        read(text, is_name=lambda _: False)
    assert says in str(e.value) and repr(text) in str(e.value)


@pytest.mark.parametrize("text, low, high", [("22, 80", 22, 22), ("8000 - 8100", 8000, 8100), ("80 / tcp", 80, 80)])
def test_spaces_around_commas_dashes_and_slashes_are_layout(text, low, high):
    q = read(text, is_name=lambda _: False)
    assert (q.specs[0].low, q.specs[0].high) == (low, high)


@pytest.mark.parametrize("command", [[], ["who"], ["advise"], ["history"]])
def test_every_command_refuses_a_space_inside_a_port(cli, command):
    r = cli(*command, "22 80")
    assert r.returncode == 2 and "space inside a port" in r.stderr, (r.stdout, r.stderr)
