"""Benchmark history and updates: a port's history, a diff of two editions, applying an update.

    .venv/bin/python bench/bench_history.py [--runs N]

Needs the 382-edition archive (history.tar.xz), named by PORTATLAS_TEST_ARCHIVE
as for the tests, for the naive peers and the update input. Prints medians beside the peer a person
would otherwise use, with ratios, and the issue's targets:

- port history in-process: <= 20 ms (peer: grep the 382 editions in the archive);
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


def main() -> int:
    """Run every benchmark and print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
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
        t = time.perf_counter()
        H.port_history(300)
        first = (time.perf_counter() - t) * 1000
        # The first 16 ports a process asks for scan every record version; later ones use
        # the port-to-versions table that the 17th call builds.
        scans = []
        for p in PORTS:
            t = time.perf_counter()
            H.port_history(p)
            scans.append((time.perf_counter() - t) * 1000)
        per_port = statistics.median(median_ms(lambda p=p: H.port_history(p), args.runs) for p in PORTS)
        grep = median_ms(lambda: subprocess.run(
            f"xz -dc {ARCHIVE} | grep -c '<number>300</number>'", shell=True, capture_output=True), 3)
        row("history of a port (in-process)", per_port, "xz -dc archive | grep 300", grep, "<= 20 ms")
        print(f"{'  the first ports, by scanning':<34} {statistics.median(scans):>10.1f} ms")
        print(f"{'  first call, loading the history':<34} {first:>10.1f} ms")
        cold = median_ms(lambda: subprocess.run([sys.executable, "-m", "portatlas", "history", "300"],
                                                capture_output=True, check=True), 5)
        print(f"{'  `portatlas history 300` process':<34} {cold:>10.1f} ms")

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
        from portatlas.source import paths as sources
        from portatlas.atlas import Registry
        from portatlas.source import update
        from portatlas.registry.parse import parse

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
