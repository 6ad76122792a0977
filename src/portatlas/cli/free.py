"""`portatlas free PORT[/tcp|/udp]`: stop whatever holds a port: SIGTERM, then SIGKILL (asks first).

The logic is ``portatlas.system.free``.
Exit codes: 0 freed (or, with --dry-run, the commands printed), 1 nothing
holds the port, 2 bad input, 6 refused (PID 1, an ancestor of this command,
another user's process without root, a process the OS hides, the user said
no, or no terminal to ask on), 7 still held after SIGKILL.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from portatlas.cli.args import Arg, Args, Command, Opt, run_with
from portatlas.cli.common import port_and_transport, write
from portatlas.cli.output import emit_json, printable
from portatlas.errors import BadInput
from portatlas.query.grammar import shown
from portatlas.system.free import Container, FreePlan, FreeResult, Holder, plan, stop

FREED, NOTHING, REFUSED, HELD = 0, 1, 6, 7
_SAID = {"stopped": "stopped (SIGTERM)", "killed": "killed (SIGKILL: still running after {t:g} s)",
         "gone": "had already exited", "denied": "the OS refused the signal",
         "survived": "still running after SIGKILL (uninterruptible? see 'cat /proc/{pid}/stack')"}


SPEC = Command(
    "free", "stop whatever holds a port (asks first; --dry-run prints the kill commands)",
    args=(Arg("port", "PORT (tcp and udp), PORT/tcp or PORT/udp"),),
    opts=(
        Opt(("--yes", "-y"), "yes", help="stop them without asking (for scripts)"),
        Opt(("--dry-run", "-n"), "dry_run", help="print the kill commands, as shell, and stop nothing"),
        Opt(("--timeout",), "timeout", "SECONDS", "seconds between SIGTERM and SIGKILL (0-3600)", default="5"),
    ),
    description="Stop whatever holds PORT: show each process (PID, user, command line; for docker-proxy, the "
                "container), ask, send SIGTERM, then SIGKILL after --timeout seconds, and check the port again. "
                "Never PID 1 or an ancestor of this command; other users' processes only as root. Exit 0 freed, "
                "1 nothing holds it, 2 bad input, 6 refused, 7 still held.",
    completes="ports",
)


def run(argv: list[str]) -> int:
    """Free a port; see the module's docstring for the exit codes."""
    return run_with(SPEC, argv, _run)


def _seconds(text: str) -> float:
    try:
        t = float(text)
    except ValueError:
        raise BadInput(f"--timeout {shown(text)} is not a number of seconds: give 0 to 3600") from None
    if not (math.isfinite(t) and 0 <= t <= 3600):
        raise BadInput(f"--timeout {t:g}: give 0 to 3600 seconds")
    return t


def _run(args: Args) -> int:
    timeout = _seconds(str(args.get("timeout") or "5"))
    port, transport = port_and_transport(str(args.port), None)
    p = plan(port, transport)
    if not p.holders:
        return _done(args, p, "nothing", NOTHING, f"nothing holds {p.label} here")
    if not args.json and not args.dry_run:
        write(_holders_text(p))
    if p.refused:
        n = len(p.refused)
        return _done(args, p, "refused", REFUSED, f"refused: {n} of {len(p.holders)} holders of {p.label} "
                     f"{'is' if n == 1 else 'are'} not to be stopped{_reasons(p)}; nothing was stopped",
                     err=True)
    if args.dry_run:
        return _done(args, p, "dry-run", FREED, _dry_run_text(p, timeout))
    if not args.yes:
        if not sys.stdin.isatty():
            return _done(args, p, "no-terminal", REFUSED, "refused: no terminal to ask on; pass --yes to stop "
                         "them, or --dry-run to print the commands", err=True)
        if not _ask(p, timeout):
            return _done(args, p, "declined", REFUSED, "nothing was stopped", err=True)
    result = stop(p, timeout)
    code = FREED if result.freed else HELD
    if args.json:
        emit_json(_report(p, "freed" if result.freed else "held", code, result))
    else:
        write(_result_text(result, timeout))
    return code


def _done(args: Args, p: FreePlan, status: str, code: int, text: str, err: bool = False) -> int:
    if args.json:
        emit_json(_report(p, status, code, None))
    elif err:
        sys.stdout.flush()
        sys.stderr.write(f"portatlas: {text}\n")
    else:
        write(text)
    return code


def _report(p: FreePlan, status: str, code: int, result: FreeResult | None) -> dict[str, Any]:
    """The JSON document: the question, the holders, what was done and who holds the port afterwards."""
    return {"port": p.port, "transport": p.transport.value if p.transport else None,
            "holders": list(p.holders), "notes": list(p.notes), "status": status, "exit_code": code,
            "stops": list(result.stops) if result else [],
            "still_held": list(result.still_held) if result else None}


def _reasons(p: FreePlan) -> str:
    codes = list(dict.fromkeys(h.refusal.code for h in p.refused if h.refusal))
    return f" ({', '.join(codes)})"


def _port(p: FreePlan) -> str:
    """'8080/tcp', or 'Port 8080' when both transports were asked about (each socket line names its own)."""
    return p.label if p.transport is not None else f"Port {p.port}"


def _holder_lines(h: Holder) -> list[str]:
    if h.pid is None:
        head = "  no process shown"
    else:
        head = f"  PID {h.pid}  user {_clean(h.user)}  {_clean(h.cmdline or h.process or '(command line hidden)')}"
    lines = [head, *(f"      {s}" for s in h.sockets)]
    if h.container is not None:
        lines.append(f"      a Docker container holds it ({_where(h.container)}): 'docker ps' names it, and "
                     "'docker stop' frees the port for good")
    if h.refusal is not None:
        lines.append(f"      not stopped: {h.refusal.message}")
    return lines


def _clean(text: str | None) -> str:
    """A command line shown safely (``printable``); a process chooses its own, and printed raw it
    could end the dry run's shell comment or drive the terminal."""
    return printable(text) if text else "?"


def _where(c: Container) -> str:
    return f"{c.ip or '?'}:{c.port if c.port is not None else '?'}" + (f"/{c.proto}" if c.proto else "")


def _holders_text(p: FreePlan) -> str:
    n = len(p.holders)
    lines = [f"{_port(p)} is held by {'one process' if n == 1 else f'{n} processes'}:"]
    for h in p.holders:
        lines += _holder_lines(h)
    lines += [f"note: {x}" for x in p.notes]
    return "\n".join(lines)


def _dry_run_text(p: FreePlan, timeout: float) -> str:
    """What stop() would run, as shell: the kill lines, each holder described in a comment."""
    lines: list[str] = []
    for h in p.holders:
        container = f"; a Docker container holds it ({_where(h.container)})" if h.container else ""
        lines.append(f"# PID {h.pid} (user {_clean(h.user)}): {_clean(h.cmdline or h.process)} "
                     f"[{', '.join(h.sockets)}]{container}")
        lines.append(h.commands[0])
    lines.append(f"# then, for any still running after {timeout:g} s:")
    lines += [f"# {h.commands[1]}" for h in p.holders]
    return "\n".join(lines)


def _ask(p: FreePlan, timeout: float) -> bool:
    pids = ", ".join(str(h.pid) for h in p.holders)
    sys.stdout.flush()
    sys.stderr.write(f"Stop PID {pids} (SIGTERM, then SIGKILL after {timeout:g} s)? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def _result_text(r: FreeResult, timeout: float) -> str:
    lines = [f"PID {s.pid}: " + _SAID[s.outcome].format(t=timeout, pid=s.pid) for s in r.stops]
    if r.freed:
        lines.append(f"{_port(r.plan)} is free now")
    else:
        lines.append(f"{_port(r.plan)} is still held:")
        for h in r.still_held:
            lines += _holder_lines(h)
        again = {h.pid for h in r.still_held} - {h.pid for h in r.plan.holders}
        if again - {None}:
            lines.append("new processes took it: a supervisor (systemd, docker, a process manager) may have "
                         "restarted the service; stop it there")
    return "\n".join(lines)
