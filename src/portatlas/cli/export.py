"""`portatlas export services|json|csv`: the edition in use as a file other tools read."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from portatlas.atlas import Registry
from portatlas.errors import BadInput
from portatlas.export.files import RANGE_MODES, write_csv, write_json, write_services
from portatlas.cli.common import Parser, parser


def build() -> Parser:
    """The command's options."""
    p = parser("export", "Write the edition in use as an /etc/services file, JSON or CSV "
                         "('portatlas export site DIR --help' for the web site as static files).")
    p.add_argument("format", choices=("services", "json", "csv", "site"),
                   help="services: /etc/services format; json, csv: every record with every field; "
                        "site: the web site (its own options)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--ranges", choices=RANGE_MODES, default="expand",
                   help="services only: how a row covering a range of ports is written: expand (one line "
                        "per port, default), first (its first port only) or skip")
    return p


def run(argv: list[str]) -> int:
    """Exit 0 written; 2 bad arguments or an unwritable output file."""
    if argv[:1] == ["site"]:  # the whole web site as static files (portatlas.export.site)
        from portatlas.cli.export_site import run as export_site

        return export_site(argv[1:])
    args = build().parse_args(argv)
    if args.json:
        raise BadInput("export writes the format it is given; use 'portatlas export json' for JSON")
    if args.ranges != "expand" and args.format != "services":
        raise BadInput("--ranges applies to 'export services' only")
    reg = Registry.default()
    writer = {"services": lambda f: write_services(reg, f, args.ranges),
              "json": lambda f: write_json(reg, f), "csv": lambda f: write_csv(reg, f)}[args.format]
    if args.output in (None, "-"):
        writer(sys.stdout)
        return 0
    from portatlas.store.editions import write_atomically

    buf = io.StringIO(newline="")
    writer(buf)
    try:
        write_atomically(Path(args.output), buf.getvalue().encode("utf-8"))
    except OSError as e:
        raise BadInput(f"cannot write {args.output}: {e.strerror or e}") from None
    sys.stderr.write(f"wrote {args.output} ({args.format}, edition {reg.edition})\n")
    return 0
