"""`portatlas __complete-names PREFIX`: the registry's service names starting with PREFIX, one a line.

Hidden (not in ``COMMANDS``): the shell completion scripts run it on every TAB
that may complete a service name. It reads only the index's name table (the
mapped cache file), builds no values, and imports neither argparse nor the
model. Names are printed lower-cased, as the index keeps them (lookups ignore
letter case). An empty prefix prints nothing: thousands of names help nobody.
"""

from __future__ import annotations

import sys


def names(prefix: str) -> list[str]:
    """The edition in use's service names starting with ``prefix`` (any letter case), sorted."""
    p = prefix.lower()
    if not p:
        return []
    from portatlas.index.cachefile import load
    from portatlas.source.paths import current_source_path

    return sorted(n for n in load(current_source_path()).names() if n.startswith(p))


def run(argv: list[str]) -> int:
    """Print the names; exit 0 (1 when none matches)."""
    found = names(argv[0] if argv else "")
    sys.stdout.write("".join(f"{n}\n" for n in found))
    return 0 if found else 1
