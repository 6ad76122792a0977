"""firewalld's service definitions, read where installed: each application's full set of ports.

``/usr/lib/firewalld/services/*.xml`` (and an administrator's
``/etc/firewalld/services``) name, for some 200 applications, every port
they need (``<port protocol="tcp" port="8080"/>``, ranges as ``6000-6063``).
They belong to firewalld (GPL): read at run time, never bundled. Parsed with
expat, refusing DTDs and entities, because a file here may be anyone's.
"""

from __future__ import annotations

import os

from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENV = "PORTATLAS_FIREWALLD_DIRS"
DIRS: tuple[str, ...] = ("/usr/lib/firewalld/services", "/etc/firewalld/services")
INSTALL_HINT = ("install firewalld (Debian and Ubuntu: apt install firewalld; Fedora and RHEL have it) or set "
                f"{ENV} to folders of firewalld service files")
MAX_FILE = 1 << 20  # a service file is a few hundred bytes; anything over a megabyte is not one


@value
class FirewalldPort:
    """One port or range of a firewalld service, on one protocol."""

    low: int
    high: int
    protocol: str


@value
class FirewalldService:
    """A firewalld service: its file name (what ``firewall-cmd --add-service`` takes), title and ports."""

    name: str
    title: str
    description: str
    ports: tuple[FirewalldPort, ...]
    path: str

    def covers(self, port: int) -> bool:
        """Whether the service opens ``port`` on any protocol."""
        return any(p.low <= port <= p.high for p in self.ports)


class _Refused(Exception):
    pass


def parse(data: bytes, name: str, path: str) -> FirewalldService | None:
    """One service file's bytes, or None when it is not a well-formed, entity-free service definition."""
    from xml.parsers import expat

    title: list[str] = []
    description: list[str] = []
    ports: list[FirewalldPort] = []
    stack: list[str] = []

    def refuse_doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        raise _Refused

    def refuse_entity(*_: Any) -> None:
        raise _Refused

    def refuse_external(context: str, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise _Refused

    def start(tag: str, attrs: dict[str, str]) -> None:
        stack.append(tag)
        if tag == "port" and len(stack) == 2:
            proto = attrs.get("protocol", "").lower()
            lo, _, hi = attrs.get("port", "").partition("-")
            if proto in ("tcp", "udp", "sctp", "dccp") and lo.isdigit() and (hi or lo).isdigit():
                a, b = int(lo), int(hi or lo)
                if 0 <= a <= b <= 65535:
                    ports.append(FirewalldPort(a, b, proto))

    def end(tag: str) -> None:
        stack.pop()

    def text(chars: str) -> None:
        if stack[-1:] == ["short"]:
            title.append(chars)
        elif stack[-1:] == ["description"]:
            description.append(chars)

    p = expat.ParserCreate()
    p.StartDoctypeDeclHandler = refuse_doctype  # no DTD, so no entity can be declared or expanded
    p.EntityDeclHandler = refuse_entity
    p.ExternalEntityRefHandler = refuse_external
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    try:
        p.Parse(data, True)
    except (expat.ExpatError, _Refused, RecursionError):
        return None
    if not ports:
        return None
    return FirewalldService(name, " ".join("".join(title).split()) or name,
                            " ".join("".join(description).split()), tuple(ports), path)


def configured_dirs() -> tuple[tuple[str, ...], str]:
    """The folders to read, and why there are none when firewalld is not installed."""
    env = os.environ.get(ENV)
    dirs = tuple(d for d in env.split(os.pathsep) if d) if env is not None else DIRS
    found = tuple(d for d in dirs if os.path.isdir(d))
    if not found:
        return (), f"firewalld's service files are not installed: {INSTALL_HINT}"
    return found, ""


def _files(dirs: tuple[str, ...]) -> dict[str, tuple[str, bytes]]:
    """Each service file's name, path and bytes (a file in /etc overrides /usr/lib's of that name)."""
    out: dict[str, tuple[str, bytes]] = {}
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".xml"):
                continue
            path = os.path.join(d, name)
            # os.open and os.read, not open(): three system calls a file, for 200-odd files per answer.
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                continue
            try:
                data = os.read(fd, MAX_FILE + 1)
            except OSError:  # a directory named *.xml, or unreadable
                continue
            finally:
                os.close(fd)
            if len(data) <= MAX_FILE:
                out[name[:-4]] = (path, data)
    return out


_PARSED: dict[tuple[str, bytes], FirewalldService | None] = {}


def _parsed(name: str, path: str, data: bytes) -> FirewalldService | None:
    key = (path, data)
    if key not in _PARSED:
        if len(_PARSED) > 4096:
            _PARSED.clear()
        _PARSED[key] = parse(data, name, path)
    return _PARSED[key]


def services() -> tuple[tuple[FirewalldService, ...], str]:
    """Every readable service definition, and why there are none."""
    dirs, why = configured_dirs()
    if not dirs:
        return (), why
    found = (_parsed(n, path, data) for n, (path, data) in _files(dirs).items())
    return tuple(s for s in found if s is not None), ""


def at(port: int) -> tuple[tuple[FirewalldService, ...], str]:
    """The services that open ``port``, and why none could be read.

    Only files that name the port, or hold a range, are parsed: answering a
    port reads the folder's 200-odd small files but parses a handful.
    """
    dirs, why = configured_dirs()
    if not dirs:
        return (), why
    needle = str(port).encode()
    out = []
    for name, (path, data) in _files(dirs).items():
        if needle in data or b'-' in data.partition(b"<port")[2]:
            svc = _parsed(name, path, data)
            if svc is not None and svc.covers(port):
                out.append(svc)
    return tuple(out), ""


def named(name: str) -> tuple[FirewalldService, ...]:
    """Services whose file name or title is ``name`` (any letter case, punctuation ignored)."""
    from portatlas.world.commonuse import normalise

    q = normalise(name)
    found, _ = services()
    return tuple(s for s in found if q and q in (normalise(s.name), normalise(s.title)))
