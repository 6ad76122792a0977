"""Numbered sources, and statements that cite them: how every answer says where each fact comes from."""

from __future__ import annotations

from portatlas.value import Choice, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

REGISTRY_TITLE = "IANA Service Name and Transport Protocol Port Number Registry"
REGISTRY_URL = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml"
# Files read where portatlas runs: the user's machine for the command line, the server for a page.
FIREWALLD_TITLE = "firewalld service files (read where portatlas runs)"
RFC6335_TITLE = ("RFC 6335: Internet Assigned Numbers Authority (IANA) Procedures for the Management of the "
                 "Service Name and Transport Protocol Port Number Registry")
RFC6335_URL = "https://www.rfc-editor.org/rfc/rfc6335"


class SourceKind(Choice, values=("registry", "rfc", "history", "software", "nmap", "firewalld", "standard",
                                 "os", "portatlas")):
    """What kind of source a fact comes from: the registry edition, an RFC, the registry's history, a
    program's own documentation (common use), nmap's or firewalld's files on this machine, another
    standard (the Fetch standard), an operating system's documentation, or portatlas's own reckoning."""

    REGISTRY: ClassVar[SourceKind]
    RFC: ClassVar[SourceKind]
    HISTORY: ClassVar[SourceKind]
    SOFTWARE: ClassVar[SourceKind]
    NMAP: ClassVar[SourceKind]
    FIREWALLD: ClassVar[SourceKind]
    STANDARD: ClassVar[SourceKind]
    OS: ClassVar[SourceKind]
    PORTATLAS: ClassVar[SourceKind]


@value
class Source:
    """One numbered source of an answer: ``n`` is what statements cite, ``url`` where to read it
    (None for a file on this machine), ``checked`` the date a documentation page was read."""

    n: int
    kind: SourceKind
    title: str
    url: str | None = None
    checked: str | None = None


@value
class Statement:
    """A sentence (or a few) and the numbers of the sources it rests on."""

    text: str
    cites: tuple[int, ...] = ()


class Sources:
    """Collects sources while an answer is built, numbering each on first citation."""

    def __init__(self) -> None:
        self._items: list[Source] = []
        self._by_key: dict[str, int] = {}

    def cite(self, kind: SourceKind, title: str, url: str | None = None, checked: str | None = None,
             key: str | None = None) -> int:
        """The source's number, adding it when first cited (``key`` defaults to the URL, else the title)."""
        k = key or url or title
        n = self._by_key.get(k)
        if n is None:
            n = self._by_key[k] = len(self._items) + 1
            self._items.append(Source(n, kind, title, url, checked))
        return n

    def registry(self, edition: str, port: int | None = None) -> int:
        """The registry edition the answer reads (with IANA's search for the port)."""
        url = REGISTRY_URL + (f"?search={port}" if port is not None else "")
        return self.cite(SourceKind.REGISTRY, f"{REGISTRY_TITLE}, edition {edition}", url, key="registry")

    def rfc6335(self, section: str | None = None) -> int:
        """RFC 6335, the registry's procedures (one note for the whole RFC)."""
        return self.cite(SourceKind.RFC, RFC6335_TITLE, RFC6335_URL, key="RFC 6335")

    def rfc(self, label: str, url: str | None) -> int:
        """An RFC or draft a registry row references ('RFC 9887')."""
        return self.cite(SourceKind.RFC, label, url, key=label)

    def say(self, text: str, *cites: int) -> Statement:
        """A statement citing the given sources."""
        return Statement(text, tuple(dict.fromkeys(c for c in cites if c)))

    def items(self) -> tuple[Source, ...]:
        """Every source cited so far, in number order."""
        return tuple(self._items)
