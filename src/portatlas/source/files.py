"""Compiled and cached files: written whole or not at all, read back as marshal or treated as absent.

Every compiled artifact (the index, the history, the common-use dataset, nmap's
table, firewalld's ports) is written through a temporary file that
``os.replace`` moves into place, so a reader in another process never sees
half a file. A cache is only ever a shortcut: a cache directory that cannot be
written costs time, never an error, and a cache file that does not decode is
compiled again.
"""

from __future__ import annotations

import marshal
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def write_whole(path: str, blob: bytes) -> None:
    """Write ``blob`` at ``path`` (its folders made) so no reader sees half of it; errors are raised."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_cache(path: str, blob: bytes) -> bool:
    """``write_whole`` for a cache file: whether it was written (an unwritable cache is not an error)."""
    try:
        write_whole(path, blob)
    except OSError:
        return False
    return True


def read_marshal(path: str) -> Any:
    """A marshal file's value, or None when it is missing, unreadable or does not decode."""
    try:
        with open(path, "rb") as f:
            return marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def writable_dir(directory: str) -> bool:
    """Whether ``directory`` exists (made if need be) and can be written: whether compiling a cache pays."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)
