"""Linux: which process holds each socket, and its name, command line and user, read from /proc.

/proc/PID/fd links name the socket inodes each process holds; /proc/PID/{stat,
status,cmdline} give its name, user and command line, read the way psutil
reads them so both probes agree. ``rows`` joins them with the socket table
into plain rows (``portatlas.system.rows``) for ``ProcfsProbe``. Imports only os, sys and pwd:
`portatlas listening` loads it on every run.
"""

from __future__ import annotations

import os

from portatlas.system.rows import Row, finish_rows, join_argv, no_pid_note, sudo_hint
from portatlas.system.socktable import PROC, read_table

Process = tuple["str | None", "str | None", "str | None", "str | None"]  # name, cmdline, user, note


def rows(include_all: bool = False, proc: str = PROC) -> list[Row]:
    """Every socket of the table with the process holding it, sorted; see ``ListenerProbe.scan``."""
    table = read_table(include_all, proc)
    owners = find_owners({e[6] for e in table if e[6] != "0"}, proc) if table else {}
    procs: dict[int, Process] = {}
    out: list[Row] = []
    for transport, family, host, port, state, peer, inode in table:
        pid = owners.get(inode)
        info: Process | None
        if pid is None:
            info = (None, None, None, no_pid_note(state))
        else:
            info = procs.get(pid)
            if info is None:
                info = procs[pid] = process(pid, proc)
        name, cmd, user, note = info
        out.append((transport, family, host, port, state, pid, name, cmd, user, note, peer))
    return finish_rows(out)


def find_owners(wanted: set[str], proc: str = PROC) -> dict[str, int]:
    """Socket inode to the lowest PID holding it, for the inodes asked about.

    PIDs are walked in increasing order, so the first holder found is the
    lowest, and the walk stops once every inode has one. Each fd link is read
    relative to its directory's descriptor: the kernel then resolves one
    name per link instead of four.
    """
    found: dict[str, int] = {}
    readlink = os.readlink
    for pid in sorted(int(e) for e in os.listdir(proc) if e.isdigit()):
        try:
            dfd = os.open(f"{proc}/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue  # exited meanwhile, or another user's process (then its sockets show no PID)
        try:
            for fd in os.listdir(dfd):
                try:
                    target = readlink(fd, dir_fd=dfd)
                except OSError:
                    continue  # closed meanwhile
                if target.startswith("socket:["):
                    inode = target[8:-1]
                    if inode in wanted and inode not in found:
                        found[inode] = pid
        except OSError:
            pass  # exited while being read
        finally:
            os.close(dfd)
        if len(found) == len(wanted):
            break
    return found


def every_owner(wanted: set[str], proc: str = PROC) -> dict[str, tuple[int, ...]]:
    """Socket inode to every PID holding it, lowest first, for the inodes asked about.

    ``find_owners`` stops at the first holder; a prefork server's workers
    share its listening socket, and freeing the port needs all of them.
    """
    found: dict[str, list[int]] = {}
    for pid in sorted(int(e) for e in os.listdir(proc) if e.isdigit()):
        try:
            dfd = os.open(f"{proc}/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue  # exited meanwhile, or another user's process
        try:
            for fd in os.listdir(dfd):
                try:
                    target = os.readlink(fd, dir_fd=dfd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in wanted:
                    pids = found.setdefault(target[8:-1], [])
                    if pid not in pids:
                        pids.append(pid)
        except OSError:
            pass
        finally:
            os.close(dfd)
    return {inode: tuple(pids) for inode, pids in found.items()}


def process(pid: int, proc: str = PROC) -> Process:
    """(name, command line, user, note), read as psutil reads them."""
    base = f"{proc}/{pid}"
    try:
        stat = _text(f"{base}/stat")
        status = _text(f"{base}/status")
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
        raw = _read(f"{base}/cmdline").decode("utf-8", "surrogateescape")
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


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _text(path: str) -> str:
    # As a text-mode read: UTF-8 with replacement, and universal newlines (a name may hold a CR).
    return _read(path).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


_USERS: dict[int, str] = {}


def _user(uid: int) -> str:
    if uid not in _USERS:
        import pwd

        try:
            _USERS[uid] = pwd.getpwuid(uid).pw_name
        except KeyError:
            _USERS[uid] = str(uid)  # a UID without a name (a container's user): the number, as ps shows it
    return _USERS[uid]
