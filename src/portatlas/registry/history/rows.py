"""Records as plain rows, and what a reader compares of them across editions.

A ``Row`` is a ``Record``'s fields in order with its people kept whole
(``PersonRow``): hashable, marshal-able, and the form the compact history,
the compiled per-port history and the diffs all store.
"""

from __future__ import annotations

from portatlas.model import Person, Record, State, Transport, Xref
from portatlas.registry.history.values import FieldChange

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the port's path
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, TypeAlias

    PersonRow: TypeAlias = tuple[str, str | None, str | None, str | None, str | None]
    Row: TypeAlias = tuple[Any, ...]
    """A record as plain hashable data: ``Record``'s fields in order, people as ``PersonRow``."""
else:
    PersonRow = Row = tuple


def record_row(r: Record) -> Row:
    """A ``Record`` as a hashable plain tuple (people kept whole, so a changed org is a change)."""
    def people(ps: Iterable[Person]) -> tuple[PersonRow, ...]:
        return tuple((p.id, p.name, p.org, p.uri, p.updated) for p in ps)

    return (
        r.name, r.transport.value if r.transport else None, r.low, r.high, r.description,
        people(r.assignees), people(r.contacts),
        tuple((x.type, x.data, x.text, x.section) for x in r.xrefs),
        r.registered, r.updated, r.note, r.unauthorized, r.service_code,
    )


def row_record(row: Row) -> Record:
    """A ``Row`` back as a ``Record``."""
    (name, transport, low, high, desc, assignees, contacts, xrefs,
     registered, updated, note, unauthorized, sc) = row
    return Record(
        name=name, transport=Transport(transport) if transport else None, low=low, high=high,
        description=desc,
        assignees=tuple(Person(*p) for p in assignees),
        contacts=tuple(Person(*p) for p in contacts),
        xrefs=tuple(Xref(*x) for x in xrefs),
        registered=registered, updated=updated, note=note, unauthorized=unauthorized,
        service_code=sc,
    )


def _people_text(ps: Sequence[Person]) -> str | None:
    return "; ".join(p.display for p in ps) or None


def fields(r: Record) -> dict[str, str | None]:
    """The fields a reader compares, as text (a person's 'updated' stamp alone is not a change)."""
    refs = [x.label for x in r.xrefs if x.type not in ("person",) and x.label]
    return {
        "name": r.name,
        "transport": r.transport.value if r.transport else None,
        "number": r.number or None,
        "description": r.description or None,
        "assignee": _people_text(r.assignees),
        "contact": _people_text(r.contacts),
        "references": "; ".join(refs) or None,
        "registered": r.registered,
        "updated": r.updated,
        "note": r.note,
        "unauthorized": r.unauthorized,
        "service code": str(r.service_code) if r.service_code is not None else None,
    }


def field_changes(old: Record, new: Record) -> tuple[FieldChange, ...]:
    """The fields that differ between two versions of a row, in a fixed order."""
    a, b = fields(old), fields(new)
    return tuple(FieldChange(k, a[k], b[k]) for k in a if a[k] != b[k])


def key(r: Record) -> tuple[Any, ...]:
    """What identifies a row across editions: its name (or state), transport and number."""
    who = r.name.lower() if r.name else r.state.value
    return (who, r.transport.value if r.transport else "", r.low, r.high)


def assigns_port(r: Record) -> bool:
    """A row giving a service name a port (not a name-only registration)."""
    return r.state is State.ASSIGNED and r.low is not None


def order(r: Record) -> tuple[Any, ...]:
    """The order rows are listed in: by port, then name, then transport; name-only rows last."""
    return (r.low is None, r.low or 0, r.high or 0, r.name or "", r.transport.value if r.transport else "")


def row_label(r: Record) -> str:
    """'300/tcp', '9/all' for a row on every transport, '(no port)' for a name-only row."""
    t = r.transport.value if r.transport else "all"
    if not r.number:
        return "(no port)" if r.transport is None else f"(no port)/{t}"
    return f"{r.number}/{t}"
