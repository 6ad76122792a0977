"""Feedback in a SQLite file (WAL mode), the default store."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from portatlas.store.interface import Counts, FeedbackComment, FeedbackStore, StoreError
from portatlas.store.schema import SCHEMA_VERSION, indexes, migrations, statements, upsert

BUSY_TIMEOUT = 5.0  # seconds a vote waits for another writer before the store answers 503


class SQLiteStore(FeedbackStore):
    """One SQLite file; one connection per thread; WAL so readers never block the writer.

    Several processes may share the file: SQLite serialises writers with its
    lock and ``busy_timeout`` makes a waiting writer retry instead of failing.
    """

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create {self.path.parent} for the feedback database: {e.strerror}") from None
        self._local = threading.local()
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")  # one process creates or migrates; the others wait, then see it done
            try:
                for sql in statements("sqlite"):
                    conn.execute(sql)
                row = conn.execute("SELECT MAX(version) FROM portatlas_schema").fetchone()
                if row[0] is None:
                    conn.execute("INSERT INTO portatlas_schema (version) VALUES (?)", (SCHEMA_VERSION,))
                elif row[0] < SCHEMA_VERSION:
                    for sql in migrations(row[0]):
                        conn.execute(sql)
                    conn.execute("UPDATE portatlas_schema SET version = ?", (SCHEMA_VERSION,))
                for sql in indexes():
                    conn.execute(sql)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise StoreError(f"cannot set up the feedback database {self.path}: {e}") from None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it consistent
            except sqlite3.Error as e:
                raise StoreError(f"cannot open the feedback database {self.path}: {e}") from None
            self._local.conn = conn
        return conn

    def add(self, page: str, helpful: bool, comment: str | None = None, voter: str | None = None) -> Counts:
        """Store one vote (replacing ``voter``'s earlier vote on the page); return the page's counts after it."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(upsert("sqlite"), (page, bool(helpful), comment or None, now, voter or None))
                counts = self._counts(conn, page)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise StoreError(f"the feedback database refused the vote: {e}") from None
        return counts

    @staticmethod
    def _counts(conn: sqlite3.Connection, page: str) -> Counts:
        return Counts.tally(conn.execute(
            "SELECT helpful, COUNT(*) FROM feedback WHERE page = ? GROUP BY helpful", (page,)))

    def counts(self, page: str) -> Counts:
        """The page's yes/no counts."""
        try:
            return self._counts(self._conn(), page)
        except sqlite3.Error as e:
            raise StoreError(f"cannot read the feedback database: {e}") from None

    def comments(self, page: str, limit: int = 100) -> list[FeedbackComment]:
        """The page's comments, newest first."""
        try:
            rows = self._conn().execute(
                "SELECT id, page, helpful, comment, created FROM feedback "
                "WHERE page = ? AND comment IS NOT NULL ORDER BY id DESC LIMIT ?", (page, limit)).fetchall()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read the feedback database: {e}") from None
        return [FeedbackComment(id=i, page=p, helpful=bool(h), comment=c, created=t) for i, p, h, c, t in rows]

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
