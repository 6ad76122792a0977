"""The one line of text each MCP tool returns beside its structured answer: the answer's own headline or
summary where it has one, else a short reading of it (the structured content holds everything)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.answers.brief import PortsAnswer
    from portatlas.answers.name import NameAnswer
    from portatlas.answers.port import PortAnswer
    from portatlas.answers.search import SearchAnswer
    from portatlas.model import Block, Stats
    from portatlas.query.advice import Advice
    from portatlas.query.suggest import Suggestion
    from portatlas.registry.history import PortHistory
    from portatlas.system.annotate import MachineReport

_SHOWN = 5  # items named in a line; the structured content has them all


def _n(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _some(items: Sequence[str]) -> str:
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def port_or_ports(answer: PortAnswer | PortsAnswer) -> str:
    """A port's headline, or the ports of a range or list, each with its state and names."""
    from portatlas.answers.port import PortAnswer

    if isinstance(answer, PortAnswer):
        return answer.headline
    each = [f"{p.port} {p.word}" + (f" ({', '.join(p.names[:3])})" if p.names else "") for p in answer.ports]
    return f"{_n(len(each), 'port')} for {answer.query}: {_some(each)}"


def name(answer: NameAnswer) -> str:
    """The registry's service and the programs of that name, with their ports."""
    parts = []
    if answer.service is not None:
        numbers = list(dict.fromkeys(r.number for r in answer.rows if r.number))
        parts.append(f"the registry's {answer.service}" + (f" on {_some(numbers)}" if numbers else
                                                           " (a name without a port)"))
    parts += [f"{s.software} on {_some(list(s.ports))}" for s in answer.software[:3]]
    if answer.firewalld and not parts:
        parts.append(f"firewalld's {answer.firewalld[0].name}")
    return f"{answer.query}: " + "; ".join(parts)


def search(answer: SearchAnswer) -> str:
    """The hits, best first, or the ports the query was."""
    if answer.ports is not None:
        return port_or_ports(answer.ports)
    if not answer.hits:
        return f"nothing matches {answer.query!r}"
    each = [f"{h.name or ''} {'/'.join(h.ports[:3])}".strip() for h in answer.hits]
    return f"{_n(len(each), 'hit')} for {answer.query!r}, best first: {_some(each)}"


def gaps(blocks: Sequence[Block]) -> str:
    """The blocks, largest first."""
    if not blocks:
        return "no unassigned block that large"
    return f"{len(blocks)} unassigned blocks, largest first: " + _some(
        [f"{b.low}-{b.high} ({b.size} ports)" for b in blocks])


def stats(answer: Stats) -> str:
    """Assigned ports per transport over every range."""
    per: dict[str, int] = {}
    for c in answer.counts:
        per[str(c.transport)] = per.get(str(c.transport), 0) + c.assigned
    return f"edition {answer.edition}: assigned ports " + ", ".join(f"{n:,} on {t}" for t, n in per.items())


def advice(answer: Advice) -> str:
    """The verdict's own summary."""
    return answer.summary


def suggestions(found: Sequence[Suggestion]) -> str:
    """The ports found."""
    if not found:
        return "no port passed every check; try the other range, another transport, or near"
    each = [f"{s.port}/{'+'.join(map(str, s.transports))}" for s in found]
    return f"{len(each)} free ports: {_some(each)}"


def machine(report: MachineReport) -> str:
    """Who holds the port here, or that nothing does."""
    where = f"port {report.port}" + (f"/{report.transport}" if report.transport else "")
    if not report.sockets:
        return f"nothing is bound to {where} on this machine"
    each = []
    for s in report.sockets:
        x = s.listener
        who = f"{x.process or 'a process this user cannot see'}" + (f" (pid {x.pid})" if x.pid else "")
        each.append(f"{who} {x.state} on {x.endpoint}/{x.transport}")
    return f"{where}: {_some(each)}"


def history(answer: PortHistory) -> str:
    """The port's state now and how many changes each transport saw."""
    each = []
    for t in answer.transports:
        n = len(t.events)
        each.append(f"{t.transport} {t.events[-1].state} ({n} event{'s' if n != 1 else ''})" if n
                    else f"{t.transport} never listed")
    return (f"port {answer.port} over {answer.editions} editions ({answer.first_edition} to "
            f"{answer.last_edition}): " + "; ".join(each))
