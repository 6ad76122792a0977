"""`portatlas export site DIR`: the whole web site as static files (see portatlas.export.site)."""

from __future__ import annotations

import sys

from portatlas.cli.args import Arg, Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "export site", "every page and the API's JSON documents as static files for any static host",
    args=(Arg("directory", "where to write (new, empty, or an earlier export)"),),
    opts=(
        Opt(("--base-url",), "base_url", "URL", "prefix of every link, e.g. https://ports.example.org "
                                                "(default: the host's root)", default=""),
        Opt(("--feedback-api",), "feedback_api", "URL",
            "URL of a portatlas server the pages' feedback form posts to (default: no form)"),
        Opt(("--ports",), "ports", "N|LOW-HIGH",
            "only these ports' pages and JSON, with the index pages and the pages they link to: a quick "
            "look, or a test (default: every port)"),
        Opt(("--jobs",), "jobs", "N", "worker processes (default: one per CPU)"),
        Opt(("--no-progress",), "no_progress", help="no progress bar"),
    ),
    description="Write every page (all 65,536 ports, services, ranges, gaps, stats) and the API's JSON documents "
                "as static files for any static host. Exit 0 written, 2 a bad option, a directory holding "
                "someone else's files, or one that cannot be written (disk full); the same command finishes "
                "an interrupted export.",
)


def run(argv: list[str]) -> int:
    """Export; exit 0 written, 2 bad option or unusable directory."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.cli.output import Out, emit_json
    from portatlas.export.site import export_site

    jobs = integer(args, "jobs", "--jobs", 1, 256)
    ports = _ports(str(args.ports)) if args.ports is not None else None
    pages = services = registry = None
    if ports is not None:
        from portatlas import Registry
        from portatlas.export.subset import linked_pages

        registry = Registry.default()
        pages, services = linked_pages(registry, ports)
    result = export_site(str(args.directory), str(args.base_url or ""), feedback_api=args.option("feedback_api"),
                         jobs=jobs, progress=False if args.no_progress or args.json else None,
                         registry=registry, ports=ports, pages=pages, services=services)
    if args.json:
        emit_json(result)
    else:
        out = Out(no_color=bool(args.no_color))
        out.line(f"wrote {result.pages:,} pages and {result.documents:,} other files "
                 f"({result.bytes / 1e6:,.0f} MB) to {result.directory} in {result.seconds:.0f} s")
        out.write()
    sys.stdout.flush()
    return 0


def _ports(text: str) -> list[int]:
    """--ports N or LOW-HIGH as the list of ports (the one grammar's checks and messages)."""
    from portatlas.query.grammar import read_ports

    try:
        return [p for spec in read_ports(text) for p in spec.ports()]
    except BadInput as e:
        raise BadInput(f"--ports: {e}") from None
