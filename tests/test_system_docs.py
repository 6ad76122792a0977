"""The machine's docs and boundaries cannot drift: README names every option, code stays typed and light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## This machine")
    return text[start:text.index("\n## ", start + 1)]


def test_readme_names_every_option_and_setting():
    import importlib

    sec = _section()
    for command in ("who", "listening", "ephemeral"):
        spec = importlib.import_module(f"portatlas.cli.{command}").SPEC
        assert f"portatlas {command}" in sec
        for o in spec.opts:
            for opt in o.flags:
                if opt.startswith("--") and not o.hidden:
                    assert opt in sec, f"README's machine section does not mention {command} {opt}"
    for flag in ("other-service", "ephemeral", "unassigned-system", "reserved"):
        assert f"`{flag}`" in sec
    assert "PORTATLAS_LISTENER_PROBE" in sec and "--local" in sec
    from portatlas.system.annotate import flags_for  # noqa: F401  the codes above are the ones it raises
    src = (ROOT / "src/portatlas/system/flags.py").read_text()  # the rules annotate's Flag values come from
    for flag in ("other-service", "ephemeral", "unassigned-system", "reserved"):
        assert f'("{flag}", ' in src


def test_port_answer_and_procfs_probe_load_no_psutil(tmp_path: Path):
    code = ("import sys, io; from portatlas.cli.main import main; sys.stdout = io.StringIO(); "
            "main(['5432']); main(['listening', '--json']); main(['who', '5432']); "
            "sys.stdout = sys.__stdout__; print('psutil' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin",
           "PORTATLAS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    expected = "False" if sys.platform.startswith("linux") else "True"
    assert out.stdout.strip() == expected, out.stderr
