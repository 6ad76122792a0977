"""Write an edition as files other tools read: ``/etc/services``, JSON, CSV.

The services file follows services(5): ``name port/protocol [aliases...] # comment``.
Rows sharing a (port, protocol) become one line, the first name in registry
order first and the others its aliases, so every name resolves; SCTP and DCCP
lines are written too (glibc reads any protocol word).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from portatlas.model import TRANSPORTS, Record, State, to_json

if TYPE_CHECKING:
    from portatlas.atlas import Registry

RANGE_MODES = ("expand", "first", "skip")
CSV_FIELDS = ("name", "transport", "number", "low", "high", "state", "description", "assignees",
              "contacts", "references", "registered", "updated", "note", "unauthorized", "service_code")


def services_entries(records: Iterable[Record], ranges: str = "expand") -> tuple[dict[tuple[int, str], list[str]],
                                                                     dict[tuple[int, str], str], dict[str, int]]:
    """((port, proto) -> names, (port, proto) -> comment, counts of rows left out by kind)."""
    if ranges not in RANGE_MODES:
        raise ValueError(f"ranges must be one of {', '.join(RANGE_MODES)}")
    names: dict[tuple[int, str], list[str]] = {}
    comments: dict[tuple[int, str], str] = {}
    left_out = {"no port": 0, "range": 0}
    for r in records:
        if r.state is not State.ASSIGNED or not r.name:
            continue
        if r.low is None:
            left_out["no port"] += 1
            continue
        if r.low != r.high and ranges == "skip":
            left_out["range"] += 1
            continue
        high = r.low if r.high is None or ranges != "expand" else r.high
        ports = range(r.low, high + 1)
        for t in ([r.transport] if r.transport else TRANSPORTS):
            for port in ports:
                key = (port, t.value)
                got = names.setdefault(key, [])
                if r.name not in got:
                    got.append(r.name)
                if key not in comments:
                    desc = " ".join(r.description.split())
                    comments[key] = desc + (f" (range {r.number})" if r.low != r.high else "")
    return names, comments, left_out


def write_services(reg: Registry, out: IO[str], ranges: str = "expand") -> None:
    """An /etc/services file of every assigned (port, transport) of ``reg``'s edition."""
    names, comments, left_out = services_entries(reg.records(), ranges)
    out.write(f"# /etc/services from the IANA Service Name and Transport Protocol Port Number Registry,\n"
              f"# edition {reg.edition}, written by portatlas (ranges: {ranges}).\n")
    n, r = left_out["no port"], left_out["range"]
    if n:
        out.write(f"# {n} service {'name' if n == 1 else 'names'} without a port number "
                  f"{'is' if n == 1 else 'are'} not listed.\n")
    if r:
        out.write(f"# {r} {'row' if r == 1 else 'rows'} assigning a range of ports {'is' if r == 1 else 'are'} "
                  "left out (--ranges skip).\n")
    order = {t.value: i for i, t in enumerate(TRANSPORTS)}
    for (port, proto) in sorted(names, key=lambda k: (k[0], order[k[1]])):
        ns = names[(port, proto)]
        line = f"{ns[0]:<15} {f'{port}/{proto}':<11}"
        if len(ns) > 1:
            line += " " + " ".join(ns[1:])
        comment = comments.get((port, proto), "")
        out.write(f"{line}{'  # ' + comment if comment else ''}\n")


def write_json(reg: Registry, out: IO[str]) -> None:
    """Every record of the edition, every field, as one JSON document."""
    doc = {"edition": reg.edition, "records": [to_json(r) for r in reg.records()]}
    # One dumps and one write: json.dump's many small writes cost seconds on a pipe.
    out.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def csv_row(r: Record) -> dict[str, str | int]:
    """A record as one CSV row (people and references joined with '; ')."""
    return {
        "name": r.name or "", "transport": r.transport.value if r.transport else "",
        "number": r.number, "low": "" if r.low is None else r.low, "high": "" if r.high is None else r.high,
        "state": r.state.value, "description": r.description,
        "assignees": "; ".join(p.display for p in r.assignees),
        "contacts": "; ".join(p.display for p in r.contacts),
        "references": "; ".join(x.label for x in r.xrefs if x.label and x.type != "person"),
        "registered": r.registered or "", "updated": r.updated or "", "note": r.note or "",
        "unauthorized": r.unauthorized or "",
        "service_code": "" if r.service_code is None else r.service_code,
    }


def write_csv(reg: Registry, out: IO[str]) -> None:
    """Every record of the edition as CSV with a header row."""
    w = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in reg.records():
        w.writerow(csv_row(r))
