"""Sections other parts of portatlas provide, shown when their modules are installed.

How to check a port by hand (the listener work), the verdict (the advice
work) and the timeline (the history work) are computed there, not here;
this module only finds them. A missing module gives ``None`` and the page
shows a short section built from the range and state instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from portatlas.value import value
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


@value
class PurposeVerdict:
    """The advice work's verdict for one purpose (production, internal, testing, standard)."""

    purpose: str
    verdict: str
    summary: str


@value
class WebAdvice:
    """What the port page shows of the advice: a verdict per purpose, and the reasons for production."""

    transport: str
    verdicts: tuple[PurposeVerdict, ...]
    reasons: tuple[Any, ...]


@lru_cache(maxsize=1)
def _web_signals() -> Any:
    """Signals for a page read by anyone: no machine's sockets, Linux's default ephemeral range as a default."""
    from portatlas.advice import bad_ports
    from portatlas.query.reasons import Signals
    from portatlas.system.ephemeral import DEFAULTS, EphemeralRange

    table, note = None, "no nmap-services table on the server"
    try:
        from portatlas.world.nmap import load

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
    fn = _optional("portatlas.registry.history", "port_history")
    return fn(port) if fn else None


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
