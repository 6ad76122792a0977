"""The ``who``/``listening`` answer as JSON text, one socket per line, written without the json package.

What ``json.JSONEncoder(ensure_ascii=False)`` writes for the same values,
byte for byte (tests hold them together), at a fraction of the cost: the
json package imports re (~5 ms), and its encoder walks each socket's dicts
where a template fills one line. Strings go through the C function json
itself uses. Both ``render_machine.machine_json`` and `portatlas listening
--json`'s lean path write with this module.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.system.rows import Row

try:
    from _json import encode_basestring as string  # json's own C encoder for ensure_ascii=False
except ImportError:  # an interpreter without json's accelerator
    from json.encoder import py_encode_basestring as string

# EphemeralRange's fields, in order: the keys of the answer's "ephemeral" object.
EPHEMERAL_KEYS = ("low", "high", "reserved", "source", "is_default", "system")


def value(v: object) -> str:
    """JSON of None, a bool, an int, a str, or a list, tuple or str-keyed dict of them."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return string(v)
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{string(k)}: {value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"{type(v).__name__} is not written as JSON here")


class SocketWriter:
    """One socket per line. A machine's sockets share most of what a line says (the address, the
    process, the registry's reading), so those parts are written once and kept; only the port and
    the flags are written for every socket."""

    def __init__(self) -> None:
        self._heads: dict[tuple[str, str, str], str] = {}
        self._middles: dict[tuple[object, ...], str] = {}

    def line(self, row: Row, state: str, range_: str, names: Sequence[str],
             flags: Sequence[tuple[str, str]]) -> str:
        """A socket (a row, see ``portatlas.system.rows``) and the registry's state, range, names and flags."""
        transport, family, address, port, sock_state, pid, process, cmdline, user, note, remote = row
        head = self._heads.get((transport, family, address))
        if head is None:
            head = self._heads[(transport, family, address)] = (
                f'{{"listener": {{"transport": {string(transport)}, "family": {string(family)}, '
                f'"address": {string(address)}, "port": ')
        key = (sock_state, pid, process, cmdline, user, note, remote, state, range_, names)
        middle = self._middles.get(key)
        if middle is None:
            middle = self._middles[key] = (
                f', "state": {string(sock_state)}, "pid": {value(pid)}, "process": {value(process)}, '
                f'"cmdline": {value(cmdline)}, "user": {value(user)}, "note": {value(note)}, '
                f'"remote": {value(remote)}}}, "state": {string(state)}, "range": {string(range_)}, '
                f'"names": [{", ".join(map(string, names))}], "flags": [')
        if not flags:
            return f"{head}{int.__repr__(port)}{middle}]}}"
        listed = ", ".join([f'{{"code": {string(c)}, "message": {string(m)}}}' for c, m in flags])
        return f"{head}{int.__repr__(port)}{middle}{listed}]}}"


def answer(port: int | None, transport: str | None, include_all: bool, sockets: list[str], notes: Sequence[str],
           complete: bool, ephemeral: dict[str, object], edition: str) -> str:
    """The whole answer (``MachineReport``'s fields in order), each socket a line from ``SocketWriter``.

    Joined once: with a thousand sockets the text is ~0.5 MB, and every
    intermediate join or concatenation would copy all of it again.
    """
    parts = ["{\n", f'  "port": {value(port)},\n', f'  "transport": {value(transport)},\n',
             f'  "include_all": {value(include_all)},\n']
    if sockets:
        parts.append('  "sockets": [\n    ')
        for i, line in enumerate(sockets):
            if i:
                parts.append(",\n    ")
            parts.append(line)
        parts.append("\n  ],\n")
    else:
        parts.append('  "sockets": [],\n')
    parts += [f'  "notes": {value(list(notes))},\n', f'  "complete": {value(complete)},\n',
              f'  "ephemeral": {value(ephemeral)},\n', f'  "edition": {value(edition)}\n', "}"]
    return "".join(parts)
