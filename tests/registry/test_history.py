"""Port timelines, diffs and counts over time, checked against an independent reading of real editions."""

from __future__ import annotations

import json
import random

import pytest

from portatlas.model import PortRange, State, Transport
from portatlas.registry.history import PortHistory, diff, history, port_history, stats_over_time

from .conftest import SAMPLE, named, oracle_counts, oracle_state


def state_at(h: PortHistory, transport: str, date: str) -> State:
    """The state a timeline gives a transport at an edition: its last event shown by then."""
    th = next(t for t in h.transports if t.transport.value == transport)
    events = [e for e in th.events if e.first <= date]
    return events[-1].state


def test_port_300_tacacss_assignment_and_udp_reservation(oracles, store) -> None:
    before, after = "2024-03-18", "2025-08-26"
    # The independent reader agrees that this is where it happened.
    assert oracle_state(oracles[before], 300, "tcp") == "unassigned"
    assert {r.name for r in oracles[after].cover[(300, "tcp")]} == {"tacacss"}
    assert oracle_state(oracles[after], 300, "udp") == "reserved"

    h = port_history(300)
    tcp = h.transports[0]
    assert tcp.transport is Transport.TCP
    assert tcp.events[0].when == "present since at least 2017-03-10"
    assert tcp.events[0].state is State.UNASSIGNED
    assigned = next(e for e in tcp.events if e.kind == "assigned")
    assert (assigned.before, assigned.first) == (before, after)
    assert assigned.when == f"between {before} and {after}"
    assert [r.name for r in assigned.records] == ["tacacss"]
    assert assigned.records[0].registered and assigned.records[0].registered.startswith("2025")
    udp = next(t for t in h.transports if t.transport is Transport.UDP)
    assert [(e.state, e.before, e.first) for e in udp.events] == [
        (State.UNASSIGNED, None, "2017-03-10"), (State.RESERVED, before, after)]
    assert (before, after) in h.gaps


def test_timelines_agree_with_the_editions_port_by_port(oracles, store) -> None:
    """For random ports and the sample editions, the timeline's state is the edition's state."""
    rng = random.Random(6335)
    changed = {300, 831, 832, 6610}  # ports that changed state in the sample, plus random ones
    ports = sorted(changed | {rng.randrange(0, 49152) for _ in range(40)})
    for port in ports:
        h = port_history(port)
        for date in SAMPLE:
            for t in ("tcp", "udp", "sctp", "dccp"):
                assert state_at(h, t, date).value == oracle_state(oracles[date], port, t), (port, t, date)


def test_history_cli_text_and_json(cli, store) -> None:
    r = cli("history", "300")
    assert r.returncode == 0, r.stderr
    assert "between 2024-03-18 and 2025-08-26" in r.stdout and "tacacss" in r.stdout
    assert "present since at least 2017-03-10" in r.stdout
    j = cli("history", "300", "--transport", "udp", "--json")
    data = json.loads(j.stdout)
    assert [t["transport"] for t in data["transports"]] == ["udp"]
    assert data["transports"][0]["events"][-1]["state"] == "reserved"
    bad = cli("history", "70000")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "65535" in bad.stderr
    bad = cli("history", "300", "--transport", "ip")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_diff_lists_what_disappeared_and_appeared(oracles, store) -> None:
    old, new = "2025-08-26", "2026-08-17"
    gone = named(oracles[old]) - named(oracles[new])
    came = named(oracles[new]) - named(oracles[old])
    assert gone and came  # the sample was chosen so that both happen
    d = diff(old, new)
    removed = {(r.name, r.transport.value if r.transport else "", r.number)
               for r in d.removed if r.name and r.low is not None}
    added = {(r.name, r.transport.value if r.transport else "", r.number)
             for r in d.added if r.name and r.low is not None}
    assert removed == gone
    assert added == came
    assert d.counts.assignments_removed == len(gone) and d.counts.assignments_added == len(came)
    # Port 300's reference moved from the draft to its RFC inside this span.
    ch = [c for c in d.changed if c.after.name == "tacacss"]
    assert ch and any(f.field == "references" for f in ch[0].changes)


def test_diff_of_an_edition_with_itself_and_by_file(editions, tmp_path, store) -> None:
    assert diff("2026-08-17", "2026-08-17").counts.added == 0
    f = tmp_path / "old.xml"
    f.write_bytes(editions["2025-12-15"])
    by_file = diff(str(f), "2026-08-17")
    by_date = diff("2025-12-15", "2026-08-17")
    assert by_file.counts == by_date.counts and by_file.removed == by_date.removed


def test_diff_cli(cli, oracles, store) -> None:
    r = cli("diff", "2025-08-26", "latest", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    gone = named(oracles["2025-08-26"]) - named(oracles["2026-08-17"])
    assert {(x["name"], x["transport"] or "", x["number"])
            for x in data["removed"] if x["name"] and x["low"] is not None} == gone
    only = json.loads(cli("diff", "2025-08-26", "latest", "--assigned", "--json").stdout)
    assert {(x["name"], x["transport"] or "", x["number"]) for x in only["removed"]} == gone
    assert all(x["name"] and x["low"] is not None for x in only["added"] + only["removed"])
    assert only["counts"]["removed"] == len(gone)
    since = cli("diff", "--since", "2025-01-01")  # inside the gap: the last edition before is used
    assert since.returncode == 0 and "from edition 2024-03-18 to 2026-08-17" in since.stdout
    missing = cli("diff", "2024-05-01", "2026-08-17")
    assert missing.returncode == 1 and "2024-03-18" in missing.stderr and "2025-08-26" in missing.stderr
    nonsense = cli("diff", "yesterday")
    assert nonsense.returncode == 2 and "YYYY-MM-DD" in nonsense.stderr


@pytest.mark.parametrize("date", ["2019-02-15", "2026-05-29"])
def test_stats_over_time_match_an_independent_count(date, oracles, store) -> None:
    s = stats_over_time()
    assert len(s.editions) == len(history().editions) == 382
    st = s.editions[s.dates.index(date)]
    want = oracle_counts(oracles[date])
    got = {(c.range.value, c.transport.value): (c.assigned, c.reserved, c.unassigned) for c in st.counts}
    assert got == want
    series = dict(s.series(PortRange.SYSTEM, "tcp", "assigned"))
    assert series[date] == want[("system", "tcp")][0]


def test_stats_over_time_cli(cli, store) -> None:
    r = cli("stats", "--over-time", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data["editions"]) == 382 and len(data["editions"][0]["counts"]) == 12
    text = cli("stats", "--over-time", "--transport", "udp")
    assert "UDP" in text.stdout and "2026-08-17" in text.stdout


def test_an_updated_edition_joins_the_history(editions, tmp_path, store) -> None:
    """A newer edition stored by update extends timelines, counts over time and diffs."""
    import re

    from portatlas.atlas import Registry
    from portatlas.source.update import update

    xml = editions["2026-08-17"].replace(b"<updated>2026-08-17</updated>", b"<updated>2026-09-01</updated>", 1)
    # The made-up edition de-assigns tacacss: its TCP record for port 300 is dropped.
    xml, n = re.subn(rb"<record[^>]*>\s*<name>tacacss</name>\s*<protocol>tcp</protocol>.*?</record>", b"",
                     xml, count=1, flags=re.S)
    assert n == 1
    f = tmp_path / "next.xml"
    f.write_bytes(xml)
    result = update(str(f))
    assert result.status == "switched" and result.new == "2026-09-01"
    assert [r.name for r in result.diff.removed] == ["tacacss"]

    h = port_history(300, "tcp")
    assert h.last_edition == "2026-09-01" and h.editions == 383
    last = h.transports[0].events[-1]
    assert (last.kind, last.before, last.first) == ("de-assigned", "2026-08-17", "2026-09-01")
    s = stats_over_time()
    assert s.dates[-1] == "2026-09-01" and s.editions[-1] == Registry.default().stats()
    assert diff("2026-08-17", "latest").counts.assignments_removed == 1


def test_service_timelines_agree_with_the_editions(oracles, store) -> None:
    """For chosen and random names, the rows a name's timeline gives at each sample edition are that edition's."""
    from portatlas.registry.history import service_history

    rng = random.Random(9887)
    pool = sorted({r.name for r in oracles["2017-03-10"].rows if r.name} |
                  {r.name for r in oracles["2026-08-17"].rows if r.name})
    names = ["tacacss", "netconf-beep", "compressnet", "http", *rng.sample(pool, 25)]
    for name in names:
        h = service_history(name)
        for date in SAMPLE:
            want = sorted((r.protocol,
                           "" if r.low is None else (f"{r.low}" if r.low == r.high else f"{r.low}-{r.high}"))
                          for r in oracles[date].rows if r.name.lower() == name.lower())
            shown = [e for e in h.events if e.first <= date]
            got = sorted((r.transport.value if r.transport else "", r.number)
                         for r in (shown[-1].records if shown else ()))
            assert got == want, (name, date)


def test_service_history_cli(cli, store) -> None:
    r = cli("history", "netconf-beep")
    assert r.returncode == 0, r.stderr
    assert "831/tcp: given back (de-assigned or revoked)" in r.stdout
    assert "between 2025-09-26 and 2025-09-29" in r.stdout
    j = json.loads(cli("history", "TACACSS", "--json").stdout)
    assert j["name"] == "tacacss" and j["events"][0]["kind"] == "registered"
    assert (j["events"][0]["before"], j["events"][0]["first"]) == ("2024-03-18", "2025-08-26")
    missing = cli("history", "no-such-service-anywhere")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    both = cli("history", "tacacss", "--transport", "tcp")
    assert both.returncode == 2 and "--transport" in both.stderr
