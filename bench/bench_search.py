"""Benchmark of search over both sources and of the common-use dataset's loading (issue 12), with peers.

    .venv/bin/python bench/bench_search.py [--runs 30]

Prints, with medians:
- in-process, warm: ``Registry.search_answer`` (registry rows and programs, ranked, answer values built)
  for the issue's queries and a few more, beside rapidfuzz alone over the same names (what the old
  search's typo pass cost by itself) and the registry-only ``Registry.search``; the search structures'
  first build;
- whole processes: ``portatlas search rdp`` beside ``getent services ssh`` (the system's services file,
  names only, no ranking) and ``portatlas 5432``;
- what the dataset adds to ``portatlas PORT``: its module's import time (``python -X importtime``) and
  ``Dataset`` loaded from the compiled file and asked for a port, in a fresh process that already has
  what ``portatlas PORT`` imports. Targets: search <= 5 ms, the dataset <= 2 ms.
"""

from __future__ import annotations

import argparse
import marshal
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import call_times, interleaved, med, ms, table

QUERIES = ["rdp", "remote desktop", "smb", "windows file sharing", "vnc", "sql server", "dns", "minecraft",
           "plex", "postgres", "postgress", "http", "x window", "redis port", "server"]


def _importtime(cmd: list[str], module: str, runs: int) -> tuple[float, float]:
    """Median self and cumulative import time of ``module`` (seconds) over ``runs`` runs of ``cmd``."""
    own, cum = [], []
    for _ in range(runs):
        err = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True,
                             check=False).stderr
        for line in err.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == module:
                own.append(int(parts[0].split(":")[1]) / 1e6)
                cum.append(int(parts[1]) / 1e6)
    return (med(own), med(cum)) if own else (float("nan"), float("nan"))


def _dataset_load(path: str, runs: int) -> list[float]:
    code = ("import time, sys; from portatlas.atlas import Registry; Registry.default().lookup(5432);"
            "import portatlas.answers.port, portatlas.world.commonuse as cu;"
            "t = time.perf_counter(); cu.Dataset(cu._read(sys.argv[1])).at(5432);"
            "print(time.perf_counter() - t)")
    return [float(subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(runs)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    from rapidfuzz import fuzz, process

    from portatlas import Registry
    from portatlas.query.search import SearchIndex
    from portatlas.world import commonuse

    reg = Registry.default()
    t = time.perf_counter()
    si = reg.searcher()
    first_build = time.perf_counter() - t
    build = med(call_times(lambda: SearchIndex(reg.index, commonuse.dataset()), 1, 5))
    reg.search_answer("warm")
    names = si.all_names
    rows = [("query", "search_answer (both sources)", "Registry.search (registry)", "rapidfuzz alone")]
    both_all, fuzz_all = [], []
    for q in QUERIES:
        both = med(call_times(lambda q=q: reg.search_answer(q), 20))
        registry_only = med(call_times(lambda q=q: reg.search(q), 20))
        alone = med(call_times(lambda q=q: process.extract(q, names, scorer=fuzz.ratio, limit=20), 20))
        both_all.append(both)
        fuzz_all.append(alone)
        rows.append((repr(q), ms(both), ms(registry_only), ms(alone)))
    rows.append(("median of the queries", ms(statistics.median(both_all)), "", ms(statistics.median(fuzz_all))))
    print("In-process, warm, medians (target: search over both sources <= 5 ms)")
    print(table(rows))
    print(f"search structures: first build {ms(first_build).strip()} (registry {len(si.names)} names, "
          f"{len(si.descriptions)} descriptions; {len(si.programs)} program names and aliases); "
          f"rebuilt {ms(build).strip()}")

    venv_bin = Path(sys.executable).parent
    portatlas = str(venv_bin / "portatlas")
    # Bytecode written as an installed package has it (PYTHONDONTWRITEBYTECODE would time compiling instead).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PORTATLAS_CACHE_DIR"] = tempfile.mkdtemp(prefix="portatlas-bench-")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    interleaved({"warm": [portatlas, "search", "rdp"]}, 1, env)  # compiles the index into the fresh cache
    cmds = {"portatlas search rdp": [portatlas, "search", "rdp"], "portatlas 5432": [portatlas, "5432"]}
    getent = shutil.which("getent")
    if getent:
        cmds["getent services ssh"] = [getent, "services", "ssh"]
    times = interleaved(cmds, args.runs, env)
    print()
    print(f"Whole process, stdout piped, median of {args.runs} interleaved runs")
    print(table([("command", "median")] + [(k, ms(med(v))) for k, v in times.items()]))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "common-use.marshal")
        with open(path, "wb") as f:
            f.write(marshal.dumps(commonuse.pack(commonuse.compile_dir())))
        load = _dataset_load(path, max(5, args.runs // 3))
    own, cum = _importtime(["-m", "portatlas", "5432"], "portatlas.world.commonuse", max(5, args.runs // 3))
    print()
    print("What the common-use dataset adds to `portatlas 5432` (target <= 2 ms)")
    print(table([
        ("part", "median"),
        ("import portatlas.world.commonuse (self / cumulative, -X importtime)", f"{ms(own)} / {ms(cum).strip()}"),
        ("Dataset from the compiled file + at(5432), fresh process, cold", ms(med(load))),
        ("the two together", ms(cum + med(load))),
    ]))


if __name__ == "__main__":
    main()
