"""Feedback through the real app and real servers, on SQLite and PostgreSQL: counted, guarded, never lost."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest


def counts(c, page: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    r = c.get("/api/feedback", params={"page": page})
    assert r.status_code == 200, r.text
    return r.json()["yes"], r.json()["no"]


def test_votes_count_and_pages_show_them(make_client, db_url, page_path):
    c = make_client(database_url=db_url)
    y0, n0 = counts(c, page_path)  # PostgreSQL is shared across runs: count from where it stands
    r = c.post("/api/feedback", json={"page": page_path, "helpful": True})
    assert r.status_code == 201 and (r.json()["yes"], r.json()["no"]) == (y0 + 1, n0)
    c.post("/api/feedback", json={"page": page_path, "helpful": False, "comment": "more examples please"})
    assert counts(c, page_path) == (y0 + 1, n0 + 1)
    body = c.get(page_path).text
    assert f'<span id="fb-yes">{y0 + 1}</span>' in body and f'<span id="fb-no">{n0 + 1}</span>' in body


def test_the_form_posts_the_same_and_returns_to_the_page(make_client, db_url, page_path):
    c = make_client(database_url=db_url)
    y0, n0 = counts(c, page_path)
    r = c.post("/api/feedback", data={"page": page_path, "helpful": "yes", "comment": ""}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page_path + "#feedback"
    assert counts(c, page_path) == (y0 + 1, n0)


def test_comments_need_the_admin_token(make_client, db_url, page_path):
    evil = "<script>alert('x')</script> bad page"
    c = make_client(database_url=db_url, admin_token="s3cret-token")
    c.post("/api/feedback", json={"page": page_path, "helpful": False, "comment": evil})
    url = "/api/feedback/comments"
    assert c.get(url, params={"page": page_path}).status_code == 401
    assert c.get(url, params={"page": page_path}).headers["www-authenticate"].startswith("Bearer")
    assert c.get(url, params={"page": page_path}, headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = c.get(url, params={"page": page_path}, headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["comments"][0]["comment"] == evil
    # A comment is never shown on a page.
    assert "alert(" not in c.get(page_path).text


def test_without_a_configured_token_nobody_reads_comments(client):
    r = client.get("/api/feedback/comments", params={"page": "/port/1"}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and "PORTATLAS_ADMIN_TOKEN" in r.json()["error"]["message"]


@pytest.mark.parametrize("body,status", [
    ({"helpful": True}, 422),
    ({"page": "/port/307"}, 422),
    ({"page": "/port/307", "helpful": "maybe"}, 422),
    ({"page": "https://evil.example/", "helpful": True}, 422),
    ({"page": "/port/70000", "helpful": True}, 422),
    # Written as a page, but not one this site has: 404; not written as a page at all: 422.
    ({"page": "/service/no-such-name-x", "helpful": True}, 404),
    ({"page": "/ports/0-9000", "helpful": True}, 404),
    ({"page": "/gaps/999999", "helpful": True}, 404),
    ({"page": "/port/ 80", "helpful": True}, 422),
    ({"page": "", "helpful": True}, 422),
    ({"page": "/port/307", "helpful": "YES"}, 422),
    ({"page": "/port/307", "helpful": "yes"}, 422),  # JSON takes a boolean; the form's yes/no are the form's
    ({"page": "/port/307", "helpful": 1}, 422),
    ({"page": "/port/307", "helpful": True, "comment": "x" * 1001}, 422),
    ({"page": "/port/307", "helpful": True, "comment": "x" * 999 + " " * 5}, 422),  # counted as sent
    ({"page": "/port/307", "helpful": True, "comment": 5}, 422),
    ({"page": "/" + "a" * 300, "helpful": True}, 422),
])
def test_invalid_votes_are_refused_with_a_message(client, body, status):
    r = client.post("/api/feedback", json=body)
    assert r.status_code == status and r.json()["error"]["message"]
    assert counts(client, "/port/307") == (0, 0)


def test_an_empty_or_null_voter_and_a_null_comment_are_an_anonymous_vote_without_one(client):
    # What the OpenAPI document allows (voter empty or null, comment null), the server takes.
    for extra in ({"voter": ""}, {"voter": None}, {"comment": None}):
        r = client.post("/api/feedback", json={"page": "/port/2", "helpful": False, **extra})
        assert r.status_code == 201, (extra, r.text)
    assert counts(client, "/port/2") == (0, 3)


def test_a_form_with_fields_a_vote_does_not_use_still_votes(client):
    extra = "&".join(f"x{i}=1" for i in range(30))
    r = client.post("/api/feedback", content=f"page=/port/4&helpful=yes&{extra}",
                    headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert r.status_code == 303 and counts(client, "/port/4") == (1, 0)


def test_a_thousand_character_comment_is_kept(client):
    r = client.post("/api/feedback", json={"page": "/port/1", "helpful": True, "comment": "é" * 1000})
    assert r.status_code == 201


def test_malformed_bodies(client):
    assert client.post("/api/feedback", content=b"{nope", headers={"content-type": "application/json"}) \
        .status_code == 400
    assert client.post("/api/feedback", content=b"[1]", headers={"content-type": "application/json"}) \
        .status_code == 400
    assert client.post("/api/feedback", content=b"page=x", headers={"content-type": "text/plain"}).status_code == 415
    r = client.post("/api/feedback", content=b"x" * (10 * 1024 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "too_large"


def test_rate_limit_answers_429_per_client(make_client):
    c = make_client(feedback_rate="3/60", client_ip_header="X-Forwarded-For")
    vote = {"page": "/port/307", "helpful": True}
    for _ in range(3):
        assert c.post("/api/feedback", json=vote, headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 201
    r = c.post("/api/feedback", json=vote, headers={"X-Forwarded-For": "10.0.0.1"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # Another client (as the proxy reports it) is not held back.
    assert c.post("/api/feedback", json=vote, headers={"X-Forwarded-For": "10.0.0.1, 10.0.0.2"}).status_code == 201
    assert counts(c, "/port/307") == (4, 0)


def test_cross_origin_pages_may_post(client):
    r = client.options("/api/feedback", headers={"Origin": "https://static.example",
                                                 "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
    r = client.post("/api/feedback", json={"page": "/port/9", "helpful": True},
                    headers={"Origin": "https://static.example"})
    assert r.headers["access-control-allow-origin"] == "*"


# -- real server processes ---------------------------------------------------------------------

async def _post_many(url: str, page: str, n: int) -> list[int]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as c:
        rs = await asyncio.gather(*[c.post("/api/feedback", json={"page": page, "helpful": i % 4 != 0})
                                    for i in range(n)])
    return [r.status_code for r in rs]


@pytest.mark.server
def test_200_concurrent_posts_give_exactly_200_more(serve, db_url, page_path):
    server = serve({"PORTATLAS_DATABASE_URL": db_url}, workers=2)
    before = httpx.get(server.url + "/api/feedback", params={"page": page_path}).json()
    statuses = asyncio.run(_post_many(server.url, page_path, 200))
    assert statuses == [201] * 200
    after = httpx.get(server.url + "/api/feedback", params={"page": page_path}).json()
    assert (after["yes"] - before["yes"], after["no"] - before["no"]) == (150, 50)


@pytest.mark.server
def test_counts_survive_a_restart(serve, db_url, page_path):
    env = {"PORTATLAS_DATABASE_URL": db_url}
    first = serve(env)
    y0 = httpx.get(first.url + "/api/feedback", params={"page": page_path}).json()["yes"]
    for helpful in (True, True, False):
        assert httpx.post(first.url + "/api/feedback", json={"page": page_path, "helpful": helpful}).status_code == 201
    first.stop()
    second = serve(env)
    assert httpx.get(second.url + "/api/feedback", params={"page": page_path}).json()["yes"] == y0 + 2
    assert re.search(rf'<span id="fb-yes">{y0 + 2}</span>', httpx.get(second.url + page_path).text)


@pytest.mark.server
@pytest.mark.postgres
def test_two_servers_sharing_postgres_see_each_others_feedback(serve, page_path):
    from ..conftest import pg_url

    env = {"PORTATLAS_DATABASE_URL": pg_url()}
    a, b = serve(env), serve(env)
    before = httpx.get(a.url + "/api/feedback", params={"page": page_path}).json()
    assert httpx.post(a.url + "/api/feedback", json={"page": page_path, "helpful": True}).status_code == 201
    assert httpx.post(b.url + "/api/feedback", json={"page": page_path, "helpful": False}).status_code == 201
    for s in (a, b):
        now = httpx.get(s.url + "/api/feedback", params={"page": page_path}).json()
        assert (now["yes"] - before["yes"], now["no"] - before["no"]) == (1, 1)
    assert httpx.get(a.url + "/api/ports/5432").content == httpx.get(b.url + "/api/ports/5432").content


@pytest.mark.server
def test_a_10_mb_post_to_a_real_server_is_a_413_and_the_server_carries_on(serve):
    server = serve()
    r = httpx.post(server.url + "/api/feedback", content=b"{" + b" " * (10 * 1024 * 1024) + b"}",
                   headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["type"] == "too_large"
    for path in ("/port/-1", "/port/abc", "/port/99999999999999999999", "/api/ports/70000"):
        assert 400 <= httpx.get(server.url + path).status_code < 500
    assert httpx.get(server.url + "/healthz").status_code == 200
