"""`portatlas export site DIR`: the whole web site as static files (see portatlas.export.site)."""

from __future__ import annotations

import sys

from portatlas.cli.common import Parser
from portatlas.errors import BadInput


def build() -> Parser:
    """The subcommand's options."""
    p = Parser(prog="portatlas export site",
               description="Write every page (all 65,536 ports, services, ranges, gaps, stats) and the API's "
                           "JSON documents as static files for any static host.")
    p.add_argument("directory", help="where to write (new, empty, or an earlier export)")
    p.add_argument("--base-url", default="", help="prefix of every link, e.g. https://ports.example.org "
                                                  "(default: the host's root)")
    p.add_argument("--feedback-api", default=None,
                   help="URL of a portatlas server the pages' feedback form posts to (default: no form)")
    p.add_argument("--ports", default=None, metavar="LOW-HIGH",
                   help="only these ports' pages and JSON (a port N or a range LOW-HIGH), with the index "
                        "pages and the pages they link to: a quick look, or a test (default: every port)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    return p


def run(argv: list[str]) -> int:
    """Export; exit 0 written, 2 bad option, or a directory that cannot be used or written (disk full)."""
    args = build().parse_args(argv)
    if args.jobs is not None and not 1 <= args.jobs <= 256:
        raise BadInput(f"--jobs {args.jobs}: use 1 to 256")
    ports = _ports(args.ports) if args.ports is not None else None
    from portatlas.cli.common import emit_json, write
    from portatlas.export.site import export_site

    pages = services = registry = None
    if ports is not None:
        from portatlas import Registry
        from portatlas.export.subset import linked_pages

        registry = Registry.default()
        pages, services = linked_pages(registry, ports)
    result = export_site(args.directory, args.base_url, feedback_api=args.feedback_api, jobs=args.jobs,
                         progress=False if args.no_progress or args.json else None,
                         registry=registry, ports=ports, pages=pages, services=services)
    if args.json:
        emit_json(result)
    else:
        write(f"wrote {result.pages:,} pages and {result.documents:,} other files "
              f"({result.bytes / 1e6:,.0f} MB) to {result.directory} in {result.seconds:.0f} s")
    sys.stdout.flush()
    return 0


def _ports(text: str) -> list[int]:
    """--ports N or LOW-HIGH as the list of ports (the lookup grammar's checks and messages)."""
    from portatlas.query.grammar import parse_port, parse_span

    try:
        if "-" in text:
            low, high = parse_span(text)
            return list(range(low, high + 1))
        return [parse_port(text)]
    except BadInput as e:
        raise BadInput(f"--ports: {e}") from None
