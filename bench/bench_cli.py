"""Benchmark of the registry core (issue 2), side by side with its peers, in one run.

    .venv/bin/python bench/bench_cli.py [--runs 40]

Prints, with medians:
- `portatlas 5432` as a whole process, stdout piped, against `whatportis 5432`
  (0.8.1, its database filled from the same edition) and a bare
  `python -I -S -c pass`; and peak memory;
- in-process: a port lookup against socket.getservbyport, a typo-tolerant
  search over every record, loading the compiled index.
whatportis is installed on first use into bench/.peers (PyPI).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    call_times, interleaved, med, ms, peak_rss_mib, table, us, whatportis_env, whatportis_python,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()

    venv_bin = Path(sys.executable).parent
    portatlas = str(venv_bin / "portatlas")
    bare = [os.path.realpath(sys.executable), "-I", "-S", "-c", "pass"]
    wp_py = whatportis_python()
    whatportis = [str(wp_py.parent / "whatportis"), "5432"]
    env = whatportis_env()
    cache = tempfile.mkdtemp(prefix="portatlas-bench-")
    env["PORTATLAS_CACHE_DIR"] = cache

    # The first run compiles the index and fills the answer cache for 5432.
    first = interleaved({"compile": [portatlas, "5432"]}, 1, env)["compile"][0]
    no_answer_cache = {**env, "PORTATLAS_NO_ANSWER_CACHE": "1"}
    full = med(interleaved({"full": [portatlas, "5432"]}, max(5, args.runs // 4), no_answer_cache)["full"])

    t = interleaved({"portatlas": [portatlas, "5432"], "whatportis": whatportis, "bare": bare}, args.runs, env)
    p, w, b = med(t["portatlas"]), med(t["whatportis"]), med(t["bare"])
    rss = peak_rss_mib([portatlas, "5432"], env)
    rss_full = peak_rss_mib([portatlas, "5432"], no_answer_cache)
    rss_w = peak_rss_mib(whatportis, env)

    print(f"Whole process, stdout piped, median of {args.runs} interleaved runs")
    print(table([
        ("command", "median", "ratio", "target"),
        ("portatlas 5432", ms(p), "1.00x", ""),
        ("whatportis 5432", ms(w), f"portatlas {w / p:5.1f}x faster", ">= 5x faster"),
        ("python -I -S -c pass", ms(b), f"portatlas = {p / b:4.2f}x bare", "<= 3x bare"),
        ("portatlas 5432, answer cache off", ms(full), f"{full / b:4.2f}x bare", "(full library path)"),
        ("portatlas 5432, first run (compiles index, fills answer cache)", ms(first), "", "(once per edition)"),
    ]))
    print(f"peak memory: portatlas {rss:.1f} MiB (answer cache off: {rss_full:.1f} MiB), "
          f"whatportis {rss_w:.1f} MiB; target <= 40 MiB")

    from portatlas import Registry, index
    from portatlas.source.paths import BUNDLED

    reg = Registry.default()
    reg.lookup(5432)
    look = med(call_times(lambda: reg.lookup(5432), 100_000))
    look_cold = med(call_times(lambda: reg.lookup.__func__(Registry(reg.index), 5432), 2_000))
    gsbp = med(call_times(lambda: socket.getservbyport(5432, "tcp"), 20_000))
    reg.search("warmup")
    search = med(call_times(lambda: reg.search("postgress"), 50))
    search2 = med(call_times(lambda: reg.search("x window"), 50))
    load = med(call_times(lambda: index.load(BUNDLED), 50))
    fresh = med(call_times(lambda: Registry.from_file(BUNDLED).lookup(5432), 50))

    print()
    print("In-process, medians")
    print(table([
        ("operation", "median", "ratio / target"),
        ("Registry.lookup(5432)", us(look), f"{gsbp / look:5.1f}x faster than getservbyport; target <= 2 µs, >= 5x"),
        ("socket.getservbyport(5432, 'tcp')", us(gsbp), ""),
        ("lookup on a fresh Registry (builds PortInfo)", us(look_cold), "(first lookup of a port)"),
        ("search('postgress') over every record", ms(search), "target <= 5 ms"),
        ("search('x window')", ms(search2), ""),
        ("load compiled index", ms(load), "target <= 10 ms"),
        ("load index + first lookup", ms(fresh), ""),
    ]))


if __name__ == "__main__":
    main()
