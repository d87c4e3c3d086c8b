"""Streaming media downloads that survive a dropped connection.

A file is streamed in large chunks into ``.NAME.<url-hash>.part`` beside its target (see
:func:`part_path`), hashed (sha256) as it arrives, and renamed into place only when its
size matches what the server announced and every checksum it sent matches. The object's
validator (strong ETag or Last-Modified) is recorded beside the part (``.part.meta``);
after a dropped connection, or in a later process, the download resumes with a Range
request and ``If-Range`` carrying it, so a changed object comes back whole and the file
starts again from zero. A part with no recorded validator starts over. A file that an
earlier manifest lists with the same size and sha256 is not fetched again.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import queue
import re
import stat
import threading
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import ApiError, DownloadError, OutputError
from ..output import atomic_path, ensure_directory
from ..wording import printable
from .client import CambClient
from .http import HttpResponse, TransportFailure
from .redact import redact_url

#: Not on every platform; where missing, links are caught by lstat before each use.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

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
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

Progress = Callable[[int, "int | None"], None]
"""Called with (bytes on disk so far, expected total or None) once an answer's headers are
in (before its first byte) and after each chunk; it may raise to stop the download (the
part is kept for a later resume)."""


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


#: The only extensions a media file may get: never one a subtitle format owns, so a video
#: whose URL ends in ``.srt`` cannot take the subtitles' name.
MEDIA_EXTENSIONS = frozenset({*EXTENSIONS.values(), ".mxf", ".wma", ".opus", ".avi", ".ts"})


def extension_for(content_type: str | None, url: str) -> str:
    """The file extension: from ``content_type`` if it names a media type we know, else
    from the URL path if that is in :data:`MEDIA_EXTENSIONS`, else ``.bin``."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in EXTENSIONS:
        return EXTENSIONS[media_type]
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    if suffix in MEDIA_EXTENSIONS:
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


def _remote_size(client: CambClient, url: str,
                 label: str) -> tuple[int, str | None, str | None] | None:
    """The file's total size, Content-Type and validator, from a one-byte Range request;
    ``None`` if the server does not say."""
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
            return content_range[1], response.headers.get("Content-Type"), _validator(response)
    return None


def _content_length(response: HttpResponse) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _validator(response: HttpResponse) -> str | None:
    """What ``If-Range`` may carry to prove the object unchanged: a strong ETag, else
    Last-Modified (RFC 9110 13.1.5; a weak ETag cannot be used)."""
    etag = (response.headers.get("ETag") or "").strip()
    if etag and not etag.startswith("W/"):
        return etag
    return (response.headers.get("Last-Modified") or "").strip() or None


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".meta")


def _read_meta(part: Path) -> dict[str, Any]:
    """The validator and total recorded beside ``part`` when it was started; empty when
    missing, unreadable or a link (then the part cannot be proven and starts over)."""
    meta = _meta_path(part)
    try:
        if not stat.S_ISREG(os.lstat(meta).st_mode):
            return {}
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_meta(part: Path, validator: str | None, total: int | None) -> None:
    meta = _meta_path(part)
    with contextlib.suppress(OSError):
        if os.path.islink(meta):
            meta.unlink()
        fd = os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"validator": validator, "total": total}, handle)


def _drop_part(part: Path) -> None:
    for path in (part, _meta_path(part)):
        with contextlib.suppress(OSError):
            path.unlink()


def _regular_or_absent(part: Path) -> bool:
    """True if ``part`` is a regular file or absent. A link or anything else at our own
    temporary name is removed (never followed) and counts as absent."""
    try:
        mode = os.lstat(part).st_mode
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if stat.S_ISREG(mode):
        return True
    with contextlib.suppress(OSError):
        part.unlink()
    return True


_CHECKSUM_HEADERS = ("x-amz-checksum-sha256", "x-amz-checksum-sha1", "x-amz-checksum-crc32",
                     "Content-MD5")
_MD5_ETAG = re.compile(r'^"?([0-9a-fA-F]{32})"?$')


def expected_checksums(headers: Mapping[str, str], whole: bool) -> dict[str, str]:
    """Checksums of the whole object the server vouched for, as ``{algorithm: hex}``:
    ``x-amz-checksum-*`` (full-object, base64), ``Content-MD5`` (only on a whole-body 200:
    on a 206 it covers the part) and an ETag that is a plain MD5 (a single-part upload; a
    multipart ETag has a ``-N`` suffix and is no checksum)."""
    found: dict[str, str] = {}
    for name in _CHECKSUM_HEADERS:
        value = (headers.get(name) or "").strip()
        if not value or (name == "Content-MD5" and not whole):
            continue
        if name.startswith("x-amz-checksum-") and \
                (headers.get("x-amz-checksum-type") or "FULL_OBJECT").upper() != "FULL_OBJECT":
            continue
        try:
            raw = base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            continue
        found[name.rsplit("-", 1)[-1].lower()] = raw.hex()
    match = _MD5_ETAG.match((headers.get("ETag") or "").strip())
    if match and "md5" not in found:
        found["md5"] = match.group(1).lower()
    return found


class _Crc32:
    """zlib's CRC-32 with a digest's ``update``/``hexdigest``, as storage announces it."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, block: bytes) -> None:
        self.value = zlib.crc32(block, self.value)

    def hexdigest(self) -> str:
        return self.value.to_bytes(4, "big").hex()


def _new_digest(algorithm: str) -> Any:
    return _Crc32() if algorithm == "crc32" else hashlib.new(algorithm)


class _Digests:
    """The sha256 every download gets, and the digests of the checksums the server
    announced (``extra``), fed the same blocks in the same pass."""

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self.sha256 = hashlib.sha256()
        self.extra: dict[str, Any] = dict(extra or {})

    def update(self, block: bytes) -> None:
        self.sha256.update(block)
        for digest in self.extra.values():
            digest.update(block)


def _verify(part: Path, digests: _Digests, expected: Mapping[str, str], chunk_size: int) -> str | None:
    """The first algorithm whose checksum does not match the file, else None. Digests fed
    while streaming are used as they are; one that was not (the download resumed bytes
    kept from before the server named its checksums) is computed from the file."""
    for algorithm, want in expected.items():
        if algorithm == "sha256":
            got = digests.sha256.hexdigest()
        elif algorithm in ("md5", "sha1", "crc32"):
            digest = digests.extra.get(algorithm)
            if digest is None:
                digest = _new_digest(algorithm)
                _hash_into(part, digest, chunk_size)
            got = digest.hexdigest()
        else:
            continue
        if got != want:
            return algorithm
    return None


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
    disk with the same size and sha256, nothing is requested.

    Guarantees: bytes kept from an earlier attempt are resumed only with ``If-Range`` and
    the validator (strong ETag or Last-Modified) recorded when they were fetched, so a
    changed object comes back whole (200) and restarts the file: no old head on a new tail.
    The final size must equal the announced total, and every checksum the server sent
    (see :func:`expected_checksums`) must match. A ``Content-Encoding`` we did not ask for
    is refused. The partial file is opened with ``O_NOFOLLOW``: a link at its name is
    removed, never written through, and never renamed into place. Raises
    :class:`~dubsubs.errors.DownloadError` (message redacted) otherwise.
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
    digest = _Digests()
    offset = 0
    meta = _read_meta(part)
    validator = meta.get("validator") if isinstance(meta.get("validator"), str) else None
    total: int | None = meta.get("total") if isinstance(meta.get("total"), int) else None
    if not _regular_or_absent(part):
        raise DownloadError(f"{label}: cannot use the partial file {part.name}")
    if part.exists():
        if validator is None:
            _drop_part(part)  # bytes of an object we cannot identify: start over
            total = None
        else:
            # An earlier attempt was interrupted: keep its bytes, hash them, ask for the rest.
            offset = _hash_into(part, digest.sha256, chunk_size)
    resumes = 0
    content_type: str | None = None
    expected: dict[str, str] = {}

    def restart() -> None:
        nonlocal offset, digest, validator, total
        offset, validator, total = 0, None, None
        digest = _Digests()
        _drop_part(part)

    while True:
        try:
            response = client.open_media(url, start=offset, if_range=validator, what=label)
        except ApiError as exc:
            if exc.status == 416 and offset:
                remote = _remote_size(client, url, label)
                if remote is not None and remote[0] == offset and remote[2] == validator:
                    content_type = remote[1]  # every byte is here already (hashed above)
                    break
                restart()  # what we kept is not a prefix of this file any more
                resumes += 1
                if resumes > max_resumes:
                    raise DownloadError(f"{label}: {shown}: range not satisfiable") from None
                continue
            raise DownloadError(str(exc)) from exc
        with response:
            if response.content_encoding != "identity":
                # Bytes we did not ask to be encoded: their offsets are not file offsets
                # and saved as they are they would not be the media.
                raise DownloadError(
                    f"{label}: {shown}: the server sent {printable(response.content_encoding)!r}"
                    "-encoded bytes though identity was asked for; refused")
            content_type = response.headers.get("Content-Type")
            length = _content_length(response)
            seen = _validator(response)
            if offset and response.status == 206:
                content_range = _parse_content_range(response.headers.get("Content-Range"))
                # Another total or validator than before means another object: its tail
                # must not be spliced onto the bytes we kept.
                if (
                    content_range is None
                    or content_range[0] != offset
                    or (total is not None and content_range[1] not in (None, total))
                    or (seen is not None and seen != validator)
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
                    restart()  # a changed object (If-Range failed), or Range ignored
                total = length
                validator = seen
                _write_meta(part, validator, total)
            expected = expected_checksums(response.headers, whole=response.status == 200) \
                or expected
            if not offset:  # from the first byte: the announced checksums ride along
                digest = _Digests({a: _new_digest(a) for a in expected if a in ("md5", "sha1", "crc32")})
            if progress is not None:
                progress(offset, total)  # where this answer starts: 0, or what was kept
            try:
                interrupted = _stream_into(response, part, offset, digest, chunk_size,
                                           progress, total)
            except TransportFailure as exc:  # too slow, or stopped: resuming would not help
                kept = part.stat().st_size if part.exists() else 0
                raise DownloadError(
                    f"{label}: {shown}: {exc.reason}; stopped after {kept} of "
                    f"{total if total is not None else '?'} bytes (kept for a later resume)"
                ) from None
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

    sha256_hex = digest.sha256.hexdigest()
    if not _regular_or_absent(part):
        raise DownloadError(f"{label}: cannot use the partial file {part.name}")
    try:
        if not part.exists():
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666)
            os.close(fd)
        mismatch = _verify(part, digest, expected, chunk_size)
    except OSError as exc:
        raise OutputError.cannot_write(part, exc) from exc
    if mismatch is not None:
        _drop_part(part)
        raise DownloadError(
            f"{label}: {shown}: {mismatch} checksum does not match what the server announced;"
            " the file was discarded")
    extension = extension_for(content_type, url)
    target = directory / f"{base_name}{extension}"
    try:
        if not stat.S_ISREG(os.lstat(part).st_mode):
            raise DownloadError(f"{label}: cannot use the partial file {part.name}")
        os.replace(part, target)
    except OSError as exc:
        raise OutputError.cannot_write(target, exc) from exc
    with contextlib.suppress(OSError):
        _meta_path(part).unlink()
    return Downloaded(target, offset, sha256_hex, content_type, shown, resumes=resumes)


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
    A failure that another try would not mend (the body came slower than the client's
    floor, or the client was aborted) is raised as the :class:`TransportFailure`.

    Reads the raw stream (no decoding: we asked for identity) in big chunks so the Python
    overhead per byte stays small and memory stays flat. For a large body the sha256 runs
    in a second thread, fed through a short queue: hashlib releases the GIL on big buffers,
    so hashing overlaps with receiving and writing instead of adding to them.
    """
    remaining = None if total is None else total - offset
    hasher = _Hasher(digest) if remaining is None or remaining > 4 * chunk_size else None
    try:
        flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | (os.O_APPEND if offset else os.O_TRUNC)
        handle = os.fdopen(os.open(part, flags, 0o666), "ab" if offset else "wb")
    except OSError as exc:
        raise OutputError.cannot_write(part, exc) from exc
    try:
        with handle:
            while True:
                try:
                    block = response.read(chunk_size)
                except TransportFailure as exc:
                    if not exc.retryable:
                        raise
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
        try:
            interrupted = _stream_into(response, tmp, 0, digest, chunk_size, progress, total)
        except TransportFailure as exc:
            raise DownloadError(f"{label}: {shown}: {exc.reason}") from None
        size = tmp.stat().st_size
        if interrupted or (total is not None and size != total):
            raise DownloadError(
                f"{label}: {shown}: connection dropped after {size} of "
                f"{total if total is not None else '?'} bytes"
            )
    return Downloaded(path, size, digest.hexdigest(), response.headers.get("Content-Type"), shown)
