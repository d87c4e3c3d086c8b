"""The only module that writes subtitle and manifest files. Every write goes to a
temporary sibling of the target and is renamed over it, so a reader never sees half a file
and a failed write leaves the old file (or nothing) in place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from .errors import OutputError

PathLike = str | os.PathLike[str]


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: mkstemp makes owner-only files; a finished output gets the mode open() would give it.
_FILE_MODE = 0o666 & ~_current_umask()


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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        os.chmod(tmp_name, _FILE_MODE)
    except OSError as exc:
        raise OutputError.cannot_write(target, exc) from exc
    tmp = Path(tmp_name)
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


def write_text_set(texts: Mapping[PathLike, str]) -> list[Path]:
    """:func:`write_file_set` of texts, each written as UTF-8 (newlines exactly as given)."""
    return write_file_set({path: text.encode("utf-8") for path, text in texts.items()})


def write_file_set(files: Mapping[PathLike, bytes]) -> list[Path]:
    """Write several files as one set: every file goes to its temporary sibling first and
    the renames happen only once all are written, so a failure (a target that is a
    directory, a full disk) leaves none of the set changed rather than some of it."""
    targets = [Path(path) for path in files]
    for target in targets:
        if target.is_dir():
            raise OutputError(f"{target}: cannot write: Is a directory")
    with contextlib.ExitStack() as stack:
        for target, data in zip(targets, files.values(), strict=True):
            tmp = stack.enter_context(atomic_path(target))
            with open(tmp, "wb") as handle:
                handle.write(data)
    return targets
