"""Over the wire, against a real server: gzip with Vary and ETags that stay right, hashed static files cached a year."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest

GZ = {"Accept-Encoding": "gzip"}


def raw(url: str, headers: dict[str, str]) -> httpx.Response:
    """A response as sent: httpx would decode gzip, so read the bytes off the stream ourselves."""
    with httpx.stream("GET", url, headers=headers) as r:
        r.body = b"".join(r.iter_raw())  # type: ignore[attr-defined]
        return r


@pytest.mark.server
@pytest.mark.parametrize("path,ctype", [("/port/307", "text/html"), ("/api/ports/307", "application/json"),
                                        ("/gaps", "text/html"), ("/sitemaps/2.xml", "application/xml"),
                                        ("/api/stats", "application/json")])
def test_text_answers_are_gzipped_with_vary_and_their_own_etag(serve, path, ctype):
    server = serve()
    plain = raw(server.url + path, {"Accept-Encoding": "identity"})
    packed = raw(server.url + path, GZ)
    assert plain.headers.get("content-encoding") is None and packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed.body) == plain.body  # type: ignore[attr-defined]
    assert int(packed.headers["content-length"]) == len(packed.body) < len(plain.body) / 2  # type: ignore[attr-defined]
    assert packed.headers["content-type"].startswith(ctype)
    for r in (plain, packed):
        assert "accept-encoding" in r.headers["vary"].lower()
    # Two representations, two validators; each revalidates as itself.
    e_plain, e_gz = plain.headers.get("etag"), packed.headers.get("etag")
    if e_plain:
        assert e_gz == e_plain[:-1] + '-gz"'
        again = httpx.get(server.url + path, headers={**GZ, "If-None-Match": e_gz})
        assert again.status_code == 304 and again.headers["etag"] == e_gz
        again = httpx.get(server.url + path, headers={"Accept-Encoding": "identity", "If-None-Match": e_plain})
        assert again.status_code == 304 and again.headers["etag"] == e_plain
        # A client switching to gzip with a plain copy gets the gzip body, not a 304 for the wrong bytes.
        switched = {**GZ, "If-None-Match": e_gz.replace("-gz", "-x")}
        assert httpx.get(server.url + path, headers=switched).status_code == 200
    head = httpx.head(server.url + path, headers=GZ)
    assert head.headers["content-length"] == packed.headers["content-length"] and head.content == b""


@pytest.mark.server
def test_gzip_q0_and_pictures_are_sent_as_they_are(serve):
    server = serve()
    r = raw(server.url + "/port/307", {"Accept-Encoding": "gzip;q=0, identity"})
    assert r.headers.get("content-encoding") is None
    home = httpx.get(server.url + "/").text
    png = re.search(r'href="(/static/portspace\.[0-9a-f]{10}\.png)"', home).group(1)
    r = raw(server.url + png, GZ)
    assert r.headers.get("content-encoding") is None and r.body.startswith(b"\x89PNG")  # type: ignore[attr-defined]


@pytest.mark.server
def test_static_files_have_hashed_names_and_a_years_immutable_cache(serve):
    server = serve()
    page = httpx.get(server.url + "/port/307").text
    names = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {n.rsplit(".", 1)[-1] for n in names} >= {"css", "svg", "js"}
    for name in names:
        assert re.fullmatch(r"/static/[a-z]+\.[0-9a-f]{10}\.(css|js|svg|png)", name), name
        r = httpx.get(server.url + name)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        import hashlib

        assert hashlib.sha256(r.content).hexdigest()[:10] == name.rsplit(".", 2)[1]  # the name is the content
    assert httpx.get(server.url + "/static/site.css").headers["cache-control"] == "public, max-age=3600"
    assert httpx.get(server.url + "/static/site.0000000000.css").status_code == 404
