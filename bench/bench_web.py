"""Web throughput: portatlas serve vs whatportis --server vs a bare FastAPI hello-world, with wrk on loopback.

    .venv/bin/python bench/bench_web.py [--duration 10] [--connections 100] [--rounds 3]

Needs `wrk` (apt-get install -y wrk). whatportis 0.8.1 (with the Flask pins its
--server needs) is installed on first use into bench/.peers/whatportis, its
database filled from the same registry edition portatlas ships.

Each server runs alone on a free loopback port (one process; the machine's
two cores are shared with wrk, so compare ratios within one run). Rounds are
interleaved so machine noise hits every target alike; figures are medians.
Memory is the server's peak resident set while it was measured.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, raise_nofile, table, whatportis_env, whatportis_python

HELLO = """
import uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/hello")
async def hello():
    return {"hello": "world"}
uvicorn.run(app, host="127.0.0.1", port={port}, access_log=False, log_level="warning", server_header=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server process started for the benchmark, its RSS sampled while it runs."""

    def __init__(self, name: str, cmd: list[str], port: int, env: dict[str, str] | None = None) -> None:
        self.name, self.cmd, self.port, self.env = name, cmd, port, env
        self.peak = 0.0

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.proc.stderr.read().decode()[-800:]}") from None  # type: ignore[union-attr]
                time.sleep(0.1)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._sample, daemon=True)
        self._t.start()
        return self

    def _sample(self) -> None:
        import psutil

        p = psutil.Process(self.proc.pid)
        while not self._stop.wait(0.1):
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
            except psutil.Error:
                continue
            self.peak = max(self.peak, rss / 2**20)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def wrk(url: str, duration: int, connections: int) -> dict[str, float]:
    """One wrk run: requests/s, latency percentiles (ms), errors (socket errors and non-2xx)."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = {}
    for pct in ("50", "90", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out)
        if m:
            v = float(m.group(1))
            lat[pct] = v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    return {"rps": rps, "p50": lat.get("50", 0.0), "p90": lat.get("90", 0.0), "p99": lat.get("99", 0.0),
            "errors": errors}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-whatportis", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("bench_web: wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    raise_nofile(4096)
    py = str(ROOT / ".venv" / "bin" / "python")
    data = tempfile.mkdtemp(prefix="portatlas-bench-")
    pa_port, hello_port, wp_port = free_port(), free_port(), free_port()
    servers = {
        "portatlas": Server("portatlas", [py, "-m", "portatlas", "serve", "--port", str(pa_port)], pa_port,
                            {**os.environ, "PORTATLAS_DATA_DIR": data}),
        "hello": Server("hello", [py, "-c", HELLO.replace("{port}", str(hello_port))], hello_port),
    }
    targets = [
        ("portatlas /api/ports/5432", "portatlas", f"http://127.0.0.1:{pa_port}/api/ports/5432"),
        ("portatlas /port/307", "portatlas", f"http://127.0.0.1:{pa_port}/port/307"),
        ("hello-world (FastAPI+uvicorn)", "hello", f"http://127.0.0.1:{hello_port}/hello"),
    ]
    if not args.no_whatportis:
        wp = whatportis_python()
        servers["whatportis"] = Server("whatportis", [str(wp.parent / "whatportis"), "--server", "127.0.0.1",
                                                      str(wp_port)], wp_port, whatportis_env())
        targets += [("whatportis /ports/5432", "whatportis", f"http://127.0.0.1:{wp_port}/ports/5432"),
                    ("whatportis /ports/307", "whatportis", f"http://127.0.0.1:{wp_port}/ports/307")]
    results: dict[str, list[dict[str, float]]] = {t[0]: [] for t in targets}
    for s in servers.values():
        s.__enter__()
    try:
        for _, _, url in targets:  # warm: the first answer of each is rendered and cached
            urllib.request.urlopen(url, timeout=30).read()
        for r in range(args.rounds):
            for name, _, url in targets:
                results[name].append(wrk(url, args.duration, args.connections))
                print(f"round {r + 1}: {name:32} {results[name][-1]['rps']:9.0f} req/s", file=sys.stderr)
    finally:
        for s in servers.values():
            s.__exit__()

    def m(name: str, key: str) -> float:
        return statistics.median(x[key] for x in results[name])

    hello = m("hello-world (FastAPI+uvicorn)", "rps")
    rows = [("target", "req/s (median)", "p50 ms", "p99 ms", "errors", "server peak RSS", "vs hello-world",
             "vs whatportis")]
    for name, srv, _ in targets:
        rps = m(name, "rps")
        peer = None
        if name.startswith("portatlas") and "whatportis" in servers:
            peer = m("whatportis /ports/5432" if "5432" in name else "whatportis /ports/307", "rps")
        vs_peer = "" if peer is None else f"{rps / peer:.1f}x" if peer else "peer answered nothing in time"
        rows.append((name, f"{rps:,.0f}", f"{m(name, 'p50'):.2f}", f"{m(name, 'p99'):.2f}",
                     f"{int(sum(x['errors'] for x in results[name]))}", f"{servers[srv].peak:.0f} MiB",
                     f"{rps / hello:.0%}", vs_peer))
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds, loopback, "
          f"{os.cpu_count()} CPUs shared with wrk")
    print(table(rows))
    print("targets: portatlas >= 5x whatportis, >= 60% of hello-world, no errors, server RSS <= 120 MiB")
    print("errors = socket errors (wrk's 2 s timeout included) + non-2xx answers, summed over the rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
