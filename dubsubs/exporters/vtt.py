"""WebVTT (``.vtt``), valid per the W3C WebVTT spec.

Cue text goes through :mod:`dubsubs.exporters._text` (line breaks unified, control
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
shown text is the same either way. A cue whose text is empty
after clean-up is left out. Cue identifiers are written only with ``cue_ids=True``: the
cue's number, which can never contain ``-->`` or a line break.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Transcript
from ..timefmt import clock_formatter
from ._text import clean_speaker, escape_markup, is_clean_line, text_lines
from .base import Exporter


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
        if speaker is not None:
            wrap = wraps.get(speaker)
            if wrap is None:
                wrap = _speaker_wrap(speaker, voice_spans, speaker_prefix)
                wraps[speaker] = wrap
            text = wrap[0] + text + wrap[1]
        number += 1
        timing = f"{stamp(cue.start_ms)} --> {stamp(cue.end_ms)}\n"
        append(f"{number}\n{timing}{text}\n" if cue_ids else f"{timing}{text}\n")
    return "\n".join(blocks)


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


EXPORTER: Exporter[VttOptions] = Exporter(
    name="vtt",
    extension=".vtt",
    options_type=VttOptions,
    dumps=dumps,
    description="WebVTT: escaped cue text, speakers as <v> voice spans",
)
