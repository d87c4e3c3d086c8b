"""SubRip (``.srt``): numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text lines.

Cue text goes through :mod:`dubsubs.exporters._text` (line breaks unified, control
characters shown as U+FFFD, lines stripped, blank lines removed), and every ``-->`` in text
or speaker names becomes ``→`` (U+2192), so no line of text can be read as a timing line.
One more case: a line holding only a number followed by a line that starts with a
timestamp (``12`` then ``10:30:00,000 ...``) is what lenient readers (the ``srt`` package,
players that accept missing blank lines) take for the start of the next cue, so such a
pair is joined into one line with a space. A cue whose text is empty after all that has
nothing to show and is left out; numbering stays contiguous from 1. ``speaker_prefix``
writes ``Name: `` (the name cleaned as in ``_text``, ``-->`` replaced) before the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Transcript
from ..timefmt import clock_formatter
from ._text import clean_speaker, is_clean_line, text_lines
from .base import Exporter

ARROW = "-->"
ARROW_REPLACEMENT = "\u2192"  # →: one character, so one replace pass leaves no "-->"

# What lenient readers take for "index line, then timing line" (the srt package's patterns).
_INDEX_LINE = re.compile(r"-?[0-9]+\.?[0-9]*")
_TIMESTAMP_START = re.compile(r"[0-9]+[,.:，．。：][0-9]+[,.:，．。：][0-9]+")


@dataclass(frozen=True, slots=True)
class SrtOptions:
    """``speaker_prefix``: start each cue with ``Name: ``. ``crlf``: end lines with CRLF."""

    speaker_prefix: bool = False
    crlf: bool = False


def srt_text(text: str) -> str:
    """Cue text as it appears in SRT: cleaned, no blank line, nothing a reader could take
    for the start of another cue (``""`` when no text is left)."""
    if is_clean_line(text):
        return text.replace(ARROW, ARROW_REPLACEMENT) if ARROW in text else text
    lines = text_lines(text)
    for index in range(len(lines) - 2, -1, -1):
        if _INDEX_LINE.fullmatch(lines[index]) and _TIMESTAMP_START.match(lines[index + 1]):
            lines[index : index + 2] = [f"{lines[index]} {lines[index + 1]}"]
    return "\n".join(lines).replace(ARROW, ARROW_REPLACEMENT)


def dumps(transcript: Transcript, options: SrtOptions) -> str:
    stamp = clock_formatter(",")
    prefixes: dict[str | None, str] = {None: ""}
    blocks: list[str] = []
    append = blocks.append
    number = 0
    for cue in transcript.cues:
        text = cue.text
        # Inline fast path (one clean line); everything else goes through srt_text.
        if text.isprintable() and text and not text[0].isspace() and not text[-1].isspace():
            if ARROW in text:
                text = text.replace(ARROW, ARROW_REPLACEMENT)
        else:
            text = srt_text(text)
            if not text:
                continue
        if options.speaker_prefix:
            prefix = prefixes.get(cue.speaker)
            if prefix is None:
                name = clean_speaker(cue.speaker)
                prefix = f"{name.replace(ARROW, ARROW_REPLACEMENT)}: " if name else ""
                prefixes[cue.speaker] = prefix
            text = prefix + text
        number += 1
        append(f"{number}\n{stamp(cue.start_ms)} --> {stamp(cue.end_ms)}\n{text}\n")
    output = "\n".join(blocks)
    if options.crlf:
        output = output.replace("\n", "\r\n")
    return output


EXPORTER: Exporter[SrtOptions] = Exporter(
    name="srt",
    extension=".srt",
    options_type=SrtOptions,
    dumps=dumps,
    description="SubRip: numbered cues with HH:MM:SS,mmm times",
)
