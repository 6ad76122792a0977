"""Sections other parts of portatlas provide, shown when their modules are installed.

How to check a port by hand (the listener work), the verdict (the advice
work) and the timeline (the history work) are computed there, not here;
this module only finds them. A missing module gives ``None`` and the page
shows a short section built from the range and state instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=None)
def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None
    return fn if callable(fn) else None


def how_to_check(port: int) -> Any:
    """Commands that show what listens on ``port`` on Linux, macOS and Windows, or None."""
    fn = _optional("portatlas.system.howto", "check_commands")
    return fn(port) if fn else None


@dataclass(frozen=True, slots=True)
class PurposeVerdict:
    """The advice work's verdict for one purpose (production, internal, testing, standard)."""

    purpose: str
    verdict: str
    summary: str


@dataclass(frozen=True, slots=True)
class WebAdvice:
    """What the port page shows of the advice: a verdict per purpose, and the reasons for production."""

    transport: str
    verdicts: tuple[PurposeVerdict, ...]
    reasons: tuple[Any, ...]


@lru_cache(maxsize=1)
def _web_signals() -> Any:
    """Signals for a page read by anyone: no machine's sockets, Linux's default ephemeral range as a default."""
    from ..advice import bad_ports
    from ..query.reasons import Signals
    from ..system.ephemeral import DEFAULTS, EphemeralRange

    table, note = None, "no nmap-services table on the server"
    try:
        from ..advice.nmap import load

        table, note = load()
    except Exception:  # the frequency table is an optional input
        pass
    lo, hi = DEFAULTS["linux"]
    return Signals(
        bad_ports=bad_ports(),
        ephemeral=EphemeralRange(low=lo, high=hi, reserved=(), source="Linux's default net.ipv4.ip_local_port_range",
                                 is_default=True, system="linux"),
        frequencies=table, frequencies_note=note,
        listening=None,
        listening_note="a web page cannot see your machine: run 'portatlas advise PORT' there",
        unprivileged_start=1024, unprivileged_source="the Unix default",
    )


def advice(registry: Any, port: int) -> Any:
    """The advice work's verdict for each purpose, for a TCP service, from the registry alone; or None.

    A web page speaks for no particular machine, so no listener is looked up
    and the ephemeral range is Linux's default, marked as a default.
    """
    fn = _optional("portatlas.advice", "advise")
    if fn is None or _optional("portatlas.query.reasons", "Signals") is None:
        return None
    signals = _web_signals()
    verdicts = []
    reasons: tuple[Any, ...] = ()
    for purpose in ("production", "internal", "testing", "standard"):
        a = fn(registry, port, "tcp", purpose, signals=signals)
        verdicts.append(PurposeVerdict(purpose, str(a.verdict), a.summary))
        if purpose == "production":
            reasons = tuple(r for r in a.reasons if str(r.level) != "info")
    return WebAdvice(transport="tcp", verdicts=tuple(verdicts), reasons=reasons)


def history(registry: Any, port: int) -> Any:
    """The port's timeline across registry editions, or None."""
    memo = _HISTORY_MEMO
    if memo is not None:
        return memo.get(port)
    fn = _optional("portatlas.registry.history", "port_history")
    return fn(port) if fn else None


class HistoryMemo:
    """Port timelines for many ports at once (the export), computed once per distinct set of rows.

    ``port_history`` depends only on the record versions covering a port (and
    the port number it reports), so ports covered by the same versions share
    one timeline. The covering sets come from one sweep over every version
    instead of one scan per port. Any surprise in the history's shape turns
    the memo off and each port is asked for directly.
    """

    def __init__(self) -> None:
        self.fn = _optional("portatlas.registry.history", "port_history")
        self.cover: dict[int, tuple[int, ...]] | None = None
        self.done: dict[tuple[int, ...], Any] = {}
        if self.fn is None:
            return
        try:
            from ..registry import history as h

            if h._newer_editions(h.history().editions[-1]):
                return  # updated editions add per-port rows: no sharing
            hist = h.history()
            versions: set[int] = set()
            for e in hist.editions:
                versions.update(hist.versions_at(e))
            cover: dict[int, list[int]] = {}
            for v in sorted(versions):
                row = hist.row(v)
                lo, hi = row[2], row[3]
                if lo is None:
                    continue
                for p in range(lo, hi + 1):
                    cover.setdefault(p, []).append(v)
            self.cover = {p: tuple(vs) for p, vs in cover.items()}
            # The history scans every version per port to find those covering it; the sweep above
            # already knows them. Restored by close().
            self._hist = hist
            cover_of = self.cover

            def covering(port: int) -> list[int]:
                return list(cover_of.get(port, ()))

            hist.covering = covering  # type: ignore[method-assign]
        except Exception:
            self.cover = None

    def close(self) -> None:
        """Give the history back its own ``covering``."""
        hist = getattr(self, "_hist", None)
        if hist is not None and "covering" in vars(hist):
            del hist.covering

    def get(self, port: int) -> Any:
        """The timeline of ``port``."""
        if self.fn is None:
            return None
        if self.cover is None:
            return self.fn(port)
        key = self.cover.get(port, ())
        hit = self.done.get(key)
        if hit is None:
            hit = self.done[key] = self.fn(port)
            return hit
        from dataclasses import replace

        from ..model import PortRange

        return replace(hit, port=port, range=PortRange.of(port))


_HISTORY_MEMO: HistoryMemo | None = None


def use_history_memo(on: bool = True) -> None:
    """Answer timelines through a ``HistoryMemo`` in this process (the export turns it on)."""
    global _HISTORY_MEMO
    if _HISTORY_MEMO is not None:
        _HISTORY_MEMO.close()
    _HISTORY_MEMO = HistoryMemo() if on else None


def stats_over_time() -> Any:
    """State counts for every edition, or None."""
    fn = _optional("portatlas.registry.history", "stats_over_time")
    return fn() if fn else None


def available() -> dict[str, bool]:
    """Which optional sections this installation can show."""
    return {
        "how_to_check": _optional("portatlas.system.howto", "check_commands") is not None,
        "advice": _optional("portatlas.advice", "advise") is not None,
        "history": _optional("portatlas.registry.history", "port_history") is not None,
    }
