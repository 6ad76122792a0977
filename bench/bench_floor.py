"""Where `portatlas PORT`'s budget goes, counted in instructions (issue 11's "<= 3x bare").

    .venv/bin/python bench/bench_floor.py [--port 5432]

Wall-clock medians on a shared two-core machine move by 10-20% between
runs; valgrind's callgrind counts the instructions a whole process executes,
the same count on every run of the same files. This prints, for a wheel of
this tree installed in a fresh venv (as bench_cli.py does), each step from a
bare interpreter to the full answer, with its ratio to the bare one:

- ``python -I -S -c pass``, the issue's yardstick;
- ``python -c pass``, the same interpreter with ``site`` (what a venv's
  console script needs to find its packages);
- ``python -c 'import re'``: the first line of the console script pip (and
  uv, and the installer library) writes for every ``[project.scripts]`` entry,
  run before any of portatlas;
- that, plus as many empty modules as portatlas imports for the answer: what
  the import system alone costs for that many files;
- that, with portatlas's own modules instead (imported, nothing run);
- ``portatlas PORT`` with no cache directory and no firewalld files.

Needs valgrind (Debian: apt install valgrind). Each count takes a few
seconds, valgrind runs programs about fifty times slower.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table
from bench_cli import installed_portatlas

COUNT_MODULES = ("import re, sys, io, contextlib; sys.argv = ['portatlas', '{port}']; "
                 "from portatlas.cli.main import main; contextlib.redirect_stdout(io.StringIO()).__enter__(); "
                 "main(); sys.__stdout__.write(' '.join(m for m in sys.modules if m.split('.')[0] == 'portatlas'))")


def instructions(cmd: list[str], env: dict[str, str], cwd: str | None = None) -> int:
    """The instructions one run of ``cmd`` executes, as callgrind counts them."""
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                       capture_output=True, text=True, env=env, cwd=cwd)
    for line in r.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise SystemExit(f"valgrind printed no count for {cmd}: {r.stderr[-500:]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=5432)
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_floor needs valgrind (Debian: apt install valgrind)")

    portatlas = installed_portatlas()
    python = str(portatlas.parent / "python")
    tmp = Path(tempfile.mkdtemp(prefix="portatlas-floor-"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "PORTATLAS_CACHE_DIR": "/dev/null/x",
           "PORTATLAS_DATA_DIR": str(tmp / "data"), "PORTATLAS_FIREWALLD_DIRS": str(tmp / "no-firewalld")}
    ours = subprocess.run([python, "-c", COUNT_MODULES.format(port=args.port)], env=env,
                          capture_output=True, text=True, check=True).stdout.split()
    empty = tmp / "empty"
    (empty / "pkg").mkdir(parents=True)
    (empty / "pkg" / "__init__.py").write_text("")
    for i in range(len(ours)):
        (empty / "pkg" / f"m{i}.py").write_text("x = 1\n")
    # their .pyc files, as pip writes portatlas's at install (whatever PYTHONDONTWRITEBYTECODE says here)
    subprocess.run([python, "-m", "compileall", "-q", str(empty)], env=env, check=True)

    steps = [
        ("python -I -S -c pass (bare)", [python, "-I", "-S", "-c", "pass"], None),
        ("python -c pass (with site)", [python, "-c", "pass"], None),
        ("python -c 'import re' (the console script's first line)", [python, "-c", "import re"], None),
        (f"  + {len(ours)} empty modules (the import system alone)",
         [python, "-c", "import re, " + ",".join(f"pkg.m{i}" for i in range(len(ours)))], str(empty)),
        (f"  + portatlas's {len(ours)} modules, imported, nothing run",
         [python, "-c", "import re, " + ",".join(ours)], None),
        (f"portatlas {args.port} (no cache, no firewalld)", [python, str(portatlas), str(args.port)], None),
    ]
    counts = [(label, instructions(cmd, env, cwd)) for label, cmd, cwd in steps]
    bare = counts[0][1]
    rows = [("step", "instructions", "x bare")]
    rows += [(label, f"{n / 1e6:8.1f} M", f"{n / bare:5.2f}x") for label, n in counts]
    print("Instructions of one whole process (callgrind), portatlas from a wheel in a fresh venv")
    print(table(rows))
    floor = counts[2][1]
    print(f"3x bare is {3 * bare / 1e6:.1f} M instructions; the console script's first line leaves "
          f"{(3 * bare - floor) / 1e6:.1f} M of it, and importing {len(ours)} empty files takes "
          f"{(counts[3][1] - floor) / 1e6:.1f} M")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
