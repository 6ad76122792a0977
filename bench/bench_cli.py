"""Benchmark of `portatlas PORT` (issue 11), side by side with its peers, in one run.

    .venv/bin/python bench/bench_cli.py [--runs 30]

Builds a wheel from this tree and installs it into a fresh venv under
bench/.peers/portatlas-wheel (as a user would: the index, the history and the
common-use dataset come compiled in the package), then times whole processes,
stdout piped, in interleaved rounds (each round runs every command once, in
turn, so machine noise hits them alike) and prints medians and ratios:
- `portatlas PORT` for a random port per round with a cache directory that
  cannot be created (PORTATLAS_CACHE_DIR=/dev/null/x): every run takes the
  full path from the shipped files; targets <= 3x bare, >= 5x faster than
  whatportis, peak <= 40 MiB;
- the same with firewalld's service files out of sight
  (PORTATLAS_FIREWALLD_DIRS naming no folder), as on a machine without
  firewalld (most Debian and Ubuntu ones): reading its 200-odd files is the
  one cost a cache would save;
- `portatlas PORT` for a random port with a writable cache (as most users run it);
- what a shell's TAB runs (`portatlas __complete-names post`): within 60 ms of bare;
- `whatportis 5432` (0.8.1 in its own venv under bench/.peers, its database
  filled from the same edition) and a bare `python -I -S -c pass`;
then peak memory, and in-process figures: a port lookup against
socket.getservbyport, a typo-tolerant search, loading the compiled index.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    PEERS,
    ROOT,
    call_times,
    med,
    ms,
    peak_rss_mib,
    run_times,
    table,
    us,
    whatportis_env,
    whatportis_python,
)


def installed_portatlas() -> Path:
    """portatlas as a user installs it: a wheel of this tree in a fresh venv (remade on every run)."""
    venv = PEERS / "portatlas-wheel"
    shutil.rmtree(venv, ignore_errors=True)
    wheels = Path(tempfile.mkdtemp(prefix="portatlas-wheel-"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--disable-pip-version-check", str(next(wheels.glob("portatlas-*.whl")))], check=True)
    shutil.rmtree(wheels, ignore_errors=True)
    return venv / "bin" / "portatlas"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30, help="interleaved rounds")
    args = ap.parse_args()

    portatlas = str(installed_portatlas())
    bare = [os.path.realpath(sys.executable), "-I", "-S", "-c", "pass"]
    whatportis = [str(whatportis_python().parent / "whatportis"), "5432"]
    base = {k: v for k, v in whatportis_env().items() if not k.startswith("PORTATLAS_")}
    tmp = Path(tempfile.mkdtemp(prefix="portatlas-bench-"))
    base["PORTATLAS_DATA_DIR"] = str(tmp / "data")  # the bundled edition, whatever the user updated to
    no_cache = {**base, "PORTATLAS_CACHE_DIR": "/dev/null/x"}
    no_firewalld = {**no_cache, "PORTATLAS_FIREWALLD_DIRS": str(tmp / "no-firewalld")}
    warm = {**base, "PORTATLAS_CACHE_DIR": str(tmp / "warm")}
    run_times([portatlas, "5432"], 2, warm)  # fills the cache the warm runs read (nmap's, firewalld's)

    rng = random.Random(9)
    venv_python = str(Path(portatlas).parent / "python")
    site = [venv_python, "-c", "pass"]
    wrapper = [venv_python, "-c", "import re"]  # what pip's console script runs before any of portatlas
    names = ("no writable cache", "no cache, no firewalld", "writable cache", "TAB", "whatportis", "bare",
             "site", "wrapper")
    t: dict[str, list[float]] = {k: [] for k in names}
    for _ in range(args.runs):
        port = str(rng.randrange(65536))
        for name, cmd, env in (("no writable cache", [portatlas, port], no_cache),
                               ("no cache, no firewalld", [portatlas, port], no_firewalld),
                               ("writable cache", [portatlas, port], warm),
                               ("TAB", [portatlas, "__complete-names", "post"], warm),
                               ("whatportis", whatportis, base),
                               ("bare", bare, base),
                               ("site", site, base),
                               ("wrapper", wrapper, base)):
            t[name] += run_times(cmd, 1, env)
    m = {k: med(v) for k, v in t.items()}
    w, b = m["whatportis"], m["bare"]

    def ratio(x: float) -> str:
        return f"{w / x:5.2f}x faster than whatportis, {x / b:5.2f}x bare"

    print(f"Whole process, stdout piped: medians of {args.runs} interleaved rounds "
          f"(portatlas from a wheel installed in a fresh venv; a random port each round)")
    print(table([
        ("command", "median", "ratio", "target"),
        ("portatlas PORT, no writable cache", ms(m["no writable cache"]), ratio(m["no writable cache"]),
         "<= 3x bare, >= 5x faster than whatportis"),
        ("  the same, without firewalld's files", ms(m["no cache, no firewalld"]),
         ratio(m["no cache, no firewalld"]), ""),
        ("portatlas PORT, writable cache", ms(m["writable cache"]), ratio(m["writable cache"]), ""),
        ("TAB: portatlas __complete-names post", ms(m["TAB"]), ratio(m["TAB"]), "within 60 ms of bare"),
        ("whatportis 5432", ms(w), "", ""),
        ("python -I -S -c pass", ms(b), "", ""),
        ("  ref: the venv's python -c pass (site)", ms(m["site"]), f"{m['site'] / b:5.2f}x bare", ""),
        ("  ref: python -c 'import re' (the console script's own line)", ms(m["wrapper"]),
         f"{m['wrapper'] / b:5.2f}x bare", ""),
    ]))
    modules = subprocess.run(
        [venv_python, "-c", "import re, sys; sys.argv = ['portatlas', '5432']; from portatlas.cli.main import main; "
         "import io, contextlib; contextlib.redirect_stdout(io.StringIO()).__enter__(); main(); "
         "sys.__stdout__.write(str(sum(m.split('.')[0] == 'portatlas' for m in sys.modules)))"],
        env=no_cache, capture_output=True, text=True).stdout
    print(f"the 3x-bare budget is {3 * b * 1000:.1f} ms; the console script's `import re` leaves "
          f"{(3 * b - m['wrapper']) * 1000:.1f} ms of it for portatlas, which imports {modules} of its modules "
          "for this answer")
    rss = peak_rss_mib([portatlas, "5432"], warm)
    rss_full = peak_rss_mib([portatlas, "5432"], no_cache)
    rss_w = peak_rss_mib(whatportis, base)
    print(f"peak memory: portatlas {rss_full:.1f} MiB with no writable cache ({rss:.1f} MiB with one), "
          f"whatportis {rss_w:.1f} MiB; target <= 40 MiB")
    shutil.rmtree(tmp, ignore_errors=True)

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
