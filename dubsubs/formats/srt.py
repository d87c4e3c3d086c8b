"""SubRip (``.srt``): numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text lines.

Cue text goes through :mod:`dubsubs.formats._text` (line breaks unified, control
characters shown as U+FFFD, lines stripped, blank lines removed), and every ``-->`` in text
or speaker names becomes ``→`` (U+2192), so no line of text can be read as a timing line.
One more case: a line holding only a number followed by a line that starts with a
timestamp (``12`` then ``10:30:00,000 ...``) is what lenient readers (the ``srt`` package,
players that accept missing blank lines) take for the start of the next cue, so such a
pair is joined into one line with a space. SRT has no escapes, and its readers remove
anything shaped like a tag (``<as always>``) or an SSA override block (``{\\an8}``): so a
``<`` that opens such a shape is written as ``‹`` (U+2039) and a ``{`` before a backslash
as ``｛`` (U+FF5B); the words stay on screen. A cue whose text is empty after all that has
nothing to show and is left out; numbering stays contiguous from 1. ``speaker_prefix``
writes ``Name: `` (the name cleaned as in ``_text``, ``-->`` replaced) before the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import InputError
from ..model import RawItem, RawTranscript, Transcript
from ..timefmt import clock_formatter
from ._text import clean_speaker, is_clean_line, text_lines
from .base import Format, ReadOptions, decode_text

ARROW = "-->"
ARROW_REPLACEMENT = "\u2192"  # →: one character, so one replace pass leaves no "-->"

# What SRT readers take for a tag and remove (see _SRT_MARKUP below): "<" then a letter or "/".
_TAG_OPEN = re.compile(r"<(?=/?[A-Za-z])")
TAG_REPLACEMENT = "\u2039"  # ‹
BRACE_REPLACEMENT = "\uff5b"  # ｛

# What lenient readers take for "index line, then timing line" (the srt package's patterns).
_INDEX_LINE = re.compile(r"-?[0-9]+\.?[0-9]*")
_TIMESTAMP_START = re.compile(r"[0-9]+[,.:，．。：][0-9]+[,.:，．。：][0-9]+")


@dataclass(frozen=True, slots=True)
class SrtOptions:
    """``speaker_prefix``: start each cue with ``Name: ``. ``crlf``: end lines with CRLF."""

    speaker_prefix: bool = False
    crlf: bool = False


def _no_markup(text: str) -> str:
    """``text`` with nothing a reader would take for markup and hide: a ``<`` that opens a
    tag becomes ``‹`` and a ``{`` that opens an override block becomes ``｛``."""
    if "<" in text:
        text = _TAG_OPEN.sub(TAG_REPLACEMENT, text)
    if "{\\" in text:
        text = text.replace("{\\", BRACE_REPLACEMENT + "\\")
    return text


def srt_text(text: str) -> str:
    """Cue text as it appears in SRT: cleaned, no blank line, nothing a reader could take
    for the start of another cue or for markup (``""`` when no text is left)."""
    if is_clean_line(text):
        if ARROW in text:
            text = text.replace(ARROW, ARROW_REPLACEMENT)
        return _no_markup(text) if "<" in text or "{" in text else text
    lines = text_lines(text)
    for index in range(len(lines) - 2, -1, -1):
        if _INDEX_LINE.fullmatch(lines[index]) and _TIMESTAMP_START.match(lines[index + 1]):
            lines[index : index + 2] = [f"{lines[index]} {lines[index + 1]}"]
    return _no_markup("\n".join(lines).replace(ARROW, ARROW_REPLACEMENT))


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
            if "<" in text or "{" in text:
                text = _no_markup(text)
        else:
            text = srt_text(text)
            if not text:
                continue
        if options.speaker_prefix:
            if cue.voices:
                # One line (or more) per voice, each after its own speaker's name.
                text = "\n".join(_prefix(prefixes, v.speaker) + line
                                 for v in cue.voices if (line := srt_text(v.text)))
            else:
                text = _prefix(prefixes, cue.speaker) + text
        number += 1
        append(f"{number}\n{stamp(cue.start_ms)} --> {stamp(cue.end_ms)}\n{text}\n")
    output = "\n".join(blocks)
    if options.crlf:
        output = output.replace("\n", "\r\n")
    return output


def _prefix(prefixes: dict[str | None, str], speaker: str | None) -> str:
    prefix = prefixes.get(speaker)
    if prefix is None:
        name = clean_speaker(speaker)
        prefix = f"{_no_markup(name.replace(ARROW, ARROW_REPLACEMENT))}: " if name else ""
        prefixes[speaker] = prefix
    return prefix


# --------------------------------------------------------------------------- reading

#: SRT's de-facto markup: HTML-like tags (<i>, <b>, <u>, <s>, <font ...>, and any other
#: tag a tool invented) and SSA override blocks ({\an8}). Presentation, not words: the
#: model carries plain text. A "<" not followed by a tag name ("I <3 you", "a < b") is text.
_SRT_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?>|\{\\[^}]*\}")


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """SubRip as pysrt reads it (strictly: a malformed cue is an error with its line),
    after decoding by byte-order mark or ``options.encoding``."""
    import pysrt

    text = decode_text(data, source, options).replace("\r\n", "\n").replace("\r", "\n")
    try:
        subs = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except pysrt.Error as exc:
        args = exc.args
        where = f"line {args[0]}" if args and isinstance(args[0], int) else None
        raise InputError("not a valid SRT cue", source=source, where=where) from None
    except (ValueError, IndexError) as exc:
        raise InputError(f"not valid SRT: {exc}", source=source) from None
    if not subs:
        raise InputError("no SRT cues found", source=source)
    items = [RawItem(float(s.start.ordinal), float(s.end.ordinal), _SRT_MARKUP.sub("", s.text), None, i)
             for i, s in enumerate(subs)]
    yield RawTranscript(items=items, source=source, units="ms")


_SNIFF = re.compile(rb"^\d+[ \t]*\r?\n\d")


def sniff(head: bytes) -> bool:
    return _SNIFF.match(head) is not None


FORMAT: Format[SrtOptions] = Format(
    name="srt",
    suffixes=(".srt",),
    description="SubRip: numbered cues with HH:MM:SS,mmm times",
    options_type=SrtOptions,
    dumps=dumps,
    read=read,
    sniff=sniff,
    default=True,
)
