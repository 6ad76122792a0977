"""The web face's settings, declared once as data: name, environment variable, default, help.

``Settings.from_env()`` reads them; the README's table is checked against
``SETTINGS`` by a test, so the two cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from portatlas.errors import BadInput

if TYPE_CHECKING:
    from portatlas.atlas import Registry

# The port `portatlas serve` listens on unless told otherwise: see recommended_port().
DEFAULT_PORT = 9838


@dataclass(frozen=True)
class Setting:
    """One setting: its field on ``Settings``, its environment variable, its default and what it does."""

    name: str
    env: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "PORTATLAS_HOST", "127.0.0.1", "address `serve` binds (0.0.0.0 for every interface)"),
    Setting("port", "PORTATLAS_PORT", DEFAULT_PORT, "port `serve` listens on"),
    Setting("workers", "PORTATLAS_WORKERS", 1, "server processes `serve` starts"),
    Setting("database_url", "PORTATLAS_DATABASE_URL", None,
            "feedback database: postgresql://user:password@host/db, else SQLite in the data directory"),
    Setting("admin_token", "PORTATLAS_ADMIN_TOKEN", None,
            "bearer token that may read feedback comments (unset: nobody can)"),
    Setting("feedback_rate", "PORTATLAS_FEEDBACK_RATE", "10/60",
            "feedback posts allowed per client: N/SECONDS (0 turns the limit off)"),
    Setting("client_ip_header", "PORTATLAS_CLIENT_IP_HEADER", None,
            "behind a proxy: the header holding the client address (e.g. X-Forwarded-For; its last entry counts)"),
    Setting("base_url", "PORTATLAS_BASE_URL", "", "prefix of every link (e.g. https://ports.example.org)"),
    Setting("cache_mb", "PORTATLAS_CACHE_MB", 12, "memory for rendered pages and JSON answers, in MB"),
)


@dataclass(frozen=True)
class Settings:
    """The web face's settings (see ``SETTINGS`` for each one's environment variable and meaning)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    workers: int = 1
    database_url: str | None = None
    admin_token: str | None = None
    feedback_rate: str = "10/60"
    client_ip_header: str | None = None
    base_url: str = ""
    cache_mb: int = 12
    # Not from the environment: where the feedback form of exported pages posts (None: no form),
    # and whether cached port answers skip the router (tests turn it off to compare both paths).
    feedback_api: str | None = field(default=None, compare=False)
    fast_path: bool = field(default=True, compare=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment, then ``overrides`` (command-line options) on top."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for s in SETTINGS:
            raw = env.get(s.env)
            if raw is None or raw == "":
                continue
            values[s.name] = _coerce(s, raw, types[s.name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        out = replace(cls(), **values)
        out.rate()  # validate now, not at the first post
        return out

    def rate(self) -> tuple[int, float]:
        """The feedback rate limit as (posts, seconds); (0, 0) when off."""
        text = str(self.feedback_rate).strip()
        if text in ("0", "off", ""):
            return 0, 0.0
        n, _, secs = text.partition("/")
        try:
            posts, window = int(n), float(secs or "60")
        except ValueError:
            raise BadInput(f"PORTATLAS_FEEDBACK_RATE={text!r} is not N/SECONDS (e.g. 10/60), "
                           "or 0 for no limit") from None
        if posts < 0 or window <= 0:
            raise BadInput(f"PORTATLAS_FEEDBACK_RATE={text!r}: use a positive N/SECONDS (e.g. 10/60), or 0")
        return posts, window


def _coerce(s: Setting, raw: str, typ: Any) -> Any:
    if "int" in str(typ):
        try:
            return int(raw)
        except ValueError:
            raise BadInput(f"{s.env}={raw!r} is not a whole number ({s.help})") from None
    return raw


def recommended_port(registry: Registry) -> int:
    """The port portatlas recommends for its own server, computed from the registry.

    The middle of the largest block unassigned on every transport between 5001 and
    9999: above Windows XP's old ephemeral range (1025-5000), below FreeBSD's
    (10000-65535) and so also outside Linux's (32768-60999) and IANA's dynamic
    range (49152-65535); a User port (no root needed); not on the browsers'
    bad-port list; and, being mid-block, as far as possible from ports IANA has
    assigned so far.
    """
    from portatlas.model import TRANSPORTS, PortRange

    bad = bad_ports()
    for b in registry.gaps(PortRange.USER, transports=TRANSPORTS):
        lo, hi = max(b.low, 5001), min(b.high, 9999)
        if hi - lo + 1 != b.size:
            continue
        mid = (lo + hi) // 2
        if mid not in bad:
            return int(mid)
    return DEFAULT_PORT


def bad_ports() -> frozenset[int]:
    """The ports browsers refuse to fetch (the Fetch standard's list, shipped in the package)."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "data" / "browser-bad-ports.txt").read_text(encoding="utf-8")
    return frozenset(int(line.split()[0]) for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))
