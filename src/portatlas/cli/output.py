"""How the command line writes: text that fits the terminal, the same styling on every command, JSON.

On a terminal, lines are wrapped at word boundaries to its width with
hanging indents, headings are bold and states and verdicts coloured
(``NO_COLOR``, ``--no-color`` and ``TERM=dumb`` turn styling off). Piped,
output is plain and every record stays on one line, for grep and awk.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

_COLOURS = {
    "assigned": "32", "good": "32", "reserved": "33", "caution": "33", "avoid": "31", "dynamic": "36",
    "unassigned": "2", "info": "2", "zero": "33", "deassigned": "35",
}


class Out:
    """Where one command writes, and how: ``width`` is None when piped (no wrapping), ``styled`` when
    bold and colour are on."""

    def __init__(self, *, no_color: bool = False, stream: Any = None) -> None:
        self.stream = stream or sys.stdout
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.styled = tty and not no_color and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        self.width: int | None = None
        if tty:
            try:
                self.width = max(40, os.get_terminal_size(self.stream.fileno()).columns)
            except (OSError, ValueError, AttributeError):
                self.width = 80
        self.lines: list[str] = []

    def bold(self, text: str) -> str:
        """Bold on a styled terminal."""
        return f"\033[1m{text}\033[0m" if self.styled else text

    def tint(self, word: str, text: str | None = None) -> str:
        """``text`` (default ``word``) in the colour of a state or verdict word."""
        shown = word if text is None else text
        code = _COLOURS.get(word)
        return f"\033[{code}m{shown}\033[0m" if self.styled and code else shown

    def heading(self, text: str) -> None:
        """A blank line and a bold heading."""
        self.lines += ["", self.bold(text)]

    def line(self, text: str = "", indent: int = 0, hang: int = 4) -> None:
        """A line, wrapped on a terminal at word boundaries with continuation lines indented by ``hang``
        (at most half the width: a deep hang on a narrow terminal would leave no room for words)."""
        pad = " " * indent
        if self.width is None or _visible(pad + text) <= self.width:
            self.lines.append(pad + text)
            return
        if indent > self.width // 2:
            pad = " " * (self.width // 4)
        self.lines += wrap(text, self.width, pad, pad + " " * self.room(hang, 4))

    def room(self, col: int, fallback: int = 4) -> int:
        """``col`` as an indent, or ``fallback`` where it would take more than half the terminal's width."""
        return col if self.width is None or col <= self.width // 2 else fallback

    def table(self, rows: Iterable[tuple[str, ...]], indent: int = 2) -> None:
        """Rows of columns, each column as wide as its widest cell but the last, which wraps."""
        rows = list(rows)
        if not rows:
            return
        n = max(len(r) for r in rows)
        widths = [max((_visible(r[i]) for r in rows if i < len(r)), default=0) for i in range(n - 1)]
        if self.width is not None and n > 1 and indent + sum(widths) + 2 * (n - 1) > self.width // 2:
            # The leading columns would leave the last too little room (a long command on a narrow
            # terminal): each row as its leading cells, then the last on its own lines beneath.
            for r in rows:
                self.line("  ".join(r[:-1]), indent, hang=2)  # a command's own continuation, 2 in
                self.line(r[-1], indent + 6, hang=0)  # what it does, further in: never taken for it
            return
        for r in rows:
            cells = [c + " " * (widths[i] - _visible(c)) for i, c in enumerate(r[:-1])]
            lead = "  ".join(cells)
            text = ((lead + "  " if cells else "") + r[-1]).rstrip()
            self.line(text, indent, hang=_visible(lead) + 2 if cells else 4)

    def write(self) -> None:
        """Write everything collected, ending with one newline."""
        text = "\n".join(self.lines).strip("\n")
        self.stream.write(text + "\n")


def _visible(text: str) -> int:
    """Printed width: escape sequences take no room."""
    if "\033" not in text:
        return len(text)
    n, i = 0, 0
    while i < len(text):
        if text[i] == "\033":
            j = text.find("m", i)
            i = j + 1 if j != -1 else len(text)
        else:
            n += 1
            i += 1
    return n


def wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Words filled into lines of at most ``width`` (a word longer than a line is left whole).

    Runs of spaces inside a line (a table's padding) are kept; at a break they go.
    """
    out: list[str] = []
    line, size = first, _visible(first)
    empty = True
    pending = 0  # spaces before the next word
    for i, word in enumerate(text.split(" ")):
        if i:
            pending += 1
        if not word:
            continue
        w = _visible(word)
        if empty:
            line, size = line + word, size + w
        elif size + pending + w > width:
            out.append(line)
            line, size = rest + word, _visible(rest) + w
        else:
            line, size = line + " " * pending + word, size + pending + w
        empty, pending = False, 0
    out.append(line)
    return out


def printable(text: str) -> str:
    """Text another program chose (a process's name or command line, a user name) made safe to print:
    control characters (a newline, a terminal escape) written as Python escapes (``\\n``, ``\\x1b``).

    Printed raw, such text could break a line meant for grep or drive the reader's terminal.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def cites(ns: Iterable[int]) -> str:
    """' [1, 3]': a statement's source numbers, as the Sources list at the end numbers them."""
    ns = list(ns)
    return f" [{', '.join(str(n) for n in ns)}]" if ns else ""


def emit_json(value: Any, stream: Any = None) -> None:
    """Print a value (or plain data holding them) as indented JSON: the API's document for the same question.

    The text is ``json.dumps(portatlas.value.to_data(value), indent=2, ensure_ascii=False)``,
    written by ``portatlas.cli.jsontext`` without the json package (ten times faster for large answers).
    """
    from portatlas.cli.jsontext import dumps

    out = stream or sys.stdout
    out.write(dumps(value))
    out.write("\n")  # not text + "\n": that would copy a large answer once more


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 port', '2 ports', '1,024 ports' ('1 entry', '3 entries' with ``many``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def this_os() -> str:
    """'linux', 'macos' or 'windows' (others read as linux): whose commands come first."""
    if sys.platform == "darwin":
        return "macos"
    if sys.platform.startswith(("win", "cygwin")):
        return "windows"
    return "linux"
