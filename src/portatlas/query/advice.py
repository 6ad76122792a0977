"""Should I use port N? A verdict (good, caution, avoid) and every reason behind it, each with its source.

Pure: the registry index and the machine's signals (``Signals``) go in, an
``Advice`` value comes out. ``portatlas.advice.advise`` gathers the signals.
"""

from __future__ import annotations

from portatlas.index import Index
from portatlas.model import PortInfo, PortRange, State, Transport
from portatlas.query.lookup import port_info
from portatlas.query.machine_reasons import ephemeral, frequency, listening
from portatlas.query.notes import applies
from portatlas.query.reasons import (
    FETCH_BAD_PORTS,
    RFC6335_RANGES,
    RFC6335_SYSTEM,
    RFC6335_TRANSPORTS,
    Level,
    Purpose,
    Reason,
    Signal,
    Signals,
    registry_source,
    transports_text,
    verdict_of,
)
from portatlas.query.use import in_use, named_here
from portatlas.value import replace, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.world.commonuse import CommonUse


PRIVILEGED_BELOW = 1024  # the Unix default when the kernel does not say otherwise


@value
class Advice:
    """The answer to "should I use this port?": a verdict and every reason, heaviest first.

    ``verdict`` is good, caution or avoid; ``summary`` is one line naming the
    reasons that decided it; ``signals`` says which inputs were available
    (the nmap table, the ephemeral range, listening sockets) so an absent
    input is reported, never guessed.
    """

    port: int
    transports: tuple[Transport, ...]
    purpose: Purpose
    http: bool
    service: str | None
    verdict: Level
    summary: str
    reasons: tuple[Reason, ...]
    signals: tuple[Signal, ...]
    edition: str

    @property
    def deciding(self) -> tuple[Reason, ...]:
        """The reasons at the verdict's level (what a short answer names)."""
        return tuple(r for r in self.reasons if r.level is self.verdict)


def advise(index: Index, port: int, transports: tuple[Transport, ...], purpose: Purpose,
           http: bool, signals: Signals, service: str | None = None,
           common: tuple[CommonUse, ...] = ()) -> Advice:
    """The verdict for ``port`` on ``transports`` for ``purpose``, a new service to be put there.

    Read from the registry, the signals, and ``common``: the common-use
    entries about the port (``portatlas.world.commonuse``), so a port other
    software already uses is caution or avoid, naming who uses it.
    """
    info = port_info(index, port)
    # The software the user named, where the dataset says it uses this port: what is registered
    # here is then what that software's clients expect, not a service to collide with.
    named = named_here(port, transports, common, service)
    reasons: list[Reason] = []
    if port == 0:  # nothing but "port 0 means any port" applies: no range, browser or ephemeral facts
        reasons += _registry(info, transports, purpose, service, index.edition, named)
    else:
        reasons += _range(info, purpose, signals)
        reasons += _registry(info, transports, purpose, service, index.edition, named)
        reasons += in_use(port, transports, purpose, common, service)
        reasons += _browsers(port, http, signals)
        reasons += ephemeral(port, purpose, signals)
        reasons += frequency(info, transports, signals)
        reasons += listening(port, transports, signals)
    if any(r.code in _YOURS for r in reasons):
        reasons = [_as_yours(r) for r in reasons]
    reasons.sort(key=lambda r: -r.level.weight)  # stable: same-level reasons keep their order
    verdict = verdict_of(reasons)
    return Advice(
        port=port,
        transports=transports,
        purpose=purpose,
        http=http,
        service=service,
        verdict=verdict,
        summary=_summary(port, transports, purpose, verdict, reasons),
        reasons=tuple(reasons),
        signals=_signals(index.edition, signals, http),
        edition=index.edition,
    )


def _summary(port: int, ts: tuple[Transport, ...], purpose: Purpose, verdict: Level,
             reasons: list[Reason]) -> str:
    head = f"{verdict.value} for {purpose.phrase} on {port}/{'+'.join(t.value for t in ts)}"
    deciding = [r.title for r in reasons if r.level is verdict]
    return f"{head}: {'; '.join(deciding)}" if deciding else head


# -- the range ---------------------------------------------------------------

def _range(info: PortInfo, purpose: Purpose, s: Signals) -> list[Reason]:
    src, url = RFC6335_RANGES
    p = info.port
    if info.range is PortRange.SYSTEM:
        start = s.unprivileged_start if s.unprivileged_start is not None else PRIVILEGED_BELOW
        where = (f"on this machine ports below {start} need root or CAP_NET_BIND_SERVICE "
                 f"({s.unprivileged_source})" if s.unprivileged_start is not None
                 else "on Unix, ports below 1024 need root or CAP_NET_BIND_SERVICE")
        privileged = p < start
        if privileged:
            detail = (f"System port (0-1023): kept for protocols reviewed by the IETF; binding it needs "
                      f"privileges: {where}.")
            level = Level.INFO if purpose is Purpose.STANDARD else Level.CAUTION
            return [Reason(level, "range.system", "System port: binding it needs privileges", detail, src, url)]
        detail = (f"System port (0-1023): kept for protocols reviewed by the IETF; this machine lets any user "
                  f"bind it (ports from {start} up are unprivileged, {s.unprivileged_source}); most machines do not.")
        return [Reason(Level.INFO, "range.system", "System port", detail, src, url)]
    if info.range is PortRange.USER:
        return [Reason(Level.INFO, "range.user", "User port",
                       "User port (1024-49151): assigned by IANA through Expert Review (or IETF Review); "
                       "any user may bind it.", src, url)]
    detail = ("Dynamic/Private port (49152-65535): never assigned by IANA, meant for private and ephemeral use; "
              "it is the default ephemeral range of Windows and macOS, where clients may hold it.")
    if purpose is Purpose.STANDARD:
        return [Reason(Level.AVOID, "range.dynamic", "Dynamic port: IANA never assigns it",
                       detail + " A protocol being standardized must ask for a User or System port.", src, url)]
    if purpose is Purpose.PRODUCTION:
        return [Reason(Level.CAUTION, "range.dynamic", "Dynamic port: unregistrable, ephemeral on Windows and macOS",
                       detail + " No registration can protect a product's use of it.", src, url)]
    return [Reason(Level.GOOD, "range.dynamic", "Dynamic/Private port: meant for private use", detail, src, url)]


# -- the registry --------------------------------------------------------------

_YOURS = ("registry.assigned-yours", "common.yours")
# When the port is the one registered for (or used by) the service named, these say how to run it there,
# not why to go elsewhere: binding a System port needs privileges wherever the service runs; other software
# with the same default port collides only where both run; nmap naming the port names that service.
_DEMOTE = {"range.system": Level.INFO, "common.default": Level.INFO, "common.configured": Level.INFO,
           "frequency.named": Level.INFO, "common.os": Level.CAUTION}


def _as_yours(r: Reason) -> Reason:
    """``r`` as it weighs for the port's own service (see ``_DEMOTE``); other reasons unchanged."""
    level = _DEMOTE.get(r.code)
    if level is None or r.level.weight <= level.weight:
        return r
    return replace(r, level=level)


def _registry(info: PortInfo, ts: tuple[Transport, ...], purpose: Purpose, service: str | None,
              edition: str, named: CommonUse | None = None) -> list[Reason]:
    src, url = registry_source(edition, info.port)
    p = info.port
    if p == 0:
        return [Reason(Level.AVOID, "registry.port-zero", "port 0 is reserved and means 'any port'",
                       "Port 0 is reserved; binding port 0 asks the kernel for any free ephemeral port, "
                       "so no service can be reached on it.", src, url)]
    out: list[Reason] = []
    mine = (service or "").lower()
    for state, names, on in _groups(info, ts):
        where = transports_text(on)
        if state is State.ASSIGNED:
            label = ", ".join(names)
            if mine and mine in {n.lower() for n in names}:
                out.append(Reason(Level.GOOD, "registry.assigned-yours", f"assigned to {label}, the service named",
                                  f"Assigned to {label} on {where}: the service you named.", src, url))
                continue
            if named is not None and any(t in named.transports for t in on):
                out.append(Reason(Level.GOOD, "registry.assigned-yours",
                                  f"assigned to {label}, which {named.software} serves here",
                                  f"Assigned to {label} on {where}, and {named.software}, the software you named, "
                                  f"uses port {p} ({named.summary}): its clients look for it here.", src, url))
                continue
            title = f"assigned to {label} on {where}"
            detail = (f"Assigned to {label} on {where}: clients, firewalls and scanners expect that service "
                      "there, and the two collide on a machine running both.")
            if purpose is Purpose.STANDARD:
                level = Level.AVOID
                detail += " IANA does not assign a port twice: ask for an unassigned one."
            elif info.range is PortRange.SYSTEM and purpose is not Purpose.TESTING:
                level = Level.AVOID
                detail += " It is a System port of a reviewed protocol."
            else:
                level = Level.CAUTION
            out.append(Reason(level, "registry.assigned", title, detail, src, url))
        elif state is State.RESERVED:
            level = Level.CAUTION if purpose in (Purpose.INTERNAL, Purpose.TESTING) else Level.AVOID
            out.append(Reason(level, "registry.reserved", f"reserved on {where}",
                              f"Reserved on {where}: IANA holds it back and does not assign it.", src, url))
        elif info.range is PortRange.SYSTEM:
            out.append(_unassigned_system(p, where, purpose, src, url))
        elif info.range is PortRange.USER:
            tail = {Purpose.STANDARD: " Ask IANA to assign it (Expert Review, RFC 6335 section 8.1): "
                                      f"draft the application with 'portatlas request --port {p}'."}
            out.append(Reason(Level.GOOD, "registry.unassigned", f"unassigned on {where}",
                              f"Unassigned on {where}: no registered service expects it; it can be requested "
                              f"from IANA by Expert Review.{tail.get(purpose, '')}", src, url))
        else:
            out.append(Reason(Level.INFO, "registry.dynamic", f"never assigned on {where}",
                              f"No assignment on {where}: the Dynamic range is never assigned.", src, url))
    out += _other_transports(info, ts, service)
    for r in {id(r): r for t in ts for r in info.on(t).records}.values():
        if r.unauthorized and applies(r.unauthorized, r.low, r.high, info.port):
            out.append(Reason(Level.CAUTION, "registry.unauthorized", "known unauthorized use",
                              f"The registry notes for {r.name or r.number}: {r.unauthorized}", src, url))
    return out


def _unassigned_system(p: int, where: str, purpose: Purpose, src: str, url: str) -> Reason:
    base = (f"Unassigned System port on {where}: kept for future assignment to protocols reviewed by the "
            "IETF (IETF Review or IESG Approval).")
    if purpose is Purpose.STANDARD:
        return Reason(Level.GOOD, "registry.unassigned-system", "unassigned System port: apply to IANA for it",
                      base + " That is exactly what a protocol being standardized should ask IANA for: apply "
                      f"through IETF Review or IESG Approval with an RFC or IETF draft as reference "
                      f"(draft it with 'portatlas request --port {p} --reference RFC-or-draft').",
                      RFC6335_SYSTEM[0], RFC6335_SYSTEM[1])
    if purpose is Purpose.PRODUCTION:
        return Reason(Level.AVOID, "registry.unassigned-system", "unassigned System port, kept for future protocols",
                      base + " A product that takes it collides with the protocol it is given to later.", src, url)
    return Reason(Level.CAUTION, "registry.unassigned-system", "unassigned System port, kept for future protocols",
                  base + " Acceptable for a documented internal tool or a test, if you move when it is assigned.",
                  src, url)


def _groups(info: PortInfo, ts: tuple[Transport, ...]) -> list[tuple[State, tuple[str, ...], list[Transport]]]:
    """Asked transports that answer alike (state and names), grouped."""
    groups: dict[tuple[State, tuple[str, ...]], list[Transport]] = {}
    for t in ts:
        st = info.on(t)
        names = tuple(dict.fromkeys(r.name for r in st.assignments if r.name))
        groups.setdefault((st.state, names), []).append(t)
    return [(state, names, on) for (state, names), on in groups.items()]


def _other_transports(info: PortInfo, ts: tuple[Transport, ...], service: str | None) -> list[Reason]:
    """An assignment on a transport not asked, while an asked one is unassigned: that service may claim it."""
    if not any(info.on(t).state is State.UNASSIGNED for t in ts):
        return []
    out = []
    mine = (service or "").lower()
    for st in info.transports:
        if st.transport in ts or st.state is not State.ASSIGNED:
            continue
        names = tuple(dict.fromkeys(r.name for r in st.assignments if r.name))
        if mine and mine in {n.lower() for n in names}:
            continue
        label = ", ".join(names)
        out.append(Reason(Level.CAUTION, "registry.other-transport",
                          f"assigned to {label} on {st.transport.value.upper()}",
                          f"Assigned to {label} on {st.transport.value.upper()}: the registry keeps a port's "
                          "transports for one service where it can, so a different service is unlikely to be "
                          "registered here, and clients of that service may knock.",
                          RFC6335_TRANSPORTS[0], RFC6335_TRANSPORTS[1]))
    return out


# -- browsers ------------------------------------------------------------------

def _browsers(port: int, http: bool, s: Signals) -> list[Reason]:
    src, url = FETCH_BAD_PORTS
    if port in s.bad_ports:
        name = s.bad_ports[port]
        label = f" (listed as {name})" if name else ""
        if http:
            return [Reason(Level.AVOID, "browser.bad-port", "browsers refuse it",
                           f"Browsers refuse to connect to port {port}{label}: it is on the Fetch standard's "
                           "bad-port list, so every fetch fails (ERR_UNSAFE_PORT in Chromium).", src, url)]
        return [Reason(Level.INFO, "browser.bad-port", "browsers refuse it (fine if it does not speak HTTP)",
                       f"Port {port} is on the browsers' bad-port list{label}: fine for a service that does not "
                       "speak HTTP, but no browser will reach it (give --http if it does).", src, url)]
    if http:
        return [Reason(Level.GOOD, "browser.allowed", "browsers allow it",
                       f"Port {port} is not on the browsers' bad-port list.", src, url)]
    return []


def _signals(edition: str, s: Signals, http: bool) -> tuple[Signal, ...]:
    return (
        Signal("registry", True, registry_source(edition)[0]),
        Signal("browsers", True, FETCH_BAD_PORTS[0] + ("" if http else " (counts only with --http)")),
        Signal("ephemeral", s.ephemeral is not None,
               s.ephemeral.source if s.ephemeral is not None else s.ephemeral_note),
        Signal("frequency", s.frequencies is not None,
               s.frequencies.source if s.frequencies is not None else s.frequencies_note),
        Signal("listening", s.listening is not None,
               "this machine's socket table" if s.listening is not None else s.listening_note),
    )
