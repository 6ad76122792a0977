"""`portatlas serve`: the web site and JSON API with uvicorn (a real ASGI server)."""

from __future__ import annotations

import os
import sys

from portatlas.cli.args import Command, Opt, integer, run_with
from portatlas.errors import BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from portatlas.cli.args import Args

SPEC = Command(
    "serve", "the web site and JSON API (a page for every port, /api, feedback)",
    opts=(
        Opt(("--host",), "host", "ADDRESS", "address to bind (default PORTATLAS_HOST or 127.0.0.1)"),
        Opt(("--port",), "port", "PORT", "port to listen on (default PORTATLAS_PORT or 9838, a port "
                                              "portatlas recommends)"),
        Opt(("--workers",), "workers", "N", "server processes (default PORTATLAS_WORKERS or 1)"),
        Opt(("--access-log",), "access_log", help="log every request (off by default: it costs speed)"),
    ),
    description="Serve a page for every port, the JSON API (/api, OpenAPI at /api/openapi.json) and page "
                "feedback. With --json, the line saying where it serves is a JSON object on standard output. "
                "Exit 0 when stopped, 2 a bad option or a port already in use.",
)


def run(argv: list[str]) -> int:
    """Serve until interrupted; exit 2 for a bad option or a port already in use."""
    return run_with(SPEC, argv, _run)


def _run(args: Args) -> int:
    from portatlas.query.grammar import parse_port
    from portatlas.web.settings import Settings

    s = Settings.from_env()
    host = str(args.host) if args.host is not None else s.host
    port = parse_port(str(args.port)) if args.port is not None else s.port
    if port == 0 and args.port is not None:
        raise BadInput("--port 0 cannot be served on: give a port from 1 to 65535")
    workers = integer(args, "workers", "--workers", 1, 64) or s.workers
    _check_free(host, port)
    # Workers are separate processes: they read their settings from the environment.
    os.environ["PORTATLAS_HOST"] = host
    os.environ["PORTATLAS_PORT"] = str(port)
    settings = Settings.from_env()  # fail here, in one line, on a bad setting
    from portatlas.atlas import Registry
    from portatlas.store import default_sqlite_path

    edition = Registry.default().edition
    postgres = (settings.database_url or "").startswith("postgres")
    db = "PostgreSQL" if postgres else f"SQLite {settings.database_url or default_sqlite_path()}"
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    if args.json:
        from portatlas.cli.output import emit_json

        emit_json({"url": url, "host": host, "port": port, "workers": workers, "edition": edition,
                   "feedback": "postgresql" if postgres else "sqlite"})
        sys.stdout.flush()
    else:
        sys.stderr.write(f"portatlas: serving edition {edition} on {url} with {workers} "
                         f"worker{'s' if workers != 1 else ''}; feedback in {db}\n")
    import uvicorn

    from portatlas.web.protocol import IMPORT_PATH

    # http: uvicorn's h11 protocol answering malformed requests in the API's error shape.
    uvicorn.run("portatlas.web.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, access_log=bool(args.access_log), log_level="warning",
                proxy_headers=bool(settings.client_ip_header), server_header=False, http=IMPORT_PATH)
    return 0


def _check_free(host: str, port: int) -> None:
    """A one-line answer when the port is taken, instead of the server's own traceback-ish log."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise BadInput(f"cannot listen on {host}:{port}: {e.strerror}; choose another --port "
                           f"(or see what holds it: portatlas who {port})") from None
