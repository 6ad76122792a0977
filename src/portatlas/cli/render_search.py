"""A search's answer as terminal text: one line per hit, or the port asked and where its whole answer is."""

from __future__ import annotations

from portatlas.answers.search import RowHit
from portatlas.cli.output import Out

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.answers.search import SearchAnswer


def search_text(out: Out, a: SearchAnswer) -> None:
    """Registry rows and programs, best first, each with why it matched (one line each when piped); for a
    port, its line and a pointer to ``portatlas PORT``."""
    if a.ports is not None:
        from portatlas.cli.render_name import ports_text

        ports_text(out, a.ports)
        out.line()
        out.line(f"the whole answer: portatlas {a.ports.query}")
        return
    if not a.hits:
        out.line(f"nothing in the registry or the common-use dataset matches {a.query!r}")
        return
    rows = []
    for h in a.hits:
        if isinstance(h, RowHit):
            ts = ", ".join(t.value for t in h.transports)
            rows.append((out.bold(h.name or "-"), h.number or "(no port)", ts, f"{h.description}  [{h.why}]"))
        else:
            rows.append((out.bold(h.name), ", ".join(h.program.ports), "program", f"{h.program.field}  [{h.why}]"))
    out.table(rows, indent=0)
