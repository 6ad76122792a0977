"""What a person types, read in one place: a port, ``80/tcp``, a range, a list, or a name.

Every face (the command line, the web's search and paths, the MCP tools)
reads input here, so ``1e3`` is refused alike everywhere and ``80/tcp`` works
wherever a port does:

- a port ``443``; leading zeros are read as written digits (``0080`` is 80);
- a transport after a slash: ``80/tcp`` (tcp, udp, sctp, dccp);
- a range ``8000-8100`` (at most ``MAX_PORTS`` ports), and ``8000-8100/udp``;
- a list ``22,80,8000-8100`` of ports and ranges;
- ``port 443`` (as people write it in a search box);
- anything else is a name: a service name or a program's name.

Text that starts like a number (a digit, ``+``, ``-`` or ``.``) but is no
port, range or list is bad input (``1e3``, ``80-``, ``90-80``, ``70000``),
unless it is a registered service name (``3com-tsmux``, ``914c/g``).
Every refusal is a ``BadInput`` whose message says what was wrong and what is valid.
"""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.model import PORT_MAX, PortRange, Transport
from portatlas.value import Choice, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ClassVar

_SHOW = 40  # characters of a bad argument quoted back; a 100,000-character one is cut
MAX_PORTS = 4096  # ports a range or list may hold in one answer
MAX_NAME = 200
VALID = "a port (0-65535), PORT/tcp, a range LOW-HIGH, a list such as 22,80,8000-8100, or a service name"

# The canonical written forms as regular expressions (the common subset of Python's and ECMA-262's), for
# the schemas that document them (OpenAPI, MCP): a port 0-65535 with any leading zeros, an item with an
# optional range and transport, and a list of items. What they cannot say (a range written backwards, more
# than MAX_PORTS ports) the grammar says when it refuses.
PORT_PATTERN = r"0*(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
TRANSPORT_PATTERN = "(?:tcp|udp|sctp|dccp)"
ITEM_PATTERN = rf"{PORT_PATTERN}(?:-{PORT_PATTERN})?(?:/{TRANSPORT_PATTERN})?"
LIST_PATTERN = rf"^{ITEM_PATTERN}(?:,{ITEM_PATTERN})*$"


class QueryKind(Choice, values=("port", "span", "list", "name")):
    """What a query asks for: one port, one range, a list of ports and ranges, or a name."""

    PORT: ClassVar[QueryKind]
    SPAN: ClassVar[QueryKind]
    LIST: ClassVar[QueryKind]
    NAME: ClassVar[QueryKind]


@value
class PortSpec:
    """One port or range of a query, and the transport written after it (None: every transport)."""

    __json_extra__: ClassVar[tuple[str, ...]] = ("size",)

    low: int
    high: int
    transport: Transport | None = None

    @property
    def size(self) -> int:
        """How many ports it holds."""
        return self.high - self.low + 1

    def ports(self) -> range:
        """Its ports, in order."""
        return range(self.low, self.high + 1)


@value
class Query:
    """A query as read: its kind, the ports asked (for port, span and list) or the name."""

    kind: QueryKind
    text: str
    specs: tuple[PortSpec, ...] = ()
    name: str | None = None

    @property
    def port(self) -> int:
        """The port of a one-port query."""
        return self.specs[0].low

    @property
    def transport(self) -> Transport | None:
        """The transport of a one-port or one-range query."""
        return self.specs[0].transport if self.specs else None

    def ports(self) -> list[int]:
        """Every port asked, in the order written, each once."""
        return list(dict.fromkeys(p for s in self.specs for p in s.ports()))


def shown(text: str) -> str:
    """The argument as quoted back in an error message, shortened if long."""
    t = text if len(text) <= _SHOW else text[:_SHOW] + f"... ({len(text)} characters)"
    return repr(t)


def _number(text: str, whole: str) -> int:
    s = text.strip()
    if not s:
        raise BadInput(f"{shown(whole)} is missing a port number: write {VALID}")
    if not (s.isascii() and s.isdigit()):
        raise BadInput(f"{shown(s)} is not a port: a port is a whole number from 0 to 65535")
    digits = s.lstrip("0") or "0"
    if len(digits) > 5 or int(digits) > PORT_MAX:
        raise BadInput(f"port {shown(s) if len(s) > 12 else s} is out of range: a port is a whole number "
                       "from 0 to 65535")
    return int(digits)


def parse_port(text: str | int) -> int:
    """A port number 0-65535 from text such as '307' or '0307'."""
    if isinstance(text, int) and not isinstance(text, bool):
        if 0 <= text <= PORT_MAX:
            return text
        raise BadInput(f"port {text} is out of range: a port is a whole number from 0 to 65535")
    s = str(text).strip()
    if not s:
        raise BadInput("no port given: a port is a whole number from 0 to 65535")
    return _number(s, s)


def parse_transport(text: str | None) -> Transport | None:
    """A transport name, or None for all."""
    if text is None or text == "" or text == "all":
        return None
    try:
        return Transport(text.strip().lower())
    except ValueError:
        raise BadInput(f"unknown transport {shown(text)}: use tcp, udp, sctp or dccp") from None


def parse_range(text: str | None) -> PortRange | None:
    """A range name (system, user, dynamic), or None for all."""
    if text is None or text == "" or text == "all":
        return None
    try:
        return PortRange(text.strip().lower())
    except ValueError:
        raise BadInput(f"unknown range {shown(text)}: use system, user or dynamic") from None


def parse_spec(text: str, whole: str | None = None) -> PortSpec:
    """One item: 'N', 'N/tcp', 'LOW-HIGH' or 'LOW-HIGH/udp'."""
    whole = whole if whole is not None else text
    body, slash, proto = text.strip().partition("/")
    transport = None
    if slash:
        transport = parse_transport(proto) if proto.strip() else None
        if transport is None:
            raise BadInput(f"{shown(whole)}: a transport follows the slash: tcp, udp, sctp or dccp")
    lo_s, dash, hi_s = body.partition("-")
    if not dash:
        p = _number(lo_s, whole)
        return PortSpec(p, p, transport)
    if "-" in hi_s:
        raise BadInput(f"{shown(whole)} has more than one dash: a range is LOW-HIGH, such as 8000-8100")
    if not lo_s.strip() and hi_s.strip().isdigit():
        raise BadInput(f"{shown(whole)} is not a port: a port is a whole number from 0 to 65535 "
                       "(a range is LOW-HIGH, such as 8000-8100)")
    if not lo_s.strip() or not hi_s.strip():
        raise BadInput(f"{shown(whole)} is not a port range: write LOW-HIGH, such as 8000-8100")
    lo, hi = _number(lo_s, whole), _number(hi_s, whole)
    if lo > hi:
        raise BadInput(f"range {lo}-{hi} runs backwards: write the lower port first ({hi}-{lo})")
    return PortSpec(lo, hi, transport)


def parse_span(text: str) -> tuple[int, int]:
    """A span 'LOW-HIGH' of ports, LOW <= HIGH, both 0-65535."""
    spec = parse_spec(text)
    if spec.low == spec.high and "-" not in text:
        raise BadInput(f"{shown(text)} is not a port range: write LOW-HIGH, such as 8000-8100")
    return spec.low, spec.high


def looks_numeric(text: str) -> bool:
    """Whether text starts the way a port, range or list does (and so must be one)."""
    s = text.strip()
    return bool(s) and (s[0].isdigit() or s[0] in "+-.,")


def _item(text: str, whole: str) -> str:
    """One item of a list without its spaces: around a comma, a dash or a slash they are layout
    ('22, 80', '8000 - 8100', '80 / tcp'); inside a number they are a mistake ('22 80' is not 2280)."""
    t = text.strip().replace(" -", "-").replace("- ", "-").replace(" /", "/").replace("/ ", "/")
    if " " in t:
        words = t.split(" ")
        if len(words) == 2 and words[1].lower() in {str(x) for x in Transport}:
            raise BadInput(f"{shown(whole)}: write a port's transport after a slash, as {words[0]}/{words[1].lower()}")
        raise BadInput(f"{shown(whole)} has a space inside a port: separate ports with commas "
                       f"({t.replace(' ', ',')}), or give a range as LOW-HIGH")
    return t


def _has_letter(s: str) -> bool:
    return any(c.isalpha() for c in s)


def read(text: str, *, is_name: Callable[[str], bool] | None = None, max_ports: int = MAX_PORTS) -> Query:
    """Read a query: one port, one range, a list, or a name (see the module's docstring)."""
    s = " ".join(text.split())
    if not s:
        raise BadInput(f"empty query: give {VALID}")
    low = s.lower()
    if low.startswith("port ") and looks_numeric(s[5:]):
        s = s[5:].strip()
    # A name has a letter (RFC 6335 5.1), so digits alone are never asked for: the name table is
    # the one part of the index a port's answer would otherwise load (~3 ms).
    if not looks_numeric(s) or (is_name is not None and _has_letter(s) and is_name(s)):
        if len(s) > MAX_NAME:
            raise BadInput(f"{shown(s)} is too long for a name (at most {MAX_NAME} characters; a registry "
                           f"service name has at most 15); give {VALID}")
        return Query(QueryKind.NAME, s, name=s)
    items = [_item(i, s) for i in s.split(",")]
    if any(not i for i in items):
        raise BadInput(f"{shown(s)} has an empty item: separate ports and ranges with single commas")
    specs = tuple(parse_spec(i, s) for i in items)
    total = sum(x.size for x in specs)
    if total > max_ports:
        raise BadInput(f"{shown(s)} holds {total} ports; ask for at most {max_ports} at once")
    if len(specs) == 1:
        kind = QueryKind.PORT if specs[0].low == specs[0].high and "-" not in items[0] else QueryKind.SPAN
        return Query(kind, s, specs)
    return Query(QueryKind.LIST, s, specs)


def read_port(text: str, *, transports: tuple[Transport, ...] = tuple(Transport)) -> PortSpec:
    """A single port, optionally with its transport ('5432', '5432/tcp'), for commands that take one port;
    ``transports`` limits the transports accepted (e.g. TCP and UDP for this machine's sockets)."""
    spec = parse_spec(text)
    if spec.low != spec.high or "-" in text.partition("/")[0]:
        raise BadInput(f"{shown(text)} is a range: this command takes one port (0-65535), such as 5432 or 5432/tcp")
    if spec.transport is not None and spec.transport not in transports:
        allowed = ", ".join(f"PORT/{t}" for t in transports)
        raise BadInput(f"{shown(text)}: this command works on {' and '.join(str(t) for t in transports)}; "
                       f"write PORT or {allowed}")
    return spec


def read_ports(text: str, *, max_ports: int = MAX_PORTS,
               transports: tuple[Transport, ...] = tuple(Transport)) -> tuple[PortSpec, ...]:
    """Ports, ranges and lists ('22,80,8000-8100/tcp') for commands that take several ports."""
    q = read(text, max_ports=max_ports, is_name=lambda _: False)
    if q.kind is QueryKind.NAME:
        raise BadInput(f"{shown(text)} is not a port: give a port (0-65535), PORT/tcp, a range or a list")
    for spec in q.specs:
        if spec.transport is not None and spec.transport not in transports:
            raise BadInput(f"{shown(text)}: this command works on {' and '.join(str(t) for t in transports)}")
    return q.specs


def one_transport(spec: PortSpec, option: str | None) -> Transport | None:
    """The transport of a spec and of a --transport option together; disagreeing is bad input."""
    opt = parse_transport(option)
    if spec.transport is not None and opt is not None and spec.transport is not opt:
        raise BadInput(f"{spec.low}/{spec.transport} and --transport {opt} disagree: give the transport once")
    return spec.transport or opt
