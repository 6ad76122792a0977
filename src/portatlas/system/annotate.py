"""Every socket on this machine read against the registry, with flags where something looks off.

Flags (``Flag.code``):

- ``other-service``: the port is assigned on that transport to services
  none of which the holding process looks like (``python -m http.server``
  on 8000, which is registered to irdmi).
- ``ephemeral``: a server inside this machine's ephemeral range (and not in
  its reserved holes): the kernel may hand the port to an outgoing
  connection first, and then the server cannot start.
- ``unassigned-system``: a listener on a System port (0-1023) that the
  registry leaves unassigned on that transport, such as 307.
- ``reserved``: a listener on a port the registry marks Reserved.

Flags are raised for serving sockets only (TCP LISTEN, unconnected UDP);
connected sockets are shown with ``--all`` but never flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..atlas import Registry
from ..model import PortRange, State, Transport
from .ephemeral import EphemeralRange, ephemeral_range
from .listeners import Listener, ListenerProbe, check_transport, scan


@dataclass(frozen=True, slots=True)
class Flag:
    """Something that looks off about a socket: a stable code and a sentence saying why."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ListenerReport:
    """One socket and what the registry says of its (port, transport).

    ``names`` are the service names assigned on that transport; ``state`` the
    registry's state there; ``range`` the RFC 6335 range of the port.
    """

    listener: Listener
    state: State
    range: PortRange
    names: tuple[str, ...]
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True, slots=True)
class MachineReport:
    """The answer of ``who`` and ``listening``: sockets read against one registry edition.

    ``port`` and ``transport`` are the question (None: every port, both
    transports); ``notes`` say what the OS kept from the whole probe;
    ``complete`` is False when some sockets could not be seen at all.
    """

    port: int | None
    transport: Transport | None
    include_all: bool
    sockets: tuple[ListenerReport, ...]
    notes: tuple[str, ...]
    complete: bool
    ephemeral: EphemeralRange
    edition: str


# Process names of common servers whose names share nothing with the service they serve.
SERVERS: dict[str, frozenset[str]] = {
    k: frozenset(v) for k, v in {
        "http": ("nginx", "apache2", "httpd", "caddy", "lighttpd", "h2o", "varnishd", "uwsgi", "gunicorn",
                 "uvicorn", "hypercorn", "tomcat", "jetty"),
        "domain": ("named", "dnsmasq", "unbound", "systemd-resolve", "systemd-resolved", "coredns",
                   "pdns_server", "pdns_recursor", "knotd", "nsd"),
        "ssh": ("sshd", "dropbear"),
        "smtp": ("master", "exim", "exim4", "sendmail", "postfix", "smtpd", "opensmtpd"),
        "imap": ("dovecot", "imap-login"),
        "pop3": ("dovecot", "pop3-login"),
        "ntp": ("chronyd", "ntpd", "systemd-timesyncd", "openntpd"),
        "bootps": ("dhcpd", "dnsmasq", "kea-dhcp4"),
        "bootpc": ("dhclient", "systemd-networkd", "NetworkManager", "dhcpcd", "udhcpc"),
        "mdns": ("avahi-daemon", "mDNSResponder"),
        "ldap": ("slapd",),
        "mysql": ("mysqld", "mariadbd"),
        "postgresql": ("postgres",),
        "redis": ("redis-server",),
        "microsoft-ds": ("smbd",),
        "netbios-ssn": ("smbd",),
        "netbios-ns": ("nmbd",),
        "sunrpc": ("rpcbind", "portmap"),
        "ipp": ("cupsd",),
        "snmp": ("snmpd",),
        "syslog": ("rsyslogd", "syslog-ng", "syslogd"),
        "kerberos": ("krb5kdc",),
        "isakmp": ("charon", "pluto", "racoon"),
    }.items()
}
# Processes that hold ports on behalf of whatever they forward to: no verdict on the service.
FORWARDERS = frozenset({"docker-proxy", "rootlessport", "slirp4netns", "pasta", "socat", "ssh", "kubectl",
                        "containerd", "dockerd", "podman", "conmon", "vpnkit", "com.docker.backend", "haproxy",
                        "envoy", "traefik", "inetd", "xinetd", "systemd", "launchd", "svchost.exe", "System"})


def _words(process: str | None, cmdline: str | None) -> set[str]:
    """Lower-case words a process is known by: its name, its argv basenames, and their parts."""
    import re
    import shlex  # only when a listener sits on an assigned port: kept off the import path

    raw = [process or ""]
    if cmdline:
        try:
            argv = shlex.split(cmdline)
        except ValueError:
            argv = cmdline.split()
        raw += [a.rstrip("/").rpartition("/")[2].rpartition("\\")[2] for a in argv[:8]]
    out: set[str] = set()
    for w in raw:
        w = w.lower().removesuffix(".exe")
        if not w:
            continue
        out.add(w)
        out.update(p for p in re.split(r"[^a-z0-9]+", w) if len(p) >= 3)
        out.add(w.rstrip("0123456789."))  # python3.11 -> python
    return out


def serves(names: Iterable[str], process: str | None, cmdline: str | None) -> bool | None:
    """Whether a process looks like one of the services; None when it cannot be told."""
    if not process and not cmdline:
        return None
    if process in FORWARDERS:
        return None
    words = _words(process, cmdline)
    for name in names:
        n = name.lower()
        base = n.removesuffix("s") if n.endswith(("https", "imaps", "pop3s", "ldaps")) else n
        for key in {n, base, base.split("-")[0]}:
            if key in SERVERS and words & {s.lower() for s in SERVERS[key]}:
                return True
        for w in words:
            # postgres ~ postgresql, sshd ~ ssh, mysqld ~ mysql, redis-server ~ redis
            if w == n or (len(w) >= 4 and n.startswith(w)) or (len(n) >= 3 and w.startswith(n)):
                return True
    return False


def flags_for(listener: Listener, state: State, names: tuple[str, ...],
              eph: EphemeralRange) -> tuple[Flag, ...]:
    """The flags a serving socket raises against the registry and this machine's ephemeral range."""
    if not listener.listening:
        return ()
    p, t = listener.port, listener.transport
    at = f"{p}/{t.value}"
    out: list[Flag] = []
    if state is State.ASSIGNED and names and serves(names, listener.process, listener.cmdline) is False:
        who = listener.process or "a process"
        out.append(Flag("other-service", f"{at} is registered to {', '.join(names)}, but {who} holds it: "
                                         "clients expecting that service may talk to it"))
    if p in eph and not eph.is_reserved(p):
        if t is Transport.TCP:
            msg = (f"{at} is inside this machine's ephemeral range {eph.low}-{eph.high}: the kernel may hand it "
                   "to an outgoing connection while the server is down, and then the server cannot start; "
                   "move the server or reserve the port (Linux: net.ipv4.ip_local_reserved_ports)")
        else:
            msg = (f"{at} is inside this machine's ephemeral range {eph.low}-{eph.high}: normal for a client "
                   "socket the kernel picked, a collision risk for a server")
        out.append(Flag("ephemeral", msg))
    if PortRange.of(p) is PortRange.SYSTEM and state is State.UNASSIGNED:
        out.append(Flag("unassigned-system", f"{at} is an unassigned System port: no service is registered "
                                             "here, so nothing standard should be listening"))
    if state is State.RESERVED:
        out.append(Flag("reserved", f"the registry marks {at} Reserved: no service may use it"))
    return tuple(out)


def read(sockets: Iterable[Listener], reg: Registry, eph: EphemeralRange) -> tuple[ListenerReport, ...]:
    """Each socket with the registry's state and names for its (port, transport), and its flags."""
    out = []
    names_of: dict[tuple[int, Transport], tuple[str, ...]] = {}
    for x in sockets:
        state = reg.index.state(x.port, x.transport)
        key = (x.port, x.transport)
        if key not in names_of:
            names_of[key] = (tuple(dict.fromkeys(r.name for r in reg.lookup(x.port).on(x.transport).assignments
                                                 if r.name)) if state is State.ASSIGNED else ())
        names = names_of[key]
        out.append(ListenerReport(x, state, PortRange.of(x.port), names, flags_for(x, state, names, eph)))
    return tuple(out)


def machine(reg: Registry, port: int | None = None, transport: Transport | str | None = None,
            include_all: bool = False, probe: ListenerProbe | None = None,
            eph: EphemeralRange | None = None) -> MachineReport:
    """Probe this machine and read every socket found against ``reg`` (the ``who``/``listening`` answer)."""
    s = scan(port, transport, include_all, probe)
    e = eph or ephemeral_range()
    t = check_transport(transport)
    return MachineReport(port, t, include_all, read(s.listeners, reg, e), s.notes, s.complete, e, reg.edition)


@dataclass(frozen=True, slots=True)
class NamedPort:
    """A port and the service names assigned to it on one transport."""

    port: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EphemeralReport:
    """This machine's ephemeral range read against the registry.

    ``assigned_inside`` counts, per transport, the registry-assigned ports the
    kernel may hand out as client ports (reserved holes excluded): a server on
    one of them can find its port taken. ``examples`` are a few of them on TCP.
    ``matches_iana`` is True when the range is exactly RFC 6335's Dynamic/Private
    range (49152-65535), which no assignment overlaps.
    """

    range: EphemeralRange
    assigned_inside: dict[Transport, int]
    examples: tuple[NamedPort, ...]
    matches_iana: bool
    edition: str


def ephemeral_report(reg: Registry, eph: EphemeralRange | None = None, examples: int = 5) -> EphemeralReport:
    """The ephemeral range here, and how many assigned ports it overlaps on TCP and UDP."""
    e = eph or ephemeral_range()
    counts: dict[Transport, int] = {}
    found: list[NamedPort] = []
    for t in (Transport.TCP, Transport.UDP):
        states = reg.index.states(t)
        inside = [p for p in range(e.low, e.high + 1) if states[p] == 0 and not e.is_reserved(p)]
        counts[t] = len(inside)
        if t is Transport.TCP:
            for p in inside[:examples]:
                found.append(NamedPort(p, tuple(dict.fromkeys(
                    r.name for r in reg.lookup(p).on(t).assignments if r.name))))
    iana = (e.low, e.high) == PortRange.DYNAMIC.bounds
    return EphemeralReport(e, counts, tuple(found), iana, reg.edition)
