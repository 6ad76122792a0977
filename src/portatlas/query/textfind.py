"""Many short texts, normalised once and searched at C speed.

Search compares text the way ``portatlas.world.commonuse.normalise`` writes
it (lower case, every run of punctuation and space one space). ``Texts``
keeps the texts in one string, each between NUL characters, so finding the
query in 7,000 descriptions is a few ``str.find`` calls rather than a loop
in Python, and where an occurrence falls says how it matched: right after a
NUL is the start of a text, right after a space the start of a word.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from portatlas.world.commonuse import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# Bytes of ASCII punctuation become spaces; letters, digits, NUL and non-ASCII bytes stay.
_ASCII = bytes(b if chr(b).isalnum() or b == 0 or b >= 128 else 32 for b in range(256))


def normalise_all(texts: Sequence[str]) -> list[str]:
    """``normalise`` of every text, in bulk: one translation of their bytes and a few replacements,
    Python only for the few texts that are not ASCII (the registry's 7,000 descriptions in a few ms)."""
    blob = "\x00".join(texts).lower().encode("utf-8", "replace").translate(_ASCII)
    while b"  " in blob:
        blob = blob.replace(b"  ", b" ")
    blob = blob.replace(b" \x00", b"\x00").replace(b"\x00 ", b"\x00").strip(b" ")
    parts = blob.decode("utf-8").split("\x00")
    if len(parts) != len(texts):  # a text held a NUL of its own: do it the slow way
        return [normalise(t) for t in texts]
    if blob.isascii():
        return parts
    return [p if p.isascii() else normalise(p) for p in parts]


class Match:
    """How a query occurs in a text, best first: the whole text, its start, a whole word, a word's
    start, or inside a word."""

    WHOLE, START_WORD, START, WORD, WORD_START, INSIDE = range(6)


class Texts:
    """Normalised texts, each findable by where the query occurs in it."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.blob = "\x00" + "\x00".join(self.texts) + "\x00"
        # Text i starts after i + 1 NULs and the texts before it (computed without a Python loop).
        self.starts = list(accumulate(map((1).__add__, map(len, self.texts)), initial=1))[:-1]

    def __len__(self) -> int:
        return len(self.texts)

    def find(self, q: str, inside: bool = True, whole_words: bool = False) -> dict[int, int]:
        """Text id to the best ``Match`` of ``q`` in it. ``inside`` False finds only texts where ``q``
        starts a word, and ``whole_words`` only those where it is whole words (cheaper for short
        queries, which occur inside thousands of words)."""
        found: dict[int, int] = {}
        starts, blob, n = self.starts, self.blob, len(q)
        if whole_words:
            needles = tuple(a + q + b for a in "\x00 " for b in "\x00 ")
        elif not inside:
            needles = ("\x00" + q, " " + q)
        else:
            needles = (q,)
        shift = 0 if inside and not whole_words else 1
        find = blob.find
        for needle in needles:
            pos = find(needle)
            while pos != -1:
                at = pos + shift
                pos = find(needle, pos + 1)
                i = bisect_right(starts, at) - 1
                before, after = blob[at - 1], blob[at + n]
                if before == "\x00":
                    kind = Match.WHOLE if after == "\x00" else Match.START_WORD if after == " " else Match.START
                elif before == " ":
                    kind = Match.WORD if after in " \x00" else Match.WORD_START
                else:
                    kind = Match.INSIDE
                best = found.get(i)
                if best is None or kind < best:
                    found[i] = kind
        return found

    def having_all(self, words: Sequence[str]) -> list[int]:
        """Ids of the texts that have every one of ``words`` at the start of a word, in any order."""
        # Walk the occurrences of the rarest word (counted in C where the texts are many; else the longest
        # word), and check the others in those texts.
        rarest = min(words, key=lambda w: self.blob.count(" " + w)) if len(self.blob) > 50_000 else \
            max(words, key=len)
        out = []
        for i in self.find(rarest, inside=False):
            t = " " + self.texts[i]
            if all(" " + w in t for w in words):
                out.append(i)
        return out
