"""``ProcfsProbe``: Linux's socket tables read from /proc, as ss reads them, without psutil.

/proc/net/{tcp,udp}{,6} list the sockets; /proc/PID/fd links name the socket
inodes each process holds; /proc/PID/{stat,status,cmdline} give its name,
user and command line, read the way psutil reads them so both probes agree.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import NamedTuple

from ..model import Transport
from .probe import (
    BOUND,
    CONNECTED,
    LISTEN,
    Listener,
    ListenerProbe,
    Scan,
    endpoint,
    finish,
    join_argv,
    no_pid_note,
    sudo_hint,
)


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
            name, cmd, user, note = procs[pid] if pid is not None else (None, None, None, no_pid_note(state))
            out.append(Listener(transport, family, host, port, state, pid, name, cmd, user, note, peer))
        return Scan(finish(out), (), True)

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
            return None, None, None, f"the OS hides process {pid} from this user; {sudo_hint()}"
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
            return name, None, user, f"the OS hides this process's command line from this user; {sudo_hint()}"
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
        return name, join_argv(argv), user, None


_USERS: dict[int, str] = {}


def _user(uid: int) -> str:
    if uid not in _USERS:
        import pwd

        try:
            _USERS[uid] = pwd.getpwuid(uid).pw_name
        except KeyError:
            _USERS[uid] = str(uid)  # a UID without a name (a container's user): the number, as ps shows it
    return _USERS[uid]
