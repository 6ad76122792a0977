"""advise and suggest, in-process, against the issue's budgets and a naive peer.

Rows (medians of batches of calls, after one warm-up call so the registry,
nmap table and caches are loaded as in a long-running process or the web app):

- ``suggest --count 10``: ten ports on TCP, on TCP+UDP, near 8080, and for a
  --name, each including the real bind checks (budget: 50 ms);
- the peer a script would write without portatlas: ask the kernel for ten
  free ports (bind port 0 ten times); it knows nothing of the registry,
  browsers, ephemeral ranges or common use, and hands out ephemeral ports;
- ``advise``: 8080 and 307 with this machine's signals read each call
  (listening sockets included), and the pure verdict alone (budget: 5 ms);
  a port held by a listener costs more: the socket table is read to name it;
- whole processes for context: ``portatlas advise 8080`` and ``portatlas suggest``.

    .venv/bin/python bench/bench_advice.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, call_times, med, ms, run_times, table


def kernel_ports(n: int) -> list[int]:
    """The naive peer: n ports the kernel picks (bind to port 0), all held until the end so they differ."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("0.0.0.0", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()

    from portatlas import Registry
    from portatlas.advice import advise, machine_signals, suggest
    from portatlas.model import Transport
    from portatlas.query.reasons import Purpose

    reg = Registry.default()
    suggest(reg, count=10)  # warm-up: index, nmap table, browser list
    advise(reg, 8080)
    r = args.repeat
    rows: list[tuple[str, ...]] = [("what", "median", "budget", "of budget")]

    def row(label: str, times: list[float], budget: float | None) -> None:
        m = med(times)
        rows.append((label, ms(m), ms(budget) if budget else "-", f"{m / budget:.0%}" if budget else "-"))

    row("suggest --count 10 (tcp)", call_times(lambda: suggest(reg, count=10), 1, r), 0.050)
    row("suggest --count 10 --transport both", call_times(lambda: suggest(reg, count=10, transport="both"), 1, r),
        0.050)
    row("suggest --count 10 --near 8080", call_times(lambda: suggest(reg, count=10, near=8080), 1, r), 0.050)
    row("suggest --count 10 --name myapp", call_times(lambda: suggest(reg, count=10, name="myapp"), 1, r), 0.050)
    row("suggest --count 10 --range dynamic", call_times(lambda: suggest(reg, count=10, range="dynamic"), 1, r),
        0.050)
    row("peer: kernel picks 10 ports (bind :0)", call_times(lambda: kernel_ports(10), 5, r), None)
    row("advise 8080 (signals read each call)", call_times(lambda: advise(reg, 8080), 5, r), 0.005)
    row("advise 307 --purpose standard", call_times(lambda: advise(reg, 307, purpose="standard"), 5, r), 0.005)
    row("advise 8080 --transport both --http",
        call_times(lambda: advise(reg, 8080, "both", http=True), 5, r), 0.005)
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    hp = held.getsockname()[1]
    row(f"advise {hp} while this process listens on it", call_times(lambda: advise(reg, hp), 1, r), 0.005)
    held.close()
    sig = machine_signals(8080, (Transport.TCP,))
    row("advise 8080, verdict only (signals given)",
        call_times(lambda: advise(reg, 8080, "tcp", Purpose.PRODUCTION, signals=sig), 50, r), 0.005)
    row("machine signals without listeners", call_times(lambda: machine_signals(), 20, r), None)

    exe = [sys.executable, "-m", "portatlas"]
    row("process: portatlas advise 8080", run_times([*exe, "advise", "8080"], max(5, r // 2)), None)
    row("process: portatlas suggest --count 10", run_times([*exe, "suggest", "--count", "10"], max(5, r // 2)),
        None)
    row("process: python -c pass (interpreter alone)", run_times([sys.executable, "-c", "pass"], max(5, r // 2)),
        None)
    print(f"portatlas advice benchmark (registry {reg.edition}, {ROOT})")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
