"""`portatlas serve`: the web site and JSON API with uvicorn (a real ASGI server)."""

from __future__ import annotations

import os
import socket
import sys

from portatlas.errors import BadInput
from portatlas.cli.common import Parser


def build() -> Parser:
    """The command's options; defaults come from the settings table (environment variables)."""
    from portatlas.web.settings import Settings

    s = Settings.from_env()
    p = Parser(prog="portatlas serve",
               description="Serve a page for every port, the JSON API (/api, OpenAPI at /api/openapi.json) "
                           "and page feedback.")
    p.add_argument("--host", default=s.host, help=f"address to bind (default {s.host}; PORTATLAS_HOST)")
    p.add_argument("--port", type=int, default=s.port,
                   help=f"port to listen on (default {s.port}, a port portatlas recommends; PORTATLAS_PORT)")
    p.add_argument("--workers", type=int, default=s.workers,
                   help=f"server processes (default {s.workers}; PORTATLAS_WORKERS)")
    p.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs speed)")
    return p


def run(argv: list[str]) -> int:
    """Serve until interrupted; exit 2 for a bad option or a port already in use."""
    args = build().parse_args(argv)
    if not 0 < args.port <= 65535:
        raise BadInput(f"--port {args.port} is out of range: use 1-65535")
    if not 1 <= args.workers <= 64:
        raise BadInput(f"--workers {args.workers}: use 1 to 64")
    _check_free(args.host, args.port)
    # Workers are separate processes: they read their settings from the environment.
    os.environ["PORTATLAS_HOST"] = args.host
    os.environ["PORTATLAS_PORT"] = str(args.port)
    from portatlas.web.settings import Settings

    settings = Settings.from_env()  # fail here, in one line, on a bad setting
    from portatlas.atlas import Registry
    from portatlas.store import default_sqlite_path

    edition = Registry.default().edition
    db = "PostgreSQL" if (settings.database_url or "").startswith("postgres") else \
        f"SQLite {settings.database_url or default_sqlite_path()}"
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    sys.stderr.write(f"portatlas: serving edition {edition} on http://{shown_host}:{args.port} "
                     f"with {args.workers} worker{'s' if args.workers != 1 else ''}; feedback in {db}\n")
    import uvicorn

    from portatlas.web.protocol import IMPORT_PATH

    # http: uvicorn's h11 protocol answering malformed requests in the API's error shape.
    uvicorn.run("portatlas.web.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=args.access_log, log_level="warning",
                proxy_headers=bool(settings.client_ip_header), server_header=False, http=IMPORT_PATH)
    return 0


def _check_free(host: str, port: int) -> None:
    """A one-line answer when the port is taken, instead of the server's own traceback-ish log."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise BadInput(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port "
                           "(or stop what holds it: portatlas who " f"{port})") from None
