"""The one schema both backends use: a table of votes, an index by page, a version row, and migrations.

Column types are written once; only the auto-numbered key differs by dialect
(SQLite's INTEGER PRIMARY KEY, PostgreSQL's identity column).

Version 2 adds ``voter``: a random id a browser keeps and sends with its votes,
so a second vote from the same browser replaces its first. A partial unique
index holds one row per (page, voter); anonymous votes (no voter: the form
without script, old clients) are never merged. Migrating from version 1 adds
the column and the index and keeps every existing vote (as anonymous).
"""

from __future__ import annotations

SCHEMA_VERSION = 2

_ID = {
    "sqlite": "INTEGER PRIMARY KEY",
    "postgres": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}

# A vote from a known voter replaces that voter's earlier vote on the page; an empty new comment keeps the old.
UPSERT = ("INSERT INTO feedback (page, helpful, comment, created, voter) VALUES ({p}, {p}, {p}, {p}, {p}) "
          "ON CONFLICT (page, voter) WHERE voter IS NOT NULL DO UPDATE SET helpful = excluded.helpful, "
          "comment = COALESCE(excluded.comment, feedback.comment), created = excluded.created")


def statements(dialect: str) -> list[str]:
    """CREATE statements (idempotent) for ``dialect`` ("sqlite" or "postgres"): the current shape."""
    return [
        "CREATE TABLE IF NOT EXISTS portatlas_schema (version INTEGER NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS feedback (
            id {_ID[dialect]},
            page VARCHAR(200) NOT NULL,
            helpful BOOLEAN NOT NULL,
            comment VARCHAR(1000),
            created VARCHAR(32) NOT NULL,
            voter VARCHAR(64)
        )""",
    ]


def indexes() -> list[str]:
    """Indexes, created after any migration (the unique one needs the voter column)."""
    return [
        "CREATE INDEX IF NOT EXISTS feedback_page ON feedback (page, helpful)",
        "CREATE UNIQUE INDEX IF NOT EXISTS feedback_voter ON feedback (page, voter) WHERE voter IS NOT NULL",
    ]


def migrations(version: int) -> list[str]:
    """The statements taking a database at ``version`` to ``SCHEMA_VERSION`` (votes kept)."""
    out: list[str] = []
    if version < 2:
        out.append("ALTER TABLE feedback ADD COLUMN voter VARCHAR(64)")
    return out


def upsert(dialect: str) -> str:
    """The INSERT for one vote, with the dialect's placeholder."""
    return UPSERT.format(p="?" if dialect == "sqlite" else "%s")
