"""Docs that cannot drift: the README names every command, exit code and core setting."""

from __future__ import annotations

import re
from pathlib import Path

from portatlas.cli.main import COMMANDS, usage

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_names_every_command():
    for name in COMMANDS:
        assert re.search(rf"portatlas[^\n]*\b{re.escape(name)}\b", README), name


def test_usage_and_readme_list_the_same_exit_codes():
    readme_codes = set(re.findall(r"^\| (\d+) \|", README, re.M))
    usage_codes = set(re.findall(r"(\d+) [a-z]", usage().split("exit codes:")[1]))
    assert readme_codes >= {"0", "1", "2", "3", "4", "5", "6", "7", "130"}
    assert usage_codes == {"0", "1", "2", "3", "4", "5", "6", "7", "130"}


def test_readme_documents_every_environment_variable_the_core_reads():
    root = Path(__file__).resolve().parent.parent / "src" / "portatlas"
    names = set()
    for path in root.rglob("*.py"):
        names |= set(re.findall(r"\"(PORTATLAS_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    missing = sorted(n for n in names if n not in README)
    assert not missing, missing


def test_readme_lists_every_runtime_dependency():
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        name = re.split(r"[<>=\[ ]", dep)[0]
        assert name in README, name


def test_ci_runs_the_readme_commands_as_written():
    # .ci/run reads each command from the sh block after its marker; each must be there, one line.
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    for name in ("system packages", "install", "test"):
        m = re.search(rf"^<!-- ci: {name} -->\n```sh\n(.*?)```$", README, re.M | re.S)
        assert m, f"README.md lacks the '<!-- ci: {name} -->' block"
        assert m.group(1).count("\n") == 1, m.group(1)
        assert re.search(rf'^step "?{name}"?', ci, re.M), name
    test = re.search(r"<!-- ci: test -->\n```sh\n(.*?)\n```", README).group(1)  # type: ignore[union-attr]
    assert test.endswith(".venv/bin/python -m pytest")
