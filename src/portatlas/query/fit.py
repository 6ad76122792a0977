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
    """One case per registered service of the port: this is its port."""
    src, url = registry_source(edition, info.port)
    by_name: dict[str, list[Transport]] = {}
    desc: dict[str, str] = {}
    for ts in info.transports:
        for r in ts.assignments:
            if r.name:
                by_name.setdefault(r.name, []).append(ts.transport)
                desc.setdefault(r.name, " ".join(r.description.split()))
    out = []
    p = info.port
    for name, on in by_name.items():
        on = list(dict.fromkeys(on))
        what = f"{name} ({desc[name]})" if desc[name] and desc[name].lower() != name.lower() else name
        reasons = [Reason(Level.GOOD, "fit.registered", f"assigned to {name}",
                          f"IANA assigns port {p} to {what} on {transports_text(on)}: clients, firewalls and "
                          "scanners expect it here, so run it on this port.", src, url)]
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
        out.append(Verdict(case=f"registered:{name}", question=f"Running {name}?", verdict=Level.GOOD,
                           answer=f"Use it: port {p} is {name}'s registered port.", reasons=tuple(reasons)))
    return out


def _software(info: PortInfo, common: Sequence[CommonUse]) -> list[Verdict]:
    """One case per program that takes the port by default."""
    out = []
    seen: set[str] = set()
    registered = set(info.names)
    for e in common:
        if e.use.value != "default" or e.software in seen or not e.covers(info.port):
            continue
        seen.add(e.software)
        ts = [t for t in e.transports if t in {x.transport for x in info.transports}]
        reasons = [Reason(Level.GOOD, "fit.software", f"{e.software}'s default port", e.summary,
                          e.source_title, e.source)]
        assigned_here = [r.name for t in ts for r in info.on(t).assignments if r.name]
        if assigned_here:
            names = ", ".join(dict.fromkeys(assigned_here))
            reasons.append(Reason(Level.INFO, "registry.assigned", f"registered to {names}",
                                  f"The registry assigns it to {names}: clients of that service may knock, and "
                                  "scanners will name it so.", *registry_source("", info.port)))
        elif info.range is not PortRange.DYNAMIC and not registered:
            reasons.append(Reason(Level.INFO, "registry.unassigned", "no registered service here",
                                  "The registry assigns it to no service, so nothing registered competes.",
                                  DATASET_SOURCE))
        out.append(Verdict(case=f"software:{e.software}", question=f"Running {e.software}?", verdict=Level.GOOD,
                           answer=f"Use it: port {info.port} is {e.software}'s default.", reasons=tuple(reasons)))
    return out


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
    return f"{head}: {'; '.join(deciding)}." if deciding else f"{head}."


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
