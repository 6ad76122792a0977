"""Should I use port N, and which port instead: the library calls behind ``advise`` and ``suggest``.

    >>> from portatlas import Registry
    >>> from portatlas.advice import advise, suggest
    >>> reg = Registry.default()
    >>> advise(reg, 8080).verdict                     # Level.CAUTION: assigned to http-alt
    >>> advise(reg, 307, purpose="standard").reasons  # ... apply to IANA
    >>> [s.port for s in suggest(reg, count=3, transport="both")]

This module gathers the machine's inputs (the ephemeral range, nmap's
frequency table, listening sockets, bind checks) and hands them to the pure
functions in ``portatlas.query.advice`` and ``portatlas.query.suggest``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from portatlas.errors import BadInput
from portatlas.model import PortRange, Transport
from portatlas.query import advice as _advice
from portatlas.query.advice import Advice
from portatlas.query.grammar import parse_port, shown
from portatlas.query.reasons import Level, Purpose, Reason, Signal, Signals
from portatlas.system.files import PROC_UNPRIVILEGED_START
from portatlas.value import replace
from portatlas.world.badports import bad_ports

if TYPE_CHECKING:
    from portatlas.atlas import Registry
    from portatlas.query.suggest import MAX_COUNT, Suggestion

UNPRIVILEGED = PROC_UNPRIVILEGED_START

__all__ = [
    "MAX_COUNT",
    "Advice",
    "Level",
    "Purpose",
    "Reason",
    "Signal",
    "Signals",
    "Suggestion",
    "advise",
    "machine_signals",
    "parse_purpose",
    "parse_transports",
    "short_advice",
    "suggest",
    "with_listening",
]


def __getattr__(name: str) -> Any:
    # query.suggest (hashlib, random) loads only when suggestions are asked for: `portatlas PORT` needs none.
    if name in ("Suggestion", "MAX_COUNT"):
        from portatlas.query import suggest as _suggest

        return getattr(_suggest, name)
    raise AttributeError(name)


def parse_purpose(text: str | Purpose) -> Purpose:
    """production, internal, testing or standard; BadInput otherwise."""
    if isinstance(text, Purpose):
        return text
    try:
        return Purpose(str(text).strip().lower())
    except ValueError:
        raise BadInput(f"unknown purpose {shown(str(text))}: use production, internal, testing or standard") from None


def parse_transports(text: str | Transport | tuple[Transport, ...], allowed: tuple[str, ...] = (
        "tcp", "udp", "both", "sctp", "dccp")) -> tuple[Transport, ...]:
    """'tcp', 'udp', 'both' (TCP and UDP), or 'sctp'/'dccp' where allowed; BadInput otherwise."""
    if isinstance(text, tuple):
        return text
    if isinstance(text, Transport):
        text = text.value
    t = str(text).strip().lower()
    if t not in allowed:
        raise BadInput(f"unknown transport {shown(str(text))}: use {', '.join(allowed[:-1])} or {allowed[-1]}")
    return (Transport.TCP, Transport.UDP) if t == "both" else (Transport(t),)


def machine_signals(port: int | None = None, transports: tuple[Transport, ...] = (),
                    *, listeners: bool = True, frequencies: bool = True) -> Signals:
    """Read this machine's inputs: ephemeral range, nmap table, privileged-port limit, and (for ``port``)
    who listens on it. Each unavailable input is None with a note saying why."""
    from portatlas.system.ephemeral import ephemeral_range

    table, freq_note = (None, "not asked for")
    if frequencies:
        from portatlas.world.nmap import load

        table, freq_note = load(port)
    eph = _ephemeral(ephemeral_range)
    start, start_src = _unprivileged_start()
    listening = None
    listen_note = "not asked for"
    if listeners and port is not None:
        listening, listen_note = _listening(port, transports)
    return Signals(
        bad_ports=bad_ports(),
        ephemeral=eph,
        frequencies=table,
        frequencies_note=freq_note,
        listening=listening,
        listening_note=listen_note,
        unprivileged_start=start,
        unprivileged_source=start_src,
    )


_EPHEMERAL_MEMO: list[Any] = []  # [time read, range]: outside Linux the read is a subprocess
_EPHEMERAL_TTL = 30.0


def _ephemeral(read: Any) -> Any:
    """The ephemeral range; on Linux read each time (/proc costs microseconds), elsewhere kept 30 s,
    because sysctl or netsh cost a process each and a web page should not pay that per request."""
    if sys.platform.startswith("linux"):
        return read()
    import time

    now = time.monotonic()
    if not _EPHEMERAL_MEMO or now - _EPHEMERAL_MEMO[0] > _EPHEMERAL_TTL:
        _EPHEMERAL_MEMO[:] = [now, read()]
    return _EPHEMERAL_MEMO[1]


def _unprivileged_start() -> tuple[int | None, str]:
    if not sys.platform.startswith("linux"):
        return None, ""
    try:
        with open(UNPRIVILEGED, "rb") as f:
            return int(f.read().strip()), "net.ipv4.ip_unprivileged_port_start"
    except (OSError, ValueError):
        return None, ""


def _listening(port: int, transports: tuple[Transport, ...]) -> tuple[dict[Transport, tuple[str, ...]] | None, str]:
    """Who holds ``port`` here, per transport: () when nobody does.

    A bind answers "is anything there?" in microseconds, where reading the
    socket table costs milliseconds on a busy host; the table (system.listeners)
    is read only when the bind fails, to name the holder.
    """
    from portatlas.system.bind import bind_failure

    out: dict[Transport, tuple[str, ...]] = {}
    for t in transports:
        if t not in (Transport.TCP, Transport.UDP):
            continue
        why = bind_failure(port, (t,)) if port != 0 else "port 0"
        if why is None:
            out[t] = ()
            continue
        try:
            from portatlas.system.listeners import is_listening, listeners

            # The bind could not tell: ask the socket table.
            if ("privileges" in why or port == 0) and not is_listening(port, t):
                out[t] = ()
                continue
            who = []
            for x in listeners(port, t):
                proc = x.process or "a process this user cannot see"
                pid = f" (pid {x.pid})" if x.pid else ""
                who.append(f"{proc}{pid} on {x.endpoint}")
        except Exception as e:  # noqa: BLE001 - an optional signal: any failure is reported, not raised
            return None, f"the socket table could not be read ({type(e).__name__}: {e})"
        out[t] = tuple(dict.fromkeys(who)) or (
            f"a socket that is not listening holds it ({why}: an outgoing connection or an idle bound socket)",)
    if not out:
        return None, "the socket table shows TCP and UDP only"
    return out, ""


def advise(registry: Registry, port: int | str, transport: str | Transport | tuple[Transport, ...] = "tcp",
           purpose: str | Purpose = Purpose.PRODUCTION, http: bool = False, service: str | None = None,
           *, signals: Signals | None = None) -> Advice:
    """Should ``port`` be used on ``transport`` for ``purpose``? A verdict with every reason and its source.

    ``transport``: tcp, udp, both, sctp or dccp. ``purpose``: production,
    internal, testing or standard. ``http``: the service speaks HTTP (browsers'
    bad ports then count). ``service``: the service's name, when the port may
    already be registered to it. ``signals`` defaults to this machine's.
    """
    p = parse_port(port)
    ts = parse_transports(transport)
    why = parse_purpose(purpose)
    if signals is None:
        signals = machine_signals(p, ts)
    return _advice.advise(registry.index, p, ts, why, http, signals, service=service or None,
                          common=registry.knowledge.common_at(p))


def with_listening(signals: Signals, port: int, transports: tuple[Transport, ...]) -> Signals:
    """``signals`` with who holds ``port`` here on ``transports`` (what ``machine_signals(port)`` reads too):
    advising many ports reads everything else once."""
    listening, note = _listening(port, transports)
    return replace(signals, listening=listening, listening_note=note)


def suggest(registry: Registry, count: int = 5, transport: str | Transport | tuple[Transport, ...] = "tcp",
            range: str | PortRange | None = None,  # noqa: A002 - the public keyword, as the CLI's --range
            near: int | str | None = None, name: str | None = None,
            http: bool = False, *, seed: int | None = None, signals: Signals | None = None) -> list[Suggestion]:
    """Up to ``count`` ports free to use, each with the reasons it passed.

    ``transport``: tcp, udp or both. ``range``: user (default; 1024-32767,
    below Linux's ephemeral range) or dynamic (61000-65535, above it);
    default: the range of ``near``. ``near``: rank by distance from this port.
    ``name``: start from a port derived from the name, the same on every
    machine. The browsers' bad ports are always left out, so ``http`` changes
    nothing but is accepted for symmetry with ``advise``.
    """
    from portatlas.query import suggest as _suggest
    from portatlas.query.suggest import MAX_COUNT

    del http  # always honoured: see the docstring
    ts = parse_transports(transport, allowed=("tcp", "udp", "both"))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise BadInput(f"--count {count} is out of range: ask for 1 to {MAX_COUNT} ports")
    near_port = None
    if near is not None:
        try:
            near_port = parse_port(near)
        except BadInput:
            raise BadInput(f"--near {shown(str(near))} is not a port: give a whole number from 0 to 65535") from None
    if name is not None:
        from portatlas.query.naming import require_valid

        name = require_valid(name, "--name")
    rng = _range(range, near_port)
    if signals is None:
        signals = machine_signals()
    from portatlas.query.use import WIDE
    from portatlas.system.bind import SOURCE, bind_failure

    taken = tuple((u.low, u.high) for u in registry.knowledge.dataset().entries()
                  if u.use.value != "configured" and u.high - u.low + 1 <= WIDE)
    return _suggest.suggest(registry.index, count=count, transports=ts, rng=rng, signals=signals,
                            is_free=lambda p: bind_failure(p, ts), free_source=SOURCE,
                            near=near_port, name=name, seed=seed, taken=taken)


def _range(text: str | PortRange | None, near: int | None) -> PortRange:
    if text is None or text == "":
        return PortRange.DYNAMIC if near is not None and PortRange.of(near) is PortRange.DYNAMIC else PortRange.USER
    if isinstance(text, PortRange):
        rng = text
    else:
        try:
            rng = PortRange(str(text).strip().lower())
        except ValueError:
            raise BadInput(f"unknown range {shown(str(text))}: use user or dynamic") from None
    from portatlas.query.suggest import window

    window(rng)  # refuses system
    return rng


def short_advice(registry: Registry, port: int) -> tuple[Advice, Advice | None]:
    """The short verdict of ``portatlas PORT``: a production TCP service, and (when browsers refuse the
    port) the same as an HTTP service. Reads no socket table, so the answer can be cached."""
    sig = machine_signals(port, listeners=False)
    sig = replace(sig, listening_note=f"see 'portatlas advise {port}'")
    plain = _advice.advise(registry.index, port, (Transport.TCP,), Purpose.PRODUCTION, False, sig)
    web = None
    if port in sig.bad_ports:
        web = _advice.advise(registry.index, port, (Transport.TCP,), Purpose.PRODUCTION, True, sig)
    return plain, web

