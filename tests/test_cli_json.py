"""`--json` is written without the json package: the text is json.dumps(to_data(v), indent=2) byte for byte."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from portatlas.cli.jsontext import dumps
from portatlas.model import PortRange, State, Transport
from portatlas.value import to_data, value


@value
class Pair:
    left: object
    right: object = None


@value
class Empty:
    pass


def reference(v: object) -> str:
    return json.dumps(to_data(v), indent=2, ensure_ascii=False)


_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
                    st.sampled_from([*Transport, *State, *PortRange]))
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.sampled_from(list(Transport))), inner,
                        max_size=4),
        st.builds(Pair, inner, inner), st.just(Empty())),
    max_leaves=16)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_generated_values_are_written_as_json_writes_them(v):
    assert dumps(v) == reference(v)


def test_keys_that_collide_once_written():
    for v in ({1: "a", "1": "b", 2: "c"}, {Transport.TCP: 1, "udp": 2}, {True: 1, "True": 2}, {1.5: 0, "1.5": 1}):
        assert dumps(v) == reference(v)


def test_real_answers_are_written_as_json_writes_them(registry):
    from portatlas.advice import advise, suggest
    from portatlas.registry.history import port_history
    from portatlas.system.annotate import ephemeral_report, machine

    for port in (0, 7, 80, 307, 443, 2654, 5432, 8080, 49152, 65535):
        assert dumps(registry.answer(port)) == reference(registry.answer(port))
    samples = [registry.name("postgresql"), registry.ports("22,80,8000-8010"), registry.stats(),
               registry.gaps("system", 5), registry.search("postgres"), port_history(300),
               machine(registry, include_all=True), ephemeral_report(registry), advise(registry, 8080),
               suggest(registry, count=3, seed=1)]
    for v in samples:
        assert dumps(v) == reference(v)


def test_the_cli_writes_what_the_library_answers(cli, registry):
    out = cli("gaps", "--range", "system", "--json").stdout
    assert out == reference(registry.gaps("system", 1)) + "\n"
