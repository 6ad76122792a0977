"""The registry's answers, checked against an independent reading of the same XML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portatlas.model import TRANSPORTS, PortRange, State, Transport

TCP, UDP = Transport.TCP, Transport.UDP


def test_every_port_and_transport_agrees_with_the_oracle(registry, oracle):
    for t in TRANSPORTS:
        states = registry.index.states(t)
        for port in range(65536):
            assert ("assigned", "reserved", "unassigned")[states[port]] == oracle.state(port, t.value), (port, t)


def test_counts_add_up_to_65536_per_transport(registry):
    st_ = registry.stats()
    for t in TRANSPORTS:
        rows = [c for c in st_.counts if c.transport is t]
        assert sum(c.total for c in rows) == 65536
        assert sum(c.assigned + c.reserved + c.unassigned for c in rows) == 65536


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=65535))
def test_each_port_has_exactly_one_state_per_transport(registry, oracle, port):
    info = registry.lookup(port)
    assert [ts.transport for ts in info.transports] == list(TRANSPORTS)
    for ts in info.transports:
        assert ts.state.value == oracle.state(port, ts.transport.value)
        assert [r.name for r in ts.assignments] == oracle.names(port, ts.transport.value)
        for r in ts.records:
            assert r.low <= port <= r.high
    assert info.range is PortRange.of(port)


def test_307_is_unassigned_in_the_301_307_row(registry, oracle):
    info = registry.lookup(307)
    assert all(ts.state is State.UNASSIGNED for ts in info.transports)
    rows = {r.number for ts in info.transports for r in ts.records}
    assert rows == {"301-307"}
    assert registry.answer(307).headline == "Port 307 is unassigned"
    # The block is 301-307 on TCP and UDP, and its rank is its place among the System range's blocks.
    block = registry.block(307)
    assert (block.low, block.high, block.size) == (301, 307, 7)
    sizes = sorted((b.size for b in registry.gaps("system")), reverse=True)
    assert block.rank == sizes.index(7) + 1 and block.of == len(sizes)
    for p in range(block.low, block.high + 1):
        assert oracle.state(p, "tcp") == oracle.state(p, "udp") == "unassigned"
    for edge in (block.low - 1, block.high + 1):
        assert not (oracle.state(edge, "tcp") == oracle.state(edge, "udp") == "unassigned")


def test_307_neighbours_are_300_tacacss_and_308_novastorbakcup(registry):
    nb = registry.neighbours(307)
    assert nb.below.port == 300 and nb.above.port == 308
    below = dict(nb.below.names)
    assert below[TCP] == ("tacacss",) and dict(nb.below.states)[UDP] is State.RESERVED
    assert nb.below.registered == "2025-07-15" and "RFC 9887" in nb.below.references
    assert dict(nb.above.names)[TCP] == ("novastorbakcup",)


def test_80_lists_every_assignment(registry):
    info = registry.lookup(80)
    assert info.on("tcp").state is State.ASSIGNED
    for t in ("tcp", "udp"):
        assert {r.name for r in info.on(t).assignments} == {"http", "www", "www-http"}
    http = next(r for r in info.on("tcp").assignments if r.name == "http")
    assert any(x.type == "rfc" for x in http.xrefs)
    assert http.assignees, "the assignee is resolved through <people>"


def test_6001_is_x11_through_its_range_row(registry):
    info = registry.lookup(6001)
    [x11] = info.on("tcp").assignments
    assert (x11.name, x11.low, x11.high) == ("x11", 6000, 6063)


def test_50000_is_dynamic_and_never_called_available(registry):
    rep = registry.answer(50000)
    assert rep.range.name is PortRange.DYNAMIC and rep.kind.value == "dynamic"
    assert "dynamic port, never assigned" in rep.headline and "never assigns" in rep.lead.text
    assert "available for assignment" not in rep.headline + rep.lead.text
    assert registry.block(50000) is None


def test_gaps_are_maximal_runs_of_free_ports(registry, oracle):
    for rng in (PortRange.SYSTEM, PortRange.USER):
        blocks = registry.gaps(rng)
        lo, hi = rng.bounds
        free = [p for p in range(lo, hi + 1)
                if oracle.state(p, "tcp") == "unassigned" and oracle.state(p, "udp") == "unassigned"]
        assert sum(b.size for b in blocks) == len(free)
        for b in blocks:
            before, after = b.low - 1, b.high + 1
            assert b.low == lo or not (oracle.state(before, "tcp") == oracle.state(before, "udp") == "unassigned")
            assert b.high == hi or not (oracle.state(after, "tcp") == oracle.state(after, "udp") == "unassigned")
        assert [b.size for b in blocks] == sorted((b.size for b in blocks), reverse=True)


def test_gaps_min_and_single_transport(registry, oracle):
    big = registry.gaps("user", min_size=100)
    assert big and all(b.size >= 100 for b in big)
    sctp = registry.gaps("system", transports=(Transport.SCTP,))
    assert sum(b.size for b in sctp) == sum(1 for p in range(1024) if oracle.state(p, "sctp") == "unassigned")


def test_stats_match_the_oracle(registry, oracle):
    for c in registry.stats().counts:
        lo, hi = c.range.bounds
        expect = [oracle.state(p, c.transport.value) for p in range(lo, hi + 1)]
        assert (c.assigned, c.reserved, c.unassigned) == (
            expect.count("assigned"), expect.count("reserved"), expect.count("unassigned"))


def test_service_names_any_case(registry, oracle):
    pg = registry.service("PostgreSQL")
    assert {(r.transport.value, r.number) for r in pg.records} == {
        (r.protocol, str(r.low)) for r in oracle.rows if r.name.lower() == "postgresql"}
    assert registry.service("redis").records[0].low == 6379


def test_name_only_registrations_are_findable(registry, oracle):
    name = next(r.name for r in oracle.rows if r.name and r.low is None)
    assert registry.service(name).records[0].low is None


def test_unknown_service_suggests_names(registry):
    import pytest

    from portatlas.errors import NotFound

    with pytest.raises(NotFound) as e:
        registry.service("postgressql")
    assert "postgresql" in str(e.value)


def test_lookup_memo_is_bounded_and_answers_stay_right(oracle):
    from portatlas import Registry
    from portatlas.atlas import MEMO_MAX
    from portatlas.source.paths import BUNDLED

    reg = Registry.from_file(BUNDLED)
    for port in range(0, 65536, 7):
        assert reg.lookup(port).on("tcp").state.value == oracle.state(port, "tcp")
    assert len(reg._ports) <= MEMO_MAX


def test_neighbours_reuse_kept_blocks_without_changing_answers(registry):
    from portatlas.query.neighbours import neighbourhood

    for port in (0, 307, 1023, 1024, 6001, 29500, 49151, 50000, 65535):
        assert registry.neighbours(port) == neighbourhood(registry.index, port)
    first = registry.gaps("system")
    first.clear()  # a caller changing its copy must not change the registry's
    assert registry.gaps("system")


def test_nearest_assigned_ports_agree_with_the_oracle(registry, oracle):
    # A plain walk over the oracle's states, both ways, for a spread of ports and the edges.
    def assigned(p: int) -> bool:
        return any(oracle.state(p, t) == "assigned" for t in ("tcp", "udp"))

    for port in [*range(0, 65536, 331), 1, 1023, 1024, 49151, 49152, 65534, 65535]:
        nb = registry.neighbours(port)
        below = next((p for p in range(port - 1, -1, -1) if assigned(p)), None)
        above = next((p for p in range(port + 1, 65536) if assigned(p)), None)
        assert (nb.below.port if nb.below else None, nb.above.port if nb.above else None) == (below, above), port
