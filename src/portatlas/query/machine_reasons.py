"""The reasons ``advise`` reads from a machine's signals: its ephemeral range (and Windows' excluded
ranges), what nmap's scans see on the port, and what listens there now.

Pure like the rest of ``portatlas.query.advice``: the ``Signals`` come in gathered.
"""

from __future__ import annotations

from portatlas.model import PortInfo, PortRange, Transport, span_text
from portatlas.query.reasons import (
    LINUX_EPHEMERAL,
    NMAP_DOC,
    WINDOWS_EXCLUSIONS,
    Level,
    Purpose,
    Reason,
    Signals,
    transports_text,
)

# -- this machine's ephemeral range ------------------------------------------------

def ephemeral(port: int, purpose: Purpose, s: Signals) -> list[Reason]:
    """Where the port lies against this machine's ephemeral range, its reserved ports and Windows' exclusions."""
    e = s.ephemeral
    out: list[Reason] = []
    if e is None:
        out.append(Reason(Level.INFO, "ephemeral.unavailable", "ephemeral range not checked",
                          f"This machine's ephemeral range was not checked: {s.ephemeral_note}.", "this machine"))
        return out
    what = (f"the default ephemeral range for {e.system}, {e.low}-{e.high} ({e.source}; not read from the kernel)"
            if e.is_default else f"this machine's ephemeral range {e.low}-{e.high} ({e.source})")
    excluded = e.excluded_range(port)
    if excluded is not None:
        # Windows refuses the bind itself: nothing else on this list matters until the exclusion goes.
        span = span_text(*excluded)
        out.append(Reason(Level.AVOID, "ephemeral.excluded", "Windows will not let a program bind it",
                          f"Port {port} lies in this machine's excluded port range {span}: binding it fails with "
                          "'access forbidden' (WSAEACCES, 10013) even though nothing listens there. Hyper-V, "
                          "WinNAT, WSL 2 and Docker Desktop take such ranges, often anew at each boot; pick a "
                          "port outside them, or free it with 'netsh int ipv4 delete excludedportrange' where "
                          "an administrator added it.", *WINDOWS_EXCLUSIONS))
    reserved = e.is_reserved(port)
    inside = e.low <= port <= e.high
    if reserved:
        out.append(Reason(Level.CAUTION, "ephemeral.reserved", "in this machine's reserved ports",
                          f"Port {port} is one of this machine's reserved ports (ip_local_reserved_ports): the "
                          "administrator kept it out of the ephemeral range, usually for a particular service.",
                          "/proc/sys/net/ipv4/ip_local_reserved_ports"))
    elif inside:
        out.append(Reason(Level.CAUTION, "ephemeral.inside", "inside the ephemeral range",
                          f"Port {port} lies inside {what}: the kernel hands these ports to outgoing "
                          "connections, so binding it fails at random when one holds it.", e.source))
    else:
        out.append(Reason(Level.GOOD, "ephemeral.outside", "outside the ephemeral range",
                          f"Port {port} lies outside {what}.", e.source))
        lo, hi = LINUX_EPHEMERAL
        if purpose is Purpose.PRODUCTION and lo <= port <= hi and PortRange.of(port) is not PortRange.DYNAMIC:
            out.append(Reason(Level.CAUTION, "ephemeral.linux-default", "inside Linux's default ephemeral range",
                              f"Port {port} lies inside Linux's default ephemeral range {lo}-{hi}: on other Linux "
                              "machines outgoing connections can hold it.",
                              "Linux net.ipv4.ip_local_port_range default",
                              "https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html"))
    return out


# -- what nmap's scans see -------------------------------------------------------------

def frequency(info: PortInfo, ts: tuple[Transport, ...], s: Signals) -> list[Reason]:
    """nmap's name for the port and how often its scans find it open: only what the table says."""
    table = s.frequencies
    if table is None:
        return [Reason(Level.INFO, "frequency.unavailable", "nmap's table not read",
                       f"What nmap's scans find on this port was not checked: {s.frequencies_note}.",
                       "nmap-services", NMAP_DOC)]
    out: list[Reason] = []
    src = f"nmap-services ({table.source})"
    quiet: list[str] = []
    for t in ts:
        f = table.get(info.port, t) if t in (Transport.TCP, Transport.UDP, Transport.SCTP) else None
        if f is None or f.frequency <= 0:
            quiet.append(t.value.upper())
            continue
        named = f.name if f.name and f.name != "unknown" else None
        rank = f", rank {f.rank} of its table" if f.rank else ""
        seen = f"nmap's scans find {info.port}/{t.value} open on {f.percent} of hosts{rank}"
        assigned = {n.lower() for n in _names(info, t)}
        if named and named.lower() not in assigned:
            what = "where the registry assigns " + ", ".join(sorted(assigned)) if assigned else \
                "though the registry assigns nothing there"
            out.append(Reason(Level.CAUTION, "frequency.named", f"nmap calls it {named} on {t.value.upper()}",
                              f"nmap's table names {info.port}/{t.value} {named}, {what}; {seen}: software "
                              "running as that service is met there.", src, NMAP_DOC))
        else:
            label = f" as {named}" if named else ""
            out.append(Reason(Level.INFO, "frequency.seen", f"seen open on {t.value.upper()}{label}",
                              f"{seen[0].upper()}{seen[1:]}{label}.", src, NMAP_DOC))
    if quiet:
        out.append(Reason(Level.GOOD, "frequency.rare", "nmap's scans do not find it open",
                          f"nmap's table lists no open frequency for it on {', '.join(quiet)}.", src, NMAP_DOC))
    return out


def _names(info: PortInfo, t: Transport) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.name for r in info.on(t).assignments if r.name))


# -- listening here now ------------------------------------------------------------

def listening(port: int, ts: tuple[Transport, ...], s: Signals) -> list[Reason]:
    """Whether something listens on the port here now, per transport asked."""
    if s.listening is None:
        return [Reason(Level.INFO, "listening.unchecked", "listeners not checked",
                       f"Whether something listens on it here was not checked: {s.listening_note}.",
                       "this machine's socket table")]
    out: list[Reason] = []
    free: list[Transport] = []
    for t in ts:
        who = s.listening.get(t)
        if who is None:
            continue
        if who:
            out.append(Reason(Level.CAUTION, "listening.busy", f"something listens on {t.value.upper()} here now",
                              f"Something listens on {port}/{t.value} on this machine right now: {'; '.join(who)}.",
                              "this machine's socket table (/proc/net, psutil)"))
        else:
            free.append(t)
    if free:
        out.append(Reason(Level.GOOD, "listening.free", "nothing listens here now",
                          f"Nothing listens on {port} ({transports_text(free)}) on this machine right now.",
                          "this machine's socket table (/proc/net, psutil)"))
    return out
