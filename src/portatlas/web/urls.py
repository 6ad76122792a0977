"""Every path of the site, built in one place, and the inverse: a path read back to its canonical form.

The pages, the feedback keys, the sitemap and the static export all use these,
so ``/port/0080`` and ``/service/HTTP`` mean ``/port/80`` and ``/service/http``
wherever they arrive. ``Site.url`` puts the base URL in front.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from portatlas.errors import BadInput, NotFound
from portatlas.query.grammar import PORT_PATTERN, parse_port, shown

if TYPE_CHECKING:
    from portatlas.atlas import Registry

MAX_SPAN = 4096  # ports on one /ports/LOW-HIGH page
MAX_FILE_NAME = 200  # bytes of a file name the static export keeps as it is (file systems allow 255)
GAPS_PER_PAGE = 100  # unassigned blocks on one /gaps page
RANGES = ("system", "user", "dynamic")
HINT = "give the path of one of this site's pages, e.g. /port/307, /service/http, /range/user, /gaps"
# How a page of this site is written (a query or fragment after it is dropped): what the OpenAPI
# document gives for a 'page', and the gate ``canonical`` applies before it looks the page up.
PAGE_PATTERN = (rf"^/(?:|gaps|stats|port/{PORT_PATTERN}|ports/{PORT_PATTERN}-{PORT_PATTERN}"
                r"|range/(?:system|user|dynamic)|service/[^/?#\s]+|gaps/[0-9]{1,6})(?:[?#].*)?$")
_PAGE = re.compile(PAGE_PATTERN)


def port_path(port: int) -> str:
    """``/port/307``."""
    return f"/port/{port}"


def span_path(low: int, high: int) -> str:
    """``/ports/301-307``."""
    return f"/ports/{low}-{high}"


def service_path(name: str) -> str:
    """``/service/http`` ('/' inside old names such as 914c/g is escaped)."""
    return "/service/" + quote(name, safe="")


def file_name(name: str) -> str:
    """``name`` as one file or folder name of the static export, kept as it is when it can be.

    '/' and NUL are percent-encoded, '.' and '..' written as ``%2E`` and ``%2E%2E`` (else they would
    climb folders), and a name over ``MAX_FILE_NAME`` bytes shortened with a hash of it.
    """
    if name in (".", ".."):
        return name.replace(".", "%2E")
    name = name.replace("\x00", "%00").replace("/", "%2F")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME:
        import hashlib

        _stem, dot, ext = name.rpartition(".")
        suffix = dot + ext if dot and len(ext) <= 5 else ""
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        name = name[: MAX_FILE_NAME // 2] + "~" + digest + suffix
    return name


def static_path(path: str) -> str:
    """The link to ``path`` (a page or API path as served) in the static export.

    A static server decodes a link once and serves the file of that name, so a service's link is
    the percent-encoding of its folder's name (``file_name``): ``914c/g`` is written as the folder
    ``914c%2Fg`` and linked as ``/service/914c%252Fg`` (the served ``/service/914c%2Fg`` would be
    decoded to ``914c/g``, another folder). An API document is its ``.json`` file; other paths
    are as served.
    """
    for prefix, suffix in (("/service/", ""), ("/api/services/", ".json")):
        if path.startswith(prefix):
            return prefix + quote(file_name(unquote(path[len(prefix):])), safe="") + suffix
    if path.startswith("/api/ports/"):
        return path + ".json"
    return path


def range_path(name: str) -> str:
    """``/range/system``."""
    return f"/range/{name}"


def gaps_path(page: int = 1) -> str:
    """``/gaps`` for the first page of blocks, ``/gaps/N`` for the others."""
    return "/gaps" if page <= 1 else f"/gaps/{page}"


def gaps_pages(n_blocks: int) -> int:
    """How many /gaps pages ``n_blocks`` blocks fill (at least one)."""
    return max(1, -(-n_blocks // GAPS_PER_PAGE))


def canonical(registry: Registry, page: object) -> str:
    """A path of this site in its canonical form (``/port/0080`` → ``/port/80``), else ``BadInput``.

    A query or fragment is dropped; a full URL is refused (another site's page is not ours).
    A service name is spelled as the registry spells it; a /gaps page must exist. Text not written as
    a page (``PAGE_PATTERN``) is ``BadInput``; a page so written that the site does not have (an unknown
    service, a span of more than 4,096 ports, a /gaps page past the last) is ``NotFound``.
    """
    if not isinstance(page, str) or not page:
        raise BadInput(f"'page' is missing: {HINT}")
    if not _PAGE.fullmatch(page):
        raise BadInput(f"{shown(page)} is not a page of this site: {HINT}")
    path = urlsplit(page).path if page.startswith("/") and not page.startswith("//") else ""
    if path in ("/", "/gaps", "/stats"):
        return path
    kind, _, arg = path[1:].partition("/")
    try:
        if kind == "port" and arg:
            return port_path(parse_port(arg))
        if kind == "ports" and arg and "-" in arg[1:]:
            lo, _, hi = arg.partition("-")
            a, b = parse_port(lo), parse_port(hi)
            if a <= b and b - a < MAX_SPAN:
                return span_path(a, b)
        if kind == "range" and arg in RANGES:
            return range_path(arg)
        if kind == "service" and arg:
            return service_path(registry.service(unquote(arg)).name)
        if kind == "gaps" and arg.isascii() and arg.isdigit():
            n = int(arg)
            if 1 <= n <= gaps_pages(n_gap_blocks(registry)):
                return gaps_path(n)
    except (BadInput, NotFound):
        pass
    raise NotFound(f"this site has no page {shown(page)}: {HINT}")


def other_pages(registry: Registry) -> list[str]:
    """Every page but the port pages: home, ranges, gaps pages, stats, each linked span, each service."""
    paths = ["/", *(range_path(r) for r in RANGES), "/stats"]
    paths += [gaps_path(n) for n in range(1, gaps_pages(n_gap_blocks(registry)) + 1)]
    spans: dict[str, None] = {span_path(t * 256, t * 256 + 255): None for t in range(256)}
    for rng in ("system", "user"):
        for b in registry.gaps(rng):
            if b.size <= MAX_SPAN:
                spans[span_path(b.low, b.high)] = None
    services: dict[str, None] = {}
    seen: set[str] = set()
    for r in registry.records():
        if r.low is not None and r.high is not None and r.high > r.low and r.high - r.low < MAX_SPAN:
            spans[span_path(r.low, r.high)] = None
        if r.name and r.name.lower() not in seen:
            seen.add(r.name.lower())
            services[service_path(registry.service(r.name).name)] = None
    return paths + list(spans) + list(services)


def n_gap_blocks(registry: Registry) -> int:
    """Blocks listed on /gaps: the System range's, then the User range's."""
    return len(registry.gaps("system")) + len(registry.gaps("user"))


__all__ = [
    "GAPS_PER_PAGE",
    "MAX_SPAN",
    "canonical",
    "file_name",
    "gaps_pages",
    "gaps_path",
    "n_gap_blocks",
    "other_pages",
    "port_path",
    "range_path",
    "service_path",
    "span_path",
    "static_path",
]
