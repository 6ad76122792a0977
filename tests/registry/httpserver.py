"""A real HTTP server on a loopback port, serving what a test tells it to (good, bad, slow)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path answers.

    ``delay`` sleeps before the status line; ``drip`` sends the body ``drip``
    bytes at a time, ``drip_every`` seconds apart; ``length`` False omits
    Content-Length (the body then ends when the connection closes).
    """

    body: bytes = b""
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = "application/xml"
    delay: float = 0.0
    drip: int = 0
    drip_every: float = 0.0
    length: bool = True


@dataclass
class Seen:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Server:
    """Routes by path; records every request."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


def start() -> tuple[Server, ThreadingHTTPServer]:
    """Start a server in a daemon thread; stop it with ``httpd.shutdown()``."""
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            state.seen.append(Seen(self.path, dict(self.headers.items()), time.monotonic()))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.delay:
                time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                if route.drip:
                    for i in range(0, len(route.body), route.drip):
                        self.wfile.write(route.body[i:i + route.drip])
                        self.wfile.flush()
                        time.sleep(route.drip_every)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return state, httpd
