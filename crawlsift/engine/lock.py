"""One run at a time per output directory (and per dedup index).

Two runs writing one output would commit each other's temporary files and overwrite each
other's manifests, so a run takes an exclusive ``flock`` on ``<dir>/.crawlsift.lock``
before it reads or writes anything there, and holds it to its end. The lock file names
the holder (pid, host, start time) for the error a second run gets. The kernel releases
an ``flock`` when its holder dies (kill -9, a lost machine's NFS lease aside), so a
lock never outlives its run: the file may stay, the lock does not. A process forked
while a lock is held (a worker) closes its copy of the lock's descriptor at once, so the
lock ends with the run that took it, not with the last of its workers.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import time
import weakref
from pathlib import Path

from crawlsift.errors import OutputError

LOCK_NAME = ".crawlsift.lock"


class DirectoryLock:
    """An exclusive lock on a directory, held from :meth:`acquire` until :meth:`release`
    (or until the process ends)."""

    def __init__(self, directory: Path, what: str = "output directory") -> None:
        self.directory, self.what = Path(directory), what
        self.path = self.directory / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> DirectoryLock:
        """Take the lock, or raise :class:`OutputError` naming the run that holds it."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _holder(fd)
            os.close(fd)
            raise OutputError(
                f"{self.directory} is in use by another crawlsift run ({other}); "
                f"wait for it to end, or use another {self.what}"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise OutputError(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        with contextlib.suppress(OSError):  # the lock holds even if the note cannot be written
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
        self.fd = fd
        _HELD.add(self)
        return self

    def release(self) -> None:
        """Let the next run in; safe to call more than once."""
        fd, self.fd = self.fd, None
        _HELD.discard(self)
        if fd is not None:
            os.close(fd)  # closing the only descriptor releases the flock

    def __enter__(self) -> DirectoryLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


#: the locks this process holds
_HELD: weakref.WeakSet[DirectoryLock] = weakref.WeakSet()


def _forget_held() -> None:
    """In a forked child: close the inherited descriptors of the parent's locks (the
    parent's stay open, so its locks hold)."""
    for lock in list(_HELD):
        fd, lock.fd = lock.fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_held)


def _holder(fd: int) -> str:
    """Who holds a lock, as its file says (written just after it was taken)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"pid {data['pid']} on {data['host']}, started {data['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder not yet recorded"


def is_empty(directory: Path) -> bool:
    """Whether a directory holds nothing but (perhaps) a lock file."""
    return not any(p.name != LOCK_NAME for p in directory.iterdir())


def clear(directory: Path) -> None:
    """Delete everything in ``directory`` but its lock file (which must outlive the
    deletion: a second run would otherwise lock a new file while this one works)."""
    for path in directory.iterdir():
        if path.name == LOCK_NAME:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
