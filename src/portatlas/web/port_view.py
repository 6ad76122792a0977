"""The port page's content, computed from one ``PortReport``: rows, notes, advice text and FAQ.

Everything here is plain data; the template only lays it out (and escapes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portatlas.atlas import _join
from portatlas.model import PortRange, PortReport, Record, State, Transport
from portatlas.system.ephemeral import DEFAULTS as EPHEMERAL_DEFAULTS
from portatlas.web.settings import bad_ports

REGISTRY_TITLE = "IANA Service Name and Transport Protocol Port Number Registry"
REGISTRY_URL = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml"
RFC6335_URL = "https://www.rfc-editor.org/rfc/rfc6335"
FETCH_URL = "https://fetch.spec.whatwg.org/#port-blocking"

_BAD = bad_ports()
_OS_NAMES = {"linux": "Linux", "darwin": "macOS", "win32": "Windows", "freebsd": "FreeBSD"}


@dataclass
class Note:
    """A numbered source."""

    n: int
    text: str
    url: str | None = None


@dataclass
class Notes:
    """Sources, numbered in the order first cited."""

    items: list[Note] = field(default_factory=list)
    _by_key: dict[str, int] = field(default_factory=dict)

    def cite(self, key: str, text: str, url: str | None = None) -> int:
        """The note's number, adding it on first citation."""
        if key not in self._by_key:
            self._by_key[key] = len(self.items) + 1
            self.items.append(Note(len(self.items) + 1, text, url))
        return self._by_key[key]


@dataclass
class RowView:
    """Registry rows alike but for their transport, shown once."""

    record: Record
    transports: str
    refs: list[tuple[str, str | None, int]]  # label, url, note number


def group_rows(records: list[Record], notes: Notes) -> list[RowView]:
    """Rows grouped as the CLI groups them, each RFC cited as a numbered note."""
    groups: dict[tuple[object, ...], list[Record]] = {}
    for r in records:
        key = (r.name, r.number, r.description, tuple(p.id for p in r.people),
               tuple(x.label for x in r.xrefs), r.note, r.registered, r.updated, r.unauthorized, r.service_code)
        groups.setdefault(key, []).append(r)
    out = []
    for rows in groups.values():
        r = rows[0]
        ts = [x.transport.value.upper() if x.transport else "every transport" for x in rows]
        refs = []
        for x in r.xrefs:
            if x.type in ("person",) or not x.label:
                continue
            if x.type in ("rfc", "draft"):
                n = notes.cite(x.label.split(" section")[0], x.label.split(" section")[0], x.url)
            else:
                n = 0
            refs.append((x.label, x.url, n))
        out.append(RowView(record=r, transports=_join(list(dict.fromkeys(ts))), refs=refs))
    return out


def _names_on(rep: PortReport, t: Transport) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.name for r in rep.info.on(t).assignments if r.name))


def state_word(state: State, rng: PortRange) -> str:
    """'assigned', 'reserved', 'unassigned', or 'dynamic' for the never-assigned range."""
    if state is State.UNASSIGNED and rng is PortRange.DYNAMIC:
        return "dynamic"
    return state.value


def port_context(rep: PortReport) -> dict[str, Any]:
    """Everything the port template shows, computed from the report."""
    info = rep.info
    p = rep.port
    rng = info.range
    notes = Notes()
    n_reg = notes.cite("registry", f"{REGISTRY_TITLE}, edition {rep.edition}", REGISTRY_URL)
    n_6335 = notes.cite("RFC 6335", "RFC 6335: Internet Assigned Numbers Authority (IANA) Procedures for the "
                        "Management of the Service Name and Transport Protocol Port Number Registry", RFC6335_URL)

    per_transport = []
    for ts in info.transports:
        per_transport.append({
            "transport": ts.transport.value.upper(),
            "state": state_word(ts.state, rng),
            "names": _names_on(rep, ts.transport),
        })
    rows_all = {id(r): r for ts in info.transports for r in ts.records}
    assigned = group_rows([r for r in rows_all.values() if r.state is State.ASSIGNED], notes)
    other = group_rows([r for r in rows_all.values() if r.state is not State.ASSIGNED], notes)

    bad = p in _BAD
    n_fetch = notes.cite("fetch", "WHATWG Fetch Standard, port blocking (the ports browsers refuse)",
                         FETCH_URL) if bad else 0
    ephemeral = [(_OS_NAMES.get(os_, os_), lo, hi) for os_, (lo, hi) in EPHEMERAL_DEFAULTS.items()
                 if lo <= p <= hi]
    use = should_use(rep, bad, ephemeral)
    nb = rep.neighbourhood
    faq = build_faq(rep, bad, ephemeral, use)
    extras = dict(rep.extras)
    return {
        "rep": rep,
        "info": info,
        "range": rng,
        "ranges": list(PortRange),
        "state": state_word(info.state, rng),
        "per_transport": per_transport,
        "assigned_rows": assigned,
        "other_rows": other,
        "nb": nb,
        "strip": [strip_cell(n, rng) for n in nb.strip],
        "use": use,
        "bad": bad,
        "ephemeral": ephemeral,
        "faq": faq,
        "notes": notes.items,
        "n_reg": n_reg,
        "n_6335": n_6335,
        "n_fetch": n_fetch,
        "how_to_check": extras.get("how_to_check"),
        "advice": extras.get("advice"),
        "history": extras.get("history"),
        "history_view": history_view(extras.get("history")),
        "purposes": PURPOSES,
        # The page's meta and OpenGraph description (one key, so the answer model can supply a better one).
        "description": f"{rep.headline}. " + "; ".join(rep.details) + ".",
    }


PURPOSES = {"production": "A production service", "internal": "A documented internal tool",
            "testing": "Testing", "standard": "A protocol being standardized"}


def history_view(h: Any) -> dict[str, Any] | None:
    """A port's timeline as table rows, transports with the same event on one row; None if not a PortHistory."""
    if h is None:
        return None
    try:
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for th in h.transports:
            for e in th.events:
                names = tuple(dict.fromkeys(r.name or r.description for r in e.records))
                changes = tuple((c.field, c.old, c.new) for c in e.changes if c.field not in ("state", "name"))
                key = (e.first, e.before, e.kind, e.state, names, changes)
                row = rows.setdefault(key, {
                    "when": f"present since at least {e.first}" if e.before is None
                    else (f"{e.first}" if _adjacent(h, e.before, e.first) else f"between {e.before} and {e.first}"),
                    "first": e.first, "kind": e.kind, "state": str(e.state), "names": names,
                    "changes": changes, "transports": []})
                row["transports"].append(str(th.transport).upper())
        return {"first": h.first_edition, "last": h.last_edition, "editions": h.editions, "gaps": list(h.gaps),
                "rows": sorted(rows.values(), key=lambda r: r["first"])}
    except (AttributeError, TypeError):
        return None


def _adjacent(h: Any, before: str, first: str) -> bool:
    """Whether two editions are consecutive without a gap (then the change is dated by the later one)."""
    return not any(a == before and b == first for a, b in h.gaps)


def strip_cell(n: Any, rng: PortRange) -> dict[str, Any]:
    """One port of the neighbourhood strip: its number, overall state and names (TCP and UDP first)."""
    states = dict(n.states)
    names = [name for _, ns in n.names for name in ns]
    overall = State.UNASSIGNED
    for s in (State.ASSIGNED, State.RESERVED):
        if s in states.values():
            overall = s
            break
    return {"port": n.port, "state": state_word(overall, PortRange.of(n.port)),
            "names": list(dict.fromkeys(names)),
            "per": [(t.value.upper(), state_word(s, PortRange.of(n.port))) for t, s in n.states]}


def neighbour_summary(n: Any) -> str:
    """'308 novastorbakcup on TCP and UDP'."""
    by: dict[str, list[str]] = {}
    for (t, state), (_, names) in zip(n.states, n.names):
        if state is State.ASSIGNED:
            by.setdefault(", ".join(names), []).append(t.value.upper())
        elif state is State.RESERVED:
            by.setdefault("reserved", []).append(t.value.upper())
    return "; ".join(f"{label} on {_join(ts)}" for label, ts in by.items())


def should_use(rep: PortReport, bad: bool, ephemeral: list[tuple[str, int, int]]) -> list[str]:
    """What the range and the state say about using the port (the full verdict is the advice work's)."""
    info = rep.info
    p = rep.port
    out: list[str] = []
    if info.range is PortRange.DYNAMIC:
        out.append(f"Port {p} is Dynamic/Private: IANA never assigns it, so no registered service will ever "
                   "claim it. It suits private services and tests.")
    elif info.state is State.ASSIGNED:
        names = ", ".join(info.names)
        out.append(f"Port {p} is registered to {names}. Use it for that service; software for {names} may "
                   "connect to it, and firewalls and scanners will assume it is that service.")
    elif info.state is State.RESERVED:
        out.append(f"Port {p} is reserved: IANA holds it back and does not assign it. Do not build on it.")
    elif info.range is PortRange.SYSTEM:
        out.append(f"Port {p} is an unassigned System port: kept for protocols that go through IETF Review "
                   "or IESG Approval. Not for production software; acceptable for a documented internal tool "
                   "on a closed network; exactly what a protocol being standardized should ask IANA for.")
    else:
        out.append(f"Port {p} is an unassigned User port: free today, but IANA may assign it through "
                   "Expert Review at any time. For software others will run, register a service name.")
    if info.range is PortRange.SYSTEM:
        out.append("On Linux and other Unix systems, binding a System port (below 1024) needs root "
                   "or a capability such as CAP_NET_BIND_SERVICE.")
    if ephemeral:
        systems = _join([f"{os_} ({lo}-{hi})" for os_, lo, hi in ephemeral])
        out.append(f"It lies inside the default ephemeral range of {systems}: the kernel may hand it to an "
                   "outgoing connection, so a server binding it there can fail at random.")
    if bad:
        out.append(f"Browsers refuse to fetch port {p} (the Fetch standard's bad-port list): do not serve "
                   "HTTP on it.")
    return out


def build_faq(rep: PortReport, bad: bool, ephemeral: list[tuple[str, int, int]],
              use: list[str]) -> list[tuple[str, str]]:
    """Questions people ask about a port, answered from the data."""
    info = rep.info
    p = rep.port
    rng = info.range
    lo, hi = rng.bounds
    faq: list[tuple[str, str]] = []

    if info.state is State.ASSIGNED:
        what = "; ".join(f"{r.name} ({r.description})" if r.description else str(r.name)
                         for r in _unique_by_name(info.assignments))
        faq.append((f"What is port {p} used for?", f"IANA has assigned it to {what}."))
    elif rng is PortRange.DYNAMIC:
        faq.append((f"What is port {p} used for?",
                    "Nothing official: it is in the Dynamic/Private range (49152-65535), which IANA never "
                    "assigns. Operating systems pick client (ephemeral) ports from this range, and anyone "
                    "may run a private service here."))
    else:
        faq.append((f"What is port {p} used for?",
                    f"Officially, nothing: the registry lists it as {info.state.value} on every transport. "
                    "Software may still use it without an assignment."))

    faq.append((f"Is port {p} TCP or UDP?", "; ".join(rep.details) + "."))
    if p == 0:
        faq.append(("Can a server listen on port 0?",
                    "No: binding port 0 asks the operating system for any free ephemeral port, so port 0 "
                    "itself never carries a service."))

    if info.state is State.ASSIGNED:
        dates = sorted(r.registered for r in info.assignments if r.registered)
        updated = sorted(r.updated for r in info.assignments if r.updated)
        if dates:
            ans = f"The earliest registration date in the registry is {dates[0]}"
            ans += f"; last updated {updated[-1]}." if updated else "."
        else:
            ans = ("The registry gives no registration date: the assignment predates the dates IANA "
                   "started recording (most such rows are from before 2000).")
        faq.append((f"When was port {p} assigned?", ans))

    if rng is PortRange.DYNAMIC:
        faq.append((f"Can port {p} be registered?",
                    "No: RFC 6335 section 6 keeps 49152-65535 for dynamic and private use; IANA assigns "
                    "no service there."))
    elif info.state is State.UNASSIGNED:
        faq.append((f"How would port {p} get assigned?",
                    f"Through IANA's procedure for the {rng.title} ({lo}-{hi}): {rng.procedure}."))
    elif info.state is State.ASSIGNED:
        faq.append((f"Can I register port {p} for my own service?",
                    f"No, it is taken. Ask IANA for an unassigned port instead; in the {rng.title} ports are "
                    f"{rng.procedure}."))

    nb = rep.neighbourhood
    if nb.below or nb.above:
        parts = []
        if nb.below:
            parts.append(f"below: {nb.below.port} ({neighbour_summary(nb.below)})")
        if nb.above:
            parts.append(f"above: {nb.above.port} ({neighbour_summary(nb.above)})")
        faq.append((f"Which assigned ports are nearest to {p}?", "; ".join(parts) + "."))
    if nb.block:
        b = nb.block
        span = f"{b.low}-{b.high}" if b.size > 1 else str(b.low)
        faq.append((f"Is port {p} part of a larger free block?",
                    f"Yes: {span}, {b.size} port{'s' if b.size != 1 else ''} unassigned on "
                    f"{_join([t.value.upper() for t in b.transports])}, the "
                    f"{_ordinal(b.rank)} largest of the {b.of} such blocks in the {b.range.title}."))
    faq.append((f"Will a browser open a web page on port {p}?",
                "No: it is on the Fetch standard's bad-port list, so browsers refuse http and https on it."
                if bad else "Yes: it is not on the browsers' bad-port list."))
    if ephemeral:
        faq.append((f"Could my operating system already be using port {p}?",
                    "Possibly for an outgoing connection: it is inside the default ephemeral range of "
                    + _join([f"{os_} ({a}-{b})" for os_, a, b in ephemeral]) + "."))
    return faq


def _unique_by_name(records: tuple[Record, ...]) -> list[Record]:
    seen: dict[str | None, Record] = {}
    for r in records:
        seen.setdefault(r.name, r)
    return list(seen.values())


def _ordinal(n: int) -> str:
    if n == 1:
        return "1st"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
