"""The one answer for a port: everything any face shows of it, built once from the registry and the world.

>>> from portatlas import Registry
>>> a = Registry.default().answer(25565)
>>> a.headline
'Port 25565 is unassigned in the registry, commonly used by Minecraft: Java Edition server'

The command line prints it as text or JSON, the web site as a page and as
``/api/ports/N``, the MCP face as structured output: each only renders this
value, so ``portatlas 25565 --json`` and the API's document are the same.
"""

from __future__ import annotations

from portatlas.answers import faq, words
from portatlas.answers.history import HistorySummary, state_word, summary
from portatlas.answers.knowledge import EPHEMERAL_DEFAULTS, EPHEMERAL_SOURCES, Knowledge, Missing
from portatlas.answers.rows import RegistryRow, registry_rows, row_notes
from portatlas.answers.sources import FIREWALLD_TITLE, Source, SourceKind, Sources, Statement
from portatlas.model import Neighbourhood, PortInfo, PortRange, State, Transport
from portatlas.query.fit import Verdict, purposes, verdicts
from portatlas.query.reasons import Purpose, Reason
from portatlas.value import replace, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar

    from portatlas.atlas import Registry
    from portatlas.query.firewall import FirewallRules
    from portatlas.query.reasons import Frequency
    from portatlas.system.howto import CheckCommand
    from portatlas.world.commonuse import CommonUse
    from portatlas.world.firewalld import FirewalldService


@value
class RangeFacts:
    """The RFC 6335 range a port is in: its name and title, bounds, and how its ports are assigned."""

    name: PortRange
    title: str
    low: int
    high: int
    procedure: str


@value
class TransportFacts:
    """One transport of the port: the registry's state ('dynamic' as ``word`` in that range) and names."""

    transport: Transport
    state: State
    word: str
    names: tuple[str, ...]


@value
class PortAnswer:
    """Everything portatlas says of one port, on every transport, with every fact's source.

    - ``transport``: the transport asked (None: every transport; the facts below are then per transport);
    - ``kind``, ``headline`` and ``lead``: what the port is, in a line and a sentence;
    - ``range``, ``transports`` and ``rows``: the registry's answer (rows alike but for their transport
      joined; ``notes`` the registry's remarks that apply to this port);
    - ``common_use``: what commonly runs there beyond the registry (the shipped dataset), ``nmap``
      (this machine's nmap-services lines for the port) and ``firewalld`` (its service files that open it);
    - ``neighbourhood``: the nearest assigned ports, the strip around the port and its unassigned block;
    - ``verdicts``: should you use it, for running its own services and for something new;
    - ``checks``: the commands that show what listens on it, per operating system;
    - ``firewall``: the commands that open it on each firewall (None for port 0, which none opens);
    - ``history``: its timeline across the registry's editions;
    - ``sections`` and ``faq``: the explanation and the questions people ask;
    - ``sources``: every source, numbered as statements and reasons cite them;
    - ``missing``: the optional sources this answer went without, and why.
    """

    __json_extra__: ClassVar[tuple[str, ...]] = ()

    port: int
    edition: str
    transport: Transport | None
    kind: words.PortKind
    headline: str
    lead: Statement
    range: RangeFacts
    transports: tuple[TransportFacts, ...]
    rows: tuple[RegistryRow, ...]
    notes: tuple[Statement, ...]
    common_use: tuple[CommonUse, ...]
    nmap: tuple[Frequency, ...]
    firewalld: tuple[FirewalldService, ...]
    neighbourhood: Neighbourhood
    verdicts: tuple[Verdict, ...]
    checks: tuple[CheckCommand, ...]
    firewall: FirewallRules | None
    history: HistorySummary | None
    sections: tuple[words.Section, ...]
    faq: tuple[faq.Question, ...]
    sources: tuple[Source, ...]
    missing: tuple[Missing, ...]

    @property
    def state(self) -> State:
        """Assigned if any transport is, else reserved if any is, else unassigned."""
        found = {t.state for t in self.transports}
        return next((s for s in (State.ASSIGNED, State.RESERVED) if s in found), State.UNASSIGNED)

    @property
    def nmap_names(self) -> tuple[Frequency, ...]:
        """nmap's lines whose name is news: the registry names the port otherwise (or not) on that transport."""
        named = {(t.transport, n.lower()) for t in self.transports for n in t.names}
        return tuple(f for f in self.nmap if f.name and (f.transport, f.name.lower()) not in named)

    @property
    def has_common_use(self) -> bool:
        """Whether anything beyond the registry is known to run here: the dataset, nmap's news, firewalld."""
        return bool(self.common_use or self.nmap_names or self.firewalld)


def _cite_reason(r: Reason, sources: Sources, edition: str, port: int) -> Reason:
    """The reason with its source numbered among the answer's sources."""
    code = r.code
    if code.startswith(("registry.", "fit.registered")):
        n = sources.registry(edition, port)
    elif code.startswith("range.") or (r.url and "rfc6335" in r.url):
        n = sources.rfc6335()
    elif code.startswith("browser."):
        n = sources.cite(SourceKind.STANDARD, "WHATWG Fetch Standard: port blocking (bad ports)",
                         "https://fetch.spec.whatwg.org/#port-blocking")
    elif code.startswith("frequency."):
        n = sources.cite(SourceKind.NMAP, r.source, r.url, key="nmap")
    elif code.startswith("common."):
        n = sources.cite(SourceKind.PORTATLAS, r.source, None, key="common-use")
    elif code.startswith("fit.software"):
        n = sources.cite(SourceKind.SOFTWARE, r.source, r.url)
    elif code.startswith("ephemeral."):
        title, url = EPHEMERAL_SOURCES["Linux"]
        n = sources.cite(SourceKind.OS, title, url)
    elif r.url:
        n = sources.cite(SourceKind.PORTATLAS, r.source, r.url)
    else:
        return r  # a note about this answer itself ('not checked here'): nothing to cite
    return replace(r, cite=n)


def _transport_facts(info: PortInfo) -> tuple[TransportFacts, ...]:
    return tuple(TransportFacts(ts.transport, ts.state, state_word(ts.state, info.range),
                                tuple(dict.fromkeys(r.name for r in ts.assignments if r.name)))
                 for ts in info.transports)


def _range(info: PortInfo) -> RangeFacts:
    lo, hi = info.range.bounds
    return RangeFacts(info.range, info.range.title, lo, hi, info.range.procedure)


def _ephemeral_overlap(port: int) -> list[tuple[str, int, int]]:
    return [(name, lo, hi) for name, lo, hi in EPHEMERAL_DEFAULTS if lo <= port <= hi and port != 0]


def _examples(limit: int = 6) -> tuple[tuple[int, str, str, str], ...]:
    """System ports that lost an assignment within the kept editions (from the history, when it has them)."""
    try:
        from portatlas.registry import history

        fn = getattr(history, "system_deassignments", None)
        if fn is None:
            return ()
        out = []
        for d in fn():
            out.append((int(d[0]), str(d[2]), str(d[3]), str(d[4])))
        return tuple(dict.fromkeys(out))[:limit]
    except Exception:  # noqa: BLE001 - examples are optional: the section stands without them
        return ()


def _first_edition_system_tcp() -> tuple[tuple[str, int] | None, int]:
    """(oldest edition, its assigned System TCP ports) and how many editions the history keeps."""
    try:
        from portatlas.registry.history import stats_over_time

        over = stats_over_time(include_stored=False)
    except Exception:  # noqa: BLE001 - the figure is optional
        return None, 0
    if not over.editions:
        return None, 0
    first = over.editions[0]
    tcp = next(c for c in first.counts if c.range is PortRange.SYSTEM and c.transport is Transport.TCP)
    return (first.edition, tcp.assigned), len(over.editions)


def port_answer(reg: Registry, port: int, knowledge: Knowledge | None = None,
                transport: Transport | None = None) -> PortAnswer:
    """The whole answer for ``port`` (0-65535) from ``reg`` and what ``knowledge`` can read;
    ``transport`` narrows it to one transport (the verdicts then weigh that transport, else TCP)."""
    from portatlas.query.firewall import firewall_rules
    from portatlas.system.howto import check_commands

    k = knowledge or Knowledge()
    info = reg.lookup(port)
    if transport is not None:
        info = replace(info, transports=tuple(ts for ts in info.transports if ts.transport is transport))
    p = info.port
    sources = Sources()
    n_reg = sources.registry(reg.edition, p)
    sources.rfc6335()
    rows = registry_rows({id(r): r for ts in info.transports for r in ts.records}.values(), sources, p)
    notes = row_notes(rows, sources, n_reg)
    common = k.common_at(p)
    for u in common:
        sources.cite(SourceKind.SOFTWARE, u.source_title, u.source, u.checked)
    nmap_table, nmap_missing = k.nmap(p)
    fw, fw_missing = k.firewalld(p)
    if nmap_table is not None and nmap_table.entries:
        sources.cite(SourceKind.NMAP, f"nmap-services ({nmap_table.source}, read where portatlas runs)", None,
                     key="nmap")
    if fw:
        sources.cite(SourceKind.FIREWALLD, FIREWALLD_TITLE, None, key="firewalld")
    h, h_missing = k.history(p)
    hist = summary(h) if h is not None else None
    nb = reg.neighbours(p)
    bad = p in k.bad_ports()
    kind = words.kind_of(info, rows, hist)

    from portatlas.query.advice import advise

    signals = k.signals(p, nmap_table, nmap_missing)
    weigh = (transport or Transport.TCP,)
    new = [advise(reg.index, p, weigh, purpose, False, signals, common=common) for purpose in purposes()]
    if bad:  # browsers refuse it: say so for the reader who would serve HTTP here
        new.append(advise(reg.index, p, weigh, Purpose.PRODUCTION, True, signals, common=common))
    # A page read anywhere sees no machine's sockets: the "not checked" note is the CLI's advise's to make.
    cases = tuple(replace(v, reasons=tuple(_cite_reason(r, sources, reg.edition, p) for r in v.reasons
                                           if r.code != "listening.unchecked"))
                  for v in verdicts(info, reg.edition, new, common, k.bad_ports()))

    sections = [words.meaning(info, kind, rows, sources)]
    if kind is words.PortKind.ZERO:
        sections.append(words.zero(sources))
    elif kind is words.PortKind.ASSIGNED:
        sections.append(words.running(info, bad, sources))
    elif kind is words.PortKind.DYNAMIC:
        sections.append(words.dynamic(info, sources))
    if info.range is PortRange.SYSTEM and kind in (words.PortKind.UNASSIGNED, words.PortKind.DEASSIGNED,
                                                     words.PortKind.RESERVED):
        first, editions = _first_edition_system_tcp()
        sections.append(words.why_unassigned(info, reg.stats(), first, _examples(), editions, sources))

    lead = words.lead(info, kind, rows, common, nb.block, sources)
    questions = faq.questions(info, kind, rows, common, nb, cases, hist, bad, _ephemeral_overlap(p), sources)
    if hist is not None:
        sources.cite(SourceKind.HISTORY, f"portatlas's history of the registry: {hist.editions} editions from "
                     f"{hist.first_edition} to {hist.last_edition}", None, key="history")
    missing = tuple(m for m in (nmap_missing, fw_missing, h_missing) if m is not None)
    return PortAnswer(
        port=p, edition=reg.edition, transport=transport, kind=kind, headline=words.headline(info, kind, common),
        lead=lead,
        range=_range(info), transports=_transport_facts(info), rows=rows, notes=notes, common_use=common,
        nmap=tuple(nmap_table.entries.values()) if nmap_table is not None else (),
        firewalld=fw, neighbourhood=nb, verdicts=cases, checks=check_commands(p),
        firewall=(firewall_rules(p, (transport,) if transport in (Transport.TCP, Transport.UDP) else None)
                  if p else None),
        history=hist,
        sections=tuple(sections), faq=questions, sources=sources.items(), missing=missing,
    )


def all_statements(a: PortAnswer) -> Sequence[Statement]:
    """Every statement of an answer (for tests and renderers that index citations)."""
    out = [a.lead, *a.notes]
    for s in a.sections:
        out += s.paragraphs
    out += [q.answer for q in a.faq]
    return out
