"""schemathesis against a real `portatlas serve` process: the OpenAPI document's feedback and port
operations, every check on, bounded (examples per operation, and at most 3 minutes).

Server errors, malformed JSON, a missing Content-Type, a wrong ``Allow`` or a wrong answer to an
unsupported method fail the test now. The failures the OpenAPI document causes itself (issue 10,
defect 10: undocumented 400/415/503, free-string parameters, ``comment: null``) are listed in
``UNTIL_THE_SCHEMAS_ARE_REAL`` and reported, not failed; empty that set once the answer model
gives the schemas (issue 11), and extend ``OPERATIONS`` to every path.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.server, pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("schemathesis") is None,
                                 reason="schemathesis is not installed (pip install -e '.[test]' brings it)")]

OPERATIONS = r"^/api/(feedback|ports/)"  # the feedback endpoints, and the port answer's documented errors
MAX_EXAMPLES = 100  # per operation and phase
DEADLINE = 180  # seconds for the whole run
UNTIL_THE_SCHEMAS_ARE_REAL = {
    "ST103",  # undocumented status code: 400 and 415 of POST /api/feedback
    "ST108",  # response violates its schema: the 422s advertise FastAPI's {"detail": ...}
    "ST201",  # schema-violating request accepted: "comment": null
    "ST202",  # schema-valid request rejected: free strings where only a site page or a port is valid
}


def test_schemathesis_finds_no_fault_the_schemas_do_not_explain(serve, tmp_path, record_property) -> None:
    server = serve()
    report = tmp_path / "schemathesis.json"
    cmd = [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()", "run",
           f"{server.url}/api/openapi.json", "--include-path-regex", OPERATIONS,
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
    assert result["operations"]["tested"] >= 4 and cases >= 200, summary
    assert result["errors"] == [], run.stdout[-5000:]
    unexplained = set(found) - UNTIL_THE_SCHEMAS_ARE_REAL
    assert not unexplained, f"{summary}\n{run.stdout[-8000:]}"
