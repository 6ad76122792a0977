"""The short verdict in `portatlas PORT`: should I use it, for a production TCP service (and over HTTP).

It reads the registry, the ephemeral range and nmap's table but no socket
table, so the answer cache may keep it (its key covers those files).
"""

from __future__ import annotations

from portatlas.value import replace
from typing import Any

from portatlas.atlas import Registry
from portatlas.model import PortReport

# PortReport.extras key: JSON form, and the heading of the text form.
ADVICE = ("advice", "Should I use it?")


def with_advice(rep: PortReport, reg: Registry, *, as_json: bool) -> PortReport:
    """The report with the short verdict added: an ``advice`` object in JSON, a section in text."""
    from portatlas.advice import short_advice

    plain, web = short_advice(reg, rep.port)
    value: Any
    if as_json:
        value = {"production_tcp": plain, "http": web, "more": f"portatlas advise {rep.port}"}
        return replace(rep, extras=rep.extras + ((ADVICE[0], value),))
    from portatlas.cli.render_advice import short_text

    return replace(rep, extras=rep.extras + ((ADVICE[1], short_text(plain, web)),))
