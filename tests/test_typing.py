"""The library core type-checks strictly (mypy with disallow_untyped_defs on the core modules)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ["model.py", "errors.py", "index.py", "atlas.py", "sources.py", "answer_cache.py", "machine_files.py", "query", "registry/parse.py"]


def test_core_is_typed():
    paths = [str(ROOT / "src" / "portatlas" / p) for p in CORE]
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--disallow-untyped-defs", *paths], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_query_imports_no_face_or_database():
    code = ("import sys, portatlas.query.lookup, portatlas.query.search, portatlas.query.blocks, "
            "portatlas.query.neighbours, portatlas.query.stats, portatlas.atlas; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('fastapi','starlette','uvicorn','jinja2','psycopg','sqlite3','argparse','psutil') "
            "or m.startswith(('portatlas.cli','portatlas.web','portatlas.store'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
