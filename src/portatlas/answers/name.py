"""A name's answer: the service the registry registers under it, and the programs known by it, with every port.

``portatlas postgresql`` finds the registry's rows; ``portatlas minecraft``
and ``portatlas plex`` find the software in the common-use dataset (every
port it uses) and firewalld's service of that name where installed.
"""

from __future__ import annotations

from portatlas.answers.rows import RegistryRow, registry_rows
from portatlas.answers.sources import FIREWALLD_TITLE, Source, SourceKind, Sources
from portatlas.errors import NotFound
from portatlas.query.grammar import shown
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.answers.knowledge import Knowledge
    from portatlas.atlas import Registry
    from portatlas.world.commonuse import CommonUse
    from portatlas.world.firewalld import FirewalldService


@value
class Software:
    """A program and every port the dataset knows it to use."""

    software: str
    field: str
    uses: tuple[CommonUse, ...]

    @property
    def ports(self) -> tuple[str, ...]:
        """'25565/tcp', '19132-19133/udp', ... each once."""
        return tuple(dict.fromkeys(f"{u.number}/{'+'.join(t.value for t in u.transports)}" for u in self.uses))

    __json_extra__ = ("ports",)


@value
class NameAnswer:
    """What a name names: ``service`` is the registry's spelling when it registers one (``rows`` its rows),
    ``software`` the programs of that name, ``firewalld`` the firewalld services of that name."""

    query: str
    edition: str
    service: str | None
    rows: tuple[RegistryRow, ...]
    software: tuple[Software, ...]
    firewalld: tuple[FirewalldService, ...]
    sources: tuple[Source, ...]


def name_answer(reg: Registry, name: str, k: Knowledge) -> NameAnswer:
    """The answer for a service or program name (any letter case); ``NotFound`` with suggestions."""
    from portatlas.query import lookup

    q = name.strip()
    sources = Sources()
    info = lookup.service_info(reg.index, q)
    rows: tuple[RegistryRow, ...] = ()
    if info is not None:
        sources.registry(reg.edition)
        rows = registry_rows(info.records, sources)
    uses = k.dataset().software(q)
    by: dict[str, list[CommonUse]] = {}
    for u in uses:
        by.setdefault(u.software, []).append(u)
        sources.cite(SourceKind.SOFTWARE, u.source_title, u.source, u.checked)
    software = tuple(Software(s, us[0].field, tuple(us)) for s, us in by.items())
    firewalld: tuple[FirewalldService, ...] = ()
    if k.use_firewalld:
        from portatlas.world import firewalld as fw

        firewalld = fw.named(q)
        if firewalld:
            sources.cite(SourceKind.FIREWALLD, FIREWALLD_TITLE, None, key="firewalld")
    if info is None and not software and not firewalld:
        from portatlas.query.search import suggest_names

        close = suggest_names(reg.searcher(), q)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFound(f"no service or program named {shown(q)} in the registry or portatlas's common-use "
                       f"dataset{hint}", None if close else q)
    return NameAnswer(q, reg.edition, info.name if info else None, rows, software, firewalld, sources.items())
