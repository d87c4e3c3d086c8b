"""The offline pipeline in one place: parse -> normalise -> (conform) -> export -> write.

``convert`` writes through :func:`write_outputs`; ``fetch`` renders each language with
:func:`render_outputs` (the same names and texts) and writes the run's sets through the same
:func:`dubsubs.output.write_text_set`, all or nothing, before its manifest. A file named
``X.srt`` is produced the same way whichever command made it.
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
from .output import write_text_set
from .style import Preset, StyleReport, conform
from .wording import shorten


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
               options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Every requested format rendered to text, before anything is written: a failing
    exporter leaves no partial set of files behind."""
    options = options or {}
    return {fmt: get_writer(fmt).render(transcript, options.get(fmt)) for fmt in formats}


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


def render_outputs(transcript: Transcript, stem: str, formats: Sequence[str] | None = None,
                   options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """File name -> text for each format, all rendered before anything is written."""
    check_stem(stem)
    rendered = render_all(transcript, list(formats or default_formats()), options)
    return {output_name(stem, fmt): text for fmt, text in rendered.items()}


def write_outputs(transcript: Transcript, directory: str | os.PathLike[str], stem: str,
                  formats: Sequence[str] | None = None,
                  options: Mapping[str, Any] | None = None) -> list[Path]:
    """Write ``stem.<ext>`` for each format into ``directory`` as one set (all or nothing,
    see :func:`dubsubs.output.write_text_set`); return the paths. ``stem`` must be a plain
    file name (:func:`check_stem`)."""
    texts = render_outputs(transcript, stem, formats, options)
    folder = Path(directory)
    return write_text_set({folder / name: text for name, text in texts.items()})


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
