"""A search's answer: registry rows and programs of the common-use dataset, ranked together; or the port asked.

>>> from portatlas import Registry
>>> a = Registry.default().search_answer("remote desktop", limit=3)
>>> [(h.kind, h.ports[:1]) for h in a.hits][:1]
[('registry', ('3389',))]

``portatlas search TEXT --json``, ``/api/search?q=TEXT`` and the ``/search``
page all show this value. Text that is a port, a range or a list
(``22/tcp``, ``port 443``, ``8000-8100``) is answered with those ports'
lines (``ports``), as ``portatlas 22/tcp`` would list them, and no hits.
"""

from __future__ import annotations

from portatlas.answers.brief import PortsAnswer
from portatlas.answers.name import Software
from portatlas.answers.rows import RegistryRow, registry_rows
from portatlas.answers.sources import Source, SourceKind, Sources
from portatlas.errors import BadInput
from portatlas.model import PortRange, Transport, span_text
from portatlas.query.search import MatchKind
from portatlas.value import Choice, value
from portatlas.world.commonuse import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from re import Pattern
    from typing import ClassVar

    from portatlas.atlas import Registry
    from portatlas.query.search import Found

MAX_LIMIT = 1000


class HitKind(Choice, values=("registry", "program")):
    """What a hit is: a registry row, or a program of the common-use dataset."""

    REGISTRY: ClassVar[HitKind]
    PROGRAM: ClassVar[HitKind]


@value
class RowHit:
    """A registry service at a port that matched: ``rows`` are its rows, one per group of transports
    that the registry describes alike (``name`` None for a row without a name: a Reserved or Unassigned
    row found by its description); ``low`` and ``high`` None for a name-only row."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("number", "ports")

    kind: HitKind
    score: float
    match: MatchKind
    why: str
    name: str | None
    low: int | None
    high: int | None
    transports: tuple[Transport, ...]
    description: str
    rows: tuple[RegistryRow, ...]

    @property
    def number(self) -> str:
        """The port or range ('3389', '6000-6063'), '' for a name-only row."""
        if self.low is None or self.high is None:  # a name-only row has neither
            return ""
        return span_text(self.low, self.high)

    @property
    def ports(self) -> tuple[str, ...]:
        """The port or range, as a program hit lists its ports (empty for a name-only row)."""
        return (self.number,) if self.low is not None else ()


@value
class ProgramHit:
    """A program of the common-use dataset that matched, with every port it uses (on the transport and
    in the range asked, when one was)."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("name", "ports")

    kind: HitKind
    score: float
    match: MatchKind
    why: str
    program: Software

    @property
    def name(self) -> str:
        """The program's name."""
        return self.program.software

    @property
    def ports(self) -> tuple[str, ...]:
        """Its ports and ranges, each once, in the dataset's order ('25565', '19132-19133')."""
        return tuple(dict.fromkeys(u.number for u in self.program.uses))


Hit = RowHit | ProgramHit


@value
class SearchAnswer:
    """What a search found: ``query`` as typed and ``normalised`` as compared ("SQL_Server" is
    "sql server"), the filters (``transport``, ``range``, ``limit``), and either ``ports`` (the query
    was a port, range or list: their lines) or ``hits``, best first, at most ``limit``."""

    query: str
    normalised: str
    edition: str
    transport: Transport | None
    range: PortRange | None
    limit: int
    ports: PortsAnswer | None
    hits: tuple[RowHit | ProgramHit, ...]
    sources: tuple[Source, ...]

    @property
    def found(self) -> bool:
        """Whether there is anything to show."""
        return bool(self.hits) or self.ports is not None


_PORTS: Pattern[str] | None = None


def looks_like_ports(text: str) -> bool:
    """Whether search text is written as ports rather than words: ``22``, ``22/tcp``, ``port 443``,
    ``8000-8100``, ``22, 80`` (and so goes to the port, or is refused as one: ``70000``, ``80-``)."""
    global _PORTS
    if _PORTS is None:
        import re

        item = r"\d[\d\-]*(?:\s*/\s*[a-z]*)?"
        _PORTS = re.compile(rf"(?:ports?\s+)?{item}(?:\s*,\s*{item})*\s*", re.IGNORECASE)
    return _PORTS.fullmatch(text.strip()) is not None


def search_answer(reg: Registry, query: str, transport: Transport | str | None = None,
                  range: PortRange | str | None = None,  # noqa: A002 - the public keyword, as the CLI's --range
                  limit: int = 20) -> SearchAnswer:
    """Search the registry and the common-use dataset for ``query``; a port, range or list answers with
    its ports. ``BadInput`` for an empty query, a bad limit, or text that is a port out of range."""
    from portatlas.query.grammar import parse_range, parse_transport

    t = transport if isinstance(transport, Transport) else parse_transport(transport)
    r = range if isinstance(range, PortRange) else parse_range(range)
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"--limit {limit} is out of range: use 1 to {MAX_LIMIT}")
    text = " ".join(query.split())
    if not text:
        raise BadInput("empty search: give some text to look for")
    sources = Sources()
    if looks_like_ports(text):
        from portatlas.query.grammar import PortSpec, QueryKind, one_transport, read

        q = read("port " + text[6:] if text.lower().startswith("ports ") else text, is_name=reg.has_name)
        if q.kind is not QueryKind.NAME:
            specs = tuple(PortSpec(s.low, s.high, one_transport(s, t)) for s in q.specs)
            sources.registry(reg.edition)
            return SearchAnswer(query, normalise(text), reg.edition, t, r, limit, reg.ports(q.text, specs), (),
                                sources.items())
    found = reg.searcher().find(text, t, r, limit)
    hits = tuple(_hit(reg, f, sources) for f in found)
    return SearchAnswer(query, normalise(text), reg.edition, t, r, limit, None, hits, sources.items())


def _hit(reg: Registry, f: Found, sources: Sources) -> RowHit | ProgramHit:
    if f.program is not None:
        ds = reg.knowledge.dataset()
        uses = tuple(ds.entry(i) for i in f.ids)
        for u in uses:
            sources.cite(SourceKind.SOFTWARE, u.source_title, u.source, u.checked)
        return ProgramHit(HitKind.PROGRAM, f.score, f.match, f.why, Software(f.program, uses[0].field, uses))
    records = [reg.index.record(i) for i in f.ids]
    sources.registry(reg.edition)
    rows = registry_rows(records, sources)
    first = records[0]
    on = {x for r in records for x in ((r.transport,) if r.transport else tuple(Transport))}
    ts = tuple(x for x in Transport if x in on)
    return RowHit(HitKind.REGISTRY, f.score, f.match, f.why, first.name, first.low, first.high, ts,
                  rows[0].description, rows)
