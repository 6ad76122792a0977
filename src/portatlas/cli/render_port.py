"""A port's answer as terminal text: the headline, the registry, common use, verdicts, how to check, sources."""

from __future__ import annotations

from portatlas.cli.output import Out, cites, this_os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.answers.port import PortAnswer
    from portatlas.answers.rows import RegistryRow
    from portatlas.model import Block, Neighbour

_OS_TITLES = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


def _ts(row: RegistryRow) -> str:
    if row.all_transports:
        return "all transports"
    names = [t.value.upper() for t in row.transports]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def neighbour_text(n: Neighbour) -> str:
    """'300  tacacss on TCP; reserved on UDP'."""
    by: dict[str, list[str]] = {}
    for (t, state), (_, names) in zip(n.states, n.names):
        label = ", ".join(dict.fromkeys(names)) if state.value == "assigned" else state.value
        if state.value != "unassigned":
            by.setdefault(label, []).append(t.value.upper())
    return f"{n.port}  " + "; ".join(f"{label} on {' and '.join(ts)}" for label, ts in by.items())


def block_text(b: Block) -> str:
    """'301-307: 7 ports unassigned on TCP and UDP, rank 16 of 53 blocks in the System range'."""
    span = f"{b.low}-{b.high}" if b.size > 1 else str(b.low)
    ports = "port" if b.size == 1 else "ports"
    return (f"{span}: {b.size} {ports} unassigned on {' and '.join(t.value.upper() for t in b.transports)}, "
            f"rank {b.rank} of {b.of} blocks in the {b.range.title.split()[0]} range")


def _rows(out: Out, a: PortAnswer) -> None:
    out.heading("Registry")
    out.table((t.transport.value.upper(), out.tint(t.word), ", ".join(t.names)) for t in a.transports)
    for r in a.rows:
        head = out.bold(r.name) if r.name else r.description
        desc = f"  {r.description}" if r.name and r.description else ""
        out.line(f"{head}  {r.number or '(no port)'} on {_ts(r)}{desc}", 2)
        details = []
        if r.assignees:
            details.append("assignee: " + ", ".join(c.name for c in r.assignees))
        if r.contacts:
            details.append("contact: " + ", ".join(c.name for c in r.contacts))
        refs = [x.label + (f" [{x.cite}]" if x.cite else "") for x in r.references]
        if refs:
            details.append("references: " + "; ".join(refs))
        dates = [f"registered {r.registered}" if r.registered else "", f"updated {r.updated}" if r.updated else ""]
        if any(dates):
            details.append(", ".join(d for d in dates if d))
        if r.service_code is not None:
            details.append(f"service code: {r.service_code}")
        for d in details:
            out.line(d, 6)
    for n in a.notes:
        out.line(n.text + cites(n.cites), 2)
    if not a.rows:
        out.line("no row: the registry lists none for this port", 2)
    out.line(f"{a.range.title} ({a.range.low}-{a.range.high}): {a.range.procedure}", 2)


def _common(out: Out, a: PortAnswer) -> None:
    if not a.has_common_use:
        return
    out.heading("Commonly used by")
    cite = {s.url: s.n for s in a.sources if s.url}
    for u in a.common_use:
        ts = "+".join(t.value for t in u.transports)
        out.line(f"{out.bold(u.software)}  {u.number}/{ts}  {u.use.phrase}", 2)
        out.line(u.summary + cites([cite[u.source]] if u.source in cite else []), 6)
    for f in a.nmap_names:
        out.line(f"nmap calls {a.port}/{f.transport} {f.name} (its scans find it open on {f.percent} of "
                 "hosts)" + cites(s.n for s in a.sources if s.kind.value == "nmap"), 2)
    for s in a.firewalld:
        ports = ", ".join(f"{p.low if p.low == p.high else f'{p.low}-{p.high}'}/{p.protocol}" for p in s.ports)
        out.line(f"firewalld's service {s.name} ({s.title}) opens {ports}", 2)


def _verdicts(out: Out, a: PortAnswer) -> None:
    if not a.verdicts:
        return
    out.heading("Should I use it?")
    out.table((v.question, out.tint(v.verdict.value), v.answer) for v in a.verdicts)
    out.line(f"(portatlas advise {a.port} gives every reason and checks this machine too)", 2)


def _checks(out: Out, a: PortAnswer, all_os: bool) -> None:
    mine = this_os()
    systems = [mine] + ([s for s in ("linux", "macos", "windows") if s != mine] if all_os else [])
    for system in systems:
        cmds = [c for c in a.checks if c.system == system]
        if not cmds:
            continue
        out.heading(f"How to check ({_OS_TITLES[system]})")
        out.table((c.command, c.shows) for c in cmds)
    if not all_os:
        out.line("(--all-os for the other systems' commands)", 2)
    if a.firewall is not None:
        shown = ("ufw", "firewalld") if mine == "linux" else ("pf",) if mine == "macos" else ("windows",)
        out.heading(f"How to open it in a firewall ({a.firewall.label})")
        for r in a.firewall.rules:
            if r.format in shown or all_os:
                out.table([(r.title, "; ".join(r.commands))])
        out.line(f"(portatlas firewall {a.port} for nftables, iptables and the rest, and --deny to close it)", 2)


def _history(out: Out, a: PortAnswer) -> None:
    h = a.history
    if h is None:
        return
    out.heading("History")
    for e in h.entries:
        what = ", ".join(e.names) if e.names else e.state
        ts = " and ".join(t.value.upper() for t in e.transports)
        if e.kind == "present":
            out.line(f"{e.when}: {what} on {ts}", 2, hang=6)
        else:
            out.line(f"{e.when}: {e.kind} ({what}) on {ts}", 2, hang=6)
        for c in e.changes:
            who = f" ({', '.join(c.records)})" if c.records else ""
            out.line(f"{c.field}{who}: {c.old or '-'} -> {c.new or '-'}", 6)
    out.line(f"({h.editions} editions, {h.first_edition} to {h.last_edition}; portatlas history {a.port} "
             "for the full timeline)", 2)


def port_text(out: Out, a: PortAnswer, *, all_os: bool = False) -> None:
    """The terminal version of the port's answer."""
    out.line(out.tint(a.kind.value, out.bold(a.headline)))
    out.line(a.lead.text + cites(a.lead.cites), 2)
    _rows(out, a)
    _common(out, a)
    nb = a.neighbourhood
    out.heading("Neighbourhood")
    out.table([("below", neighbour_text(nb.below) if nb.below else "no assigned port below"),
               ("above", neighbour_text(nb.above) if nb.above else "no assigned port above")]
              + ([("block", block_text(nb.block))] if nb.block else []))
    _verdicts(out, a)
    _checks(out, a, all_os)
    _history(out, a)
    for m in a.missing:
        out.line(f"(not read: {m.source}: {m.why})", 0)
    out.heading("Sources")
    for s in a.sources:
        where = f"  {s.url}" if s.url else ""
        checked = f" (checked {s.checked})" if s.checked else ""
        out.line(f"[{s.n}] {s.title}{checked}{where}", 2, hang=6)
