"""The editions store: registry editions ``portatlas update`` downloaded, and which one is in use.

Layout, in ``sources.data_dir() / "editions"``:

- ``service-names-port-numbers.<edition>.<sha256[:12]>.xml``: each stored
  edition, exactly as downloaded, never rewritten and never deleted (the
  edition is a validated ``YYYY-MM-DD`` date; a name of any other form, left by
  an older version, is ignored by every reader and removed by the next update);
- ``current``: the pointer naming the file in use (``sources.current_source``
  reads it; no pointer, or an empty one, means the bundled edition);
- ``meta.json``: where each file came from and when, the trail of switches
  (for rollback) and the validators (ETag, Last-Modified) of each source URL;
- ``.lock``: held while an update or rollback runs, so two at once queue
  instead of interleaving.

Every write goes to a temporary file that ``os.replace`` moves into place, so
a reader (or a crash) sees the old state or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portatlas.errors import PortatlasError
from portatlas.source import paths as sources
from portatlas.value import value

PREFIX = sources.STORED_PREFIX
LOCK_WAIT = 120.0  # seconds to wait for another update before giving up


class StoreBusy(PortatlasError):
    """Another update or rollback held the store's lock for too long."""

    exit_code = 5


class StoreError(PortatlasError):
    """The editions store cannot be read or written (a full disk, a path that is a file, permissions)."""

    exit_code = 5


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Turn a file-system failure inside the store into one clear ``StoreError``."""
    try:
        yield
    except OSError as e:
        where = e.filename or store_dir()
        raise StoreError(f"cannot use the editions store: {e.strerror or e} ({where}); "
                         "the edition in use is unchanged") from None


@value
class StoredEdition:
    """One edition file in the store and where it came from."""

    path: str
    edition: str
    source: str
    fetched: str
    sha256: str
    records: int


@value
class EditionInUse:
    """The edition answers come from.

    ``origin`` is 'bundled' (shipped in the package), 'stored' (switched to by
    update) or 'environment' (``PORTATLAS_REGISTRY`` names a file).
    """

    edition: str
    path: str
    origin: str
    source: str
    fetched: str | None
    records: int


def store_dir() -> Path:
    """The directory holding stored editions and the pointer."""
    return sources.current_pointer().parent


def _meta_path() -> Path:
    return store_dir() / "meta.json"


def read_meta() -> dict[str, Any]:
    """The store's bookkeeping; an empty store (or an unreadable file) reads as empty."""
    try:
        data = json.loads(_meta_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    data.setdefault("editions", {})
    data.setdefault("trail", [])
    data.setdefault("validators", {})
    return data


def write_atomically(path: Path, blob: bytes) -> None:
    """Write ``blob`` to ``path`` through a synced temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_meta(meta: dict[str, Any]) -> None:
    """Replace the bookkeeping atomically (call with the lock held)."""
    write_atomically(_meta_path(), json.dumps(meta, indent=1, sort_keys=True).encode("utf-8"))


@contextlib.contextmanager
def locked(wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the store's lock; wait up to ``wait`` seconds for another update to finish."""
    d = store_dir()
    d.mkdir(parents=True, exist_ok=True)
    fd = os.open(d / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise StoreBusy(f"another portatlas update has held {d / '.lock'} for over "
                                f"{wait:.0f} s; wait for it to finish and try again")
            time.sleep(0.05)
        yield
    finally:
        _unlock(fd)
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def stored() -> list[StoredEdition]:
    """Every stored edition, oldest edition first."""
    meta = read_meta()
    out = []
    for name, m in meta["editions"].items():
        if not _valid_entry(name, m):
            continue  # left by an older version (a bad date, '/' or '..' in it): never used
        out.append(StoredEdition(
            path=str(store_dir() / name), edition=m.get("edition", ""), source=m.get("source", ""),
            fetched=m.get("fetched", ""), sha256=m.get("sha256", ""), records=int(m.get("records", 0)),
        ))
    return sorted(out, key=lambda s: (s.edition, s.fetched))


def pointed() -> Path:
    """The file the pointer names (ignoring ``PORTATLAS_REGISTRY``), or the bundled edition."""
    try:
        name = sources.current_pointer().read_text(encoding="utf-8").strip()
    except OSError:
        return sources.BUNDLED
    path = store_dir() / name
    return path if sources.stored_edition(name) and path.is_file() else sources.BUNDLED


def _valid_entry(name: str, m: Any) -> bool:
    """Whether a bookkeeping entry names a file this store writes, with the edition its name carries."""
    return isinstance(m, dict) and sources.stored_edition(name) == m.get("edition")


def in_use() -> EditionInUse:
    """Which edition answers, where it came from, and its date."""
    from portatlas.atlas import Registry

    path = sources.current_source()
    if not path.is_file():
        from portatlas.errors import RegistryError

        raise RegistryError(f"PORTATLAS_REGISTRY names {path}, which is not a file: unset it, "
                            "or name a registry XML file (plain or .xz)")
    reg = Registry.from_file(path)
    if os.environ.get("PORTATLAS_REGISTRY"):
        origin, source, fetched = "environment", f"PORTATLAS_REGISTRY={path}", None
    elif path == sources.BUNDLED:
        origin, source, fetched = "bundled", "shipped inside the portatlas package", None
    else:
        m = read_meta()["editions"].get(path.name, {})
        origin, source, fetched = "stored", m.get("source", "unknown"), m.get("fetched")
    return EditionInUse(edition=reg.edition, path=str(path), origin=origin, source=source,
                        fetched=fetched, records=len(reg.index))


def file_name(edition: str, sha256: str) -> str:
    """The store's name for an edition's file, built only from a validated date and digest."""
    name = f"{PREFIX}{edition}.{sha256[:12]}.xml"
    if len(sha256) != 64 or sources.stored_edition(name) != edition:
        from portatlas.errors import RegistryError

        raise RegistryError(f"edition {edition[:40]!r} is not a date YYYY-MM-DD; nothing was stored")
    return name


def add(data: bytes, edition: str, sha256: str, source: str, records: int) -> Path:
    """Store an edition file (once; call with the lock held). Does not switch to it."""
    name = file_name(edition, sha256)
    path = store_dir() / name
    if not path.is_file():
        write_atomically(path, data)
    meta = read_meta()
    meta["editions"].setdefault(name, {
        "edition": edition, "source": source, "sha256": sha256, "records": records,
        "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })
    write_meta(meta)
    return path


def switch(path: Path, *, rollback: bool = False) -> None:
    """Make ``path`` (a stored file, or ``sources.BUNDLED``) the edition in use, atomically.

    A switch is pushed on the trail; a rollback pops the trail instead.
    """
    meta = read_meta()
    pointer = sources.current_pointer()
    if path == sources.BUNDLED:
        with contextlib.suppress(FileNotFoundError):
            pointer.unlink()  # no pointer means the bundled edition
        name = ""
    else:
        name = path.name
        write_atomically(pointer, (name + "\n").encode("utf-8"))
    if rollback:
        if meta["trail"]:
            meta["trail"].pop()
    else:
        meta["trail"].append(name)
    write_meta(meta)


def previous() -> Path:
    """The edition a rollback returns to: the one in use before the last switch."""
    meta = read_meta()
    trail = [n for n in meta["trail"] if n == "" or sources.stored_edition(n)]
    if not trail:
        raise NothingToRollBack("nothing to roll back: no update has switched the edition in use "
                                f"(it is {pointed().name})")
    before = trail[-2] if len(trail) >= 2 else ""
    path = store_dir() / before if before else sources.BUNDLED
    return path if path.is_file() else sources.BUNDLED


def prune() -> list[str]:
    """Forget what an older version stored under a name this store never writes (call with the lock held).

    Such a name carries an edition that is not a date (or '/', '..', a line break):
    readers already ignore it; this drops it from the bookkeeping, removes the file
    when it sits in the store itself (never a path outside it), and, when the pointer
    names one, points back to the bundled edition, which is what answered meanwhile.
    Returns the names dropped.
    """
    meta = read_meta()
    dropped = [n for n, m in meta["editions"].items() if not _valid_entry(n, m)]
    for n in dropped:
        del meta["editions"][n]
    d = store_dir()
    with contextlib.suppress(OSError):
        for entry in os.scandir(d):
            if entry.name.startswith(PREFIX) and not sources.stored_edition(entry.name):
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        os.rmdir(entry.path)  # left by a name with '/' in it; only if empty
                    else:
                        os.unlink(entry.path)
                if entry.name not in dropped:
                    dropped.append(entry.name)
    trail = [n for n in meta["trail"] if isinstance(n, str) and (n == "" or sources.stored_edition(n))]
    changed = bool(dropped) or trail != meta["trail"]
    meta["trail"] = trail
    for url, v in list(meta["validators"].items()):
        if not isinstance(v, dict) or (v.get("file") and not sources.stored_edition(str(v["file"]))):
            del meta["validators"][url]
            changed = True
    try:
        name = sources.current_pointer().read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if name and not sources.stored_edition(name):
        sources.current_pointer().unlink()
        if trail and trail[-1]:
            trail.append("")  # the bundled edition answered meanwhile: a rollback returns from it
        changed = True
    if changed:
        write_meta(meta)
    return dropped


class NothingToRollBack(PortatlasError):
    """``update --rollback`` with no earlier switch to undo."""

    exit_code = 1


def validators(url: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified a source URL last answered with."""
    v = read_meta()["validators"].get(url, {})
    return v.get("etag"), v.get("last_modified")


def remember_validators(url: str, etag: str | None, last_modified: str | None) -> None:
    """Keep a source's validators for the next conditional request (call with the lock held)."""
    meta = read_meta()
    meta["validators"][url] = {"etag": etag, "last_modified": last_modified}
    write_meta(meta)
