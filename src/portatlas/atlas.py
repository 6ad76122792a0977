"""``Registry``: the library's front door over one compiled registry edition.

>>> from portatlas import Registry
>>> reg = Registry.default()
>>> reg.lookup(307).state
<State.UNASSIGNED: 'unassigned'>
"""

from __future__ import annotations

from portatlas import index as _index
from portatlas.errors import BadInput, NotFound
from portatlas.model import (
    TRANSPORTS,
    Block,
    Neighbourhood,
    PortInfo,
    PortRange,
    Record,
    SearchHit,
    ServiceInfo,
    State,
    Stats,
    Transport,
)
from portatlas.query import lookup as _lookup
from portatlas.query.blocks import ASSIGNABLE, DEFAULT_TRANSPORTS, blocks
from portatlas.query.grammar import parse_port
from portatlas.query.neighbours import block_of, neighbourhood

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (the CLI's start-up counts)
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from portatlas.answers.brief import PortsAnswer
    from portatlas.answers.knowledge import Knowledge
    from portatlas.answers.name import NameAnswer
    from portatlas.answers.port import PortAnswer
    from portatlas.answers.search import SearchAnswer
    from portatlas.query.grammar import PortSpec
    from portatlas.query.search import SearchIndex

MAX_SPAN = 65536
MEMO_MAX = 4096  # PortInfos kept for instant repeat lookups; a crawl of every port stays bounded


class Registry:
    """One registry edition, compiled, with every question portatlas answers about it."""

    def __init__(self, index: _index.Index) -> None:
        self.index = index
        self._ports: dict[int, PortInfo] = {}
        self._blocks: dict[tuple[PortRange, tuple[Transport, ...]], list[Block]] = {}
        self._search: SearchIndex | None = None
        self._knowledge: Knowledge | None = None

    @classmethod
    def default(cls) -> Registry:
        """The edition in use: ``PORTATLAS_REGISTRY``, the last update, or the bundled one."""
        from portatlas.source.paths import current_source_path

        return cls.from_file(current_source_path())

    @classmethod
    def bundled(cls) -> Registry:
        """The edition shipped inside the package."""
        from portatlas.source.paths import BUNDLED_PATH

        return cls.from_file(BUNDLED_PATH)

    @classmethod
    def from_file(cls, path: str | Path, *, use_cache: bool = True) -> Registry:
        """A registry XML file (plain or .xz), compiled once and cached on disk."""
        return cls(_index.load(path, use_cache=use_cache))

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>") -> Registry:
        """A registry from XML bytes, compiled in memory (no cache)."""
        from portatlas.registry.parse import parse

        return cls(_index.Index(_index.compile_registry(parse(data), source=source)))

    @property
    def edition(self) -> str:
        """The edition's date as the registry gives it (YYYY-MM-DD)."""
        return self.index.edition

    @property
    def source(self) -> str:
        """The file the edition was read from."""
        return self.index.source

    def __repr__(self) -> str:
        return f"<Registry edition {self.edition}, {len(self.index)} records>"

    # -- ports --------------------------------------------------------------
    def lookup(self, port: int) -> PortInfo:
        """Every assignment of ``port`` on every transport, with each transport's state."""
        info = self._ports.get(port)
        if info is None:
            port = parse_port(port)
            if len(self._ports) >= MEMO_MAX:
                self._ports.clear()
            info = self._ports[port] = _lookup.port_info(self.index, port)
        return info

    def state(self, port: int, transport: Transport | str = Transport.TCP) -> State:
        """The state of one (port, transport)."""
        return self.index.state(parse_port(port), Transport(transport))

    def span(self, low: int, high: int) -> list[PortInfo]:
        """Each port from ``low`` to ``high`` inclusive."""
        low, high = parse_port(low), parse_port(high)
        if low > high:
            raise BadInput(f"range {low}-{high} runs backwards: write the lower port first")
        return [self.lookup(p) for p in range(low, high + 1)]

    def neighbours(self, port: int, width: int = 5,
                   transports: Sequence[Transport] = DEFAULT_TRANSPORTS) -> Neighbourhood:
        """Nearest assigned ports either side, the unassigned block, and a strip of ports."""
        port = parse_port(port)
        ts = self._transports(transports)
        return neighbourhood(self.index, port, width, ts, self.block(port, ts))

    def block(self, port: int, transports: Sequence[Transport] = DEFAULT_TRANSPORTS) -> Block | None:
        """The unassigned block holding ``port`` (unassigned on every given transport), or None."""
        port = parse_port(port)
        ts = self._transports(transports)
        rng = PortRange.of(port)
        if rng not in ASSIGNABLE:
            return None
        if ts == DEFAULT_TRANSPORTS:  # compiled with the index: a bisection, no ranking
            found = self.index.block_at(port, rng.value)
            if found is None:
                return None
            low, high, rank, of = found
            return Block(low=low, high=high, range=rng, transports=ts, rank=rank, of=of)
        return block_of(self.index, port, ts, self._ranked(rng, ts))

    @staticmethod
    def _transports(transports: Sequence[Transport | str]) -> tuple[Transport, ...]:
        return tuple(dict.fromkeys(Transport(t) for t in transports)) or DEFAULT_TRANSPORTS

    def _ranked(self, rng: PortRange, ts: tuple[Transport, ...]) -> list[Block]:
        """The ranked blocks of one range, computed once (callers must not change the list)."""
        key = (rng, ts)
        found = self._blocks.get(key)
        if found is None:
            if ts == DEFAULT_TRANSPORTS:  # ranked when the index was compiled
                raw = self.index.ranked_blocks(rng.value)
                found = [Block(low=a, high=b, range=rng, transports=ts, rank=r, of=len(raw)) for a, b, r in raw]
            else:
                found = blocks(self.index, rng, ts)
            self._blocks[key] = found
        return found

    def gaps(self, rng: PortRange | str | None = None, min_size: int = 1,
             transports: Sequence[Transport] = DEFAULT_TRANSPORTS) -> list[Block]:
        """Unassigned blocks of the System and User ranges (or one of them), largest first."""
        if min_size < 1:
            raise BadInput(f"--min {min_size} is too small: a block holds at least 1 port")
        ranges = ASSIGNABLE if rng is None else (PortRange(rng),)
        if PortRange.DYNAMIC in ranges:
            raise BadInput("the dynamic range has no gaps: it is never assigned; use system or user")
        ts = self._transports(transports)
        out: list[Block] = []
        for r in ranges:
            out.extend(b for b in self._ranked(r, ts) if b.size >= min_size)
        if len(ranges) > 1:
            out.sort(key=lambda b: (-b.size, b.low))
        return out

    def stats(self) -> Stats:
        """Assigned, reserved and unassigned counts per range and transport."""
        from portatlas.query.stats import stats

        return stats(self.index)

    # -- names --------------------------------------------------------------
    def service(self, name: str) -> ServiceInfo:
        """Every row registering a service name, any letter case; ``NotFound`` with suggestions."""
        found = _lookup.service_info(self.index, name)
        if found is None:
            from portatlas.query.grammar import shown
            from portatlas.query.search import suggest_names

            close = suggest_names(self.searcher(), name, registry_only=True)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise NotFound(f"no service named {shown(name)} in the registry{hint}", None if close else name)
        return found

    def has_name(self, name: str) -> bool:
        """Whether the registry has a service name, any letter case."""
        return bool(self.index.name_ids(name))

    def searcher(self) -> SearchIndex:
        """The search structures, built on first use."""
        if self._search is None:
            from portatlas.query.search import SearchIndex

            self._search = SearchIndex(self.index, self.knowledge.dataset())
        return self._search

    def search_answer(self, query: str, transport: Transport | str | None = None,
                      range: PortRange | str | None = None,  # noqa: A002 - the public keyword, as the CLI's --range
                      limit: int = 20) -> SearchAnswer:
        """Registry rows and common-use programs matching ``query``, ranked together (``SearchAnswer``);
        a port, range or list ('22/tcp', 'port 443', '8000-8100') answers with its ports."""
        from portatlas.answers.search import search_answer

        return search_answer(self, query, transport, range, limit)

    def search(self, query: str, transport: Transport | str | None = None,
               rng: PortRange | str | None = None, limit: int = 20) -> list[SearchHit]:
        """Registry rows whose name or description matches ``query``, best first, one per transport (the
        registry alone; ``search_answer`` also searches the common-use dataset and groups twins)."""
        if limit < 1:
            raise BadInput(f"--limit {limit} is too small: ask for at least 1 result")
        return self.searcher().search(
            query,
            Transport(transport) if transport else None,
            PortRange(rng) if rng else None,
            limit,
        )

    def records(self) -> Iterator[Record]:
        """Every row of the edition, in registry order."""
        return self.index.records()

    # -- the whole answer -----------------------------------------------------
    @property
    def knowledge(self) -> Knowledge:
        """What answers read beside the registry (common use, nmap, firewalld, history), loaded lazily."""
        if self._knowledge is None:
            from portatlas.answers.knowledge import Knowledge

            self._knowledge = Knowledge()
        return self._knowledge

    def answer(self, port: int | str, transport: Transport | str | None = None) -> PortAnswer:
        """Everything portatlas says of a port: registry, common use, verdicts, history, FAQ and sources."""
        from portatlas.answers.port import port_answer

        return port_answer(self, parse_port(port), self.knowledge, Transport(transport) if transport else None)

    def name(self, name: str) -> NameAnswer:
        """A service name's rows and the programs of that name with every port they use; ``NotFound``."""
        from portatlas.answers.name import name_answer

        return name_answer(self, name, self.knowledge)

    def ports(self, text: str, specs: Sequence[PortSpec] | None = None) -> PortsAnswer:
        """One line per port of a range or list ('22,80,8000-8100'), read with the one grammar."""
        from portatlas.answers.brief import ports_answer
        from portatlas.query.grammar import read

        if specs is None:
            specs = read(text, is_name=lambda _: False).specs
        return ports_answer(self, text, specs, self.knowledge)


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe(info: PortInfo) -> tuple[str, tuple[str, ...]]:
    """The headline for a port and one line per group of transports that answer alike."""
    groups: dict[tuple[State, tuple[str, ...]], list[str]] = {}
    for ts in info.transports:
        names = tuple(dict.fromkeys(r.name for r in ts.assignments if r.name))
        groups.setdefault((ts.state, names), []).append(ts.transport.value.upper())
    details = []
    for (state, names), upper in groups.items():
        on = _join(upper)
        if state is State.ASSIGNED:
            details.append(f"{on}: assigned to {', '.join(names)}")
        elif state is State.RESERVED:
            details.append(f"{on}: reserved")
        elif info.range is PortRange.DYNAMIC:
            details.append(f"{on}: dynamic/private, never assigned")
        else:
            details.append(f"{on}: unassigned")
    p = info.port
    if info.range is PortRange.DYNAMIC and info.state is State.UNASSIGNED:
        head = (f"Port {p} is in the Dynamic/Private range (49152-65535): "
                "IANA never assigns it; it is free for private and ephemeral use")
    elif len(groups) == 1:
        state, names = next(iter(groups))
        if state is State.ASSIGNED:
            head = f"Port {p} is assigned to {', '.join(names)} on every transport"
        else:
            head = f"Port {p} is {state.value}"
    elif info.state is State.ASSIGNED:
        assigned = [d for d in details if ": assigned to " in d]
        head = f"Port {p} is assigned: " + "; ".join(
            d.split(": assigned to ")[1] + " on " + d.split(":")[0] for d in assigned)
        others = [d for d in details if ": assigned to " not in d]
        if others:
            head += "; " + "; ".join(d.split(": ")[1] + " on " + d.split(":")[0] for d in others)
    else:
        head = f"Port {p} is " + "; ".join(d.split(": ")[1] + " on " + d.split(":")[0] for d in details)
    return head, tuple(details)


__all__ = ["TRANSPORTS", "Registry", "describe"]
