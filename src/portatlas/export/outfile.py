"""Writing an export to the file a user named (`portatlas export services -o FILE`).

The user's path is treated as a shell's ``>`` would treat it, never as a
place portatlas owns:

- a symbolic link is followed: the file it names is written, the link stays;
- a character device or a FIFO (``/dev/stdout``, a named pipe) is written
  into, not replaced;
- a block device, a folder or a socket is refused;
- a regular file (or a new one) is replaced atomically, through a temporary
  file beside it, keeping an existing file's permission bits and owner;
- a folder that does not exist is an error, not created (a mistyped path).

Every refusal is ``BadInput`` with one line naming the path and why.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from portatlas.errors import BadInput


def write_output(path: str, blob: bytes) -> None:
    """Write ``blob`` to the user's ``path`` as described in the module's docstring."""
    target = os.path.realpath(path)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise BadInput(f"cannot write {path}: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            _write_into(path, target, blob)
            return
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode) \
            else "not a regular file"
        raise BadInput(f"cannot write {path}: it is {kind}; give a file name (or - for standard output)")
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise BadInput(f"cannot write {path}: the folder {folder} does not exist")
    _replace(path, target, folder, blob, st)


def _write_into(path: str, target: str, blob: bytes) -> None:
    try:
        with open(target, "wb") as f:
            f.write(blob)
    except OSError as e:
        raise BadInput(f"cannot write {path}: {e.strerror or e}") from None


def _replace(path: str, target: str, folder: str, blob: bytes, st: os.stat_result | None) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise BadInput(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
            if st is not None:
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
                if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):  # only root may give a file away
                        os.chown(tmp, st.st_uid, st.st_gid)
            else:  # a new file gets what open() would give it: 0666 less the umask
                mask = os.umask(0)
                os.umask(mask)
                os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, target)
    except OSError as e:
        raise BadInput(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
