"""The machine's parts of a port's answer: "How to check" (always) and, with --local, who holds it now.

Kept apart from lookup.py so `portatlas PORT` imports only the pure command
text; psutil is loaded only with --local.
"""

from __future__ import annotations

from portatlas.value import replace
from typing import Any

from portatlas.atlas import Registry
from portatlas.model import PortReport
from portatlas.system.howto import check_commands
from portatlas.cli import render_machine

# PortReport.extras keys: JSON form, and the heading of the text form.
HOW_TO_CHECK = ("how_to_check", "How to check")
LOCAL = ("local", "On this machine now")


def with_machine(rep: PortReport, reg: Registry, *, local: bool, as_json: bool) -> PortReport:
    """The report with "How to check" added, and the live ``who`` answer when ``local``.

    JSON gets structured values (``how_to_check``: CheckCommand list,
    ``local``: the ``who`` answer); text gets rendered sections.
    """
    cmds = check_commands(rep.port)
    extras: list[tuple[str, Any]] = [
        (HOW_TO_CHECK[0], cmds) if as_json else (HOW_TO_CHECK[1], render_machine.checks_text(cmds))]
    if local:
        from portatlas.system.annotate import machine

        m = machine(reg, rep.port)
        extras.append((LOCAL[0], m) if as_json else (LOCAL[1], render_machine.sockets_text(m, indent="  ")))
    return replace(rep, extras=rep.extras + tuple(extras))
