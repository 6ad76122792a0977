"""Free ports to use: unassigned, outside the browsers' list and the ephemeral ranges, rarely used, free here.

Pure: the machine's checks come in as ``Signals`` and an ``is_free`` callable
(``portatlas.advice`` binds real sockets). Candidates are chosen in two
stages so ``--name`` is stable across machines:

1. the *portable* candidates, the same on every machine with this registry
   edition: unassigned on every asked transport (or Dynamic), not on the
   browsers' bad-port list, outside the default ephemeral ranges of Linux
   and of Windows/macOS (for the User range);
2. the *local* checks, in candidate order: this machine's ephemeral range and
   reserved ports, nmap's common ports (where the table exists), and a bind.

``--name`` hashes into stage 1, so every machine starts from the same port;
only when a local check fails there does one machine move on to the next.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import compress

from portatlas.errors import BadInput
from portatlas.index import Index
from portatlas.model import PortRange, Transport, span_text
from portatlas.query.blocks import unassigned_flags
from portatlas.query.reasons import (
    FETCH_BAD_PORTS,
    IANA_EPHEMERAL,
    LINUX_EPHEMERAL,
    NMAP_DOC,
    EphemeralLike,
    Level,
    Reason,
    Signals,
    registry_source,
    transports_text,
)
from portatlas.value import value

MAX_COUNT = 1000
COMMON_RANK = 1000  # nmap scans its 1,000 most frequently open ports by default: a suggestion keeps clear of them


@value
class Suggestion:
    """A port to use, on the asked transports, and every check it passed."""

    port: int
    transports: tuple[Transport, ...]
    reasons: tuple[Reason, ...]
    distance: int | None = None


def window(rng: PortRange) -> tuple[int, int]:
    """The part of a range suggestions come from: the User range below Linux's default ephemeral
    range, or the Dynamic range above it."""
    if rng is PortRange.USER:
        return PortRange.USER.bounds[0], LINUX_EPHEMERAL[0] - 1
    if rng is PortRange.DYNAMIC:
        return LINUX_EPHEMERAL[1] + 1, PortRange.DYNAMIC.bounds[1]
    raise BadInput(f"cannot suggest from the {rng.value} range: use user or dynamic "
                   "(System ports are for IETF-reviewed protocols; apply to IANA for one)")


def portable_flags(index: Index, transports: tuple[Transport, ...], rng: PortRange,
                   bad_ports: Mapping[int, str | None], taken: Iterable[tuple[int, int]] = ()) -> bytearray:
    """One byte per port: 1 where a port passes every machine-independent check (``taken``: the
    (low, high) spans software is known to use, from the shipped common-use dataset)."""
    lo, hi = window(rng)
    flags = bytearray(65536)
    flags[lo:hi + 1] = unassigned_flags(index, transports)[lo:hi + 1]
    for p in bad_ports:
        flags[p] = 0
    for a, b in taken:
        flags[a:b + 1] = bytes(b - a + 1)
    return flags


def name_hash(name: str) -> int:
    """A stable 64-bit number for a service name (case-insensitive), the same on every machine."""
    return int.from_bytes(hashlib.sha256(name.strip().lower().encode("utf-8")).digest()[:8], "big")


def suggest(index: Index, *, count: int, transports: tuple[Transport, ...], rng: PortRange,
            signals: Signals, is_free: Callable[[int], str | None], free_source: str,
            near: int | None = None, name: str | None = None, seed: int | None = None,
            taken: Iterable[tuple[int, int]] = ()) -> list[Suggestion]:
    """Up to ``count`` ports passing every check, each with the reasons it passed.

    Order: by distance from ``near``; from ``name``'s stable hash onwards; or
    a random spread (``seed`` makes it repeatable). ``is_free(port)`` returns
    None when the port is free here, else why not. ``taken`` are the spans
    programs are known to use (left out everywhere, so ``name`` stays stable).
    """
    if not 1 <= count <= MAX_COUNT:
        raise BadInput(f"--count {count} is out of range: ask for 1 to {MAX_COUNT} ports")
    if near is not None and name is not None:
        raise BadInput("give --near or --name, not both: --near ranks by distance, --name picks a stable port")
    taken = tuple(taken)
    flags = portable_flags(index, transports, rng, signals.bad_ports, taken)
    lo, hi = window(rng)
    common = _common(signals, transports)
    eph = signals.ephemeral
    base = _base_reasons(index.edition, transports, rng, signals)
    if taken:
        base += (Reason(Level.GOOD, "common.unused", "no known program uses it",
                        "No program in portatlas's common-use dataset uses it by default, as an OS service or "
                        "as malware.", "portatlas's common-use dataset"),)

    first: int | None = None
    if near is not None:
        order: Iterator[int] = _by_distance(flags, near, lo, hi)
    else:
        cands = list(compress(range(lo, hi + 1), flags[lo:hi + 1]))
        if not cands:
            return []
        if name is not None:
            start = name_hash(name) % len(cands)
            first = cands[start]
            order = (cands[(start + k) % len(cands)] for k in range(len(cands)))
        else:
            order = _spread(cands, random.Random(seed))

    out: list[Suggestion] = []
    missed: list[str] = []
    for p in order:
        why = _local_failure(p, eph, common)
        if why is None:
            why = is_free(p)
        if why is not None:
            if first is not None and not out:
                missed.append(f"{p} ({why})")
            continue
        extra: list[Reason] = []
        if first is not None:
            extra.append(_name_reason(name or "", first, p, missed, len(out)))
        dist = abs(p - near) if near is not None else None
        if dist is not None:
            extra.append(Reason(Level.GOOD, "suggest.near", f"{dist} from {near}",
                                f"{dist} port{'s' if dist != 1 else ''} from {near}.", "--near"))
        out.append(Suggestion(port=p, transports=transports, distance=dist,
                              reasons=tuple(extra) + base + (
                                  Reason(Level.GOOD, "free.here", "free here",
                                         f"Free here: binding it on {transports_text(transports)} succeeded "
                                         "just now.", free_source),)))
        if len(out) >= count:
            break
    return out


def _common(signals: Signals, transports: tuple[Transport, ...]) -> Callable[[int], str | None]:
    table = signals.frequencies
    if table is None:
        return lambda p: None

    def check(p: int) -> str | None:
        for t in transports:
            f = table.get(p, t)
            if f is None or f.frequency <= 0:
                continue
            if f.name:
                return f"nmap calls it {f.name} on {t.value.upper()} (open on {f.percent} of scanned hosts)"
            if f.rank and f.rank <= COMMON_RANK:
                return f"among the {COMMON_RANK} ports nmap finds open most often on {t.value.upper()}"
        return None

    return check


def _local_failure(p: int, e: EphemeralLike | None, common: Callable[[int], str | None]) -> str | None:
    if e is not None:
        excluded = e.excluded_range(p)
        if excluded is not None:
            return f"in this machine's excluded port range {span_text(*excluded)} (Windows will not bind it)"
        if e.is_reserved(p):
            return "in this machine's reserved ports"
        if e.low <= p <= e.high:
            return f"inside this machine's ephemeral range {e.low}-{e.high}"
    return common(p)


def _by_distance(flags: bytearray, near: int, lo: int, hi: int) -> Iterator[int]:
    """Portable candidates by distance from ``near`` (lower port first on ties)."""
    span = max(abs(near - lo), abs(hi - near))
    for d in range(span + 1):
        for p in ((near - d, near + d) if d else (near,)):
            if lo <= p <= hi and flags[p]:
                yield p


def _spread(cands: list[int], r: random.Random) -> Iterator[int]:
    """Every candidate once, in a random order that spreads across the window (a random-stride walk)."""
    n = len(cands)
    start = r.randrange(n)
    step = r.randrange(1, n) if n > 1 else 1
    while math.gcd(step, n) != 1:
        step = step % (n - 1) + 1
    for k in range(n):
        yield cands[(start + k * step) % n]


def _name_reason(name: str, first: int, p: int, missed: list[str], position: int) -> Reason:
    if p == first:
        return Reason(Level.GOOD, "suggest.name", f"the stable port for {name!r}",
                      f"The stable port for {name!r}: the same name gives {first} on every machine with this "
                      "registry edition (a SHA-256 hash of the name into the portable candidates).", "--name")
    if position > 0:
        return Reason(Level.GOOD, "suggest.name-next", f"next in {name!r}'s order",
                      f"The next port in {name!r}'s order after its stable port {first}.", "--name")
    return Reason(Level.CAUTION, "suggest.name-moved", f"{name!r}'s stable port {first} is not usable here",
                  f"The stable port for {name!r} is {first}, but here it failed: {'; '.join(missed)}; "
                  f"{p} is the next in {name!r}'s order, so other machines may pick {first}: agree on one.",
                  "--name")


def _base_reasons(edition: str, transports: tuple[Transport, ...], rng: PortRange,
                  signals: Signals) -> tuple[Reason, ...]:
    src, url = registry_source(edition)
    ts = transports_text(transports)
    out = []
    if rng is PortRange.DYNAMIC:
        out.append(Reason(Level.GOOD, "registry.dynamic", "Dynamic/Private: never assigned",
                          "In the Dynamic/Private range, which IANA never assigns: free for private use.", src, url))
    else:
        out.append(Reason(Level.GOOD, "registry.unassigned", f"unassigned on {ts}",
                          f"Unassigned on {ts} in the registry (a User port: can be requested by Expert Review).",
                          src, url))
    out.append(Reason(Level.GOOD, "browser.allowed", "browsers allow it",
                      "Not on the browsers' bad-port list.", *FETCH_BAD_PORTS))
    if rng is PortRange.USER:
        out.append(Reason(Level.GOOD, "ephemeral.defaults", "outside the usual ephemeral ranges",
                          f"Outside the default ephemeral ranges of Linux ({LINUX_EPHEMERAL[0]}-{LINUX_EPHEMERAL[1]}) "
                          f"and of Windows and macOS ({IANA_EPHEMERAL[0]}-{IANA_EPHEMERAL[1]}).",
                          "the systems' defaults: Linux net.ipv4.ip_local_port_range, Windows netsh "
                          "dynamicport, macOS net.inet.ip.portrange"))
    else:
        out.append(Reason(Level.GOOD, "ephemeral.defaults", "above Linux's default ephemeral range",
                          f"Above Linux's default ephemeral range ({LINUX_EPHEMERAL[0]}-{LINUX_EPHEMERAL[1]}); "
                          "Windows and macOS hand out Dynamic ports as ephemeral ones.",
                          "Linux's default net.ipv4.ip_local_port_range"))
    e = signals.ephemeral
    if e is not None:
        holes = " and its reserved ports" if e.reserved else ""
        holes += " and its excluded port ranges" if e.excluded else ""
        what = "the default range" if e.is_default else "this machine's ephemeral range"
        out.append(Reason(Level.GOOD, "ephemeral.outside", "outside this machine's ephemeral range",
                          f"Outside {what} {e.low}-{e.high}{holes}.", e.source))
    else:
        out.append(Reason(Level.INFO, "ephemeral.unavailable", "ephemeral range not checked",
                          f"This machine's ephemeral range was not checked: {signals.ephemeral_note}.",
                          "this machine"))
    table = signals.frequencies
    if table is not None:
        out.append(Reason(Level.GOOD, "frequency.rare", "nmap's scans do not name it",
                          f"nmap's table names none of these ports on {ts} as a service it has seen open.",
                          f"nmap-services open frequencies ({table.source})", NMAP_DOC))
    else:
        out.append(Reason(Level.INFO, "frequency.unavailable", "common use not checked",
                          f"Common use was not checked: {signals.frequencies_note}.", "nmap-services", NMAP_DOC))
    return tuple(out)
