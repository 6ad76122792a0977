"""A disk cache of rendered port answers: `portatlas PORT` then costs little more than starting Python.

An answer depends on the registry edition, the code that renders it, and a
few facts of this machine that the short verdict reads (the ephemeral range,
nmap's frequency table). All of them go into the cache key, so any change
(an update, a new version, an edited source file, a sysctl) makes a fresh
directory. This module imports only os, zlib and the import-light sources and machine_files, because the fast path
runs it before anything else is loaded.
"""

from __future__ import annotations

import os
import zlib

from portatlas.system.files import (
    NMAP_ENV,
    NMAP_PATHS,
    PROC_PORT_RANGE,
    PROC_RESERVED_PORTS,
    PROC_UNPRIVILEGED_START,
)

_PKG = os.path.dirname(os.path.abspath(__file__))
_MACHINE_FILES = (PROC_PORT_RANGE, PROC_RESERVED_PORTS, PROC_UNPRIVILEGED_START)


def _stat_key(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:-"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _code_stamp() -> list[str]:
    # Every source file of the package: an edited renderer must not serve old answers.
    out = []
    for root, dirs, files in os.walk(_PKG):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                out.append(_stat_key(os.path.join(root, f)))
    return sorted(out)


def _machine_stamp() -> list[str]:
    out = []
    for path in _MACHINE_FILES:
        try:
            with open(path, "rb") as fh:
                out.append(fh.read().decode("ascii", "replace"))
        except OSError:
            out.append("-")
    env = os.environ.get(NMAP_ENV)
    out.extend(_stat_key(p) for p in ((env,) if env else NMAP_PATHS))
    return out


def directory() -> str:
    """The cache directory for answers under the present edition, code and machine."""
    from portatlas.source.paths import cache_dir_str, current_source_path

    parts = [_stat_key(current_source_path()), *_code_stamp(), *_machine_stamp()]
    key = f"{zlib.crc32(chr(0).join(parts).encode('utf-8', 'replace')):08x}"
    return os.path.join(cache_dir_str(), "answers", key)


def enabled() -> bool:
    """Off when ``PORTATLAS_NO_ANSWER_CACHE`` is set (tests of the full path use it)."""
    return not os.environ.get("PORTATLAS_NO_ANSWER_CACHE")


def read(directory_: str, name: str) -> str | None:
    """A cached answer, or None."""
    try:
        with open(os.path.join(directory_, name), encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def write(directory_: str, name: str, text: str) -> None:
    """Store an answer atomically; a cache that cannot be written is not an error."""
    try:
        if not os.path.isdir(directory_):
            os.makedirs(directory_, exist_ok=True)
            _prune(directory_)
        tmp = os.path.join(directory_, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(directory_, name))
    except OSError:
        pass


def _prune(keep: str) -> None:
    """Remove answer directories of earlier editions, code or machine states."""
    import shutil

    parent = os.path.dirname(keep)
    for entry in os.listdir(parent):
        path = os.path.join(parent, entry)
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
