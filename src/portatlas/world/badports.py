"""The ports browsers refuse for HTTP(S) (the Fetch standard's bad-port list), shipped in the package."""

from __future__ import annotations

import os

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "browser-bad-ports.txt")

_PORTS: dict[int, str | None] | None = None


def parse(text: str) -> dict[int, str | None]:
    """'port<TAB>name' lines (comments with '#') to {port: name}; a name of '—' means the list names none."""
    out: dict[int, str | None] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        port, _, name = line.partition("\t")
        name = name.strip()
        out[int(port)] = None if name in ("", "—", "-") else name
    return out


def bad_ports() -> dict[int, str | None]:
    """{port: the name the Fetch standard gives it} for every port browsers refuse."""
    global _PORTS
    if _PORTS is None:
        with open(PATH, encoding="utf-8") as f:
            _PORTS = parse(f.read())
    return _PORTS
