"""A draft of IANA's application for a service name and port number, checked for what IANA would refuse.

The fields are those RFC 6335 section 8.1.1 asks of every request (IANA's
web form at https://www.iana.org/form/ports-services follows them). Before
drafting, the request is checked against the registry: a taken name, a port
already assigned (or reserved) on a requested transport, a System port
without an IETF or IESG reference, a Dynamic port.
"""

from __future__ import annotations

import re

from portatlas.errors import BadInput
from portatlas.index import Index
from portatlas.model import PortRange, State, Transport
from portatlas.query.grammar import parse_port, shown
from portatlas.query.naming import check_name, require_valid
from portatlas.query.reasons import IANA_FORM, RFC6335_SYSTEM, registry_source, transports_text
from portatlas.value import value

RFC_REQUEST = ("RFC 6335 section 8.1.1 (what a request contains)", "https://www.rfc-editor.org/rfc/rfc6335#section-8.1.1")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_RFC = re.compile(r"^\s*(?:rfc|bcp|std)\s*-?\s*(\d{1,5})\s*$", re.I)
_IETF_DRAFT = re.compile(r"^\s*draft-(?:ietf|iesg|iab|irtf)-[a-z0-9-]+\s*$", re.I)
_DRAFT = re.compile(r"^\s*draft-[a-z0-9-]+\s*$", re.I)
_URL = re.compile(r"^https?://\S+$", re.I)
MAX_DESCRIPTION = 200


@value
class Field:
    """One field of the application: its label as RFC 6335 names it, the drafted value, and a note."""

    label: str
    value: str
    note: str = ""


@value
class Check:
    """One thing IANA checks: passed (``ok``), or what it would refuse and why, with the source.

    ``advice`` marks a passed check that still asks something of the requester.
    """

    ok: bool
    code: str
    text: str
    source: str
    url: str | None = None
    advice: bool = False


@value
class RequestDraft:
    """The drafted application and the checks it went through; ``refused`` lists what IANA would refuse."""

    name: str
    transports: tuple[Transport, ...]
    port: int | None
    any_port: bool
    procedure: str
    fields: tuple[Field, ...]
    checks: tuple[Check, ...]
    submit: str
    edition: str

    @property
    def refused(self) -> tuple[Check, ...]:
        """The checks that failed: what IANA would refuse."""
        return tuple(c for c in self.checks if not c.ok)


def parse_reference(text: str | None) -> tuple[str, str]:
    """(kind, normalised) for an RFC ('rfc'), an IETF-stream draft ('ietf-draft'), another draft ('draft'),
    a URL ('url'), or other text ('text')."""
    if text is None or not text.strip():
        return "none", ""
    t = text.strip()
    m = _RFC.match(t)
    if m:
        return "rfc", f"RFC {int(m.group(1))}"
    if _IETF_DRAFT.match(t):
        return "ietf-draft", t.lower()
    if _DRAFT.match(t):
        return "draft", t.lower()
    if _URL.match(t):
        return "url", t
    return "text", t


def draft(index: Index, *, name: str, transports: tuple[Transport, ...], port: int | str | None,
          any_port: bool, description: str, contact: str, reference: str | None = None) -> RequestDraft:
    """Check a request against the registry and RFC 6335, and draft its fields.

    Raises BadInput for what is malformed (a name breaking RFC 6335 section
    5.1, an address that is not an email, an empty description, both a port
    and ``any_port``); what IANA would refuse is reported in ``checks``.
    """
    name = require_valid(name, "--name")
    if port is not None and any_port:
        raise BadInput("give --port N or --any, not both: --any lets IANA pick a User port")
    p = parse_port(port) if port is not None else None
    contact = contact.strip()
    if not _EMAIL.match(contact) or len(contact) > 254:
        raise BadInput(f"--contact {shown(contact)} is not an email address: give one such as name@example.org")
    description = " ".join(description.split())
    if not description:
        raise BadInput("--description is empty: give a short description of the service")
    if len(description) > MAX_DESCRIPTION:
        raise BadInput(f"--description has {len(description)} characters; the registry's descriptions are "
                       f"short: give at most {MAX_DESCRIPTION}")
    if not transports:
        raise BadInput("no transport: give --transport tcp, udp, sctp or dccp")
    kind, ref = parse_reference(reference)
    src, url = registry_source(index.edition, p)
    checks: list[Check] = []

    nc = check_name(index, name)
    if nc.taken:
        held = "; ".join(f"{r.name} ({r.number or 'no port'} {r.transport})"
                         + (f", an alias of {r.alias_of}" if r.alias_of else "") for r in nc.registered)
        checks.append(Check(False, "name.taken", f"the name {name!r} is already registered: {held}; "
                            "names are compared case-insensitively", src, url))
    else:
        checks.append(Check(True, "name.free", f"the name {name!r} keeps RFC 6335 section 5.1 and is not in the "
                            "registry in any letter case", src, url))

    procedure = "Expert Review (service name only)"
    if p is not None:
        rng = PortRange.of(p)
        if rng is PortRange.DYNAMIC:
            checks.append(Check(False, "port.dynamic", f"port {p} is in the Dynamic/Private range "
                                "(49152-65535), which IANA never assigns; ask for a User port or use --any",
                                "RFC 6335 section 6", "https://www.rfc-editor.org/rfc/rfc6335#section-6"))
            procedure = "none: Dynamic ports are never assigned"
        for t in transports:
            st = index.state(p, t)
            if st is State.ASSIGNED:
                names = ", ".join(dict.fromkeys(index.record(i).name or "" for i in index.row_ids(p, t)
                                                if index.record(i).name))
                checks.append(Check(False, "port.assigned", f"port {p} is already assigned on "
                                    f"{t.value.upper()} to {names}", src, url))
            elif st is State.RESERVED:
                checks.append(Check(False, "port.reserved", f"port {p} is reserved on {t.value.upper()}: IANA "
                                    "does not assign it", src, url))
            elif rng is not PortRange.DYNAMIC:
                checks.append(Check(True, "port.unassigned", f"port {p} is unassigned on {t.value.upper()}",
                                    src, url))
        if rng is PortRange.SYSTEM:
            procedure = "IETF Review or IESG Approval (System port)"
            if kind in ("rfc", "ietf-draft"):
                checks.append(Check(True, "reference.ietf", f"a System port needs an IETF or IESG reference: "
                                    f"{ref} is one", *RFC6335_SYSTEM))
            else:
                given = f" ({ref!r} is not an RFC or an IETF-stream draft)" if ref else ""
                checks.append(Check(False, "reference.not-ietf", "a System port is assigned only through IETF "
                                    f"Review or IESG Approval: give --reference RFC NNNN or draft-ietf-...{given}; "
                                    "or ask for a User port (--any)", *RFC6335_SYSTEM))
        elif rng is PortRange.USER:
            procedure = "Expert Review (User port)"
    elif any_port:
        procedure = "Expert Review (User port, number chosen by IANA)"
    if kind == "none":
        checks.append(Check(True, "reference.missing", "no --reference given: the experts ask for a document "
                            "describing the protocol; add one before submitting", *RFC_REQUEST, advice=True))

    ts = transports_text(transports)
    port_value = (str(p) if p is not None else "any User port (IANA chooses)" if any_port
                  else "none: service name only")
    fields = (
        Field("Assignee", f"<your name or organisation>, {contact}",
              "the party the assignment is made to; replace the placeholder"),
        Field("Contact", contact, "the person IANA writes to about this assignment"),
        Field("Service Name", name, "1-15 letters, digits and hyphens; case-insensitive"),
        Field("Transport Protocol(s)", ts, "only the transports the protocol uses"),
        Field("Port Number", port_value, procedure),
        Field("Service Code", "<required for DCCP>" if Transport.DCCP in transports else "not applicable",
              "DCCP only (RFC 5595)"),
        Field("Description", description, "short; avoid acronyms but the most common"),
        Field("Reference", ref or "<a document describing the protocol: RFC, draft or URL>",
              {"rfc": "an RFC", "ietf-draft": "an IETF-stream Internet-Draft", "draft": "an individual draft",
               "url": "a public document", "text": "free text", "none": "required by the experts"}[kind]),
        Field("Defined TXT keys", "<none, or the DNS-SD TXT keys the service defines>", "DNS-SD services only"),
        Field("Why a port is needed", "<why DNS-SD service discovery with the name alone is not enough>",
              "RFC 6335 section 7.2: ports are conserved; name-only registrations are preferred")
        if p is not None or any_port else Field("Why a port is needed", "not applicable: name only"),
        Field("Congestion control", "<how the protocol responds to congestion>",
              "asked of UDP protocols (RFC 8085)") if Transport.UDP in transports
        else Field("Congestion control", "not applicable (no UDP)"),
    )
    return RequestDraft(name=name, transports=transports, port=p, any_port=any_port, procedure=procedure,
                        fields=fields, checks=tuple(checks), submit=IANA_FORM, edition=index.edition)
