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

Reading follows the W3C "WebVTT parser algorithm" step by step, as browsers do (the tests
compare every fixture with Chromium's parser):

- The file is decoded by :func:`~dubsubs.formats.base.decode_text` (UTF-8 unless a
  byte-order mark or ``ReadOptions.encoding`` says otherwise; bytes that do not decode are
  an error naming the line, where a browser would show U+FFFD). NUL becomes U+FFFD and
  CRLF and CR become LF. Without the signature (``WEBVTT`` then a space, a tab, a line
  break or the end) the file is refused with one :class:`InputError` naming line 1.
- Blocks are collected as the spec says: the header block, ``NOTE``, ``STYLE`` and
  ``REGION`` blocks and cue settings are read and ignored; a cue's identifier is its line
  before the timing line; a line holding ``-->`` inside a payload starts the next block.
  Cues the spec drops (a timing line that "collect a WebVTT timestamp" fails, such as
  ``00:08.7890``, or a block with no timing line) are dropped and each is reported in
  ``RawTranscript.warnings`` (``line 12: cue dropped: bad timing line '...'``). Cues the
  spec keeps are kept, an end before its start included (the normaliser swaps it). A time
  past the model's 100 days refuses the file, naming the cue's line.
- Cue text goes through the spec's tokenizer and tree building: tags leave no text
  (unknown ones included), an unclosed tag ends with the cue, timestamp tags
  (``<00:01.000>``) are removed, and character references are decoded as HTML decodes
  them (:func:`decode_references`). Ruby text is kept after its base in parentheses:
  ``<ruby>漢<rt>かん</rt></ruby>`` reads ``漢(かん)``.
- Voices: each text keeps the name of its innermost ``<v>`` (the annotation with
  references decoded and white space collapsed, as the spec says; Chromium skips the
  collapsing). One voice for the whole cue gives ``RawItem.speaker``; several give
  ``RawItem.voices`` in order, text outside any ``<v>`` under no name, each voice's text
  trimmed and the texts joined by ``\\n`` (see :func:`cue_content` for white space and
  punctuation at voice boundaries).
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..model import MAX_MS, RawItem, RawTranscript, Transcript, Voice, gc_paused, join_voices
from ..timefmt import clock_formatter, format_clock
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

#: ASCII whitespace as the WebVTT spec means it ("skip whitespace", annotation clean-up).
_WS = "\t\n\f\r "
_WS_RUN = re.compile(f"[{_WS}]+")

# "Collect a WebVTT timestamp" as one pattern: every digit run is collected greedily, so
# each is followed by a non-digit; the hours-or-minutes decision is made in _stamp_ms.
_STAMP = r"([0-9]+):([0-9]{2})(?![0-9])(?::([0-9]{2})(?![0-9]))?\.([0-9]{3})(?![0-9])"
_TIMING = re.compile(f"[{_WS}]*{_STAMP}[{_WS}]*-->[{_WS}]*{_STAMP}(.*)", re.DOTALL)


def _stamp_ms(first: str, second: str, third: str | None, millis: str) -> int | None:
    """Milliseconds of a collected timestamp, or ``None`` where the spec fails it."""
    if third is None:
        # Minutes first: allowed only when the first field is two digits up to 59.
        if len(first) != 2 or int(first) > 59 or int(second) > 59:
            return None
        return (int(first) * 60 + int(second)) * 1000 + int(millis)
    if int(second) > 59 or int(third) > 59:
        return None
    return ((int(first) * 60 + int(second)) * 60 + int(third)) * 1000 + int(millis)


def parse_timing(line: str) -> tuple[int, int, str] | None:
    """``(start_ms, end_ms, settings)`` of a cue timing line, or ``None`` when "collect
    WebVTT cue timings and settings" fails. Settings never make a cue fail; an end before
    its start does not either (the spec keeps such a cue)."""
    match = _TIMING.match(line)
    if match is None:
        return None
    groups = match.groups()
    start = _stamp_ms(*groups[0:4])
    end = _stamp_ms(*groups[4:8])
    if start is None or end is None:
        return None
    return start, end, groups[8]


@dataclass(frozen=True, slots=True)
class VttCue:
    """One cue as the WebVTT parser algorithm finds it: ``text`` is the raw cue text (tags
    and character references still in it), ``line`` the 1-based line of its timing line."""

    identifier: str
    start_ms: int
    end_ms: int
    settings: str
    text: str
    line: int


def _is_keyword_line(line: str, keyword: str) -> bool:
    """``line`` is ``keyword`` alone or followed by white space (a NOTE/STYLE/REGION
    block's first line in the syntax)."""
    return line.startswith(keyword) and (len(line) == len(keyword) or line[len(keyword)] in " \t")


def parse(text: str, source: str = "<string>") -> tuple[list[VttCue], list[str]]:
    """The cues of a WebVTT document by the W3C "WebVTT parser algorithm", and a warning
    for every block the algorithm skips that is not a header, comment, style sheet or
    region (``line 12: cue dropped: bad timing line '00:08.7890 --> ...'``).

    ``text`` is the decoded file (a byte-order mark already removed). A file without the
    signature (``WEBVTT`` followed by a space, a tab, a line break or nothing) raises
    :class:`InputError` naming line 1; nothing else does.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("WEBVTT") or (len(text) > 6 and text[6] not in " \t\n"):
        first = text.split("\n", 1)[0]
        raise InputError(f"not valid WebVTT: the file must start with 'WEBVTT' followed by a space, "
                         f"a tab or a line break, not {_shorten(first)!r}", source=source, where="line 1")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the line break that ends the last line starts no line
    count = len(lines)
    cues: list[VttCue] = []
    warnings: list[str] = []
    seen_cue = False
    index = 1
    if index < count and lines[index] != "":
        index, _ = _collect_block(lines, index, True, seen_cue, cues, warnings)
    while index < count:
        while index < count and lines[index] == "":
            index += 1
        if index < count:
            index, seen_cue = _collect_block(lines, index, False, seen_cue, cues, warnings)
    return cues, warnings


def _collect_block(lines: list[str], index: int, in_header: bool, seen_cue: bool,
                   cues: list[VttCue], warnings: list[str]) -> tuple[int, bool]:
    """"Collect a WebVTT block" from ``lines[index]``: append the cue it holds to
    ``cues`` (or a warning to ``warnings``), return where the next block starts and the
    new value of *seen cue*."""
    count = len(lines)
    first = index
    line_count = 0
    previous = index
    buffer: list[str] = []
    seen_arrow = False
    timing: tuple[int, int, str] | None = None
    identifier = ""
    arrow_line = 0  # 1-based line of the timing line tried, 0 when none was
    other_block = False  # a STYLE or REGION block
    while index < count:
        line = lines[index]
        index += 1
        line_count += 1
        if "-->" in line:
            if not in_header and (line_count == 1 or (line_count == 2 and not seen_arrow)):
                seen_arrow = True
                previous = index
                arrow_line = index
                timing = parse_timing(line)
                if timing is not None:
                    identifier = "\n".join(buffer)
                    buffer = []
                    seen_cue = True
            else:
                index = previous  # the line starts the next block
                break
        elif not line:
            break
        else:
            if not in_header and line_count == 2 and not seen_cue and buffer:
                head = buffer[0]
                if ((head.startswith("STYLE") and not head[5:].strip(_WS))
                        or (head.startswith("REGION") and not head[6:].strip(_WS))):
                    other_block = True
                    buffer = []
            buffer.append(line)
            previous = index
    if timing is not None:
        cues.append(VttCue(identifier, timing[0], timing[1], timing[2], "\n".join(buffer), arrow_line))
    elif arrow_line:
        warnings.append(f"line {arrow_line}: cue dropped: bad timing line "
                        f"{_shorten(lines[arrow_line - 1])!r}")
    elif not (in_header or other_block):
        head = lines[first]
        if _is_keyword_line(head, "NOTE"):
            pass  # a comment
        elif _is_keyword_line(head, "STYLE") or _is_keyword_line(head, "REGION"):
            if seen_cue:
                warnings.append(f"line {first + 1}: {head.split()[0]} block after the first cue ignored")
        else:
            warnings.append(f"line {first + 1}: block dropped: no timing line before "
                            f"{_shorten(head)!r}")
    return index, seen_cue


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- cue text

_KNOWN_TAGS = frozenset(("c", "i", "b", "u", "ruby", "rt", "v", "lang"))
_TOKEN = re.compile(r"<([^>]*)>?|[^<]+")
_REFERENCE = re.compile(r"&(?:#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?|([A-Za-z0-9]+;?))")
_LONGEST_NAME = max(map(len, html.entities.html5))


def _reference(match: re.Match[str]) -> str:
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        # HTML: the longest prefix that is a named reference (with or without ";").
        for end in range(min(len(name), _LONGEST_NAME), 1, -1):
            found = html.entities.html5.get(name[:end])
            if found is not None:
                return found + name[end:]
        return match.group()
    number = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= number <= 0x9F:
        # HTML maps these to what windows-1252 means by them; five have no mapping.
        try:
            return bytes((number,)).decode("cp1252")
        except UnicodeDecodeError:
            return chr(number)
    return chr(number)


def decode_references(text: str) -> str:
    """HTML character references decoded as the WebVTT cue text tokenizer does: every
    named reference HTML knows (``&amp;``, ``&nbsp;``, ``&hearts;``, legacy ones without
    ``;`` such as ``&amp``), decimal and hexadecimal references with HTML's replacements
    (0, surrogates and values past U+10FFFF give U+FFFD; 0x80-0x9F the windows-1252
    characters). Unlike :func:`html.unescape`, no code point is deleted."""
    return _REFERENCE.sub(_reference, text) if "&" in text else text


def _annotation(text: str) -> str:
    """A start tag's annotation: references decoded, ASCII white space trimmed and runs of
    it collapsed to one space."""
    return _WS_RUN.sub(" ", decode_references(text).strip(_WS))


def _tag_parts(tag: str) -> tuple[str, str]:
    """``(name, annotation)`` of a start tag's content (what lies between ``<`` and ``>``)."""
    end = len(tag)
    for position, char in enumerate(tag):
        if char in "\t\n\f .":
            end = position
            break
    name = tag[:end]
    rest = tag[end:]
    if rest.startswith("."):  # classes run to the first white space
        for position, char in enumerate(rest):
            if char in "\t\n\f ":
                return name, rest[position + 1:]
        return name, ""
    return name, rest[1:]


def cue_segments(payload: str) -> list[tuple[str | None, str]]:
    """The text of a cue, in order, as ``(voice, text)`` runs: the WebVTT cue text parsing
    rules build the node tree, each text node gets the name of its innermost voice
    (``None`` outside any ``<v>`` and for a ``<v>`` without a name), and neighbouring
    nodes of one voice are joined. Tags leave no text; ruby text (``<rt>``) is given in
    parentheses after its base (``漢(かん)``); timestamp tags are removed."""
    if "<" not in payload:
        return [(None, decode_references(payload))] if payload else []
    segments: list[tuple[str | None, str]] = []
    # The open nodes: (tag, voice in effect, whether an <rt> has shown its "(").
    stack: list[list[Any]] = [["", None, False]]

    def add(text: str) -> None:
        top = stack[-1]
        if top[0] == "rt" and not top[2]:
            top[2] = True
            text = "(" + text
        voice = top[1]
        if segments and segments[-1][0] == voice:
            segments[-1] = (voice, segments[-1][1] + text)
        else:
            segments.append((voice, text))

    def pop() -> None:
        top = stack.pop()
        if top[0] == "rt" and top[2]:
            stack.append(top)  # the ")" belongs to the ruby text's voice
            add(")")
            stack.pop()

    for match in _TOKEN.finditer(payload):
        tag = match.group(1)
        if tag is None:
            add(decode_references(match.group()))
            continue
        if not tag or tag[0] in "0123456789":
            continue  # "<>" and timestamp tags show nothing
        current = stack[-1][0]
        if tag[0] == "/":
            name = tag[1:]
            if name == current and name in _KNOWN_TAGS:
                pop()
            elif name == "ruby" and current == "rt":
                pop()
                pop()
            continue
        name, annotation = _tag_parts(tag)
        if name not in _KNOWN_TAGS or (name == "rt" and current != "ruby"):
            continue
        voice = stack[-1][1]
        if name == "v":
            voice = _annotation(annotation) or None
        stack.append([name, voice, False])
    while len(stack) > 1:
        pop()
    return segments


def cue_content(payload: str) -> tuple[str, str | None, tuple[Voice, ...]]:
    """``(text, speaker, voices)`` of a cue for :class:`RawItem`.

    The voice runs of :func:`cue_segments` lose their outer white space. A run of white
    space alone is a boundary, not words: between two runs of one voice it joins them (so
    no words are glued together), elsewhere it goes. A run without a letter or digit is
    no one's words: glued to the run before it (``<v A>Yes</v>!``) it joins that one,
    else it joins the run after it (the ``-`` of a dialogue dash), or the one before it at
    the end of the cue. One run left gives a plain ``text`` and
    ``speaker``; two or more give ``voices`` and their texts joined by ``\\n``.
    """
    runs: list[list[Any]] = []  # [voice, text, white space before it]
    pending = ""
    for voice, text in cue_segments(payload):
        if not text.strip():
            pending += text
        else:
            runs.append([voice, text, pending])
            pending = ""
    if len(runs) > 1:
        runs = _merge_runs(runs)
    if not runs:
        return "", None, ()
    if len(runs) == 1:
        return runs[0][1].strip(), runs[0][0], ()
    voices = tuple(Voice(voice, text.strip()) for voice, text, _ in runs)
    return join_voices(voices), None, voices


def _merge_runs(runs: list[list[Any]]) -> list[list[Any]]:
    kept: list[list[Any]] = []
    carried = ""  # a no-word run waiting for the run after it
    carried_space = ""
    for position, run in enumerate(runs):
        voice, text, space = run
        if carried:
            text, space, carried = carried + space + text, carried_space, ""
        if any(char.isalnum() for char in text):
            kept.append([voice, text, space])
        elif kept and not space and not text[0].isspace():
            kept[-1][1] += text  # glued to the words before it: "Yes!"
        elif position + 1 < len(runs):
            carried, carried_space = text, space  # "- " before the next speaker's words
        elif kept:
            kept[-1][1] += space + text
        else:
            kept.append([voice, text, space])
    merged = kept[:1]
    for run in kept[1:]:
        if run[0] == merged[-1][0]:
            merged[-1][1] += run[2] + run[1]
        else:
            merged.append(run)
    return merged


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """WebVTT as a browser reads it (see the module docstring), after decoding by
    byte-order mark or ``options.encoding`` (UTF-8 by default, as the spec says)."""
    cues, warnings = parse(decode_text(data, source, options), source)
    items: list[RawItem] = []
    append = items.append
    with gc_paused():
        for index, cue in enumerate(cues):
            if cue.start_ms > MAX_MS or cue.end_ms > MAX_MS:
                raise InputError(f"cue time {format_clock(max(cue.start_ms, cue.end_ms))} is beyond "
                                 "100 days", source=source, where=f"line {cue.line}")
            payload = cue.text
            if "<" in payload or "&" in payload or payload[:1].isspace() or payload[-1:].isspace():
                text, speaker, voices = cue_content(payload)
            else:
                text, speaker, voices = payload, None, ()
            append(RawItem(float(cue.start_ms), float(cue.end_ms), text, speaker, index, voices))
    yield RawTranscript(items=items, source=source, units="ms", warnings=tuple(warnings))


def sniff(head: bytes) -> bool:
    """The WebVTT signature, after an optional UTF-8 byte-order mark."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.startswith(b"WEBVTT") and (len(head) == 6 or head[6:7] in (b" ", b"\t", b"\n", b"\r"))


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
