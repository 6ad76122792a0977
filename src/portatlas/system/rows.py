"""Sockets as plain rows, and what every probe does with them before they are answers.

A row holds a ``Listener``'s fields in order: (transport, family, address,
port, state, pid, process, cmdline, user, note, remote). Probes build rows,
``finish_rows`` sorts and explains them, and ``probe.finish`` turns them into
``Listener`` values; `portatlas listening --json` writes them as they are.
This module imports only os and sys: `portatlas listening` loads it on every run.
"""

from __future__ import annotations

import os
import sys

LISTEN = "LISTEN"
BOUND = "BOUND"  # an unconnected UDP socket: it receives whatever arrives on its port
CONNECTED = "CONNECTED"  # a UDP socket connected to one peer
SERVING = (LISTEN, BOUND)  # the states that serve a port: a TCP listener, an unconnected UDP socket

# (transport, family, address, port, state, pid, process, cmdline, user, note, remote)
Row = tuple[str, str, str, int, str, int | None, str | None, str | None, str | None, str | None, str | None]

# What shlex.quote leaves bare: \w in ASCII, and @%+=:,./-
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def endpoint(address: str, port: int) -> str:
    """An address and port as one usually writes them, IPv6 in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def quote(arg: str) -> str:
    """``shlex.quote``, without the regular expression: importing re costs `portatlas listening` ~5 ms."""
    if not arg:
        return "''"
    if _SAFE.issuperset(arg):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def join_argv(argv: list[str]) -> str:
    """A command line as a shell would take it back (what ``shlex.join`` gives)."""
    return " ".join(quote(a) for a in argv)


def split_cmdline(cmdline: str) -> list[str]:
    """``shlex.split``, without loading shlex (and re) for what ``join_argv`` writes.

    A line ``join_argv`` could have written splits back into exactly the argv
    it was written from (shlex.split undoes shlex.join), so a plain reading
    of its quotes that writes back to the same line is shlex's answer; any
    other line goes to shlex.
    """
    argv = _unquote(cmdline)
    if argv is not None and join_argv(argv) == cmdline:
        return argv
    import shlex

    return shlex.split(cmdline)


def _unquote(line: str) -> list[str] | None:
    # Space-separated words of bare characters, '...' pieces and "'" (how quote() writes a quote).
    out: list[str] = []
    pieces: list[str] = []
    in_word = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == " ":
            if not in_word:
                return None  # a leading or doubled space: not join_argv's writing
            out.append("".join(pieces))
            pieces, in_word = [], False
            i += 1
            continue
        in_word = True
        if line.startswith("\"'\"", i):
            pieces.append("'")
            i += 3
        elif c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                return None
            pieces.append(line[i + 1:end])
            i = end + 1
        else:
            end = i
            while end < n and line[end] not in " '\"":
                end += 1
            if end == i:
                return None  # a double quote not around a single one
            pieces.append(line[i:end])
            i = end
    if in_word:
        out.append("".join(pieces))
    elif out:
        return None  # a trailing space
    return out


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return bool(geteuid and geteuid() == 0)


def sudo_hint() -> str:
    """How to see what the OS hid: sudo, or an elevated prompt on Windows."""
    if sys.platform == "win32":
        return "run from an elevated (Administrator) prompt to see it"
    return "run with sudo to see it"


def no_pid_note(state: str) -> str:
    """Why a socket in ``state`` shows no process, and how to see it where that helps."""
    if state == "TIME_WAIT":
        return "no process: the kernel keeps this closed connection in TIME_WAIT for a while"
    if state not in (LISTEN, BOUND, CONNECTED, "ESTABLISHED"):
        return f"no process: the kernel holds this {state} connection"
    if sys.platform.startswith("linux") and _is_root():
        return ("no process in this PID namespace holds it: a kernel socket, or a process "
                "in another container or PID namespace")
    return f"the OS hides the process holding this socket from this user; {sudo_hint()}"


_QUEUED = ("ESTABLISHED", "SYN_RECV", "CLOSE_WAIT")  # a connection no process has accepted yet


def finish_rows(rows: list[Row]) -> list[Row]:
    """Sort, and explain connections no process holds yet: they wait in a listener's accept queue."""
    if any(r[5] is None and r[4] in _QUEUED for r in rows):  # only with --all
        listening = {(r[0], r[3]): r for r in rows if r[4] == LISTEN}
        rows = [_queued(r, listening.get((r[0], r[3]))) if r[5] is None and r[4] in _QUEUED else r for r in rows]
    return sorted(rows, key=_order)


def _queued(r: Row, owner: Row | None) -> Row:
    if owner is None:
        return r
    by = f" (PID {owner[5]})" if owner[5] is not None else ""
    note = f"not accepted yet: waiting in the accept queue of the listener on {endpoint(owner[2], owner[3])}{by}"
    return (*r[:9], note, r[10])


def _order(r: Row) -> tuple[int, str, bool, str, str, str, str]:
    # Per port and transport: the serving socket first, then its connections.
    return r[3], r[0], r[4] not in SERVING, r[1], r[2], r[4], r[10] or ""
