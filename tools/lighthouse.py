"""Lighthouse 12 (npm) with Debian's chromium over the site's pages, mobile and desktop; prints the scores.

    python tools/lighthouse.py [--lighthouse PATH] [--pages /,/port/307] [--keep DIR]

Starts `portatlas serve` on a free loopback port, runs Lighthouse once per page and form factor, and prints
performance, accessibility, best practices and SEO (0-100) with the audits that lost points. Lighthouse comes
from the npm registry: the first run installs `lighthouse@12` under the user cache directory when no
`lighthouse` is on PATH. A measurement, not a test: the figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PAGES = ["/", "/port/307", "/port/80", "/port/25565", "/stats", "/gaps", "/service/http"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHROME = "/usr/bin/chromium"
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
         "--disable-sync --no-first-run --disable-dev-shm-usage")


def lighthouse_bin(given: str | None) -> str:
    """The lighthouse command: given, on PATH, or installed from npm into the cache directory."""
    if given:
        return given
    found = shutil.which("lighthouse")
    if found:
        return found
    prefix = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "portatlas-tools"
    local = prefix / "node_modules" / ".bin" / "lighthouse"
    if not local.exists():
        print(f"installing lighthouse@12 from npm into {prefix} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), "lighthouse@12"],
                       check=True, stdout=subprocess.DEVNULL)
    return str(local)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, data: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORTATLAS_DATA_DIR": data, "PORTATLAS_FEEDBACK_RATE": "0",
           "PORTATLAS_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "portatlas", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def run(lh: str, url: str, desktop: bool, out: Path) -> dict[str, object]:
    cmd = [lh, url, "--output=json", f"--output-path={out}", "--quiet", f"--chrome-flags={FLAGS}",
           "--only-categories=" + ",".join(CATEGORIES)]
    if desktop:
        cmd.append("--preset=desktop")
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", CHROME)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    report = json.loads(out.read_text())
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    lost = sorted({a["id"] for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]
                   if ref["weight"] and (a := report["audits"][ref["id"]]).get("score") is not None and a["score"] < 1})
    return {"scores": scores, "lost": lost, "version": report.get("lighthouseVersion")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lighthouse", help="the lighthouse command (default: PATH, else npm into the cache)")
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths")
    ap.add_argument("--keep", help="directory to keep the JSON reports in")
    args = ap.parse_args()
    lh = lighthouse_bin(args.lighthouse)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, tmp)
        keep = Path(args.keep) if args.keep else Path(tmp)
        keep.mkdir(parents=True, exist_ok=True)
        try:
            print(f"{'page':<16} {'form':<8} {'perf':>4} {'a11y':>4} {'best':>4} {'seo':>4}  lost points on")
            worst = {c: 100 for c in CATEGORIES}
            version = ""
            for path in args.pages.split(","):
                for desktop in (False, True):
                    form = "desktop" if desktop else "mobile"
                    name = (path.strip("/").replace("/", "_") or "home") + f".{form}.json"
                    got = run(lh, f"http://127.0.0.1:{port}{path}", desktop, keep / name)
                    s = got["scores"]
                    version = str(got["version"])
                    for c in CATEGORIES:
                        worst[c] = min(worst[c], s[c])  # type: ignore[index]
                    print(f"{path:<16} {form:<8} {s['performance']:>4} {s['accessibility']:>4} "  # type: ignore[index]
                          f"{s['best-practices']:>4} {s['seo']:>4}  {', '.join(got['lost']) or '-'}")  # type: ignore[index,arg-type]
            lowest = ", ".join(f"{c} {v}" for c, v in worst.items())
            print(f"lighthouse {version}, chromium {CHROME}; lowest: {lowest}")
        finally:
            os.killpg(server.pid, 15)
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
