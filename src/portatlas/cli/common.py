"""What every command shares: an argument parser that fails in one line, and output helpers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, NoReturn

from portatlas.errors import BadInput
from portatlas.model import to_json
from portatlas.query.grammar import parse_port, shown


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a ``BadInput`` (one line, exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see 'portatlas {self.prog.split()[-1]} --help')")


def parser(command: str, description: str) -> Parser:
    """A parser for one command, with the shared --json option."""
    p = Parser(prog=f"portatlas {command}", description=description)
    p.add_argument("--json", action="store_true", help="print the answer as JSON (schema: docs/json.md)")
    return p


def completes(action: argparse.Action, what: str) -> argparse.Action:
    """Mark an argument for shell completion (`portatlas completion`): "service" completes registry names.

    Files and directories need no mark: an argument whose metavar says FILE or DIR completes paths.
    """
    action.completes = what  # type: ignore[attr-defined]  # argparse keeps unknown attributes on actions
    return action


def emit_json(value: Any) -> None:
    """Print a model value (or plain data holding them) as indented JSON."""
    sys.stdout.write(json.dumps(to_json(value), indent=2, ensure_ascii=False) + "\n")


def styled() -> bool:
    """Whether to use terminal styling: stdout is a terminal and NO_COLOR is unset."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def bold(text: str) -> str:
    """Bold on a terminal, plain when piped."""
    return f"\033[1m{text}\033[0m" if styled() else text


def write(text: str) -> None:
    """Print text, ending with one newline."""
    sys.stdout.write(text.rstrip("\n") + "\n")


def port_and_transport(text: str, option: str | None) -> tuple[int, str | None]:
    """'5432', or '5432/tcp' as ss and /etc/services write it; a clash with --transport is bad input."""
    number, sep, proto = text.strip().partition("/")
    if not sep:
        return parse_port(number), option
    t = proto.strip().lower()
    if t not in ("tcp", "udp"):
        raise BadInput(f"{shown(text)}: this machine's socket table is read for tcp and udp; "
                       "write PORT, PORT/tcp or PORT/udp")
    if option and option != t:
        raise BadInput(f"{shown(text)} and --transport {option} disagree: give the transport once")
    return parse_port(number), t
