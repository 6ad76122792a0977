"""firewalld's service definitions, read where installed: each application's full set of ports.

``/usr/lib/firewalld/services/*.xml`` (and an administrator's
``/etc/firewalld/services``) name, for some 200 applications, every port
they need (``<port protocol="tcp" port="8080"/>``, ranges as ``6000-6063``).
They belong to firewalld (GPL): read at run time, never bundled. Parsed with
expat, refusing DTDs and entities, because a file here may be anyone's.
What they say is kept in the cache directory, keyed by each file's size and
mtime, so an answer stats the files instead of reading them all.
"""

from __future__ import annotations

import os
import stat
import zlib

from portatlas.value import value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENV = "PORTATLAS_FIREWALLD_DIRS"
DIRS: tuple[str, ...] = ("/usr/lib/firewalld/services", "/etc/firewalld/services")
INSTALL_HINT = ("install firewalld (Debian and Ubuntu: apt install firewalld; Fedora and RHEL have it) or set "
                f"{ENV} to folders of firewalld service files")
MAX_FILE = 1 << 20  # a service file is a few hundred bytes; anything over a megabyte is not one
FORMAT = 1  # of the catalogue's cache file


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


def _listing(dirs: tuple[str, ...]) -> tuple[tuple[str, str, int, int], ...]:
    """Each service file's name, path, size and mtime (a file in /etc overrides /usr/lib's of that name)."""
    found: dict[str, tuple[str, str, int, int]] = {}
    for d in dirs:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if not e.name.endswith(".xml"):
                continue
            try:
                st = e.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE:
                found[e.name[:-4]] = (e.name[:-4], e.path, st.st_size, st.st_mtime_ns)
    return tuple(found.values())


def _read(path: str) -> bytes | None:
    # os.open and os.read, not open(): three system calls a file, for 200-odd files.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        data = os.read(fd, MAX_FILE + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= MAX_FILE else None


# A service as the catalogue keeps it: name, title, description, ((low, high, protocol), ...), path.
_Row = tuple[str, str, str, tuple[tuple[int, int, str], ...], str]
_CATALOGUE: dict[tuple[tuple[str, str, int, int], ...], tuple[_Row, ...]] = {}


def _catalogue(dirs: tuple[str, ...], port: int | None = None) -> tuple[_Row, ...]:
    """Every readable service as a row, from the cache file when the folders' files are as it lists them.

    Reading and parsing 200-odd files takes milliseconds (ten here, where a
    file's open and read cost fifteen times its ``stat``); the cache costs one
    ``stat`` a file, and any change to a file (its size or mtime), or a file
    added or removed, compiles the catalogue again. Where no cache can be
    written, a ``port``'s answer parses only the files that might name it.
    """
    listing = _listing(dirs)
    if listing in _CATALOGUE:
        return _CATALOGUE[listing]
    from portatlas.source.files import read_marshal, writable_dir, write_cache
    from portatlas.source.paths import cache_dir_str

    folder = cache_dir_str()
    cache = os.path.join(folder, f"firewalld-v{FORMAT}-{zlib.crc32(repr(dirs).encode()):08x}.marshal")
    stored = read_marshal(cache)
    rows = _valid_rows(stored["rows"]) if isinstance(stored, dict) and stored.get("listing") == listing else None
    if rows is None:
        whole = port is None or writable_dir(folder)
        needle = str(port).encode()
        files = ((name, path, data) for name, path, _, _ in listing if (data := _read(path)) is not None)
        parsed = (parse(data, name, path) for name, path, data in files
                  if whole or needle in data or b"&#" in data or _may_span(data, port or 0))
        rows = tuple((s.name, s.title, s.description, tuple((p.low, p.high, p.protocol) for p in s.ports), s.path)
                     for s in parsed if s is not None)
        if not whole:
            return rows  # only this port's: neither cached nor kept
        import marshal

        write_cache(cache, marshal.dumps({"listing": listing, "rows": rows}))
    if len(_CATALOGUE) > 16:
        _CATALOGUE.clear()
    _CATALOGUE[listing] = rows
    return rows


def _valid_rows(rows: object) -> tuple[_Row, ...] | None:
    """The cache's rows if every one has the shape ``_catalogue`` writes, else None (compile again)."""
    if not isinstance(rows, tuple):
        return None
    for r in rows:
        if not (isinstance(r, tuple) and len(r) == 5 and all(isinstance(x, str) for x in (r[0], r[1], r[2], r[4]))
                and isinstance(r[3], tuple) and r[3]
                and all(isinstance(p, tuple) and len(p) == 3 and type(p[0]) is int and type(p[1]) is int
                        and 0 <= p[0] <= p[1] <= 65535 and p[2] in ("tcp", "udp", "sctp", "dccp") for p in r[3])):
            return None
    return rows


def _service(row: _Row) -> FirewalldService:
    name, title, description, ports, path = row
    return FirewalldService(name, title, description, tuple(FirewalldPort(*p) for p in ports), path)


def services() -> tuple[tuple[FirewalldService, ...], str]:
    """Every readable service definition, and why there are none."""
    dirs, why = configured_dirs()
    if not dirs:
        return (), why
    return tuple(_service(r) for r in _catalogue(dirs)), ""


def at(port: int) -> tuple[tuple[FirewalldService, ...], str]:
    """The services that open ``port``, and why none could be read."""
    dirs, why = configured_dirs()
    if not dirs:
        return (), why
    return tuple(_service(r) for r in _catalogue(dirs, port) if any(lo <= port <= hi for lo, hi, _ in r[3])), ""


def _may_span(data: bytes, port: int) -> bool:
    """Whether some run of digits, a dash and digits (``6000-6063``) could be a range holding ``port``.

    A superset of the files whose ranges hold it: each side is the whole run of digits, as the parser
    reads an attribute, so a range is never missed; text that only looks like one costs a parse.
    """
    i = data.find(b"-", 1)
    while i != -1:
        lo = i
        while lo > 0 and 48 <= data[lo - 1] <= 57:
            lo -= 1
        hi = i + 1
        while hi < len(data) and 48 <= data[hi] <= 57:
            hi += 1
        if lo < i < hi - 1 and int(data[lo:i]) <= port <= int(data[i + 1:hi]):
            return True
        i = data.find(b"-", i + 1)
    return False


def named(name: str) -> tuple[FirewalldService, ...]:
    """Services whose file name or title is ``name`` (any letter case, punctuation ignored)."""
    from portatlas.world.commonuse import normalise

    q = normalise(name)
    found, _ = services()
    return tuple(s for s in found if q and q in (normalise(s.name), normalise(s.title)))
