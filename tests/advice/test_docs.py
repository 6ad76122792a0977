"""The advice docs and boundaries cannot drift: README names every option and reason code; code stays
typed; query stays pure; the port answer stays light."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Should I use port N?")
    return text[start:text.index("\n## ", start + 1)]


def test_readme_names_every_option_setting_and_reason_code():
    sec = _section()
    for command, module in (("advise", "advise"), ("suggest", "suggest"), ("check-name", "check_name"),
                            ("request", "request")):
        assert f"portatlas {command}" in sec
        spec = importlib.import_module(f"portatlas.cli.{module}").SPEC
        for o in spec.opts:
            if o.hidden:
                continue
            for opt in o.flags:
                if opt.startswith("--"):
                    assert opt in sec, f"README's advice section does not mention {command} {opt}"
    assert "PORTATLAS_NMAP_SERVICES" in sec
    src = "".join((ROOT / f"src/portatlas/query/{m}.py").read_text() for m in ("advice", "machine_reasons", "use"))
    codes = set(re.findall(r'Level\.\w+, "([a-z]+\.[a-z-]+)"', src))
    assert len(codes) >= 20
    for code in codes:
        assert f"`{code}`" in sec, f"README does not list the reason code {code}"


def test_query_advice_imports_no_machine_face_or_database():
    code = ("import sys, portatlas.query.advice, portatlas.query.suggest; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('psutil', 'socket', 'argparse', 'fastapi') "
            "or m.startswith(('portatlas.cli', 'portatlas.web', 'portatlas.store', 'portatlas.system', "
            "'portatlas.advice'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_port_answer_reads_no_socket_table(tmp_path: Path):
    code = ("import sys, io; from portatlas.cli.main import main; sys.stdout = io.StringIO(); main(['8080']); "
            "out = sys.stdout.getvalue(); sys.stdout = sys.__stdout__; "
            "print('Should I use it?' in out, 'psutil' in sys.modules, 'portatlas.system.listeners' in sys.modules, "
            "'portatlas.query.suggest' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin", "PORTATLAS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["True", "False", "False", "False"], out.stderr
