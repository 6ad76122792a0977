"""The one answer model: every kind of port told right, every fact cited, the JSON as its schema says."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from portatlas.answers.port import all_statements
from portatlas.value import to_data

ROOT = Path(__file__).resolve().parent.parent


def _kinds(registry) -> dict[str, int]:
    """One port of every kind, found in the registry rather than written down."""
    found: dict[str, int] = {"zero": 0, "dynamic": 50000}
    for p in range(1, 49152):
        info = registry.lookup(p)
        rows = {id(r): r for t in info.transports for r in t.records}.values()
        if "assigned" not in found and info.state.value == "assigned" and p < 1024:
            found["assigned"] = p
        if "range-row" not in found and info.state.value == "assigned" and any(r.low != r.high for r in rows):
            found["range-row"] = p
        if "reserved" not in found and info.state.value == "reserved" and p > 0:
            found["reserved"] = p
        if "unassigned" not in found and info.state.value == "unassigned" and p >= 1024 and not any(
                r.note for r in rows):
            found["unassigned"] = p
        if "deassigned" not in found and info.state.value == "unassigned" and any(
                r.description.lower().startswith("de-registered") for r in rows):
            found["deassigned"] = p
        if len(found) == 7:
            break
    assert len(found) == 7, found
    return found


@pytest.fixture(scope="module")
def kinds(registry):
    return _kinds(registry)


@pytest.fixture(scope="module")
def schema():
    from portatlas.answers.schema import answer_types, components

    roots, comps = components(*answer_types().values())
    text = json.dumps({"$defs": comps}).replace("#/components/schemas/", "#/$defs/")
    defs = json.loads(text)["$defs"]
    return {name: {"$defs": defs, **json.loads(json.dumps(root).replace("#/components/schemas/", "#/$defs/"))}
            for name, root in zip(answer_types(), roots)}


def _valid(doc, schema) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(schema).validate(doc)


def test_every_kind_of_port_validates_against_the_generated_schema(registry, kinds, schema):
    for kind, port in kinds.items():
        a = registry.answer(port)
        doc = json.loads(json.dumps(to_data(a)))
        _valid(doc, schema["PortAnswer"])
        expected = {"range-row": "assigned"}.get(kind, kind)
        assert a.kind.value == expected, (kind, port, a.kind)


def test_a_schema_refuses_a_wrong_document(registry, schema):
    import jsonschema

    doc = json.loads(json.dumps(to_data(registry.answer(307))))
    doc["transports"][0]["state"] = "sort-of"
    with pytest.raises(jsonschema.ValidationError):
        _valid(doc, schema["PortAnswer"])


def test_docs_json_is_the_generated_reference():
    from portatlas.answers.schema import markdown

    assert (ROOT / "docs" / "json.md").read_text(encoding="utf-8") == markdown(), \
        "docs/json.md is out of date: run python -m portatlas.answers.schema > docs/json.md"


def test_every_citation_names_a_source_and_every_source_is_cited(registry, kinds):
    for port in (*kinds.values(), 443, 25565, 5000, 6667):
        a = registry.answer(port)
        numbers = {s.n for s in a.sources}
        assert numbers == set(range(1, len(a.sources) + 1))
        cited = {n for st in all_statements(a) for n in st.cites}
        cited |= {r.cite for v in a.verdicts for r in v.reasons if r.cite}
        cited |= {x.cite for r in a.rows for x in r.references if x.cite}
        assert cited <= numbers, (port, cited - numbers)
        assert numbers - cited <= {s.n for s in a.sources if s.kind.value in ("software", "nmap", "firewalld",
                                                                                 "history")}, port


def test_statements_are_sentences(registry, kinds):
    for port in (*kinds.values(), 80, 443, 25565):
        a = registry.answer(port)
        for st in all_statements(a):
            assert st.text[:1].isupper() or st.text[:1].isdigit() or st.text.startswith(("bind()", "nginx")), st
            assert st.text.rstrip().endswith((".", ")")), st.text
        for q in a.faq:
            assert q.question.endswith("?") and len(q.answer.text.split()) >= 4, q


def test_the_registry_notes_are_on_the_ports_they_name(registry):
    """A range row's unauthorized-use note names one port of the range: it appears there only."""
    for rec in registry.records():
        if rec.unauthorized and rec.low is not None and rec.high - rec.low >= 2 and "port" in rec.unauthorized.lower():
            named = [int(w) for w in rec.unauthorized.replace(",", " ").split() if w.isdigit()
                     and rec.low <= int(w) <= rec.high]
            if len(named) != 1:
                continue
            inside, other = named[0], next(p for p in range(rec.low, rec.high + 1) if p != named[0])
            assert any(r.unauthorized for r in registry.answer(inside).rows)
            assert not any(r.unauthorized and rec.unauthorized.split()[0] in r.unauthorized
                           for r in registry.answer(other).rows if r.low == rec.low)
            return
    pytest.fail("no range row with an unauthorized-use note naming one port")


def test_notes_of_nameless_rows_are_said(registry):
    """Rows without a service name (reserved, de-registered) keep their notes: de-assignments, advice."""
    checked = 0
    for rec in registry.records():
        if rec.name is None and rec.note and rec.low is not None and rec.low == rec.high:
            a = registry.answer(rec.low)
            assert any(rec.note.split()[0] in n.text for n in a.notes), (rec.low, rec.note)
            checked += 1
            if checked >= 5:
                break
    assert checked >= 3


def test_contacts_are_working_addresses(registry):
    a = registry.answer(80)
    urls = [c.url for r in a.rows for c in (*r.assignees, *r.contacts) if c.url]
    assert urls and all("&" not in u for u in urls)
    assert any(u == "mailto:iesg@ietf.org" for u in urls)


def test_common_use_reaches_the_headline_and_the_verdicts(registry):
    a = registry.answer(25565)
    assert "Minecraft" in a.headline and a.kind.value == "unassigned"
    cases = {v.case: v for v in a.verdicts}
    assert cases["software:Minecraft: Java Edition server"].verdict.value == "good"
    assert cases["new:production"].verdict.value != "good"
    assert any(r.code == "common.default" and "Minecraft" in r.title for r in cases["new:production"].reasons)
    mac = registry.answer(5000)
    assert any(u.software == "AirPlay" and "macos" in u.platforms for u in mac.common_use)
    assert any(r.code == "common.os" for r in {v.case: v for v in mac.verdicts}["new:production"].reasons)


def test_a_registered_port_is_its_services_port(registry):
    for port, name in ((443, "https"), (80, "http"), (22, "ssh")):
        cases = {v.case: v for v in registry.answer(port).verdicts}
        (own,) = [c for c in cases if c.startswith("registered:") and name in c.split(":", 1)[1].split(",")]
        assert cases[own].verdict.value == "good"
        assert next(iter(cases)).startswith("registered:")  # the case that fits the port comes first
        assert cases["new:production"].verdict.value == "avoid"


def test_port_zero_is_not_a_web_port_and_not_an_ephemeral_question(registry):
    a = registry.answer(0)
    q = {x.question: x.answer.text for x in a.faq}
    assert q["Will a browser open a web page on port 0?"].startswith("No")
    assert "Could my operating system already be using port 0?" not in q
    words = q["Is port 0 TCP or UDP?"]
    for t in a.transports:  # the FAQ says what the table says, transport by transport
        assert f"{t.transport.value.upper()}" in words
    assert {r.code for v in a.verdicts for r in v.reasons} <= {"registry.port-zero"}


def test_a_dynamic_port_says_dynamic_everywhere(registry):
    a = registry.answer(50000)
    assert {t.word for t in a.transports} == {"dynamic"}
    assert a.history is not None and {e.state for e in a.history.entries} == {"dynamic"}


def test_the_history_lists_each_change_once(registry):
    a = registry.answer(80)
    assert a.history is not None
    keys = [(e.first, e.kind, e.names, e.changes) for e in a.history.entries]
    assert len(keys) == len(set(keys))
    for e in a.history.entries:
        fields = [(c.field, c.old, c.new) for c in e.changes]
        assert len(fields) == len(set(fields)), e


def test_a_transport_narrows_the_answer(registry):
    a = registry.answer(80, transport="udp")
    assert [t.transport.value for t in a.transports] == ["udp"]
    assert a.transport.value == "udp"
    assert all(v.reasons for v in a.verdicts)


def test_names_answer_with_every_port_of_the_software(registry):
    mc = registry.name("minecraft")
    assert mc.service is None and {s.software for s in mc.software} >= {"Minecraft: Java Edition server",
                                                                       "Minecraft Bedrock Dedicated Server"}
    ports = {p for s in mc.software for p in s.ports}
    assert "25565/tcp" in ports and any(p.startswith("19132") for p in ports)
    pg = registry.name("PostgreSQL")
    assert pg.service == "postgresql" and {r.number for r in pg.rows} == {"5432"}


def test_lists_and_ranges_answer_per_port(registry):
    a = registry.ports("22,80,8000-8002")
    assert [p.port for p in a.ports] == [22, 80, 8000, 8001, 8002]
    assert a.ports[0].names == ("ssh",)


def test_nmap_says_what_the_registry_does_not(registry):
    # The tests' nmap table: 8080/tcp is http-proxy (the registry says http-alt), 5432/tcp postgresql
    # (as the registry), 9999/tcp unknown (no name at all).
    assert [(f.transport.value, f.name) for f in registry.answer(8080).nmap_names] == [("tcp", "http-proxy")]
    pg = registry.answer(5432)
    assert pg.nmap and not pg.nmap_names
    nameless = registry.answer(307)
    assert not nameless.nmap_names and not nameless.common_use and not nameless.firewalld
    assert not nameless.has_common_use and registry.answer(8080).has_common_use


def test_no_heading_without_its_lines(registry):
    from portatlas.cli.output import Out
    from portatlas.cli.render_port import port_text

    for port in (307, 5800, 8080):
        a = registry.answer(port)
        out = Out(no_color=True, stream=io.StringIO())
        port_text(out, a)
        text = "\n".join(out.lines)
        assert ("Commonly used by" in text) == a.has_common_use, port
