"""Streaming media downloads that survive a dropped connection.

A file is streamed in large chunks into ``.NAME.<url-hash>.part`` beside its target (see
:func:`part_path`), hashed (sha256)
as it arrives, and renamed into place only when its size matches what the server
announced. After a dropped connection or a short body the download resumes with a Range
request from the bytes already on disk (they are hashed first); a server that ignores the
Range and answers 200 makes it start again from zero. A file that an earlier manifest
lists with the same size and sha256 is not fetched again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import ApiError, DownloadError, OutputError
from ..output import atomic_path, ensure_directory
from .client import CambClient
from .http import HttpResponse, TransportFailure
from .redact import redact_url

CHUNK_SIZE = 1 << 20
MAX_RESUMES = 5

#: Content-Type -> extension, for the media types the API hands out. Checked before the
#: URL path because presigned URLs often end in an opaque key.
EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/x-matroska": ".mkv",
    "video/webm": ".webm",
    "application/mxf": ".mxf",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/aac": ".aac",
    "audio/x-aac": ".aac",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/ogg": ".ogg",
    "audio/webm": ".weba",
}
_GENERIC_TYPES = {"application/octet-stream", "binary/octet-stream", ""}
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

Progress = Callable[[int, "int | None"], None]
"""Called with (bytes on disk so far, expected total or None) as a download advances."""


@dataclass(frozen=True)
class Downloaded:
    """A file on disk and how it got there. ``source_url`` has no query string."""

    path: Path
    size: int
    sha256: str
    content_type: str | None
    source_url: str
    skipped: bool = False
    resumes: int = 0

    @property
    def name(self) -> str:
        return self.path.name


def extension_for(content_type: str | None, url: str) -> str:
    """The file extension: from ``content_type`` if it names a media type we know, else
    from the URL path, else ``.bin``."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in EXTENSIONS:
        return EXTENSIONS[media_type]
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    if _SAFE_SUFFIX.match(suffix):
        return suffix
    return ".bin"


def _hash_into(path: Path, digest: Any, chunk_size: int = CHUNK_SIZE) -> int:
    """Feed the file at ``path`` to ``digest``; return how many bytes it held."""
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
            size += len(block)
    return size


def sha256_file(path: Path, chunk_size: int = CHUNK_SIZE) -> str:
    digest = hashlib.sha256()
    _hash_into(path, digest, chunk_size)
    return digest.hexdigest()


def is_complete(directory: Path, entry: Mapping[str, Any] | None) -> Path | None:
    """The file an earlier manifest ``entry`` ({name, size, sha256}) describes, if it is on
    disk with that size and sha256; else ``None``."""
    if not entry:
        return None
    name, size, digest = entry.get("name"), entry.get("size"), entry.get("sha256")
    if not isinstance(name, str) or not isinstance(size, int) or not isinstance(digest, str):
        return None
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = directory / name
    try:
        if not path.is_file() or path.stat().st_size != size:
            return None
        return path if sha256_file(path) == digest else None
    except OSError:
        return None


def part_path(directory: Path, base_name: str, url: str) -> Path:
    """Where the bytes of ``url`` collect before the rename. The name carries a short hash
    of the URL's path (never its query), so two files that share a base name in one folder
    (fetch's video and alt-format's WAV are both ``1002.es-ES``) never resume into each
    other, while a fresh presigned link to the same object still finds its bytes."""
    tag = hashlib.sha256(urlsplit(url).path.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return directory / f".{base_name}.{tag}.part"


def _parse_content_range(value: str | None) -> tuple[int, int | None] | None:
    match = _CONTENT_RANGE.match((value or "").strip())
    if match is None:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), total


def _remote_size(client: CambClient, url: str, label: str) -> tuple[int, str | None] | None:
    """The file's total size and Content-Type, from a one-byte Range request; ``None`` if
    the server does not say."""
    try:
        response = client.request(
            "GET", url, headers={"Range": "bytes=0-0", "Accept-Encoding": "identity"},
            api=False, what=label,
        )
    except ApiError:
        return None
    with response:  # closed unread: a server that ignored the Range must not send it all
        content_range = _parse_content_range(response.headers.get("Content-Range"))
        if response.status == 206 and content_range is not None and content_range[1]:
            return content_range[1], response.headers.get("Content-Type")
    return None


def _content_length(response: HttpResponse) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def download(
    client: CambClient,
    url: str,
    directory: Path,
    base_name: str,
    *,
    previous: Mapping[str, Any] | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_resumes: int = MAX_RESUMES,
    progress: Progress | None = None,
    what: str | None = None,
) -> Downloaded:
    """Fetch ``url`` into ``directory/base_name + extension``.

    ``previous`` is this file's entry in an earlier manifest; if the file it names is on
    disk with the same size and sha256, nothing is requested. Raises
    :class:`~dubsubs.errors.DownloadError` (message redacted) when the file cannot be
    completed after ``max_resumes`` resumptions or comes back the wrong size.
    """
    ensure_directory(directory)
    shown = redact_url(url)
    label = what or base_name
    done = is_complete(directory, previous)
    if done is not None and previous is not None:
        return Downloaded(
            done,
            int(previous["size"]),
            str(previous["sha256"]),
            previous.get("content_type"),
            shown,
            skipped=True,
        )

    part = part_path(directory, base_name, url)
    digest = hashlib.sha256()
    offset = 0
    if part.exists():
        # An earlier run was interrupted: keep its bytes, hash them, ask for the rest.
        offset = _hash_into(part, digest, chunk_size)
    resumes = 0
    content_type: str | None = None
    total: int | None = None

    def restart() -> None:
        nonlocal offset, digest
        offset = 0
        digest = hashlib.sha256()
        with contextlib.suppress(OSError):
            part.unlink()

    while True:
        try:
            response = client.open_media(url, start=offset, what=label)
        except ApiError as exc:
            if exc.status == 416 and offset:
                remote = _remote_size(client, url, label)
                if remote is not None and remote[0] == offset:
                    content_type = remote[1]  # every byte is here already (hashed above)
                    break
                restart()  # what we kept is not a prefix of this file any more
                resumes += 1
                if resumes > max_resumes:
                    raise DownloadError(f"{label}: {shown}: range not satisfiable") from None
                continue
            raise DownloadError(str(exc)) from exc
        with response:
            content_type = response.headers.get("Content-Type")
            length = _content_length(response)
            if offset and response.status == 206:
                content_range = _parse_content_range(response.headers.get("Content-Range"))
                # Another total than the one announced before means another file: its
                # tail must not be spliced onto the bytes we kept.
                if (
                    content_range is None
                    or content_range[0] != offset
                    or (total is not None and content_range[1] not in (None, total))
                ):
                    response.close()
                    restart()
                    resumes += 1
                    if resumes > max_resumes:
                        raise DownloadError(f"{label}: {shown}: bad Content-Range on resume")
                    continue
                total = content_range[1]
            else:
                if offset:
                    restart()  # the server ignored our Range and sent the whole file
                total = length
            interrupted = _stream_into(response, part, offset, digest, chunk_size, progress, total)
            offset = part.stat().st_size if part.exists() else 0
        if total is not None and offset > total:
            restart()
            raise DownloadError(
                f"{label}: {shown}: got {offset} bytes, the server announced {total}"
            )
        if (total is not None and offset < total) or (total is None and interrupted):
            resumes += 1
            if resumes > max_resumes:
                raise DownloadError(
                    f"{label}: {shown}: connection kept dropping; {offset} of "
                    f"{total if total is not None else '?'} bytes after {max_resumes} resumes"
                )
            client.retry.sleep(client.retry.delay(resumes - 1))
            continue
        break

    extension = extension_for(content_type, url)
    target = directory / f"{base_name}{extension}"
    try:
        if not part.exists():
            part.touch()
        os.replace(part, target)
    except OSError as exc:
        raise OutputError.cannot_write(target, exc) from exc
    return Downloaded(target, offset, digest.hexdigest(), content_type, shown, resumes=resumes)


def _stream_into(
    response: HttpResponse,
    part: Path,
    offset: int,
    digest: Any,
    chunk_size: int,
    progress: Progress | None,
    total: int | None,
) -> bool:
    """Append the body to ``part``; True if the connection broke before the body ended.

    Reads the raw stream (no decoding: we asked for identity) in big chunks so the Python
    overhead per byte stays small and memory stays flat. For a large body the sha256 runs
    in a second thread, fed through a short queue: hashlib releases the GIL on big buffers,
    so hashing overlaps with receiving and writing instead of adding to them.
    """
    remaining = None if total is None else total - offset
    hasher = _Hasher(digest) if remaining is None or remaining > 4 * chunk_size else None
    try:
        handle = open(part, "ab" if offset else "wb")  # noqa: SIM115 (closed just below)
    except OSError as exc:
        raise OutputError.cannot_write(part, exc) from exc
    try:
        with handle:
            while True:
                try:
                    block = response.read(chunk_size)
                except TransportFailure:
                    return True
                if not block:
                    return False
                try:
                    handle.write(block)
                except OSError as exc:
                    raise OutputError.cannot_write(part, exc) from exc
                if hasher is not None:
                    hasher.feed(block)
                else:
                    digest.update(block)
                offset += len(block)
                if progress is not None:
                    progress(offset, total)
    finally:
        if hasher is not None:
            hasher.finish()


class _Hasher:
    """Feeds blocks, in order, to a digest in a background thread (bounded queue: at most
    a few chunks in memory)."""

    def __init__(self, digest: Any, depth: int = 8) -> None:
        self._digest = digest
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="dubsubs-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            block = self._queue.get()
            if block is None:
                return
            self._digest.update(block)

    def feed(self, block: bytes) -> None:
        self._queue.put(block)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()


def save_stream(
    response: HttpResponse,
    path: Path,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    what: str | None = None,
) -> Downloaded:
    """Stream a response that cannot be resumed (e.g. TTS bytes) to ``path`` atomically,
    checking its size against Content-Length."""
    label = what or path.name
    digest = hashlib.sha256()
    total = _content_length(response)
    shown = redact_url(response.url)
    with response, atomic_path(path) as tmp:
        interrupted = _stream_into(response, tmp, 0, digest, chunk_size, progress, total)
        size = tmp.stat().st_size
        if interrupted or (total is not None and size != total):
            raise DownloadError(
                f"{label}: {shown}: connection dropped after {size} of "
                f"{total if total is not None else '?'} bytes"
            )
    return Downloaded(path, size, digest.hexdigest(), response.headers.get("Content-Type"), shown)
