"""Freeing a port: who holds it, whether portatlas may stop them, and stopping them.

``plan(port)`` finds every process holding a serving socket on the port (a
TCP listener, an unconnected UDP socket: what makes a server's bind fail) and
says, per process, why it must not be touched, if it must not:

- ``pid-1``: PID 1, the system's or the container's init;
- ``ancestor``: portatlas itself or a process that started it (its shell,
  terminal, test runner), found by walking the parent chain;
- ``not-yours``: another user's process, unless running as root;
- ``hidden``: the OS shows a socket but not its process (another user's,
  without root; a kernel socket; another PID namespace).

``stop(plan)`` sends SIGTERM to each holder, SIGKILL after ``timeout``
seconds to those still running, and reads the port again. It stops nothing
when any holder is refused: stopping some holders would leave the port held.

On Linux the holders are read as ``ProcfsProbe`` reads them (the socket table,
then /proc/PID/fd), except that every PID sharing a socket is found (a prefork
server's workers), not only the lowest; elsewhere from the listener probe.
psutil supplies user ids, start times and signals.

    >>> from portatlas.system.free import plan, stop
    >>> p = plan(8080)
    >>> [h.pid for h in p.holders], [h.refusal for h in p.holders]
    >>> stop(p, timeout=5).freed
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

from portatlas.errors import Refused
from portatlas.model import Transport
from portatlas.system.rows import SERVING, no_pid_note, split_cmdline
from portatlas.value import value

if TYPE_CHECKING:
    from psutil import Process

__all__ = ["Container", "FreePlan", "FreeResult", "Holder", "Refusal", "Stop", "ancestors", "docker_container",
           "kill_commands", "plan", "refusal", "stop"]

KILL_WAIT = 2.0  # seconds to wait for the exit after SIGKILL (a process in uninterruptible sleep may take longer)
_POLL = 0.02


@value
class Container:
    """Where a docker-proxy process forwards the port: a container's address and port.

    Read from docker-proxy's own command line (``-container-ip``,
    ``-container-port``, ``-proto``); a field it lacks is None.
    """

    ip: str | None
    port: int | None
    proto: str | None


@value
class Refusal:
    """Why a holder is not stopped: a stable ``code`` (pid-1, ancestor, not-yours, hidden) and a sentence."""

    code: str
    message: str


@value
class Holder:
    """A process holding serving sockets on the port, or (``pid`` None) sockets the OS shows without one.

    ``sockets`` are written "tcp 127.0.0.1:8080"; ``started`` is the
    process's start time (seconds since the epoch), checked again before a
    signal so a reused PID is never hit; ``container`` is set for docker-proxy;
    ``refusal`` says why it is not stopped, when it is not.
    """

    pid: int | None
    user: str | None
    uid: int | None
    process: str | None
    cmdline: str | None
    sockets: tuple[str, ...]
    started: float | None
    container: Container | None
    refusal: Refusal | None
    commands: tuple[str, ...]


@value
class FreePlan:
    """Who holds ``port`` (on ``transport``, or on tcp and udp when None), and what may be stopped."""

    port: int
    transport: Transport | None
    holders: tuple[Holder, ...]
    notes: tuple[str, ...] = ()

    @property
    def refused(self) -> tuple[Holder, ...]:
        """The holders portatlas will not stop."""
        return tuple(h for h in self.holders if h.refusal is not None)

    @property
    def label(self) -> str:
        """'8080/tcp', or '8080/tcp or 8080/udp' when no transport was given."""
        if self.transport is not None:
            return f"{self.port}/{self.transport.value}"
        return f"{self.port}/tcp or {self.port}/udp"


@value
class Stop:
    """What happened to one holder.

    ``outcome``: ``stopped`` (exited after SIGTERM), ``killed`` (needed
    SIGKILL), ``gone`` (had exited, or its PID now names another process),
    ``denied`` (the OS refused the signal), ``survived`` (still running after
    SIGKILL).
    """

    pid: int
    outcome: str


@value
class FreeResult:
    """The plan carried out: each stop, and who holds the port afterwards (``still_held``)."""

    plan: FreePlan
    stops: tuple[Stop, ...]
    still_held: tuple[Holder, ...]

    @property
    def freed(self) -> bool:
        """Whether nothing holds the port any more."""
        return not self.still_held


def plan(port: int, transport: Transport | str | None = None) -> FreePlan:
    """Every holder of a serving socket on ``port``, each with its refusal (None when it may be stopped)."""
    from portatlas.system.listeners import check_transport

    t = check_transport(transport)
    rows, notes = _sockets(port, t)
    protected = ancestors()
    euid = _euid()
    by_pid: dict[int | None, list[Found]] = {}
    for row in rows:
        by_pid.setdefault(row[1], []).append(row)
    holders = [_holder(pid, found, protected, euid) for pid, found in by_pid.items()]
    holders.sort(key=lambda h: (h.pid is None, h.pid or 0))
    return FreePlan(port, t, tuple(holders), notes)


def stop(p: FreePlan, timeout: float = 5.0) -> FreeResult:
    """SIGTERM every holder, SIGKILL those running after ``timeout`` seconds, then read the port again.

    Raises ``Refused`` (and signals nothing) when any holder is refused.
    """
    if p.refused:
        raise Refused("; ".join(h.refusal.message for h in p.refused if h.refusal))
    outcomes: dict[int, str] = {}
    running: dict[int, Process] = {}
    for h in p.holders:
        assert h.pid is not None  # a holder without a PID is always refused
        proc = _same(h)
        if proc is None:
            outcomes[h.pid] = "gone"
            continue
        outcomes[h.pid] = _signal(proc, kill=False) or "stopped"
        if outcomes[h.pid] == "stopped":
            running[h.pid] = proc
    killed: dict[int, Process] = {}
    for pid in _wait(running, timeout):
        result = _signal(running[pid], kill=True)
        if result is None:
            outcomes[pid], killed[pid] = "killed", running[pid]
        elif result == "denied":
            outcomes[pid] = "denied"
        # "gone": it exited after all, on the SIGTERM
    for pid in _wait(killed, KILL_WAIT):
        outcomes[pid] = "survived"
    after = plan(p.port, p.transport)
    return FreeResult(p, tuple(Stop(pid, o) for pid, o in outcomes.items()), after.holders)


def refusal(pid: int, uid: int | None, *, user: str | None = None, euid: int | None = None,
            protected: frozenset[int] | None = None) -> Refusal | None:
    """Why process ``pid`` (owned by ``uid``) must not be stopped by this process, or None.

    ``euid`` defaults to this process's effective user id (None on Windows,
    where the OS itself decides); ``protected`` to ``ancestors()``.
    """
    if pid == 1:
        return Refusal("pid-1", "PID 1 is the system's (or the container's) init: stopping it would bring "
                                "everything down, so portatlas never does")
    if pid in (ancestors() if protected is None else protected):
        return Refusal("ancestor", f"PID {pid} is portatlas itself or a process that started it (a shell, a "
                                   "terminal, a script): stopping it would stop this command too")
    me = _euid() if euid is None else euid
    if me is not None and me != 0 and uid != me:
        who = f"user {user}" if user else ("another user" if uid is None else f"user id {uid}")
        return Refusal("not-yours", f"PID {pid} belongs to {who}: only root stops another user's processes "
                                    "(run with sudo)")
    return None


def ancestors(pid: int | None = None) -> frozenset[int]:
    """``pid`` (this process by default) and every process above it, up to PID 1."""
    import psutil

    try:
        proc = psutil.Process(os.getpid() if pid is None else pid)
        chain = {proc.pid, *(p.pid for p in proc.parents())}
    except psutil.Error:
        chain = {os.getpid() if pid is None else pid}
    return frozenset(chain)


def docker_container(cmdline: str | None) -> Container | None:
    """The container a docker-proxy command line forwards to, or None for any other command."""
    if not cmdline:
        return None
    try:
        argv = split_cmdline(cmdline)
    except ValueError:
        return None
    if not argv or os.path.basename(argv[0]) != "docker-proxy":
        return None
    found: dict[str, str] = {}
    i = 1
    while i < len(argv):
        name, eq, value = argv[i].lstrip("-").partition("=")  # Go's flags: -f v, --f v, -f=v
        if argv[i].startswith("-") and name in ("container-ip", "container-port", "proto"):
            if not eq and i + 1 < len(argv):
                i += 1
                value = argv[i]
            found[name] = value
        i += 1
    port = found.get("container-port", "")
    return Container(found.get("container-ip"), int(port) if port.isdigit() else None, found.get("proto"))


def kill_commands(pid: int) -> tuple[str, ...]:
    """The shell commands ``stop`` amounts to for one PID: the polite one, then the forced one."""
    if sys.platform == "win32":
        return f"taskkill /PID {pid}", f"taskkill /F /PID {pid}"
    return f"kill -TERM {pid}", f"kill -KILL {pid}"


# -- finding -----------------------------------------------------------------------------------------

# socket, pid, name, cmd, user, note
Found = tuple[str, "int | None", "str | None", "str | None", "str | None", "str | None"]


def _sockets(port: int, t: Transport | None) -> tuple[list[Found], tuple[str, ...]]:
    """Each serving socket on the port with each PID holding it (one row per socket and PID)."""
    from portatlas.system.listeners import default_probe, scan
    from portatlas.system.procfs import ProcfsProbe

    probe = default_probe()
    if isinstance(probe, ProcfsProbe):
        return _procfs_sockets(port, t, os.fspath(probe.proc)), ()
    s = scan(port, t, probe=probe)
    return [(f"{x.transport.value} {x.endpoint}", x.pid, x.process, x.cmdline, x.user, x.note)
            for x in s.listeners if x.state in SERVING], s.notes


def _procfs_sockets(port: int, t: Transport | None, proc: str) -> list[Found]:
    from portatlas.system import processes
    from portatlas.system.rows import endpoint
    from portatlas.system.socktable import read_table

    wanted = ("tcp", "udp") if t is None else (t.value,)
    table = [e for e in read_table(False, proc, wanted) if e[3] == port and e[4] in SERVING]
    owners = processes.every_owner({e[6] for e in table if e[6] != "0"}, proc)
    out: list[Found] = []
    for transport, _family, host, p, state, _peer, inode in sorted(table):
        where = f"{transport} {endpoint(host, p)}"
        pids = owners.get(inode, ())
        if not pids:
            out.append((where, None, None, None, None, no_pid_note(state)))
        for pid in pids:
            name, cmd, user, note = processes.process(pid, proc)
            out.append((where, pid, name, cmd, user, note))
    return out


def _holder(pid: int | None, found: list[Found], protected: frozenset[int], euid: int | None) -> Holder:
    sockets = tuple(dict.fromkeys(f[0] for f in found))
    _, _, name, cmd, user, note = found[0]
    if pid is None:
        return Holder(None, None, None, None, None, sockets, None, None,
                      Refusal("hidden", note or "the OS does not say which process holds it"), ())
    uid, started = _identity(pid)
    why = refusal(pid, uid, user=user, euid=euid, protected=protected)
    return Holder(pid, user, uid, name, cmd, sockets, started, docker_container(cmd), why, kill_commands(pid))


def _identity(pid: int) -> tuple[int | None, float | None]:
    """(real user id, start time) of a process; None for what the OS does not tell."""
    import psutil

    try:
        proc = psutil.Process(pid)
    except psutil.Error:
        return None, None
    uid: int | None
    try:
        uid = proc.uids().real if hasattr(proc, "uids") else None
    except psutil.Error:
        uid = None
    try:
        started: float | None = proc.create_time()
    except psutil.Error:
        started = None
    return uid, started


def _euid() -> int | None:
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid else None


# -- stopping ----------------------------------------------------------------------------------------

def _same(h: Holder) -> Process | None:
    """The holder's process if it still runs under its PID, else None (exited, or the PID was reused)."""
    import psutil

    try:
        proc = psutil.Process(h.pid)
        if h.started is not None and abs(proc.create_time() - h.started) > 0.01:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except psutil.Error:
        return None


def _signal(proc: Process, kill: bool) -> str | None:
    """Send SIGTERM (SIGKILL with ``kill``); None when sent, else the outcome instead ('gone', 'denied')."""
    import psutil

    try:
        proc.kill() if kill else proc.terminate()  # psutil checks the PID still names the same process
    except psutil.NoSuchProcess:
        return "gone"
    except psutil.AccessDenied:
        return "denied"
    return None


def _wait(procs: dict[int, Process], timeout: float) -> list[int]:
    """Wait up to ``timeout`` seconds for the processes to exit; the PIDs still running then.

    A zombie counts as exited: its sockets are closed, whoever reaps it. (psutil's
    own wait would wait for a non-child zombie until its parent reaps it.)
    """
    import psutil

    left = dict(procs)
    end = time.monotonic() + timeout
    while True:
        for pid, proc in list(left.items()):
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    del left[pid]
            except psutil.Error:
                del left[pid]
        if not left or time.monotonic() >= end:
            return sorted(left)
        time.sleep(min(_POLL, max(0.0, end - time.monotonic())))
