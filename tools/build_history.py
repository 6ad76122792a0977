"""Compile the registry's dated editions into src/portatlas/data/history.json.xz.

    python tools/build_history.py ../shared/data/iana/history.tar.xz [--workers 2] [--out PATH]

Streams the tar.xz (never unpacks it to disk), parses every edition with the
project's own parser and index, and writes the compact history the package
ships (see portatlas.registry.history.build for the format). Takes a few
minutes for the 382 editions; run it again when the archive gains editions.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from portatlas.registry.history import build as history_build

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "portatlas" / "data" / "history.json.xz"


def main() -> int:
    """Build and write the compact history; print what it holds."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("archive", type=Path, help="tar.xz of YYYY-MM-DD.xml editions")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    start = time.perf_counter()
    history = history_build.build(history_build.iter_archive(args.archive), workers=args.workers)
    blob = history_build.dumps(history)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(blob)
    os.replace(tmp, args.out)
    print(f"{len(history['editions'])} editions {history['editions'][0]} to {history['editions'][-1]}, "
          f"{len(history['records'])} record versions, {len(history['people'])} person versions, "
          f"{len(blob) / 1e6:.2f} MB, {time.perf_counter() - start:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
