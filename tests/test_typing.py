"""The whole package type-checks with ``mypy --strict`` (pyproject's [tool.mypy] sets ``strict = true``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_is_strictly_typed():
    # One run over src/portatlas (the config's `files`), the MCP face included: the test extra installs its SDK.
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
                           str(ROOT / "src" / "portatlas")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_query_imports_no_face_or_database():
    code = ("import sys, portatlas.query.lookup, portatlas.query.search, portatlas.query.blocks, "
            "portatlas.query.neighbours, portatlas.query.stats, portatlas.atlas; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('fastapi','starlette','uvicorn','jinja2','psycopg','sqlite3','argparse','psutil') "
            "or m.startswith(('portatlas.cli','portatlas.web','portatlas.store'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
