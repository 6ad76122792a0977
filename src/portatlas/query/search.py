"""Ranked search over both sources: the registry's rows and the programs of the common-use dataset.

Text is compared normalised ("SQL_Server", "sql-server" and "sql server" are
one query; no regular expressions), and a small table of synonyms
(``portatlas.query.synonyms``) says what "rdp" or "windows file sharing"
mean. Scores run from 0 to 100 and order the hits:

- 100: the query is a registry name or a program's name; 99.8 and down, what
  a synonym names (in the table's order); 99, a program's alias;
- 90-98: a name starts with the query; 80-90: the query is a word of a name
  or starts one; 72-78 inside a word; 70-76: every word of the query starts
  a word of the name;
- 60-78: the registry's description holds the query (or all its words);
- 30-48: a name is close to the query (rapidfuzz's edit-distance ratio, for
  typos such as "postgress");
- a registry row that has no port (a name-only row) is worth less than any
  row with one that matched the same way: 50-60 for a literal match, 10-20
  for a similar name.

Words such as "port", "server" or "default" around a name ("redis port")
are also tried without them. ``SearchIndex.find`` returns ``Found`` items:
a registry row grouped with its twins on other transports, or a program
with its entries; ``portatlas.answers.search`` makes them the answer.
"""

from __future__ import annotations

from heapq import heappop, heappush

from rapidfuzz import fuzz, process

from portatlas.model import PortRange, SearchHit, Transport
from portatlas.query.synonyms import Synonym, table
from portatlas.query.textfind import Match, Texts, normalise_all
from portatlas.value import Choice, value
from portatlas.world.commonuse import normalise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, ClassVar

    from portatlas.index import Index
    from portatlas.world.commonuse import Dataset

FUZZY_CUTOFF = 80.0
SYNONYM_SCORE = 99.8  # below a name that is the query, above an alias that is
FILLER = frozenset(("port", "ports", "server", "servers", "service", "protocol", "default", "the", "tcp", "udp",
                    "number", "what", "is", "which", "uses", "use", "for", "on", "of"))
_NAME_SCORES = {Match.WHOLE: (100.0, 0.0), Match.START_WORD: (92.0, 6.0), Match.START: (90.0, 6.0),
                Match.WORD: (84.0, 6.0), Match.WORD_START: (80.0, 6.0), Match.INSIDE: (72.0, 6.0)}
_DESC_SCORES = {Match.WHOLE: (78.0, 0.0), Match.START_WORD: (70.0, 8.0), Match.START: (66.0, 8.0),
                Match.WORD: (70.0, 8.0), Match.WORD_START: (66.0, 8.0), Match.INSIDE: (60.0, 6.0)}


class MatchKind(Choice, values=("exact", "synonym", "prefix", "word", "partial", "words", "description",
                                "similar")):
    """How a hit matched: its name or alias is the query, a synonym names it, its name starts with the
    query, holds it as a word, holds it inside a word, holds all its words, its description holds it,
    or its name is close to the query."""

    EXACT: ClassVar[MatchKind]
    SYNONYM: ClassVar[MatchKind]
    PREFIX: ClassVar[MatchKind]
    WORD: ClassVar[MatchKind]
    PARTIAL: ClassVar[MatchKind]
    WORDS: ClassVar[MatchKind]
    DESCRIPTION: ClassVar[MatchKind]
    SIMILAR: ClassVar[MatchKind]


_KIND = {Match.WHOLE: MatchKind.EXACT, Match.START_WORD: MatchKind.PREFIX, Match.START: MatchKind.PREFIX,
         Match.WORD: MatchKind.WORD, Match.WORD_START: MatchKind.WORD, Match.INSIDE: MatchKind.PARTIAL}


@value
class Found:
    """One ranked hit: ``program`` is None for a registry row (``ids`` its row ids, the row and its
    twins on other transports) and the software's name for a program (``ids`` its dataset entries);
    ``score`` 0-100, ``match`` how it matched, ``why`` in words."""

    program: str | None
    ids: tuple[int, ...]
    score: float
    match: MatchKind
    why: str


def _scored(base: tuple[float, float], q: str, text: str) -> float:
    top, extra = base
    return top + extra * len(q) / max(len(text), 1)


# Where a candidate was found: a registry name, a description, a program name or alias, a synonym.
_NAME, _DESC, _PROG, _SYN = range(4)
# The best score each later stage can give: a description (78), inside a word or every word (78), then a
# similar name (48).
_STAGE_TOPS = (78.0, 78.0, 48.0)


class _Candidates:
    """Texts that matched, each with its score: expanded into rows and programs only when ranked."""

    def __init__(self) -> None:
        # (-score, is a program, seq, where, text, kind, q): sorted as is, best first, registry rows
        # before programs on a tie (as the answer orders them).
        self.items: list[tuple[float, bool, int, int, int, MatchKind, str]] = []

    def add(self, score: float, where: int, t: int, kind: MatchKind, q: str) -> None:
        self.items.append((-score, where == _PROG or (where == _SYN and t < 0), len(self.items), where, t, kind, q))


class SearchIndex:
    """The registry's names and descriptions and the dataset's program names, normalised once."""

    def __init__(self, index: Index, dataset: Dataset | None = None) -> None:
        self.index = index
        by_name = index.names()  # lower-cased registry names to row ids
        keys: dict[str, tuple[int, ...]] = {}
        self.shown: dict[str, str] = {}  # a normalised name as the registry spells it (for 'did you mean')
        for raw, key in zip(by_name, normalise_all(list(by_name))):
            if key in keys:
                keys[key] = tuple(sorted(keys[key] + by_name[raw]))  # 'corel-vncadmin' and 'corel_vncadmin'
            else:
                keys[key] = by_name[raw]
                self.shown[key] = raw
        self.names = Texts(list(keys))
        self.name_rows = list(keys.values())
        self._name_id = {k: i for i, k in enumerate(keys)}
        _, descriptions = index.text()
        by_desc: dict[str, list[int]] = {}
        for i, d in enumerate(descriptions):
            got = by_desc.get(d)
            if got is None:
                by_desc[d] = [i]
            else:
                got.append(i)
        dkeys: dict[str, list[int]] = {}
        for raw, key in zip(by_desc, normalise_all(list(by_desc))):
            if key:
                dkeys.setdefault(key, []).extend(by_desc[raw])
        self.descriptions = Texts(list(dkeys))
        self.desc_rows = [tuple(v) for v in dkeys.values()]
        self.dataset = dataset
        self.programs = Texts(list(dataset.names()) if dataset is not None else [])
        self.program_of: list[tuple[str, ...]] = []
        self.entries: dict[str, list[int]] = {}
        self._key: dict[str, str] = {}  # each program's name, normalised
        if dataset is not None:
            for i in range(len(dataset)):
                self.entries.setdefault(dataset.software_of(i), []).append(i)
            self._key = dict(zip(self.entries, normalise_all(list(self.entries))))
            for ids in dataset.names().values():
                self.program_of.append(tuple(dict.fromkeys(dataset.software_of(i) for i in ids)))
        self._soft_list = list(self.entries)
        self._soft_id = {s: i for i, s in enumerate(self._soft_list)}
        # Every name for the typo-tolerant pass: registry names, then program names and aliases.
        self.all_names = self.names.texts + self.programs.texts
        self.synonyms = table()
        self._raw: dict[int, tuple[Any, ...]] = {}

    # -- finding --------------------------------------------------------------
    def find(self, query: str, transport: Transport | None = None, rng: PortRange | None = None,
             limit: int = 20, programs: bool = True) -> list[Found]:
        """The best ``limit`` hits for ``query`` on ``transport`` and in ``rng`` (None: any), best first;
        ``programs`` False leaves the dataset out.

        The cheap matches come first (synonyms, whole names and words of names); descriptions, then
        matches inside words, then the typo-tolerant pass, each run only while fewer than ``limit`` hits
        score what it could give.
        """
        q = normalise(query)
        if not q or limit < 1:
            return []
        c = _Candidates()
        core = " ".join(w for w in q.split() if w not in FILLER)
        queries = [(q, 0.0)] + ([(core, 2.0)] if core and core != q else [])
        for text, penalty in queries:
            self._words(text, penalty, c, programs)
        # After the literal matches, so that a name that is the query keeps "exact" on a tie.
        syn = self.synonyms.get(q) or (self.synonyms.get(core) if core else None)
        if syn is not None:
            self._synonym(q if q in self.synonyms else core, syn, c, programs)
        found = self._rank(c, transport, rng, limit)
        for top, stage in zip(_STAGE_TOPS, (self._described, self._inside, None)):
            if sum(f.score >= top for f in found) >= limit:
                break
            if stage is None:
                self._similar(q, c, programs)
            else:
                for text, penalty in queries:
                    stage(text, penalty, c, programs)
            found = self._rank(c, transport, rng, limit)
        return found

    def _synonym(self, phrase: str, syn: Synonym, c: _Candidates, programs: bool) -> None:
        n = 0
        for name in syn.names:
            t = self._name_id.get(normalise(name))
            if t is not None:
                c.add(SYNONYM_SCORE - 0.3 * n, _SYN, t, MatchKind.SYNONYM, phrase)
            n += 1
        if programs:
            for software in syn.software:
                if software in self._soft_id:
                    c.add(SYNONYM_SCORE - 0.3 * n, _SYN, -1 - self._soft_id[software], MatchKind.SYNONYM, phrase)
                n += 1

    def _words(self, q: str, penalty: float, c: _Candidates, programs: bool) -> None:
        """Whole names, and names where ``q`` starts a word."""
        sets = [(self.names, _NAME)] + ([(self.programs, _PROG)] if programs else [])
        for texts, where in sets:
            for t, m in texts.find(q, inside=False).items():
                c.add(_scored(_NAME_SCORES[m], q, texts.texts[t]) - penalty, where, t, _KIND[m], q)

    def _described(self, q: str, penalty: float, c: _Candidates, programs: bool) -> None:
        """Descriptions where ``q`` starts a word (whole words for two letters, none for one: such short
        words are in thousands of descriptions)."""
        if len(q) < 2:
            return
        for t, m in self.descriptions.find(q, inside=False, whole_words=len(q) <= 2).items():
            c.add(_scored(_DESC_SCORES[m], q, self.descriptions.texts[t]) - penalty, _DESC, t,
                  MatchKind.DESCRIPTION, q)

    def _inside(self, q: str, penalty: float, c: _Candidates, programs: bool) -> None:
        """``q`` inside a word, and every word of a query of several words in any order."""
        sets = [(self.names, _NAME, 3), (self.descriptions, _DESC, 4)] + \
            ([(self.programs, _PROG, 3)] if programs else [])
        for texts, where, shortest in sets:
            if len(q) >= shortest:
                for t, m in texts.find(q, inside=True).items():
                    if m == Match.INSIDE:
                        scores = _DESC_SCORES if where == _DESC else _NAME_SCORES
                        kind = MatchKind.DESCRIPTION if where == _DESC else MatchKind.PARTIAL
                        c.add(_scored(scores[m], q, texts.texts[t]) - penalty, where, t, kind, q)
        words = q.split()
        if len(words) > 1:
            for texts, where, _ in sets:
                for t in texts.having_all(words):
                    base = 62.0 if where == _DESC else 70.0
                    kind = MatchKind.DESCRIPTION if where == _DESC else MatchKind.WORDS
                    c.add(base + 6.0 * len(q) / max(len(texts.texts[t]), 1) - penalty, where, t, kind, q)

    def _similar(self, q: str, c: _Candidates, programs: bool) -> None:
        found = process.extract(q, self.all_names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=30)
        n = len(self.names)
        for text, ratio, t in found:
            if text != q and (t < n or programs):
                c.add(30.0 + (ratio - FUZZY_CUTOFF) * 0.9, _NAME if t < n else _PROG, t if t < n else t - n,
                      MatchKind.SIMILAR, q)

    # -- ranking --------------------------------------------------------------
    def _why(self, where: int, t: int, kind: MatchKind, q: str, program: str | None, row_name: str = "") -> str:
        if where == _SYN:
            return f'"{q}" is {self.synonyms[q].meaning}'
        if where == _DESC:
            text = self.descriptions.texts[t]
            return f'its description holds "{q}"' if q in text else f'its description has every word of "{q}"'
        text = (self.names if where == _NAME else self.programs).texts[t]
        if where == _NAME:
            what = f'the registry name "{row_name or self.shown[text]}"'
        else:
            what = "its name" if self._key.get(program or "") == text else f'its alias "{text}"'
        return {MatchKind.EXACT: what, MatchKind.SIMILAR: f'{what} is close to "{q}"',
                MatchKind.WORDS: f'{what} has every word of "{q}"'}.get(kind, f'{what} holds "{q}"')

    def _row(self, i: int) -> tuple[Any, ...]:
        raw = self._raw.get(i)
        if raw is None:
            r = self.index.raw(i)
            raw = self._raw[i] = (r[0], r[1], r[2], r[3], r[4])
        return raw

    def _rank(self, c: _Candidates, transport: Transport | None, rng: PortRange | None,
              limit: int) -> list[Found]:
        """The best ``limit`` groups, decoding only the rows that can still make the cut: a row's final
        score is at most its literal one, so once ``limit`` hits score at least the next candidate's
        literal score, nothing after it can enter."""
        items = sorted(c.items)
        out: dict[Any, list[Any]] = {}  # group key -> [score, order, program, ids, match, why]
        seen: set[Any] = set()
        pending: list[float] = []  # scores (negated: a max-heap) not yet above the candidates left
        sure = 0
        bounds = rng.bounds if rng is not None else None
        for neg, _, _, where, t, kind, q in items:
            top = -neg
            while pending and -pending[0] >= top:
                heappop(pending)
                sure += 1
            if sure >= limit:
                break
            if where == _PROG or (where == _SYN and t < 0):
                names = self.program_of[t] if where == _PROG else (self._soft_list[-1 - t],)
                for software in names:
                    if software in seen:
                        continue
                    seen.add(software)
                    ids = [i for i in self.entries.get(software, ()) if self._entry_keeps(i, transport, bounds)]
                    if not ids:
                        continue
                    s = top
                    if where == _PROG and kind is MatchKind.EXACT and self._key[software] != self.programs.texts[t]:
                        s -= 1.0  # an alias: the program of that name comes first ('prometheus')
                    out[("program", software)] = [round(s, 1), ids[0], software, ids, kind,
                                                  self._why(where, t, kind, q, software)]
                    heappush(pending, -s)
                continue
            rows = (self.desc_rows if where == _DESC else self.name_rows)[t]
            for i in rows:
                if i in seen:
                    continue
                seen.add(i)
                name, proto, low, high, desc = self._row(i)
                if not _keep(proto, low, high, transport, bounds):
                    continue
                group = (name, low, high) if name else (None, low, high, desc)
                if group in out:
                    out[group][3].append(i)
                    continue
                s = top
                if low is None:  # a name-only row: below every row with a port that matched alike
                    s = 50.0 + (s - 60.0) / 4.0 if kind is not MatchKind.SIMILAR else 10.0 + (s - 30.0) / 1.8
                out[group] = [round(s, 1), i, None, [i], kind, self._why(where, t, kind, q, None, name or "")]
                heappush(pending, -s)
        ranked = sorted(out.values(), key=lambda g: (-g[0], g[2] is not None, g[1]))[:limit]
        return [Found(g[2], tuple(g[3]), g[0], g[4], g[5]) for g in ranked]

    def _entry_keeps(self, i: int, transport: Transport | None, bounds: tuple[int, int] | None) -> bool:
        if transport is None and bounds is None:
            return True
        assert self.dataset is not None
        u = self.dataset.entry(i)
        if transport is not None and transport not in u.transports:
            return False
        return bounds is None or not (u.high < bounds[0] or u.low > bounds[1])

    # -- the registry alone, as before --------------------------------------------
    def search(self, query: str, transport: Transport | None = None, rng: PortRange | None = None,
               limit: int = 20) -> list[SearchHit]:
        """Registry rows matching ``query``, best first (one per transport), at most ``limit``."""
        out = []
        for f in self.find(query, transport, rng, limit, programs=False):
            matched = _OLD.get(f.match, "name")
            out += [SearchHit(self.index.record(i), f.score, matched) for i in f.ids]
        return out[:limit]


_OLD = {MatchKind.DESCRIPTION: "description", MatchKind.SIMILAR: "similar name", MatchKind.SYNONYM: "synonym"}


def _keep(transport: str | None, low: int | None, high: int | None, want: Transport | None,
          bounds: tuple[int, int] | None) -> bool:
    if want is not None and transport not in (want, None):
        return False
    if bounds is not None:
        if low is None or high is None:
            return False
        if high < bounds[0] or low > bounds[1]:
            return False
    return True


def suggest_names(search: SearchIndex, name: str, limit: int = 5, *, registry_only: bool = False) -> Sequence[str]:
    """Registry names and program names or aliases close to ``name``, for 'did you mean'.

    ``registry_only``: registry names alone, for a question only the registry answers (a service's
    page or history), where offering a program's name, or the name asked, would lead nowhere.
    """
    q = normalise(name)
    if not q:
        return []
    n = len(search.names)
    pool = search.all_names[:n] if registry_only else search.all_names
    found = process.extract(q, pool, scorer=fuzz.ratio, score_cutoff=70.0, limit=limit * 2 + 1)
    out: dict[str, str] = {}  # one suggestion per spelling, whatever its letter case
    for text, _, t in found:
        shown = search.shown[text] if t < n else _spelled(search, text)
        if registry_only and shown.lower() == name.strip().lower():
            continue
        out.setdefault(shown.lower(), shown)
    return list(out.values())[:limit]


def _spelled(search: SearchIndex, key: str) -> str:
    """A program's name or alias as the dataset writes it ('Minecraft: Java Edition server', 'garry's mod')."""
    ds = search.dataset
    assert ds is not None
    for i in ds.names().get(key, ()):
        u = ds.entry(i)
        for spelled in (u.software, *u.aliases):
            if normalise(spelled) == key:
                return spelled
    return key
