"""What portatlas writes: page feedback, in SQLite by default or PostgreSQL when given a DSN.

``open_store()`` picks the backend from the settings; both implement
``FeedbackStore`` over one schema (``store/schema.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from portatlas.store.interface import Counts, FeedbackComment, FeedbackStore, StoreError

DATABASE_URL_ENV = "PORTATLAS_DATABASE_URL"


def default_sqlite_path() -> Path:
    """The SQLite file in the user's data directory (``PORTATLAS_DATA_DIR`` overrides the directory)."""
    from portatlas.source.paths import data_dir

    return data_dir() / "feedback.sqlite3"


def open_store(database_url: str | None = None) -> FeedbackStore:
    """The store named by ``database_url`` (or ``PORTATLAS_DATABASE_URL``), else SQLite in the data directory.

    ``postgresql://…`` opens PostgreSQL; ``sqlite:///path`` or a plain path opens that SQLite file.
    """
    url = database_url if database_url is not None else os.environ.get(DATABASE_URL_ENV) or None
    if url and url.startswith(("postgresql://", "postgres://")):
        from portatlas.store.postgres import PostgresStore

        return PostgresStore(url)
    from portatlas.store.sqlite import SQLiteStore

    if url:
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else url
        return SQLiteStore(Path(path))
    return SQLiteStore(default_sqlite_path())


__all__ = ["Counts", "FeedbackComment", "FeedbackStore", "StoreError", "default_sqlite_path", "open_store"]
