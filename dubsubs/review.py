"""The review page: one self-contained HTML file per run folder, opened by double-click.

A producer, a translator or a QC reviewer watches the subtitles over the picture: the
dubbed video (or the audio) beside the page, each language's cues as a text track, a cue
list with speakers in colour, the findings of :func:`~dubsubs.style.check` on their cues,
the timing decision and repairs, the files and the run's warnings.

Two steps, so the HTML is built by a pure function::

    data = gather("out/1001")            # reads the folder: manifest, media, subtitles
    html = render(data)                  # text; nothing read or written
    write_review("out/1001")             # both, written atomically as review.html

The page needs no server and no network. It refers to the media beside it by relative
path and embeds everything else: the data as JSON in a ``<script type="application/json">``
block (``<``, ``>``, ``&``, U+2028 and U+2029 escaped), the styles and the script, which
builds the DOM with ``textContent`` only. A Content-Security-Policy allows that one script
(by hash), media from the folder, and nothing else: no connection, no other script.
Chromium refuses ``<track src>`` on a ``file://`` page, so the text tracks are built from
the embedded cues (``addTextTrack`` and ``VTTCue``).

Only file names reach the page: never a manifest's source URL, a key or a query string.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .camb.redact import redact_text
from .errors import DubsubsError, InputError, OptionError
from .formats import DEFAULT_READ, ReadOptions, read_parts
from .model import RawTranscript
from .output import write_text
from .pipeline import file_cues
from .style import CheckReport, Preset, check, get_preset

log = logging.getLogger("dubsubs.review")

#: The page's file name in a run folder.
REVIEW_NAME = "review.html"
#: The manifest ``dubsubs.fetch`` writes (the same name; not imported, so that reading a
#: folder does not import the HTTP side).
MANIFEST_NAME = "manifest.json"
#: The role of the page's entry in a manifest's file list.
REVIEW_ROLE = "review"

#: Which file of a subtitle set is read back, best first: dubsubs JSON keeps speakers and
#: exact times, WebVTT voices and TTML agents keep speakers, SRT does not.
SUBTITLE_SUFFIXES = (".json", ".vtt", ".ttml", ".srt")
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".ogv")
AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".flac", ".wav", ".ogg", ".oga", ".opus")
#: ``1001.audio.mp3`` is the audio of the set ``1001`` (the name fetch gives it).
AUDIO_MARK = ".audio"


@dataclass(frozen=True, slots=True)
class ReviewCue:
    """One cue as the file holds it, in file order: whole ms, possibly inverted or out of
    order (``check`` reports those; the page clamps them only to play them)."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """A media file beside the page: its name and whether it is video or audio."""

    name: str
    kind: str  # "video" or "audio"


@dataclass(frozen=True, slots=True)
class RepairNote:
    """A repair from the manifest, and the cue (1-based) it became, when that is known."""

    item: int
    kind: str
    detail: str
    cue: int | None


@dataclass(frozen=True)
class ReviewTrack:
    """One subtitle set (a language of the run): the cues of the file read back, their
    check, and what the manifest says about how they were made."""

    stem: str
    label: str
    language: str | None
    subtitle_file: str
    cues: tuple[ReviewCue, ...]
    check: CheckReport
    preset_description: str
    media: Media | None = None
    timing: Mapping[str, Any] | None = None  # units, method, confidence, summary, evidence
    repairs: tuple[RepairNote, ...] = ()
    repairs_note: str | None = None  # why repairs are not linked to cues, if they are not
    style_summary: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewFile:
    name: str
    role: str
    language: str | None
    size: int | None
    missing: bool = False


@dataclass(frozen=True)
class ReviewData:
    """Everything the page shows. Built by :func:`gather`, rendered by :func:`render`."""

    title: str
    tracks: tuple[ReviewTrack, ...]
    run_id: int | str | None = None
    status: str | None = None
    preset: str = "none"
    files: tuple[ReviewFile, ...] = ()
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the page builder itself had to say
    generator: str = f"dubsubs {__version__}"

    @property
    def speakers(self) -> tuple[str, ...]:
        """Every speaker of every track, in order of first appearance: a speaker keeps one
        colour whatever the language."""
        seen: dict[str, None] = {}
        for track in self.tracks:
            for cue in track.cues:
                if cue.speaker is not None:
                    seen.setdefault(cue.speaker, None)
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        """The page's embedded data. Cues are ``[start_ms, end_ms, speaker, text]`` with
        the speaker as an index into ``speakers`` (-1: none): compact for 20,000 cues."""
        speakers = self.speakers
        index = {name: i for i, name in enumerate(speakers)}
        return {
            "generator": self.generator,
            "title": self.title,
            "run_id": self.run_id,
            "status": self.status,
            "preset": self.preset,
            "speakers": list(speakers),
            "tracks": [_track_dict(track, index) for track in self.tracks],
            "files": [
                {"name": f.name, "href": _href(f.name), "role": f.role, "language": f.language,
                 "size": f.size, "missing": f.missing}
                for f in self.files
            ],
            "warnings": list(self.warnings),
            "errors": list(self.errors),
            "notes": list(self.notes),
        }


def _track_dict(track: ReviewTrack, speakers: Mapping[str, int]) -> dict[str, Any]:
    report = track.check
    return {
        "stem": track.stem,
        "label": track.label,
        "language": track.language,
        "file": track.subtitle_file,
        "media": None if track.media is None else {
            "name": track.media.name, "src": _href(track.media.name), "kind": track.media.kind},
        "cues": [[c.start_ms, c.end_ms, speakers.get(c.speaker, -1) if c.speaker is not None else -1,
                  c.text] for c in track.cues],
        "check": {
            "preset": report.preset,
            "description": track.preset_description,
            "errors": report.errors,
            "warnings": report.warnings,
            "summary": report.summary(),
        },
        # [cue index from 0, rule, measured, limit, unit, severity]
        "findings": [[v.cue - 1, v.rule, v.measured, v.limit, v.unit, v.severity]
                     for v in report.violations],
        "timing": None if track.timing is None else dict(track.timing),
        "repairs": [{"item": r.item, "kind": r.kind, "detail": r.detail,
                     "cue": None if r.cue is None else r.cue - 1} for r in track.repairs],
        "repairs_note": track.repairs_note,
        "style": track.style_summary,
    }


def _href(name: str) -> str:
    """A relative URL for a file beside the page: every character that means something
    in a URL (``#``, ``?``, ``:``, ``%``) escaped, so a name is never read as a scheme."""
    return "./" + quote(name, safe="")


# --------------------------------------------------------------------------- gathering


def read_manifest_strict(directory: Path) -> dict[str, Any] | None:
    """The folder's manifest; ``None`` when there is none; :class:`InputError` (naming the
    folder) when there is one that cannot be read."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{MANIFEST_NAME}: cannot read: {exc.strerror or exc}",
                         source=str(directory)) from exc
    except ValueError as exc:  # JSON or UTF-8
        raise InputError(f"{MANIFEST_NAME} is not valid JSON ({exc})", source=str(directory)) from exc
    if not isinstance(data, dict):
        raise InputError(f"{MANIFEST_NAME} is not a JSON object", source=str(directory))
    return data


def _subtitle_sets(directory: Path) -> dict[str, list[Path]]:
    """Subtitle files by stem (``1002.es-ES`` -> its .json, .vtt, .ttml, .srt), best first."""
    sets: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        name = path.name
        if name.startswith(".") or name == MANIFEST_NAME or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in SUBTITLE_SUFFIXES:
            sets.setdefault(name[: -len(suffix)], []).append(path)
    for paths in sets.values():
        paths.sort(key=lambda p: SUBTITLE_SUFFIXES.index(p.suffix.lower()))
    return sets


def _media_files(directory: Path) -> dict[str, list[Media]]:
    """Media files by the stem they belong to, video before audio."""
    found: dict[str, list[Media]] = {}
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if path.name.startswith(".") or not path.is_file():
            continue
        stem = path.name[: -len(suffix)] if suffix else path.name
        if suffix in VIDEO_SUFFIXES:
            kind = "video"
        elif suffix in AUDIO_SUFFIXES:
            kind = "audio"
        else:
            continue
        if stem.endswith(AUDIO_MARK):
            stem, kind = stem[: -len(AUDIO_MARK)], "audio"
        found.setdefault(stem, []).append(Media(path.name, kind))
    for media in found.values():
        media.sort(key=lambda m: m.kind != "video")
    return found


def _media_for(stem: str, by_stem: Mapping[str, Sequence[Media]]) -> Media | None:
    """The media named like ``stem``: the same stem, else the longest stem that is a
    dotted prefix of it (``episode3.mp4`` plays under ``episode3.es-ES.srt``)."""
    candidates = [s for s in by_stem if s == stem or stem.startswith(s + ".")]
    if not candidates:
        return None
    return by_stem[max(candidates, key=len)][0]


def _manifest_media(manifest: Mapping[str, Any], directory: Path) -> dict[str, list[Media]]:
    found: dict[str, list[Media]] = {}
    for entry in _entries(manifest.get("files")):
        role, name, stem = entry.get("role"), entry.get("name"), entry.get("stem")
        if role in ("video", "audio") and isinstance(name, str) and isinstance(stem, str) \
                and _plain_name(name) and (directory / name).is_file():
            found.setdefault(stem, []).append(Media(name, str(role)))
    for media in found.values():
        media.sort(key=lambda m: m.kind != "video")
    return found


def _entries(value: Any) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _plain_name(name: str) -> bool:
    """A name of a file in the folder itself: no path, nothing to climb out with."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def _file_cues(raw: RawTranscript) -> tuple[ReviewCue, ...]:
    """The cues of one transcript as ``dubsubs check`` checks them (in file order,
    unrepaired, whole ms), with their speakers."""
    return tuple(ReviewCue(c.start_ms, c.end_ms, c.text, c.speaker) for c in file_cues(raw))


def _read_set(paths: Sequence[Path], notes: list[str],
              read_options: ReadOptions = DEFAULT_READ) -> tuple[Path, RawTranscript] | None:
    """The first file of a set that reads back as one transcript; each that does not gets
    a note, and the next is tried."""
    for path in paths:
        parts = read_parts(path, read_options)
        good = [p for p in parts if isinstance(p, RawTranscript)]
        if len(parts) == 1 and len(good) == 1:
            return path, good[0]
        problem = next((str(p) for p in parts if not isinstance(p, RawTranscript)),
                       f"{path.name}: holds {len(parts)} transcripts, not one")
        notes.append(f"not read: {_local(problem, path.parent)}")
    return None


def _local(message: str, directory: Path) -> str:
    """A message without the folder's own path in it: the page names files only."""
    return message.replace(f"{directory}/", "").replace(str(directory), ".")


def _preset_named(name: Any, notes: list[str], stem: str) -> Preset:
    if not isinstance(name, str) or not name:
        return get_preset("none")
    try:
        return get_preset(name)
    except OptionError:
        notes.append(f"{stem}: written with preset {name!r}, which cannot be rebuilt from its "
                     "name; checked against 'none' (give --preset)")
        return get_preset("none")


def _link_repairs(repairs: Sequence[Mapping[str, Any]], cues: Sequence[ReviewCue],
                  dialogue: Sequence[tuple[int, int]] | None) -> tuple[tuple[RepairNote, ...], str | None]:
    """Each repaired source item with the cue it became.

    The manifest names a repair by the item's position in the source list. Without
    reordering, item ``i`` is dialogue line ``i`` less the empty items dropped before it;
    when the cues were not re-cut (``dialogue`` is ``None``) that line is cue ``i``,
    otherwise the first cue overlapping the line's time. After a reordering the positions
    are not known from the files, so no repair is linked.
    """
    notes: list[RepairNote] = []
    reordered = any(r.get("kind") == "reordered" for r in repairs)
    dropped = sorted(int(r["index"]) for r in repairs
                     if r.get("kind") == "dropped_empty" and isinstance(r.get("index"), int))
    for repair in repairs:
        item = repair.get("index")
        if not isinstance(item, int):
            continue
        kind, detail = str(repair.get("kind", "")), str(repair.get("detail", ""))
        cue: int | None = None
        if not reordered and kind != "dropped_empty":
            line = item - bisect.bisect_left(dropped, item)
            if dialogue is None:
                cue = line + 1 if 0 <= line < len(cues) else None
            elif 0 <= line < len(dialogue):
                start, end = dialogue[line]
                cue = next((n for n, c in enumerate(cues, 1) if c.start_ms < max(end, start + 1)
                            and c.end_ms > start), None)
        notes.append(RepairNote(item, kind, detail, cue))
    why = "items were reordered, so the cue each repaired item became is not known" if reordered else None
    return tuple(notes), why


def _dialogue(path: Path | None) -> list[tuple[int, int]] | None:
    """The uncut dialogue lines a dubsubs JSON export keeps beside re-cut cues, in ms."""
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        lines = document.get("dialogue") if isinstance(document, dict) else None
        if not isinstance(lines, list):
            return None
        return [(round(float(d["start"]) * 1000), round(float(d["end"]) * 1000)) for d in lines]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _source_units(path: Path | None) -> dict[str, Any] | None:
    """The timing decision a dubsubs JSON export records, for a folder with no manifest."""
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    units = document.get("source_units") if isinstance(document, dict) else None
    if not isinstance(units, dict) or units.get("unit") not in ("s", "ms"):
        return None
    return {"units": units["unit"], "method": units.get("method"), "confidence": units.get("confidence"),
            "summary": None, "evidence": [], "notes": [], "source": path.name}


def _clean(value: Any) -> str:
    """A string from the manifest, as safe to show as any message: no query strings."""
    return redact_text(str(value))


def _timing(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    report = entry.get("report")
    if not isinstance(report, dict):
        return None
    return {
        "units": report.get("units"),
        "method": report.get("method"),
        "confidence": report.get("confidence"),
        "summary": _clean(entry["summary"]) if entry.get("summary") else None,
        "evidence": [{"kind": _clean(e.get("kind", "")), "score": e.get("score"),
                      "favours": e.get("favours"), "detail": _clean(e.get("detail", ""))}
                     for e in _entries(report.get("evidence"))],
        "notes": [_clean(n) for n in report.get("notes", []) if isinstance(n, str)],
        "items_in": report.get("items_in"),
        "cues_out": report.get("cues_out"),
        "source": MANIFEST_NAME,
    }


def gather(directory: Path | str, *, manifest: Mapping[str, Any] | None = None,
           preset: Preset | None = None, read_options: ReadOptions = DEFAULT_READ) -> ReviewData:
    """Read a run folder: its manifest (``manifest`` if given, else ``manifest.json`` if
    present), its subtitle sets read back through the readers, the media named like them,
    and the findings of :func:`~dubsubs.style.check` for ``preset`` (default: the preset
    the manifest says wrote each set, else ``none``). ``read_options``: how to decode
    subtitle files without a byte-order mark (``--encoding``).

    Raises :class:`~dubsubs.errors.InputError` naming the folder when it is not a folder,
    holds no subtitles that can be read, or has a manifest that cannot be read.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError("not a folder", source=str(folder))
    if manifest is None:
        manifest = read_manifest_strict(folder) or {}
    notes: list[str] = []
    sets = _subtitle_sets(folder)
    by_stem = _manifest_media(manifest, folder) if manifest else {}
    beside = _media_files(folder)
    entries = {str(t.get("stem")): t for t in _entries(manifest.get("transcripts"))}
    order = {stem: i for i, stem in enumerate(entries)}
    tracks: list[ReviewTrack] = []
    used: list[Path] = []
    for stem in sorted(sets, key=lambda s: (order.get(s, len(order)), s)):
        found = _read_set(sets[stem], notes, read_options)
        if found is None:
            continue
        path, raw = found
        try:
            cues = _file_cues(raw)
        except DubsubsError as error:
            notes.append(f"not read: {_local(str(error), folder)}")
            continue
        used.extend(sets[stem])
        entry = entries.get(stem, {})
        language = raw.language or (entry.get("language") if isinstance(entry.get("language"), str) else None)
        style = entry.get("style") if isinstance(entry.get("style"), dict) else None
        chosen = preset or _preset_named(style.get("preset") if style else "none", notes, stem)
        limits = chosen.for_language(language)
        description = limits.describe() if not limits.is_lossless or limits.max_cps else (
            f"{limits.name}: no delivery limits; only empty, inverted, out-of-order and overlapping "
            "cues are findings")
        report = check(cues, chosen, language=language, source=path.name)
        media = _media_for(stem, by_stem) or _media_for(stem, beside)
        if media is not None and media.name not in [p.name for p in used]:
            used.append(folder / media.name)
        json_file = next((p for p in sets[stem] if p.suffix.lower() == ".json"), None)
        timing = _timing(entry) if entry else _source_units(json_file)
        report_entry = entry.get("report")
        raw_report: dict[str, Any] = report_entry if isinstance(report_entry, dict) else {}
        repairs, repairs_note = _link_repairs(
            _entries(raw_report.get("repairs")), cues,
            _dialogue(json_file) if style and style.get("preset") not in (None, "none") else None)
        tracks.append(ReviewTrack(
            stem=stem, label=language or stem, language=language, subtitle_file=path.name, cues=cues,
            check=report, preset_description=description, media=media, timing=timing,
            repairs=repairs, repairs_note=repairs_note,
            style_summary=_style_summary(entry),
        ))
    if not tracks:
        why = "; ".join(notes) if notes else "no .json, .vtt, .ttml or .srt file"
        raise InputError(f"no subtitles to review ({why})", source=str(folder))
    labels = [t.label for t in tracks]
    if len(set(labels)) < len(labels):  # two sets in one language: tell them apart by name
        tracks = [_relabel(t) for t in tracks]
    if not any(t.media for t in tracks):
        notes.append("no video or audio named like the subtitles in this folder: cues only")
    run_id = manifest.get("run_id")
    title = f"Run {run_id}" if isinstance(run_id, (int, str)) and run_id != "" else folder.resolve().name
    presets = sorted({t.check.preset for t in tracks})
    return ReviewData(
        title=title,
        tracks=tuple(tracks),
        run_id=run_id if isinstance(run_id, (int, str)) else None,
        status=_clean(manifest["status"]) if isinstance(manifest.get("status"), str) else None,
        preset=", ".join(presets),
        files=_files(folder, manifest, used),
        warnings=tuple(_clean(w) for w in manifest.get("warnings", []) if isinstance(w, str)),
        errors=tuple(_clean(e) for e in manifest.get("errors", []) if isinstance(e, str)),
        notes=tuple(_clean(n) for n in notes),
    )


def _relabel(track: ReviewTrack) -> ReviewTrack:
    return replace(track, label=f"{track.label} ({track.stem})" if track.label != track.stem else track.stem)


def _style_summary(entry: Mapping[str, Any]) -> str | None:
    summary = entry.get("summary")
    if isinstance(summary, str) and "; style " in summary:
        return _clean("style " + summary.split("; style ", 1)[1])
    return None


def _files(folder: Path, manifest: Mapping[str, Any], used: Sequence[Path]) -> tuple[ReviewFile, ...]:
    """The run's files with their sizes: the manifest's list (the page's own entry left
    out), else the subtitle and media files the page uses."""
    listed = [e for e in _entries(manifest.get("files")) if e.get("role") != REVIEW_ROLE]
    out: list[ReviewFile] = []
    if listed:
        for entry in listed:
            name = entry.get("name")
            if not isinstance(name, str) or not _plain_name(name):
                continue
            listed_size, language = entry.get("size"), entry.get("language")
            out.append(ReviewFile(
                name, str(entry.get("role", "")), language if isinstance(language, str) else None,
                listed_size if isinstance(listed_size, int) else None,
                missing=not (folder / name).is_file()))
        manifest_path = folder / MANIFEST_NAME
        if manifest_path.is_file():
            out.append(ReviewFile(MANIFEST_NAME, "manifest", None, manifest_path.stat().st_size))
        return tuple(out)
    for path in dict.fromkeys(used):
        suffix = path.suffix.lower()
        role = f"subtitles.{suffix.lstrip('.')}" if suffix in SUBTITLE_SUFFIXES else (
            "audio" if suffix in AUDIO_SUFFIXES or path.stem.endswith(AUDIO_MARK) else "video")
        try:
            size: int | None = path.stat().st_size
        except OSError:
            size = None
        out.append(ReviewFile(path.name, role, None, size, missing=size is None))
    return tuple(out)


# --------------------------------------------------------------------------- rendering

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


@cache
def _asset(name: str) -> str:
    return files("dubsubs").joinpath(f"data/review/{name}").read_text(encoding="utf-8")


def json_for_script(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or
    ``&`` (so no ``</script>`` or ``<!--``), no U+2028/U+2029, and lone surrogates (which
    UTF-8 cannot hold) as escapes. ``JSON.parse`` gives back exactly ``value``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _SCRIPT_ESCAPES.get(char) or f"\\u{ord(char):04x}"

    return _SCRIPT_UNSAFE.sub(escape, text)


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return "; ".join((
        "default-src 'none'",
        f"script-src 'sha256-{digest}'",
        "style-src 'unsafe-inline'",
        "media-src 'self' file: blob:",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))


def render(data: ReviewData) -> str:
    """The page's HTML text. Pure: ``data`` in, text out."""
    script = _asset("review.js")
    if "</script" in script.lower():  # pragma: no cover - a guard on our own asset
        raise AssertionError("review.js must not contain '</script'")
    values = {
        "TITLE": html.escape(_SURROGATE.sub("\ufffd", f"{data.title} · dubsubs review"), quote=True),
        "CSP": html.escape(_csp(script), quote=False).replace('"', "&quot;"),  # readable: ' kept
        "STYLE": _asset("review.css"),
        "DATA": json_for_script(data.to_dict()),
        "SCRIPT": script,
    }
    # One pass: a value is never searched for placeholders (the data may contain "{{").
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("review.html"))


def write_review(directory: Path | str, *, manifest: Mapping[str, Any] | None = None,
                 preset: Preset | None = None,
                 read_options: ReadOptions = DEFAULT_READ) -> tuple[Path, ReviewData]:
    """Gather, render and write ``directory/review.html`` (atomically); return its path and
    the data it shows."""
    data = gather(directory, manifest=manifest, preset=preset, read_options=read_options)
    path = write_text(Path(directory) / REVIEW_NAME, render(data))
    return path, data


def manifest_entry(path: Path) -> dict[str, Any]:
    """The page's entry for a manifest's file list, in the shape of the others."""
    body = path.read_bytes()
    return {"name": path.name, "role": REVIEW_ROLE, "stem": "", "language": None,
            "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def update_manifest_entry(directory: Path | str, path: Path) -> bool:
    """After a rebuild: refresh the page's size and sha256 in the folder's manifest, when
    the manifest lists the page. Returns whether it did."""
    folder = Path(directory)
    manifest = read_manifest_strict(folder)
    if manifest is None or not isinstance(manifest.get("files"), list):
        return False
    listed = manifest["files"]
    positions = [i for i, e in enumerate(listed) if isinstance(e, dict) and e.get("role") == REVIEW_ROLE]
    if not positions:
        return False
    entry = manifest_entry(path)
    if all(listed[i] == entry for i in positions):
        return True
    for i in positions:
        listed[i] = entry
    write_text(folder / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return True


@dataclass
class RunReview:
    """What :func:`review_run` did for ``fetch``: the manifest entry of the page, or the
    warning saying why there is none."""

    entry: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


def review_run(directory: Path, manifest: Mapping[str, Any], preset: Preset | None) -> RunReview:
    """Write a fetched run's page from the manifest about to be written. Never raises: a
    page that cannot be built costs a warning, never the run."""
    try:
        path, _ = write_review(directory, manifest=manifest, preset=preset)
        return RunReview(entry=manifest_entry(path))
    except DubsubsError as error:
        return RunReview(warnings=[f"{REVIEW_NAME} not written: {_local(str(error), directory)}"])
    except Exception as error:  # a bug in the page must not lose the run
        log.debug("review page for %s failed", directory, exc_info=True)
        return RunReview(warnings=[f"{REVIEW_NAME} not written: internal error, please report: "
                                   f"{type(error).__name__}: {error}"])


__all__: Sequence[str] = [
    "MANIFEST_NAME",
    "REVIEW_NAME",
    "Media",
    "RepairNote",
    "ReviewCue",
    "ReviewData",
    "ReviewFile",
    "ReviewTrack",
    "RunReview",
    "gather",
    "json_for_script",
    "manifest_entry",
    "read_manifest_strict",
    "render",
    "review_run",
    "update_manifest_entry",
    "write_review",
]
