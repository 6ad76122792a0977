"""What changed between two editions, and the editions a user may name (dates, 'latest', 'current', files).

An edition of the shipped history gives its rows from the compact history;
a stored or given file from its compiled index (its rows cached with
``marshal``). ``diff_rows`` pairs the rows that kept their name, transport
and number, and compares them field by field.
"""

from __future__ import annotations

import marshal
from collections import Counter
from collections.abc import Iterable
from datetime import date as _date
from pathlib import Path
from typing import Any

from portatlas.errors import BadInput, NotFound
from portatlas.model import Record
from portatlas.registry.history.compact import history, nearest
from portatlas.registry.history.compiled import opened
from portatlas.registry.history.rows import (
    Row,
    assigns_port,
    field_changes,
    key,
    order,
    record_row,
    row_record,
)
from portatlas.registry.history.values import (
    DiffCounts,
    Edition,
    EditionDiff,
    RecordChange,
)


def diff_rows(old_rows: Iterable[Row], new_rows: Iterable[Row], old: str, new: str,
              old_source: str = "", new_source: str = "") -> EditionDiff:
    """Rows added, removed and changed from one edition's rows to another's."""
    a, b = Counter(old_rows), Counter(new_rows)
    gone = [row_record(r) for r in (a - b).elements()]
    came = [row_record(r) for r in (b - a).elements()]
    by_key: dict[tuple[Any, ...], list[Record]] = {}
    for r in gone:
        by_key.setdefault(key(r), []).append(r)
    added: list[Record] = []
    changed: list[RecordChange] = []
    for r in came:
        olds = by_key.get(key(r))
        if olds:
            before = olds.pop(0)
            ch = field_changes(before, r)
            if ch:  # rows differing only in a person's 'updated' stamp are no change to a reader
                changed.append(RecordChange(before, r, ch))
        else:
            added.append(r)
    removed = [r for rs in by_key.values() for r in rs]
    added.sort(key=order)
    removed.sort(key=order)
    changed.sort(key=lambda c: order(c.after))
    counts = DiffCounts(
        added=len(added), removed=len(removed), changed=len(changed),
        assignments_added=sum(assigns_port(r) for r in added),
        assignments_removed=sum(assigns_port(r) for r in removed),
    )
    return EditionDiff(old, new, old_source, new_source, counts,
                       tuple(added), tuple(removed), tuple(changed))


def assignments_only(d: EditionDiff) -> EditionDiff:
    """The diff restricted to rows that give a service name a port (before or after), counts recomputed."""
    added = tuple(r for r in d.added if assigns_port(r))
    removed = tuple(r for r in d.removed if assigns_port(r))
    changed = tuple(c for c in d.changed if assigns_port(c.before) or assigns_port(c.after))
    counts = DiffCounts(len(added), len(removed), len(changed), len(added), len(removed))
    return EditionDiff(d.old, d.new, d.old_source, d.new_source, counts, added, removed, changed)


def known_editions() -> dict[str, str]:
    """Every edition available by date: date to where it is (history, or a stored file)."""
    from portatlas.store import editions as store

    out = {d: "history" for d in opened().editions}
    for s in store.stored():
        out.setdefault(s.edition, s.path)
    return dict(sorted(out.items()))


def resolve(spec: str, *, on_or_before: bool = False) -> Edition:
    """An edition from a date (YYYY-MM-DD), 'latest', 'current', or a registry file path.

    ``on_or_before`` picks the last edition on or before a date that has none
    (for ``--since``); otherwise a date must name an edition exactly.
    """
    from portatlas.atlas import Registry
    from portatlas.store import editions as store

    spec = spec.strip()
    if spec == "current":
        reg = Registry.from_file(store.in_use().path)
        return Edition(reg.edition, f"in use ({reg.source})", rows_of(reg))
    known = known_editions()
    if spec == "latest":
        spec = max(known)
    if _is_date(spec):
        date = spec
        if date not in known:
            if on_or_before:
                earlier = [d for d in known if d <= date]
                date = earlier[-1] if earlier else min(known)
            else:
                raise NotFound(f"no edition {spec}: {nearest(spec, list(known))} "
                               "(see 'portatlas edition --list')")
        where = known[date]
        if where == "history":
            return Edition(date, "history", tuple(history().rows_at(date)))
        reg = Registry.from_file(where)
        return Edition(reg.edition, where, rows_of(reg))
    try:
        path = Path(spec).expanduser()
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        is_file = False
    if is_file:
        reg = Registry.from_file(path)
        return Edition(reg.edition, str(path), rows_of(reg))
    from portatlas.query.grammar import shown

    raise BadInput(f"{shown(spec)} is not an edition: give a date YYYY-MM-DD, 'latest', 'current' "
                   "or a registry XML file")


def _is_date(s: str) -> bool:
    try:
        _date.fromisoformat(s)
    except ValueError:
        return False
    return len(s) == 10


def rows_of(reg: Any) -> tuple[Row, ...]:
    """An edition's rows, through a marshal cache keyed like the index's (making 14,000
    ``Record`` values costs ~0.4 s; reading them back ~20 ms)."""
    import zlib

    from portatlas.index import cache_dir

    try:
        src = Path(reg.source)
        st = src.stat()
        key = f"{zlib.crc32(str(src.resolve()).encode()):08x}-{st.st_size:x}-{st.st_mtime_ns:x}"
        cache: Path | None = cache_dir() / f"rows-v1-{key}.marshal"
    except OSError:
        cache = None  # compiled from bytes: no file to key on
    if cache is not None:
        try:
            rows: tuple[Row, ...] = marshal.loads(cache.read_bytes())
            return rows
        except (OSError, EOFError, ValueError, TypeError):
            pass
    rows = tuple(record_row(r) for r in reg.records())
    if cache is not None:
        from portatlas.source.files import write_cache

        write_cache(str(cache), marshal.dumps(rows))
    return rows


def diff(old: str, new: str = "current", *, since: bool = False) -> EditionDiff:
    """What changed between two editions (dates, 'latest', 'current' or files).

    With ``since``, ``old`` may be any date: the last edition on or before it is used.
    """
    a = resolve(old, on_or_before=since)
    b = resolve(new)
    return diff_rows(a.rows, b.rows, a.edition, b.edition, a.source, b.source)
