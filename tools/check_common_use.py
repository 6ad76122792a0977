"""Validate the common-use dataset (src/portatlas/data/common-use/*.toml): shape, sources, duplicates.

Prints one line per problem and exits 1 when there is any; prints a summary otherwise.
"""

from __future__ import annotations

import datetime
import sys
import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "portatlas" / "data" / "common-use"
KEYS = {"port", "transport", "software", "aliases", "use", "summary", "platforms", "source", "source_title",
        "checked"}
REQUIRED = KEYS - {"aliases", "platforms"}
USES = {"default", "configured", "os", "malware"}
TRANSPORTS = {"tcp", "udp", "sctp", "dccp"}
PLATFORMS = {"linux", "macos", "windows"}
BANNED_SOURCES = ("wikipedia.org", "speedguide", "whatportis", "adminsub", "iana.org/assignments",
                  "grc.com/port", "portforward.com", "tcp-udp-ports", "networksorcery")


def span(port: object) -> tuple[int, int] | None:
    if isinstance(port, int) and not isinstance(port, bool):
        return (port, port) if 0 <= port <= 65535 else None
    if isinstance(port, str):
        lo, sep, hi = port.partition("-")
        if sep and lo.isdigit() and hi.isdigit() and 0 <= int(lo) < int(hi) <= 65535:
            return int(lo), int(hi)
    return None


def check(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    problems: list[str] = []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        return [f"{path.name}: not valid TOML: {e}"], []
    entries = doc.get("entry", [])
    if set(doc) - {"entry"} or not isinstance(entries, list) or not entries:
        problems.append(f"{path.name}: the file holds only [[entry]] tables")
    for i, e in enumerate(entries, 1):
        where = f"{path.name} entry {i} ({e.get('software', '?')} {e.get('port', '?')})"
        for k in sorted(REQUIRED - set(e)):
            problems.append(f"{where}: missing {k}")
        for k in sorted(set(e) - KEYS):
            problems.append(f"{where}: unknown key {k}")
        if span(e.get("port")) is None:
            problems.append(f"{where}: port is an integer 0-65535 or a string 'LOW-HIGH'")
        ts = e.get("transport")
        if not isinstance(ts, list) or not ts or not set(ts) <= TRANSPORTS or len(set(ts)) != len(ts):
            problems.append(f"{where}: transport is a list of distinct tcp, udp, sctp, dccp")
        if e.get("use") not in USES:
            problems.append(f"{where}: use is one of {', '.join(sorted(USES))}")
        for k in ("software", "summary", "source_title"):
            v = e.get(k)
            if not isinstance(v, str) or not v.strip() or v != v.strip() or "\n" in v:
                problems.append(f"{where}: {k} is one line of text")
        summary = e.get("summary")
        if isinstance(summary, str) and not (20 <= len(summary) <= 300 and summary.endswith(".")):
            problems.append(f"{where}: summary is one sentence of 20-300 characters ending in '.'")
        src = e.get("source")
        if not isinstance(src, str) or not src.startswith("https://") or " " in src:
            problems.append(f"{where}: source is an https URL")
        elif any(b in src for b in BANNED_SOURCES):
            problems.append(f"{where}: source must be the software's own documentation, an RFC or the vendor")
        if not isinstance(e.get("checked"), datetime.date) or isinstance(e.get("checked"), datetime.datetime):
            problems.append(f"{where}: checked is a TOML date such as 2026-12-01")
        al = e.get("aliases", [])
        if not isinstance(al, list) or not all(isinstance(a, str) and a == a.lower().strip() and a for a in al):
            problems.append(f"{where}: aliases is a list of lower-case names")
        pf = e.get("platforms", [])
        if not isinstance(pf, list) or not set(pf) <= PLATFORMS:
            problems.append(f"{where}: platforms is a list of linux, macos, windows")
        e["_file"] = path.name
    return problems, entries


def main() -> int:
    problems: list[str] = []
    everything: list[dict[str, object]] = []
    for path in sorted(DATA.glob("*.toml")):
        p, entries = check(path)
        problems += p
        everything += entries
    seen: dict[tuple[object, ...], str] = {}
    for e in everything:
        s = span(e.get("port"))
        for t in e.get("transport", []) if isinstance(e.get("transport"), list) else []:
            key = (s, t, str(e.get("software", "")).lower())
            here = f"{e['_file']} {e.get('software')} {e.get('port')}/{t}"
            if key in seen:
                problems.append(f"duplicate: {here} is also in {seen[key]}")
            seen[key] = here
    for line in problems:
        print(line)
    if problems:
        return 1
    ports = {span(e["port"]) for e in everything}
    print(f"{len(everything)} entries in {len(list(DATA.glob('*.toml')))} files, {len(ports)} distinct ports or ranges: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
