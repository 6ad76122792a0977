"""``/api/feedback``: votes in, counts out, comments only for the admin token; rate-limited per client."""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from portatlas.errors import BadInput
from portatlas.model import to_json
from portatlas.query.grammar import shown
from portatlas.store.interface import MAX_COMMENT, MAX_PAGE, VOTER, Counts
from portatlas.web import urls
from portatlas.web.errors import HTTPError
from portatlas.web.openapi import errors

if TYPE_CHECKING:
    from portatlas.atlas import Registry
    from portatlas.store import FeedbackStore

MAX_BODY = 16 * 1024  # a vote with a 1,000-character comment fits many times over
_DRAIN = 32 * 1024 * 1024  # read (and drop) up to this much of an oversized body so the client sees the 413
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CORS = {"Access-Control-Allow-Origin": "*"}  # exported static pages on other hosts post here

router = APIRouter(prefix="/api")


class RateLimiter:
    """A fixed window per client: at most ``posts`` in each ``window`` seconds (per server process)."""

    def __init__(self, posts: int, window: float) -> None:
        self.posts = posts
        self.window = window
        self._seen: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> float:
        """0 when the client may post now, else the seconds to wait."""
        if self.posts <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 50_000:  # keep memory bounded under a flood of addresses
                self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.window}
            start, n = self._seen.get(client, (now, 0))
            if now - start >= self.window:
                start, n = now, 0
            if n >= self.posts:
                return max(0.001, self.window - (now - start))
            self._seen[client] = (start, n + 1)
        return 0.0


def client_key(request: Request) -> str:
    """The client's address: the configured proxy header's last entry, else the socket peer."""
    header = request.app.state.settings.client_ip_header
    if header:
        value = request.headers.get(header)
        if value:
            return value.split(",")[-1].strip()[:100]
    return request.client.host if request.client else "unknown"


def canonical_page(registry: Registry, page: object) -> str:
    """A page path of this site in its canonical form (see ``urls.canonical``), or ``BadInput``."""
    if isinstance(page, str) and len(page) > MAX_PAGE:
        raise BadInput(f"'page' has {len(page)} characters, at most {MAX_PAGE}: {urls.HINT}")
    return urls.canonical(registry, page)


HELPFUL = {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}  # as a form sends it


def parse_helpful(value: object, form: bool = False) -> bool:
    """JSON true/false; in a form (whose fields are all text) yes/no, true/false or 1/0 (``HELPFUL``).

    A JSON body takes a boolean only, as its OpenAPI schema says: ``"helpful": "yes"`` is refused there.
    """
    if isinstance(value, bool) and not form:
        return value
    if form and isinstance(value, str) and value in HELPFUL:
        return HELPFUL[value]
    if form:
        raise BadInput("'helpful' must be yes or no (or true, false, 1, 0)")
    raise BadInput("'helpful' must be true or false (a JSON boolean)")


_VOTER = re.compile(VOTER)


def clean_voter(value: object) -> str | None:
    """The browser's voter id (8-64 letters, digits, '-' or '_'), or None for an anonymous vote."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _VOTER.fullmatch(value):
        raise BadInput("'voter' must be 8 to 64 letters, digits, '-' or '_' (the id the page's script keeps), "
                       "or left out for an anonymous vote")
    return value


def clean_comment(value: object) -> str | None:
    """The comment as stored: text of at most 1,000 characters, control characters removed; None if empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput("'comment' must be text (or left out)")
    if len(value) > MAX_COMMENT:  # as sent, as the OpenAPI document's maxLength counts
        raise BadInput(f"'comment' has {len(value)} characters; at most {MAX_COMMENT:,} are kept")
    return _CONTROL.sub("", value).strip() or None


async def read_body(request: Request) -> bytes:
    """The request body, or a 413 when it exceeds ``MAX_BODY`` (the excess is read and dropped)."""
    too_large = HTTPError(413, f"the request body is larger than {MAX_BODY:,} bytes: a vote is "
                               '{"page": ..., "helpful": true|false, "comment": at most 1,000 characters}')
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > _DRAIN:
        raise too_large
    chunks: list[bytes] = []
    n = 0
    async for chunk in request.stream():
        n += len(chunk)
        if n <= MAX_BODY:
            chunks.append(chunk)
        elif n > _DRAIN:
            break
    if n > MAX_BODY:
        raise too_large
    return b"".join(chunks)


def _store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.open_store()
    return store


def counts_json(page: str, counts: Counts, status: int = 200) -> Response:
    """``{"page": ..., "yes": N, "no": M}``, never cached."""
    body = json.dumps({"page": page, "yes": counts.yes, "no": counts.no}).encode()
    return Response(body, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", **CORS})


_PAGE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_PAGE, "pattern": urls.PAGE_PATTERN,
                "example": "/port/307", "description": "a page of this site (404 for one it does not have)"}
_COMMENT = {"type": ["string", "null"], "maxLength": MAX_COMMENT,
            "description": "kept without control characters or surrounding blanks; empty or null for none"}
_VOTE_COUNTS = {"application/json": {"schema": {"$ref": "#/components/schemas/VoteCounts"},
                                     "example": {"page": "/port/307", "yes": 3, "no": 1}}}


@router.post("/feedback", status_code=201, summary="Vote on a page: was it helpful?",
             responses={201: {"description": "stored; the page's counts after the vote", "content": _VOTE_COUNTS},
                        303: {"description": "form posts from this site: back to the page"},
                        **errors(400, 404, 413, 415, 422, 429, 503)},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {
                     "type": "object", "required": ["page", "helpful"],
                     "properties": {"page": _PAGE_SCHEMA,
                                    "helpful": {"type": "boolean"},
                                    "comment": _COMMENT,
                                    "voter": {"type": ["string", "null"], "pattern": f"^(?:{VOTER})?$",
                                              "description": "a random id the browser keeps: its second "
                                                             "vote on a page replaces its first (empty or "
                                                             "null: an anonymous vote)"}}}},
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["page", "helpful"],
                     "properties": {"page": _PAGE_SCHEMA,
                                    "helpful": {"type": "string", "enum": list(HELPFUL)},
                                    "comment": {"type": "string", "maxLength": MAX_COMMENT}}}}}}})
async def post_feedback(request: Request) -> Response:
    """Store one vote (JSON, or the page's form) and return the page's counts."""
    wait = request.app.state.limiter.check(client_key(request))
    if wait:
        raise HTTPError(429, f"too many votes from your address; try again in {int(wait) + 1} s",
                        {"Retry-After": str(int(wait) + 1), **CORS})
    body = await read_body(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = ctype == "application/x-www-form-urlencoded"
    if ctype == "application/json" or (not ctype and body.startswith(b"{")):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, 'the body is not JSON: send {"page": "/port/307", "helpful": true}') from None
        except RecursionError:  # nested deeper than the parser recurses: no vote looks like that
            raise HTTPError(400, 'the body nests too deeply: a vote is one flat object, '
                                 '{"page": "/port/307", "helpful": true}') from None
        if not isinstance(data, dict):
            raise HTTPError(400, 'the body must be a JSON object: {"page": "/port/307", "helpful": true}')
    elif form:
        try:
            # No cap on the number of fields beyond the body's MAX_BODY: fields the vote does not use are
            # ignored, as a JSON body's unknown keys are.
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, "the form data could not be read: send it as UTF-8 "
                                 "(page=/port/307&helpful=yes)") from None
        data = {k: v[0] for k, v in fields.items()}
    else:
        raise HTTPError(415, f"send the vote as application/json (got {shown(ctype or 'no content type')})")
    registry = request.app.state.site.registry
    page = canonical_page(registry, data.get("page"))
    helpful = parse_helpful(data.get("helpful"), form)
    comment = clean_comment(data.get("comment"))
    voter = clean_voter(data.get("voter"))
    counts = await run_in_threadpool(_store(request).add, page, helpful, comment, voter)
    request.app.state.counts.put(page, counts)
    if form:
        base = request.app.state.site.base
        origin = request.headers.get("origin")
        same_site = origin is None or urlsplit(origin).netloc == request.headers.get("host")
        if same_site:
            return RedirectResponse(f"{base}{page}#feedback", status_code=303)
        back = request.headers.get("referer", "")
        if not back.startswith(("http://", "https://")):
            back = base + page
        html = request.app.state.site.render_doc("thanks.html", "/", counts=counts, page=page, back=back, feedback="")
        return HTMLResponse(html, status_code=201, headers={"Cache-Control": "no-store"})
    return counts_json(page, counts, 201)


@router.options("/feedback", include_in_schema=False)
async def feedback_preflight() -> Response:
    """CORS preflight for pages exported to another host."""
    return Response(status_code=204, headers={**CORS, "Access-Control-Allow-Methods": "GET, POST",
                                              "Access-Control-Allow-Headers": "Content-Type",
                                              "Access-Control-Max-Age": "86400"})


@router.get("/feedback", summary="A page's yes/no counts",
            responses={200: {"description": "the page's counts", "content": _VOTE_COUNTS},
                       **errors(404, 422, 503)})
async def get_feedback(request: Request, page: str = Query(..., max_length=MAX_PAGE, min_length=1,
                                                           json_schema_extra={"pattern": urls.PAGE_PATTERN},
                                                           description="a page path, e.g. /port/307")) -> Response:
    """``{"page": ..., "yes": N, "no": M}`` straight from the database."""
    path = canonical_page(request.app.state.site.registry, page)
    counts = await run_in_threadpool(_store(request).counts, path)
    request.app.state.counts.put(path, counts)
    return counts_json(path, counts)


@router.get("/feedback/comments", summary="A page's comments (admin token required)",
            responses={200: {"description": "the page's comments, newest first",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comments"}}}},
                       **errors(401, 403, 404, 422, 503)})
async def get_comments(request: Request, page: str = Query(..., max_length=MAX_PAGE, min_length=1,
                                                           json_schema_extra={"pattern": urls.PAGE_PATTERN}),
                       limit: int = Query(100, ge=1, le=1000)) -> Response:
    """Comments, newest first, for ``Authorization: Bearer <PORTATLAS_ADMIN_TOKEN>``."""
    token = request.app.state.settings.admin_token
    auth = request.headers.get("authorization", "")
    scheme, _, given = auth.partition(" ")
    if not auth or scheme.lower() != "bearer" or not given.strip():
        raise HTTPError(401, "reading comments needs 'Authorization: Bearer TOKEN' (the server's "
                             "PORTATLAS_ADMIN_TOKEN)", {"WWW-Authenticate": 'Bearer realm="portatlas"'})
    if not token:
        raise HTTPError(403, "reading comments is turned off on this server: set PORTATLAS_ADMIN_TOKEN")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPError(403, "that token may not read comments")
    path = canonical_page(request.app.state.site.registry, page)
    comments = await run_in_threadpool(_store(request).comments, path, limit)
    body = json.dumps({"page": path, "comments": to_json(comments)}, ensure_ascii=False).encode()
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
