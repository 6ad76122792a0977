"""The vocabulary of advice: levels, reasons with their sources, and the machine signals advice reads.

Pure: the machine-dependent inputs (ephemeral range, nmap frequencies,
listeners, bind checks) are handed in by ``portatlas.advice`` as plain values
or objects satisfying the small protocols below, so ``query`` imports
nothing from ``system`` and a test can feed it anything.
"""

from __future__ import annotations

from portatlas.model import Transport
from portatlas.value import Choice, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import ClassVar, Protocol
else:
    Protocol = object  # the protocols below are for the type checker; typing costs ~4 ms to import


class Level(Choice, values=("info", "good", "caution", "avoid")):
    """How a reason weighs. A verdict is the heaviest of its reasons: good, caution or avoid (never info)."""

    INFO: ClassVar[Level]
    GOOD: ClassVar[Level]
    CAUTION: ClassVar[Level]
    AVOID: ClassVar[Level]

    @property
    def weight(self) -> int:
        """0 info, 1 good, 2 caution, 3 avoid."""
        return _WEIGHT[self]


_WEIGHT = {Level.INFO: 0, Level.GOOD: 1, Level.CAUTION: 2, Level.AVOID: 3}


class Purpose(Choice, values=("production", "internal", "testing", "standard")):
    """What the port is for; the same facts weigh differently for each."""

    PRODUCTION: ClassVar[Purpose]
    INTERNAL: ClassVar[Purpose]
    TESTING: ClassVar[Purpose]
    STANDARD: ClassVar[Purpose]

    @property
    def phrase(self) -> str:
        """'a production service', 'a protocol being standardized', ..."""
        return _PURPOSE_PHRASES[self]


_PURPOSE_PHRASES = {
    Purpose.PRODUCTION: "a production service",
    Purpose.INTERNAL: "a documented internal tool",
    Purpose.TESTING: "testing",
    Purpose.STANDARD: "a protocol being standardized",
}


@value
class Reason:
    """One fact behind a verdict: how it weighs, a short title, the full sentence, and where it comes from.

    ``code`` is stable (``registry.unassigned-system``, ``browser.bad-port``,
    ``ephemeral.inside``, ...) so faces and tests can key on it; ``source``
    names the document or file the fact was read from, ``url`` where to read it;
    ``cite`` is its number among an answer's sources (0 outside an answer).
    """

    level: Level
    code: str
    title: str
    detail: str
    source: str
    url: str | None = None
    cite: int = 0


@value
class Signal:
    """Whether one input of the advice was available, and where it was read."""

    name: str
    available: bool
    source: str


@value
class Frequency:
    """nmap's entry for one (port, transport): its name for the port and the share of scanned hosts that
    had it open; ``rank`` is its place in the table's order by frequency (0 when not worked out)."""

    port: int
    transport: Transport
    frequency: float
    name: str | None
    rank: int = 0

    @property
    def percent(self) -> str:
        """'0.67%' or '0.0012%': the frequency as a readable percentage."""
        pct = self.frequency * 100
        return f"{pct:.2f}%" if pct >= 0.1 else f"{pct:.2g}%"


class FrequencyTable(Protocol):
    """nmap's table (nmap-services): where it came from, and one port's entry."""

    source: str

    def get(self, port: int, transport: Transport) -> Frequency | None:
        """The entry for (port, transport), or None when the table does not list it."""
        ...


class EphemeralLike(Protocol):
    """The kernel's ephemeral range (``portatlas.system.ephemeral.EphemeralRange`` satisfies it)."""

    @property
    def low(self) -> int: ...
    @property
    def high(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def is_default(self) -> bool: ...
    @property
    def system(self) -> str: ...
    @property
    def reserved(self) -> tuple[tuple[int, int], ...]: ...
    @property
    def excluded(self) -> tuple[tuple[int, int], ...]: ...

    def is_reserved(self, port: int) -> bool: ...
    def excluded_range(self, port: int) -> tuple[int, int] | None: ...


@value
class Signals:
    """The machine-dependent inputs of advice and suggestions, gathered by ``portatlas.advice``.

    A None input was not available; the matching ``*_note`` says why, and the
    answer says that signal was not checked rather than guessing.
    """

    bad_ports: Mapping[int, str | None]
    ephemeral: EphemeralLike | None = None
    ephemeral_note: str = "the ephemeral range was not read"
    frequencies: FrequencyTable | None = None
    frequencies_note: str = "no nmap-services frequency table was given"
    listening: Mapping[Transport, tuple[str, ...]] | None = None
    listening_note: str = "listening sockets were not checked"
    unprivileged_start: int | None = None
    unprivileged_source: str = ""
    extra: tuple[str, ...] = ()


# -- sources, named once ------------------------------------------------------

RFC6335_RANGES = ("RFC 6335 section 6 (port number ranges)", "https://www.rfc-editor.org/rfc/rfc6335#section-6")
RFC6335_SYSTEM = ("RFC 6335 section 8.1.2 (System ports: IETF Review or IESG Approval)",
                  "https://www.rfc-editor.org/rfc/rfc6335#section-8.1.2")
RFC6335_TRANSPORTS = ("RFC 6335 section 7.2 (principles for port number assignment)",
                      "https://www.rfc-editor.org/rfc/rfc6335#section-7.2")
FETCH_BAD_PORTS = ("WHATWG Fetch Standard, 'port blocking' (bad ports)", "https://fetch.spec.whatwg.org/#port-blocking")
NMAP_DOC = "https://nmap.org/book/nmap-services.html"
IANA_FORM = "https://www.iana.org/form/ports-services"

# Default ephemeral ranges of the systems a service is most likely deployed on
# (../shared/data/ephemeral-ranges.md): a port outside both works on any of
# them without tuning. FreeBSD's 10000-65535 is left out: honouring it would
# leave almost no User ports.
LINUX_EPHEMERAL = (32768, 60999)
WINDOWS_EXCLUSIONS = ("netsh interface ipv4 show excludedportrange protocol=tcp (Windows' port exclusions)",
                      "https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/netsh-interface")
IANA_EPHEMERAL = (49152, 65535)  # IANA's Dynamic range; also Windows' and macOS's default


def registry_source(edition: str, port: int | None = None) -> tuple[str, str]:
    """The registry as a source, with a link to IANA's search for the port."""
    url = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml"
    if port is not None:
        url += f"?search={port}"
    return f"IANA Service Name and Transport Protocol Port Number Registry, edition {edition}", url


def verdict_of(reasons: tuple[Reason, ...] | list[Reason]) -> Level:
    """The heaviest level among the reasons; GOOD when only info remains."""
    worst = max((r.level for r in reasons), key=lambda lv: lv.weight, default=Level.GOOD)
    return Level.GOOD if worst is Level.INFO else worst


def transports_text(ts: tuple[Transport, ...] | list[Transport]) -> str:
    """'TCP', 'TCP and UDP'."""
    names = [t.value.upper() for t in ts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
