"""The library core type-checks strictly (mypy with disallow_untyped_defs on the core modules)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ["model.py", "errors.py", "index", "atlas.py", "source", "world",
        "query", "registry/parse.py"]
# The machine, advice and history parts are held to the same standard.
MACHINE = ["system", "cli/who.py", "cli/free.py", "cli/firewall.py", "cli/completion.py",
           "cli/completion_shells.py", "cli/complete_names.py", "cli/listening.py", "cli/ephemeral.py",
           "cli/render_machine.py"]
ADVICE = ["advice.py", "cli/advise.py", "cli/suggest.py", "cli/check_name.py",
          "cli/request.py", "cli/render_advice.py"]
HISTORY = ["registry/history", "store/editions.py", "export/files.py", "cli/history.py", "cli/diff.py", "cli/update.py",
           "cli/edition.py", "cli/export.py", "cli/render_history.py"]
# The site's URL, search-engine, static-file and compression modules, and the feedback schema.
SITE = ["web/urls.py", "web/seo.py", "web/assets.py", "web/compress.py", "web/contexts.py", "store/schema.py"]
# The command line's core and every other command.
COMMANDS = ["cli/args.py", "cli/output.py", "cli/jsontext.py", "cli/main.py", "cli/render.py", "cli/search.py",
            "cli/gaps.py", "cli/stats.py", "cli/export_site.py", "cli/serve.py"]
# The MCP face, where its optional SDK is installed (the test extra installs it).
MCP = ["mcp", "cli/mcp.py"] if importlib.util.find_spec("mcp") is not None else []


def test_core_and_its_parts_are_strictly_typed():
    # One mypy run over every strictly typed module: cheaper than one run per part.
    paths = [str(ROOT / "src" / "portatlas" / p) for p in CORE + MACHINE + ADVICE + HISTORY + SITE + COMMANDS + MCP]
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
