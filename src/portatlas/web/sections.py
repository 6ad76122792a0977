"""Sections other parts of portatlas provide, shown when their modules are installed.

How to check a port by hand (the listener work), the verdict (the advice
work) and the timeline (the history work) are computed there, not here;
this module only finds them. A missing module gives ``None`` and the page
shows a short section built from the range and state instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


def advice(registry: Any, port: int) -> Any:
    """The verdict (good/caution/avoid) with its reasons, from the registry alone, or None.

    A web page speaks for no particular machine, so machine-local signals
    (listeners, this server's ephemeral range) are not asked for.
    """
    fn = _optional("portatlas.query.advice", "advise_registry")
    return fn(registry, port) if fn else None


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
        "advice": _optional("portatlas.query.advice", "advise_registry") is not None,
        "history": _optional("portatlas.registry.history", "port_history") is not None,
    }
