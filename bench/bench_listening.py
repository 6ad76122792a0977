"""`portatlas listening` (text and --json) against `ss -ltnup` with 1,000 listening sockets open.

Opens 1,000 TCP listeners on 127.0.0.1 (raising RLIMIT_NOFILE if needed),
then runs each command as a whole process RUNS times, alternating, and prints
medians and the ratio. Peers also shown when installed: `netstat -ltnup` and
`lsof -nP -iTCP -sTCP:LISTEN -iUDP`. The issue's bar: portatlas at most 1 s,
and at most 2x ss.

Two reference rows say where portatlas's time goes: the bare interpreter
(`python -c pass`) and the interpreter plus the registry layer most commands
load (`import portatlas.atlas`); and the same command with the psutil probe
(PORTATLAS_LISTENER_PROBE=psutil) reads the machine through psutil instead of
netlink and /proc.
`--baseline SRC` adds the same commands run from another source tree (the
`src` directory of a checkout of an earlier commit), for before/after figures
in one run; `--tree LABEL=SRC` (repeatable) adds more trees, labelled:

    git worktree add /tmp/before <commit> && python -m compileall -q /tmp/before/src
    .venv/bin/python bench/bench_listening.py [--sockets 1000] [--runs 21] [--baseline /tmp/before/src]

Unset PYTHONDONTWRITEBYTECODE first (and byte-compile every tree timed): a
run that cannot use .pyc files compiles every module it imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def open_listeners(n: int) -> list[socket.socket]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = n + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard) if hard != resource.RLIM_INFINITY else need, hard))
    out = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen()
        out.append(s)
    return out


def timed(cmd: list[str], env: dict[str, str]) -> float:
    if "=" in cmd[0]:  # VAR=value prefix, as a shell would take it
        k, _, v = cmd[0].partition("=")
        env, cmd = {**env, k: v}, cmd[1:]
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    dt = time.perf_counter() - t
    if r.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode()[:300]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sockets", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--baseline", metavar="SRC", help="also time `listening` from this source tree")
    ap.add_argument("--tree", metavar="LABEL=SRC", action="append", default=[],
                    help="also time `listening` from this source tree, labelled (repeatable)")
    args = ap.parse_args()
    exe = Path(sys.executable).parent / "portatlas"
    text = [str(exe), "listening"] if exe.exists() else [sys.executable, "-m", "portatlas", "listening"]
    portatlas = [*text, "--json"]
    peers: dict[str, list[str]] = {"portatlas listening": text, "portatlas listening --json": portatlas}
    if shutil.which("ss"):
        peers["ss -ltnup"] = ["ss", "-ltnup"]
    if shutil.which("netstat"):
        peers["netstat -ltnup"] = ["netstat", "-ltnup"]
    if shutil.which("lsof"):
        peers["lsof -nP -iTCP -sTCP:LISTEN -iUDP"] = ["lsof", "-nP", "-iTCP", "-sTCP:LISTEN", "-iUDP"]
    trees = ([("--baseline", args.baseline)] if args.baseline else []) + [
        tuple(t.split("=", 1)) for t in args.tree]  # type: ignore[misc]
    for label, src in trees:
        main = "import sys; from portatlas.cli.main import main; sys.exit(main())"
        for shown, extra in (("", []), (" --json", ["--json"])):
            peers[f"  listening{shown}, from {label}"] = [f"PYTHONPATH={Path(src).resolve()}",
                                                          sys.executable, "-c", main, "listening", *extra]
    peers["  listening --json, psutil probe"] = ["PORTATLAS_LISTENER_PROBE=psutil", *portatlas]
    peers["  ref: python -c pass"] = [sys.executable, "-c", "pass"]
    peers["  ref: python -c 'import portatlas.atlas'"] = [sys.executable, "-c", "import portatlas.atlas"]
    env = dict(os.environ)
    socks = open_listeners(args.sockets)
    try:
        # Each command once to warm caches (the registry index, page cache), then alternate.
        for cmd in peers.values():
            timed(cmd, env)
        # Check portatlas really sees them all.
        import json

        out = subprocess.run(portatlas, capture_output=True, env=env).stdout
        seen = {s["listener"]["port"] for s in json.loads(out)["sockets"]}
        mine = {s.getsockname()[1] for s in socks}
        assert mine <= seen, f"portatlas missed {len(mine - seen)} of the benchmark's sockets"
        times: dict[str, list[float]] = {k: [] for k in peers}
        for _ in range(args.runs):
            for name, cmd in peers.items():
                times[name].append(timed(cmd, env))
    finally:
        for s in socks:
            s.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med.get("ss -ltnup")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.sockets} listening sockets, {args.runs} runs each, median wall time of a whole process "
          f"({os.cpu_count()} CPUs, load {load:.1f})")
    for name, m in med.items():
        ratio = f"{m / base:5.2f}x ss" if base else ""
        print(f"  {name:<42} {m * 1000:8.1f} ms   min {min(times[name]) * 1000:7.1f} ms   {ratio}")
    for name in ("portatlas listening", "portatlas listening --json"):
        pa = med[name]
        print(f"{name}: <= 1000 ms -> {'met' if pa <= 1.0 else 'MISSED'}; "
              + (f"<= 2x ss -> {'met' if base and pa <= 2 * base else 'MISSED'} ({pa / base:.2f}x)" if base else ""))


if __name__ == "__main__":
    main()
