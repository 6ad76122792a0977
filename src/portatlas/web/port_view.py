"""What the page templates need of an answer beyond the answer itself: only layout, never new facts.

The port page shows a ``PortAnswer`` as the library built it (the command
line and the API show the same value); here it only gains what a page lays
out differently: the strip's cells, the commands grouped per system, the
FAQ as (question, answer) pairs for the structured data, and a description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portatlas.answers.sources import REGISTRY_TITLE, REGISTRY_URL

if TYPE_CHECKING:
    from portatlas.answers.port import PortAnswer
    from portatlas.model import Neighbour

__all__ = ["REGISTRY_TITLE", "REGISTRY_URL", "SYSTEMS", "neighbour_summary", "port_context", "strip_cell"]

SYSTEMS = (("linux", "Linux"), ("macos", "macOS"), ("windows", "Windows"))
DESCRIPTION_MAX = 300


def strip_cell(n: Neighbour) -> dict[str, Any]:
    """One port of the neighbourhood strip: its number, overall state word, names, each transport's word."""
    return {"port": n.port, "state": n.word, "names": list(n.all_names),
            "per": [(t.value.upper(), "dynamic" if s.value == "unassigned" and n.port >= 49152 else s.value)
                    for t, s in n.states]}


def neighbour_summary(n: Neighbour) -> str:
    """'308 novastorbakcup on TCP and UDP': the names a neighbour carries, transport by transport."""
    by: dict[str, list[str]] = {}
    for (t, state), (_, names) in zip(n.states, n.names):
        if state.value == "assigned":
            by.setdefault(", ".join(dict.fromkeys(names)), []).append(t.value.upper())
        elif state.value == "reserved":
            by.setdefault("reserved", []).append(t.value.upper())
    return "; ".join(f"{label} on {' and '.join(ts)}" for label, ts in by.items())


def _description(a: PortAnswer) -> str:
    text = f"{a.headline}. {a.lead.text}"
    if len(text) <= DESCRIPTION_MAX:
        return text
    cut = text[:DESCRIPTION_MAX - 1]
    return cut[:cut.rfind(" ")] + "…"


def port_context(a: PortAnswer) -> dict[str, Any]:
    """The port page's template context: the answer, and its layout helpers."""
    cite = {s.url: s.n for s in a.sources if s.url}
    own = [v for v in a.verdicts if not v.case.startswith("new:")]
    new = [v for v in a.verdicts if v.case.startswith("new:")]
    return {
        "a": a,
        "state": a.kind.value,
        "strip": [strip_cell(n) for n in a.neighbourhood.strip],
        "nb": a.neighbourhood,
        "checks_flat": [(title, c) for system, title in SYSTEMS for c in a.checks if c.system == system],
        "software_cite": {u.source: cite.get(u.source, 0) for u in a.common_use},
        "own": own,
        "new": new,
        "faq": [(q.question, q.answer.text) for q in a.faq],
        "description": _description(a),
    }
