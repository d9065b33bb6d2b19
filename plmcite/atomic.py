"""Atomic file writes and change detection.

Everything plmcite writes under ``refs/`` and every state file goes through :func:`write_atomic`:
the content goes to a temporary file in the same directory, is flushed and fsynced, then renamed
over the target, so a killed run leaves either the old file or the new one, never half of one.

:class:`Snapshot` remembers what a file looked like when it was read so that an edit never
overwrites a file somebody changed in the meantime.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType
from typing import Iterator

from .errors import PlmciteError


class ConcurrentModificationError(PlmciteError):
    """The file changed on disk after plmcite read it; writing would lose those changes."""


def write_atomic(path: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8",
                 private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename).

    A new file gets the mode the user's umask gives (like any file they create), or 0600 when
    ``private`` (state files that hold a library's data); an existing file keeps its mode.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o600 if private else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process umask (reading it means setting it, so briefly, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What a file held when it was read: used to refuse overwriting a concurrent change."""

    path: Path
    sha256: str | None  # None: the file did not exist

    @classmethod
    def take(cls, path: str | os.PathLike) -> tuple["Snapshot", bytes | None]:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path, None), None
        return cls(path, digest(raw)), raw

    def check(self, raw: bytes | None | EllipsisType = ...) -> None:
        """Raise :class:`ConcurrentModificationError` unless the file still holds what was read.
        ``raw``: its bytes as the caller just read them under the lock (None: no file), so that
        a caller that needs them too reads the file once."""
        if raw is ...:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                raw = None
        if (digest(raw) if raw is not None else None) != self.sha256:
            raise ConcurrentModificationError(
                f"{self.path}: changed on disk since it was read; not overwriting it (re-run the command)"
            )

    def write(self, data: str | bytes) -> None:
        """Write atomically, but only if the file is still what was read (compare-and-swap: the
        check and the rename happen under one lock, so two writers cannot both pass the check)."""
        with folder_lock(self.path):
            self.check()
            write_atomic(self.path, data)


@contextlib.contextmanager
def folder_lock(path: str | os.PathLike) -> Iterator[None]:
    """An exclusive advisory lock on the folder that holds ``path``, for a check-then-rename.

    Locking the folder (not a lock file) leaves nothing behind in ``refs/``; every plmcite writer
    of a file in that folder takes it, so a compare-and-swap is atomic across processes. Where
    ``fcntl`` does not exist (Windows) the check and the rename are merely close together.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
