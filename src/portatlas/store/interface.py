"""The feedback store's interface: what every backend answers, and its values."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from portatlas.errors import PortatlasError
from portatlas.value import value

MAX_COMMENT = 1000
MAX_PAGE = 200
VOTER = r"[A-Za-z0-9_-]{8,64}"  # a voter id: what the page's script generates, nothing a person typed


class StoreError(PortatlasError):
    """The database could not be reached or refused a write (HTTP 503: try again)."""

    http_status = 503


@value
class Counts:
    """How many visitors found a page helpful and how many did not."""

    yes: int = 0
    no: int = 0

    @classmethod
    def tally(cls, rows: Iterable[tuple[Any, int]]) -> Counts:
        """Counts from (helpful, count) rows of ``SELECT helpful, COUNT(*) ... GROUP BY helpful``."""
        yes = no = 0
        for helpful, n in rows:
            if helpful:
                yes = n
            else:
                no = n
        return cls(yes=yes, no=no)


@value
class FeedbackComment:
    """One visitor comment, for the site's administrators only."""

    id: int
    page: str
    helpful: bool
    comment: str
    created: str


class FeedbackStore(abc.ABC):
    """Page feedback: yes/no votes with optional comments, counted per page.

    Implementations must be safe to call from several threads and several
    processes at once: every vote is one INSERT (or an upsert on (page, voter)),
    counts are computed by the database, so concurrent posts are never lost.
    """

    backend: str = ""

    @abc.abstractmethod
    def add(self, page: str, helpful: bool, comment: str | None = None, voter: str | None = None) -> Counts:
        """Store one vote (and its comment, if any); return the page's counts after it.

        ``voter`` is the browser's random id: a vote with the same (page, voter) replaces the
        earlier one (keeping its comment when the new vote has none). Without it the vote is
        anonymous and always added.
        """

    @abc.abstractmethod
    def counts(self, page: str) -> Counts:
        """The page's yes/no counts."""

    @abc.abstractmethod
    def comments(self, page: str, limit: int = 100) -> list[FeedbackComment]:
        """The page's comments, newest first."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
