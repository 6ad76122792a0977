"""What is compiled when the package is built, and shipped inside it, so no first run pays for it.

``write(package_dir)`` is called by ``setup.py``'s ``build_py`` on the build's
copy of the package (and may be called on any copy of it, e.g. an editable
checkout). It runs each step of ``STEPS`` in turn; a step compiles one
artifact from files the package already carries and returns the paths it
wrote: the bundled registry edition's index (in the cache-file format of
``portatlas.index.cachefile``, mapped at load, no parse), the history's
per-port timelines, and the common-use dataset.

``index.cachefile.load`` uses the shipped index when asked for the bundled
edition and the file was made by this ``FORMAT`` from a source of the same
size; otherwise (an editable install that never ran ``write``, an edited
source) it falls back to the user's cache directory.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: load() imports this module
if TYPE_CHECKING:
    from collections.abc import Callable

COMPILED = "compiled"          # under the package's data/ directory
INDEX_NAME = "registry.index"  # the bundled edition's compiled index


def index_path(package_dir: str) -> str:
    """Where the shipped index of the package at ``package_dir`` is."""
    return os.path.join(package_dir, "data", COMPILED, INDEX_NAME)


def write(package_dir: str) -> list[str]:
    """Compile every shipped artifact into the package at ``package_dir``; the files written."""
    written: list[str] = []
    for step in STEPS:
        written += step(package_dir)
    return written


def _write_index(package_dir: str) -> list[str]:
    """The bundled edition's compiled index, with its source's size for the freshness check."""
    from portatlas.index.cachefile import encode_cache
    from portatlas.index.compile import compile_registry
    from portatlas.registry.parse import parse
    from portatlas.source.files import write_whole
    from portatlas.source.paths import BUNDLED_PATH

    # The bundled file of *this* copy of the package (the build directory's), named as
    # paths.BUNDLED_PATH names it in whichever copy is imported.
    source = os.path.join(package_dir, "data", os.path.basename(BUNDLED_PATH))
    with open(source, "rb") as f:
        raw = f.read()
    data = compile_registry(parse(raw), source=os.path.basename(source))
    data["source_size"] = len(raw)
    target = index_path(package_dir)
    write_whole(target, encode_cache(data))
    return [target]


def _write_history(package_dir: str) -> list[str]:
    """The registry's history, one timeline per port, mapped at load (``registry.history.compiled``)."""
    from portatlas.registry.history.compiled import write as write_history

    return write_history(package_dir)


def _write_common_use(package_dir: str) -> list[str]:
    """The common-use dataset, checked and compiled from its TOML files (``world.commonuse``)."""
    from portatlas.world.commonuse import write as write_common_use

    return write_common_use(package_dir)


STEPS: list[Callable[[str], list[str]]] = [_write_index, _write_history, _write_common_use]

__all__ = ["COMPILED", "INDEX_NAME", "STEPS", "index_path", "write"]
