"""Feedback keys and voters through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.web.test_web_feedback import counts


def test_a_browser_voting_again_changes_its_vote(make_client, db_url, page_path):
    c = make_client(database_url=db_url)
    y0, n0 = counts(c, page_path)
    me, other = uuid.uuid4().hex, uuid.uuid4().hex
    assert c.post("/api/feedback", json={"page": page_path, "helpful": True, "voter": me}).status_code == 201
    r = c.post("/api/feedback", json={"page": page_path, "helpful": False, "voter": me})
    assert r.status_code == 201 and (r.json()["yes"], r.json()["no"]) == (y0, n0 + 1)
    c.post("/api/feedback", json={"page": page_path, "helpful": True, "voter": other})
    c.post("/api/feedback", json={"page": page_path, "helpful": True})  # anonymous: always one more
    c.post("/api/feedback", data={"page": page_path, "helpful": "yes"}, follow_redirects=False)  # the bare form
    assert counts(c, page_path) == (y0 + 3, n0 + 1)


@pytest.mark.parametrize("given,canonical", [
    ("/service/HTTP", "/service/http"), ("/port/0080", "/port/80"), ("/port/80?utm=x#feedback", "/port/80"),
    ("/gaps/1", "/gaps"), ("/ports/0300-310", "/ports/300-310"),
])
def test_votes_on_another_spelling_of_a_page_count_for_the_page(make_client, db_url, given, canonical):
    c = make_client(database_url=db_url)
    y0, n0 = counts(c, canonical)
    r = c.post("/api/feedback", json={"page": given, "helpful": True})
    assert r.status_code == 201 and r.json()["page"] == canonical
    assert counts(c, canonical) == (y0 + 1, n0)
    assert counts(c, given) == (y0 + 1, n0)  # reading through the other spelling reads the same page


@pytest.mark.parametrize("voter", ["short", "x" * 65, "has space!", 12345678, "../../etc/passwd"])
def test_a_malformed_voter_id_is_refused_with_a_message(client, voter):
    r = client.post("/api/feedback", json={"page": "/port/307", "helpful": True, "voter": voter})
    assert r.status_code == 422 and "'voter'" in r.json()["error"]["message"]


def test_a_gaps_page_that_does_not_exist_is_no_feedback_key(client):
    # Written as a gaps page, but past the last one: not found, and nothing stored under it.
    r = client.post("/api/feedback", json={"page": "/gaps/999", "helpful": True})
    assert r.status_code == 404 and "no page '/gaps/999'" in r.json()["error"]["message"]
    assert client.get("/api/feedback", params={"page": "/gaps/999"}).status_code == 404
