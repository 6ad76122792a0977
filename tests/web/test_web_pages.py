"""Pages through the real app: each fact on a page is the registry's, every section is there."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from portatlas.model import TRANSPORTS, PortRange, State
from portatlas.value import to_data


def text_of(body: str, element_id: str) -> str:
    """The text inside the element with this id (tags removed, entities decoded)."""
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</(h1|p|section)>', body, re.S)
    assert m, f"no element #{element_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()


def test_port_307_page_says_what_the_registry_says(client, registry):
    r = client.get("/port/307")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    body = r.text
    rep = registry.answer(307)
    assert f"<title>{html.escape(rep.headline)} · portatlas</title>" in body
    assert text_of(body, "headline") == rep.headline
    block = registry.block(307)
    assert block is not None
    assert f"{block.low}-{block.high}: {block.size} ports free on TCP and UDP, rank {block.rank} of {block.of}" \
        in text_of(body, "block")
    for ts in registry.lookup(307).transports:
        assert re.search(rf"<th>{ts.transport.value.upper()}</th><td><span class=\"badge state-{ts.state.value}\">",
                         body)
    for section in ("meaning", "why-unassigned", "registry", "neighbourhood", "check", "use", "history", "faq",
                    "sources", "feedback"):
        assert f'<section id="{section}"' in body, section
    # The strip shows the ports either side, coloured by state.
    for n in rep.neighbourhood.strip:
        assert f'href="/port/{n.port}"' in body
    assert "RFC 6335" in text_of(body, "sources") and rep.edition in text_of(body, "sources")


def test_assigned_port_lists_its_rows_rfcs_and_assignees(client, registry):
    body = client.get("/port/5432").text
    info = registry.lookup(5432)
    for name in info.names:
        assert f'href="/service/{name}"' in body
    rfcs = {x.label.split(" section")[0] for r in info.assignments for x in r.rfcs}
    for label in rfcs:
        assert html.escape(label) in text_of(body, "sources")
    people = {p.display for r in info.assignments for p in r.assignees}
    for p in people:
        assert html.escape(p) in body


@pytest.mark.parametrize("port", [0, 1, 80, 307, 443, 1023, 1024, 5432, 6000, 9838, 49151, 49152, 65535])
def test_page_and_api_are_one_answer(client, registry, port):
    import json

    api = client.get(f"/api/ports/{port}").json()
    assert api == json.loads(json.dumps(to_data(registry.answer(port))))
    page = client.get(f"/port/{port}").text
    assert text_of(page, "headline") == api["headline"]
    # Every statement of the answer is on the page, with its citations.
    flat = html.unescape(re.sub(r"<[^>]+>", "", page))
    for st in [api["lead"], *(p for s in api["sections"] for p in s["paragraphs"]), *(q["answer"] for q in api["faq"])]:
        assert st["text"] in flat, st["text"][:80]
        for n in st["cites"]:
            assert f'href="#note-{n}"' in page
    for s in api["sources"]:
        assert f'id="note-{s["n"]}"' in page


def test_dynamic_port_is_never_called_available_for_assignment(client):
    body = client.get("/port/60000").text
    assert "dynamic port, never assigned" in text_of(body, "headline")
    assert "never assigns" in body and "available for assignment" not in body.split('id="faq"')[0].replace(
        "does not mean available for assignment", "")


def test_browser_bad_port_is_flagged(client):
    from portatlas.web.settings import bad_ports

    bad = min(p for p in bad_ports() if p > 1024)
    body = client.get(f"/port/{bad}").text
    assert "bad ports" in body and "fetch.spec.whatwg.org" in body
    assert "fetch.spec.whatwg.org" not in client.get("/port/307").text.split("<body")[1]


def test_index_has_the_whole_port_space_with_axes_ranges_and_few_keyboard_stops(client):
    body = client.get("/").text
    assert body.count('role="search"') == 1 and 'id="goto"' in body  # the header's search, and "go to port"
    svg = body[body.index("<svg"):body.index("</svg>")]
    assert 'aria-hidden="true"' in svg[:80]
    tiles = re.findall(r'<a href="/ports/(\d+)-(\d+)" tabindex="-1">', svg)
    assert len(tiles) == 256  # a pointer's squares, none a keyboard stop
    covered = sorted((int(a), int(b)) for a, b in tiles)
    assert covered[0][0] == 0 and covered[-1][1] == 65535
    assert all(b + 1 == c for (_, b), (c, _) in itertools.pairwise(covered))
    for label in ("System 0-1023", ">User<", ">Dynamic<", ">0<", ">61440<", ">+3072<"):
        assert label in svg, label
    # The keyboard's way in: 16 rows, each opening onto its 16 squares.
    rows = body[body.index('<ol class="rows">'):]
    assert rows.count("<summary>") == 16
    assert len(re.findall(r'<li><a href="/ports/\d+-\d+">', rows)) == 256
    picture = re.search(r'<image href="(/static/portspace\.[0-9a-f]{10}\.png)"', svg)
    assert picture, "the picture under a content-hashed name"
    png = client.get(picture.group(1))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG") and png.headers["content-type"] == "image/png"
    assert "immutable" in png.headers["cache-control"]
    assert client.get("/portspace.png").content == png.content


def test_picture_colours_every_port_by_its_state(registry):
    import zlib

    from portatlas.web.picture import port_classes, portspace_png, tile_of

    data = portspace_png(registry.index)
    # Decode the IDAT (filter byte 0 on each 256-pixel row) and read back a few ports.
    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    rows = [raw[i * 257 + 1:(i + 1) * 257] for i in range(256)]
    classes = port_classes(registry.index)
    for port in (0, 22, 80, 307, 5432, 49151, 49152, 65535):
        _, x, y = tile_of(port)
        assert rows[y][x] == classes[port]
    assert classes[80] == 0 and classes[307] == 2 and classes[60000] == 3


def test_service_range_gaps_stats_and_span_pages(client, registry):
    body = client.get("/service/http").text
    for _, number in registry.service("http").ports:
        if number:
            assert number in body
    for rng in PortRange:
        r = client.get(f"/range/{rng.value}")
        assert r.status_code == 200 and rng.title in r.text
    gaps = client.get("/gaps").text
    assert f"{len(registry.gaps('system'))} blocks" in gaps and f"{len(registry.gaps('user'))} blocks" in gaps
    stats = client.get("/stats").text
    sys_tcp = next(c for c in registry.stats().counts if c.range is PortRange.SYSTEM and c.transport.value == "tcp")
    assert f"{sys_tcp.assigned:,}" in stats and "<svg" in stats
    span = client.get("/ports/300-310").text
    assert len(re.findall(r'<tr class="state-', span)) == 11


@pytest.mark.parametrize("name", ["EtherNet/IP-1", "914c/g", "sql*net", "whois++"])
def test_a_service_page_links_its_json_with_the_name_escaped(client, name):
    from urllib.parse import quote

    body = client.get("/service/" + quote(name, safe="")).text
    link = re.search(r'<a href="([^"]*)">JSON</a>', body).group(1)  # type: ignore[union-attr]
    assert link == "/api/services/" + quote(name, safe="")  # not /api/services/EtherNet/IP-1
    assert client.get(link).json()["service"] == name


def test_search_finds_postgres_and_numbers_jump_to_their_page(client):
    body = client.get("/search?q=postgres").text
    assert 'href="/port/5432"' in body
    r = client.get("/search?q=5432", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/port/5432"
    r = client.get("/search?q=300-310", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ports/300-310"


def test_non_canonical_port_redirects(client):
    r = client.get("/port/0307", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/port/307"


@pytest.mark.parametrize("path", ["/port/-1", "/port/abc", "/port/99999999999999999999", "/port/70000",
                                  "/port/1e3", "/ports/90-80", "/ports/0-65535", "/range/huge",
                                  "/service/no-such-service-x", "/nope", "/port/%00", "/port/%3Cscript%3E"])
def test_bad_page_requests_are_clear_4xx_pages(client, path):
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert r.headers["content-type"].startswith("text/html")
    assert "<script>" not in r.text.replace('<script src="', "")
    assert text_of(r.text, "error-message")


def test_registry_text_is_escaped_everywhere(make_client):
    from portatlas import Registry

    evil = "<script>alert('x')</script>"
    xml = f"""<?xml version="1.0"?>
<registry xmlns="http://www.iana.org/assignments" id="service-names-port-numbers">
<title>Service Name and Transport Protocol Port Number Registry</title><updated>2030-01-02</updated>
<record><name>evil</name><protocol>tcp</protocol><description>{html.escape(evil)}</description>
<number>4242</number><note><paragraph>{html.escape(evil)}</paragraph></note></record>
<record><name>ok</name><protocol>tcp</protocol><description>fine</description><number>4243</number></record>
</registry>""".encode()
    c = make_client(reg=Registry.from_bytes(xml))
    for path in ("/port/4242", "/port/4243", "/service/evil", "/search?q=script", "/ports/4240-4250"):
        body = c.get(path).text
        assert "<script>alert" not in body, path
    assert "&lt;script&gt;alert(" in c.get("/port/4242").text
    assert c.get("/api/ports/4242").json()["rows"][0]["description"] == evil


def test_every_port_state_word_matches_the_registry(registry):
    """The state a page shows per transport, over a spread of ports, equals the registry's."""
    for port in range(0, 65536, 997):
        a = registry.answer(port)
        for row, t in zip(a.transports, TRANSPORTS):
            s = registry.state(port, t)
            expect = "dynamic" if s is State.UNASSIGNED and port >= 49152 else s.value
            assert row.word == expect and row.state is s


def test_stats_chart_over_time_from_the_history(client):
    from portatlas.registry.history import stats_over_time

    editions = stats_over_time().editions
    body = client.get("/stats").text
    assert f"across {len(editions)} editions, {editions[0].edition} to {editions[-1].edition}" in body
    assert "<polyline" in body


def test_port_page_shows_the_history_and_the_verdicts(client, registry):
    from portatlas.registry.history import port_history

    body = client.get("/port/300").text
    h = port_history(300)
    assert f"What {h.editions} editions of the registry" in body
    assert any(e.kind == "assigned" for t in h.transports for e in t.events)
    assert ">assigned</span> tacacss" in body
    for v in registry.answer(300).verdicts:
        assert f"<strong>{html.escape(v.question)}</strong>" in body


def test_a_page_speaks_for_no_machine_and_writes_transports_as_names(client, registry):
    from portatlas.model import Transport

    page = client.get("/port/80").text
    assert "This page speaks for no particular machine" in page or "no particular machine" in page
    assert "on this machine" not in page  # the privileged-port rule is Unix's, not the server's
    assert "on Unix, ports below 1024 need root" in page
    # a row on two transports reads "on TCP and UDP", as the registry's transports are written
    both = next(p for p in range(1024, 65536)
                if registry.index.states(Transport.TCP)[p] == 0 and registry.index.states(Transport.UDP)[p] == 0
                and registry.index.states(Transport.SCTP)[p] != 0)
    text = client.get(f"/port/{both}").text
    assert "on TCP and UDP" in text and " AND " not in text


def test_a_fold_of_one_item_names_it_in_the_singular(client):
    page = client.get("/port/307").text
    assert "Show the 1 steps" not in page and "1 step of its timeline" in page


@pytest.mark.parametrize("spelled", ["/ports/01-5", "/ports/0001-0005", "/ports/1-05"])
def test_another_spelling_of_a_span_redirects_to_its_one_address(client, spelled):
    r = client.get(spelled, follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].endswith("/ports/1-5")
    assert client.get("/ports/1-5", follow_redirects=False).status_code == 200


def test_port_0_offers_no_way_to_check_what_listens_on_it(client, cli):
    assert client.get("/api/ports/0").json()["checks"] == []
    assert "How to check" not in client.get("/port/0").text
    assert "How to check" not in cli("0").stdout
    assert client.get("/api/ports/1").json()["checks"]  # every other port has its commands
