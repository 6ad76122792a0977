"""The web face: a page for every port, a JSON API with OpenAPI, and stored feedback.

``create_app(registry=None, store=None, settings=...)`` builds the ASGI app;
``portatlas serve`` runs it with uvicorn; ``portatlas export site`` writes the
same pages as static files (``portatlas.export.site``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from portatlas.atlas import Registry
    from portatlas.store import FeedbackStore
    from portatlas.web.settings import Settings


def create_app(registry: Registry | None = None, store: FeedbackStore | None = None,
               settings: Settings | None = None) -> FastAPI:
    """The ASGI app over ``registry`` (default: the edition in use) and ``store`` (default: from settings)."""
    from portatlas.web.app import create_app as _create

    return _create(registry=registry, store=store, settings=settings)


__all__ = ["create_app"]
