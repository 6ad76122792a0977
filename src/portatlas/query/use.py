"""Who already uses a port beyond the registry, as reasons for a new service: pure, from common-use entries.

A port other software takes by default, one an operating system claims, or
one known malware uses is no place for something new; the reasons name who
uses it. The entries come from ``portatlas.world.commonuse`` (each with its
source); the caller hands in those about the port.
"""

from __future__ import annotations

from portatlas.query.reasons import Level, Purpose, Reason

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from portatlas.model import Transport
    from portatlas.world.commonuse import CommonUse

DATASET_SOURCE = "portatlas's common-use dataset (each entry's own source is listed with it)"
# An entry over more ports than this is a range fact (an ephemeral range, Kubernetes' NodePorts): it says
# where software may pick a port, not that something holds this one, so it only informs.
WIDE = 256
_PLATFORM_TITLES = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}


def names_software(entry: CommonUse, name: str | None) -> bool:
    """Whether ``name`` (what a user typed for their service) names the entry's software."""
    if not name:
        return False
    from portatlas.world.commonuse import normalise

    q = normalise(name)
    return bool(q) and (q == normalise(entry.software) or q in (normalise(a) for a in entry.aliases))


def _list(names: Sequence[str], limit: int = 4) -> str:
    names = list(dict.fromkeys(names))
    if len(names) > limit:
        names = [*names[:limit], f"{len(names) - limit} more"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def platforms(entries: Sequence[CommonUse]) -> str:
    """'macOS', 'Linux and Windows'."""
    found = [_PLATFORM_TITLES.get(p, p) for e in entries for p in e.platforms]
    return _list(found) if found else "some systems"


def about(port: int, transports: tuple[Transport, ...],
          common: Sequence[CommonUse]) -> tuple[list[CommonUse], list[CommonUse]]:
    """The entries about ``port`` on any of ``transports``: (the programs using it, the wide range facts)."""
    entries = [e for e in common if e.covers(port) and any(t in e.transports for t in transports)]
    wide = [e for e in entries if e.high - e.low + 1 > WIDE]
    return [e for e in entries if e not in wide], wide


def named_here(port: int, transports: tuple[Transport, ...], common: Sequence[CommonUse],
               service: str | None) -> CommonUse | None:
    """The entry of the software ``service`` names that uses ``port`` on one of ``transports``, or None."""
    return next((e for e in about(port, transports, common)[0] if names_software(e, service)), None)


def in_use(port: int, transports: tuple[Transport, ...], purpose: Purpose,
           common: Sequence[CommonUse], service: str | None = None) -> list[Reason]:
    """Reasons from the software known to use ``port`` on any of ``transports``, one per kind of use."""
    entries, wide = about(port, transports, common)
    out: list[Reason] = []
    if wide:
        out.append(Reason(Level.INFO, "common.range", f"inside {_list([e.software for e in wide])}",
                          " ".join(f"{e.software} ({e.number}): {e.summary}" for e in wide[:2]), DATASET_SOURCE))
    if not entries:
        return out
    yours = [e for e in entries if names_software(e, service)]
    others = [e for e in entries if e not in yours]
    if yours:
        out.append(Reason(Level.GOOD, "common.yours", f"the port {yours[0].software} uses",
                          f"{yours[0].summary} That is the software you named.", DATASET_SOURCE))
    by_use: dict[str, list[CommonUse]] = {}
    for e in others:
        by_use.setdefault(e.use.value, []).append(e)
    if "os" in by_use:
        es = by_use["os"]
        level = Level.AVOID if purpose in (Purpose.PRODUCTION, Purpose.STANDARD) else Level.CAUTION
        who = _list([e.software for e in es])
        out.append(Reason(level, "common.os", f"{platforms(es)} claims it ({who})",
                          f"An operating-system service uses port {port}: {es[0].summary} On "
                          f"{platforms(es)} machines it is taken before a new service starts.", DATASET_SOURCE))
    if "default" in by_use:
        es = by_use["default"]
        who = _list([e.software for e in es])
        level = Level.INFO if purpose is Purpose.TESTING else Level.CAUTION  # a test moves when it collides
        out.append(Reason(level, "common.default", f"the default port of {who}",
                          f"Port {port} is the default port of {who}: a new service here collides with "
                          "them where both run, and firewalls, scanners and people will take it for them.",
                          DATASET_SOURCE))
    if "malware" in by_use:
        es = by_use["malware"]
        out.append(Reason(Level.CAUTION, "common.malware", f"known malware uses it ({_list([e.software for e in es])})",
                          f"{es[0].summary} Intrusion detection and firewalls may flag or block traffic on it.",
                          DATASET_SOURCE))
    if "configured" in by_use:
        es = by_use["configured"]
        out.append(Reason(Level.INFO, "common.configured", f"often set for {_list([e.software for e in es])}",
                          f"{_list([e.software for e in es])} are commonly configured to use port {port}."
                          if len({e.software for e in es}) > 1 else es[0].summary, DATASET_SOURCE))
    return out
