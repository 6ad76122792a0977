"""``update`` and ``rollback``: switch the edition in use safely, or not at all.

An update downloads (``fetch``), validates (the hardened parser, a plausible
record count, an edition not older than the one in use), stores the file,
compiles and caches its index, and only then moves the pointer with
``os.replace``. Any failure before that last step leaves the edition in use
exactly as it was; the whole sequence runs under the store's lock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from portatlas import index as _index
from portatlas.errors import RegistryError
from portatlas.index import cachefile
from portatlas.registry.history.diffs import diff_rows, rows_of
from portatlas.registry.history.rows import Row, record_row
from portatlas.registry.history.values import EditionDiff
from portatlas.source import paths as sources
from portatlas.source.fetch import Fetched, Progress, fetch, settings
from portatlas.store import editions as store
from portatlas.value import value

MIN_RECORDS = 5000        # every edition since 2017 has over 13,900 rows
MIN_SHARE = 0.8           # and a new edition never lost a fifth of them


@value
class UpdateResult:
    """What an update or rollback did.

    ``status``: 'switched' (a new edition is in use), 'unchanged' (the source
    has nothing newer: 304, or the same content), or 'rolled back'.
    ``diff`` compares the edition replaced with the one now in use (None when unchanged).
    """

    status: str
    source: str
    old: str
    new: str
    path: str
    message: str
    diff: EditionDiff | None = None


def _rows(path: Path) -> tuple[str, list[Row]]:
    from portatlas.atlas import Registry

    reg = Registry.from_file(path)
    return reg.edition, list(rows_of(reg))


def update(source: str | None = None, *, force: bool = False, max_bytes: int | None = None,
           timeout: float | None = None, progress: Progress | None = None) -> UpdateResult:
    """Fetch ``source`` (default IANA's URL) and switch to it if it is a valid, newer edition.

    Raises ``FetchError`` (exit 5) when the download fails, ``RegistryError``
    (exit 4) when it is not a usable registry or is older than the edition in
    use (``force`` allows older), ``StoreBusy`` when another update holds the lock.
    """
    url, default_max, default_timeout = settings()
    source = source or url
    with store.guarded(), store.locked():
        store.prune()  # names an older version stored from a bad <updated>: gone before anything else
        current_path = store.pointed()
        etag = last_modified = None
        if not force:
            remembered = store.read_meta()["validators"].get(source, {})
            # Validators vouch only for the file they fetched: after a rollback, ask afresh.
            if remembered.get("file") == current_path.name:
                etag, last_modified = remembered.get("etag"), remembered.get("last_modified")
        got = fetch(source, etag=etag, last_modified=last_modified,
                    max_bytes=max_bytes or default_max, timeout=timeout or default_timeout,
                    progress=progress)
        from portatlas.atlas import Registry

        # The edition in use, compiled (cached); its rows are made only once the download is valid.
        current = Registry.from_file(current_path)
        old_edition = current.edition
        if not got.modified:
            _remember(got, current_path.name)
            return UpdateResult("unchanged", source, old_edition, old_edition, str(current_path),
                                f"edition {old_edition} is current: {_host(source)} has nothing newer "
                                "(304 Not Modified); nothing switched")
        return _apply(got, current_path, current, force)


def _host(source: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(source).netloc or source


def _apply(got: Fetched, current_path: Path, current: Any, force: bool) -> UpdateResult:
    from portatlas.registry.parse import parse

    old_edition = current.edition
    what = f"the download from {_host(got.source)}" if got.source.startswith("http") else got.source
    head = got.data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise RegistryError(f"{what} is an HTML page, not the registry XML (an error or login page?); "
                            f"nothing changed, edition {old_edition} stays in use")
    try:
        parsed = parse(got.data)
        compiled = _index.compile_registry(parsed, source="")
    except RegistryError as e:
        raise RegistryError(f"{what} is not a usable registry: {e}; nothing changed, "
                            f"edition {old_edition} stays in use") from None
    n = len(parsed.records)
    old_count = len(current.index)
    floor = max(MIN_RECORDS, int(MIN_SHARE * old_count))
    if n < floor:
        raise RegistryError(f"{what} has only {n:,} records where at least {floor:,} are expected "
                            f"(edition {old_edition} has {old_count:,}); nothing changed")
    new_edition = parsed.edition
    if not sources.is_edition(new_edition):  # parse refuses it too; the file name is built from it
        raise RegistryError(f"{what} gives its edition as {new_edition[:40]!r}, not a date YYYY-MM-DD; "
                            f"nothing changed, edition {old_edition} stays in use")
    if new_edition < old_edition and not force:
        raise RegistryError(f"{what} is edition {new_edition}, older than {old_edition} in use; "
                            "nothing changed (--force switches to it anyway)")
    new_rows = [record_row(r) for r in parsed.records]
    old_rows = list(rows_of(current))
    if new_edition == old_edition and new_rows == old_rows:
        _remember(got, current_path.name)
        return UpdateResult("unchanged", got.source, old_edition, new_edition, str(current_path),
                            f"edition {new_edition} is current: the source has the same registry; "
                            "nothing switched")
    sha = hashlib.sha256(got.data).hexdigest()
    path = store.add(got.data, new_edition, sha, got.source, n)
    # Compile and cache the index before switching, so the first answer after is fast.
    compiled["source"] = str(path)
    cachefile.save(path, compiled)
    store.switch(path)
    _remember(got, path.name)
    diff = diff_rows(old_rows, new_rows, old_edition, new_edition, str(current_path), str(path))
    note = " (same date, changed content)" if new_edition == old_edition else ""
    return UpdateResult("switched", got.source, old_edition, new_edition, str(path),
                        f"switched from edition {old_edition} to {new_edition}{note}", diff)


def _remember(got: Fetched, file: str) -> None:
    if got.etag or got.last_modified:
        meta = store.read_meta()
        meta["validators"][got.source] = {"etag": got.etag, "last_modified": got.last_modified,
                                          "file": file}
        store.write_meta(meta)


def rollback() -> UpdateResult:
    """Return to the edition in use before the last update; the rolled-back file stays stored."""
    with store.guarded(), store.locked():
        store.prune()
        current_path = store.pointed()
        target = store.previous()
        old_edition, old_rows = _rows(current_path)
        new_edition, new_rows = _rows(target)
        store.switch(target, rollback=True)
        diff = diff_rows(old_rows, new_rows, old_edition, new_edition, str(current_path), str(target))
        where = "the bundled edition" if target == sources.BUNDLED else str(target)
        return UpdateResult("rolled back", str(target), old_edition, new_edition, str(target),
                            f"rolled back from edition {old_edition} to {new_edition} ({where})", diff)
