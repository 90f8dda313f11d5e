"""Private temporary folders that a killed grader does not leave behind for good.

A grade killed with SIGKILL (or a machine that lost power) cannot delete its
temporary folders: copies of the gradebook and of the submissions, in
folders only their owner can enter.  Every such folder is made here, with
the pid of the process that made it in its name
(`coursekit-<what>-<pid>-<random>`), and `sweep()` at the start of the next
grade removes the ones whose process has ended.  A folder whose process is
still running is kept, even if that pid now belongs to another program:
sweeping never touches a live grader's files.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

PREFIX = "coursekit-"
_NAME = re.compile(rf"{PREFIX}[a-z]+-(\d+)-[A-Za-z0-9_]+")


def private_dir(what: str, parent: Path | str | None = None) -> Path:
    """A new folder (mode 0700) named after what it holds and this process's pid."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{what}-{os.getpid()}-", dir=parent))


class TemporaryDirectory(tempfile.TemporaryDirectory):
    """tempfile.TemporaryDirectory, named so that sweep() can remove it if this process is killed."""

    def __init__(self, what: str):
        super().__init__(prefix=f"{PREFIX}{what}-{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours(uid: int) -> bool:
    from coursekit.isolation.sandbox import UID_BASE

    return uid == os.geteuid() or (os.geteuid() == 0 and uid >= UID_BASE)


def sweep(root: Path | str | None = None) -> list[Path]:
    """Remove the folders in root (default: the system temp folder) left by processes that have ended.

    Only folders named by private_dir(), not symbolic links, and owned by this user are candidates; as root,
    also those handed over to a sandbox's uid (a kernel's folder, whose manager died with its grader).
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _NAME.fullmatch(path.name)
        if not match:
            continue
        try:
            st = path.lstat()
        except OSError:
            continue
        if not path.is_dir() or path.is_symlink() or not _ours(st.st_uid) or _alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)  # does not follow links a sandbox may have left inside
        removed.append(path)
    return removed


def sweep_and_say(root: Path | str | None = None) -> None:
    removed = sweep(root)
    if removed:
        print(f"removed {len(removed)} temporary folder(s) left by an earlier grade that was killed",
              file=sys.stderr)
