"""Parse IANA's service-names-port-numbers XML: bytes in, records out.

The parser is defusedxml's, so entity declarations (billion laughs) and
external entities are refused rather than expanded. A malformed file raises
``RegistryError`` naming the line; nothing half-parsed is ever returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml
import defusedxml.ElementTree as SafeET

from portatlas.errors import RegistryError
from portatlas.model import Person, Record, Transport, Xref
from portatlas.source import xz
from portatlas.source.paths import is_edition
from portatlas.source.xz import MAX_XML_BYTES, XZ_MAGIC
from portatlas.value import value

NS = "{http://www.iana.org/assignments}"


@value
class ParsedRegistry:
    """A whole registry edition: its date, records in file order, and people."""

    edition: str
    title: str
    records: tuple[Record, ...]
    people: dict[str, Person]


def parse(source: bytes | BinaryIO, *, max_xml: int = MAX_XML_BYTES) -> ParsedRegistry:
    """Parse a registry from bytes or a binary stream (xz-compressed or plain XML).

    The XML may be at most ``max_xml`` bytes (decompressed): xz is decompressed in
    steps fed straight to the parser, so a decompression bomb is refused with memory
    to spare. The edition (``<updated>``) must be a date ``YYYY-MM-DD``.
    """
    data = source if isinstance(source, bytes) else source.read()
    if data[:6] == XZ_MAGIC:
        pieces: Iterable[bytes] = xz.chunks(data, max_xml)
    elif len(data) > max_xml:
        raise xz.too_large(max_xml)
    else:
        pieces = (data,)
    # The C TreeBuilder: defusedxml's parser defaults to the pure-Python one, 2-3 times slower.
    parser = SafeET.XMLParser(target=TreeBuilder(), forbid_dtd=False)
    try:
        for piece in pieces:
            parser.feed(piece)
        root = parser.close()
    except defusedxml.EntitiesForbidden:
        raise RegistryError(
            "registry XML declares entities, which are refused (entity expansion attacks); "
            "use the file as IANA publishes it"
        ) from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise RegistryError(
            "registry XML refers to an external entity or DTD, which is refused; "
            "use the file as IANA publishes it"
        ) from None
    except ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        raise RegistryError(
            f"registry XML is malformed at line {line}, column {col + 1}: {_reason(e)}"
        ) from None
    return _read_root(root)


def _reason(e: ParseError) -> str:
    msg = str(e)
    return msg.split(":")[0] if ":" in msg else msg


def _read_root(root: Element) -> ParsedRegistry:
    if root.tag != NS + "registry":
        raise RegistryError(
            f"not a port number registry: the root element is <{root.tag.replace(NS, '')}>, "
            "expected IANA's <registry id=\"service-names-port-numbers\">"
        )
    edition = (root.findtext(NS + "updated") or "").strip()
    if not edition:
        raise RegistryError("registry XML has no <updated> date, so its edition is unknown")
    if not is_edition(edition):
        # The edition names stored files and goes into HTTP headers: only a real date may pass.
        shown = repr(edition if len(edition) <= 40 else edition[:40] + "...")
        raise RegistryError(f"registry XML's <updated> is {shown}, not a date YYYY-MM-DD, "
                            "so its edition is unknown")
    people = {p.id: p for p in (_person(el) for el in root.iter(NS + "person"))}
    records = tuple(_record(el, people) for el in root.iter(NS + "record"))
    return ParsedRegistry(
        edition=edition,
        title=(root.findtext(NS + "title") or "").strip(),
        records=records,
        people=people,
    )


def _text(el: Element | None) -> str | None:
    """An element's text with nested markup flattened; <br/> becomes a newline."""
    if el is None:
        return None
    parts: list[str] = []
    _flatten(el, parts)
    text = "".join(parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = "\n".join(line for line in lines if line)
    return out or None


def _flatten(el: Element, parts: list[str]) -> None:
    if el.text:
        parts.append(el.text.replace("\n", " "))
    for child in el:
        tag = child.tag.replace(NS, "")
        if tag == "br":
            parts.append("\n")
        elif tag == "paragraph":
            parts.append("\n")
            _flatten(child, parts)
            parts.append("\n")
        elif tag == "xref":
            parts.append(_xref(child).label or "")
        else:
            _flatten(child, parts)
        if child.tail:
            parts.append(child.tail.replace("\n", " "))


def _person(el: Element) -> Person:
    return Person(
        id=el.get("id", ""),
        name=_text(el.find(NS + "name")),
        org=_text(el.find(NS + "org")),
        uri=_text(el.find(NS + "uri")),
        updated=_text(el.find(NS + "updated")),
    )


def _xref(el: Element) -> Xref:
    return Xref(
        type=el.get("type", "text"),
        data=el.get("data"),
        text=_text(el),
        section=el.get("section"),
    )


def _people_of(el: Element | None, people: dict[str, Person]) -> tuple[Person, ...]:
    if el is None:
        return ()
    out = []
    for x in el.iter(NS + "xref"):
        pid = x.get("data") or ""
        out.append(people.get(pid) or Person(id=pid, name=_text(x)))
    return tuple(out)


def _number(text: str | None) -> tuple[int | None, int | None]:
    if not text or not text.strip():
        return None, None
    lo, _, hi = text.strip().partition("-")
    try:
        low = int(lo)
        high = int(hi) if hi else low
    except ValueError:
        raise RegistryError(f"registry record has a port number that is not a number: {text!r}") from None
    if not 0 <= low <= high <= 65535:
        raise RegistryError(f"registry record has a port number outside 0-65535: {text!r}")
    return low, high


def _record(el: Element, people: dict[str, Person]) -> Record:
    proto = (el.findtext(NS + "protocol") or "").strip().lower()
    try:
        transport = Transport(proto) if proto else None
    except ValueError:
        raise RegistryError(f"registry record has an unknown protocol {proto!r}") from None
    low, high = _number(el.findtext(NS + "number"))
    sc = (el.findtext(NS + "sc") or "").strip()
    return Record(
        name=(el.findtext(NS + "name") or "").strip() or None,
        transport=transport,
        low=low,
        high=high,
        description=_text(el.find(NS + "description")) or "",
        assignees=_people_of(el.find(NS + "assignee"), people),
        # Older rows name their contact only as a record-level person xref.
        contacts=_people_of(el.find(NS + "contact"), people) + tuple(
            people.get(x.get("data") or "") or Person(id=x.get("data") or "", name=_text(x))
            for x in el.findall(NS + "xref") if x.get("type") == "person"
        ),
        xrefs=tuple(_xref(x) for x in el.findall(NS + "xref")),
        registered=el.get("date"),
        updated=el.get("updated"),
        note=_text(el.find(NS + "note")),
        unauthorized=_text(el.find(NS + "unauthorized")),
        service_code=int(sc) if sc.isdigit() else None,
    )
