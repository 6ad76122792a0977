"""Exports of the edition in use read back by standard parsers: glibc's services(5) reader, json, csv."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from portatlas.model import TRANSPORTS, State

from ..conftest import run_cli


def getent_services(services: Path) -> list[list[str]]:
    """glibc's own reading of a services file: bind-mounted over /etc/services in a private mount namespace."""
    import os
    import shutil

    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("getent"):
        pytest.skip("reading the export back through glibc needs root, unshare(1) and getent(1)")
    script = f"mount --bind {services} /etc/services && getent services"
    r = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split() for line in r.stdout.splitlines() if line.strip()]


def test_services_export_reads_back_through_glibc(registry, oracle, tmp_path, store) -> None:
    out = tmp_path / "services"
    r = run_cli("export", "services", "-o", str(out))
    assert r.returncode == 0, r.stderr
    entries = getent_services(out)
    names: dict[tuple[int, str], set[str]] = {}
    for name, portproto, *aliases in entries:
        port, proto = portproto.split("/")
        names.setdefault((int(port), proto), set()).update([name, *aliases])
    # Every assigned (port, transport) of the edition is there ...
    assigned = {(p, t.value) for t in TRANSPORTS for p, s in enumerate(registry.index.states(t)) if s == 0}
    assert assigned == set(names)
    # ... and every service name with a port, under each port and transport it has (the independent reader's rows).
    for row in oracle.rows:
        if row.name and row.low is not None:
            for t in ([row.protocol] if row.protocol else [t.value for t in TRANSPORTS]):
                for p in range(row.low, row.high + 1):
                    assert row.name in names[(p, t)], (row.name, p, t)
    text = out.read_text()
    assert f"edition {registry.edition}" in text.splitlines()[1]


def test_services_range_options(registry, store, tmp_path) -> None:
    ranged = [r for r in registry.records() if r.state is State.ASSIGNED and r.low is not None and r.low != r.high]
    assert ranged
    x = ranged[0]
    t = x.transport.value if x.transport else "tcp"
    first = run_cli("export", "services", "--ranges", "first").stdout
    skip = run_cli("export", "services", "--ranges", "skip").stdout
    expand = run_cli("export", "services").stdout

    def has(text: str, port: int) -> bool:
        return any(line.split()[1] == f"{port}/{t}" and x.name in line.split("#")[0].split()
                   for line in text.splitlines() if line and not line.startswith("#"))

    assert has(expand, x.low) and has(expand, x.high)
    assert has(first, x.low) and not has(first, x.high)
    assert not has(skip, x.low) and "left out (--ranges skip)" in skip
    bad = run_cli("export", "json", "--ranges", "first")
    assert bad.returncode == 2 and "'export services' only" in bad.stderr


def test_json_and_csv_exports_hold_every_record(registry, store) -> None:
    records = list(registry.records())
    j = run_cli("export", "json")
    assert j.returncode == 0, j.stderr
    doc = json.loads(j.stdout)
    assert doc["edition"] == registry.edition and len(doc["records"]) == len(records)
    assert [(d["name"], d["transport"], d["number"]) for d in doc["records"]] == \
           [(r.name, r.transport.value if r.transport else None, r.number) for r in records]
    c = run_cli("export", "csv")
    rows = list(csv.DictReader(io.StringIO(c.stdout)))
    assert len(rows) == len(records)
    assert [(row["name"], row["number"], row["description"]) for row in rows] == \
           [(r.name or "", r.number, r.description) for r in records]
    multiline = next(r for r in records if "\n" in r.description or (r.note and "\n" in r.note))
    i = records.index(multiline)
    assert rows[i]["note"] == (multiline.note or "") and rows[i]["description"] == multiline.description


@pytest.mark.parametrize("args,code,phrase", [
    (["export"], 2, "needs FORMAT"),
    (["export", "yaml"], 2, "unknown export format 'yaml'"),
    (["export", "services", "-o", "/proc/nope/services"], 2, "cannot write"),
])
def test_export_bad_input(args, code, phrase, store) -> None:
    r = run_cli(*args)
    assert r.returncode == code and phrase in r.stderr and r.stderr.count("\n") == 1


def test_edition_command(store, registry) -> None:
    r = run_cli("edition")
    assert r.returncode == 0 and f"Edition in use: {registry.edition}" in r.stdout and "bundled" in r.stdout
    j = json.loads(run_cli("edition", "--json", "--list").stdout)
    assert j["in_use"]["origin"] == "bundled" and j["stored"] == []
    env = run_cli("edition", "--json", env={"PORTATLAS_REGISTRY": j["in_use"]["path"]})
    assert json.loads(env.stdout)["origin"] == "environment"


def test_edition_with_a_missing_registry_file_is_one_line(store, tmp_path) -> None:
    r = run_cli("edition", env={"PORTATLAS_REGISTRY": str(tmp_path / "gone.xml")})
    assert r.returncode == 4 and "PORTATLAS_REGISTRY" in r.stderr and r.stderr.count("\n") == 1


def test_output_through_a_link_writes_the_file_it_names_and_keeps_the_link(tmp_path, store) -> None:
    target = tmp_path / "services.real"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "services"
    link.symlink_to(target)
    r = run_cli("export", "services", "-o", str(link))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and link.resolve() == target
    assert "written by portatlas" in target.read_text()
    assert (target.stat().st_mode & 0o777) == 0o640  # the replaced file keeps its permission bits
    assert sorted(p.name for p in tmp_path.iterdir()) == ["services", "services.real"]  # no temporary left


def test_output_into_a_fifo_is_written_into_not_replaced(tmp_path, store) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    r = run_cli("export", "csv", "-o", str(fifo))
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert fifo.is_fifo() and got and got[0].startswith(b"name,transport,number")


def test_output_to_a_character_device_is_written_into_and_its_errors_reported(tmp_path, store) -> None:
    import os

    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full is Linux's")
    r = run_cli("export", "services", "-o", "/dev/full")
    assert r.returncode == 2 and "No space left on device" in r.stderr, r.stderr
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")  # still the device
    assert run_cli("export", "services", "-o", "/dev/null").returncode == 0
    assert not os.path.isfile("/dev/null")


@pytest.mark.parametrize("where, says", [
    ("missing/services", "the folder"),
    (".", "it is a folder"),
])
def test_output_that_cannot_be_a_file_is_refused(tmp_path, store, where, says) -> None:
    path = tmp_path / where
    r = run_cli("export", "services", "-o", str(path))
    assert r.returncode == 2 and says in r.stderr and "\n" not in r.stderr.strip(), r.stderr
    assert not (tmp_path / "missing").exists()  # a mistyped folder is not created


def test_output_to_a_block_device_is_refused_untouched(tmp_path, store) -> None:
    import os
    import stat

    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 250))  # a loop device number; never opened
    r = run_cli("export", "services", "-o", str(node))
    assert r.returncode == 2 and "it is a block device" in r.stderr, r.stderr
    assert stat.S_ISBLK(node.stat().st_mode)
