"""schemathesis against a real `portatlas serve` process: every operation of the OpenAPI document, every
check on (the response schemas generated from the answer model among them), bounded (examples per
operation, and at most 3 minutes). Any failure fails the test: a server error, an undocumented status,
a response that breaks its schema, a schema-valid request refused or a schema-violating one accepted.

``schemathesis.toml`` beside this file holds the one exception, with its reason: the two rules of
/api/ports that JSON Schema cannot state.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("schemathesis") is None,
                                 reason="schemathesis is not installed (pip install -e '.[test]' brings it)")]

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = 300  # per operation and phase (about 2,400 cases, under a minute here)
DEADLINE = 180  # seconds for the whole run


def test_schemathesis_finds_no_fault_the_schemas_do_not_explain(serve, tmp_path, record_property) -> None:
    server = serve()
    report = tmp_path / "schemathesis.json"
    # One worker: CPython 3.11's ast.parse, which hypothesis calls to describe a strategy, is not safe
    # across threads ("AST constructor recursion depth mismatch").
    cmd = [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
           "--config-file", str(CONFIG), "run", f"{server.url}/api/openapi.json",
           "--checks", "all", "--continue-on-failure", "--max-examples", str(MAX_EXAMPLES),
           "--seed", "307", "--generation-database", "none", "--workers", "1", "--request-timeout", "30",
           "--no-color", "--report", "json", "--report-json-path", str(report),
           "--report-dir", str(tmp_path / "reports")]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=DEADLINE, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"schemathesis ran longer than {DEADLINE} s")
    assert report.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    result = json.loads(report.read_text())
    cases = result["test_cases"]["generated"]
    found = {f["code"]: f["count"] for f in result["failures"]}
    summary = (f"schemathesis: {result['operations']['tested']} operations, {cases} cases, "
               f"{sum(found.values())} failures {found or ''}, {len(result['errors'])} errors")
    print(summary)
    record_property("schemathesis", summary)
    import httpx

    documented = httpx.get(f"{server.url}/api/openapi.json", timeout=30).json()
    operations = sum(1 for item in documented["paths"].values() for m in item if m in ("get", "post"))
    assert result["operations"]["tested"] == operations >= 8 and cases >= 1000, summary
    assert result["errors"] == [], run.stdout[-5000:]
    assert found == {}, f"{summary}\n{run.stdout[-8000:]}"
