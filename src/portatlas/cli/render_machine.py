"""Plain-text renderings of this machine's answers: who, listening, ephemeral, how to check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from portatlas.model import PortRange, State, Transport
from portatlas.cli.common import bold

if TYPE_CHECKING:  # types only: `portatlas PORT` imports this module and must stay light
    from portatlas.system.annotate import EphemeralReport, ListenerReport, MachineReport
    from portatlas.system.howto import CheckCommand

SYSTEM_TITLES = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


def nothing_text(rep: MachineReport) -> str:
    """'nothing is listening on 307/tcp or 307/udp here', with what the OS may have hidden."""
    ts = [rep.transport] if rep.transport else [Transport.TCP, Transport.UDP]
    where = " or ".join(f"{rep.port}/{t.value}" for t in ts)
    verb = "bound to" if rep.include_all else "listening on"
    lines = [f"nothing is {verb} {where} here"]
    lines += [f"  note: {n}" for n in rep.notes]
    return "\n".join(lines)


def holder(x: ListenerReport) -> str:
    """'postgres (PID 9518, user postgres)' or what stands in for a hidden owner."""
    s = x.listener
    if s.pid is None:
        return "no process visible"
    bits = [f"PID {s.pid}"] + ([f"user {s.user}"] if s.user else [])
    return f"{s.process or '(name hidden)'} ({', '.join(bits)})"


def registry_label(x: ListenerReport) -> str:
    """'postgresql', 'unassigned (system)', 'reserved', 'dynamic/private'."""
    if x.state is State.ASSIGNED:
        names = ", ".join(x.names[:3]) + (f" +{len(x.names) - 3}" if len(x.names) > 3 else "")
        return names
    if x.range is PortRange.DYNAMIC:
        return "dynamic/private"
    return f"{x.state.value} ({x.range.value})"


def who_text(rep: MachineReport, headline: str) -> str:
    """Every socket on one port, in a few lines each, under the registry's headline for the port."""
    return "\n".join([bold(headline), "", sockets_text(rep)])


def sockets_text(rep: MachineReport, indent: str = "") -> str:
    """Each socket of a ``who`` answer in a few lines: endpoint and state, process, command, notes, flags."""
    if not rep.sockets:
        return "\n".join(indent + line for line in nothing_text(rep).splitlines())
    out = []
    for x in rep.sockets:
        s = x.listener
        head = f"{s.transport.value}  {s.family}  {s.endpoint}  {s.state}"
        out.append(indent + bold(head) + (f"  peer {s.remote}" if s.remote else ""))
        out.append(f"{indent}    process  {holder(x)}")
        if s.cmdline:
            out.append(f"{indent}    command  {s.cmdline}")
        if s.note:
            out.append(f"{indent}    note     {s.note}")
        for f in x.flags:
            out.append(f"{indent}    ! {f.code}: {f.message}")
    out += [f"{indent}note: {n}" for n in rep.notes]
    return "\n".join(out).rstrip()


def listening_text(rep: MachineReport) -> str:
    """One line per socket: transport, endpoint, registry reading, holder, flag codes; notes below."""
    rows = rep.sockets
    ep_w = max([len(x.listener.endpoint) for x in rows] + [14])
    reg_w = min(max([len(registry_label(x)) for x in rows] + [8]), 28)
    state_col = rep.include_all
    peer_w = max([len(x.listener.remote or "") for x in rows] + [4])
    head = f"{'proto':<5} {'local address':<{ep_w}} "
    if state_col:
        head += f"{'state':<11} {'peer':<{peer_w}} "
    head += f"{'registry':<{reg_w}} process"
    out = [bold(head)]
    notes: dict[str, int] = {}
    flagged: dict[str, str] = {}
    for x in rows:
        s = x.listener
        line = f"{s.transport.value:<5} {s.endpoint:<{ep_w}} "
        if state_col:
            line += f"{s.state:<11} {s.remote or '-':<{peer_w}} "
        line += f"{registry_label(x)[:reg_w]:<{reg_w}} {holder(x)}"
        if s.note:
            mark = notes.setdefault(s.note, len(notes) + 1)
            line += f" [note {mark}]"
        if x.flags:
            line += "  ! " + ", ".join(f.code for f in x.flags)
            for f in x.flags:
                flagged.setdefault(f.code, f.message)
        out.append(line)
    n_flag = sum(1 for x in rows if x.flags)
    out.append("")
    out.append(f"{len(rows)} socket{'s' if len(rows) != 1 else ''}, {n_flag} flagged; ephemeral range "
               f"{rep.ephemeral.low}-{rep.ephemeral.high} ({'default' if rep.ephemeral.is_default else 'read from'} "
               f"{rep.ephemeral.source}); registry edition {rep.edition}")
    for text, mark in notes.items():
        out.append(f"note {mark}: {text}")
    for n in rep.notes:
        out.append(f"note: {n}")
    if flagged:
        out.append("flags (one example each; 'portatlas who PORT' explains a port):")
        out += [f"  {code}: {msg}" for code, msg in flagged.items()]
    return "\n".join(out)


def ephemeral_text(rep: EphemeralReport) -> str:
    """The range, where it was read, the reserved holes, and its overlap with assigned ports."""
    e = rep.range
    how = f"{e.source}: not read from this machine" if e.is_default else f"read from {e.source}"
    out = [bold(f"Ephemeral ports here: {e.low}-{e.high} ({e.size:,} ports)"), f"  {how}"]
    if e.reserved:
        holes = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in e.reserved)
        out.append(f"  reserved (never handed out as client ports): {holes}")
    elif e.system == "linux" and not e.is_default:
        out.append("  reserved: none (net.ipv4.ip_local_reserved_ports is empty)")
    out.append("")
    if rep.matches_iana:
        out.append("This is RFC 6335's Dynamic/Private range (49152-65535): no registered service lies inside it.")
    else:
        counts = ", ".join(f"{n:,} on {t.value.upper()}" for t, n in rep.assigned_inside.items())
        out.append(f"Registered services inside it: {counts}. A server on one of them can find its port "
                   "taken by an outgoing connection.")
        if rep.examples:
            ex = ", ".join(f"{x.port} {'/'.join(x.names)}" for x in rep.examples)
            out.append(f"  for example {ex}")
        out.append("RFC 6335 recommends 49152-65535 (Dynamic/Private) for ephemeral ports.")
    out.append(f"Registry edition {rep.edition}")
    return "\n".join(out)


def checks_text(cmds: Sequence[CheckCommand], indent: str = "  ") -> str:
    """How to check by hand, grouped by operating system."""
    out = []
    for system in dict.fromkeys(c.system for c in cmds):
        out.append(f"{indent}{SYSTEM_TITLES.get(system, system)}")
        for c in cmds:
            if c.system == system:
                out.append(f"{indent}  {c.command}")
                out.append(f"{indent}      {c.shows}")
    return "\n".join(out)


def machine_json(rep: MachineReport) -> str:
    """The ``who``/``listening`` answer as JSON, one socket per line.

    Equal, once parsed, to ``to_json(rep)`` (a test holds them together);
    written by ``json_lines``, as `portatlas listening --json`'s lean path
    writes it, because the generic path and an indenting encoder cost ten
    times more with a thousand sockets.
    """
    from portatlas.model import to_json
    from portatlas.cli.json_lines import SocketWriter, answer

    w = SocketWriter()
    socks = []
    for x in rep.sockets:
        s = x.listener
        row = (s.transport.value, s.family, s.address, s.port, s.state, s.pid, s.process, s.cmdline, s.user,
               s.note, s.remote)
        socks.append(w.line(row, x.state.value, x.range.value, x.names, [(f.code, f.message) for f in x.flags]))
    return answer(rep.port, rep.transport.value if rep.transport else None, rep.include_all, socks, rep.notes,
                  rep.complete, to_json(rep.ephemeral), rep.edition)
