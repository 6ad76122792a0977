"""Many ports at once (a range or a list): one line each, the registry's state and names and who uses it."""

from __future__ import annotations

from portatlas.answers.history import state_word
from portatlas.answers.rows import clean
from portatlas.answers.words import prominent, users
from portatlas.model import State, Transport
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.answers.knowledge import Knowledge
    from portatlas.atlas import Registry
    from portatlas.query.grammar import PortSpec


@value
class PortLine:
    """One port in a list: its overall state word ('dynamic' in that range), each transport's word, the
    names assigned, the first assignment's description, and the software commonly using it."""

    port: int
    word: str
    states: tuple[tuple[Transport, str], ...]
    names: tuple[str, ...]
    description: str
    common: tuple[str, ...]


@value
class PortsAnswer:
    """The answer for a range or a list: what was asked, the transport asked (None: all), one line per port."""

    query: str
    edition: str
    transport: Transport | None
    ports: tuple[PortLine, ...]


def line(reg: Registry, port: int, k: Knowledge, transport: Transport | None = None) -> PortLine:
    """One port's line."""
    info = reg.lookup(port)
    ts = [t for t in info.transports if transport is None or t.transport is transport]
    states = {t.state for t in ts}
    overall = next((s for s in (State.ASSIGNED, State.RESERVED) if s in states), State.UNASSIGNED)
    assigned = [r for t in ts for r in t.assignments]
    names = tuple(dict.fromkeys(r.name for r in assigned if r.name))
    common = prominent(k.dataset().at(port, transport))
    return PortLine(port, state_word(overall, info.range),
                    tuple((t.transport, state_word(t.state, info.range)) for t in ts), names,
                    clean(assigned[0].description) if assigned else "", tuple(users(common, 3)))


def ports_answer(reg: Registry, text: str, specs: Sequence[PortSpec], k: Knowledge) -> PortsAnswer:
    """Each port of ``specs`` once, in the order asked."""
    transport = specs[0].transport if len({s.transport for s in specs}) == 1 else None
    seen = dict.fromkeys(p for s in specs for p in s.ports())
    by_port = {s_port: s.transport for s in specs for s_port in s.ports()}
    return PortsAnswer(text, reg.edition, transport,
                       tuple(line(reg, p, k, by_port[p]) for p in seen))
