"""The OpenAPI document's schemas: the answers' JSON Schema (generated from the values) and the error shape.

Routes declare which answer they send (``answers("PortAnswer")``) and which
errors (``errors(400, 404)``); ``install`` puts the generated components in the
document FastAPI builds, so ``/api/openapi.json`` describes what the server sends.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import FastAPI

REF = "#/components/schemas/{name}"
ERROR = "ErrorBody"
_MEANING = {
    400: "bad input: what was wrong and what is valid",
    401: "no bearer token",
    403: "wrong token, or none configured",
    404: "nothing found (with suggestions where there are any)",
    405: "method not allowed",
    413: "request body too large",
    415: "request body is not JSON",
    422: "bad input in a parameter or the body",
    429: "too many requests from this client: wait for Retry-After seconds",
    503: "the feedback store is unavailable: try again after Retry-After seconds",
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object", "title": ERROR, "additionalProperties": False, "required": ["error"],
    "description": "Every error the API sends: its HTTP status, a stable type word and one line saying what "
                   "was wrong and what is valid.",
    "properties": {"error": {
        "type": "object", "additionalProperties": False, "required": ["status", "type", "message"],
        "properties": {"status": {"type": "integer"}, "type": {"type": "string"}, "message": {"type": "string"}}}},
}


# The feedback endpoints' own answers (not library values: they come from the store).
FEEDBACK_SCHEMAS: dict[str, dict[str, Any]] = {
    "VoteCounts": {
        "type": "object", "title": "VoteCounts", "additionalProperties": False, "required": ["page", "yes", "no"],
        "description": "How many votes found a page helpful and how many did not.",
        "properties": {"page": {"type": "string"}, "yes": {"type": "integer", "minimum": 0},
                       "no": {"type": "integer", "minimum": 0}}},
    "Comments": {
        "type": "object", "title": "Comments", "additionalProperties": False, "required": ["page", "comments"],
        "description": "A page's comments, newest first (for the admin token only).",
        "properties": {"page": {"type": "string"}, "comments": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "page", "helpful", "comment", "created"],
            "properties": {"id": {"type": "integer"}, "page": {"type": "string"}, "helpful": {"type": "boolean"},
                           "comment": {"type": "string"}, "created": {"type": "string"}}}}}},
}


@lru_cache(maxsize=1)
def _generated() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(answer name → its root schema, every component), from ``portatlas.answers.schema``."""
    from portatlas.answers.schema import answer_types, components

    types = answer_types()
    roots, comps = components(*types.values())
    return dict(zip(types, roots)), comps


def answers(*names: str) -> dict[int | str, dict[str, Any]]:
    """A route's 200 response: the schema of the answer (or one of several) it sends."""
    roots, _ = _generated()
    schemas = [roots[n] for n in names]
    schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
    return {200: {"description": " or ".join(names) + " (docs/json.md)",
                  "content": {"application/json": {"schema": schema}}}}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's error responses, each in the one error shape."""
    return {c: {"description": _MEANING[c],
                "content": {"application/json": {"schema": {"$ref": REF.format(name=ERROR)}}}} for c in codes}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the generated components and the error shape."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            comps = doc.setdefault("components", {}).setdefault("schemas", {})
            comps.update(_generated()[1])
            comps[ERROR] = ERROR_SCHEMA
            comps.update(FEEDBACK_SCHEMAS)
            for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's own 422 shape: never sent
                comps.pop(name, None)
            # Every operation's 422 in the one error shape (FastAPI adds its own to routes with parameters).
            for item in doc.get("paths", {}).values():
                for op in item.values():
                    if isinstance(op, dict) and "422" in op.get("responses", {}):
                        op["responses"]["422"] = errors(422)[422]
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
