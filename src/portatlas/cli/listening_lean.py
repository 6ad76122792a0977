"""`portatlas listening --json` on Linux without the library's value types.

The answer is the library path's (``annotate.machine`` then
``render_machine.machine_json``), byte for byte, because it is built from
the same parts: the same rows (``system.processes``), the same reading
against the registry (``system.flags.Reader``), the same writer
(``json_lines``). Only the frozen dataclasses, enums, argparse and pathlib
are left out: importing them cost ~40 ms, more than the whole answer.
Tests run both paths on the same real sockets and compare the text.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from portatlas.index import Index
    from portatlas.system.ephemeral_read import Values
    from portatlas.system.rows import Row

_FLAGS = {"--json": "json", "--all": "all", "-a": "all"}
_TRANSPORT_OPTIONS = ("--transport", "-t")


def parse(argv: list[str]) -> tuple[bool, str | None] | None:
    """(include_all, transport) when ``argv`` asks for JSON in a form the lean path answers, else None.

    Only the plain spellings (``--json``, ``--all``/``-a``, ``--transport``/``-t``
    with tcp or udp), each once; anything else, including every mistake, goes
    to argparse so errors read the same.
    """
    seen: set[str] = set()
    transport = None
    args = iter(argv)
    for a in args:
        if a.startswith("--transport="):
            a, value = "--transport", a.partition("=")[2]
        elif a in _TRANSPORT_OPTIONS:
            value = next(args, "")
        else:
            what = _FLAGS.get(a)
            if what is None or what in seen:
                return None
            seen.add(what)
            continue
        if "transport" in seen or value.lower() not in ("tcp", "udp"):
            return None
        seen.add("transport")
        transport = value.lower()
    if "json" not in seen:
        return None
    return "all" in seen, transport


def applies() -> bool:
    """Whether the library would read this machine with ``ProcfsProbe`` (Linux, /proc, not forced to psutil)."""
    from portatlas.system.socktable import available

    return (sys.platform.startswith("linux") and os.environ.get("PORTATLAS_LISTENER_PROBE", "").lower()
            in ("", "procfs") and available())


def run(include_all: bool, transport: str | None) -> int:
    """Print the answer; exit 0, or 1 when there is no socket at all (as ``listening`` does)."""
    from portatlas.index import load
    from portatlas.source.paths import current_source_path
    from portatlas.system.ephemeral_read import read_range
    from portatlas.system.processes import rows

    found = [r for r in rows(include_all) if transport is None or r[0] == transport]
    text = render(found, load(current_source_path()), read_range(), include_all, transport)
    sys.stdout.write(text)
    sys.stdout.write("\n")  # not text + "\n": that would copy the whole answer once more
    return 0 if found else 1


def render(found: list[Row], index: Index, eph: Values, include_all: bool, transport: str | None) -> str:
    """The JSON answer for these rows, read against ``index`` and the ephemeral range ``eph``."""
    from portatlas.index import STATE_VALUES
    from portatlas.system.flags import Reader, range_value
    from portatlas.cli.json_lines import EPHEMERAL_KEYS, SocketWriter, answer

    low, high, reserved = eph[0], eph[1], eph[2]
    reader = Reader(index, low, high, reserved)
    w = SocketWriter()
    lines = []
    for row in found:
        code, names, flags = reader.read(row[3], row[0], row[4], row[6], row[7])
        lines.append(w.line(row, STATE_VALUES[code], range_value(row[3]), names, flags))
    return answer(None, transport, include_all, lines, (), True, dict(zip(EPHEMERAL_KEYS, eph)), index.edition)
