"""Where registry editions come from: the one bundled in the package, or the one in use.

The edition in use is, in order: the file named by ``PORTATLAS_REGISTRY``;
the edition ``portatlas update`` last switched to (a pointer in the data
directory); the bundled edition.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BUNDLED_EDITION = "2026-08-17"
BUNDLED = Path(__file__).parent / "data" / f"service-names-port-numbers.{BUNDLED_EDITION}.xml.xz"


def data_dir() -> Path:
    """The user's data directory for portatlas (``PORTATLAS_DATA_DIR`` overrides)."""
    env = os.environ.get("PORTATLAS_DATA_DIR")
    if env:
        return Path(env)
    if sys.platform.startswith("linux"):
        # Same reasoning as index.cache_dir: platformdirs' Linux answer, without its import cost.
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
        return Path(base) / "portatlas"
    import platformdirs

    return Path(platformdirs.user_data_dir("portatlas", appauthor=False))


def current_pointer() -> Path:
    """The file naming the edition ``update`` switched to."""
    return data_dir() / "editions" / "current"


def current_source() -> Path:
    """The registry file answers come from."""
    env = os.environ.get("PORTATLAS_REGISTRY")
    if env:
        return Path(env)
    try:
        name = current_pointer().read_text(encoding="utf-8").strip()
    except OSError:
        return BUNDLED
    path = current_pointer().parent / name
    return path if name and path.is_file() else BUNDLED
