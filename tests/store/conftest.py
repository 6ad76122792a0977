"""Fixtures: every store test runs once on SQLite and once on PostgreSQL (db_url, in tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from portatlas.store import FeedbackStore, open_store


@pytest.fixture
def store(db_url: str) -> Iterator[FeedbackStore]:
    """An open store on each backend."""
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def page() -> str:
    """A page path no other test (or earlier run on the shared PostgreSQL) has used."""
    return f"/port/{uuid.uuid4().int % 65536}?t={uuid.uuid4().hex}"
