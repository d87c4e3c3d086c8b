"""WebVTT (``.vtt``), valid per the W3C WebVTT spec.

Cue text goes through :mod:`dubsubs.formats._text` (line breaks unified, control
characters shown as U+FFFD, lines stripped, blank lines removed: a blank line would end the
cue), then ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;`` and ``&gt;``. With ``>``
escaped no payload line can contain ``-->``, and a WebVTT parser turns the references back
into exactly the characters we had, so a browser shows the text as given.

Speakers become voice spans, ``<v Alice Smith>text</v>``. The name is the span's
annotation: one line, whitespace runs as one space (the parser collapses them anyway),
``&``, ``<`` and ``>`` as character references, and a space before the closing ``>`` when
the name ends in ``-`` (else ``<v a-->`` would contain ``-->``). The spec decodes
character references in annotations (w3c/webvtt#266); tokenizers older than that keep
``&amp;`` literally in the voice name, which browsers use for styling, not display, so the
shown text is the same either way. A cue that several people speak gets one voice span per
speaker, each on its own line. A cue whose text is empty
after clean-up is left out. Cue identifiers are written only with ``cue_ids=True``: the
cue's number, which can never contain ``-->`` or a line break.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import InputError
from ..model import RawItem, RawTranscript, Transcript, Voice
from ..timefmt import clock_formatter
from ._text import clean_speaker, escape_markup, is_clean_line, text_lines
from .base import Format, ReadOptions, decode_text


@dataclass(frozen=True, slots=True)
class VttOptions:
    """``voice_spans``: wrap speakers' text in ``<v Name>``. ``speaker_prefix``: start the
    text with ``Name: ``. ``cue_ids``: number the cues from 1."""

    voice_spans: bool = True
    speaker_prefix: bool = False
    cue_ids: bool = False


escape = escape_markup


def vtt_text(text: str) -> str:
    """Cue text as it appears in a WebVTT payload: cleaned and escaped."""
    if is_clean_line(text):
        return escape(text) if "&" in text or "<" in text or ">" in text else text
    return escape("\n".join(text_lines(text)))


def dumps(transcript: Transcript, options: VttOptions) -> str:
    stamp = clock_formatter(".")
    wraps: dict[str | None, tuple[str, str]] = {None: ("", "")}
    voice_spans = options.voice_spans
    speaker_prefix = options.speaker_prefix
    cue_ids = options.cue_ids
    blocks: list[str] = ["WEBVTT\n"]
    append = blocks.append
    number = 0
    for cue in transcript.cues:
        text = cue.text
        if text.isprintable() and text and not text[0].isspace() and not text[-1].isspace():
            if "&" in text or "<" in text or ">" in text:
                text = escape(text)
        else:
            text = vtt_text(text)
            if not text:
                continue
        speaker = cue.speaker
        if cue.voices:
            # One voice span per speaker, each on its own line: no word under another's name.
            text = "\n".join(_voice_text(wraps, voice, voice_spans, speaker_prefix)
                             for voice in cue.voices if vtt_text(voice.text))
        elif speaker is not None:
            wrap = wraps.get(speaker)
            if wrap is None:
                wrap = _speaker_wrap(speaker, voice_spans, speaker_prefix)
                wraps[speaker] = wrap
            text = wrap[0] + text + wrap[1]
        number += 1
        timing = f"{stamp(cue.start_ms)} --> {stamp(cue.end_ms)}\n"
        append(f"{number}\n{timing}{text}\n" if cue_ids else f"{timing}{text}\n")
    return "\n".join(blocks)


def _voice_text(wraps: dict[str | None, tuple[str, str]], voice: Voice, voice_spans: bool,
                speaker_prefix: bool) -> str:
    wrap = wraps.get(voice.speaker)
    if wrap is None:
        wrap = wraps[voice.speaker] = _speaker_wrap(voice.speaker, voice_spans, speaker_prefix)  # type: ignore[arg-type]
    return wrap[0] + vtt_text(voice.text) + wrap[1]


def _speaker_wrap(speaker: str, voice_spans: bool, speaker_prefix: bool) -> tuple[str, str]:
    name = clean_speaker(speaker)
    if name is None:
        return ("", "")
    name = escape(name)
    # "<v a-->" would hold "-->" and end the cue; the parser trims the annotation, so a
    # space before ">" changes nothing else.
    before = (f"<v {name} >" if name.endswith("-") else f"<v {name}>") if voice_spans else ""
    after = "</v>" if voice_spans else ""
    if speaker_prefix:
        before += f"{name}: "
    return (before, after)


# --------------------------------------------------------------------------- reading

_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$")
_VTT_TAG = re.compile(r"<[^>]*>")


def _vtt_ms(stamp: str) -> float:
    match = _VTT_TIME.match(stamp)
    if not match:
        raise ValueError(stamp)
    hours, minutes, seconds, millis = match.groups()
    return float(((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis))


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    import webvtt
    from webvtt.errors import MalformedFileError

    text = decode_text(data, source, options)
    try:
        captions = list(webvtt.from_string(text).captions)
    except MalformedFileError as exc:
        raise InputError(f"not valid WebVTT: {exc}", source=source) from None
    items: list[RawItem] = []
    for index, caption in enumerate(captions):
        try:
            start, end = _vtt_ms(caption.start), _vtt_ms(caption.end)
        except ValueError:
            raise InputError(f"bad timestamp {caption.start!r}", source=source,
                             where=f"cue {index + 1}") from None
        body = html.unescape(_VTT_TAG.sub("", caption.raw_text))
        voice = caption.voice
        items.append(RawItem(start, end, body, html.unescape(voice) if voice else None, index))
    yield RawTranscript(items=items, source=source, units="ms")


def sniff(head: bytes) -> bool:
    return head.startswith(b"WEBVTT")


FORMAT: Format[VttOptions] = Format(
    name="vtt",
    suffixes=(".vtt", ".webvtt"),
    description="WebVTT: escaped cue text, speakers as <v> voice spans",
    options_type=VttOptions,
    dumps=dumps,
    read=read,
    sniff=sniff,
    default=True,
)
