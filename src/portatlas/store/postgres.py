"""Feedback in PostgreSQL (psycopg 3), for several servers sharing one database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from portatlas.store.interface import Counts, FeedbackComment, FeedbackStore, StoreError
from portatlas.store.schema import SCHEMA_VERSION, indexes, migrations, statements, upsert

_POOL_MAX = 8


class PostgresStore(FeedbackStore):
    """A small pool of autocommit connections; a vote is one INSERT and its count, in one transaction.

    Schema creation takes an advisory lock so servers starting together do
    not race on CREATE TABLE.
    """

    backend = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        with self._connection() as conn:
            conn.execute("SELECT pg_advisory_lock(7160307)")
            try:
                for sql in statements("postgres"):
                    conn.execute(sql)
                row = conn.execute("SELECT MAX(version) FROM portatlas_schema").fetchone()
                if row is None or row[0] is None:
                    conn.execute("INSERT INTO portatlas_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
                elif row[0] < SCHEMA_VERSION:
                    with conn.transaction():
                        for sql in migrations(row[0]):
                            conn.execute(sql)
                        conn.execute("UPDATE portatlas_schema SET version = %s", (SCHEMA_VERSION,))
                for sql in indexes():
                    conn.execute(sql)
            finally:
                conn.execute("SELECT pg_advisory_unlock(7160307)")

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise StoreError(f"cannot connect to PostgreSQL ({_redact(self.url)}): "
                             f"{str(e).strip().splitlines()[0]}") from None

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg

        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = self._connect()
        try:
            yield conn
        except psycopg.Error as e:
            conn.close()
            raise StoreError(f"PostgreSQL refused the request: {str(e).strip().splitlines()[0]}") from None
        with self._lock:
            if len(self._idle) < _POOL_MAX and not conn.closed:
                self._idle.append(conn)
                conn = None
        if conn is not None:
            conn.close()

    def add(self, page: str, helpful: bool, comment: str | None = None, voter: str | None = None) -> Counts:
        """Store one vote (replacing ``voter``'s earlier vote on the page); return the page's counts after it."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        # One transaction: a connection lost between the INSERT and the count rolls the vote
        # back, so a 503 always means "not stored" (never a stored vote reported as failed).
        with self._connection() as conn, conn.transaction():
            conn.execute(upsert("postgres"), (page, bool(helpful), comment or None, now, voter or None))
            return self._counts(conn, page)

    @staticmethod
    def _counts(conn: Any, page: str) -> Counts:
        return Counts.tally(conn.execute(
            "SELECT helpful, COUNT(*) FROM feedback WHERE page = %s GROUP BY helpful", (page,)))

    def counts(self, page: str) -> Counts:
        """The page's yes/no counts."""
        with self._connection() as conn:
            return self._counts(conn, page)

    def comments(self, page: str, limit: int = 100) -> list[FeedbackComment]:
        """The page's comments, newest first."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT id, page, helpful, comment, created FROM feedback "
                "WHERE page = %s AND comment IS NOT NULL ORDER BY id DESC LIMIT %s", (page, limit)).fetchall()
        return [FeedbackComment(id=i, page=p, helpful=bool(h), comment=c, created=t) for i, p, h, c, t in rows]

    def close(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _redact(url: str) -> str:
    """The DSN without its password, for error messages."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}:***@{host}"
    return url
