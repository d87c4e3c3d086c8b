"""The library side of ``dubsubs fetch``: run ids in, a folder per run out.

For each run, ``DIR/<run_id>/`` receives the dubbed video and the subtitles under one base
name (``1001.mp4`` beside ``1001.srt``, ``1001.vtt``...), so players pick them up together;
the audio beside them as ``1001.audio.<ext>`` (a name no player mistakes for the video's
own); and ``manifest.json``, listing every file with its size and sha256, the timing
decision and repairs, warnings, and the media source URLs without their query strings.
A run dubbed into several languages gets one set per language (``1002.es-ES.srt``,
``1002.es-ES.mp4``).

Runs are fetched concurrently by a bounded thread pool; each succeeds or fails on its own.
A file the previous manifest lists, still on disk with the same size and sha256, is not
downloaded again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import __version__
from .camb.results import iter_results
from .client import CambClient, JsonDict, is_run_id
from .download import Downloaded, download, is_complete
from .errors import DubsubsError, InputError
from .formats import default_formats, get_writer
from .media import probe_duration_ms
from .model import RawTranscript
from .normalize import UnitsOption, normalize
from .output import ensure_directory, write_bytes, write_text
from .pipeline import fit_to_preset, output_name, output_stem, render_all, summary_line
from .redact import redact_url
from .style import Preset
from .wording import shorten

log = logging.getLogger("dubsubs.fetch")

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class FetchOptions:
    formats: tuple[str, ...] | None = None  # None: every registered exporter
    units: UnitsOption = "auto"
    media: bool = True
    jobs: int = 4
    chunk_size: int = 1 << 20
    preset: Preset | None = None  # delivery spec applied after normalising (None: as is)


@dataclass(frozen=True)
class FetchEvent:
    """Something a progress display may show. ``kind`` is ``"run-start"``, ``"bytes"``
    (``done``/``total`` for file ``name``), ``"file"`` (a file finished or was already
    complete: ``skipped``) or ``"run-done"`` (with ``outcome``)."""

    kind: Literal["run-start", "bytes", "file", "run-done"]
    run_id: int
    name: str | None = None
    done: int = 0
    total: int | None = None
    skipped: bool = False
    outcome: RunOutcome | None = None


@dataclass
class RunOutcome:
    """What happened to one run. ``errors`` empty means success."""

    run_id: int
    directory: Path
    files: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    downloaded: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) if self.errors else None


Listener = Callable[[FetchEvent], None]


def _message(run_id: int, error: BaseException, redact: Callable[[str], str]) -> str:
    """The error's text, prefixed with the run unless it already names it, and redacted:
    a parser error may quote a value from the result, such as a presigned URL."""
    text = redact(str(error))
    prefix = f"run {run_id}"
    return text if text.startswith(prefix) else f"{prefix}: {text}"


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest an earlier fetch left in ``directory``; empty if none or unreadable."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _previous_files(manifest: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    files = manifest.get("files")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if isinstance(files, list):
        for entry in files:
            if isinstance(entry, dict) and isinstance(entry.get("role"), str):
                found[(str(entry.get("role")), str(entry.get("stem")))] = entry
    return found


def fetch_runs(
    client: CambClient,
    run_ids: Iterable[int | str],
    out_dir: Path | str,
    options: FetchOptions | None = None,
    listener: Listener | None = None,
    cancel: threading.Event | None = None,
) -> list[RunOutcome]:
    """Fetch every run into ``out_dir/<run_id>/``; one outcome per distinct run id, in the
    order given. Never raises for a single run's failure (see ``RunOutcome.errors``);
    raises :class:`~dubsubs.errors.InputError` for a malformed run id.

    Setting ``cancel`` (from another thread or a listener) stops early: a download in
    flight stops at its next chunk and keeps its ``.part`` for a later resume, runs not
    finished are reported as cancelled. An interrupt in the calling thread (Ctrl-C) sets
    it too, then propagates once the workers have stopped."""
    options = options or FetchOptions()
    formats = tuple(default_formats()) if options.formats is None else options.formats
    for fmt in formats:
        get_writer(fmt)  # a bad format fails before any request
    options = dataclasses.replace(options, formats=formats)
    root = Path(out_dir)
    results = client.dub_results(run_ids)
    lock = threading.Lock()
    stop = cancel if cancel is not None else threading.Event()
    jobs = max(1, options.jobs)
    # Files of one run download side by side too; this keeps the total at --jobs.
    slots = threading.BoundedSemaphore(jobs)

    def emit(event: FetchEvent) -> None:
        if stop.is_set() and event.kind != "run-done":
            raise _Cancelled
        if listener is not None:
            with lock:
                listener(event)

    def work(item: tuple[int, JsonDict | DubsubsError]) -> RunOutcome:
        run_id, result = item
        emit(FetchEvent("run-start", run_id))
        outcome = RunOutcome(run_id, root / str(run_id))
        try:
            if isinstance(result, BaseException):
                outcome.errors.append(_message(run_id, result, client.redact))
            else:
                _fetch_one(client, run_id, result, outcome, options, emit, slots)
        except DubsubsError as error:
            outcome.errors.append(_message(run_id, error, client.redact))
        except Exception as error:  # a bug must not take the other runs down with it
            # The traceback goes to DEBUG only (a configured handler can keep it for a bug
            # report); with no handler, logging's last resort would print it to the user.
            log.debug("run %d failed unexpectedly", run_id, exc_info=True)
            outcome.errors.append(_message(
                run_id, RuntimeError(f"internal error, please report: {type(error).__name__}: {error}"),
                client.redact))
        emit(FetchEvent("run-done", run_id, outcome=outcome))
        return outcome

    def settled(run_id: int, future: Future[RunOutcome]) -> RunOutcome:
        try:
            return future.result()
        except (_Cancelled, CancelledError):
            return RunOutcome(run_id, root / str(run_id), errors=[f"run {run_id}: cancelled"])

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dubsubs-fetch") as pool:
        futures: list[tuple[int, Future[RunOutcome]]] = []
        try:
            for item in results.items():
                futures.append((item[0], pool.submit(work, item)))
            return [settled(run_id, future) for run_id, future in futures]
        except BaseException:
            # Without this the pool would finish every download in flight (however
            # large) before the interrupt got out of the ``with``.
            stop.set()
            for _, future in futures:
                future.cancel()
            raise


class _Cancelled(BaseException):
    """Raised in a worker once the fetch is cancelled. Not an Exception, so no per-run
    handler mistakes it for that run's failure on the way out."""


def _fetch_one(
    client: CambClient,
    run_id: int,
    result: JsonDict,
    outcome: RunOutcome,
    options: FetchOptions,
    emit: Callable[[FetchEvent], None],
    slots: threading.BoundedSemaphore,
) -> None:
    directory = outcome.directory
    source = f"run {run_id}"
    parts: list[RawTranscript] = []
    for part in iter_results(result, source):
        if isinstance(part, InputError):
            outcome.errors.append(_message(run_id, part, client.redact))
        else:
            parts.append(part)
    if not parts and not outcome.errors:
        outcome.errors.append(f"{source}: no transcript in the result")
    if not parts:
        return
    ensure_directory(directory)
    previous = _previous_files(read_manifest(directory))
    transcripts: list[dict[str, Any]] = []

    files: list[_File] = []
    if options.media:
        for index, part in enumerate(parts):
            stem = output_stem(str(run_id), part)
            for role, url, base in (
                ("video", part.video_url, stem),
                ("audio", part.audio_url, f"{stem}.audio"),
            ):
                if url:
                    label = f"run {run_id}: {part.language + ' ' if part.language else ''}{role}"
                    files.append(_File(index, role, url, base, previous.get((role, stem)), label))
    fetched = _download_all(client, run_id, directory, files, options, emit, slots)

    for index, part in enumerate(parts):
        stem = output_stem(str(run_id), part)
        duration_ms: int | None = None
        if options.media:
            for file, got_or_error in zip(files, fetched, strict=True):
                if file.part != index:
                    continue
                role, url = file.role, file.url
                if isinstance(got_or_error, DubsubsError):
                    outcome.errors.append(_message(run_id, got_or_error, client.redact))
                    continue
                got = got_or_error
                if got.skipped:
                    outcome.skipped += 1
                else:
                    outcome.downloaded += 1
                probed = probe_duration_ms(got.path)
                if duration_ms is None:
                    duration_ms = probed
                outcome.files.append({
                    "name": got.name, "role": role, "stem": stem, "language": part.language,
                    "size": got.size, "sha256": got.sha256, "content_type": got.content_type,
                    "duration_ms": probed, "source_url": redact_url(url),
                })
        else:
            # Media from an earlier fetch stays listed (and keeps serving as evidence).
            for role in ("video", "audio"):
                entry = previous.get((role, stem))
                if entry is not None and is_complete(directory, entry):
                    outcome.files.append(entry)
                    kept = entry.get("duration_ms")
                    if duration_ms is None and isinstance(kept, int):
                        duration_ms = kept
        missing = [r for r, u in (("video", part.video_url), ("audio", part.audio_url)) if not u]
        try:
            transcript, report = normalize(
                part, options.units, duration_ms, run_id=str(run_id), language=part.language
            )
            transcript, style = fit_to_preset(transcript, options.preset)
            rendered = render_all(transcript, options.formats or (), preset=options.preset)
        except DubsubsError as error:
            outcome.errors.append(_message(run_id, error, client.redact))
            continue
        for fmt, text in rendered.items():
            name = output_name(stem, fmt)
            data = text.encode("utf-8")  # once: written, sized and hashed
            write_bytes(directory / name, data)
            outcome.files.append({
                "name": name, "role": f"subtitles.{fmt}", "stem": stem,
                "language": part.language, "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            })
        warnings = [f"{stem}: {w}" for w in report.warnings]
        if missing and options.media:
            warnings.append(f"{stem}: the result has no {' or '.join(missing)} URL")
        outcome.warnings.extend(warnings)
        summary = summary_line(report, style)
        outcome.summaries.append(f"{stem}: {summary}")
        transcripts.append({
            "stem": stem, "language": part.language, "media_duration_ms": duration_ms,
            "summary": summary, "report": report.to_dict(),
            "style": style.to_dict() if style is not None else None,
        })

    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "generator": f"dubsubs {__version__}",
        "run_id": run_id,
        "status": "ok" if outcome.ok else "failed",
        "errors": list(outcome.errors),
        "files": outcome.files,
        "transcripts": transcripts,
        "warnings": outcome.warnings,
    }
    write_text(directory / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class _File:
    """One media file of a run: which part (language) and role it belongs to."""

    part: int
    role: str
    url: str
    base: str
    previous: dict[str, Any] | None
    label: str


def _download_all(
    client: CambClient,
    run_id: int,
    directory: Path,
    files: Sequence[_File],
    options: FetchOptions,
    emit: Callable[[FetchEvent], None],
    slots: threading.BoundedSemaphore,
) -> list[Downloaded | DubsubsError]:
    """Every file of a run, side by side, each holding one of the ``--jobs`` slots while it
    downloads; results in the order of ``files``."""

    def one(file: _File) -> Downloaded | DubsubsError:
        def progress(done: int, total: int | None) -> None:
            emit(FetchEvent("bytes", run_id, name=file.base, done=done, total=total))

        with slots:
            try:
                got = download(
                    client, file.url, directory, file.base, previous=file.previous,
                    chunk_size=options.chunk_size, progress=progress, what=file.label,
                )
            except DubsubsError as error:
                return error
        emit(FetchEvent("file", run_id, name=got.name, done=got.size, total=got.size,
                        skipped=got.skipped))
        return got

    if len(files) <= 1:
        return [one(file) for file in files]
    with ThreadPoolExecutor(max_workers=len(files), thread_name_prefix="dubsubs-file") as pool:
        return list(pool.map(one, files))


def read_ids_file(path: Path | str) -> list[str]:
    """Run ids from a file: one per line; blank lines and ``#`` comments ignored."""
    ids: list[str] = []
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a leading BOM is not an id
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=source) from exc
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not is_run_id(value):
            raise InputError(f"{shorten(value, 30)!r} is not a run id", source=source, where=f"line {number}")
        ids.append(value)
    return ids


__all__: Sequence[str] = [
    "FetchEvent",
    "FetchOptions",
    "RunOutcome",
    "fetch_runs",
    "read_ids_file",
    "read_manifest",
]
