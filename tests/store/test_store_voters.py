"""One vote per browser per page, anonymous votes kept, and the version 1 schema migrated with its votes."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from portatlas.store import Counts, FeedbackStore, open_store
from portatlas.store.schema import SCHEMA_VERSION

V1_TABLES = [
    "CREATE TABLE portatlas_schema (version INTEGER NOT NULL)",
    "INSERT INTO portatlas_schema (version) VALUES (1)",
    "CREATE TABLE feedback (id {id}, page VARCHAR(200) NOT NULL, helpful BOOLEAN NOT NULL, "
    "comment VARCHAR(1000), created VARCHAR(32) NOT NULL)",
    "CREATE INDEX feedback_page ON feedback (page, helpful)",
]


def test_a_second_vote_from_the_same_browser_replaces_the_first(store: FeedbackStore, page: str) -> None:
    assert store.add(page, True, voter="browser-aaaaaaaa") == Counts(1, 0)
    assert store.add(page, False, voter="browser-aaaaaaaa") == Counts(0, 1)  # changed, not added
    assert store.add(page, False, voter="browser-aaaaaaaa") == Counts(0, 1)
    assert store.add(page, True, voter="browser-bbbbbbbb") == Counts(1, 1)  # another browser counts
    assert store.add(page + "-other", True, voter="browser-aaaaaaaa") == Counts(1, 0)  # per page
    assert store.counts(page) == Counts(1, 1)


def test_anonymous_votes_are_never_merged(store: FeedbackStore, page: str) -> None:
    for helpful in (True, True, False):
        store.add(page, helpful)
    store.add(page, True, voter="browser-cccccccc")
    assert store.counts(page) == Counts(3, 1)


def test_a_changed_vote_keeps_its_comment_unless_it_brings_a_new_one(store: FeedbackStore, page: str) -> None:
    store.add(page, True, "first thought", voter="browser-dddddddd")
    store.add(page, False, voter="browser-dddddddd")
    assert [(c.helpful, c.comment) for c in store.comments(page)] == [(False, "first thought")]
    store.add(page, False, "second thought", voter="browser-dddddddd")
    assert [c.comment for c in store.comments(page)] == ["second thought"]


def _v1_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    for sql in V1_TABLES:
        conn.execute(sql.format(id="INTEGER PRIMARY KEY"))
    conn.executemany("INSERT INTO feedback (page, helpful, comment, created) VALUES (?, ?, ?, ?)",
                     [("/port/307", True, "kept", "2026-01-01T00:00:00+00:00"),
                      ("/port/307", False, None, "2026-01-01T00:00:01+00:00"),
                      ("/port/80", True, None, "2026-01-01T00:00:02+00:00")])
    conn.commit()
    conn.close()


@pytest.fixture
def v1_postgres() -> Iterator[str]:
    """A version 1 feedback schema in a PostgreSQL schema of its own (dropped afterwards)."""
    import psycopg

    from tests.conftest import pg_url

    base = pg_url()
    name = f"v1_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(f"SET search_path TO {name}")
        for sql in V1_TABLES:
            conn.execute(sql.format(id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
        for page, helpful, comment in [("/port/307", True, "kept"), ("/port/307", False, None),
                                       ("/port/80", True, None)]:
            conn.execute("INSERT INTO feedback (page, helpful, comment, created) VALUES (%s, %s, %s, 'then')",
                         (page, helpful, comment))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def _check_migrated(url: str) -> None:
    with open_store(url) as s:
        assert s.counts("/port/307") == Counts(1, 1) and s.counts("/port/80") == Counts(1, 0)  # every vote kept
        assert [c.comment for c in s.comments("/port/307")] == ["kept"]
        assert s.add("/port/307", False, voter="browser-eeeeeeee") == Counts(1, 2)
        assert s.add("/port/307", True, voter="browser-eeeeeeee") == Counts(2, 1)
        assert s.add("/port/307", True) == Counts(3, 1)
    with open_store(url) as s:  # opening a migrated database again changes nothing
        assert s.counts("/port/307") == Counts(3, 1)


def test_a_version_1_sqlite_database_is_migrated_with_its_votes(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _v1_sqlite(path)
    _check_migrated(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM portatlas_schema").fetchall() == [(SCHEMA_VERSION,)]


@pytest.mark.postgres
def test_a_version_1_postgres_database_is_migrated_with_its_votes(v1_postgres: str) -> None:
    _check_migrated(v1_postgres)
