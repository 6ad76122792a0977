"""The questions people ask about a port, each answered in full sentences from the data, with sources."""

from __future__ import annotations

from portatlas.answers.sources import SourceKind, Sources, Statement
from portatlas.answers.words import PortKind, join
from portatlas.model import PortInfo, PortRange, State
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.answers.history import HistorySummary
    from portatlas.answers.rows import RegistryRow
    from portatlas.model import Neighbour, Neighbourhood
    from portatlas.query.fit import Verdict
    from portatlas.world.commonuse import CommonUse


_PLATFORMS = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


@value
class Question:
    """One question and its answer (a statement citing its sources)."""

    question: str
    answer: Statement


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _neighbour(n: Neighbour) -> str:
    by: dict[str, list[str]] = {}
    for (t, state), (_, names) in zip(n.states, n.names):
        if state is State.ASSIGNED:
            by.setdefault(", ".join(dict.fromkeys(names)), []).append(t.value.upper())
    return "; ".join(f"{label} on {join(ts)}" for label, ts in by.items())


def _per_transport(info: PortInfo) -> str:
    parts = []
    groups: dict[tuple[State, tuple[str, ...]], list[str]] = {}
    for ts in info.transports:
        names = tuple(dict.fromkeys(r.name for r in ts.assignments if r.name))
        groups.setdefault((ts.state, names), []).append(ts.transport.value.upper())
    for (state, names), on in groups.items():
        if state is State.ASSIGNED:
            parts.append(f"on {join(on)} it is assigned to {', '.join(names)}")
        elif info.range is PortRange.DYNAMIC:
            parts.append(f"on {join(on)} it is a dynamic port")
        else:
            parts.append(f"on {join(on)} it is {state.value}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def questions(info: PortInfo, kind: PortKind, rows: Sequence[RegistryRow], common: Sequence[CommonUse],
              nb: Neighbourhood, verdicts: Sequence[Verdict], history: HistorySummary | None, bad: bool,
              ephemeral: Sequence[tuple[str, int, int]], sources: Sources) -> tuple[Question, ...]:
    """The port's FAQ: what it is for, which transports, when assigned, whether to use it, and more."""
    p = info.port
    reg = sources.registry(info.edition, p)
    rfc = sources.rfc6335()
    out: list[Question] = []
    soft = [sources.cite(SourceKind.SOFTWARE, u.source_title, u.source, u.checked) for u in common]

    users = list(dict.fromkeys(u.software for u in common))
    also = f" Beyond the registry, {join(users[:5])}{' and others' if len(users) > 5 else ''} use it." if users else ""
    if kind is PortKind.ASSIGNED:
        named = list(dict.fromkeys(f"{r.name} ({r.description})" if r.description and r.description != r.name
                                   else str(r.name) for r in rows if r.state is State.ASSIGNED))
        out.append(Question(f"What is port {p} used for?",
                            sources.say(f"IANA has assigned it to {join(named)}.{also}", reg, *soft)))
    elif kind is PortKind.ZERO:
        out.append(Question("What is port 0 used for?", sources.say(
            "For nothing on the wire: port 0 is reserved, and binding it asks the operating system for any free "
            "port.", reg)))
    elif kind is PortKind.DYNAMIC:
        out.append(Question(f"What is port {p} used for?", sources.say(
            "Officially for nothing: it is in the Dynamic/Private range (49152-65535), which IANA never assigns. "
            f"Operating systems pick client ports from it, and anyone may run a private service there.{also}",
            rfc, *soft)))
    else:
        word = "reserved" if kind is PortKind.RESERVED else "unassigned"
        out.append(Question(f"What is port {p} used for?", sources.say(
            f"Officially for nothing: the registry lists it as {word} on every transport that has a row for it."
            + (also or " No widely used software is known to use it either."), reg, *soft)))

    out.append(Question(f"Is port {p} TCP or UDP?", sources.say(_per_transport(info), reg)))

    if kind is PortKind.ASSIGNED:
        dates = sorted(r.registered for r in rows if r.registered)
        updated = sorted(r.updated for r in rows if r.updated)
        if dates:
            text = f"The registry dates its oldest assignment here {dates[0]}"
            text += f", and its latest update {updated[-1]}." if updated else "."
        else:
            text = ("The registry gives no registration date: the assignment predates the dates IANA began "
                    "recording, as for most assignments made before 2000.")
        if history is not None and history.entries:
            text += f" It is present in every edition portatlas keeps since {history.first_edition}." \
                if not history.changed else " Its changes since then are listed in its history."
        out.append(Question(f"When was port {p} assigned?", sources.say(text, reg)))

    new = next((v for v in verdicts if v.case == "new:production"), None)
    own = [v for v in verdicts if not v.case.startswith("new:")]
    if p != 0 and (new is not None or own):
        parts = []
        if own:
            parts.append(f"To run {join([v.case.split(':', 1)[1] for v in own[:3]])}, yes: this is its port.")
        if new is not None:
            parts.append(f"For a new production service: {new.answer[0].lower()}{new.answer[1:]}")
        out.append(Question(f"Should I use port {p}?", sources.say(" ".join(parts), reg)))

    out.append(Question(f"How do I see what is using port {p}?", sources.say(
        f"On Linux, `ss -ltnup 'sport = :{p}'` lists the listeners with their processes (run it with sudo to see "
        f"other users'); on macOS, `sudo lsof -nP -i :{p}`; on Windows, `netstat -ano | findstr :{p}` gives the "
        f"PID. `portatlas who {p}` does the same on any of them.")))

    if kind is PortKind.DYNAMIC:
        out.append(Question(f"Can port {p} be registered?", sources.say(
            "No: RFC 6335 keeps 49152-65535 for dynamic and private use, and IANA assigns nothing there.", rfc)))
    elif kind in (PortKind.UNASSIGNED, PortKind.DEASSIGNED):
        how = ("through IETF Review or IESG Approval, for a protocol documented in an RFC"
               if info.range is PortRange.SYSTEM else "through Expert Review, by sending IANA the application form")
        out.append(Question(f"How would port {p} get assigned?", sources.say(
            f"By asking IANA, {how}; `portatlas request --port {p}` drafts the application.", rfc)))
    elif kind is PortKind.ASSIGNED:
        out.append(Question(f"Can I register port {p} for my own service?", sources.say(
            "No: it is taken, and IANA does not assign a port twice. Ask for an unassigned one; `portatlas "
            "suggest` lists candidates.", rfc)))

    if nb.below or nb.above:
        parts = []
        if nb.below:
            parts.append(f"below it, port {nb.below.port} ({_neighbour(nb.below)})")
        if nb.above:
            parts.append(f"above it, port {nb.above.port} ({_neighbour(nb.above)})")
        out.append(Question(f"Which assigned ports are nearest to {p}?",
                            sources.say(f"The nearest assigned ports are {' and '.join(parts)}.", reg)))
    if nb.block:
        b = nb.block
        span = f"{b.low}-{b.high}" if b.size > 1 else str(b.low)
        out.append(Question(f"Is port {p} part of a larger free block?", sources.say(
            f"Yes: {span}, {b.size} port{'s' if b.size != 1 else ''} unassigned on "
            f"{join([t.value.upper() for t in b.transports])}, is the {_ordinal(b.rank)} largest of the {b.of} "
            f"such blocks in the {b.range.title}.", reg)))

    fetch = sources.cite(SourceKind.STANDARD, "WHATWG Fetch Standard: port blocking (bad ports)",
                         "https://fetch.spec.whatwg.org/#port-blocking") if bad else 0
    if p == 0:
        answer = sources.say("No: browsers refuse port 0 outright (Chromium answers ERR_UNSAFE_PORT).")
    elif bad:
        answer = sources.say("No: it is on the Fetch standard's list of bad ports, so browsers refuse http and "
                             "https on it.", fetch)
    else:
        answer = sources.say("Yes: it is not on the browsers' list of bad ports.")
    out.append(Question(f"Will a browser open a web page on port {p}?", answer))

    claims = [u for u in common if u.use.value == "os"]
    if p != 0 and (ephemeral or claims):
        parts = []
        if ephemeral:
            parts.append("possibly for an outgoing connection: it is inside the default ephemeral range of "
                         + join([f"{os_} ({a}-{b})" for os_, a, b in ephemeral]))
        for u in claims:
            parts.append(f"on {join([_PLATFORMS.get(x, x) for x in u.platforms])}, {u.software} uses it")
        text = "; ".join(parts) + "."
        out.append(Question(f"Could my operating system already be using port {p}?",
                            sources.say(text[0].upper() + text[1:], *soft)))
    return tuple(out)
