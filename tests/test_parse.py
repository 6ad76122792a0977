"""The parser: every field, hardened against hostile XML, exact about malformed files."""

from __future__ import annotations

import lzma

import pytest

from portatlas.errors import RegistryError
from portatlas.model import State, Transport
from portatlas.registry.parse import parse

HEAD = b'<?xml version="1.0"?>\n<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">'
SMALL = HEAD + b"""
  <title>Service Name and Transport Protocol Port Number Registry</title>
  <updated>2030-01-02</updated>
  <record date="2025-07-15" updated="2026-01-01">
    <name>demo</name><protocol>tcp</protocol>
    <assignee><xref type="person" data="Ann"/></assignee>
    <contact><xref type="person" data="Bob"/></contact>
    <description>Demo <xref type="rfc" data="rfc9999"/> service<br/>second line</description>
    <number>300</number>
    <xref type="rfc" data="rfc9887"/><xref type="draft" data="draft-x-01" section="4.3">draft-x-01, Section 4.3</xref>
    <xref type="uri" data="https://example.org/spec">Spec</xref><xref type="text">free text</xref>
    <note><paragraph>first</paragraph><paragraph>second</paragraph></note>
    <unauthorized>Known Unauthorized Use on port 300</unauthorized>
    <sc>1145656131</sc>
  </record>
  <record><protocol>udp</protocol><description>Reserved</description><number>300</number></record>
  <record><description>Unassigned</description><number>301-307</number></record>
  <record><name>nameonly</name><description>A name without a port</description></record>
  <people>
    <person id="Ann"><name>Ann Example</name><org>Example Org</org><uri>mailto:ann&amp;example.org</uri><updated>2024-01-01</updated></person>
    <person id="Bob"><name>Bob Example</name></person>
  </people>
</registry>"""


def test_every_field_is_read():
    reg = parse(SMALL)
    assert reg.edition == "2030-01-02"
    demo, udp, block, nameonly = reg.records
    assert (demo.name, demo.transport, demo.low, demo.high) == ("demo", Transport.TCP, 300, 300)
    assert demo.description == "Demo RFC 9999 service\nsecond line"
    assert [p.display for p in demo.assignees] == ["Ann Example (Example Org)"]
    assert demo.assignees[0].uri == "mailto:ann&example.org"
    assert [p.name for p in demo.contacts] == ["Bob Example"]
    assert [x.type for x in demo.xrefs] == ["rfc", "draft", "uri", "text"]
    assert demo.xrefs[0].label == "RFC 9887" and demo.xrefs[0].url.endswith("/rfc9887")
    assert demo.xrefs[1].section == "4.3" and demo.xrefs[2].url == "https://example.org/spec"
    assert demo.xrefs[3].text == "free text"
    assert (demo.registered, demo.updated) == ("2025-07-15", "2026-01-01")
    assert demo.note == "first\nsecond"
    assert demo.unauthorized == "Known Unauthorized Use on port 300"
    assert demo.service_code == 1145656131
    assert demo.state is State.ASSIGNED and udp.state is State.RESERVED
    assert block.transport is None and block.number == "301-307" and block.state is State.UNASSIGNED
    assert nameonly.low is None and nameonly.number == ""


def test_streams_and_xz_give_the_same_answer():
    import io

    assert parse(io.BytesIO(SMALL)) == parse(SMALL) == parse(lzma.compress(SMALL))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<registry xmlns="http://www.iana.org/assignments"><updated>2030-01-01</updated>
<record><description>&lol3;</description><number>1</number></record></registry>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<registry xmlns="http://www.iana.org/assignments"><updated>2030-01-01</updated>
<record><description>&xxe;</description><number>1</number></record></registry>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL], ids=["entity-expansion", "external-entity"])
def test_hostile_xml_is_refused_with_a_clear_error(xml):
    with pytest.raises(RegistryError) as e:
        parse(xml)
    assert "refused" in str(e.value)
    assert "root:" not in str(e.value)  # /etc/passwd was not read into the message


def test_malformed_xml_names_the_line():
    broken = SMALL.replace(b"<number>300</number>", b"<number>300</numbr>", 1)
    with pytest.raises(RegistryError) as e:
        parse(broken)
    line = broken[: broken.index(b"</numbr>")].count(b"\n") + 1
    assert f"line {line}" in str(e.value)


@pytest.mark.parametrize("blob, words", [
    (b"<html><body>Not found</body></html>", "not a port number registry"),
    (HEAD + b"<record><description>x</description><number>1</number></record></registry>", "no <updated>"),
    (SMALL.replace(b"<number>300</number>", b"<number>70000</number>", 1), "outside 0-65535"),
    (SMALL.replace(b"<protocol>tcp</protocol>", b"<protocol>quic</protocol>", 1), "unknown protocol"),
    (b"\xfd7zXZ\x00garbage", "damaged xz"),
    (SMALL[: len(SMALL) // 2], "malformed"),
])
def test_not_a_registry_is_an_error_not_a_half_registry(blob, words):
    with pytest.raises(RegistryError) as e:
        parse(blob)
    assert words in str(e.value)


def test_the_bundled_edition_parses_completely(oracle):
    from portatlas.source.paths import BUNDLED

    reg = parse(BUNDLED.read_bytes())
    assert reg.edition == oracle.edition
    assert len(reg.records) == len(oracle.rows)
    assert [r.name or "" for r in reg.records] == [r.name for r in oracle.rows]
    assert [r.number for r in reg.records] == [
        "" if r.low is None else (str(r.low) if r.low == r.high else f"{r.low}-{r.high}") for r in oracle.rows]
    named_without_port = [r for r in reg.records if r.name and r.low is None]
    assert named_without_port, "service-name-only registrations are kept"
