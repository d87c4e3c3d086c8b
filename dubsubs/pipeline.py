"""The offline pipeline in one place: read -> normalise -> (conform) -> write, and
read -> check for :func:`check_file`.

``convert`` writes through :func:`write_outputs`; ``fetch`` renders with :func:`render_all`
and names files with :func:`output_name` (it hashes the bytes it writes for the manifest),
so a file named ``X.srt`` is produced the same way whichever command made it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DubsubsError
from .formats import (
    DEFAULT_READ,
    ReadOptions,
    default_formats,
    get_writer,
    read_parts,
    strip_suffix,
    suffix_format,
)
from .languages import known_primary_languages, to_tag
from .model import RawTranscript, Transcript
from .normalize import Report, UnitsOption, normalize
from .output import write_text_set
from .style import CheckReport, Preset, StyleReport, conform
from .style import check as check_cues


def output_stem(base: str, raw: RawTranscript) -> str:
    """``base`` for a file holding one transcript; ``base.<key...>`` otherwise, where the
    key is the run id and/or language (``41707.es-ES``). A bulk file's runs are named by
    run id alone."""
    if not raw.key:
        return base
    if raw.run_id is not None and raw.key[0] == raw.run_id:
        return ".".join(raw.key)
    return ".".join((base, *raw.key))


def output_name(stem: str, fmt: str) -> str:
    """The file name for format ``fmt``: ``stem`` and its extension (``41707.es-ES.srt``)."""
    return f"{stem}{get_writer(fmt).extension}"


def writer_options(formats: Sequence[str], options: Mapping[str, Any] | None = None,
                   preset: Preset | None = None) -> dict[str, Any]:
    """The options each format's writer gets: the caller's for that format, else the
    delivery spec's (the ``bbc`` preset's TTML styling), else the writer's defaults."""
    chosen: dict[str, Any] = {}
    for fmt in formats:
        given = options.get(fmt) if options else None
        if given is None and preset is not None:
            given = preset.options_for(get_writer(fmt).name)
        chosen[fmt] = given
    return chosen


def render_all(transcript: Transcript, formats: Sequence[str],
               options: Mapping[str, Any] | None = None,
               preset: Preset | None = None) -> dict[str, str]:
    """Every requested format rendered to text, before anything is written: a failing
    exporter leaves no partial set of files behind. ``preset`` supplies the writer options
    its delivery spec sets for a format the caller gave none for."""
    chosen = writer_options(formats, options, preset)
    return {fmt: get_writer(fmt).render(transcript, chosen[fmt]) for fmt in formats}


def write_outputs(transcript: Transcript, directory: str | os.PathLike[str], stem: str,
                  formats: Sequence[str] | None = None,
                  options: Mapping[str, Any] | None = None,
                  preset: Preset | None = None) -> list[Path]:
    """Write ``stem.<ext>`` for each format into ``directory`` (atomically); return paths."""
    formats = list(formats or default_formats())
    rendered = render_all(transcript, formats, options, preset)
    folder = Path(directory)
    return write_text_set({folder / output_name(stem, fmt): text for fmt, text in rendered.items()})


def fit_to_preset(transcript: Transcript,
                  preset: Preset | None) -> tuple[Transcript, StyleReport | None]:
    """``transcript`` conformed to ``preset``; the report is ``None`` when there is nothing
    to report (no preset, or ``none`` with no offset)."""
    if preset is None:
        return transcript, None
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
    """One transcript converted: where it came from, what was written, what was done."""

    raw: RawTranscript
    transcript: Transcript
    report: Report
    paths: tuple[Path, ...]
    style: StyleReport | None = None

    def summary(self) -> str:
        return summary_line(self.report, self.style)


def convert_raw(raw: RawTranscript, directory: str | os.PathLike[str], stem: str,
                formats: Sequence[str] | None = None, units: UnitsOption = "auto",
                media_duration_ms: float | None = None,
                options: Mapping[str, Any] | None = None,
                preset: Preset | None = None) -> Converted:
    """Normalise one raw transcript, fit it to ``preset`` (if any, other than ``none``),
    and write every format."""
    transcript, report = normalize(raw, units, media_duration_ms)
    transcript, style = fit_to_preset(transcript, preset)
    paths = write_outputs(transcript, directory, stem, formats, options, preset)
    return Converted(raw, transcript, report, tuple(paths), style)


# --------------------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class _Timed:
    """A cue exactly as the file has it, in ms: possibly empty, inverted, out of order."""

    start_ms: int
    end_ms: int
    text: str


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
    return [_Timed(round(item.start * factor), round(item.end * factor), item.text) for item in raw.items]


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
