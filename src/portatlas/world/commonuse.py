"""What commonly runs on ports beyond the registry: the project's own dataset, shipped in the package.

The facts live in ``data/common-use/*.toml`` (one file per field, our own
words, each with its source and the date checked; CC0). They are compiled
once into a small marshal file: at build time into ``data/compiled/``, else
into the cache directory, else in memory. The compiled form keeps each entry
as marshalled bytes, decoded when asked for: loading it makes a handful of
objects (the index by port, the software names), so answering a port costs
well under a millisecond of it and never parses TOML.

>>> from portatlas.world.commonuse import dataset
>>> [u.software for u in dataset().at(25565)]
['Minecraft: Java Edition server', 'Minecraft: Java Edition server']
"""

from __future__ import annotations

import marshal
import os

from portatlas.model import Transport, span_text
from portatlas.source.files import read_marshal, write_whole
from portatlas.value import Choice, value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Iterator
    from typing import Any, ClassVar

FORMAT = 2  # 2: entries packed as bytes, decoded on demand
DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "common-use")
SHIPPED = os.path.join(os.path.dirname(DATA_DIR), "compiled", "common-use.marshal")
LICENCE = "CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)"


class Use(Choice, values=("default", "configured", "os", "malware")):
    """How the software uses the port: its out-of-the-box default, a commonly configured port,
    an operating-system service that claims it, or known malicious software."""

    DEFAULT: ClassVar[Use]
    CONFIGURED: ClassVar[Use]
    OS: ClassVar[Use]
    MALWARE: ClassVar[Use]

    @property
    def phrase(self) -> str:
        """'its default port', 'a port it is commonly set to', ..."""
        return _PHRASES[self]


_PHRASES = {
    "default": "its default port",
    "configured": "a port it is commonly set to",
    "os": "claimed by the operating system",
    "malware": "known malicious software",
}


@value
class CommonUse:
    """One fact of the dataset: a program (or system) and what it uses a port or range for.

    ``low``-``high`` is the port or range; ``field`` the dataset file it is
    kept in (dev, databases, games, os-macos, ...); ``source`` the page that
    states it (the software's documentation, an RFC or the vendor), read on
    ``checked``.
    """

    __json_extra__: ClassVar[tuple[str, ...]] = ("number",)

    software: str
    low: int
    high: int
    transports: tuple[Transport, ...]
    use: Use
    summary: str
    field: str
    source: str
    source_title: str
    checked: str
    aliases: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        """The port or range as written ('25565', '6000-6063')."""
        return span_text(self.low, self.high)

    def covers(self, port: int, transport: Transport | str | None = None) -> bool:
        """Whether the entry is about ``port`` (on ``transport``, when given)."""
        return self.low <= port <= self.high and (transport is None or transport in self.transports)


def normalise(text: str) -> str:
    """A name as search and lookup compare it: lower case, punctuation as spaces ('SQL-Server' → 'sql server')."""
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else " ")
    return " ".join("".join(out).split())


class Dataset:
    """The compiled dataset: entries by port, range entries, and names (software and aliases).

    Made from ``pack(compile_dir())``: entries stay marshalled bytes until one is asked for.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self._blob: bytes = data["rows"]
        self._offsets: tuple[int, ...] = data["offsets"]
        self._software: tuple[str, ...] = data["software"]
        self._made: list[CommonUse | None] = [None] * len(self._software)
        self._ports: dict[int, tuple[int, ...]] = data["ports"]
        self._ranges: tuple[tuple[int, int, int], ...] = data["ranges"]
        self._names_blob: bytes = data["names"]
        self._names: dict[str, tuple[int, ...]] | None = None
        self._normal: tuple[str, ...] | None = None  # each entry's software name, normalised (first prefix query)
        self.source = data.get("source", "")

    def __len__(self) -> int:
        return len(self._software)

    def __repr__(self) -> str:
        return f"<common-use dataset: {len(self)} entries>"

    def _row(self, i: int) -> tuple[Any, ...]:
        row: tuple[Any, ...] = marshal.loads(self._blob[self._offsets[i]:self._offsets[i + 1]])
        return row

    def entry(self, i: int) -> CommonUse:
        """Entry ``i``, made into a value once."""
        made = self._made[i]
        if made is None:
            (software, low, high, ts, use, summary, field, source, title, checked, aliases, platforms) = self._row(i)
            made = self._made[i] = CommonUse(
                software, low, high, tuple(Transport(t) for t in ts), Use(use), summary, field, source, title,
                checked, tuple(aliases), tuple(platforms))
        return made

    def entries(self) -> Iterator[CommonUse]:
        """Every entry, in dataset order."""
        return (self.entry(i) for i in range(len(self)))

    def at(self, port: int, transport: Transport | str | None = None) -> tuple[CommonUse, ...]:
        """Entries about ``port`` (a single-port entry or a range holding it), dataset order."""
        ids = set(self._ports.get(port, ()))
        ids.update(i for lo, hi, i in self._ranges if lo <= port <= hi)
        found = (self.entry(i) for i in sorted(ids))
        return tuple(u for u in found if transport is None or transport in u.transports)

    def software(self, name: str) -> tuple[CommonUse, ...]:
        """Every entry of the software ``name`` names: its name or an alias, or the first words of its name
        ('minecraft' finds 'Minecraft: Java Edition server'); () when none."""
        q = normalise(name)
        if not q:
            return ()
        if self._normal is None:
            self._normal = tuple(normalise(s) for s in self._software)
        prefix = q + " "
        ids = {*self.names().get(q, ()), *(i for i, s in enumerate(self._normal) if s.startswith(prefix))}
        return self.of_software({self._software[i] for i in ids})

    def of_software(self, software: Collection[str]) -> tuple[CommonUse, ...]:
        """Every entry of these programs (exact names), in dataset order."""
        # A name asks for the software, so every port of that software is the answer.
        return tuple(self.entry(i) for i, s in enumerate(self._software) if s in software)

    def software_of(self, i: int) -> str:
        """The software name of entry ``i`` (without decoding the entry)."""
        return self._software[i]

    def names(self) -> dict[str, tuple[int, ...]]:
        """Normalised software names and aliases, to entry ids (for search)."""
        if self._names is None:
            self._names = marshal.loads(self._names_blob)
        return self._names


# -- compiling ------------------------------------------------------------------

def compile_dir(directory: str = DATA_DIR) -> dict[str, Any]:
    """Read and check every TOML file of the dataset; ValueError listing the problems when any."""
    import tomllib

    from portatlas.world.commonuse_check import check_entries

    rows: list[tuple[Any, ...]] = []
    problems: list[str] = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".toml"):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            problems.append(f"{name}: not a readable TOML file ({err})")
            continue
        field = name[:-5]
        entries = doc.get("entry", [])
        problems += check_entries(name, doc)
        for e in entries if isinstance(entries, list) else []:
            lo, hi = _span(e.get("port"))
            rows.append((e.get("software", ""), lo, hi, tuple(e.get("transport", ())), e.get("use", ""),
                         e.get("summary", ""), field, e.get("source", ""), e.get("source_title", ""),
                         str(e.get("checked", "")), tuple(e.get("aliases", ())), tuple(e.get("platforms", ()))))
    problems += _duplicates(rows)
    if problems:
        raise ValueError("the common-use dataset has problems:\n" + "\n".join(problems))
    ports: dict[int, list[int]] = {}
    ranges: list[tuple[int, int, int]] = []
    names: dict[str, list[int]] = {}
    for i, (software, lo, hi, *_rest) in enumerate(rows):
        if lo == hi:
            ports.setdefault(lo, []).append(i)
        else:
            ranges.append((lo, hi, i))
        for key in {normalise(software), *(normalise(a) for a in rows[i][10])}:
            names.setdefault(key, []).append(i)
    return {"rows": rows, "ports": {p: tuple(v) for p, v in ports.items()},
            "ranges": ranges, "names": {k: tuple(v) for k, v in names.items()}}


def pack(data: dict[str, Any]) -> dict[str, Any]:
    """The compiled form a ``Dataset`` reads: ``compile_dir``'s rows as marshalled bytes with their offsets,
    the names table as bytes, the index by port and the ranges as they are."""
    rows = data["rows"]
    parts = [marshal.dumps(r) for r in rows]
    offsets = [0]
    for b in parts:
        offsets.append(offsets[-1] + len(b))
    return {"format": FORMAT, "rows": b"".join(parts), "offsets": tuple(offsets),
            "software": tuple(r[0] for r in rows), "ports": data["ports"], "ranges": tuple(data["ranges"]),
            "names": marshal.dumps(data["names"])}


def _span(port: object) -> tuple[int, int]:
    if isinstance(port, int) and not isinstance(port, bool):
        return port, port
    lo, _, hi = str(port).partition("-")
    return (int(lo), int(hi)) if lo.isdigit() and hi.isdigit() else (-1, -1)


def _duplicates(rows: list[tuple[Any, ...]]) -> list[str]:
    seen: dict[tuple[Any, ...], str] = {}
    out = []
    for r in rows:
        for t in r[3]:
            key = (r[1], r[2], t, normalise(r[0]))
            where = f"{r[6]}.toml {r[0]} {r[1]}-{r[2]}/{t}"
            if key in seen:
                out.append(f"duplicate: {where} is also in {seen[key]}")
            seen[key] = where
    return out


def _sources_stamp(directory: str) -> str:
    """Changes whenever a TOML file of the dataset does (count, sizes and modification times; no hashing
    module to import)."""
    n = size = mtime = 0
    for name in os.listdir(directory):
        if name.endswith(".toml"):
            st = os.stat(os.path.join(directory, name))
            n, size, mtime = n + 1, size + st.st_size, mtime + st.st_mtime_ns
    return f"{n}-{size:x}-{mtime:x}"


def write(package_dir: str) -> list[str]:
    """Compile the dataset under ``package_dir`` into its ``data/compiled`` folder (the build step)."""
    data = compile_dir(os.path.join(package_dir, "data", "common-use"))
    target = os.path.join(package_dir, "data", "compiled", "common-use.marshal")
    write_whole(target, marshal.dumps(pack(data)))
    return [target]


_DATASET: Dataset | None = None


def dataset() -> Dataset:
    """The shipped dataset, loaded once per process."""
    global _DATASET
    if _DATASET is None:
        _DATASET = Dataset(_load())
    return _DATASET


def _load() -> dict[str, Any]:
    data = _read(SHIPPED)
    if data is not None:
        return data
    # An editable or source checkout has no compiled file: compile once into the cache directory.
    from portatlas.source.files import write_cache
    from portatlas.source.paths import cache_dir_str

    cache = os.path.join(cache_dir_str(), f"common-use-v{FORMAT}-{_sources_stamp(DATA_DIR)}.marshal")
    data = _read(cache)
    if data is not None:
        return data
    data = pack(compile_dir(DATA_DIR))
    write_cache(cache, marshal.dumps(data))
    return data


def _read(path: str) -> dict[str, Any] | None:
    data = read_marshal(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data
