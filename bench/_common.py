"""Helpers shared by the benchmarks: timing whole processes and calls, medians, tables."""

from __future__ import annotations

import json
import lzma
import os
import resource
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / ".peers"
REGISTRY_XZ = ROOT / "src" / "portatlas" / "data" / "service-names-port-numbers.2026-08-17.xml.xz"
NS = "{http://www.iana.org/assignments}"


def run_times(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of a command, stdout and stderr piped."""
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        out.append(time.perf_counter() - t)
    return out


def interleaved(cmds: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, list[float]]:
    """Time several commands in turn, round after round, so machine noise hits them alike."""
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            times[k] += run_times(cmd, 1, env)
    return times


def peak_rss_mib(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Peak resident memory of one run of a command, in MiB (Linux ru_maxrss is KiB)."""
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, env=env)
    return int(out.stdout.strip()) / 1024


def call_times(fn: Callable[[], object], number: int, repeat: int = 7) -> list[float]:
    """Seconds per call of ``fn``: ``repeat`` batches of ``number`` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t) / number)
    return out


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def ms(x: float) -> str:
    return f"{x * 1000:8.2f} ms"


def us(x: float) -> str:
    return f"{x * 1e6:8.3f} µs"


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def whatportis_python() -> Path:
    """whatportis 0.8.1 in its own venv under bench/.peers (made on first use, from PyPI)."""
    venv = PEERS / "whatportis"
    py = venv / "bin" / "python"
    if not (venv / "bin" / "whatportis").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "whatportis==0.8.1", "tinydb<4",
                        "flask<2", "jinja2<3.1", "itsdangerous<2.1", "werkzeug<2.1", "markupsafe<2.1"],
                       check=True)
    return py


def whatportis_home() -> Path:
    """A HOME whose ~/.whatportis_db.json holds the same registry edition portatlas answers from."""
    home = PEERS / "home"
    db = home / ".whatportis_db.json"
    if not db.exists():
        home.mkdir(parents=True, exist_ok=True)
        root = ET.fromstring(lzma.decompress(REGISTRY_XZ.read_bytes()))
        rows = {}
        for i, rec in enumerate(root.iter(NS + "record"), 1):
            number = (rec.findtext(NS + "number") or "").strip()
            if not number:
                continue
            rows[str(i)] = {
                "name": (rec.findtext(NS + "name") or "").strip(),
                "port": number,
                "protocol": (rec.findtext(NS + "protocol") or "").strip(),
                "description": " ".join("".join(rec.find(NS + "description").itertext()).split()),
            }
        db.write_text(json.dumps({"_default": rows}))
    return home


def whatportis_env() -> dict[str, str]:
    return {**os.environ, "HOME": str(whatportis_home())}


def raise_nofile(n: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
