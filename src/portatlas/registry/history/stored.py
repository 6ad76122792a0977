"""Stored editions: the editions ``portatlas update`` downloaded that are newer than the shipped history.

They join every timeline, count and diff at run time. Without a store (no
``meta.json`` in the data directory, the usual case) this costs one ``stat``.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from typing import Any

_REGISTRIES: dict[tuple[str, int, int], Any] = {}
_NEWER: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}


def newer_editions(after: str) -> list[tuple[str, Any]]:
    """Stored (updated) editions newer than ``after`` (the shipped history's last), as (date, Registry).

    Where two stored files carry one date, the one in use wins, else the last fetched.
    Registries are kept per file (path, size, mtime) so a server asking for many ports
    loads each once.
    """
    from portatlas.source.paths import data_dir_str

    store_dir = os.path.join(data_dir_str(), "editions")
    # Asked once per port by a crawl of every page: answer from memory while neither
    # the store's bookkeeping nor the pointer has changed.
    stamp = (after, *(_stat(os.path.join(store_dir, n)) for n in ("meta.json", "current")))
    if stamp[1] is None:
        return []  # no bookkeeping, so nothing stored (update writes it with each edition)
    memo = _NEWER.get(stamp)
    if memo is not None:
        return memo
    from portatlas.atlas import Registry
    from portatlas.store import editions as store

    out: dict[str, str] = {}
    for s in store.stored():  # oldest fetch first, so the last fetched of a date wins
        if s.edition > after and os.path.isfile(s.path):
            out[s.edition] = s.path
    in_use = str(store.pointed())
    for date in list(out):
        if any(x.path == in_use and x.edition == date for x in store.stored()):
            out[date] = in_use
    regs = []
    for date in sorted(out):
        try:
            st = os.stat(out[date])
            key = (out[date], st.st_size, st.st_mtime_ns)
            reg = _REGISTRIES.get(key)
            if reg is None:
                reg = _REGISTRIES[key] = Registry.from_file(out[date])
            regs.append((date, reg))
        except Exception:  # noqa: BLE001, S112 - a damaged stored file must not break history; update reports it
            continue
    _NEWER.clear()
    _NEWER[stamp] = regs
    return regs


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
