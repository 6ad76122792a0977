"""Benchmark history and updates: a port's history, a diff of two editions, applying an update.

    .venv/bin/python bench/bench_history.py [--runs N]

Needs the 382-edition archive (history.tar.xz), named by PORTATLAS_TEST_ARCHIVE
as for the tests, for the naive peers and the update input. Prints medians beside the peer a person
would otherwise use, with ratios, and the issue's targets:

- port history in-process: <= 20 ms (peer: grep the 382 editions in the archive); in a fresh
  process, opening the compiled history included: <= 1 ms (``--port-only`` times just this part,
  without the archive; ``--baseline OTHER/src`` times another checkout's `portatlas history` beside);
- diff of two editions: <= 1 s (peer: GNU diff of the two XML files, which
  knows nothing of records);
- applying an update from a local file (parse, index, store, switch): <= 3 s
  (floor: parsing the file alone).
"""

from __future__ import annotations

import argparse
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = Path(os.environ.get("PORTATLAS_TEST_ARCHIVE", ""))
PORTS = (22, 80, 300, 443, 831, 5432, 6000, 8080, 30939, 49151)


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def editions(dates: set[str]) -> dict[str, bytes]:
    """The wanted editions' XML, streamed from the archive."""
    out = {}
    with lzma.open(ARCHIVE) as xz, tarfile.open(fileobj=xz, mode="r|") as tf:
        for m in tf:
            d = m.name.rsplit("/", 1)[-1].removesuffix(".xml")
            if m.isfile() and d in dates:
                f = tf.extractfile(m)
                assert f is not None
                out[d] = f.read()
    return out


def row(what: str, ours: float, peer_name: str, peer: float, target: str) -> None:
    """One line of the table."""
    print(f"{what:<34} {ours:>10.1f} ms   {peer_name:<34} {peer:>10.1f} ms   {peer / ours:>7.1f}x   {target}")


COLD = """
import time
# What `portatlas PORT` has loaded before it asks for the history: the values, the port
# grammar, the paths, zlib (the index cache), records made (their __init__ compiled).
import zlib
import portatlas.query.grammar, portatlas.source.paths
from portatlas.model import Person, Record, Transport, Xref
Record("a", Transport.TCP, 1, 1, "x", (Person("p"),), (), (Xref("rfc", "rfc1"),))
t = time.perf_counter()
from portatlas.registry.history import port_history
t1 = time.perf_counter()
port_history(5432)
t2 = time.perf_counter()
port_history(5433)
t3 = time.perf_counter()
print((t1 - t) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000)
"""


def port_history_rows(tmp: Path, runs: int, baseline: Path | None) -> float:
    """The compiled history: its size, a port's history in a fresh process and a warm one, the command.

    Returns the warm in-process median (ms) for the table's row against the peer.
    """
    import compileall

    from portatlas.registry.history import compiled, port_history

    # Byte-compiled, as an installed package is (PYTHONDONTWRITEBYTECODE would otherwise make
    # every process below compile every module it imports).
    for tree in (ROOT / "src", *((baseline,) if baseline else ())):
        compileall.compile_dir(str(tree), quiet=1)
    t = time.perf_counter()
    compiled.opened()  # an editable checkout ships no compiled file: compiled once into the cache dir
    print(f"{'  compile into the cache dir (once)':<34} {(time.perf_counter() - t) * 1000:>10.1f} ms")
    print(f"{'  the compiled file':<34} {os.path.getsize(compiled.cache_path()) / 1e6:>10.2f} MB")
    # A fresh process: importing the history modules, then the first port (opening the file, its
    # header, one port's timeline) and a second port.
    got = [[float(x) for x in subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True,
                                             check=True).stdout.split()] for _ in range(max(runs, 15))]
    for i, what in enumerate(("imports, in a fresh process", "first port_history (with header)",
                              "second port_history")):
        xs = [g[i] for g in got]
        print(f"{'  ' + what:<34} {statistics.median(xs):>10.2f} ms   (best {min(xs):.2f} ms)")
    warm = statistics.median(median_ms(lambda p=p: port_history(p), runs) for p in PORTS)
    print(f"{'  warm port_history, median of ports':<34} {warm:>10.3f} ms")
    # The command as a process: the compiled file in the cache dir, in a package that ships it
    # (a copy of this one with compiled.write run on it), and in this editable checkout without
    # a writable cache dir (compiled in memory each time).
    site = tmp / "site"
    shutil.copytree(ROOT / "src" / "portatlas", site / "portatlas",
                    ignore=shutil.ignore_patterns("__pycache__", "compiled"))
    compiled.write(str(site / "portatlas"))
    compileall.compile_dir(str(site), quiet=1)
    cmd = [sys.executable, "-m", "portatlas", "history", "5432"]
    env = dict(os.environ)
    shipped = {**env, "PYTHONPATH": str(site), "PORTATLAS_CACHE_DIR": "/dev/null/x"}
    cases = [("  `history 5432`, cache dir", env), ("  ... shipped file, no cache dir", shipped),
             ("  ... editable, no cache dir", {**env, "PORTATLAS_CACHE_DIR": "/dev/null/x"})]
    if baseline is not None:
        base = {**env, "PYTHONPATH": str(baseline)}
        subprocess.run(cmd, env=base, capture_output=True, check=True)  # its caches, warmed
        cases += [("  baseline, cache dir", base),
                  ("  baseline, no cache dir", {**base, "PORTATLAS_CACHE_DIR": "/dev/null/x"})]
    for what, e in cases:
        ms = median_ms(lambda e=e: subprocess.run(cmd, env=e, capture_output=True, check=True), max(runs, 5))
        print(f"{what:<34} {ms:>10.1f} ms")
    return warm


def main() -> int:
    """Run every benchmark and print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--port-only", action="store_true", help="only a port's history (no diff, no update)")
    ap.add_argument("--baseline", type=Path, help="another checkout's src/ to time `portatlas history` beside")
    args = ap.parse_args()
    if not ARCHIVE.is_file():
        sys.exit("set PORTATLAS_TEST_ARCHIVE to the 382-edition history.tar.xz")
    tmp = Path(tempfile.mkdtemp(prefix="bench-history-"))
    os.environ["PORTATLAS_CACHE_DIR"] = str(tmp / "cache")
    os.environ["PORTATLAS_DATA_DIR"] = str(tmp / "data")
    os.environ.pop("PORTATLAS_REGISTRY", None)
    try:
        from portatlas.registry import history as H

        print(f"{'':<34} {'portatlas':>13}   {'peer':<34} {'':>13}   {'ratio':>8}   target")
        # -- a port's history -------------------------------------------------
        per_port = port_history_rows(tmp, args.runs, args.baseline)
        if args.port_only:
            return 0
        grep = median_ms(lambda: subprocess.run(
            f"xz -dc {ARCHIVE} | grep -c '<number>300</number>'", shell=True, capture_output=True), 3)
        row("history of a port (in-process)", per_port, "xz -dc archive | grep 300", grep, "<= 20 ms")

        # -- a diff of two editions ------------------------------------------------
        xml = editions({"2025-08-26", "2026-08-17"})
        a, b = tmp / "a.xml", tmp / "b.xml"
        a.write_bytes(xml["2025-08-26"])
        b.write_bytes(xml["2026-08-17"])
        ours = median_ms(lambda: H.diff("2025-08-26", "2026-08-17"), args.runs)
        peer = median_ms(lambda: subprocess.run(["diff", str(a), str(b)], capture_output=True), args.runs)
        row("diff 2025-08-26 2026-08-17", ours, "GNU diff of the two XML files", peer, "<= 1 s")
        H.diff(str(a), str(b))  # compile both files' indexes once, as any use would
        files = median_ms(lambda: H.diff(str(a), str(b)), args.runs)
        print(f"{'  the same, given as two files':<34} {files:>10.1f} ms")

        # -- applying an update from a local file ---------------------------------------
        from portatlas.atlas import Registry
        from portatlas.registry.parse import parse
        from portatlas.source import paths as sources
        from portatlas.source import update

        times = []
        for i in range(max(3, args.runs // 2)):
            data = tmp / f"data{i}"
            os.environ["PORTATLAS_DATA_DIR"] = str(data)
            # The edition in use: an older one, stored and indexed as it would be after use.
            (data / "editions").mkdir(parents=True)
            old = data / "editions" / "service-names-port-numbers.2025-08-26.seed.xml"
            shutil.copyfile(a, old)
            sources.current_pointer().write_text(old.name + "\n")
            Registry.from_file(old)
            t = time.perf_counter()
            result = update.update(str(b))
            times.append((time.perf_counter() - t) * 1000)
            assert result.status == "switched", result
        ours = statistics.median(times)
        floor = median_ms(lambda: parse(b.read_bytes()), 3)
        row("apply an update from a file", ours, "parse the file alone (the floor)", floor, "<= 3 s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
