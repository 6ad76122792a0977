"""Check the common-use dataset (src/portatlas/data/common-use/*.toml): shape, sources, duplicates.

Prints one line per problem and exits 1 when there is any; a summary otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from portatlas.world.commonuse import DATA_DIR, compile_dir


def main() -> int:
    try:
        data = compile_dir(DATA_DIR)
    except ValueError as e:
        print(e)
        return 1
    rows = data["rows"]
    print(f"{len(rows)} entries in {len({r[6] for r in rows})} files, "
          f"{len({(r[1], r[2]) for r in rows})} distinct ports or ranges: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
