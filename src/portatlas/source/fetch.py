"""Download a registry edition: conditional, size-limited, time-limited, with progress.

Only the standard library's ``urllib`` is used: one GET, no retries (a
failed update leaves the edition in use untouched, so retrying is the user's
call). A local path or ``file://`` URL is read the same way, so updates from
a file get the same limits.
"""

from __future__ import annotations

import http.client
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path

from portatlas import __version__
from portatlas.errors import BadInput, PortatlasError
from portatlas.value import value

DEFAULT_URL = "https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xml"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # the registry is ~3.6 MB; 64 MB leaves room and stops a runaway body
DEFAULT_TIMEOUT = 30.0
CHUNK = 64 * 1024



@value
class Setting:
    """One environment setting of ``update``: its variable, default and meaning (README lists each)."""

    env: str
    default: object
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("PORTATLAS_UPDATE_URL", DEFAULT_URL, "where `update` fetches the registry (`--source` overrides)"),
    Setting("PORTATLAS_UPDATE_MAX_BYTES", DEFAULT_MAX_BYTES,
            "largest download `update` accepts, in bytes (`--max-bytes` overrides)"),
    Setting("PORTATLAS_UPDATE_TIMEOUT", DEFAULT_TIMEOUT,
            "seconds `update` waits for the whole download (`--timeout` overrides)"),
)

Progress = Callable[[int, "int | None"], None]
"""Called with (bytes so far, total or None) as the body arrives."""


class FetchError(PortatlasError):
    """The registry could not be downloaded: offline, unreachable, refused, too slow or too big."""

    exit_code = 5


@value
class Fetched:
    """The outcome of one request.

    ``modified`` False means the server answered 304 Not Modified and ``data``
    is empty. ``etag`` and ``last_modified`` are the validators to send next time.
    """

    source: str
    modified: bool
    data: bytes
    etag: str | None = None
    last_modified: str | None = None


def settings() -> tuple[str, int, float]:
    """Default source URL, size limit and timeout, after the environment's overrides."""
    url = os.environ.get("PORTATLAS_UPDATE_URL") or DEFAULT_URL
    max_bytes = int(_env_number("PORTATLAS_UPDATE_MAX_BYTES", DEFAULT_MAX_BYTES, integer=True))
    return url, max_bytes, _env_number("PORTATLAS_UPDATE_TIMEOUT", DEFAULT_TIMEOUT)


def _env_number(name: str, default: float, *, integer: bool = False) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(int(raw)) if integer else float(raw)
    except ValueError:
        kind = "whole number" if integer else "number"
        raise BadInput(f"{name}={raw!r} is not a {kind}: give a positive {kind}") from None
    if value <= 0:
        raise BadInput(f"{name}={raw!r} must be positive")
    return value


def is_url(source: str) -> bool:
    """Whether ``source`` is an http(s) URL rather than a file."""
    return urllib.parse.urlsplit(source).scheme.lower() in ("http", "https")


def fetch(source: str, *, etag: str | None = None, last_modified: str | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT,
          progress: Progress | None = None) -> Fetched:
    """Fetch ``source`` (an http(s) URL, a ``file://`` URL or a path) within the limits.

    Sends If-None-Match / If-Modified-Since when validators are given. Raises
    ``FetchError`` for anything that prevents a complete body (and never
    returns a partial one), ``BadInput`` for a source that is neither a URL nor a file.
    """
    parts = urllib.parse.urlsplit(source)
    if parts.scheme.lower() == "file":
        return _read_file(Path(urllib.request.url2pathname(parts.path)), source, max_bytes, progress)
    if not is_url(source):
        if len(parts.scheme) > 1:  # 'C:\...' parses as scheme 'c' on Windows
            raise BadInput(f"cannot update from {source!r}: give an http(s) URL or a registry file")
        return _read_file(Path(source).expanduser(), source, max_bytes, progress)
    return _get(source, etag, last_modified, max_bytes, timeout, progress)


def _read_file(path: Path, source: str, max_bytes: int, progress: Progress | None) -> Fetched:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit; "
                             "nothing changed")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"no such file: {path} (give a registry XML file or an http(s) URL)") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a directory: give a registry XML file") from None
    except PermissionError:
        raise BadInput(f"cannot read {path}: permission denied") from None
    except (OSError, ValueError) as e:  # a name too long for the file system, a NUL byte in it
        from portatlas.query.grammar import shown

        reason = e.strerror if isinstance(e, OSError) and e.strerror else "not a file name"
        raise BadInput(f"cannot read {shown(str(path))}: {reason} (give a registry XML file or an "
                       "http(s) URL)") from None
    if progress:
        progress(len(data), len(data))
    st = path.stat()
    return Fetched(source, True, data, None, formatdate(st.st_mtime, usegmt=True))


def _get(url: str, etag: str | None, last_modified: str | None, max_bytes: int,
         timeout: float, progress: Progress | None) -> Fetched:
    host = urllib.parse.urlsplit(url).netloc
    headers = {"User-Agent": f"portatlas/{__version__} (+registry update)", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    deadline = time.monotonic() + timeout
    try:
        # The timeout bounds each blocking socket operation; the deadline below bounds
        # the whole transfer, so a server dripping a byte at a time is cut off too.
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise FetchError(f"{host} offers {total:,} bytes, over the {max_bytes:,}-byte limit; "
                                 "nothing changed (raise it with --max-bytes if that is expected)")
            chunks: list[bytes] = []
            got = 0
            while True:
                # read1: return what has arrived rather than wait for a full chunk, so the
                # deadline is checked while a slow server drips.
                chunk = resp.read1(CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > max_bytes:
                    raise FetchError(f"{host} sent more than the {max_bytes:,}-byte limit; "
                                     "nothing changed (raise it with --max-bytes if that is expected)")
                chunks.append(chunk)
                if progress:
                    progress(got, total)
                if time.monotonic() > deadline:
                    raise FetchError(f"downloading from {host} took longer than {timeout:g} s; "
                                     "nothing changed (raise it with --timeout)")
            if total is not None and got < total:
                raise FetchError(f"{host} closed the connection after {got:,} of {total:,} bytes; "
                                 "nothing changed")
            return Fetched(url, True, b"".join(chunks), resp.headers.get("ETag"),
                           resp.headers.get("Last-Modified"))
    except urllib.error.HTTPError as e:
        if e.code == 304:
            return Fetched(url, False, b"", e.headers.get("ETag") or etag,
                           e.headers.get("Last-Modified") or last_modified)
        raise FetchError(f"{host} answered HTTP {e.code} {e.reason} for {url}; nothing changed") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"no answer from {host} for {timeout:g} s; nothing changed "
                             "(raise it with --timeout)") from None
        raise FetchError(f"cannot reach {host} ({reason}); offline? nothing changed") from None
    except TimeoutError:
        raise FetchError(f"no answer from {host} for {timeout:g} s; nothing changed "
                         "(raise it with --timeout)") from None
    except OSError as e:
        raise FetchError(f"the connection to {host} failed ({e}); nothing changed") from None
    except (http.client.HTTPException, ValueError) as e:  # IncompleteRead, a malformed status line
        raise FetchError(f"{host} sent a broken HTTP response ({type(e).__name__}); nothing changed") from None
