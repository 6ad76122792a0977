"""What an answer says of a port in sentences: its kind, headline, lead and explaining sections.

Every sentence is built from the data (the registry's rows and counts, its
history, the common-use dataset) and cites its sources, so the same words
serve the command line, the JSON, the page and the MCP face.
"""

from __future__ import annotations

from portatlas.answers.sources import SourceKind, Sources, Statement
from portatlas.model import PortInfo, PortRange, State, Transport
from portatlas.value import Choice, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar

    from portatlas.answers.history import HistorySummary
    from portatlas.answers.rows import RegistryRow
    from portatlas.model import Block, Stats
    from portatlas.world.commonuse import CommonUse


class PortKind(Choice, values=("zero", "assigned", "reserved", "unassigned", "deassigned", "dynamic")):
    """What kind of port the answer is about: port 0, assigned (on any transport), reserved, unassigned,
    unassigned after an assignment was taken back, or in the never-assigned Dynamic range."""

    ZERO: ClassVar[PortKind]
    ASSIGNED: ClassVar[PortKind]
    RESERVED: ClassVar[PortKind]
    UNASSIGNED: ClassVar[PortKind]
    DEASSIGNED: ClassVar[PortKind]
    DYNAMIC: ClassVar[PortKind]


@value
class Section:
    """A titled part of the explanation (``id`` is stable: meaning, history-of-gaps, running, ...)."""

    id: str
    title: str
    paragraphs: tuple[Statement, ...]


def join(items: Sequence[str], word: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _upper(ts: Sequence[Transport]) -> str:
    return join([t.value.upper() for t in ts])


def kind_of(info: PortInfo, rows: Sequence[RegistryRow], history: HistorySummary | None) -> PortKind:
    """The port's kind, from its states, its rows' notes and its history."""
    if info.port == 0:
        return PortKind.ZERO
    if info.state is State.ASSIGNED:
        return PortKind.ASSIGNED
    if info.state is State.RESERVED:
        return PortKind.RESERVED
    if info.range is PortRange.DYNAMIC:
        return PortKind.DYNAMIC
    given_back = any(r.description.lower().startswith(("de-registered", "de-assigned", "revoked"))
                     or (r.note or "").lower().startswith(("de-assigned", "de-registered", "revoked")) for r in rows)
    if given_back or (history is not None and any(e.kind == "de-assigned" for e in history.entries)):
        return PortKind.DEASSIGNED
    return PortKind.UNASSIGNED


def users(common: Sequence[CommonUse], limit: int = 2) -> list[str]:
    """The software a headline names: operating systems' claims and defaults of single ports, each once
    (``common`` comes ordered as ``prominent`` orders it)."""
    names = list(dict.fromkeys(u.software for u in common if u.use.value in ("os", "default") and u.low == u.high))
    if len(names) > limit:
        return [*names[:limit], "others"]
    return names


# The order a headline and a lead name software in: what most readers of a port meet first.
FIELDS = ("os-macos", "os-windows", "os-linux", "network", "dev", "databases", "containers", "caches-queues",
          "observability", "ai-ml", "remote-access", "media-home", "games", "printers-iot", "enterprise", "blockchain",
          "malware")
_USE_ORDER = {"os": 0, "default": 1, "malware": 2, "configured": 3}


def prominent(common: Sequence[CommonUse]) -> tuple[CommonUse, ...]:
    """Entries in the order answers name them: single ports before ranges, OS claims and defaults first,
    then by field (operating systems, development, databases, ... blockchain)."""
    rank = {f: i for i, f in enumerate(FIELDS)}
    return tuple(sorted(common, key=lambda u: (u.low != u.high, _USE_ORDER.get(u.use.value, 9),
                                               rank.get(u.field, len(FIELDS)))))


def headline(info: PortInfo, kind: PortKind, common: Sequence[CommonUse]) -> str:
    """The answer's first line: short, the registry's word first, then who commonly uses the port
    (a program named as the registry names the service, such as PostgreSQL on postgresql's port, adds nothing)."""
    from portatlas.world.commonuse import normalise

    p = info.port
    registered = {normalise(n) for n in info.names} | {normalise(r.description) for r in info.assignments}
    who = users([u for u in common if normalise(u.software) not in registered])
    by = f", commonly used by {join(who)}" if who else ""
    if kind is PortKind.ZERO:
        return "Port 0 is reserved: binding it means any free port"
    if kind is PortKind.ASSIGNED:
        names = list(info.names)
        also = f" (also {join(names[1:3])}{' and more' if len(names) > 3 else ''})" if len(names) > 1 else ""
        return f"Port {p} is assigned to {names[0]}{also}{by}"
    if kind is PortKind.RESERVED:
        return f"Port {p} is reserved{by}"
    if kind is PortKind.DYNAMIC:
        return f"Port {p} is a dynamic port, never assigned{by}"
    if kind is PortKind.DEASSIGNED:
        return f"Port {p} is unassigned: its assignment was taken back{by}"
    return f"Port {p} is unassigned in the registry{by}" if who else f"Port {p} is unassigned"


def _states_by_transport(info: PortInfo) -> dict[tuple[State, tuple[str, ...]], list[Transport]]:
    groups: dict[tuple[State, tuple[str, ...]], list[Transport]] = {}
    for ts in info.transports:
        names = tuple(dict.fromkeys(r.name for r in ts.assignments if r.name))
        groups.setdefault((ts.state, names), []).append(ts.transport)
    return groups


def _elsewhere(info: PortInfo, skip: State) -> str:
    """'; unassigned on DCCP' for the transports not in the main state."""
    parts = []
    for (state, names), ts in _states_by_transport(info).items():
        if state is skip:
            continue
        word = "dynamic" if info.range is PortRange.DYNAMIC and state is State.UNASSIGNED else state.value
        parts.append(f"{word} on {_upper(ts)}" + (f" ({', '.join(names)})" if names else ""))
    return f"; it is {join(parts)}" if parts else ""


def _range_sentence(info: PortInfo) -> str:
    if info.range is PortRange.SYSTEM:
        return ("It is a System port (0-1023): IANA assigns these only to protocols that pass IETF Review or "
                "IESG Approval.")
    if info.range is PortRange.USER:
        return "It is a User port (1024-49151): IANA assigns these through Expert Review or IETF Review."
    return "It is a Dynamic/Private port (49152-65535): IANA never assigns these."


def _common_sentence(p: int, common: Sequence[CommonUse]) -> str:
    if not common:
        return ""
    first = common[0]
    more = len({u.software for u in common} - {first.software})
    tail = f" ({more} more program{'s' if more != 1 else ''} below)" if more else ""
    return f" {first.summary[:-1]}{tail}."


def _first_note(rows: Sequence[RegistryRow]) -> str:
    note = next((r.note for r in rows if r.note), None)
    return f" The registry notes: {note.rstrip('.')}." if note else ""


def lead(info: PortInfo, kind: PortKind, rows: Sequence[RegistryRow], common: Sequence[CommonUse],
         block: Block | None, sources: Sources) -> Statement:
    """The sentence after the headline: what the registry says on each transport, the range, the block."""
    p = info.port
    reg = sources.registry(info.edition, p)
    rfc = sources.rfc6335()
    cites = [reg, rfc, *(sources.cite(SourceKind.SOFTWARE, u.source_title, u.source, u.checked) for u in common[:1])]
    if kind is PortKind.ZERO:
        text = (f"The registry reserves port 0{_transports_of(info, State.RESERVED)}"
                f"{_elsewhere(info, State.RESERVED)}. "
                "A program that binds port 0 asks the operating system for any free port, so no service is ever "
                "reached on port 0 itself.")
        return sources.say(text, reg)
    if kind is PortKind.ASSIGNED:
        a = next(r for r in rows if r.state is State.ASSIGNED)
        desc = f" ({a.description})" if a.description and a.description.lower() != (a.name or "").lower() else ""
        text = (f"IANA assigns it to {a.name}{desc}{_transports_of(info, State.ASSIGNED)}"
                f"{_elsewhere(info, State.ASSIGNED)}.")
        if a.is_range:
            text += f" The assignment is one row for the range {a.number}."
        return sources.say(text + _common_sentence(p, common), *cites)
    if kind is PortKind.RESERVED:
        text = (f"IANA holds it back{_transports_of(info, State.RESERVED)}{_elsewhere(info, State.RESERVED)}: a "
                f"reserved port is not available for assignment.{_first_note(rows)} {_range_sentence(info)}")
        return sources.say(text + _common_sentence(p, common), *cites)
    if kind is PortKind.DYNAMIC:
        text = ("Ports 49152-65535 are Dynamic/Private: IANA never assigns them. Operating systems hand them out "
                "to outgoing connections, and anyone may run a private service on one.")
        return sources.say(text + _common_sentence(p, common), *cites)
    row = next((r for r in rows if r.low is not None), None)
    listed = (f"the registry lists {row.number} as one {row.description.lower()} row" if row and row.is_range
              else f"the registry lists it as {row.description.lower()}" if row else "the registry lists no row for it")
    free = ""
    if block is not None and block.size > 1:
        free = f"; with its neighbours it forms a free block of {block.size} ports ({block.low}-{block.high})"
    text = f"No service holds port {p} on any transport: {listed}{free}.{_first_note(rows)} {_range_sentence(info)}"
    if kind is PortKind.DEASSIGNED:
        text += " It was assigned once; its history below says when that ended."
    return sources.say(text + _common_sentence(p, common), *cites)


def _transports_of(info: PortInfo, state: State) -> str:
    ts = [t.transport for t in info.transports if t.state is state]
    return f" on {_upper(ts)}" if ts else ""


def meaning(info: PortInfo, kind: PortKind, rows: Sequence[RegistryRow], sources: Sources) -> Section:
    """What the state and the range mean for this port."""
    reg, rfc = sources.registry(info.edition, info.port), sources.rfc6335()
    ranges = sources.say(
        "RFC 6335 divides the 65,536 port numbers of each transport into three ranges: System Ports (0-1023), "
        "assigned only through IETF Review or IESG Approval; User Ports (1024-49151), assigned through Expert "
        "Review as well; and Dynamic/Private Ports (49152-65535), which IANA never assigns.", rfc)
    states = {
        PortKind.ZERO: ("Port 0 is special everywhere: in the sockets interface it is the wildcard meaning "
                        "'pick a port for me', so servers never listen on it and a packet addressed to it is "
                        "either a mistake or a scan."),
        PortKind.ASSIGNED: ("Assigned means IANA has registered a service for this port: software speaking that "
                            "protocol expects to find it here, and firewalls, scanners and /etc/services name it "
                            "so. A port may carry several names, and a name may hold some transports only."),
        PortKind.RESERVED: ("Reserved is the registry's third state beside Assigned and Unassigned: IANA holds "
                            "the number back, usually after an assignment ended or to keep a range's edge, and "
                            "does not hand it out."),
        PortKind.UNASSIGNED: ("Unassigned means no service holds the number: it is in the pool IANA assigns "
                              "from, through the procedure of its range. Nothing technical stops software using "
                              "it unregistered, so something may still answer here."),
        PortKind.DEASSIGNED: ("Unassigned again: the number was given back to the pool when its assignment ended "
                              "(RFC 6335 lets IANA de-assign a port its owner no longer needs, or revoke one), "
                              "and may be assigned anew."),
        PortKind.DYNAMIC: ("The Dynamic range is never assigned, so 'unassigned' here does not mean available "
                           "for assignment: it means free for private services and for the short-lived client "
                           "ports an operating system picks."),
    }
    # An assigned port's reader came for its service: the three ranges are for the ports without one.
    meaning = sources.say(states[kind], reg, rfc)
    paras = [meaning] if kind is PortKind.ASSIGNED else [ranges, meaning]
    return Section("meaning", "What this means", tuple(paras))


def why_unassigned(info: PortInfo, stats: Stats, first: tuple[str, int] | None,
                   examples: Sequence[tuple[int, str, str, str]], history_n: int, sources: Sources) -> Section:
    """For a System port without an assignment: why such gaps exist, from the registry's own figures.

    ``first`` is (edition, assigned System TCP ports) of the oldest edition in the history;
    ``examples`` (port, name, last edition with it, first without) are System ports that lost an
    assignment across the editions.
    """
    rfc = sources.rfc6335()
    reg = sources.registry(info.edition, info.port)
    tcp = next(c for c in stats.counts if c.range is PortRange.SYSTEM and c.transport is Transport.TCP)
    paras = [
        sources.say(
            "Gaps in the System range are deliberate. IANA keeps unassigned numbers as the pool future "
            "protocols are given, and RFC 6335 section 8 lets it take numbers back: an assignment can be "
            "de-assigned when its owner no longer needs it, or revoked when it is unused or misused, and the "
            "number returns to the pool.", rfc),
        sources.say(
            f"Today {tcp.assigned} of the 1,024 System ports ({tcp.percent('assigned'):.1f}%) are assigned on "
            f"TCP, {tcp.reserved} are reserved and {tcp.unassigned} ({tcp.percent('unassigned'):.1f}%) are "
            f"unassigned, in edition {stats.edition} of the registry.", reg),
    ]
    if first is not None:
        edition, assigned = first
        hist = sources.cite(SourceKind.HISTORY, f"portatlas's history of the registry: {history_n} editions "
                            f"from {edition} to {stats.edition}", None, key="history")
        change = tcp.assigned - assigned
        trend = (f"{abs(change)} more than" if change > 0 else f"{abs(change)} fewer than" if change < 0
                 else "the same as")
        paras.append(sources.say(f"That is {trend} in the edition of {edition}, the oldest of the {history_n} "
                                 f"editions portatlas keeps, which assigned {assigned} System ports on TCP.", hist))
    if examples:
        hist = sources.cite(SourceKind.HISTORY, f"portatlas's history of the registry ({history_n} editions)",
                            None, key="history")
        shown = [f"{p} ({name}, between {last} and {gone})" for p, name, last, gone in examples[:4]]
        paras.append(sources.say(f"The registry's own history shows it happening: {join(shown)} lost their "
                                 "assignments within the editions portatlas keeps.", hist))
    return Section("why-unassigned", "Why unassigned ports exist", tuple(paras))


def running(info: PortInfo, bad: bool, sources: Sources) -> Section:
    """For an assigned port: what matters when running its service."""
    paras = []
    if info.range is PortRange.SYSTEM:
        paras.append(sources.say(
            "On Unix systems only root, a process with CAP_NET_BIND_SERVICE, or one handed the socket by systemd "
            "binds a System port (Linux's limit: net.ipv4.ip_unprivileged_port_start, 1024 by default).",
            sources.rfc6335()))
    if bad:
        fetch = sources.cite(SourceKind.STANDARD, "WHATWG Fetch Standard: port blocking (bad ports)",
                             "https://fetch.spec.whatwg.org/#port-blocking")
        paras.append(sources.say(f"Browsers refuse to fetch port {info.port} over HTTP or HTTPS: it is on the "
                                 "Fetch standard's list of bad ports, so no web page or API can be served here.",
                                 fetch))
    lo, hi = 32768, 60999
    if lo <= info.port <= hi:
        paras.append(sources.say(
            f"It lies inside Linux's default ephemeral range ({lo}-{hi}): the kernel may hand it to an outgoing "
            "connection, so reserve it (net.ipv4.ip_local_reserved_ports) on servers that must listen here."))
    if not paras:
        paras.append(sources.say(f"Any user may bind port {info.port}, and browsers may fetch it."))
    return Section("running", "Running its service", tuple(paras))


def dynamic(info: PortInfo, sources: Sources) -> Section:
    """For a Dynamic port: who hands these ports out, and what a private service should know."""
    rfc = sources.rfc6335()
    linux = sources.cite(SourceKind.OS, "Linux kernel documentation: ip-sysctl, ip_local_port_range",
                         "https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html")
    return Section("dynamic", "Private and ephemeral use", (
        sources.say("Windows and macOS take their ephemeral (client) ports from 49152-65535, as RFC 6335 "
                    "recommends, and Linux from 32768-60999 by default, so a private service here can find its "
                    "port held by an outgoing connection; pick one outside the range of the machines it runs on, "
                    "or reserve it.", rfc, linux),
        sources.say("No registration can protect a Dynamic port: a service that others will run should ask IANA "
                    "for a User port instead.", rfc),
    ))


def zero(sources: Sources) -> Section:
    """For port 0: what binding and connecting to it do."""
    chromium = sources.cite(SourceKind.SOFTWARE, "Chromium source: net/base/port_util.cc (restricted ports)",
                            "https://source.chromium.org/chromium/chromium/src/+/main:net/base/port_util.cc")
    return Section("zero", "What port 0 means", (
        sources.say("bind() with port 0 makes the kernel choose a free ephemeral port; getsockname() then tells "
                    "the program which one. Tests and clients use this every day."),
        sources.say("Connecting to port 0 fails, and browsers refuse URLs with port 0 (Chromium answers "
                    "ERR_UNSAFE_PORT), so traffic to port 0 seen on a network is a fault or a scan.", chromium),
    ))
