"""``PsutilProbe``: the socket table through psutil (macOS, Windows, BSD; Linux without /proc)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portatlas.model import Transport
from portatlas.system.probe import (
    BOUND,
    CONNECTED,
    LISTEN,
    ListenerProbe,
    Row,
    Scan,
    endpoint,
    finish,
    join_argv,
    no_pid_note,
    sudo_hint,
)

if TYPE_CHECKING:
    from psutil._ntuples import pconn, sconn  # types-psutil names them here


class PsutilProbe(ListenerProbe):
    """The socket table through psutil, with process details read once per PID."""

    def scan(self, include_all: bool = False) -> Scan:
        """See ``ListenerProbe.scan``."""
        import psutil

        notes: list[str] = []
        complete = True
        try:
            conns: list[_Conn] = list(psutil.net_connections(kind="inet"))
        except psutil.AccessDenied:
            # macOS refuses the whole table to non-root users; each own process can still be asked.
            conns = self._per_process()
            complete = False
            notes.append("this OS shows only your own processes' sockets without privileges; "
                         f"{sudo_hint()[:-3]} every socket")
        procs: dict[int, tuple[str | None, str | None, str | None, str | None]] = {}
        out: list[Row] = []
        for c in conns:
            row = self._row(c, include_all)
            if row is None:
                continue
            pid = c.pid or None  # Windows books TIME_WAIT rows to PID 0, the idle process: no owner
            if pid is not None and pid not in procs:
                procs[pid] = read_process(pid)
            name, cmd, user, note = procs[pid] if pid is not None else (None, None, None, no_pid_note(row[4]))
            transport, family, addr, port, state, remote = row
            out.append((transport.value, family, addr, port, state, pid, name, cmd, user, note, remote))
        return Scan(finish(out), tuple(notes), complete)

    @staticmethod
    def _per_process() -> list[_Conn]:
        import psutil

        conns: list[_Conn] = []
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
    def _row(c: _Conn, include_all: bool) -> tuple[Transport, str, str, int, str, str | None] | None:
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

    __slots__ = ("family", "laddr", "pid", "raddr", "status", "type")

    def __init__(self, c: pconn, pid: int) -> None:
        self.family, self.type, self.laddr, self.raddr, self.status = c.family, c.type, c.laddr, c.raddr, c.status
        self.pid = pid


if TYPE_CHECKING:
    _Conn = sconn | _WithPid  # a row of the whole table, or of one process's with its pid added


def read_process(pid: int) -> tuple[str | None, str | None, str | None, str | None]:
    """(name, command line, user, note) of a process; the note says what could not be read and why."""
    import psutil

    try:
        p = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None, None, None, f"process {pid} exited while it was being read"
    except psutil.AccessDenied:
        return None, None, None, f"the OS hides process {pid} from this user; {sudo_hint()}"
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
                cmd = join_argv(value) if value else None
                if not value:
                    hidden.append("command line (the process shows none)")
            else:
                user = value or None
    note = None
    if hidden:
        denied = [h for h in hidden if "shows none" not in h]
        note = (f"the OS hides this process's {' and '.join(denied)} from this user; {sudo_hint()}" if denied
                else f"process {pid} shows no command line")
    return name, cmd, user, note
