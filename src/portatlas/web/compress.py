"""gzip for text answers (HTML, JSON, CSS, JavaScript, XML, SVG, plain text), with ETags kept correct.

Pure ASGI, inside ``HeadAsGet`` so a HEAD's length is the compressed GET's.
A compressed answer is another representation, so its strong ETag gets a
``-gz`` suffix (``"2026-08-17.0.1.0-gz"``); the suffix is taken off an
incoming ``If-None-Match`` before the app compares, so a 304 still answers a
client holding either form. Every compressible answer carries
``Vary: Accept-Encoding``. Bodies with an ETag are compressed once and kept
(a small LRU keyed by host, path, query and ETag), so the hot pages cost a lookup.
"""

from __future__ import annotations

import gzip
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portatlas.web.cache import ByteLRU

MIN_SIZE = 512  # below this gzip's header and trailer outweigh the saving
LEVEL = 6
TEXT = re.compile(rb"^(text/|application/(json|xml|javascript|problem\+json)|image/svg\+xml)")
_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*(0(?:\.\d*)?|1(?:\.0*)?))?\s*(?:,|$)", re.I)
SUFFIX = "-gz"


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (``gzip;q=0`` refuses it)."""
    m = _GZIP.search(header)
    return m is not None and (m.group(1) is None or float(m.group(1)) > 0)


def gz_etag(etag: str) -> str:
    """``"x"`` → ``"x-gz"``, ``W/"x"`` → ``W/"x-gz"``."""
    return etag[:-1] + SUFFIX + '"' if etag.endswith('"') else etag


def plain_inm(value: str) -> str:
    """An If-None-Match with the ``-gz`` suffixes taken off, as the app compares it."""
    return value.replace(SUFFIX + '"', '"')


class Compress:
    """Compress text answers for clients that accept gzip; add ``Vary: Accept-Encoding`` to them all."""

    def __init__(self, app: ASGIApp, cache_bytes: int = 8 * 1024 * 1024) -> None:
        self.app = app
        self._memo: ByteLRU[bytes] = ByteLRU(cache_bytes, len)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        ae = next((v.decode("latin-1") for k, v in headers if k == b"accept-encoding"), "")
        wants = accepts_gzip(ae)
        inm = next((v.decode("latin-1") for k, v in headers if k == b"if-none-match"), "")
        held_gz = wants and SUFFIX + '"' in inm  # the client's copy is the compressed one
        if wants:
            scope = {**scope, "headers": [(k, plain_inm(v.decode("latin-1")).encode("latin-1"))
                                          if k == b"if-none-match" else (k, v) for k, v in headers]}
        host = next((v for k, v in headers if k == b"host"), b"")  # pages naming their own address differ by host
        key = (host, scope["path"], scope.get("query_string", b""))
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if message["status"] == 304:
                    hdrs = message.get("headers", [])
                    if held_gz:
                        hdrs = _vary([(k, gz_etag(v.decode("latin-1")).encode("latin-1") if k == b"etag" else v)
                                      for k, v in hdrs])
                    start["passed"] = True
                    await send({**message, "headers": hdrs})
                elif not _compressible(message):
                    start["passed"] = True
                    await send(message)
                return
            if start.get("passed"):
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await send_whole(b"".join(chunks))

        async def send_whole(body: bytes) -> None:
            hdrs = [(k, v) for k, v in start["headers"]]
            status = start["status"]
            etag = next((v.decode("latin-1") for k, v in hdrs if k == b"etag"), None)
            if wants and len(body) >= MIN_SIZE and status < 300:
                memo_key = (*key, etag) if etag else None
                packed = self._memo.get(memo_key) if memo_key else None
                if packed is None:
                    packed = gzip.compress(body, LEVEL, mtime=0)
                    if memo_key:
                        self._memo.put(memo_key, packed)
                body = packed
                hdrs = [(k, v) for k, v in hdrs if k != b"content-length"]
                hdrs += [(b"content-encoding", b"gzip"), (b"content-length", str(len(body)).encode())]
                if etag:
                    hdrs = [(k, gz_etag(etag).encode("latin-1") if k == b"etag" else v) for k, v in hdrs]
            await send({**start, "headers": _vary(hdrs)})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)


def _compressible(message: Message) -> bool:
    hdrs = message.get("headers", [])
    if any(k == b"content-encoding" for k, _ in hdrs):
        return False
    ctype = next((v for k, v in hdrs if k == b"content-type"), b"")
    return bool(TEXT.match(ctype))


def _vary(hdrs: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    for i, (k, v) in enumerate(hdrs):
        if k == b"vary":
            if b"accept-encoding" not in v.lower():
                hdrs = [*hdrs[:i], (k, v + b", Accept-Encoding"), *hdrs[i + 1:]]
            return hdrs
    return [*hdrs, (b"vary", b"Accept-Encoding")]


__all__ = ["Compress", "accepts_gzip", "gz_etag", "plain_inm"]
