"""The history library stays free of faces (its strict typing is checked in tests/test_typing.py)."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import ROOT


def test_history_library_imports_no_face() -> None:
    # Every module of the history package (its __init__ alone imports nothing).
    code = ("import sys, pkgutil, importlib, portatlas.registry.history as h, portatlas.source.update, "
            "portatlas.export.files; "
            "[importlib.import_module(f'{h.__name__}.{m.name}') for m in pkgutil.iter_modules(h.__path__)]; "
            "assert len([m for m in sys.modules if m.startswith(h.__name__ + '.')]) >= 11; "
            "print([m for m in sys.modules if m.startswith(('portatlas.cli', 'portatlas.web', 'fastapi'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_update_settings_are_documented() -> None:
    from portatlas.source.fetch import SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## History and updates"):]
    for s in SETTINGS:
        assert f"`{s.env}`" in section and s.meaning in section, s.env


