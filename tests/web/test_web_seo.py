"""What search engines read, served and exported: sitemap, robots.txt, canonical, description, JSON-LD, OpenGraph."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from portatlas.export.site import export_site
from portatlas.web import urls

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://ports.example.org"
KINDS = ["/", "/port/307", "/port/80", "/port/0", "/port/65535", "/service/http", "/range/user", "/gaps", "/gaps/2",
         "/stats", "/ports/300-310"]


def head_of(body: str) -> str:
    return body[:body.index("</head>")]


def jsonld(body: str) -> list[dict]:  # type: ignore[type-arg]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    return data if isinstance(data, list) else [data]


def test_the_sitemap_lists_every_page_in_chunks_of_at_most_50000(make_client, registry):
    c = make_client(base_url=BASE)
    index = ET.fromstring(c.get("/sitemap.xml").content)
    locs = [e.text for e in index.findall("s:sitemap/s:loc", NS)]
    assert locs and all(loc.startswith(BASE + "/sitemaps/") for loc in locs)
    listed: list[str] = []
    for loc in locs:
        r = c.get(loc[len(BASE):])
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
        chunk = [e.text for e in ET.fromstring(r.content).findall("s:url/s:loc", NS)]
        assert 0 < len(chunk) <= 50_000
        listed += chunk
    assert len(listed) == len(set(listed))
    paths = {u[len(BASE):] for u in listed}
    assert {f"/port/{p}" for p in range(65536)} <= paths
    names = {r.name.lower() for r in registry.records() if r.name}
    assert len([p for p in paths if p.startswith("/service/")]) == len(names)
    n_gaps = urls.gaps_pages(urls.n_gap_blocks(registry))
    assert n_gaps > 1 and {"/gaps"} | {f"/gaps/{n}" for n in range(2, n_gaps + 1)} <= paths
    assert {"/", "/stats", "/range/system", "/range/user", "/range/dynamic"} <= paths
    assert c.get(f"/sitemaps/{len(locs) + 1}.xml").status_code == 404


def test_robots_names_the_sitemap(make_client):
    c = make_client(base_url=BASE)
    body = c.get("/robots.txt").text
    assert f"Sitemap: {BASE}/sitemap.xml" in body.splitlines() and "Disallow: /search" in body
    # Without a configured address the server names the one it was reached at.
    assert "Sitemap: http://testserver/sitemap.xml" in make_client().get("/robots.txt").text
    # A site under a path: its search is under it too.
    sub = make_client(base_url=BASE + "/sub").get("/robots.txt").text.splitlines()
    assert "Disallow: /sub/search" in sub and "Disallow: /sub/api/search" in sub and "Disallow: /search" not in sub


@pytest.mark.parametrize("path", KINDS)
def test_every_page_has_canonical_description_opengraph_and_a_breadcrumb(make_client, path):
    c = make_client(base_url=BASE)
    body = c.get(path).text
    head = head_of(body)
    assert head.count('rel="canonical"') == 1
    assert f'<link rel="canonical" href="{BASE}{path}">' in head
    assert f'<meta property="og:url" content="{BASE}{path}">' in head
    desc = html.unescape(re.search(r'<meta name="description" content="([^"]*)">', head).group(1))
    assert 30 <= len(desc) <= 301 and "\x04" not in body
    assert html.unescape(re.search(r'<meta property="og:description" content="([^"]*)">', head).group(1)) == desc
    title = html.unescape(re.search(r"<title>(.*?)</title>", head).group(1))
    assert html.unescape(re.search(r'<meta property="og:title" content="([^"]*)">', head).group(1)) == title
    crumbs = [d for d in jsonld(body) if d["@type"] == "BreadcrumbList"]
    assert len(crumbs) == 1
    items = crumbs[0]["itemListElement"]
    assert items[0]["item"] == BASE + "/" and items[-1]["item"] == BASE + path
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))


def test_the_description_is_the_pages_lead(client):
    body = client.get("/gaps").text
    lead = re.sub(r"<[^>]+>", "", re.search(r'<p class="lead">(.*?)</p>', body, re.S).group(1))
    assert html.unescape(re.search(r'<meta name="description" content="([^"]*)">', body).group(1)) == lead


def test_a_port_page_carries_its_faq_as_faqpage(client, registry):
    faq = [(q.question, q.answer.text) for q in registry.answer(307).faq]
    body = client.get("/port/307").text
    pages = [d for d in jsonld(body) if d["@type"] == "FAQPage"]
    assert len(pages) == 1
    assert [(q["name"], q["acceptedAnswer"]["text"]) for q in pages[0]["mainEntity"]] == [(q, a) for q, a in faq]
    assert not [d for d in jsonld(client.get("/stats").text) if d["@type"] == "FAQPage"]


def test_registry_text_cannot_close_the_json_ld_script(registry):
    from portatlas.web.seo import jsonld as make

    text = str(make([("a", "/")], [("</script><script>alert(1)</script>", "<!-- & -->")]))
    assert "<" not in text and ">" not in text
    assert json.loads(text)[1]["mainEntity"][0]["name"] == "</script><script>alert(1)</script>"


def test_gaps_are_paged_with_prev_and_next(client, registry):
    n_pages = urls.gaps_pages(urls.n_gap_blocks(registry))
    first = client.get("/gaps").text
    assert '<link rel="next" href="/gaps/2">' in first and 'rel="prev"' not in head_of(first)
    assert first.count("<tr id=") == urls.GAPS_PER_PAGE
    last = client.get(f"/gaps/{n_pages}").text
    assert f'<link rel="prev" href="/gaps/{n_pages - 1}">' in last and 'rel="next"' not in head_of(last)
    every = sum(client.get(urls.gaps_path(n)).text.count("<tr id=") for n in range(1, n_pages + 1))
    assert every == urls.n_gap_blocks(registry)
    assert client.get("/gaps?page=3", follow_redirects=False).headers["location"] == "/gaps/3"
    assert client.get("/gaps/1", follow_redirects=False).headers["location"] == "/gaps"
    assert client.get(f"/gaps/{n_pages + 1}").status_code == 404
    assert client.get("/gaps?page=x").status_code == 422
    # A port's page links to the /gaps page that lists its block.
    b = registry.block(307)
    href = re.search(r'href="(/gaps[^"]*)">all gaps', client.get("/port/307").text).group(1)
    assert f'id="gap-{b.low}"' in client.get(href.split("#")[0]).text and href.endswith(f"#gap-{b.low}")


def test_the_export_with_a_base_url_writes_sitemap_robots_and_absolute_canonicals(tmp_path, registry):
    out = tmp_path / "site"
    export_site(out, BASE, registry=registry, ports=[307], pages=["/", "/gaps", "/gaps/2"], services=[],
                jobs=1, progress=False)
    robots = (out / "robots.txt").read_text()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots
    index = ET.parse(out / "sitemap.xml").getroot()
    chunks = [e.text for e in index.findall("s:sitemap/s:loc", NS)]
    listed = [e.text for loc in chunks for e in
              ET.parse(out / loc[len(BASE) + 1:]).getroot().findall("s:url/s:loc", NS)]
    # The pages written, no others (test_web_export_links checks the whole list).
    assert f"{BASE}/port/307" in listed and f"{BASE}/gaps/2" in listed and f"{BASE}/port/65535" not in listed
    body = (out / "port" / "307" / "index.html").read_text()
    assert f'<link rel="canonical" href="{BASE}/port/307">' in body
    assert (out / "gaps" / "2" / "index.html").is_file()
    css = re.search(r'href="https://ports.example.org/static/(site\.[0-9a-f]{10}\.css)"', body).group(1)
    assert (out / "static" / css).is_file()


def test_the_export_without_a_base_url_names_no_sitemap(tmp_path, registry):
    out = tmp_path / "site"
    export_site(out, registry=registry, ports=[307], pages=["/"], services=[], jobs=1, progress=False)
    assert "Sitemap" not in (out / "robots.txt").read_text() and not (out / "sitemap.xml").exists()
    assert 'rel="canonical"' not in (out / "port" / "307" / "index.html").read_text()


def test_every_footnote_on_a_service_page_points_at_a_source(client):
    body = client.get("/service/http").text
    targets = set(re.findall(r'href="#(note-\d+)"', body))
    assert targets and all(f'id="{t}"' in body for t in targets)
