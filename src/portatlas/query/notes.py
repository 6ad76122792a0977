"""Which ports a registry note is about: a range row's note that names ports applies to those only.

The registry keeps a remark such as "Known Unauthorized Use on port 6003" on
the row 6000-6063 (x11); shown on every port of the row, it would claim
unauthorized use on 64 ports.
"""

from __future__ import annotations


def _numbers(text: str) -> list[tuple[int, int]]:
    """Every port number or 'A-B' range written in a note."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isdigit():
            j = i
            while j < n and text[j].isdigit():
                j += 1
            lo = hi = int(text[i:j])
            if j + 1 < n and text[j] == "-" and text[j + 1].isdigit():
                k = j + 1
                while k < n and text[k].isdigit():
                    k += 1
                hi = int(text[j + 1:k])
                j = k
            out.append((lo, hi))
            i = j
        else:
            i += 1
    return out


def applies(note: str, row_low: int | None, row_high: int | None, port: int | None) -> bool:
    """Whether a row's note concerns ``port``: a note naming ports inside its row applies to those only."""
    if port is None or row_low is None or row_high is None or row_low == row_high:
        return True
    inside = [(a, b) for a, b in _numbers(note) if a <= row_high and b >= row_low]
    return not inside or any(a <= port <= b for a, b in inside)
