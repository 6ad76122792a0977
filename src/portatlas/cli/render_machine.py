"""This machine's answers as terminal text: who, listening, ephemeral, and how to check by hand.

`portatlas listening` renders a thousand sockets here, so this module
imports nothing at load time beyond the output module; values are only
read, never built.
"""

from __future__ import annotations

from portatlas.cli.output import Out, plural, printable, this_os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.system.annotate import EphemeralReport, ListenerReport, MachineReport
    from portatlas.system.howto import CheckCommand

SYSTEM_TITLES = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


def where(rep: MachineReport) -> str:
    """'307/tcp or 307/udp' (or the one transport asked)."""
    ts = [rep.transport.value] if rep.transport else ["tcp", "udp"]
    return " or ".join(f"{rep.port}/{t}" for t in ts)


def nothing(out: Out, rep: MachineReport, indent: int = 0) -> None:
    """'nothing is listening on 307/tcp or 307/udp here', with what the OS may have hidden."""
    verb = "bound to" if rep.include_all else "listening on"
    out.line(f"nothing is {verb} {where(rep)} here", indent)
    for n in rep.notes:
        out.line(f"note: {n}", indent + 2, hang=6)


def holder(x: ListenerReport) -> str:
    """'postgres (PID 9518, user postgres)' or what stands in for a hidden owner."""
    s = x.listener
    if s.pid is None:
        return "no process visible"
    bits = f"PID {s.pid}, user {printable(s.user)}" if s.user else f"PID {s.pid}"
    return f"{printable(s.process) if s.process else '(name hidden)'} ({bits})"


def registry_label(x: ListenerReport) -> str:
    """'postgresql', 'unassigned (system)', 'reserved (user)', 'dynamic/private'."""
    if x.state == "assigned":
        return ", ".join(x.names[:3]) + (f" +{len(x.names) - 3}" if len(x.names) > 3 else "")
    if x.range == "dynamic":
        return "dynamic/private"
    return f"{x.state} ({x.range})"


def _tint_word(x: ListenerReport) -> str:
    return "dynamic" if x.state == "unassigned" and x.range == "dynamic" else str(x.state)


def sockets(out: Out, rep: MachineReport, indent: int = 0) -> None:
    """Each socket of a ``who`` answer in a few lines: endpoint and state, process, command, notes, flags."""
    if not rep.sockets:
        nothing(out, rep, indent)
        return
    sub = indent + 4
    for x in rep.sockets:
        s = x.listener
        head = out.bold(f"{s.transport}  {s.family}  {s.endpoint}  {s.state}")
        out.line(head + (f"  peer {s.remote}" if s.remote else ""), indent)
        out.line(f"process  {holder(x)}", sub, hang=9)
        if s.cmdline:
            out.line(f"command  {printable(s.cmdline)}", sub, hang=9)
        if s.note:
            out.line(f"note     {s.note}", sub, hang=9)
        for f in x.flags:
            out.line(f"{out.tint('caution', '!')} {f.code}: {f.message}", sub, hang=4)
    for n in rep.notes:
        out.line(f"note: {n}", indent, hang=6)


def who(out: Out, rep: MachineReport, headline: str) -> None:
    """Every socket on one port under the registry's headline for the port."""
    out.line(out.bold(headline))
    out.line()
    sockets(out, rep)


def spans(ports: Sequence[int]) -> str:
    """'22, 8000-8002, 8080': sorted ports with runs joined."""
    out: list[str] = []
    ps = sorted(set(ports))
    i = 0
    while i < len(ps):
        j = i
        while j + 1 < len(ps) and ps[j + 1] == ps[j] + 1:
            j += 1
        out.append(str(ps[i]) if i == j else f"{ps[i]}-{ps[j]}")
        i = j + 1
    return ", ".join(out)


def who_many(out: Out, reps: Sequence[MachineReport], headlines: dict[int, str]) -> None:
    """A list of ports: each port something holds, then one line naming the ports nothing holds."""
    found = [r for r in reps if r.sockets]
    for r in found:
        if out.lines:
            out.line()
        who(out, r, headlines[r.port or 0])
    idle: dict[str, list[int]] = {}  # by the transport asked, in the order first asked
    for r in reps:
        if not r.sockets and r.port is not None:
            idle.setdefault(r.transport.value if r.transport else "tcp or udp", []).append(r.port)
    if idle:
        if out.lines:
            out.line()
        verb = "bound to" if reps[0].include_all else "listening on"
        for on, ports in idle.items():
            out.line(f"nothing is {verb} {spans(ports)} ({on}) here", 0, hang=4)
        for n in dict.fromkeys(n for r in reps for n in r.notes):
            out.line(f"note: {n}", 2, hang=6)


def listening(out: Out, rep: MachineReport) -> None:
    """One line per socket: transport, endpoint, registry reading, holder, flag codes; notes below.

    Columns are padded on the plain text and styled after, so a thousand
    sockets cost one pass of string formatting (``Out.table`` measures styled cells).
    """
    state_col = rep.include_all
    notes: dict[str, int] = {}
    flagged: dict[str, str] = {}
    cols: list[tuple[str, ...]] = []
    words: list[str] = []
    lasts: list[str] = []
    n_flag = 0
    holders: dict[tuple[object, ...], str] = {}  # many sockets share a process, many a registry reading
    labels: dict[tuple[object, ...], tuple[str, str]] = {}
    for x in rep.sockets:
        s = x.listener
        who = (s.pid, s.process, s.user)
        last = holders.get(who) or holders.setdefault(who, holder(x))
        if s.note:
            last += f" [note {notes.setdefault(s.note, len(notes) + 1)}]"
        if x.flags:
            n_flag += 1
            last += "  ! " + ", ".join([f.code for f in x.flags])
            for f in x.flags:
                flagged.setdefault(f.code, f.message)
        reading = (x.state, x.range, x.names)
        label, word = labels.get(reading) or labels.setdefault(reading, (registry_label(x), _tint_word(x)))
        cols.append((s.transport, s.endpoint, s.state, s.remote or "-", label) if state_col
                    else (s.transport, s.endpoint, label))
        words.append(word)
        lasts.append(last)
    head = ("proto", "local address", "state", "peer", "registry") if state_col else ("proto", "local address",
                                                                                         "registry")
    widths = [max([len(h)] + [len(c[i]) for c in cols]) for i, h in enumerate(head)]
    reg = len(head) - 1
    lead = sum(widths) + 2 * len(widths)
    hang = out.room(lead)
    out.line("  ".join(out.bold(h.ljust(w)) for h, w in zip(head, widths)) + "  " + out.bold("process"))
    styled = out.styled
    add = out.lines.append
    for c, word, last in zip(cols, words, lasts):
        cells = [v.ljust(w) for v, w in zip(c, widths)]
        if styled:
            cells[reg] = out.tint(word, cells[reg])
            last = last.replace("  ! ", f"  {out.tint('caution', '!')} ")
        text = "  ".join(cells) + "  " + last
        if out.width is None:
            add(text)  # piped: one socket per line, as it is
        else:
            out.line(text, 0, hang=hang)
    e = rep.ephemeral
    out.line()
    out.line(f"{plural(len(rep.sockets), 'socket')}, {n_flag} flagged; ephemeral range {e.low}-{e.high} "
             f"({'default' if e.is_default else 'read from'} {e.source}); registry edition {rep.edition}")
    for text, mark in notes.items():
        out.line(f"note {mark}: {text}", hang=4)
    for n in rep.notes:
        out.line(f"note: {n}", hang=4)
    if flagged:
        out.line("flags (one example each; 'portatlas who PORT' explains a port):")
        for code, msg in flagged.items():
            out.line(f"{out.tint('caution', code)}: {msg}", 2, hang=4)


def ephemeral(out: Out, rep: EphemeralReport) -> None:
    """The range, where it was read, the reserved holes, and its overlap with assigned ports."""
    from portatlas.model import span_text  # here, not at load: `listening` renders without it

    e = rep.range
    how = f"{e.source}: not read from this machine" if e.is_default else f"read from {e.source}"
    out.line(out.bold(f"Ephemeral ports here: {e.low}-{e.high} ({plural(e.size, 'port')})"))
    out.line(how, 2)
    if e.reserved:
        holes = ", ".join(span_text(a, b) for a, b in e.reserved)
        out.line(f"reserved (never handed out as client ports): {holes}", 2, hang=4)
    elif e.system == "linux" and not e.is_default:
        out.line("reserved: none (net.ipv4.ip_local_reserved_ports is empty)", 2)
    if e.excluded:
        spans = ", ".join(span_text(a, b) for a, b in e.excluded)
        out.line(f"excluded (Windows refuses to bind these): {spans}", 2, hang=4)
    out.line()
    if rep.matches_iana:
        out.line("This is RFC 6335's Dynamic/Private range (49152-65535): no registered service lies inside it.")
    else:
        counts = ", ".join(f"{n:,} on {str(t).upper()}" for t, n in rep.assigned_inside.items())
        out.line(f"Registered services inside it: {counts}. A server on one of them can find its port "
                 "taken by an outgoing connection.")
        if rep.examples:
            ex = ", ".join(f"{x.port} {'/'.join(x.names)}" for x in rep.examples)
            out.line(f"for example {ex}", 2, hang=4)
        out.line("RFC 6335 recommends 49152-65535 (Dynamic/Private) for ephemeral ports.")
    out.line(f"Registry edition {rep.edition}")


def checks(out: Out, cmds: Sequence[CheckCommand], all_os: bool = False) -> None:
    """"How to check" by hand: this machine's system first, the others with ``all_os``."""
    mine = this_os()
    systems = [mine] + ([s for s in SYSTEM_TITLES if s != mine] if all_os else [])
    for system in systems:
        rows = [(c.command, c.shows) for c in cmds if c.system == system]
        if rows:
            out.heading(f"How to check ({SYSTEM_TITLES[system]})")
            out.table(rows)
    if not all_os:
        out.line("(--all-os for the other systems' commands)", 2)
