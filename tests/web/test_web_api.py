"""The JSON API: the CLI's objects, one error shape, validators from the edition, never a 500 for bad input."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portatlas.model import to_json
from portatlas.value import to_data


def assert_error(r, status: int | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert 400 <= r.status_code < 500, r.status_code
    if status:
        assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "type", "message"}
    assert body["error"]["status"] == r.status_code and body["error"]["message"]
    return body["error"]


def test_port_is_the_library_answer(client, registry):
    data = client.get("/api/ports/5432").json()
    assert data == json.loads(json.dumps(to_data(registry.answer(5432))))
    assert client.get("/api/ports/5432/udp").json() == json.loads(json.dumps(to_data(registry.answer(5432, "udp"))))
    # The transport goes in the path only, so a path and a parameter can never disagree.
    err = assert_error(client.get("/api/ports/5432?transport=udp"), 422)
    assert "/api/ports/5432/udp" in err["message"]


def test_span_service_search_gaps_stats(client, registry):
    assert client.get("/api/ports/300-310").json() == json.loads(json.dumps(to_data(registry.ports("300-310"))))
    assert client.get("/api/ports/22,80,443").json()["ports"][1]["names"] == ["http", "www", "www-http"]
    assert client.get("/api/services/POSTGRESQL").json() == json.loads(json.dumps(to_data(registry.name("POSTGRESQL"))))
    found = client.get("/api/search", params={"q": "postgres", "limit": 5}).json()
    assert found == json.loads(json.dumps(to_data(registry.search_answer("postgres", limit=5))))
    assert found["hits"][0]["ports"][0] == "5432"
    assert client.get("/api/gaps", params={"range": "system", "min": 5}).json() == \
        to_json(registry.gaps("system", 5))
    assert client.get("/api/gaps", params={"transport": ["tcp"], "limit": 3}).json() == \
        to_json(registry.gaps(None, 1, ("tcp",))[:3])
    assert client.get("/api/stats").json() == to_json(registry.stats())


@pytest.mark.parametrize("path,status", [
    ("/api/ports/70000", 422), ("/api/ports/-1", 422), ("/api/ports/abc", 422),
    ("/api/ports/99999999999999999999", 422), ("/api/ports/1e3", 422), ("/api/ports/90-80", 422),
    ("/api/ports/0-65535", 422), ("/api/services/no-such-name-here", 404), ("/api/search?q=", 422),
    ("/api/search?q=x&limit=0", 422), ("/api/search?q=x&transport=ipx", 422), ("/api/gaps?range=dynamic", 422),
    ("/api/gaps?min=0", 422), ("/api/nope", 404), ("/api/ports/%00", 422),
    # The API takes what its document says, exactly: no blank, no capitals, nothing the CLI forgives.
    ("/api/search?q=x&range=", 422), ("/api/search?q=x&transport=", 422), ("/api/search?q=x&transport=TCP", 422),
    ("/api/search?q=x&range=all", 422), ("/api/gaps?transport=", 422), ("/api/gaps?transport=Udp", 422),
    ("/api/ports/%2080", 422), ("/api/ports/port%2080", 422), ("/api/ports/80%2FTCP", 422),
    ("/api/ports/22,%2080", 422),
])
def test_bad_requests_share_one_error_shape(client, path, status):
    err = assert_error(client.get(path), status)
    assert "\n" not in err["message"] and "Traceback" not in err["message"]


def test_unknown_service_suggests_names(client):
    err = assert_error(client.get("/api/services/postgresq"), 404)
    assert "postgresql" in err["message"] and "search for it" not in err["message"]


def test_a_name_nothing_resembles_offers_the_search_in_the_sites_own_words(client):
    err = assert_error(client.get("/api/services/zq xv"), 404)
    assert err["message"].endswith("; search for it: /api/search?q=zq%20xv")
    assert "portatlas search" not in err["message"]  # the command line's wording stays the command line's
    page = client.get("/service/zq%20xv")
    assert page.status_code == 404 and "/search?q=zq%20xv" in page.text and "/api/search" not in page.text


def test_etag_and_cache_control_come_from_the_edition(client, registry):
    r = client.get("/api/ports/5432")
    assert registry.edition in r.headers["etag"] and "max-age" in r.headers["cache-control"]
    again = client.get("/api/ports/5432", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/api/stats").headers["etag"] == r.headers["etag"]
    page = client.get("/port/307")
    assert registry.edition in page.headers["etag"]
    assert client.get("/port/307", headers={"If-None-Match": page.headers["etag"]}).status_code == 304


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/ports/{spec}", "/api/services/{name}", "/api/search", "/api/gaps", "/api/stats",
                 "/api/feedback", "/api/feedback/comments"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/feedback"] and "get" in spec["paths"]["/api/feedback"]
    assert client.get("/api/docs").status_code == 200


def _refs(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_openapi_schemas_are_complete_and_say_what_is_valid(client):
    import re

    from portatlas.web.urls import PAGE_PATTERN

    spec = client.get("/api/openapi.json").json()
    comps = spec["components"]["schemas"]
    # Every reference resolves (FastAPI's own HTTPValidationError is never left behind).
    assert {r.rsplit("/", 1)[1] for r in _refs(spec)} <= set(comps)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for code, resp in op["responses"].items():
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if code.startswith(("4", "5")):
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, code)
                elif code in ("200", "201"):
                    assert schema, (path, method, code)  # a real schema, never an empty one
    post = spec["paths"]["/api/feedback"]["post"]["responses"]
    assert {"400", "404", "413", "415", "422", "429", "503"} <= set(post)
    # The page pattern takes what canonical() reads as a page and nothing it refuses as malformed.
    page = re.compile(PAGE_PATTERN)
    for good in ("/", "/port/307", "/port/0080", "/ports/300-310", "/service/http", "/range/user", "/gaps",
                 "/gaps/2", "/stats", "/port/307#feedback"):
        assert page.fullmatch(good), good
    for bad in ("", "/port/70000", "/port/ 80", "//evil.example/", "https://evil.example/", "/range/x", "/port/"):
        assert not page.fullmatch(bad), bad


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_any_text_as_a_port_never_gives_a_5xx(client, text):
    from urllib.parse import quote

    for prefix in ("/api/ports/", "/port/", "/ports/", "/api/services/", "/service/"):
        r = client.get(prefix + quote(text, safe=""), follow_redirects=False)
        assert r.status_code < 500, (prefix, text, r.status_code, r.text[:200])
        if prefix.startswith("/api") and r.status_code >= 400:
            assert_error(r)


def test_api_responses_are_compact_json_bytes(client):
    r = client.get("/api/ports/307")
    assert r.headers["content-type"] == "application/json"
    assert json.loads(r.content)["port"] == 307


def test_head_answers_like_get_without_a_body(client):
    for path in ("/port/307", "/api/ports/80", "/healthz", "/"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"]
    assert client.head("/port/abc").status_code == 422


def test_pages_forbid_foreign_scripts(client):
    csp = client.get("/port/307").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert client.get("/port/abc").headers["content-security-policy"] == csp


def test_the_fast_path_answers_exactly_as_the_routes(make_client):
    fast, slow = make_client(), make_client(fast_path=False)
    for path in ("/port/307", "/api/ports/5432", "/port/0", "/api/ports/65535", "/port/80"):
        for c in (fast, slow):
            c.get(path)  # render once: the fast path serves only what is cached
        a, b = fast.get(path), slow.get(path)
        assert (a.status_code, a.content) == (b.status_code, b.content), path
        assert {k: v for k, v in a.headers.items() if k != "date"} == \
            {k: v for k, v in b.headers.items() if k != "date"}, path
        etag = a.headers["etag"]
        assert fast.get(path, headers={"If-None-Match": etag}).status_code == 304
        h = fast.head(path)
        assert h.status_code == 200 and h.content == b"" and h.headers["content-length"] == a.headers["content-length"]
    for path in ("/port/0307", "/api/ports/070000", "/port/65536", "/api/ports/-1"):
        assert fast.get(path, follow_redirects=False).status_code == slow.get(path, follow_redirects=False).status_code
