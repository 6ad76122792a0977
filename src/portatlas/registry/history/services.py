"""A service name's timeline: when it was registered, each change of its rows, its removal.

Answers from the compact history (``compact``: loading it costs ~0.1 s once
per process) and the newer editions ``portatlas update`` stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from portatlas.errors import NotFound
from portatlas.model import Record
from portatlas.registry.history.compact import gaps, history
from portatlas.registry.history.rows import field_changes, fields, order, row_label
from portatlas.registry.history.stored import newer_editions
from portatlas.registry.history.values import FieldChange, ServiceEvent, ServiceHistory


def service_history(name: str, *, include_stored: bool = True) -> ServiceHistory:
    """A service name's timeline: when it was registered, each change of its rows, its removal.

    ``NotFound`` (with suggestions) when no edition ever had the name.
    """
    h = history()
    versions = h.named(name)
    runs = h.runs_of(versions) if versions else [(h.editions[0], h.editions[-1], [])]
    dates: Sequence[str] = h.editions
    found_gaps = h.gaps
    newer = newer_editions(h.editions[-1]) if include_stored else []
    for date, reg in newer:
        runs.append((date, date, [reg.index.record(i) for i in reg.index.name_ids(name)]))
    if newer:
        dates = [*dates, *(d for d, _ in newer)]
        found_gaps = gaps(dates)
    if not any(rows for _, _, rows in runs):
        from portatlas.atlas import Registry

        Registry.default().service(name)  # raises NotFound with close names
        raise NotFound(f"no service named {name!r} in any edition since {dates[0]}")
    events: list[ServiceEvent] = []
    prev: dict[str, Record] | None = None
    prev_last: str | None = None
    for first, last, rows in runs:
        now = {row_label(r): r for r in sorted(rows, key=order)}
        view = {k: tuple(fields(r).items()) for k, r in now.items()}
        prev_view = None if prev is None else {k: tuple(fields(r).items()) for k, r in prev.items()}
        if view != prev_view and not (prev is None and not now):
            changes: list[FieldChange] = []
            if prev is not None:
                for k in prev.keys() - now.keys():
                    changes.append(FieldChange("row", k, None, k))
                for k in now.keys() - prev.keys():
                    changes.append(FieldChange("row", None, k, k))
                for k in sorted(prev.keys() & now.keys()):
                    changes.extend(FieldChange(c.field, c.old, c.new, k)
                                   for c in field_changes(prev[k], now[k]) if c.field != "name")
            kind = ("present" if not events and prev_last is None else "registered" if not prev
                    else "removed" if not now else "changed")
            events.append(ServiceEvent(kind, first, prev_last, tuple(now.values()),
                                       tuple(sorted(changes, key=lambda c: (c.record or "", c.field)))))
        prev = now
        prev_last = last
    shown = next((r.name for e in events for r in e.records if r.name), name)
    return ServiceHistory(shown or name, dates[0], dates[-1], len(dates), found_gaps, tuple(events))
