"""The only module that writes subtitle and manifest files. Every write goes to a
temporary sibling of the target and is renamed over it, so a reader never sees half a file
and a failed write leaves the old file (or nothing) in place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

PathLike = str | os.PathLike[str]


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: mkstemp makes owner-only files; a finished output gets the mode open() would give it.
_FILE_MODE = 0o666 & ~_current_umask()


#: Marks our temporary files (``.1001.srt.tmp-k3j9x0ab.part``): what a later run may delete
#: as stale. Download parts (``.1001.<12 hex>.part``) are kept for resuming.
TEMP_MARK = "tmp-"
_STALE = re.compile(r"^\..+\.(tmp-)?[a-z0-9_]{8}\.part$")
LOCK_NAME = ".dubsubs.lock"


def clean_stale_temporaries(directory: PathLike) -> int:
    """Delete the temporary files of our own naming that a killed process left in
    ``directory`` (regular files or links, never followed); return how many. Call it only
    while holding :func:`folder_lock`, so no live writer's file is taken."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if _STALE.match(entry.name) and not entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


@contextlib.contextmanager
def folder_lock(directory: PathLike) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (a ``.dubsubs.lock`` file in it, locked with
    ``flock``; released by the kernel if the process dies). A second process gets an
    OutputError at once instead of sharing files. Where ``flock`` does not exist the block
    runs unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    path = Path(directory) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise OutputError.cannot_write(path, exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError(
                f"{directory}: another dubsubs process is writing this folder; "
                "wait for it to finish") from None
        yield
    finally:
        os.close(fd)


def ensure_directory(path: PathLike) -> Path:
    """Create the directory ``path`` (and its parents) if missing; return it."""
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.cannot_write(directory, exc) from exc
    return directory


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds,
    delete it if the block raises."""
    target = Path(path)
    tmp = _temporary_for(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError.cannot_write(target, exc) from exc
        raise


def write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (newlines exactly as given) atomically; return the path."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: PathLike, data: bytes) -> Path:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
    return Path(path)


#: Text is encoded and written this many characters at a time, so a 150 MB document never
#: exists as bytes all at once beside its text.
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Written:
    """A file of a set: where it goes, its size in bytes, and its sha256 when asked for."""

    path: Path
    size: int
    sha256: str | None = None


class FileSet:
    """Files written as one set, all or nothing.

    :meth:`add` writes each file to a temporary sibling of its target at once (so a big
    set never has to be held in memory); when the ``with`` block ends without an error,
    every temporary file is renamed over its target; when it ends with one, every
    temporary file is deleted and no target is touched. Text is written as UTF-8 with its
    newlines exactly as given.

    The guarantee covers everything that can fail while writing (a full disk, a target
    that is a folder, an error in a writer). The final renames are one system call per
    file: if one of them fails (the folder's permissions changed under us), the files
    renamed before it stay replaced, and the error names the file that failed."""

    def __init__(self, *, hash_files: bool = False) -> None:
        self._hash = hash_files
        self._temps: dict[Path, Path] = {}
        self.written: list[Written] = []

    @property
    def paths(self) -> list[Path]:
        return [written.path for written in self.written]

    def __enter__(self) -> FileSet:
        return self

    def add(self, path: PathLike, data: bytes | str | list[str]) -> Written:
        """Write ``path``'s temporary file now: bytes as they are, text (or a list of
        texts, written one after another) as UTF-8."""
        target = Path(path)
        if target in self._temps:
            raise ValueError(f"{target} is already in this set")
        if target.is_dir():
            raise OutputError(f"{target}: cannot write: Is a directory")
        tmp = _temporary_for(target)
        self._temps[target] = tmp
        digest = hashlib.sha256() if self._hash else None
        size = 0
        try:
            with open(tmp, "wb") as handle:
                if isinstance(data, (str, list)):
                    for text in [data] if isinstance(data, str) else data:
                        for start in range(0, len(text), _CHUNK):
                            chunk = text[start:start + _CHUNK].encode("utf-8")
                            handle.write(chunk)
                            size += len(chunk)
                            if digest is not None:
                                digest.update(chunk)
                else:
                    handle.write(data)
                    size = len(data)
                    if digest is not None:
                        digest.update(data)
        except OSError as exc:
            raise OutputError.cannot_write(target, exc) from exc
        written = Written(target, size, digest.hexdigest() if digest is not None else None)
        self.written.append(written)
        return written

    def discard(self, path: PathLike) -> None:
        """Leave ``path`` out of the set (its temporary file is deleted)."""
        target = Path(path)
        tmp = self._temps.pop(target, None)
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self.written = [w for w in self.written if w.path != target]

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            try:
                for target, tmp in self._temps.items():
                    os.replace(tmp, target)
            except OSError as error:
                self._clean()
                raise OutputError.cannot_write(target, error) from error
            self._temps.clear()
        else:
            self._clean()

    def _clean(self) -> None:
        for tmp in self._temps.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._temps.clear()


def _temporary_for(target: Path) -> Path:
    """A new temporary file of our naming beside ``target``, with the mode a finished
    output gets."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{TEMP_MARK}", suffix=".part", dir=target.parent)
        os.close(fd)
        os.chmod(name, _FILE_MODE)
    except OSError as exc:
        raise OutputError.cannot_write(target, exc) from exc
    return Path(name)
