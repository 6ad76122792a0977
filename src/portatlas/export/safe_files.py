"""Writing the static export's files safely: a name that stays in its folder, folders and files that replace
(never follow) a link planted inside the export, and a write that is whole or removed.

An earlier export's directory is hostile ground: anyone who could write there may have left a symbolic
or hard link pointing outside it, or a service name such as ``..`` may try to climb out.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from urllib.parse import quote

from portatlas.web.urls import file_name


def segment(name: str) -> str:
    """A path segment that stays in its folder: '.' and '..' escaped, no NUL or separator, not too long.

    ``urls.file_name`` (which the export's links are made from) and this system's own separator too.
    """
    if os.sep != "/":
        name = name.replace(os.sep, quote(os.sep, safe=""))
    return file_name(name)


def real_dir(path: str) -> None:
    """Make ``path`` a real folder: a link (or a file) planted there is removed, never followed."""
    for _ in range(5):  # another worker may be making the same folder at the same moment
        try:
            os.mkdir(path)
            return
        except FileExistsError:
            pass
        try:
            if stat.S_ISDIR(os.lstat(path).st_mode):
                return
            os.unlink(path)  # a symbolic link or a file where a folder goes: the link goes, not its target
        except FileNotFoundError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot make a folder here", path)


_FLAGS = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write(path: str, body: bytes) -> None:
    """Write ``body`` to ``path``, replacing (never writing through) a link planted there.

    os.write may write less than asked when the disk fills (or a size limit is hit): it goes on until
    all is written or a write fails, and a cut-off file is removed (the export is marked incomplete).
    """
    try:
        try:
            fd = os.open(path, _FLAGS, 0o644)
        except OSError as e:
            if e.errno not in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW on a symbolic link (EMLINK: BSD)
                raise
            os.unlink(path)
            fd = os.open(path, _FLAGS | os.O_EXCL, 0o644)
        try:
            st = os.fstat(fd)
            if st.st_nlink > 1 or not stat.S_ISREG(st.st_mode):  # a hard link shares its file: make our own
                os.close(fd)
                fd = -1
                os.unlink(path)
                fd = os.open(path, _FLAGS | os.O_EXCL, 0o644)
            elif st.st_size > len(body):
                os.ftruncate(fd, len(body))  # an earlier export's longer file (truncated here, not at open)
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            if fd >= 0:
                os.close(fd)
                fd = -1
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        finally:
            if fd >= 0:
                os.close(fd)
    except OSError as e:
        if e.filename is None:  # os.write names no file: say which one failed
            raise OSError(e.errno, e.strerror, path) from None
        raise
