"""The offline pipeline in one place: parse -> normalise -> (conform) -> export -> write.

``convert`` writes through :func:`write_outputs`; ``fetch`` renders with :func:`render_all`
and names files with :func:`output_name` (it hashes the bytes it writes for the manifest),
so a file named ``X.srt`` is produced the same way whichever command made it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formats import default_formats, get_writer
from .model import RawTranscript, Transcript
from .normalize import Report, UnitsOption, normalize
from .output import write_file_set
from .style import Preset, StyleReport, conform


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


def render_all(transcript: Transcript, formats: Sequence[str],
               options: Mapping[str, Any] | None = None) -> dict[str, bytes]:
    """Every requested format rendered to the bytes of its file (text formats as UTF-8,
    binary ones such as EBU STL as they are), before anything is written: a failing
    exporter leaves no partial set of files behind."""
    options = options or {}
    return {fmt: get_writer(fmt).render_bytes(transcript, options.get(fmt)) for fmt in formats}


def write_outputs(transcript: Transcript, directory: str | os.PathLike[str], stem: str,
                  formats: Sequence[str] | None = None,
                  options: Mapping[str, Any] | None = None) -> list[Path]:
    """Write ``stem.<ext>`` for each format into ``directory`` (atomically); return paths."""
    formats = list(formats or default_formats())
    rendered = render_all(transcript, formats, options)
    folder = Path(directory)
    return write_file_set({folder / output_name(stem, fmt): data for fmt, data in rendered.items()})


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
    paths = write_outputs(transcript, directory, stem, formats, options)
    return Converted(raw, transcript, report, tuple(paths), style)
