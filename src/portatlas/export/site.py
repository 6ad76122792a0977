"""`portatlas export site DIR`: every page and JSON document as static files, for any static host.

Pages are rendered by the same ``Site`` the server uses, so an exported page
is the served page (only the feedback section differs: it posts to a
configured API, or is left out). Ports are rendered in parallel worker
processes forked from one loaded registry; each file is one open and one write.

Layout (links are root-relative, prefixed with ``--base-url``):

    index.html  port/N/index.html  ports/LOW-HIGH/index.html  service/NAME/index.html
    range/{system,user,dynamic}/index.html  gaps/index.html  stats/index.html  search/index.html
    api/ports/N.json  api/ports/LOW-HIGH.json  api/services/NAME.json  api/stats.json  api/gaps.json
    search.json  portspace.png  static/site.css  static/feedback.js  404.html  robots.txt  sitemap.xml

Each document is the body the API serves at the same path without ``.json``, and the pages link
to those files (``urls.static_path``); a name a static server would decode into another path
(``914c/g``) is written as the folder ``914c%2Fg`` and linked as ``914c%252Fg``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from portatlas.atlas import Registry
from portatlas.errors import BadInput, NotFound
from portatlas.export.safe_files import real_dir, segment, write
from portatlas.value import value
from portatlas.web import seo, urls
from portatlas.web.settings import Settings
from portatlas.web.site import Site, dump

MARKER = ".portatlas-export"
CHUNK = 1024  # ports per task: large enough that task overhead vanishes, small enough for a smooth bar

_site: Site | None = None  # each worker's Site (inherited by fork, or built by _init)


@value
class ExportResult:
    """What an export wrote."""

    directory: str
    pages: int
    documents: int
    bytes: int
    seconds: float


def export_site(directory: str | Path, base_url: str = "", *, feedback_api: str | None = None,
                registry: Registry | None = None, jobs: int | None = None,
                progress: Callable[[int, int], None] | bool | None = None,
                ports: Iterable[int] | None = None, pages: Iterable[str] | None = None,
                services: Iterable[str] | None = None) -> ExportResult:
    """Write the whole site under ``directory``; returns counts and the time taken.

    ``base_url`` prefixes every link ('' for a site at a host's root);
    ``feedback_api`` is the server the pages' feedback form posts to (None: no
    form). ``progress`` is a callback (done, total), True for a bar on stderr,
    None for a bar only on a terminal. ``ports``, ``pages`` and ``services`` limit the port pages,
    the other pages and the services' JSON documents (a partial export: ``export.subset``).

    A directory that cannot be written, a full disk or a file too large is a ``BadInput`` naming
    the file and the reason; the marker is written first, so the same call can be made again
    over what an interrupted or failed export left.
    """
    start = time.perf_counter()
    root = _prepare(Path(directory))
    if base_url and not base_url.startswith(("http://", "https://", "/")):
        raise BadInput(f"--base-url {base_url!r}: give an absolute URL (https://host/path) or a path (/ports)")
    if feedback_api and not feedback_api.startswith(("http://", "https://")):
        raise BadInput(f"--feedback-api {feedback_api!r}: give the server's URL, e.g. https://ports.example.org")
    settings = Settings(base_url=base_url.rstrip("/"), feedback_api=feedback_api)
    registry = registry or Registry.default()
    site = Site(registry, settings, mode="export")
    port_list = list(range(65536) if ports is None else ports)
    others = other_pages(site) if pages is None else list(pages)
    total = len(port_list) + len(others)
    report = _progress_callback(progress, total)
    service_names = _service_names(registry) if services is None else sorted(services)

    # Every page and document is a task for the worker processes (forked from this one, so the
    # registry is loaded once): ports in chunks, other pages in chunks, the other documents as one task.
    global _site
    _site = site
    tasks: list[tuple[str, str, list[Any]]] = [("docs", str(root), [])]
    tasks += [("services", str(root), service_names[i:i + CHUNK // 4])
              for i in range(0, len(service_names), CHUNK // 4)]
    tasks += [("pages", str(root), others[i:i + CHUNK // 4]) for i in range(0, len(others), CHUNK // 4)]
    tasks += [("ports", str(root), port_list[i:i + CHUNK]) for i in range(0, len(port_list), CHUNK)]
    files = nbytes = done = 0
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    pool: Any = None
    old_term = _term_as_interrupt()
    try:
        # First: an export cut short (Ctrl-C, a kill, a full disk) leaves a directory the same
        # command may write over again. Rewritten without "incomplete" at the end.
        write(str(root / MARKER), f"portatlas site export, edition {site.edition}, incomplete\n".encode())
        if n_jobs == 1:
            results: Iterable[tuple[int, int, int]] = map(_task, tasks)
        else:
            ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            pool = ctx.Pool(n_jobs, initializer=_init, initargs=(registry.source, settings))
            results = pool.imap_unordered(_task, tasks)
        for f, b, n_pages in results:
            files += f
            nbytes += b
            done += n_pages
            report(done, total)
        if pool is not None:
            pool.close()
            pool.join()
        f, b = _sitemap(site, root, others, port_list)
        files += f
        nbytes += b
        write(str(root / MARKER), f"portatlas site export, edition {site.edition}\n".encode())
    except OSError as e:
        raise BadInput(f"cannot write the export into {root}: {e.strerror or e}"
                       + (f" ({e.filename})" if e.filename else "")
                       + "; the export is incomplete: make room or fix the directory, "
                         "then run the same command again") from None
    finally:
        if pool is not None:
            pool.terminate()
        _site = None
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    report(total, total)
    return ExportResult(directory=str(root), pages=total, documents=files - total,
                        bytes=nbytes, seconds=time.perf_counter() - start)


def other_pages(site: Site) -> list[str]:
    """Every page but the port pages: home, ranges, gaps pages, stats, each linked span, each service."""
    return urls.other_pages(site.registry)


def _service_names(registry: Registry) -> list[str]:
    """Every service name of the registry, once each, as the registry spells it (its first row's spelling,
    which is the name ``Registry.service`` answers with)."""
    names: dict[str, str] = {}
    for r in registry.records():
        if r.name:
            names.setdefault(r.name.lower(), r.name)
    return list(names.values())


def _services(site: Site, writer: _Writer, names: list[str]) -> None:
    """``api/services/NAME.json``: the NameAnswer ``/api/services/NAME`` serves (the same bytes)."""
    for given in names:
        try:
            name = site.registry.service(given).name  # the registry's spelling, which the pages link to
        except NotFound:
            continue  # not a registry service: it has no page either
        writer.file(site.link_path("/api/services/" + quote(name, safe="")), dump(site.registry.name(name)))


def _documents(site: Site, writer: _Writer) -> None:
    """The JSON documents besides the ports' and services', the search index, the picture and static files."""
    reg = site.registry
    writer.file("api/stats.json", site.json(("stats",), reg.stats))
    writer.file("api/gaps.json", dump(reg.gaps(None)))
    rows = [[r.name or "", r.number, r.transport.value if r.transport else "", r.description] for r in reg.records()]
    writer.file("search.json", json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode())
    writer.file("portspace.png", site.portspace_png())
    site.picture_url()  # registers the picture among the hashed static files
    for name, body in site.assets.files():
        writer.file(f"static/{name}", body)
    # For search engines (the sitemap, of the pages written, comes last: ``_sitemap``).
    writer.file("robots.txt", seo.robots(site.origin or None, site.path_prefix))
    writer.page("/search", site.render_doc("search_static.html", "/search", feedback="").encode())
    writer.file("404.html", site.render_doc("error.html", "/", status=404, title="Not found", feedback="",
                                        message="No such page in this copy of portatlas.").encode())


def _sitemap(site: Site, root: Path, others: list[str], ports: list[int]) -> tuple[int, int]:
    """With an absolute --base-url (a sitemap needs absolute URLs), the sitemap of the pages written."""
    if not site.origin:
        return 0, 0
    writer = _Writer(root)
    chunks = seo.chunked([site.link_path(p) for p in seo.in_sitemap_order(others, ports)])
    writer.file("sitemap.xml", seo.sitemap_index(site.origin, len(chunks), site.lastmod))
    for i, chunk in enumerate(chunks, 1):
        writer.file(seo.chunk_path(i), seo.sitemap_chunk(site.origin, chunk, site.lastmod))
    return writer.files, writer.bytes


class _Writer:
    """Writes files under the export root with as few system calls as it can.

    Paths are given as the export links to them (``urls.static_path``): each segment is decoded, as
    a static server decodes the link, and made safe (``segment``), so no name from the registry
    leaves its folder. Never through a link: a symbolic link (or hard link) planted inside the
    root, where a file or a folder goes, is replaced, never followed.
    """

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.files = 0
        self.bytes = 0
        self._dirs: set[str] = set()  # folders already checked to be real folders

    def page(self, path: str, body: bytes) -> None:
        rel = path.strip("/")
        self.file(f"{rel}/index.html" if rel else "index.html", body)

    def file(self, rel: str, body: bytes) -> None:
        parts = [segment(unquote(p)) for p in rel.split("/") if p]
        folder = self.root
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            if folder not in self._dirs:
                real_dir(folder)
                self._dirs.add(folder)
        write(os.path.join(folder, parts[-1]), body)
        self.files += 1
        self.bytes += len(body)


def _term_as_interrupt() -> Any:
    """Make SIGTERM stop the export as Ctrl-C does (workers ended, one line); the old handler.

    Without it, a killed parent leaves forked workers waiting on a queue nobody feeds.
    """
    if threading.current_thread() is not threading.main_thread():
        return None  # signal handlers can be set from the main thread only

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _die_with_parent() -> None:
    """On Linux, end this worker when the parent dies (kill -9): not a BrokenPipe trace per worker."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _init(source: str, settings: Settings) -> None:
    """Each worker: Ctrl-C is the parent's to handle; one started by spawn (not fork) builds its Site."""
    global _site
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # else every worker prints a KeyboardInterrupt trace
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's terminate() must end it
    _die_with_parent()
    if _site is None:
        _site = Site(Registry.from_file(source), settings, mode="export")


def _task(task: tuple[str, str, list[Any]]) -> tuple[int, int, int]:
    """One unit of work in a worker: (files written, bytes written, pages done)."""
    kind, root, items = task
    site = _site
    assert site is not None
    if kind == "ports":
        f, b = _port_chunk((root, items))
        return f, b, len(items)
    writer = _Writer(Path(root))
    if kind == "pages":
        for path in items:
            template, ctx = site.resolve(path)
            writer.page(site.link_path(path), site.render_page(path, template, ctx).body())
            if path.startswith("/ports/"):  # the span's JSON, which its page links to
                span = path.removeprefix("/ports/")
                writer.file(site.link_path("/api" + path), dump(site.registry.ports(span)))
        return writer.files, writer.bytes, len(items)
    if kind == "services":
        _services(site, writer, items)
    else:
        _documents(site, writer)
    return writer.files, writer.bytes, 0


def _port_chunk(task: tuple[str, list[int]]) -> tuple[int, int]:
    """Render and write the pages and JSON of some ports; (files, bytes) written."""
    root, ports = task
    site = _site
    assert site is not None
    port_dir = os.path.join(root, "port")
    api_dir = os.path.join(root, "api", "ports")
    for d in (port_dir, os.path.join(root, "api"), api_dir):
        real_dir(d)
    n = 0
    for p in ports:
        page, doc = site.render_port(p)
        html = page.body()
        d = os.path.join(port_dir, str(p))
        real_dir(d)
        write(os.path.join(d, "index.html"), html)
        write(os.path.join(api_dir, f"{p}.json"), doc)
        n += len(html) + len(doc)
    return 2 * len(ports), n


def _prepare(root: Path) -> Path:
    """The export directory: new, empty, or an earlier export (never someone else's files)."""
    try:
        if root.exists():
            if not root.is_dir():
                raise BadInput(f"{root} exists and is not a directory: give a new or empty directory")
            if any(root.iterdir()) and not (root / MARKER).exists():
                raise BadInput(f"{root} is not empty and holds no earlier portatlas export: "
                               "give a new or empty directory (nothing was written)")
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a name too long, a parent that is a file, no permission
        from portatlas.query.grammar import shown

        where = str(root) if len(str(root)) <= 200 else shown(str(root))
        raise BadInput(f"cannot create {where}: {e.strerror}") from None
    return root


def _progress_callback(progress: Callable[[int, int], None] | bool | None, total: int) -> Callable[[int, int], None]:
    if callable(progress):
        return progress
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return lambda done, total: None
    return _Bar()


class _Bar:
    """A progress bar on stderr: pages done, percent, rate and time left."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        frac = done / total if total else 1.0
        rate = done / max(now - self.start, 1e-6)
        left = (total - done) / rate if rate else 0
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\rexport [{bar:<30}] {done:>6}/{total} pages {frac:6.1%}  "
                         f"{rate:6.0f}/s  {int(left) // 60}:{int(left) % 60:02d} left ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


__all__ = ["ExportResult", "export_site", "other_pages"]
