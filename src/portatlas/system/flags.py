"""The rules behind the flags: a serving socket read against the registry and this machine's ephemeral range.

Codes (see ``portatlas.system.annotate`` for what each means): ``other-service``,
``ephemeral``, ``unassigned-system``, ``reserved``. ``Reader`` computes a
socket's registry state, names and flags as plain values; ``annotate`` wraps
them in ``ListenerReport`` and ``Flag`` values (one ``Flag`` tuple per set of
flags, shared by the sockets raising the same ones).
Imports nothing (shlex only for a command line with quotes in it).
"""

from __future__ import annotations

from portatlas.system.rows import SERVING, split_cmdline

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable

    from portatlas.index import Index

# State codes as the index stores them (index.STATE_VALUES).
ASSIGNED, RESERVED, UNASSIGNED = 0, 1, 2
SYSTEM_MAX, USER_MAX = 1023, 49151  # the last System and User ports (RFC 6335 section 6; model.PortRange)

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

def range_value(port: int) -> str:
    """``PortRange.of(port).value`` without the enum: 'system', 'user' or 'dynamic'."""
    return "system" if port <= SYSTEM_MAX else "user" if port <= USER_MAX else "dynamic"


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_WORDS: dict[tuple[str | None, str | None], frozenset[str]] = {}


def words(process: str | None, cmdline: str | None) -> frozenset[str]:
    """Lower-case words a process is known by: its name, its argv basenames, and their parts (kept per process)."""
    key = (process, cmdline)
    got = _WORDS.get(key)
    if got is None:
        got = _WORDS[key] = _words(process, cmdline)
    return got


def _words(process: str | None, cmdline: str | None) -> frozenset[str]:
    raw = [process or ""]
    if cmdline:
        try:
            argv = split_cmdline(cmdline)
        except ValueError:
            argv = cmdline.split()
        raw += [a.rstrip("/").rpartition("/")[2].rpartition("\\")[2] for a in argv[:8]]
    out: set[str] = set()
    for w in raw:
        w = w.lower().removesuffix(".exe")
        if not w:
            continue
        out.add(w)
        # Its runs of letters and digits (what re.split(r"[^a-z0-9]+", w) keeps), without loading re.
        out.update(p for p in "".join(c if c in _ALNUM else " " for c in w).split() if len(p) >= 3)
        out.add(w.rstrip("0123456789."))  # python3.11 -> python
    return frozenset(out)


def serves(names: Iterable[str], process: str | None, cmdline: str | None) -> bool | None:
    """Whether a process looks like one of the services; None when it cannot be told."""
    if not process and not cmdline:
        return None
    if process in FORWARDERS:
        return None
    known = words(process, cmdline)
    for name in names:
        n = name.lower()
        base = n.removesuffix("s") if n.endswith(("https", "imaps", "pop3s", "ldaps")) else n
        for key in {n, base, base.split("-")[0]}:
            if key in SERVERS and known & {s.lower() for s in SERVERS[key]}:
                return True
        for w in known:
            # postgres ~ postgresql, sshd ~ ssh, mysqld ~ mysql, redis-server ~ redis
            if w == n or (len(w) >= 4 and n.startswith(w)) or (len(n) >= 3 and w.startswith(n)):
                return True
    return False


def flag_pairs(port: int, transport: str, code: int, names: tuple[str, ...], process: str | None,
               cmdline: str | None, low: int, high: int,
               reserved: tuple[tuple[int, int], ...]) -> tuple[tuple[str, str], ...]:
    """(code, message) of each flag a *serving* socket raises.

    ``code`` is the registry state of (port, transport) as the index stores
    it, ``names`` the services assigned there; ``low``-``high`` and
    ``reserved`` are this machine's ephemeral range and its holes.
    """
    at = f"{port}/{transport}"
    out: list[tuple[str, str]] = []
    if code == ASSIGNED and names and serves(names, process, cmdline) is False:
        who = process or "a process"
        out.append(("other-service", f"{at} is registered to {', '.join(names)}, but {who} holds it: "
                                     "clients expecting that service may talk to it"))
    if low <= port <= high and not (reserved and any(a <= port <= b for a, b in reserved)):
        if transport == "tcp":
            msg = (f"{at} is inside this machine's ephemeral range {low}-{high}: the kernel may hand it "
                   "to an outgoing connection while the server is down, and then the server cannot start; "
                   "move the server or reserve the port (Linux: net.ipv4.ip_local_reserved_ports)")
        else:
            msg = (f"{at} is inside this machine's ephemeral range {low}-{high}: normal for a client "
                   "socket the kernel picked, a collision risk for a server")
        out.append(("ephemeral", msg))
    if port <= SYSTEM_MAX and code == UNASSIGNED:
        out.append(("unassigned-system", f"{at} is an unassigned System port: no service is registered "
                                         "here, so nothing standard should be listening"))
    if code == RESERVED:
        out.append(("reserved", f"the registry marks {at} Reserved: no service may use it"))
    return tuple(out)


class Reader:
    """Reads sockets against one index and ephemeral range; what a port says is kept per (port, transport)."""

    def __init__(self, index: Index, low: int, high: int, reserved: tuple[tuple[int, int], ...]) -> None:
        self.index = index
        self.low, self.high, self.reserved = low, high, reserved
        self._ports: dict[tuple[int, str], tuple[int, tuple[str, ...]]] = {}

    def port(self, port: int, transport: str) -> tuple[int, tuple[str, ...]]:
        """The registry's state code of (port, transport) and the service names assigned there."""
        key = (port, transport)
        got = self._ports.get(key)
        if got is None:
            code = self.index.state_code(port, transport)
            got = self._ports[key] = (code, self.index.names_at(port, transport) if code == ASSIGNED else ())
        return got

    def read(self, port: int, transport: str, state: str, process: str | None,
             cmdline: str | None) -> tuple[int, tuple[str, ...], tuple[tuple[str, str], ...]]:
        """(state code, names, flags) of one socket; flags only for a serving one (LISTEN, BOUND)."""
        code, names = self.port(port, transport)
        if state not in SERVING:
            return code, names, ()
        return code, names, flag_pairs(port, transport, code, names, process, cmdline,
                                       self.low, self.high, self.reserved)
