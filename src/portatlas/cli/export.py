"""`portatlas export services|json|csv`: the edition in use as a file other tools read (`export site`: the web site).

``--json``: to standard output, the export itself as JSON (for services, its
entries; for csv, its rows); with ``-o FILE``, the file is written as asked
and standard output gets a JSON object saying what was written.
"""

from __future__ import annotations

import sys

from portatlas.cli.args import Arg, Command, Opt, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any

    from portatlas.atlas import Registry
    from portatlas.cli.args import Args

FORMATS = ("services", "json", "csv", "site")

SPEC = Command(
    "export", "the edition in use as an /etc/services file, JSON or CSV, or the web site as static files",
    args=(Arg("format", "services (/etc/services), json or csv (every record with every field), or site "
                        "(the web site: 'portatlas export site --help')", choices=FORMATS),),
    opts=(
        Opt(("-o", "--output"), "output", "FILE", "write here instead of standard output"),
        Opt(("--ranges",), "ranges", "MODE", "services only: how a row covering a range of ports is written: "
                                             "expand (one line per port, the default), first (its first port) "
                                             "or skip", ("expand", "first", "skip")),
    ),
    description="Write the edition in use as an /etc/services file, JSON or CSV ('portatlas export site DIR "
                "--help' for the web site as static files). With --json, standard output gets the export as "
                "JSON, or with -o FILE, a JSON object saying what was written.",
)


def run(argv: list[str]) -> int:
    """Exit 0 written; 2 bad arguments or an unwritable output file."""
    if argv[:1] == ["site"]:  # the whole web site as static files (portatlas.export.site)
        from portatlas.cli.export_site import run as export_site

        return export_site(argv[1:])
    return run_with(SPEC, argv, _run)


def _as_data(fmt: str, reg: Registry, ranges: str) -> dict[str, Any]:
    """The export as JSON-ready data: the services file's entries, or every record (json and csv)."""
    from portatlas.export.files import csv_row, services_entries

    if fmt == "services":
        names, comments, left_out = services_entries(reg.records(), ranges)
        order = {"tcp": 0, "udp": 1, "sctp": 2, "dccp": 3}
        entries = [{"port": p, "protocol": t, "name": names[(p, t)][0], "aliases": names[(p, t)][1:],
                    "comment": comments.get((p, t), "")}
                   for p, t in sorted(names, key=lambda k: (k[0], order[k[1]]))]
        return {"edition": reg.edition, "ranges": ranges, "entries": entries,
                "left_out": {"no_port": left_out["no port"], "range": left_out["range"]}}
    if fmt == "csv":
        return {"edition": reg.edition, "rows": [csv_row(r) for r in reg.records()]}
    from portatlas.model import to_json

    return {"edition": reg.edition, "records": [to_json(r) for r in reg.records()]}


def _run(args: Args) -> int:
    import io

    from portatlas.atlas import Registry
    from portatlas.export.files import write_csv, write_json, write_services

    fmt = str(args.format).lower()
    if fmt not in FORMATS:
        raise BadInput(f"unknown export format {str(args.format)[:40]!r}: use services, json, csv or site")
    if fmt == "site":
        raise BadInput("write 'portatlas export site DIR [options]': site comes first, its options after")
    if args.ranges is not None and fmt != "services":
        raise BadInput("--ranges applies to 'export services' only")
    ranges = str(args.ranges or "expand")
    reg = Registry.default()
    to_stdout = args.output in (None, "-")
    if args.json and to_stdout:
        from portatlas.cli.output import emit_json

        emit_json(_as_data(fmt, reg, ranges))
        return 0
    writers: dict[str, Callable[[IO[str]], None]] = {
        "services": lambda f: write_services(reg, f, ranges),
        "json": lambda f: write_json(reg, f), "csv": lambda f: write_csv(reg, f)}
    writer = writers[fmt]
    if to_stdout:
        writer(sys.stdout)
        return 0
    from portatlas.export.outfile import write_output

    buf = io.StringIO(newline="")
    writer(buf)
    blob = buf.getvalue().encode("utf-8")
    write_output(str(args.output), blob)
    if args.json:
        from portatlas.cli.output import emit_json

        emit_json({"format": fmt, "path": str(args.output), "bytes": len(blob), "lines": blob.count(b"\n"),
                   "edition": reg.edition, "ranges": ranges if fmt == "services" else None})
    else:
        sys.stderr.write(f"wrote {args.output} ({fmt}, edition {reg.edition})\n")
    return 0
