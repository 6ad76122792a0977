"""`portatlas export site` where writing fails or is cut short: one line, exit 2 (130 when interrupted),
and the same command run again afterwards finishes the export."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portatlas.export.site import MARKER

from ..conftest import run_cli

EXPORT = ("export", "site")
FEW = ("--ports", "300-302", "--no-progress")


def _portatlas(*args: str) -> list[str]:
    return [sys.executable, "-m", "portatlas", *args]


def _one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _finished(out: Path, ports: range) -> None:
    """A complete export: every asked port's page and document, and the marker without 'incomplete'."""
    assert sorted(int(p.name) for p in (out / "port").iterdir()) == list(ports)
    assert all((out / "api" / "ports" / f"{p}.json").stat().st_size > 100 for p in ports)
    assert "incomplete" not in (out / MARKER).read_text()


def _in_private_mount(mount_opts: str, target: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a mount namespace of its own with a tmpfs on ``target``; skips where that is
    not allowed (not root, or no unshare)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare(1) to mount a tmpfs in a private mount namespace")
    probe = subprocess.run(["unshare", "-m", "true"], check=False, capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m is refused here: {probe.stderr.strip()}")
    full = f'mount -t tmpfs -o {mount_opts} tmpfs "$DIR" || exit 99\n{script}'
    env = {**os.environ, "DIR": str(target), "PY": sys.executable}
    return subprocess.run(["unshare", "-m", "sh", "-c", full], check=False, capture_output=True, text=True,
                          env=env, timeout=300)


def test_an_unwritable_directory_is_one_line_and_exit_2_then_the_same_command_works(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    if os.geteuid() == 0:  # root writes through permission bits: make the file system read-only instead
        r = _in_private_mount("ro", out, '"$PY" -m portatlas export site "$DIR" --ports 300-302 --no-progress')
        assert r.returncode == 2, r.stderr
        assert "Read-only file system" in _one_line(r.stderr)
    else:
        out.chmod(0o555)
        try:
            r = run_cli(*EXPORT, str(out), *FEW)
        finally:
            out.chmod(0o755)
        assert r.returncode == 2, r.stderr
        assert "Permission denied" in _one_line(r.stderr)
    assert r.stderr.startswith(f"portatlas: cannot write the export into {out}: ")
    assert "run the same command again" in r.stderr
    again = run_cli(*EXPORT, str(out), *FEW)
    assert again.returncode == 0, again.stderr
    _finished(out, range(300, 303))


def test_a_file_size_limit_is_one_line_and_exit_2_then_the_same_command_works(tmp_path: Path) -> None:
    out = tmp_path / "site"

    def limit() -> None:  # in the child: no file may grow past 64 KiB (search.json is larger)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))

    proc = subprocess.run(_portatlas(*EXPORT, str(out), *FEW), check=False, capture_output=True, text=True,
                          preexec_fn=limit, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "File too large" in _one_line(proc.stderr)
    assert "incomplete" in (out / MARKER).read_text()
    # No file was left cut off at the limit (before, search.json was, silently, with exit 0).
    assert not (out / "search.json").exists()
    assert all(p.stat().st_size < 65536 for p in out.rglob("*") if p.is_file())
    again = run_cli(*EXPORT, str(out), *FEW)
    assert again.returncode == 0, again.stderr
    _finished(out, range(300, 303))
    assert (out / "search.json").stat().st_size > 65536


def test_a_full_disk_is_one_line_and_exit_2_then_the_same_command_works(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    script = ('"$PY" -m portatlas export site "$DIR" --ports 300-302 --no-progress 2>"$DIR.err"; echo "$?"\n'
              'mount -o remount,size=64m "$DIR"\n'  # room again: the same command finishes the export
              '"$PY" -m portatlas export site "$DIR" --ports 300-302 --no-progress >/dev/null; echo "$?"\n'
              'ls "$DIR/port"; cat "$DIR/.portatlas-export"')
    r = _in_private_mount("size=256k", out, script)
    first, second, *rest = r.stdout.split("\n")
    err = (tmp_path / "site.err").read_text()
    assert first == "2", err
    assert "No space left on device" in _one_line(err) and "run the same command again" in err
    assert second == "0", r.stderr
    assert rest[:3] == ["300", "301", "302"] and "incomplete" not in rest[3]


def _start(out: Path, ports: str) -> subprocess.Popen[str]:
    return subprocess.Popen(_portatlas(*EXPORT, str(out), "--ports", ports, "--jobs", "2", "--no-progress"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for_pages(out: Path, n: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not ((out / "port").is_dir() and len(os.listdir(out / "port")) >= n):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the export wrote nothing in 120 s"
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["ctrl-c", "kill -9"])
def test_an_interrupted_export_is_finished_by_the_same_command(tmp_path: Path, how: str) -> None:
    out, ports = tmp_path / "site", "0-599"
    proc = _start(out, ports)
    _wait_for_pages(out, 20, proc)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends: the parent and its workers
    else:
        proc.kill()  # nothing can print; the workers must not linger or print a trace
    _, err = proc.communicate(timeout=60)  # returns once every holder of the pipes (the workers) is gone
    if how == "ctrl-c":
        assert proc.returncode == 130 and _one_line(err) == "portatlas: interrupted\n"
    else:
        assert proc.returncode == -signal.SIGKILL and err == ""
    written = len(os.listdir(out / "port"))
    assert written < 600, "the export finished before it was interrupted"
    again = run_cli(*EXPORT, str(out), "--ports", ports, "--jobs", "2", "--no-progress", timeout=600)
    assert again.returncode == 0, again.stderr
    _finished(out, range(600))
