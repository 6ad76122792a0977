"""The registry over time: a port's timeline, what changed between editions, counts per edition.

Answers come from the history shipped in the package (382 editions,
2017-03-10 to 2026-08-17) plus any newer edition ``portatlas update``
stored. Editions are snapshots, so a change is known to lie *between* the
last edition without it and the first edition with it; the records' own
``date`` and ``updated`` attributes are shown beside.

How the data flows, one module each:

- ``build``: the dated editions (an archive of XML) -> the compact history,
  ``data/history.json.xz``: each record version once, with the editions showing it;
- ``compact``: that file, loaded (``History``);
- ``compile`` / ``compiled``: the compact history -> every port's timeline and the
  per-edition counts, ready-made in ``data/compiled/history.index``, read through
  ``mmap`` so a port's history costs a fraction of a millisecond;
- ``timelines`` (``port_history``), ``services`` (``service_history``), ``diffs``
  (``diff`` and naming editions), ``counts`` (``stats_over_time``,
  ``system_deassignments``): the answers, made of ``values``; ``stored`` adds the
  editions ``update`` stored; ``rows`` is records as plain tuples.

Names are imported from their modules on first use, so ``import
portatlas.registry.history`` costs nothing.

>>> from portatlas.registry.history import port_history
>>> h = port_history(300, "tcp")
>>> h.transports[0].events[-1].state
<State.ASSIGNED: 'assigned'>
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from typing import Any

    from portatlas.registry.history.compact import (
        SHIPPED,
        History,
        gaps,
        history,
        nearest,
    )
    from portatlas.registry.history.counts import stats_over_time, system_deassignments
    from portatlas.registry.history.diffs import (
        assignments_only,
        diff,
        diff_rows,
        known_editions,
        resolve,
        rows_of,
    )
    from portatlas.registry.history.rows import (
        Row,
        field_changes,
        record_row,
        row_label,
        row_record,
    )
    from portatlas.registry.history.services import service_history
    from portatlas.registry.history.stored import newer_editions
    from portatlas.registry.history.timelines import port_history, timeline
    from portatlas.registry.history.values import (
        GAP_DAYS,
        DiffCounts,
        Edition,
        EditionDiff,
        FieldChange,
        PortEvent,
        PortHistory,
        RecordChange,
        ServiceEvent,
        ServiceHistory,
        StatsOverTime,
        TransportHistory,
        when,
    )

_WHERE = {
    **dict.fromkeys(("GAP_DAYS", "DiffCounts", "Edition", "EditionDiff", "FieldChange",
                     "PortEvent", "PortHistory", "RecordChange", "ServiceEvent", "ServiceHistory",
                     "StatsOverTime", "TransportHistory", "when"), "values"),
    **dict.fromkeys(("Row", "field_changes", "record_row", "row_label", "row_record"), "rows"),
    **dict.fromkeys(("SHIPPED", "History", "gaps", "history", "nearest"), "compact"),
    **dict.fromkeys(("port_history", "timeline"), "timelines"),
    "service_history": "services",
    **dict.fromkeys(("assignments_only", "diff", "diff_rows", "known_editions", "resolve", "rows_of"), "diffs"),
    "newer_editions": "stored",
    **dict.fromkeys(("stats_over_time", "system_deassignments"), "counts"),
}

__all__ = [
    "GAP_DAYS",
    "SHIPPED",
    "DiffCounts",
    "Edition",
    "EditionDiff",
    "FieldChange",
    "History",
    "PortEvent",
    "PortHistory",
    "RecordChange",
    "Row",
    "ServiceEvent",
    "ServiceHistory",
    "StatsOverTime",
    "TransportHistory",
    "assignments_only",
    "diff",
    "diff_rows",
    "field_changes",
    "gaps",
    "history",
    "known_editions",
    "nearest",
    "newer_editions",
    "port_history",
    "record_row",
    "resolve",
    "row_label",
    "row_record",
    "rows_of",
    "service_history",
    "stats_over_time",
    "system_deassignments",
    "timeline",
    "when",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    found = getattr(__import__(f"{__name__}.{where}", fromlist=[name]), name)
    globals()[name] = found  # asked once
    return found


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
