"""Compile dated registry editions into the compact history shipped in the package.

The 382 editions IANA published from 2017 to 2026 are 1.4 GB of XML, but they
differ little from one edition to the next. The compact history keeps each
*distinct record version* once, with the runs of editions that show it, and
each edition's state counts (computed with the project's own index), so the
whole decade fits in well under a megabyte of xz and answers a port's history
without parsing anything.

Format (JSON, xz-compressed; ``FORMAT`` bumps on any change):

- ``editions``: the edition dates, oldest first;
- ``people``: distinct person versions ``[id, name, org, uri, updated]``;
- ``records``: distinct record versions ``[name, transport, low, high,
  description, [assignee person ids], [contact person ids], [[xref type, data,
  text, section], ...], registered, updated, note, unauthorized, service code]``
  where person ids index ``people``;
- ``spans``: per record version, the runs ``[first, last]`` (edition indices,
  inclusive) of editions that show it;
- ``counts``: per edition, 12 ``[assigned, reserved, unassigned]`` triples in
  the order of ``PortRange`` then ``TRANSPORTS``.

Build it with ``python tools/build_history.py ARCHIVE`` (the archive is a tar.xz of
``YYYY-MM-DD.xml`` editions); ``tests/registry/test_history_build.py`` rebuilds a
sample and compares. ``compile`` then turns it into the per-port file the package ships.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portatlas.registry.history.rows import PersonRow, Row, record_row

if TYPE_CHECKING:
    from concurrent.futures import Future

FORMAT = 1


def edition_of(data: bytes) -> tuple[str, list[Row], list[list[int]]]:
    """Parse one edition with the project's parser and index: its date, rows and state counts."""
    from portatlas import index
    from portatlas.query.stats import stats
    from portatlas.registry.parse import parse

    parsed = parse(data)
    st = stats(index.Index(index.compile_registry(parsed, source="<history>")))
    counts = [[c.assigned, c.reserved, c.unassigned] for c in st.counts]
    return parsed.edition, [record_row(r) for r in parsed.records], counts


def iter_archive(path: Path, only: Sequence[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(file date, XML bytes) of each ``YYYY-MM-DD.xml`` in a tar.xz, streamed, never unpacked to disk."""
    import tarfile

    wanted = set(only) if only is not None else None
    # tarfile's own 'r|xz' skips members through 10 KB reads that re-slice a buffer
    # of the decompressed stream (quadratic at this compression ratio): decompress
    # with lzma's buffered reader and let tarfile read a plain stream ('r|').
    with lzma.open(path) as xz, tarfile.open(fileobj=xz, mode="r|") as tf:
        for member in tf:
            name = member.name.rsplit("/", 1)[-1]
            if not member.isfile() or not name.endswith(".xml"):
                continue
            date = name[:-4]
            if wanted is not None and date not in wanted:
                continue
            f = tf.extractfile(member)
            if f is not None:
                yield date, f.read()


class Builder:
    """Collects editions (in any order) and compiles the compact history."""

    def __init__(self) -> None:
        self._editions: dict[str, tuple[list[Row], list[list[int]]]] = {}

    def add(self, date: str, rows: list[Row], counts: list[list[int]]) -> None:
        """Add one edition; a date seen twice is an error (two files claim one edition)."""
        if date in self._editions:
            raise ValueError(f"edition {date} appears twice in the input")
        self._editions[date] = (rows, counts)

    def result(self) -> dict[str, Any]:
        """The compact history as JSON-ready data."""
        dates = sorted(self._editions)
        people: dict[PersonRow, int] = {}
        versions: dict[Row, int] = {}
        spans: list[list[list[int]]] = []
        records: list[list[Any]] = []

        def pid(p: PersonRow) -> int:
            i = people.get(p)
            if i is None:
                i = people[p] = len(people)
            return i

        for e, date in enumerate(dates):
            # A row listed twice in one edition is one version present once.
            for row in dict.fromkeys(self._editions[date][0]):
                v = versions.get(row)
                if v is None:
                    v = versions[row] = len(records)
                    records.append([*row[:5], [pid(p) for p in row[5]], [pid(p) for p in row[6]],
                                    [list(x) for x in row[7]], *row[8:]])
                    spans.append([])
                runs = spans[v]
                if runs and runs[-1][1] == e - 1:
                    runs[-1][1] = e
                else:
                    runs.append([e, e])
        return {
            "format": FORMAT,
            "editions": dates,
            "people": [list(p) for p in people],
            "records": records,
            "spans": spans,
            "counts": [self._editions[d][1] for d in dates],
        }


def build(editions: Iterable[tuple[str, bytes]], workers: int = 1) -> dict[str, Any]:
    """Compile (date, XML bytes) pairs into the compact history, parsing in ``workers`` processes.

    The date each edition is filed under is the registry's own ``<updated>``;
    a file whose name disagrees with it is an error, since the timeline would lie.
    """
    builder = Builder()

    def take(name: str, result: tuple[str, list[Row], list[list[int]]]) -> None:
        edition, rows, counts = result
        if edition != name:
            raise ValueError(f"{name}.xml holds edition {edition}: the file name and <updated> disagree")
        builder.add(edition, rows, counts)

    if workers <= 1:
        for name, data in editions:
            take(name, edition_of(data))
        return builder.result()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: a child forked from a big process (a test run) pays
    # copy-on-write for every object the garbage collector walks.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: list[tuple[str, Future[tuple[str, list[Row], list[list[int]]]]]] = []
        for name, data in editions:
            pending.append((name, pool.submit(edition_of, data)))
            # Bounded: the archive is 1.4 GB unpacked, so never hold it all in memory.
            while len(pending) > 2 * workers:
                n, fut = pending.pop(0)
                take(n, fut.result())
        for n, fut in pending:
            take(n, fut.result())
    return builder.result()


def dumps(history: dict[str, Any]) -> bytes:
    """The compact history as xz-compressed JSON (deterministic for the same input)."""
    text = json.dumps(history, ensure_ascii=False, separators=(",", ":"))
    return lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)


def loads(blob: bytes) -> dict[str, Any]:
    """Read what ``dumps`` wrote."""
    data: dict[str, Any] = json.loads(lzma.decompress(blob))
    if data.get("format") != FORMAT:
        raise ValueError(f"history format {data.get('format')} is not {FORMAT}: rebuild it")
    return data


def canonical(history: dict[str, Any], dates: Iterable[str] | None = None) -> dict[Row, frozenset[str]]:
    """Each record version (as a ``Row``) and the editions showing it, restricted to ``dates``.

    Two histories built from the same editions have equal canonical forms
    whatever order their versions were numbered in; restricting the full
    history to a sample's dates must equal the history built from the sample.
    """
    keep = set(history["editions"]) if dates is None else set(dates)
    people = [tuple(p) for p in history["people"]]
    out: dict[Row, frozenset[str]] = {}
    for rec, runs in zip(history["records"], history["spans"]):
        shown = frozenset(history["editions"][e] for a, b in runs for e in range(a, b + 1)) & keep
        if shown:
            row = (*rec[:5], tuple(people[i] for i in rec[5]), tuple(people[i] for i in rec[6]),
                   tuple(tuple(x) for x in rec[7]), *rec[8:])
            out[row] = shown
    return out
