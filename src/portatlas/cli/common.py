"""Output helpers and argument readers several commands share (their parsing is ``portatlas.cli.args``)."""

from __future__ import annotations

import sys

from portatlas.errors import BadInput
from portatlas.query.grammar import parse_port, shown


def write(text: str) -> None:
    """Print text, ending with one newline."""
    sys.stdout.write(text.rstrip("\n") + "\n")


def port_and_transport(text: str, option: str | None,
                       why: str = "this machine's socket table is read for tcp and udp") -> tuple[int, str | None]:
    """'5432', or '5432/tcp' as ss and /etc/services write it; a clash with --transport is bad input.
    ``why`` says what works on TCP and UDP only, for the message refusing another transport."""
    number, sep, proto = text.strip().partition("/")
    if not sep:
        return parse_port(number), option
    t = proto.strip().lower()
    if t not in ("tcp", "udp"):
        known = t in ("sctp", "dccp")
        raise BadInput(f"{shown(text)}: " + (f"{why}, not {t}" if known
                                             else f"{shown(proto)} is not a transport")
                       + "; write PORT, PORT/tcp or PORT/udp")
    if option and option != t:
        raise BadInput(f"{shown(text)} and --transport {option} disagree: give the transport once")
    return parse_port(number), t
