"""A name's answer and a list of ports as terminal text."""

from __future__ import annotations

from portatlas.cli.output import Out, cites

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.answers.brief import PortsAnswer
    from portatlas.answers.name import NameAnswer


def name_text(out: Out, a: NameAnswer) -> None:
    """The registry's rows for the name, then each program of that name with its ports."""
    cite = {s.url: s.n for s in a.sources if s.url}
    if a.service:
        out.line(out.bold(f"Service {a.service}"))
        for r in a.rows:
            ts = "all transports" if r.all_transports else " and ".join(t.value.upper() for t in r.transports)
            desc = f"  {r.description}" if r.description else ""
            out.line(f"{out.bold(r.name or '')}  {r.number or '(no port)'} on {ts}{desc}", 2)
            if r.assignees:
                out.line("assignee: " + ", ".join(c.name for c in r.assignees), 6)
            refs = [x.label for x in r.references]
            if refs:
                out.line("references: " + "; ".join(refs), 6)
            if r.note:
                out.line(f"note: {r.note}", 6)
    for s in a.software:
        out.heading(f"{s.software} ({s.field})")
        for u in s.uses:
            ts = "+".join(t.value for t in u.transports)
            out.table([(f"{u.number}/{ts}", u.use.phrase, u.summary + cites([cite[u.source]] if u.source in cite
                                                                             else []))])
    for f in a.firewalld:
        ports = ", ".join(f"{p.low if p.low == p.high else f'{p.low}-{p.high}'}/{p.protocol}" for p in f.ports)
        out.heading(f"firewalld service {f.name}")
        out.line(f"{f.title}: opens {ports}", 2)
    if a.software or a.firewalld:
        out.heading("Sources")
        for src in a.sources:
            out.line(f"[{src.n}] {src.title}" + (f"  {src.url}" if src.url else ""), 2, hang=6)


def ports_text(out: Out, a: PortsAnswer) -> None:
    """One line per port: number, state, names, description, who commonly uses it."""
    for p in a.ports:
        names = ", ".join(p.names)
        common = f"  (commonly: {', '.join(p.common)})" if p.common else ""
        desc = f"  {p.description}" if p.description and p.description.lower() != names.lower() else ""
        out.line(f"{p.port:>5}  {out.tint(p.word, f'{p.word:<10}')}  {names}{desc}{common}".rstrip(), 0, hang=19)
