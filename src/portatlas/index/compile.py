"""Compiling a parsed registry into the index's plain-data form (``Index`` loads it)."""

from __future__ import annotations

import marshal

from portatlas.errors import RegistryError
from portatlas.index import _NPORTS, FORMAT, STATE_VALUES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from portatlas.model import Record, State, Transport


def compile_registry(parsed: Any, source: str = "") -> dict[str, Any]:
    """Turn a ``ParsedRegistry`` into the index's plain-data form."""
    from array import array

    from portatlas.model import TRANSPORTS, State

    code = {State(v): i for i, v in enumerate(STATE_VALUES)}
    people: dict[str, tuple[Any, ...]] = {
        pid: (p.name, p.org, p.uri, p.updated) for pid, p in parsed.people.items()
    }
    records: list[tuple[Any, ...]] = []
    for r in parsed.records:
        for p in r.assignees + r.contacts:
            if p.id not in people:
                people[p.id] = (p.name, p.org, p.uri, p.updated)
        records.append((
            r.name, r.transport.value if r.transport else None, r.low, r.high, r.description,
            # People inline, so decoding a row never loads the 6,000-person table.
            tuple((p.id, *people[p.id]) for p in r.assignees), tuple((p.id, *people[p.id]) for p in r.contacts),
            tuple((x.type, x.data, x.text, x.section) for x in r.xrefs),
            r.registered, r.updated, r.note, r.unauthorized, r.service_code,
        ))

    # Which rows cover each (port, transport); a row without protocol covers all four.
    cover: dict[Transport, list[list[int] | None]] = {t: [None] * _NPORTS for t in TRANSPORTS}
    for i, r in enumerate(parsed.records):
        if r.low is None:
            continue
        for t in ([r.transport] if r.transport else TRANSPORTS):
            col = cover[t]
            for port in range(r.low, r.high + 1):
                cell = col[port]
                if cell is None:
                    col[port] = [i]
                else:
                    cell.append(i)

    groups: list[tuple[int, ...]] = [()]
    group_id: dict[tuple[int, ...], int] = {(): 0}
    group_state = bytearray([code[State.UNASSIGNED]])
    ports: dict[str, bytes] = {}
    for t in TRANSPORTS:
        arr = array("H", bytes(2 * _NPORTS))
        for port, cell in enumerate(cover[t]):
            if cell is None:
                continue
            key = tuple(cell)
            gid = group_id.get(key)
            if gid is None:
                gid = group_id[key] = len(groups)
                if gid > 0xFFFF:
                    raise RegistryError("registry has more distinct port groups than the index holds")
                groups.append(key)
                group_state.append(code[_state_of(parsed.records[j] for j in key)])
            arr[port] = gid
        ports[t.value] = arr.tobytes()

    names: dict[str, list[int]] = {}
    for i, r in enumerate(parsed.records):
        if r.name:
            names.setdefault(r.name.lower(), []).append(i)

    blobs = [marshal.dumps(r) for r in records]
    offsets = array("I", [0])
    for b in blobs:
        offsets.append(offsets[-1] + len(b))
    group_offsets = array("I", [0])
    members = array("H")
    for g in groups:
        members.extend(g)
        group_offsets.append(len(members))
    if len(records) > 0xFFFF:
        raise RegistryError("registry has more rows than the index holds (65,535)")
    data: dict[str, Any] = {
        "format": FORMAT,
        "edition": parsed.edition,
        "source": source,
        "records": b"".join(blobs),
        "record_offsets": offsets.tobytes(),
        "ports": ports,
        "group_offsets": group_offsets.tobytes(),
        "group_members": members.tobytes(),
        "group_state": bytes(group_state),
        "names": marshal.dumps({k: tuple(v) for k, v in names.items()}),
        "text": marshal.dumps(([r.name or "" for r in parsed.records],
                               [r.description for r in parsed.records])),
        "states": {t: bytes(group_state[g] for g in array("H", ports[t])) for t in ports},
    }
    data["blocks"] = _ranked_blocks(data)
    return data


def _ranked_blocks(data: dict[str, Any]) -> bytes:
    """The unassigned blocks of the System and User ranges on TCP and UDP (what every port's answer
    places the port in), ranked, as (low, high, rank) per range: ranking them costs ~8 ms at run time."""
    from portatlas.index import Index
    from portatlas.query.blocks import ASSIGNABLE, DEFAULT_TRANSPORTS, blocks

    ix = Index({**data, "blocks": marshal.dumps({})})
    return marshal.dumps({rng.value: [(b.low, b.high, b.rank) for b in blocks(ix, rng, DEFAULT_TRANSPORTS)]
                          for rng in ASSIGNABLE})


def _state_of(rows: Iterator[Record]) -> State:
    from portatlas.model import State

    states = {r.state for r in rows}
    if State.ASSIGNED in states:
        return State.ASSIGNED
    if State.RESERVED in states:
        return State.RESERVED
    return State.UNASSIGNED
