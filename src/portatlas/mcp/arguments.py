"""What each MCP tool takes: an argument's JSON Schema and its reader, declared side by side.

The schema tells a client what is valid; the reader is what enforces it, with
the one grammar (``portatlas.query.grammar``) and the library's own parsers, so
``"1e3"`` or ``70000`` is refused here with the same sentence as on the command
line. Every refusal is a ``BadInput`` naming the argument and what is valid.
The patterns document the canonical forms; the grammar also takes what people
write (``80/TCP``, ``port 443``, spaces after commas).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from portatlas.errors import BadInput
from portatlas.model import PORT_MAX, PortRange, Transport
from portatlas.query.grammar import LIST_PATTERN, PORT_PATTERN, parse_port, parse_range, parse_transport, shown
from portatlas.value import value

TRANSPORTS = tuple(str(t) for t in Transport)
PORTS_PATTERN = LIST_PATTERN
MAX_TEXT = 200


@value
class Param:
    """One argument: its name, its JSON Schema, the reader that checks and converts what a client sent,
    whether it must be given, and the value used when it is not (or is null)."""

    name: str
    schema: Mapping[str, Any]
    read: Callable[[object], object]
    required: bool = False
    default: object = None


def input_schema(params: tuple[Param, ...]) -> dict[str, Any]:
    """The tool's inputSchema: an object of exactly these arguments."""
    return {"type": "object", "properties": {p.name: dict(p.schema) for p in params},
            "required": [p.name for p in params if p.required], "additionalProperties": False}


def read_arguments(tool: str, params: tuple[Param, ...], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every argument read (defaults filled in); ``BadInput`` for an unknown, missing or invalid one."""
    given = given or {}
    names = [p.name for p in params]
    for key in given:
        if key not in names:
            takes = f"it takes {', '.join(names)}" if names else "it takes no arguments"
            raise BadInput(f"unknown argument {shown(str(key))} for {tool}: {takes}")
    out: dict[str, Any] = {}
    for p in params:
        raw = given.get(p.name)
        if raw is None:
            if p.required:
                raise BadInput(f"{tool} needs {p.name}: {p.schema.get('description', p.name)}")
            out[p.name] = p.default
        else:
            out[p.name] = p.read(raw)
    return out


def _text_of(name: str, raw: object, max_len: int = MAX_TEXT) -> str:
    if not isinstance(raw, str):
        raise BadInput(f"{name} must be text, not {type(raw).__name__} {shown(str(raw))}")
    if len(raw) > max_len:
        raise BadInput(f"{name} is {len(raw)} characters long: give at most {max_len}")
    return raw


def text(name: str, description: str, *, required: bool = False, max_len: int = MAX_TEXT) -> Param:
    """A string of 1 to ``max_len`` characters (a name, search words)."""
    def read(raw: object) -> str:
        s = _text_of(name, raw, max_len).strip()
        if not s:
            raise BadInput(f"{name} is empty: {description}")
        return s

    return Param(name, {"type": "string", "minLength": 1, "maxLength": max_len, "description": description},
                 read, required)


def ports(name: str, description: str, *, one: bool = False, transports: tuple[str, ...] = TRANSPORTS,
          required: bool = True) -> Param:
    """A port as an integer 0-65535, or the grammar's text: '80/tcp' (a transport of ``transports``), and
    unless ``one`` also a range '8000-8100' or a list '22,80,8000-8100'. The reader gives the text for the
    grammar to read; with no ``transports`` it is a bare port and the reader gives its number."""
    after = "(/(" + "|".join(transports) + "))?" if transports else ""
    pattern = PORTS_PATTERN if not one else rf"^{PORT_PATTERN}{after}$"
    example = f" or text such as '80/{transports[0]}'" if transports else ""

    def read(raw: object) -> object:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise BadInput(f"{name} {shown(str(raw))} is not a port: give a whole number from 0 to 65535{example}")
        if isinstance(raw, int):
            port = parse_port(raw)
            return port if not transports else str(port)
        s = _text_of(name, raw)
        return s if transports else parse_port(s)

    schema = {"description": description, "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": PORT_MAX},
        {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": pattern}]}
    return Param(name, schema, read, required)


def integer(name: str, description: str, low: int, high: int, default: int) -> Param:
    """A whole number within [low, high] (a digit string is read too)."""
    def read(raw: object) -> int:
        s = str(raw).strip()
        digits = s[1:] if s.startswith("-") else s
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not (digits.isascii() and digits.isdigit()):
            raise BadInput(f"{name} {shown(str(raw))} is not a whole number: give one from {low} to {high}")
        if len(digits) > 12 or not low <= int(s) <= high:
            raise BadInput(f"{name} {shown(s) if len(s) > 12 else s} is out of range: "
                           f"give a whole number from {low} to {high}")
        return int(s)

    return Param(name, {"type": "integer", "minimum": low, "maximum": high, "default": default,
                        "description": description}, read, default=default)


def flag(name: str, description: str) -> Param:
    """true or false (default false)."""
    def read(raw: object) -> bool:
        if not isinstance(raw, bool):
            raise BadInput(f"{name} must be true or false, not {shown(str(raw))}")
        return raw

    return Param(name, {"type": "boolean", "default": False, "description": description}, read, default=False)


def choice(name: str, description: str, values: tuple[str, ...], parse: Callable[[str], object],
           default: str | None = None) -> Param:
    """One of ``values``, read by the library's own parser (``parse``), which names what is valid."""
    def read(raw: object) -> object:
        return parse(_text_of(name, raw))

    schema: dict[str, Any] = {"type": "string", "enum": list(values), "description": description}
    if default is not None:
        schema["default"] = default
    return Param(name, schema, read, default=parse(default) if default is not None else None)


def transport(description: str = "only this transport (default: every transport)",
              values: tuple[str, ...] = TRANSPORTS) -> Param:
    """A transport, read by the grammar; ``values`` narrows what is accepted (this machine: tcp, udp)."""
    def parse(s: str) -> Transport | None:
        t = parse_transport(s)
        if t is not None and str(t) not in values:
            raise BadInput(f"transport {shown(s)} is not one of {', '.join(values)} here")
        return t

    return choice("transport", description, values, parse)


def port_range(description: str, values: tuple[str, ...] = ("system", "user", "dynamic")) -> Param:
    """An RFC 6335 range name, read by the grammar."""
    def parse(s: str) -> PortRange | None:
        r = parse_range(s)
        if r is not None and str(r) not in values:
            raise BadInput(f"range {shown(s)} is not one of {', '.join(values)} here")
        return r

    return choice("range", description, values, parse)


def transports(name: str, description: str) -> Param:
    """A list of transports (a single one is read as a list of one)."""
    def read(raw: object) -> tuple[Transport, ...]:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise BadInput(f"{name} must be a list of transports such as [\"tcp\", \"udp\"]")
        found = [parse_transport(_text_of(name, x)) for x in items]
        return tuple(dict.fromkeys(t for t in found if t is not None))

    schema = {"type": "array", "items": {"type": "string", "enum": list(TRANSPORTS)}, "uniqueItems": True,
              "description": description}
    return Param(name, schema, read, default=())
