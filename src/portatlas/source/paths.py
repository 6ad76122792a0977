"""Where registry editions come from: the one bundled in the package, or the one in use.

The edition in use is, in order: the file named by ``PORTATLAS_REGISTRY``;
the edition ``portatlas update`` last switched to (a pointer in the data
directory); the bundled edition.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the fast path

if TYPE_CHECKING:
    from pathlib import Path

    BUNDLED: Path  # made by __getattr__ below

BUNDLED_EDITION = "2026-08-17"
STORED_PREFIX = "service-names-port-numbers."  # every file the editions store writes starts so
BUNDLED_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                            f"service-names-port-numbers.{BUNDLED_EDITION}.xml.xz")


def __getattr__(name: str) -> Path:
    # BUNDLED is a Path; made lazily because the CLI's fast path must not import pathlib.
    if name == "BUNDLED":
        from pathlib import Path

        return Path(BUNDLED_PATH)
    raise AttributeError(name)


def data_dir() -> Path:
    """The user's data directory for portatlas (``PORTATLAS_DATA_DIR`` overrides)."""
    from pathlib import Path

    return Path(data_dir_str())


def current_pointer() -> Path:
    """The file naming the edition ``update`` switched to."""
    return data_dir() / "editions" / "current"


def current_source() -> Path:
    """The registry file answers come from."""
    from pathlib import Path

    return Path(current_source_path())


def current_source_path() -> str:
    """``current_source()`` as a string, computed without pathlib (the CLI's fast path uses it)."""
    env = os.environ.get("PORTATLAS_REGISTRY")
    if env:
        return env
    pointer = os.path.join(data_dir_str(), "editions", "current")
    try:
        with open(pointer, encoding="utf-8") as f:
            name = f.read().strip()
    except OSError:
        return BUNDLED_PATH
    # Only a name the store itself writes: an older version could leave one with '/' or '..'.
    path = os.path.join(os.path.dirname(pointer), name)
    return path if stored_edition(name) and os.path.isfile(path) else BUNDLED_PATH


def is_edition(text: str) -> bool:
    """Whether ``text`` is an edition: exactly ``YYYY-MM-DD``, a real calendar day.

    An edition names stored files and goes into HTTP headers and JSON, so nothing
    else may pass. Written without ``datetime`` or ``re``: the CLI's fast path checks
    the stored file it reads.
    """
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    digits = text[:4] + text[5:7] + text[8:]
    if not (digits.isascii() and digits.isdigit()):
        return False
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    if year < 1 or not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def stored_edition(name: str) -> str | None:
    """The edition a stored file's name carries, or None for a name the store never writes.

    The store writes ``service-names-port-numbers.<YYYY-MM-DD>.<12 hex digits>.xml`` only.
    """
    if not (name.startswith(STORED_PREFIX) and name.endswith(".xml")):
        return None
    date, dot, digest = name[len(STORED_PREFIX):-4].partition(".")
    if dot and len(digest) == 12 and all(c in "0123456789abcdef" for c in digest) and is_edition(date):
        return date
    return None


def data_dir_str() -> str:
    """``data_dir()`` as a string, without pathlib."""
    return _user_dir("PORTATLAS_DATA_DIR", "XDG_DATA_HOME", "~/.local/share", "user_data_dir")


def cache_dir_str() -> str:
    """The user's cache directory for portatlas, as a string (``PORTATLAS_CACHE_DIR`` overrides)."""
    return _user_dir("PORTATLAS_CACHE_DIR", "XDG_CACHE_HOME", "~/.cache", "user_cache_dir")


def _user_dir(override: str, xdg: str, xdg_default: str, platformdirs_fn: str) -> str:
    env = os.environ.get(override)
    if env:
        return env
    if sys.platform.startswith("linux"):
        # platformdirs costs ~25 ms to import, more than answering a port; on Linux its
        # answer is the XDG variable or its default (tests/test_index.py checks they agree).
        base = os.environ.get(xdg) or os.path.expanduser(xdg_default)
        return os.path.join(base, "portatlas")
    import platformdirs

    return str(getattr(platformdirs, platformdirs_fn)("portatlas", appauthor=False))
