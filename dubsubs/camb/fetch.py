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
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import __version__
from ..errors import DubsubsError, InputError
from ..formats import default_formats, get_writer, suffix_format
from ..media import probe_duration_ms
from ..model import RawTranscript
from ..normalize import UnitsOption, normalize
from ..output import (
    FileSet,
    clean_stale_temporaries,
    ensure_directory,
    folder_lock,
    write_text,
)
from ..pipeline import check_stem, fit_to_preset, output_stem, render_outputs, summary_line
from ..review import review_run
from ..style import Preset
from ..wording import printable, shorten
from .client import CambClient, JsonDict, is_run_id
from .download import download, is_complete
from .redact import redact_url
from .results import iter_results

log = logging.getLogger("dubsubs.camb.fetch")

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
    review: bool = True  # write review.html (see dubsubs.review) after the run's files
    writer_options: Mapping[str, Any] | None = None  # format -> its writer options (else preset's/defaults)


@dataclass(frozen=True)
class FetchEvent:
    """Something a progress display may show. ``kind`` is ``"run-start"``, ``"bytes"``
    (``done``/``total`` for file ``name``), ``"file"`` (a file finished or was already
    complete: ``skipped``), ``"file-error"`` (the download of ``name`` failed) or
    ``"run-done"`` (with ``outcome``)."""

    kind: Literal["run-start", "bytes", "file", "file-error", "run-done"]
    run_id: int
    name: str | None = None
    done: int = 0
    total: int | None = None
    skipped: bool = False
    outcome: RunOutcome | None = None


@dataclass(frozen=True)
class FileRecord:
    """One file of a run as the manifest lists it: the one shape for media and subtitles.
    ``source_url`` (media only) has no query string."""

    name: str
    role: str  # "video", "audio" or "subtitles.<format>"
    stem: str
    language: str | None
    size: int
    sha256: str
    content_type: str | None = None
    duration_ms: int | None = None
    source_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if self.role.startswith("subtitles."):
            for key in ("content_type", "duration_ms", "source_url"):
                data.pop(key)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> FileRecord | None:
        """The record an earlier manifest holds, or None if its shape is not one."""
        if not isinstance(data, dict):
            return None
        try:
            record = cls(**{f.name: data.get(f.name)  # type: ignore[arg-type]  # checked below
                            for f in dataclasses.fields(cls)})
        except TypeError:
            return None
        texts = (record.name, record.role, record.stem, record.sha256)
        if not all(isinstance(t, str) for t in texts) or isinstance(record.size, bool) \
                or not isinstance(record.size, int):
            return None
        if record.duration_ms is not None and not isinstance(record.duration_ms, int):
            return None
        return record


@dataclass
class RunOutcome:
    """What happened to one run. ``errors`` empty means success."""

    run_id: int
    directory: Path
    files: list[FileRecord] = field(default_factory=list)
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


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest an earlier fetch left in ``directory``: empty if there is none, None
    if it is unreadable (not UTF-8, not JSON, nested too deeply, not an object). Either
    way nothing in it is trusted: files it lists are checked again by size and hash."""
    try:
        text = (directory / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


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
    it too and aborts the client's requests in flight (a read blocked on a slow server
    returns at once), then propagates once the workers have stopped and each run's
    manifest says ``"interrupted"``; the client takes requests again afterwards."""
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

    aborted = False
    try:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dubsubs-fetch") as pool:
            futures: list[tuple[int, Future[RunOutcome]]] = []
            try:
                for item in results.items():
                    futures.append((item[0], pool.submit(work, item)))
                return [settled(run_id, future) for run_id, future in futures]
            except BaseException:
                # Without this the pool would finish every download in flight (however
                # large, however slow) before the interrupt got out of the ``with``.
                stop.set()
                aborted = True
                client.abort()
                for _, future in futures:
                    future.cancel()
                raise
    finally:
        if aborted:
            client.resume()


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
    """One run, under a lock on its folder. Guarantees: a bad language (unreadable, a tag
    that makes no file name, a name another language already has) fails that language
    only; the run's subtitle files are written as one set, all or nothing; the manifest is
    written last, also when the run is interrupted (so complete media is not fetched
    again)."""
    directory = outcome.directory
    ensure_directory(directory)
    with folder_lock(directory):
        removed = clean_stale_temporaries(directory)
        if removed:
            log.info("run %d: removed %d stale temporary files", run_id, removed)
        manifest = read_manifest(directory)
        if manifest is None:
            outcome.warnings.append(
                f"{MANIFEST} was unreadable: treated as absent, files checked again by hash")
        previous = _previous_files(manifest or {})
        transcripts: list[dict[str, Any]] = []
        try:
            _fetch_parts(client, run_id, result, outcome, options, emit, slots, previous,
                         transcripts)
        except _Cancelled:
            _write_manifest(directory, run_id, outcome, transcripts, status="interrupted")
            raise
        _write_manifest(directory, run_id, outcome, transcripts, review=options.review,
                        preset=options.preset)


def _write_manifest(directory: Path, run_id: int, outcome: RunOutcome,
                    transcripts: list[dict[str, Any]], status: str | None = None,
                    review: bool = False, preset: Preset | None = None) -> None:
    """The manifest, last; with ``review``, the review page first, listed in it (a page
    that cannot be built is a warning, never a lost run)."""
    if review:
        page = review_run(directory, _manifest(run_id, outcome, transcripts, status), preset)
        if page.entry is not None:
            record = FileRecord.from_dict(page.entry)
            if record is not None:
                outcome.files.append(record)
        outcome.warnings.extend(page.warnings)
    manifest = _manifest(run_id, outcome, transcripts, status)
    write_text(directory / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _format_of(name: str) -> str:
    """The format a subtitle file of ours is in, by the suffix it owns (``dapt`` for
    ``1001.dapt.ttml``, not ``ttml``)."""
    fmt = suffix_format(name)
    return fmt.name if fmt is not None else Path(name).suffix.lstrip(".")


def _manifest(run_id: int, outcome: RunOutcome, transcripts: list[dict[str, Any]],
              status: str | None) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": f"dubsubs {__version__}",
        "run_id": run_id,
        "status": status or ("ok" if outcome.ok else "failed"),
        "errors": list(outcome.errors),
        "files": [record.to_dict() for record in outcome.files],
        "transcripts": transcripts,
        "warnings": outcome.warnings,
    }


def _fetch_parts(
    client: CambClient,
    run_id: int,
    result: JsonDict,
    outcome: RunOutcome,
    options: FetchOptions,
    emit: Callable[[FetchEvent], None],
    slots: threading.BoundedSemaphore,
    previous: dict[tuple[str, str], dict[str, Any]],
    transcripts: list[dict[str, Any]],
) -> None:
    directory = outcome.directory
    source = f"run {run_id}"
    parts: list[tuple[RawTranscript, str]] = []
    stems: dict[str, str] = {}  # case-folded stem -> the language that has it
    for part in iter_results(result, source, one_run=True):
        if isinstance(part, InputError):
            outcome.errors.append(_message(run_id, part, client.redact))
            continue
        stem = output_stem(str(run_id), part)
        # The key as the result spelt it: es-ES and ES_ES are one tag but two languages.
        spelt = part.extra.get("language_key", part.language)
        shown = printable(shorten(repr(spelt), 40))
        try:
            check_stem(stem)
        except ValueError as error:
            outcome.errors.append(f"{source}: language {shown}: {error}")
            continue
        other = stems.get(stem.casefold())
        if other is not None:
            outcome.errors.append(
                f"{source}: languages {other} and {shown} both map to {stem}.*; "
                f"{shown} is not written")
            continue
        stems[stem.casefold()] = shown
        parts.append((part, stem))
    if not parts and not outcome.errors:
        outcome.errors.append(f"{source}: no transcript in the result")
    if not parts:
        return

    files: list[_File] = []
    if options.media:
        for index, (part, stem) in enumerate(parts):
            for role, url, base in (
                ("video", part.video_url, stem),
                ("audio", part.audio_url, f"{stem}.audio"),
            ):
                if url:
                    label = f"run {run_id}: {part.language + ' ' if part.language else ''}{role}"
                    files.append(_File(index, role, url, base, previous.get((role, stem)), label,
                                       stem, part.language))
    fetched = _download_all(client, run_id, directory, files, options, emit, slots, outcome)
    # Listed in the order of the result (they were added as they finished).
    outcome.files[:] = [got for got in fetched if isinstance(got, FileRecord)]

    subtitle_files: dict[str, bytes] = {}
    owners: dict[str, tuple[str, str | None]] = {}  # file name -> (stem, language)
    for index, (part, stem) in enumerate(parts):
        duration_ms: int | None = None
        if options.media:
            for file, got_or_error in zip(files, fetched, strict=True):
                if file.part != index or isinstance(got_or_error, FileRecord):
                    if file.part == index and isinstance(got_or_error, FileRecord) \
                            and duration_ms is None:
                        duration_ms = got_or_error.duration_ms
                    continue
                outcome.errors.append(_message(run_id, got_or_error, client.redact))
        else:
            # Media from an earlier fetch stays listed (and keeps serving as evidence).
            for role in ("video", "audio"):
                entry = previous.get((role, stem))
                record = FileRecord.from_dict(entry) if entry is not None else None
                if record is not None and is_complete(directory, entry):
                    outcome.files.append(record)
                    if duration_ms is None and record.duration_ms is not None:
                        duration_ms = record.duration_ms
        missing = [r for r, u in (("video", part.video_url), ("audio", part.audio_url)) if not u]
        try:
            transcript, report = normalize(
                part, options.units, duration_ms, run_id=str(run_id), language=part.language
            )
            transcript, style = fit_to_preset(transcript, options.preset)
            rendered = render_outputs(transcript, stem, options.formats or (), options.writer_options,
                                      preset=options.preset)
        except DubsubsError as error:
            outcome.errors.append(_message(run_id, error, client.redact))
            continue
        for name, data in rendered.files.items():
            subtitle_files[name] = data
            owners[name] = (stem, part.language)
        warnings = [f"{stem}: {w}" for w in (*report.warnings, *rendered.notes)]
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
    media_names = {record.name.casefold() for record in outcome.files}
    for name in list(subtitle_files):
        if name.casefold() in media_names:  # cannot happen with the allow-list; checked
            outcome.errors.append(f"{source}: {name} is both media and subtitles")
            del subtitle_files[name]
    # One set for the whole run, as convert writes one: all or nothing, before the manifest;
    # each file sized and hashed as it is written.
    records: list[FileRecord] = []
    with FileSet(hash_files=True) as file_set:
        for name, data in subtitle_files.items():
            written = file_set.add(directory / name, data)
            stem, language = owners[name]
            records.append(FileRecord(
                name=name, role=f"subtitles.{_format_of(name)}", stem=stem, language=language,
                size=written.size, sha256=written.sha256 or "",
            ))
    outcome.files.extend(records)  # listed once every file of the set is in place


@dataclass(frozen=True)
class _File:
    """One media file of a run: which part (language) and role it belongs to."""

    part: int
    role: str
    url: str
    base: str
    previous: dict[str, Any] | None
    label: str
    stem: str = ""
    language: str | None = None


def _download_all(
    client: CambClient,
    run_id: int,
    directory: Path,
    files: Sequence[_File],
    options: FetchOptions,
    emit: Callable[[FetchEvent], None],
    slots: threading.BoundedSemaphore,
    outcome: RunOutcome,
) -> list[FileRecord | DubsubsError]:
    """Every file of a run, side by side, each holding one of the ``--jobs`` slots while it
    downloads; results in the order of ``files``. Each finished file is added to
    ``outcome.files`` at once, so a manifest written on interruption lists it. If the
    fetch is cancelled, the files in flight stop and :class:`_Cancelled` is raised once
    all have."""
    lock = threading.Lock()
    cancelled = threading.Event()

    def one(file: _File) -> FileRecord | DubsubsError | None:
        def progress(done: int, total: int | None) -> None:
            emit(FetchEvent("bytes", run_id, name=file.base, done=done, total=total))

        try:
            with slots:
                try:
                    got = download(
                        client, file.url, directory, file.base, previous=file.previous,
                        chunk_size=options.chunk_size, progress=progress, what=file.label,
                    )
                except DubsubsError as error:
                    # Also where an interrupt ends up (the client was aborted): the event
                    # raises _Cancelled then, so the run is reported interrupted.
                    emit(FetchEvent("file-error", run_id, name=file.base))
                    return error
            record = FileRecord(
                name=got.name, role=file.role, stem=file.stem, language=file.language,
                size=got.size, sha256=got.sha256, content_type=got.content_type,
                duration_ms=probe_duration_ms(got.path), source_url=redact_url(file.url),
            )
            with lock:
                outcome.files.append(record)
                if got.skipped:
                    outcome.skipped += 1
                else:
                    outcome.downloaded += 1
            emit(FetchEvent("file", run_id, name=got.name, done=got.size, total=got.size,
                            skipped=got.skipped))
            return record
        except _Cancelled:
            cancelled.set()
            return None

    if len(files) <= 1:
        results = [one(file) for file in files]
    else:
        with ThreadPoolExecutor(max_workers=len(files), thread_name_prefix="dubsubs-file") as pool:
            results = list(pool.map(one, files))
    if cancelled.is_set():
        raise _Cancelled
    return [r for r in results if r is not None]


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
