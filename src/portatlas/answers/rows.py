"""The registry's rows as an answer shows them: rows alike but for their transport joined, text made readable.

The registry writes ``&`` for ``@`` in e-mail addresses, puts ``<br/>`` and
line breaks inside descriptions, and keeps a known-unauthorized-use note on a
whole range row though it names one port of it. Here each row becomes a
``RegistryRow`` with its contacts as working addresses, its description as
one line, and its notes only where they apply.
"""

from __future__ import annotations

from portatlas.answers.sources import Sources, Statement
from portatlas.model import Person, Record, State, Transport, span_text
from portatlas.query.notes import applies
from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import ClassVar


@value
class Contact:
    """An assignee or contact: a display name and, where the registry gives one, a working address."""

    id: str
    name: str
    url: str | None = None


@value
class Reference:
    """A row's reference: an RFC, a draft, a web page or a plain text, with its source number for RFCs."""

    label: str
    url: str | None = None
    cite: int = 0


@value
class RegistryRow:
    """One registry row as shown (rows alike but for their transport are one, with every transport listed).

    ``low``/``high`` are None for a name-only row; ``state`` is what the row
    gives the ports it covers; ``is_range`` marks a row covering more than one
    port ("307 sits in 301-307"). ``unauthorized`` and ``note`` keep the
    registry's words, the former only when it applies to the port asked.
    """

    __json_extra__: ClassVar[tuple[str, ...]] = ("number", "is_range")

    name: str | None
    low: int | None
    high: int | None
    transports: tuple[Transport, ...]
    all_transports: bool
    state: State
    description: str
    assignees: tuple[Contact, ...] = ()
    contacts: tuple[Contact, ...] = ()
    references: tuple[Reference, ...] = ()
    registered: str | None = None
    updated: str | None = None
    note: str | None = None
    unauthorized: str | None = None
    service_code: int | None = None

    @property
    def number(self) -> str:
        """The port or range as the registry writes it ('301-307'), or '' for a name-only row."""
        if self.low is None or self.high is None:  # a name-only row has neither
            return ""
        return span_text(self.low, self.high)

    @property
    def is_range(self) -> bool:
        """Whether the row covers more than one port."""
        return self.low is not None and self.high is not None and self.high > self.low


def clean(text: str | None) -> str:
    """Registry text as one readable line: ``<br/>`` and line breaks become spaces, runs of space one."""
    if not text:
        return ""
    for tag in ("<br/>", "<br />", "<br>", "<BR>", "<BR/>"):
        text = text.replace(tag, " ")
    return " ".join(text.split())


def contact(p: Person) -> Contact:
    """A person as a contact; 'mailto:iesg&ietf.org' (the registry's spelling) becomes a working address."""
    url = p.uri
    if url and url.startswith("mailto:"):
        url = "mailto:" + url[7:].replace("&", "@")
    elif url and not url.startswith(("http://", "https://", "tel:")):
        url = None
    return Contact(p.id, p.display, url)


def registry_rows(records: Iterable[Record], sources: Sources, port: int | None = None) -> tuple[RegistryRow, ...]:
    """Rows grouped as every face shows them, each RFC and draft cited in ``sources``."""
    groups: dict[tuple[object, ...], list[Record]] = {}
    for r in records:
        key = (r.name, r.low, r.high, r.description, tuple(p.id for p in r.people), tuple(r.xrefs), r.note,
               r.registered, r.updated, r.unauthorized, r.service_code)
        groups.setdefault(key, []).append(r)
    out = []
    for rows in groups.values():
        r = rows[0]
        every = any(x.transport is None for x in rows)
        ts = tuple(dict.fromkeys(x.transport for x in rows if x.transport is not None))
        refs = []
        for x in r.xrefs:
            if x.type == "person" or not x.label:
                continue
            cite = sources.rfc(x.label.split(" section")[0], x.url) if x.type in ("rfc", "draft") else 0
            refs.append(Reference(x.label, x.url if x.url and x.url.startswith(("http://", "https://")) else None,
                                  cite))
        assignee_ids = {p.id for p in r.assignees}
        unauthorized = clean(r.unauthorized) or None
        if unauthorized and not applies(unauthorized, r.low, r.high, port):
            unauthorized = None
        out.append(RegistryRow(
            name=r.name, low=r.low, high=r.high, transports=ts, all_transports=every, state=r.state,
            description=clean(r.description),
            assignees=tuple(contact(p) for p in r.assignees),
            contacts=tuple(contact(p) for p in r.contacts if p.id not in assignee_ids),
            references=tuple(refs), registered=r.registered, updated=r.updated,
            note=clean(r.note) or None, unauthorized=unauthorized, service_code=r.service_code,
        ))
    return tuple(out)


def _period(text: str) -> str:
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def row_notes(rows: Sequence[RegistryRow], sources: Sources, n_registry: int) -> tuple[Statement, ...]:
    """The registry's notes and unauthorized-use remarks on the rows, as statements citing the registry."""
    out = []
    for r in rows:
        label = r.name or f"the row {r.number} ({r.description})"
        if r.note:
            out.append(sources.say(f"The registry notes for {label}: {_period(r.note)}", n_registry))
        if r.unauthorized:
            out.append(sources.say(f"The registry records for {label}: {_period(r.unauthorized)}", n_registry))
    return tuple(out)
