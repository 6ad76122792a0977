"""The feedback store, on SQLite and PostgreSQL alike: votes count, comments keep, nothing is lost."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

from portatlas.store import Counts, FeedbackStore, open_store


def test_votes_are_counted_per_page(store: FeedbackStore, page: str) -> None:
    assert store.counts(page) == Counts(0, 0)
    assert store.add(page, True) == Counts(1, 0)
    assert store.add(page, False, "too short") == Counts(1, 1)
    assert store.add(page, True) == Counts(2, 1)
    assert store.counts(page) == Counts(2, 1)
    assert store.counts(page + "x") == Counts(0, 0)


def test_comments_are_kept_verbatim_newest_first(store: FeedbackStore, page: str) -> None:
    store.add(page, True, "<script>alert(1)</script>")
    store.add(page, True)  # a vote without a comment is not a comment
    store.add(page, False, "näive 'quotes' -- ; DROP TABLE feedback")
    got = store.comments(page)
    assert [c.comment for c in got] == ["näive 'quotes' -- ; DROP TABLE feedback", "<script>alert(1)</script>"]
    assert [c.helpful for c in got] == [False, True]
    assert all(c.page == page and c.created for c in got)


def test_counts_survive_reopening(db_url: str, page: str) -> None:
    with open_store(db_url) as s:
        s.add(page, True)
        s.add(page, False)
    with open_store(db_url) as s:
        assert s.counts(page) == Counts(1, 1)


def test_concurrent_votes_from_threads_all_count(store: FeedbackStore, page: str) -> None:
    def vote(i: int) -> None:
        store.add(page, i % 3 != 0)

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.counts(page) == Counts(yes=40, no=20)


def _vote_many(url: str, page: str, n: int) -> None:
    with open_store(url) as s:
        for _ in range(n):
            s.add(page, True)


def test_concurrent_votes_from_processes_all_count(db_url: str, page: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_vote_many, args=(db_url, page, 25)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with open_store(db_url) as s:
        assert s.counts(page) == Counts(yes=100, no=0)


def test_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "f.sqlite3"
    with open_store(f"sqlite:///{path}") as s:
        s.add("/port/1", True)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_sqlite_file_lives_in_the_data_dir(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTATLAS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PORTATLAS_DATABASE_URL", raising=False)
    with open_store() as s:
        s.add("/port/9", False)
        assert s.backend == "sqlite"
    assert (tmp_path / "data" / "feedback.sqlite3").is_file()


def test_unreachable_postgres_is_one_clear_error() -> None:
    import pytest

    from portatlas.store import StoreError

    with pytest.raises(StoreError) as e:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(e.value) and "cannot connect to PostgreSQL" in str(e.value)
