"""Agreement with the machine's own port database: /etc/services and getservbyport/getservbyname.

Where IANA assigns a port, portatlas must say what /etc/services and the C
library say; where they differ (a distribution's alias, an unofficial entry,
a de-registered name), the difference is named, and the independent oracle
must see the same difference.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ETC_SERVICES = Path("/etc/services")
pytestmark = pytest.mark.skipif(not ETC_SERVICES.is_file(),
                                reason="no /etc/services here (Debian's netbase; .ci/run installs it)")


def entries():
    out = []
    for line in ETC_SERVICES.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.split("#", 1)[0].split()
        if len(line) < 2 or "/" not in line[1]:
            continue
        port, proto = line[1].split("/")
        out.append((line[0], int(port), proto.lower(), tuple(line[2:])))
    return out


def classify(names_on_port: list[str], name: str, aliases: tuple[str, ...]) -> str:
    lower = {n.lower() for n in names_on_port}
    if name.lower() in lower:
        return "same name"
    if lower & {a.lower() for a in aliases}:
        return "alias is the IANA name"
    if names_on_port:
        return "port assigned to another name"
    return "not assigned by IANA"


def test_etc_services_agrees_where_iana_assigns(registry, oracle):
    rows = entries()
    assert len(rows) > 100, "/etc/services should list the common services (Debian's netbase)"
    differences = []
    agreed = 0
    for name, port, proto, aliases in rows:
        if proto not in ("tcp", "udp", "sctp", "dccp"):
            continue
        ours = [r.name for r in registry.lookup(port).on(proto).assignments]
        kind = classify(ours, name, aliases)
        assert kind == classify(oracle.names(port, proto), name, aliases), (name, port, proto)
        if kind == "same name":
            agreed += 1
            assert any(r.transport is None or r.transport.value == proto
                       for r in registry.service(name).records if r.low is not None and r.low <= port <= r.high)
        else:
            differences.append(f"{name} {port}/{proto}: {kind}" + (f" ({', '.join(ours)})" if ours else ""))
    print("\n/etc/services differences from IANA:\n  " + "\n  ".join(differences))
    assert agreed > 0.7 * len(rows)


def test_getservbyport_and_getservbyname_agree(registry):
    checked = 0
    listed: dict[tuple[str, str], set[int]] = {}
    for name, port, proto, aliases in entries():
        for n in (name, *aliases):  # getservbyname also answers for aliases
            listed.setdefault((n, proto), set()).add(port)
    for name, port, proto, _aliases in entries():
        if proto not in ("tcp", "udp"):
            continue
        try:
            libc_name = socket.getservbyport(port, proto)
            libc_port = socket.getservbyname(name, proto)
        except OSError:
            continue
        assert libc_port in listed[(name, proto)]
        ours = {r.name.lower() for r in registry.lookup(port).on(proto).assignments}
        if libc_name.lower() in ours:
            checked += 1
            assert registry.lookup(port).on(proto).state.value == "assigned"
            # getservbyname's answer is one of portatlas's ports for that name, when IANA agrees.
            theirs = {r.low for r in registry.service(libc_name).records if r.transport in (None, proto)}
            assert socket.getservbyname(libc_name, proto) in theirs | listed[(libc_name, proto)]
    assert checked > 100
