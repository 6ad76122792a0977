"""The hot path: a port page or port answer already rendered is sent without walking the router.

Kept as the one explicit shortcut of the web face (issue 11 asks each such path to justify itself):
it renders nothing, it only skips FastAPI's routing for bytes the routes already rendered and cached,
which is what lets /port/N and /api/ports/N answer faster than FastAPI's own hello-world.

Pure ASGI in front of the app. It answers only ``GET /port/N`` and
``GET /api/ports/N`` (N canonical, 0-65535) whose bytes are already in the
site's cache, through the same functions the routes use (``pages.page_answer``,
``respond.cached``), so headers, ETag and 304 are the routes' own; anything
else, and every first request of a port, goes to the app. Tests compare the
two paths response for response.
"""

from __future__ import annotations

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from portatlas.web.pages import page_answer
from portatlas.web.respond import cached


def _port(tail: str) -> int | None:
    if 0 < len(tail) <= 5 and tail.isdigit() and tail.isascii() and (tail == "0" or tail[0] != "0"):
        n = int(tail)
        return n if n <= 65535 else None
    return None


class FastAnswers:
    """Serve cached port pages and port JSON straight from the cache; fall through otherwise."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("query_string"):
            path: str = scope["path"]
            response = None
            if path.startswith("/api/ports/"):
                port = _port(path[11:])
                body = self.state.site.cached_port_json(port) if port is not None else None
                if body is not None:
                    response = cached(_inm(scope), body, self.state.site.etag)
            elif path.startswith("/port/"):
                port = _port(path[6:])
                page = self.state.site.cached_page(path) if port is not None else None
                if page is not None:
                    response = await page_answer(self.state, page, path, _inm(scope))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _inm(scope: Scope) -> str | None:
    for k, v in scope["headers"]:
        if k == b"if-none-match":
            return str(v.decode("latin-1"))
    return None
