"""Advice that fits what the reader is doing: running the port's own service, or putting something new there.

A reader who runs HTTPS should hear "443 is its port: use it", not "avoid";
one choosing a port for something new should hear who already uses it. A
``Verdict`` answers one such case; ``verdicts`` gives every case for a port,
the ones for the port's own services first (pure: the advice for new
services and the common-use entries come in).
"""

from __future__ import annotations

from portatlas.model import PortInfo, PortRange, State, Transport
from portatlas.query.reasons import Level, Purpose, Reason, registry_source, transports_text
from portatlas.query.use import DATASET_SOURCE
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from portatlas.query.advice import Advice
    from portatlas.world.commonuse import CommonUse

_NEW_QUESTIONS = {
    "production": "A new production service?",
    "internal": "A documented internal tool?",
    "testing": "Testing, or a service on your own machine?",
    "standard": "A protocol being standardized?",
}


@value
class Verdict:
    """One case of "should I use this port?": who asks, the verdict, one sentence, and every reason.

    ``case`` is ``registered:NAME`` (running the service the registry assigns
    here), ``software:NAME`` (running software that uses the port by
    default), or ``new:PURPOSE`` (something new, for production, internal,
    testing or standard).
    """

    case: str
    question: str
    verdict: Level
    answer: str
    reasons: tuple[Reason, ...] = ()


def _registered(info: PortInfo, edition: str, bad_ports: Mapping[int, str | None]) -> list[Verdict]:
    """One case per registered service of the port (names sharing a description are one service):
    this is its port."""
    src, url = registry_source(edition, info.port)
    first_desc: dict[str, str] = {}
    on: dict[str, list[Transport]] = {}
    for ts in info.transports:
        for r in ts.assignments:
            if r.name:
                first_desc.setdefault(r.name, " ".join(r.description.split()))
                on.setdefault(r.name, []).append(ts.transport)
    by_desc: dict[str, list[str]] = {}
    for name, desc in first_desc.items():
        by_desc.setdefault(desc.lower() or name, []).append(name)
    out = []
    p = info.port
    for _desc_key, names in by_desc.items():
        first = names[0]
        transports = list(dict.fromkeys(t for n in names for t in on[n]))
        desc = next((" ".join(r.description.split()) for r in info.assignments if r.name == first), "")
        label = first + (f" ({', '.join(names[1:])})" if len(names) > 1 else "")
        what = f"{label}, {desc}" if desc and desc.lower() not in (first.lower(), "") else label
        reasons = [Reason(Level.GOOD, "fit.registered", f"assigned to {label}",
                          f"IANA assigns port {p} to {what} on {transports_text(transports)}: clients, firewalls "
                          "and scanners expect it here, so run it on this port.", src, url)]
        if info.range is PortRange.SYSTEM:
            reasons.append(Reason(Level.INFO, "range.system", "binding it needs privileges",
                                  "It is a System port: on Linux and other Unix systems the server needs root or "
                                  "CAP_NET_BIND_SERVICE (or a socket handed over by systemd) to listen on it.",
                                  "RFC 6335 section 6 (port number ranges)",
                                  "https://www.rfc-editor.org/rfc/rfc6335#section-6"))
        if p in bad_ports:
            reasons.append(Reason(Level.INFO, "browser.bad-port", "browsers refuse it",
                                  "Browsers refuse to fetch this port over HTTP or HTTPS (the Fetch standard's "
                                  "bad ports): fine for its own protocol, never for a web page.",
                                  "WHATWG Fetch Standard, 'port blocking' (bad ports)",
                                  "https://fetch.spec.whatwg.org/#port-blocking"))
        out.append(Verdict(case="registered:" + ",".join(names), question=f"Running {label}?",
                           verdict=Level.GOOD, answer=f"Use it: port {p} is {first}'s registered port.",
                           reasons=tuple(reasons)))
    return out


def _software(info: PortInfo, common: Sequence[CommonUse]) -> list[Verdict]:
    """One case for the programs that take the port by default (not those the registry already names)."""
    from portatlas.world.commonuse import normalise

    registered = {normalise(n) for n in info.names} | {normalise(r.description) for r in info.assignments}
    here = {x.transport for x in info.transports}
    chosen: dict[str, CommonUse] = {}
    for e in common:
        if (e.use.value == "default" and e.covers(info.port) and e.high - e.low < 256
                and normalise(e.software) not in registered and any(t in here for t in e.transports)):
            chosen.setdefault(e.software, e)
    if not chosen:
        return []
    names = list(chosen)
    reasons = [Reason(Level.GOOD, "fit.software", f"{e.software}'s default port", e.summary, e.source_title,
                      e.source) for e in chosen.values()]
    assigned = [n for n in info.names]
    if assigned:
        reasons.append(Reason(Level.INFO, "registry.assigned", f"registered to {', '.join(assigned)}",
                              f"The registry assigns it to {', '.join(assigned)}: clients of that service may "
                              "knock, and scanners will name it so.", *registry_source("", info.port)))
    elif info.range is not PortRange.DYNAMIC:
        reasons.append(Reason(Level.INFO, "registry.unassigned", "no registered service here",
                              "The registry assigns it to no service, so nothing registered competes.",
                              DATASET_SOURCE))
    shown = names[0] if len(names) == 1 else ", ".join(names[:3]) + (" or another" if len(names) > 3 else "")
    if len(names) in (2, 3):
        shown = ", ".join(names[:-1]) + " or " + names[-1]
    whose = f"{names[0]}'s default" if len(names) == 1 else "their default"
    return [Verdict(case="software:" + ",".join(names), question=f"Running {shown}?", verdict=Level.GOOD,
                    answer=f"Use it: port {info.port} is {whose}.", reasons=tuple(reasons))]


def _new(advice: Advice) -> Verdict:
    if advice.http:  # weighed for a web service: browsers' refusals count
        return Verdict(case="new:http", question="A new web page or HTTP API?", verdict=advice.verdict,
                       answer=_answer(advice), reasons=advice.reasons)
    purpose = advice.purpose.value
    return Verdict(case=f"new:{purpose}", question=_NEW_QUESTIONS[purpose], verdict=advice.verdict,
                   answer=_answer(advice), reasons=advice.reasons)


def _answer(a: Advice) -> str:
    """The one sentence for a new service: the verdict and what decided it."""
    head = {"good": "Yes", "caution": "With care", "avoid": "No"}[a.verdict.value]
    deciding = [r.title for r in a.deciding]
    if not deciding:
        return f"{head}."
    more = f" (and {len(deciding) - 1} more reason{'s' if len(deciding) > 2 else ''})" if len(deciding) > 1 else ""
    return f"{head}: {deciding[0]}{more}."


def verdicts(info: PortInfo, edition: str, new: Sequence[Advice], common: Sequence[CommonUse],
             bad_ports: Mapping[int, str | None]) -> tuple[Verdict, ...]:
    """Every case for the port: its registered services and default software first, then each new use."""
    own: list[Verdict] = []
    if info.port != 0 and info.state is State.ASSIGNED:
        own += _registered(info, edition, bad_ports)
    if info.port != 0:
        own += _software(info, common)
    return (*own, *(_new(a) for a in new))


def purposes() -> tuple[Purpose, ...]:
    """The new-service purposes every port answer weighs, in the order shown."""
    return (Purpose.PRODUCTION, Purpose.INTERNAL, Purpose.TESTING, Purpose.STANDARD)
