"""Fixtures: every store test runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from portatlas.store import FeedbackStore, open_store

PG_ENV = "PORTATLAS_TEST_DATABASE_URL"


def pg_url() -> str:
    """The test PostgreSQL DSN; the PostgreSQL half is skipped (visibly) only when none is configured."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (CI sets it; see .ci/run)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    return pg_url()


@pytest.fixture
def store(store_url: str) -> Iterator[FeedbackStore]:
    """An open store on each backend."""
    s = open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def page() -> str:
    """A page path no other test (or earlier run on the shared PostgreSQL) has used."""
    return f"/port/{uuid.uuid4().int % 65536}?t={uuid.uuid4().hex}"
