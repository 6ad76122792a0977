"""The rules every entry of the common-use dataset keeps (checked when it is compiled, and by a test)."""

from __future__ import annotations

import datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KEYS = frozenset({"port", "transport", "software", "aliases", "use", "summary", "platforms", "source",
                  "source_title", "checked"})
REQUIRED = KEYS - {"aliases", "platforms"}
USES = ("default", "configured", "os", "malware")
TRANSPORTS = ("tcp", "udp", "sctp", "dccp")
PLATFORMS = ("linux", "macos", "windows")
# Not sources: encyclopedias and port-listing sites (the dataset is our own words, from primary sources).
BANNED_SOURCES = ("wikipedia.org", "speedguide", "whatportis", "adminsub", "grc.com/port", "portforward.com",
                  "tcp-udp-ports", "networksorcery")


def span_ok(port: object) -> bool:
    """A port 0-65535, or a string 'LOW-HIGH' with LOW < HIGH."""
    if isinstance(port, int) and not isinstance(port, bool):
        return 0 <= port <= 65535
    if isinstance(port, str):
        lo, sep, hi = port.partition("-")
        return bool(sep) and lo.isdigit() and hi.isdigit() and 0 <= int(lo) < int(hi) <= 65535
    return False


def check_entry(where: str, e: dict[str, Any]) -> list[str]:
    """What is wrong with one entry (empty when nothing is)."""
    problems = [f"{where}: missing {k}" for k in sorted(REQUIRED - set(e))]
    problems += [f"{where}: unknown key {k}" for k in sorted(set(e) - KEYS)]
    if not span_ok(e.get("port")):
        problems.append(f"{where}: port is an integer 0-65535 or a string 'LOW-HIGH'")
    ts = e.get("transport")
    if not isinstance(ts, list) or not ts or not set(ts) <= set(TRANSPORTS) or len(set(ts)) != len(ts):
        problems.append(f"{where}: transport is a list of distinct tcp, udp, sctp, dccp")
    if e.get("use") not in USES:
        problems.append(f"{where}: use is one of {', '.join(USES)}")
    for k in ("software", "summary", "source_title"):
        v = e.get(k)
        if not isinstance(v, str) or not v.strip() or v != v.strip() or "\n" in v:
            problems.append(f"{where}: {k} is one line of text")
    summary = e.get("summary")
    if isinstance(summary, str) and not (20 <= len(summary) <= 300 and summary.endswith(".")):
        problems.append(f"{where}: summary is one sentence of 20-300 characters ending in '.'")
    src = e.get("source")
    if not isinstance(src, str) or not src.startswith("https://") or any(c.isspace() for c in src):
        problems.append(f"{where}: source is an https URL")
    elif any(b in src for b in BANNED_SOURCES):
        problems.append(f"{where}: source must be the software's own documentation, an RFC or the vendor")
    checked = e.get("checked")
    if not isinstance(checked, datetime.date) or isinstance(checked, datetime.datetime):
        problems.append(f"{where}: checked is a TOML date such as 2026-12-01")
    aliases = e.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a and a == a.lower().strip() for a in aliases):
        problems.append(f"{where}: aliases is a list of lower-case names")
    platforms = e.get("platforms", [])
    if not isinstance(platforms, list) or not set(platforms) <= set(PLATFORMS):
        problems.append(f"{where}: platforms is a list of linux, macos, windows")
    if e.get("use") == "os" and not platforms:
        problems.append(f"{where}: an os entry names its platforms")
    return problems


def check_entries(file_name: str, doc: dict[str, Any]) -> list[str]:
    """What is wrong with one parsed TOML file of the dataset."""
    entries = doc.get("entry")
    if set(doc) - {"entry"} or not isinstance(entries, list) or not entries:
        return [f"{file_name}: the file holds only [[entry]] tables, at least one"]
    out = []
    for i, e in enumerate(entries, 1):
        where = f"{file_name} entry {i} ({e.get('software', '?')} {e.get('port', '?')})"
        out += check_entry(where, e) if isinstance(e, dict) else [f"{where}: not a table"]
    return out
