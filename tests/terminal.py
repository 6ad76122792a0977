"""Run the real entry point on a real pseudo-terminal of a given size, as a person's terminal runs it."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import tempfile
import termios

ESCAPE = "\x1b["


def strip_styles(text: str) -> str:
    """Text without SGR escape sequences (bold, colours)."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(ESCAPE, i):
            end = text.find("m", i)
            i = end + 1 if end != -1 else len(text)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def on_pty(*args: str, columns: int = 80, env: dict[str, str] | None = None,
           timeout: float = 120) -> tuple[int, str, str]:
    """(exit code, what the terminal showed, stderr) of `python -m portatlas ARGS` with stdout on a pty
    whose window is ``columns`` wide; COLUMNS, LINES and NO_COLOR are unset unless ``env`` sets them."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full["TERM"] = "xterm-256color"
    full.update(env or {})
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "portatlas", *args], stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=err, env=full)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        code = proc.wait(timeout)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n"), stderr


def too_wide(text: str, columns: int) -> list[str]:
    """Lines wider than ``columns`` that could have been wrapped: a line holding one word longer than the
    terminal (a URL) cannot be, and is left out."""
    bad = []
    for line in strip_styles(text).splitlines():
        if len(line) > columns and len(line.split()) > 1:
            bad.append(line)
    return bad
