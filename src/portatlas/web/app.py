"""The app factory: one ``Site`` (pages and answers), one feedback store, the routes."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from portatlas import __version__
from portatlas.atlas import Registry
from portatlas.web import api, errors, feedback, openapi, pages
from portatlas.web.cache import TTLCache
from portatlas.web.compress import Compress
from portatlas.web.fast import FastAnswers
from portatlas.web.head import HeadAsGet
from portatlas.web.settings import Settings
from portatlas.web.site import Site

if TYPE_CHECKING:
    from portatlas.store import FeedbackStore

COUNTS_TTL = 1.0  # seconds a page may show counts another server process has since changed


def create_app(registry: Registry | None = None, store: FeedbackStore | None = None,
               settings: Settings | None = None) -> FastAPI:
    """The ASGI app. ``store`` defaults to ``open_store(settings.database_url)``, opened at first use."""
    settings = settings or Settings.from_env()
    registry = registry or Registry.default()
    holder: dict[str, FeedbackStore | None] = {"store": store}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        opened = holder["store"]
        if opened is not None and store is None:  # close only what this app opened
            opened.close()

    app = FastAPI(
        lifespan=lifespan,
        title="portatlas",
        version=__version__,
        description=("The IANA Service Name and Transport Protocol Port Number Registry, explained. "
                     f"Answers from edition {registry.edition}; objects as `portatlas --json` prints them. "
                     'Errors: {"error": {"status", "type", "message"}}.'),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.site = Site(registry, settings)
    app.state.counts = TTLCache(COUNTS_TTL)
    app.state.limiter = feedback.RateLimiter(*settings.rate())
    lock = threading.Lock()

    def open_store() -> FeedbackStore:
        # Opened lazily so the pages serve even while the database is down.
        opened = holder["store"]
        if opened is None:
            with lock:
                opened = holder["store"]
                if opened is None:
                    from portatlas.store import open_store as _open

                    opened = holder["store"] = _open(settings.database_url)
        return opened

    app.state.open_store = open_store
    errors.install(app)
    openapi.install(app)
    if settings.fast_path:
        app.add_middleware(FastAnswers, state=app.state)  # inner: sees HEAD already turned into GET
    app.add_middleware(Compress)  # outside the fast path, inside HEAD: a HEAD's length is the gzipped GET's
    app.add_middleware(HeadAsGet)
    app.include_router(api.router)
    app.include_router(feedback.router)
    app.include_router(pages.router)

    return app


def app_from_env() -> FastAPI:
    """The app as `portatlas serve` runs it in each worker (settings from the environment)."""
    return create_app()
