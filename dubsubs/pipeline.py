"""The offline pipeline in one place: read -> normalise -> (conform) -> write, and
read -> check for :func:`check_file`.

``convert`` renders each format and writes it at once into one
:class:`~dubsubs.output.FileSet` (:func:`write_into`); ``fetch`` renders each language with
:func:`render_outputs` (the same names and bytes, from the same :func:`_each_file`) and
writes the run's sets as one FileSet, all or nothing, before its manifest. A file named
``X.srt`` is produced the same way whichever command made it.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DubsubsError, InputError, OptionError
from .formats import (
    DEFAULT_READ,
    WRITER_SETTINGS,
    ReadOptions,
    default_formats,
    formats_taking,
    get_writer,
    read_parts,
    strip_suffix,
    suffix_format,
)
from .languages import known_primary_languages, to_tag
from .model import RawTranscript, Transcript
from .normalize import Report, UnitsOption, normalize
from .output import FileSet
from .style.presets import Preset

if TYPE_CHECKING:
    from .style.fitting import StyleReport
    from .style.rules import CheckReport
from .wording import shorten


def output_stem(base: str, raw: RawTranscript) -> str:
    """``base`` for a file holding one transcript; ``base.<key...>`` otherwise, where the
    key is the run id and/or language (``41707.es-ES``). A bulk file's runs are named by
    run id alone."""
    if not raw.key:
        return base
    if raw.run_id is not None and raw.key[0] == raw.run_id:
        return ".".join(raw.key)
    key = ".".join(raw.key)
    if base.lower().endswith(f".{key.lower()}"):  # 1002.es-ES.dapt.ttml: the name says it already
        return base
    return f"{base}.{key}"


def output_name(stem: str, fmt: str) -> str:
    """The file name for format ``fmt``: ``stem`` and its extension (``41707.es-ES.srt``)."""
    return f"{stem}{get_writer(fmt).extension}"


#: Preset settings a writer also takes, when its options have a field of that name and
#: the user set the setting: SCC and EBU STL count frames (``--fps``) and STL records the
#: programme's start (``--start-timecode``).
SHARED_SETTINGS = ("fps", "start_timecode")


def writer_options(formats: Sequence[str], options: Mapping[str, Any] | None = None,
                   preset: Preset | None = None) -> dict[str, Any]:
    """The options each format's writer gets: the caller's for that format; else the
    delivery spec's (the ``bbc`` preset's TTML styling) with the shared settings the
    user gave (:data:`SHARED_SETTINGS`); else the writer's defaults (``None``)."""
    chosen: dict[str, Any] = {}
    for fmt in formats:
        given = options.get(fmt) if options else None
        if given is None and preset is not None:
            writer = get_writer(fmt)
            given = preset.options_for(writer.name)
            if writer.options_type is not None:
                names = {f.name for f in dataclasses.fields(writer.options_type)}
                shared = {name: getattr(preset, name) for name in SHARED_SETTINGS
                          if name in names and name in preset.overridden}
                if shared:
                    given = (dataclasses.replace(given, **shared) if given is not None
                             else writer.options(**shared))
        chosen[fmt] = given
    return chosen


def load_transcript(path: str | os.PathLike[str], read_options: ReadOptions = DEFAULT_READ) -> Transcript:
    """The one transcript in the file at ``path``, normalised (a file holding several, or
    none, is an :class:`InputError`)."""
    parts = read_parts(path, read_options)
    for part in parts:
        if not isinstance(part, RawTranscript):
            raise part
    if len(parts) != 1:
        raise InputError(f"holds {len(parts)} transcripts; give a file with one", source=os.fspath(path))
    transcript, _ = normalize(parts[0])  # type: ignore[arg-type]  # checked above
    return transcript


def settings_options(formats: Sequence[str], settings: Mapping[str, Any], preset: Preset | None = None,
                     read_options: ReadOptions = DEFAULT_READ) -> dict[str, Any]:
    """The options each format's writer gets (as :func:`writer_options` gives them) with
    the writer settings a command line gave (:data:`dubsubs.formats.WRITER_SETTINGS`, by
    field name; ``None`` means not given) set in every format that has that field. A
    setting that names a file is read first (:func:`load_transcript`). A setting no format
    being written takes is an :class:`OptionError` saying which formats take it."""
    given = {name: value for name, value in settings.items() if value is not None}
    unknown = sorted(set(given) - set(WRITER_SETTINGS))
    if unknown:
        raise OptionError(f"unknown writer setting(s) {', '.join(unknown)}")
    chosen = writer_options(formats, None, preset)
    taken: set[str] = set()
    for fmt in formats:
        writer = get_writer(fmt)
        if writer.options_type is None:
            continue
        fields = {f.name for f in dataclasses.fields(writer.options_type)}
        mine = {name: value for name, value in given.items() if name in fields}
        if not mine:
            continue
        for name, value in list(mine.items()):
            if WRITER_SETTINGS[name].transcript and not isinstance(value, Transcript):
                mine[name] = given[name] = load_transcript(value, read_options)
        taken.update(mine)
        current = chosen[fmt]
        chosen[fmt] = dataclasses.replace(current, **mine) if current is not None else writer.options(**mine)
    for name in given:
        if name not in taken:
            users = formats_taking(name)
            raise OptionError(f"{WRITER_SETTINGS[name].flag} is for {', '.join(users) or 'no format'}, "
                              f"which is not being written (-f {','.join(formats)})")
    return chosen


@dataclass(frozen=True)
class Rendered:
    """A transcript's files, rendered before anything is written: file name -> bytes
    (text formats as UTF-8, binary ones such as EBU STL as they are), and what the
    writers had to change (``scc: cue 3: ...``)."""

    files: dict[str, bytes]
    notes: tuple[str, ...] = ()


def render_all(transcript: Transcript, formats: Sequence[str],
               options: Mapping[str, Any] | None = None,
               preset: Preset | None = None) -> dict[str, bytes]:
    """Every requested format rendered to the bytes of its file, before anything is
    written: a failing writer leaves no partial set of files behind. ``preset`` supplies
    the writer options its delivery spec sets (see :func:`writer_options`)."""
    chosen = writer_options(formats, options, preset)
    return {fmt: get_writer(fmt).render_bytes(transcript, chosen[fmt]) for fmt in formats}


#: The longest stem written: a file name is at most 255 bytes on common file systems, and
#: the extension and our temporary-file suffix need room beside it.
MAX_STEM_BYTES = 200


def check_stem(stem: object) -> str:
    """``stem`` if it is a plain file name (no folder part, not ``.``/``..``, no NUL, at
    most :data:`MAX_STEM_BYTES` bytes in UTF-8); else ValueError (TypeError if not a str)
    naming ``stem``. Outputs can then never land outside their folder."""
    if not isinstance(stem, str):
        raise TypeError(f"stem must be a str, got {type(stem).__name__}")
    if stem in ("", ".", "..") or any(c in stem for c in "/\\\x00") or Path(stem).is_absolute():
        raise ValueError(f"stem must be a plain file name, got {stem!r}")
    if len(stem.encode("utf-8", "surrogatepass")) > MAX_STEM_BYTES:
        raise ValueError(f"stem must be at most {MAX_STEM_BYTES} bytes, got {shorten(stem, 40)!r}")
    return stem


def _each_file(transcript: Transcript, stem: str, formats: Sequence[str] | None,
               options: Mapping[str, Any] | None,
               preset: Preset | None) -> Iterator[tuple[str, str | bytes | list[str], tuple[str, ...]]]:
    """Each format's file name, its content as the writer gives it (see
    :meth:`Format.render_parts`) and the writer's notes, one format at a time."""
    check_stem(stem)
    formats = list(formats or default_formats())
    chosen = writer_options(formats, options, preset)
    for fmt in formats:
        data, said = get_writer(fmt).render_parts(transcript, chosen[fmt])
        notes = tuple(note if note.startswith((f"{fmt} ", f"{fmt}:")) else f"{fmt}: {note}" for note in said)
        yield output_name(stem, fmt), data, notes
        del data  # gone before the next format renders: one document in memory at a time


def render_outputs(transcript: Transcript, stem: str, formats: Sequence[str] | None = None,
                   options: Mapping[str, Any] | None = None,
                   preset: Preset | None = None) -> Rendered:
    """Each format's file, named ``stem`` + its extension, as bytes, and the writers'
    notes; all rendered before anything is written."""
    files: dict[str, bytes] = {}
    notes: list[str] = []
    for name, data, said in _each_file(transcript, stem, formats, options, preset):
        if isinstance(data, list):
            data = "".join(data)
        files[name] = data.encode("utf-8") if isinstance(data, str) else data
        notes.extend(said)
    return Rendered(files, tuple(notes))


def write_into(files: FileSet, transcript: Transcript, directory: str | os.PathLike[str], stem: str,
               formats: Sequence[str] | None = None, options: Mapping[str, Any] | None = None,
               preset: Preset | None = None) -> tuple[str, ...]:
    """Render each format and add its file to ``files`` at once, one format at a time, so
    only one rendered document is in memory; return the writers' notes. The set stays all
    or nothing (see :class:`~dubsubs.output.FileSet`)."""
    folder = Path(directory)
    notes: list[str] = []
    for name, data, said in _each_file(transcript, stem, formats, options, preset):
        files.add(folder / name, data)
        del data  # before the next format is rendered
        notes.extend(said)
    return tuple(notes)


def write_outputs(transcript: Transcript, directory: str | os.PathLike[str], stem: str,
                  formats: Sequence[str] | None = None,
                  options: Mapping[str, Any] | None = None,
                  preset: Preset | None = None) -> list[Path]:
    """Write ``stem.<ext>`` for each format into ``directory`` as one set (all or nothing,
    see :class:`dubsubs.output.FileSet`); return the paths. ``stem`` must be a plain file
    name (:func:`check_stem`)."""
    with FileSet() as files:
        write_into(files, transcript, directory, stem, formats, options, preset)
    return files.paths


def fit_to_preset(transcript: Transcript,
                  preset: Preset | None) -> tuple[Transcript, StyleReport | None]:
    """``transcript`` conformed to ``preset``; the report is ``None`` when there is nothing
    to report (no preset, or ``none`` with no offset)."""
    if preset is None:
        return transcript, None
    if preset.name == "none" and preset.is_lossless:  # no offset either: nothing to load or do
        return transcript, None
    from .style.fitting import conform  # segmentation and timing, loaded when needed

    transcript, style = conform(transcript, preset)
    if style.untouched:
        return transcript, None
    return transcript, style


def summary_line(report: Report, style: StyleReport | None) -> str:
    """The normaliser's one-line summary, and the style's after it when there is one."""
    line = report.summary()
    return f"{line}; {style.summary()}" if style is not None else line


@dataclass(frozen=True)
class Converted:
    """One transcript converted: which (``label``, as :meth:`RawTranscript.describe` names
    it), what was written, what was done."""

    label: str
    transcript: Transcript
    report: Report
    paths: tuple[Path, ...]
    style: StyleReport | None = None
    notes: tuple[str, ...] = ()  # what the writers had to change, one line each
    stem: str = ""  # the files' common name: paths are stem + each format's extension

    def summary(self) -> str:
        return summary_line(self.report, self.style)


def convert_raw(raw: RawTranscript, directory: str | os.PathLike[str], stem: str,
                formats: Sequence[str] | None = None, units: UnitsOption = "auto",
                media_duration_ms: float | None = None,
                options: Mapping[str, Any] | None = None,
                preset: Preset | None = None) -> Converted:
    """Normalise one raw transcript, fit it to ``preset`` (if any, other than ``none``),
    and write every format as one set."""
    transcript, report = normalize(raw, units, media_duration_ms)
    return _finish(raw.describe(), transcript, report, directory, stem, formats, options, preset)


def _finish(label: str, transcript: Transcript, report: Report, directory: str | os.PathLike[str],
            stem: str, formats: Sequence[str] | None, options: Mapping[str, Any] | None,
            preset: Preset | None) -> Converted:
    transcript, style = fit_to_preset(transcript, preset)
    with FileSet() as files:
        notes = write_into(files, transcript, directory, stem, formats, options, preset)
    return Converted(label, transcript, report, tuple(files.paths), style, notes, stem)


def convert_file(path: str | os.PathLike[str], directory: str | os.PathLike[str], base: str,
                 formats: Sequence[str] | None = None, units: UnitsOption = "auto",
                 media_duration_ms: float | None = None, options: Mapping[str, Any] | None = None,
                 preset: Preset | None = None, read_options: ReadOptions = DEFAULT_READ,
                 taken: dict[str, str] | None = None) -> Iterator[Converted | DubsubsError]:
    """Convert every transcript in the file at ``path``: one :class:`Converted` per
    transcript written, one error per transcript that was not (the others still are).
    Outputs are named ``base`` (``base.<key>`` for a file holding several); ``taken`` maps
    output names already used (by earlier files) to what used them, and a name used twice
    is an error rather than an overwrite.

    Each transcript's raw items are let go once normalised, before its files are
    rendered: a file of a million items needs them and its cues, never both."""
    taken = {} if taken is None else taken
    parts = read_parts(path, read_options)
    parts.reverse()
    while parts:
        part = parts.pop()
        if not isinstance(part, RawTranscript):
            yield part
            continue
        name, label = output_stem(base, part), part.describe()
        if name in taken:
            yield DubsubsError(f"{label}: output name {name!r} is already taken by {taken[name]}; "
                               "rename one of the inputs")
            continue
        try:
            transcript, report = normalize(part, units, media_duration_ms)
            del part
            done = _finish(label, transcript, report, directory, name, formats, options, preset)
        except InputError as error:  # names its source already
            yield error
            continue
        except DubsubsError as error:  # an option or output problem: say which transcript
            yield DubsubsError(f"{label}: {error}")
            continue
        taken[name] = label
        yield done


# --------------------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class _Timed:
    """A cue exactly as the file has it, in ms: possibly empty, inverted, out of order."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None


def file_cues(raw: RawTranscript, units: UnitsOption = "auto") -> list[_Timed]:
    """The cues of one transcript in file order, unrepaired, in whole ms.

    Formats with real timestamps (SRT, WebVTT, TTML, our JSON) carry their unit; for a
    Camb.ai result the normaliser decides seconds or ms (its repairs are not applied: the
    check reports what the file holds).
    """
    unit = raw.units
    if unit is None:
        transcript, _ = normalize(raw, units)
        unit = transcript.units.unit if transcript.units else "s"
    factor = 1000 if unit == "s" else 1
    return [_Timed(round(item.start * factor), round(item.end * factor), item.text, item.speaker)
            for item in raw.items]


#: How a format states its language, for the report of :func:`check_file`.
_STATED_BY = {"ttml": "the file's xml:lang", "dapt": "the file's xml:lang", "json": "the file's language"}


def file_name_language(path: str | os.PathLike[str]) -> str | None:
    """The language tag a file name carries before its extension, as dubsubs names
    outputs (``1001.en-US.srt``, ``episode3.fr.vtt``): the last dot-separated part of
    the name, when it is a BCP-47 tag whose primary language Camb's table knows (so
    ``take2.final.srt`` names none)."""
    stem = strip_suffix(Path(path).name)
    if "." not in stem:
        return None
    candidate = stem.rsplit(".", 1)[1]
    if not _NAME_TAG.fullmatch(candidate):
        return None
    tag = to_tag(candidate)
    if tag is None or tag.split("-")[0].lower() not in known_primary_languages():
        return None
    return tag


_NAME_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def check_file(
    path: str | os.PathLike[str], preset: Preset, *, units: UnitsOption = "auto",
    language: str | None = None, read_options: ReadOptions = DEFAULT_READ,
) -> Iterator[CheckReport | DubsubsError]:
    """Check every transcript in the file at ``path`` against ``preset``, as the file
    holds it: one report per transcript (a bulk file holds several), an unreadable part as
    its error.

    The language that picks the preset's per-language limits is, in order: ``language``
    (the caller's override), the one the file states (TTML ``xml:lang``, dubsubs JSON's
    ``language``, a dub result's language key), the tag in the file name
    (``1001.en-US.srt``); with none, the preset's limits for other languages apply. Each
    report says which one was used and why (``language_source``)."""
    if not isinstance(preset, Preset):
        raise TypeError(f"preset must be a Preset, got {type(preset).__name__}")
    named = file_name_language(path)
    fmt = suffix_format(os.fspath(path))
    stated_by = _STATED_BY.get(fmt.name, "the file") if fmt is not None else "the file"
    from .style.rules import check as check_cues

    for part in read_parts(path, read_options):
        if not isinstance(part, RawTranscript):
            yield part
            continue
        try:
            cues = file_cues(part, units)
        except DubsubsError as error:
            yield error
            continue
        if language:
            chosen, why = language, "--language"
        elif part.language:
            chosen, why = part.language, (f"{stated_by} [{'/'.join(part.key)}]" if part.key else stated_by)
        elif named:
            chosen, why = named, "the file name"
        else:
            chosen, why = None, "none found"
        yield check_cues(cues, preset, language=chosen, language_source=why, source=part.describe())
