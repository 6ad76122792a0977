"""An independent reading of the registry for tests: stdlib ElementTree and plain loops.

It shares no code with portatlas, so agreement between the two means something.
"""

from __future__ import annotations

import lzma
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

NS = "{http://www.iana.org/assignments}"
TRANSPORTS = ("tcp", "udp", "sctp", "dccp")
BUNDLED = (Path(__file__).resolve().parent.parent / "src" / "portatlas" / "data"
           / "service-names-port-numbers.2026-08-17.xml.xz")


@dataclass
class Row:
    name: str
    protocol: str
    low: int | None
    high: int | None
    description: str


@dataclass
class Oracle:
    edition: str
    rows: list[Row]
    cover: dict[tuple[int, str], list[Row]] = field(default_factory=dict)

    @classmethod
    def bundled(cls) -> Oracle:
        return cls.from_bytes(lzma.decompress(BUNDLED.read_bytes()))

    @classmethod
    def from_bytes(cls, xml: bytes) -> Oracle:
        root = ET.fromstring(xml)
        rows = []
        for rec in root.iter(NS + "record"):
            num = (rec.findtext(NS + "number") or "").strip()
            low = high = None
            if num:
                a, _, b = num.partition("-")
                low, high = int(a), int(b or a)
            rows.append(Row(
                name=(rec.findtext(NS + "name") or "").strip(),
                protocol=(rec.findtext(NS + "protocol") or "").strip(),
                low=low, high=high,
                description=" ".join("".join(rec.find(NS + "description").itertext()).split()),
            ))
        o = cls(edition=root.findtext(NS + "updated").strip(), rows=rows)
        for r in rows:
            if r.low is None:
                continue
            for t in ([r.protocol] if r.protocol else TRANSPORTS):
                for p in range(r.low, r.high + 1):
                    o.cover.setdefault((p, t), []).append(r)
        return o

    def state(self, port: int, transport: str) -> str:
        rows = self.cover.get((port, transport), [])
        if any(r.name for r in rows):
            return "assigned"
        if any(r.description.lower().startswith("reserved") for r in rows):
            return "reserved"
        return "unassigned"

    def names(self, port: int, transport: str) -> list[str]:
        return [r.name for r in self.cover.get((port, transport), []) if r.name]
