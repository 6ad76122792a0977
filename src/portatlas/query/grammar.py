"""Reading what a person typed: a port, a span of ports, or a service name.

Every refusal is a ``BadInput`` whose message says what was wrong and what is valid.
"""

from __future__ import annotations

from portatlas.errors import BadInput
from portatlas.model import PORT_MAX, PortRange, Transport

_SHOW = 40  # characters of a bad argument quoted back; a 100,000-character one is cut


def shown(text: str) -> str:
    """The argument as quoted back in an error message, shortened if long."""
    t = text if len(text) <= _SHOW else text[:_SHOW] + f"... ({len(text)} characters)"
    return repr(t)


def parse_port(text: str | int) -> int:
    """A port number 0-65535 from text such as '307'."""
    if isinstance(text, int) and not isinstance(text, bool):
        if 0 <= text <= PORT_MAX:
            return text
        raise BadInput(f"port {text} is out of range: a port is a whole number from 0 to 65535")
    s = str(text).strip()
    if not s:
        raise BadInput("no port given: a port is a whole number from 0 to 65535")
    if not (s.isascii() and s.isdigit()):
        raise BadInput(f"{shown(s)} is not a port: a port is a whole number from 0 to 65535")
    if len(s) > 5 or int(s) > PORT_MAX:
        raise BadInput(f"port {shown(s) if len(s) > 5 else s} is out of range: "
                       "a port is a whole number from 0 to 65535")
    return int(s)


def parse_span(text: str) -> tuple[int, int]:
    """A span 'LOW-HIGH' of ports, LOW <= HIGH, both 0-65535."""
    lo, sep, hi = text.strip().partition("-")
    if not sep or not lo.strip() or not hi.strip():
        raise BadInput(f"{shown(text)} is not a port range: write LOW-HIGH, such as 8000-8100")
    low, high = parse_port(lo), parse_port(hi)
    if low > high:
        raise BadInput(f"range {low}-{high} runs backwards: write the lower port first ({high}-{low})")
    return low, high


def looks_like_span(text: str) -> bool:
    """True for anything shaped like a span attempt: digits around a hyphen, or a trailing hyphen."""
    s = text.strip()
    return "-" in s and s.replace("-", "").replace(" ", "").isdigit() and not s.startswith("-")


def parse_transport(text: str | None) -> Transport | None:
    """A transport name, or None for all."""
    if text is None or text == "" or text == "all":
        return None
    try:
        return Transport(text.lower())
    except ValueError:
        raise BadInput(f"unknown transport {shown(text)}: use tcp, udp, sctp or dccp") from None


def parse_range(text: str | None) -> PortRange | None:
    """A range name (system, user, dynamic), or None for all."""
    if text is None or text == "" or text == "all":
        return None
    try:
        return PortRange(text.lower())
    except ValueError:
        raise BadInput(f"unknown range {shown(text)}: use system, user or dynamic") from None
