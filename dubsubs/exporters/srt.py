"""SubRip (``.srt``): numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text lines.

Cue text goes through :mod:`dubsubs.exporters._text` (line breaks unified, control
characters shown as U+FFFD, lines stripped, blank lines removed), and every ``-->`` in text
or speaker names becomes ``→`` (U+2192), so no line of text can be read as a timing line or
end a cue. A cue whose text is empty after that has nothing to show and is left out;
numbering stays contiguous from 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Transcript
from ..timefmt import clock_formatter
from ._text import clean_speaker, clean_text, needs_work
from .base import Exporter

ARROW = "-->"
ARROW_REPLACEMENT = "\u2192"  # →: one character, so one replace pass leaves no "-->"

_SPECIAL = needs_work(ARROW)


@dataclass(frozen=True, slots=True)
class SrtOptions:
    """``speaker_prefix``: start each cue with ``Name: ``. ``crlf``: end lines with CRLF."""

    speaker_prefix: bool = False
    crlf: bool = False


def srt_text(text: str) -> str:
    """Cue text as it appears in SRT: cleaned, no blank line, no ``-->``."""
    if _SPECIAL.search(text) is not None:
        text = clean_text(text).replace(ARROW, ARROW_REPLACEMENT)
    return text


def dumps(transcript: Transcript, options: SrtOptions) -> str:
    stamp = clock_formatter(",")
    prefixes: dict[str | None, str] = {None: ""}
    blocks: list[str] = []
    append = blocks.append
    number = 0
    for cue in transcript.cues:
        text = cue.text
        if _SPECIAL.search(text) is not None:
            text = clean_text(text).replace(ARROW, ARROW_REPLACEMENT)
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
