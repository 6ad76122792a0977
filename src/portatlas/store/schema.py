"""The one schema both backends use: a table of votes, an index by page, a version row.

Column types are written once; only the auto-numbered key differs by dialect
(SQLite's INTEGER PRIMARY KEY, PostgreSQL's identity column).
"""

from __future__ import annotations

SCHEMA_VERSION = 1

_ID = {
    "sqlite": "INTEGER PRIMARY KEY",
    "postgres": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}


def statements(dialect: str) -> list[str]:
    """CREATE statements (idempotent) for ``dialect`` ("sqlite" or "postgres")."""
    return [
        "CREATE TABLE IF NOT EXISTS portatlas_schema (version INTEGER NOT NULL)",
        f"""CREATE TABLE IF NOT EXISTS feedback (
            id {_ID[dialect]},
            page VARCHAR(200) NOT NULL,
            helpful BOOLEAN NOT NULL,
            comment VARCHAR(1000),
            created VARCHAR(32) NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS feedback_page ON feedback (page, helpful)",
    ]
