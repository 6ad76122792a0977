"""What is bound to a port on this machine: sockets, their processes, and what the OS hid.

The probe varies by platform, so it sits behind ``ListenerProbe``:
``ProcfsProbe`` (Linux) reads /proc/net and /proc/PID directly, as ss does,
without loading psutil (a third of the command's time); ``PsutilProbe``
(macOS, Windows, BSD, and Linux without a readable /proc) reads the whole
socket table through psutil and falls back to asking each process it may see
(macOS without root, where the whole table is refused).
``PORTATLAS_LISTENER_PROBE=psutil`` forces psutil. Tests run both probes on
the same real sockets and require the same answer.

    >>> from portatlas.system.listeners import listeners, is_listening
    >>> listeners(5432)                  # every TCP listener and bound UDP socket on 5432
    >>> is_listening(5432, Transport.TCP)

psutil is imported only when a probe runs, so importing this module is cheap.
"""

from __future__ import annotations

import abc
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import BadInput
from ..model import Transport

# The transports a socket table can show; the registry's SCTP and DCCP are not listed by psutil.
SOCKET_TRANSPORTS: tuple[Transport, ...] = (Transport.TCP, Transport.UDP)

LISTEN = "LISTEN"
BOUND = "BOUND"  # an unconnected UDP socket: it receives whatever arrives on its port
CONNECTED = "CONNECTED"  # a UDP socket connected to one peer


@dataclass(frozen=True, slots=True)
class Listener:
    """One socket bound to a local port, and the process holding it.

    ``state`` is the TCP state (``LISTEN``, ``ESTABLISHED``, ``TIME_WAIT`` ...)
    or, for UDP, ``BOUND`` (unconnected) or ``CONNECTED``. ``pid``,
    ``process``, ``cmdline`` and ``user`` are None when the OS did not say;
    ``note`` then says why and how to see it (for example with sudo).
    ``remote`` is the peer ("203.0.113.80:80") of a connected socket.
    """

    transport: Transport
    family: str
    address: str
    port: int
    state: str
    pid: int | None
    process: str | None
    cmdline: str | None
    user: str | None
    note: str | None = None
    remote: str | None = None

    @property
    def endpoint(self) -> str:
        """'0.0.0.0:5432' or '[::1]:5432'."""
        return endpoint(self.address, self.port)

    @property
    def listening(self) -> bool:
        """A TCP listener or an unconnected UDP socket: something serving the port."""
        return self.state in (LISTEN, BOUND)


@dataclass(frozen=True, slots=True)
class Scan:
    """The result of one probe: the sockets, and notes on what the OS kept from it as a whole."""

    listeners: tuple[Listener, ...]
    notes: tuple[str, ...] = ()
    complete: bool = True


def endpoint(address: str, port: int) -> str:
    """An address and port as one usually writes them, IPv6 in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class ListenerProbe(abc.ABC):
    """Reads this machine's socket table. One implementation per way of reading it."""

    @abc.abstractmethod
    def scan(self, include_all: bool = False) -> Scan:
        """Every TCP listener and bound UDP socket (every inet socket with ``include_all``)."""


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return bool(geteuid and geteuid() == 0)


def _sudo_hint() -> str:
    if sys.platform == "win32":
        return "run from an elevated (Administrator) prompt to see it"
    return "run with sudo to see it"


class PsutilProbe(ListenerProbe):
    """The socket table through psutil, with process details read once per PID."""

    def scan(self, include_all: bool = False) -> Scan:
        """See ``ListenerProbe.scan``."""
        import psutil  # type: ignore[import-untyped]

        notes: list[str] = []
        complete = True
        try:
            conns: list[Any] = psutil.net_connections(kind="inet")
        except psutil.AccessDenied:
            # macOS refuses the whole table to non-root users; each own process can still be asked.
            conns = self._per_process(psutil)
            complete = False
            notes.append("this OS shows only your own processes' sockets without privileges; "
                         f"{_sudo_hint()[:-3]} every socket")
        procs: dict[int, tuple[str | None, str | None, str | None, str | None]] = {}
        out = []
        for c in conns:
            row = self._row(c, include_all)
            if row is None:
                continue
            pid = c.pid or None  # Windows books TIME_WAIT rows to PID 0, the idle process: no owner
            if pid is not None and pid not in procs:
                procs[pid] = _process(psutil, pid)
            name, cmd, user, note = procs[pid] if pid is not None else (None, None, None, _no_pid_note(row[4]))
            transport, family, addr, port, state, remote = row
            out.append(Listener(transport, family, addr, port, state, pid, name, cmd, user, note, remote))
        return Scan(_finish(out), tuple(notes), complete)

    @staticmethod
    def _per_process(psutil: Any) -> list[Any]:
        conns: list[Any] = []
        for p in psutil.process_iter():
            try:
                # psutil 6 renamed Process.connections to net_connections; 5.9 is still allowed.
                read = getattr(p, "net_connections", None) or p.connections
                for c in read(kind="inet"):
                    # Process.net_connections rows carry no pid; add it back.
                    conns.append(_WithPid(c, p.pid))
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return conns

    @staticmethod
    def _row(c: Any, include_all: bool) -> tuple[Transport, str, str, int, str, str | None] | None:
        import socket

        if not c.laddr:
            return None
        if c.type == socket.SOCK_STREAM:
            transport, state = Transport.TCP, str(c.status)
        elif c.type == socket.SOCK_DGRAM:
            transport, state = Transport.UDP, CONNECTED if c.raddr else BOUND
        else:
            return None
        if not include_all and state not in (LISTEN, BOUND):
            return None
        family = "ipv6" if c.family == socket.AF_INET6 else "ipv4"
        remote = endpoint(c.raddr.ip, c.raddr.port) if c.raddr else None
        return transport, family, c.laddr.ip, int(c.laddr.port), state, remote


class _WithPid:
    """A per-process connection row with the pid the whole-table rows carry."""

    __slots__ = ("family", "type", "laddr", "raddr", "status", "pid")

    def __init__(self, c: Any, pid: int) -> None:
        self.family, self.type, self.laddr, self.raddr, self.status = c.family, c.type, c.laddr, c.raddr, c.status
        self.pid = pid


def _process(psutil: Any, pid: int) -> tuple[str | None, str | None, str | None, str | None]:
    """(name, command line, user, note) of a process; the note says what could not be read and why."""
    try:
        p = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None, None, None, f"process {pid} exited while it was being read"
    except psutil.AccessDenied:
        return None, None, None, f"the OS hides process {pid} from this user; {_sudo_hint()}"
    name = cmd = user = None
    hidden: list[str] = []
    with p.oneshot():
        for what in ("name", "cmdline", "username"):
            try:
                value = getattr(p, what)()
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                return name, cmd, user, f"process {pid} exited while it was being read"
            except psutil.AccessDenied:
                hidden.append("command line" if what == "cmdline" else "user" if what == "username" else what)
                continue
            if what == "name":
                name = value or None
            elif what == "cmdline":
                # A kernel thread or a process that cleared its argv has none: say so instead of a blank.
                cmd = _join(value) if value else None
                if not value:
                    hidden.append("command line (the process shows none)")
            else:
                user = value or None
    note = None
    if hidden:
        denied = [h for h in hidden if "shows none" not in h]
        note = (f"the OS hides this process's {' and '.join(denied)} from this user; {_sudo_hint()}" if denied
                else f"process {pid} shows no command line")
    return name, cmd, user, note


def _join(argv: list[str]) -> str:
    import shlex

    return shlex.join(argv)


# /proc/net/tcp state codes, named as psutil and ss name them.
TCP_STATES = {"01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
              "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN",
              "0B": "CLOSING", "0C": "NEW_SYN_RECV"}
_PROC = Path("/proc")


@functools.lru_cache(maxsize=4096)  # a thousand sockets on one address decode it once
def _decode_v4(h: str) -> str:
    # /proc/net prints the address as the host-order 32-bit word in hex; this is little-endian on
    # every platform Linux reports this way that portatlas supports.
    b = bytes.fromhex(h)
    return ".".join(str(x) for x in (b[::-1] if sys.byteorder == "little" else b))


@functools.lru_cache(maxsize=4096)
def _decode_v6(h: str) -> str:
    import socket

    b = bytes.fromhex(h)
    if sys.byteorder == "little":  # four host-order 32-bit words
        b = b"".join(b[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, b)


class _Raw(NamedTuple):
    transport: Transport
    family: str
    host: str
    port: int
    state: str
    peer: str | None
    inode: str


class ProcfsProbe(ListenerProbe):
    """Linux: the socket tables in /proc/net, owners from /proc/PID/fd, details from /proc/PID."""

    def __init__(self, proc: Path = _PROC) -> None:
        self.proc = proc

    def available(self) -> bool:
        """Whether this kernel's /proc/net/tcp can be read."""
        return os.access(self.proc / "net" / "tcp", os.R_OK)

    def scan(self, include_all: bool = False) -> Scan:
        """See ``ListenerProbe.scan``."""
        rows = []
        for table, transport, family in (("tcp", Transport.TCP, "ipv4"), ("tcp6", Transport.TCP, "ipv6"),
                                        ("udp", Transport.UDP, "ipv4"), ("udp6", Transport.UDP, "ipv6")):
            try:
                with open(self.proc / "net" / table, encoding="ascii") as f:
                    f.readline()
                    lines = f.readlines()
            except FileNotFoundError:
                continue  # a kernel without IPv6
            decode = _decode_v4 if family == "ipv4" else _decode_v6
            for line in lines:
                parts = line.split(None, 10)
                if len(parts) < 10:
                    continue
                local, remote, st, inode = parts[1], parts[2], parts[3], parts[9]
                rhost, _, rport = remote.partition(":")
                connected = int(rport, 16) != 0
                if transport is Transport.TCP:
                    state = TCP_STATES.get(st, st)
                else:
                    state = CONNECTED if connected else BOUND
                if not include_all and state not in (LISTEN, BOUND):
                    continue
                lhost, _, lport = local.partition(":")
                peer = endpoint(decode(rhost), int(rport, 16)) if connected else None
                rows.append(_Raw(transport, family, decode(lhost), int(lport, 16), state, peer, inode))
        owners = self._owners({r.inode for r in rows if r.inode != "0"}) if rows else {}
        procs: dict[int, tuple[str | None, str | None, str | None, str | None]] = {}
        out = []
        for transport, family, host, port, state, peer, inode in rows:
            pid = owners.get(inode)
            if pid is not None and pid not in procs:
                procs[pid] = self._process(pid)
            name, cmd, user, note = procs[pid] if pid is not None else (None, None, None, _no_pid_note(state))
            out.append(Listener(transport, family, host, port, state, pid, name, cmd, user, note, peer))
        return Scan(_finish(out), (), True)

    def _owners(self, wanted: set[str]) -> dict[str, int]:
        """Socket inode to the lowest PID holding it, for the inodes asked about."""
        found: dict[str, int] = {}
        for entry in os.listdir(self.proc):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                with os.scandir(self.proc / entry / "fd") as it:
                    for fd in it:
                        try:
                            target = os.readlink(fd.path)
                        except OSError:
                            continue  # closed meanwhile
                        if target.startswith("socket:["):
                            inode = target[8:-1]
                            if inode in wanted and (inode not in found or pid < found[inode]):
                                found[inode] = pid
            except OSError:
                continue  # exited meanwhile, or another user's process (then its sockets show no PID)
        return found

    def _process(self, pid: int) -> tuple[str | None, str | None, str | None, str | None]:
        """(name, command line, user, note), read as psutil reads them."""
        base = self.proc / str(pid)
        try:
            stat = (base / "stat").read_text(encoding="utf-8", errors="replace")
            status = (base / "status").read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            return None, None, None, f"process {pid} exited while it was being read"
        except PermissionError:
            return None, None, None, f"the OS hides process {pid} from this user; {_sudo_hint()}"
        name = stat[stat.find("(") + 1:stat.rfind(")")] or None
        if stat[stat.rfind(")") + 2:stat.rfind(")") + 3] == "Z":
            return name, None, None, f"process {pid} exited while it was being read"
        user = None
        for line in status.splitlines():
            if line.startswith("Uid:"):
                user = _user(int(line.split()[1]))
                break
        try:
            raw = (base / "cmdline").read_bytes().decode("utf-8", "surrogateescape")
        except (FileNotFoundError, ProcessLookupError):
            return name, None, user, f"process {pid} exited while it was being read"
        except PermissionError:
            return name, None, user, f"the OS hides this process's command line from this user; {_sudo_hint()}"
        # As psutil: NUL-separated, unless the process rewrote its title with spaces (setproctitle).
        sep = "\0" if raw.endswith("\0") else " "
        argv = raw.removesuffix(sep).split(sep) if raw else []
        if sep == "\0" and len(argv) == 1 and " " in argv[0]:
            argv = argv[0].split(" ")
        if name and len(name) >= 15 and argv:
            # The kernel cuts names at 15 characters; the command line has the whole one.
            full = os.path.basename(argv[0])
            if full.startswith(name):
                name = full
        if not argv:
            return name, None, user, f"process {pid} shows no command line"
        return name, _join(argv), user, None


_USERS: dict[int, str] = {}


def _user(uid: int) -> str:
    if uid not in _USERS:
        import pwd

        try:
            _USERS[uid] = pwd.getpwuid(uid).pw_name
        except KeyError:
            _USERS[uid] = str(uid)  # a UID without a name (a container's user): the number, as ps shows it
    return _USERS[uid]


def _no_pid_note(state: str) -> str:
    if state == "TIME_WAIT":
        return "no process: the kernel keeps this closed connection in TIME_WAIT for a while"
    if state not in (LISTEN, BOUND, CONNECTED, "ESTABLISHED"):
        return f"no process: the kernel holds this {state} connection"
    if sys.platform.startswith("linux") and _is_root():
        return ("no process in this PID namespace holds it: a kernel socket, or a process "
                "in another container or PID namespace")
    return f"the OS hides the process holding this socket from this user; {_sudo_hint()}"


def _finish(rows: list[Listener]) -> tuple[Listener, ...]:
    """Sort, and explain connections no process holds yet: they wait in a listener's accept queue."""
    from dataclasses import replace

    listening = {(x.transport, x.port): x for x in rows if x.state == LISTEN}
    out = []
    for x in rows:
        owner = listening.get((x.transport, x.port))
        if x.pid is None and x.state in ("ESTABLISHED", "SYN_RECV", "CLOSE_WAIT") and owner is not None:
            by = f" (PID {owner.pid})" if owner.pid is not None else ""
            x = replace(x, note=f"not accepted yet: waiting in the accept queue of the listener on "
                                f"{owner.endpoint}{by}")
        out.append(x)
    out.sort(key=_order)
    return tuple(out)


def _order(x: Listener) -> tuple[int, str, bool, str, str, str, str]:
    # Per port and transport: the serving socket first, then its connections.
    return x.port, x.transport.value, not x.listening, x.family, x.address, x.state, x.remote or ""


_PROBE: ListenerProbe | None = None


def default_probe() -> ListenerProbe:
    """The probe for this platform: /proc on Linux, psutil elsewhere (``PORTATLAS_LISTENER_PROBE`` overrides)."""
    global _PROBE
    if _PROBE is None:
        choice = os.environ.get("PORTATLAS_LISTENER_PROBE", "").lower()
        if choice not in ("", "procfs", "psutil"):
            raise BadInput(f"PORTATLAS_LISTENER_PROBE={choice!r} is not a probe: use procfs or psutil")
        procfs = ProcfsProbe()
        if choice != "psutil" and sys.platform.startswith("linux") and procfs.available():
            _PROBE = procfs
        else:
            _PROBE = PsutilProbe()
    return _PROBE


def check_transport(transport: Transport | str | None) -> Transport | None:
    """A transport the socket table can show (tcp or udp), or None for both; BadInput otherwise."""
    if transport is None or transport == "" or transport == "all":
        return None
    try:
        t = Transport(str(transport).lower())
    except ValueError:
        t = None
    if t not in SOCKET_TRANSPORTS:
        raise BadInput(f"cannot look for {str(transport)!r} sockets: this machine's socket table "
                       "is read for tcp and udp; use --transport tcp or --transport udp")
    return t


def _check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise BadInput(f"port {port!r} is out of range: a port is a whole number from 0 to 65535")
    return port


def scan(port: int | None = None, transport: Transport | str | None = None,
         include_all: bool = False, probe: ListenerProbe | None = None) -> Scan:
    """One probe of this machine, filtered to a port and transport; notes say what the OS hid."""
    t = check_transport(transport)
    if port is not None:
        _check_port(port)
    s = (probe or default_probe()).scan(include_all)
    rows = tuple(x for x in s.listeners
                 if (port is None or x.port == port) and (t is None or x.transport is t))
    return Scan(rows, s.notes, s.complete)


def listeners(port: int | None = None, transport: Transport | None = None,
              include_all: bool = False) -> list[Listener]:
    """Every TCP listener and bound UDP socket here (every inet socket with ``include_all``).

    ``port`` and ``transport`` narrow the answer. Rows are sorted by port,
    transport, family and address.
    """
    return list(scan(port, transport, include_all).listeners)


def _proc_ports(transport: Transport) -> frozenset[int] | None:
    """Serving ports read straight from /proc/net on Linux (no process walk); None where unreadable."""
    ports: set[int] = set()
    for fam in ("", "6"):
        try:
            with open(f"/proc/net/{transport.value}{fam}", encoding="ascii") as f:
                f.readline()
                lines = f.readlines()
        except FileNotFoundError:
            continue  # no IPv6 on this kernel
        except OSError:
            return None
        for line in lines:
            parts = line.split(None, 4)
            if len(parts) < 4:
                continue
            # TCP: state 0A is LISTEN. UDP: unconnected (no remote port), as listeners() shows them.
            serving = parts[3] == "0A" if transport is Transport.TCP else parts[2].endswith(":0000")
            if serving:
                ports.add(int(parts[1].rpartition(":")[2], 16))
    return frozenset(ports)


def bound_ports(transport: Transport | str) -> frozenset[int]:
    """The ports with a TCP listener (or an unconnected UDP socket) here, read cheaply.

    The same sockets ``listeners(transport=...)`` shows, without process
    details: on Linux a read of /proc/net (a few milliseconds, no process
    walk), which suits checking many candidate ports at once.
    """
    t = check_transport(transport)
    if t is None:
        raise BadInput("bound_ports needs one transport: tcp or udp")
    if sys.platform.startswith("linux"):
        ports = _proc_ports(t)
        if ports is not None:
            return ports
    return frozenset(x.port for x in scan(None, t).listeners)


def is_listening(port: int, transport: Transport | str = Transport.TCP) -> bool:
    """Whether a TCP listener (or an unconnected UDP socket) holds the port here; cheap, no process details."""
    t = check_transport(transport) or Transport.TCP
    return _check_port(port) in bound_ports(t)
