"""Advanced SubStation Alpha (``.ass``), written for libass; ASS and SSA (v4, v4+) read.

**Writing.** ``[Script Info]`` (``ScriptType: v4.00+``, ``PlayResX``/``PlayResY``,
``WrapStyle: 0``, ``ScaledBorderAndShadow: yes``, ``YCbCr Matrix: None``), ``[V4+ Styles]``
with a white ``Default`` style and one style per speaker (colours from a fixed palette of
eight, in order of first appearance, repeating after the eighth; outline 3 px at 1080
lines, bottom centre), and ``[Events]`` with one ``Dialogue:`` line per cue whose ``Name``
is the speaker.

- Times are ``H:MM:SS.cc``. Milliseconds become centiseconds rounded **up**, start and end
  alike: a cue never appears before its time (the house rule of the presets), and one
  rounding function for both keeps every cue order, abutment and gap order as it was, so
  no two cues that did not overlap come to overlap. Hours take as many digits as needed
  (libass reads them; pysubs2 reads up to 99).
- Text is cleaned as for SRT and WebVTT (:mod:`dubsubs.formats._text`) and lines are
  joined with ``\\N``. ASS has no general escape, so what libass would take for markup is
  written the way libass shows it literally: ``{`` as ``\\{`` (libass draws ``{``), and a
  backslash that would start ``\\N``, ``\\n``, ``\\h`` or ``\\}`` gets U+2060 WORD JOINER
  (invisible, no width) after it, so ``\\N`` typed in a line is drawn as the two characters.
  ``}`` alone is plain text to libass and is left as it is. (VSFilter does not know
  ``\\{``: there such a line shows the backslash and hides the block.)
- ``Name`` and style names cannot hold a comma (the field separator): a comma in a speaker
  name is written as U+201A ``‚``, and ``/`` as U+2215 ``∕`` (the separator of the names of a
  cue with several voices, below). Style names also lose ``\\ { } ( )`` to look-alikes, and
  take a ``(2)``-style suffix when two speakers would get the same one.
- A cue that several people speak stays **one** event (so its timing is the cue's): each
  voice starts its line with ``{\\r<Style>}``, its speaker's style (``{\\r}``, the event's
  Default, for an unknown speaker), and ``Name`` lists the voices' names in order, joined
  by ``" / "``. Every word keeps its own speaker's colour, and no word is under another's
  name. The reader rebuilds the voices from exactly that shape, and otherwise keeps the
  event whole under its ``Name``.

**Reading.** Sections by name; ``Format:`` lines give the field order (the ``Text`` field is
the last and may hold commas); ``Dialogue:`` events become items, ``Comment:`` (and
``Picture``/``Sound``/``Movie``/``Command``) events are skipped and counted in
``RawTranscript.warnings``. Text is read the way libass reads it: ``{...}`` override
blocks removed (a ``{`` with no ``}`` after it is text; words inside a block, which
libass does not show, are counted as ASS comments), vector drawings (``{\\p1}`` up to
``{\\p0}``) removed and counted, ``\\N`` a line break, ``\\n`` a line break under
``WrapStyle: 2`` and a space otherwise (as libass shows it), ``\\h`` a no-break space,
``\\{`` and ``\\}`` literal braces. Times are read as libass reads them: the digits after the
point are centiseconds; a fraction that is not two digits is read so and reported. The
speaker is ``Name``. A malformed event is an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import InputError, OptionError
from ..model import MAX_MS, RawItem, RawTranscript, Transcript, Voice
from ._text import clean_speaker, text_lines
from .base import Format, ReadOptions, decode_text

WORD_JOINER = "\u2060"
NAME_COMMA = "\u201a"  # ‚ SINGLE LOW-9 QUOTATION MARK
NAME_SLASH = "\u2215"  # ∕ DIVISION SLASH
VOICE_SEPARATOR = " / "

#: Primary colours of the speakers' styles, as ASS writes them (&HAABBGGRR, alpha 0 =
#: opaque): yellow, cyan, light green, pink, orange, light blue, lilac, lime. White is
#: the Default style's, for cues without a speaker.
PALETTE = (
    "&H0000FFFF", "&H00FFFF00", "&H0080FF80", "&H00C080FF",
    "&H0000A5FF", "&H00FFC080", "&H00FF80C0", "&H0000FFC0",
)  # fmt: skip
DEFAULT_COLOUR = "&H00FFFFFF"

_STYLE_FORMAT = ("Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
                 "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, "
                 "Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, "
                 "Encoding")
_EVENT_FORMAT = "Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"
_FONT_NAME_FORBIDDEN = re.compile(r"[,\\{}\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class AssOptions:
    """``play_res``: the script's coordinate space (``PlayResX``, ``PlayResY``), which
    libass scales to the video. ``font_name``: the font of every style (fontconfig
    substitutes a missing one). ``font_size``: in script pixels; ``None`` gives a twentieth
    of the height (54 at 1080)."""

    play_res: tuple[int, int] = (1920, 1080)
    font_name: str = "Arial"
    font_size: int | None = None

    def __post_init__(self) -> None:
        res = self.play_res
        if (not isinstance(res, tuple) or len(res) != 2
                or not all(type(v) is int and 16 <= v <= 16384 for v in res)):
            raise OptionError(f"ass option play_res must be two whole numbers of pixels "
                              f"from 16 to 16384, e.g. (1920, 1080), got {res!r}")
        if not isinstance(self.font_name, str) or not self.font_name.strip() \
                or _FONT_NAME_FORBIDDEN.search(self.font_name):
            raise OptionError(f"ass option font_name must be a font name without commas, "
                              f"braces, backslashes or control characters, got {self.font_name!r}")
        size = self.font_size
        if size is not None and (type(size) is not int or not 1 <= size <= res[1]):
            raise OptionError(f"ass option font_size must be a whole number of pixels from 1 "
                              f"to the height {res[1]}, or None, got {size!r}")


# --------------------------------------------------------------------------- writing


def ass_time(ms: int) -> str:
    """``ms`` as ``H:MM:SS.cc``, rounded up to the centisecond."""
    cs = -(-ms // 10)
    seconds, cs = divmod(cs, 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{cs:02d}"


_BACKSLASH_BEFORE = re.compile("\\\\(?=[Nnh}\u2060])")


def ass_line(line: str) -> str:
    """One cleaned line of text as libass shows it literally (see the module docstring)."""
    if "\\" in line:
        line = _BACKSLASH_BEFORE.sub("\\\\" + WORD_JOINER, line)
    if "{" in line:
        line = line.replace("{", "\\{")
    return line


def ass_text(text: str) -> str:
    """Cue text as an ASS ``Text`` field: cleaned lines, escaped, joined by ``\\N``
    (``""`` when no text is left)."""
    return "\\N".join(ass_line(line) for line in text_lines(text))


def ass_name(speaker: str | None) -> str:
    """A speaker as the ``Name`` field holds it: one line, no comma, no slash."""
    name = clean_speaker(speaker)
    if name is None:
        return ""
    return name.replace(",", NAME_COMMA).replace("/", NAME_SLASH)


_STYLE_LOOKALIKES = str.maketrans({"\\": "\u29f5", "{": "\uff5b", "}": "\uff5d",
                                   "(": "\uff08", ")": "\uff09"})


def _style_names(transcript: Transcript) -> dict[str, str]:
    """Each speaker's ``Name`` → a distinct style name (case-insensitively distinct, and
    never ``Default``), in order of first appearance."""
    styles: dict[str, str] = {}
    taken = {"default"}
    for speaker in transcript.speakers:
        name = ass_name(speaker)
        if not name or name in styles:
            continue
        base = name.translate(_STYLE_LOOKALIKES)
        style, number = base, 1
        while style.lower() in taken:
            number += 1
            style = f"{base} ({number})"
        taken.add(style.lower())
        styles[name] = style
    return styles


def _style_line(name: str, colour: str, options: AssOptions) -> str:
    width, height = options.play_res
    size = options.font_size if options.font_size is not None else max(1, round(height / 20))
    outline = max(1, round(height * 3 / 1080))
    shadow = max(0, round(height / 1080))
    margin_side = round(width * 0.05)
    margin_v = round(height * 0.04)
    return (f"Style: {name},{options.font_name},{size},{colour},&H000000FF,&H00000000,"
            f"&H80000000,0,0,0,0,100,100,0,0,1,{outline},{shadow},2,{margin_side},"
            f"{margin_side},{margin_v},1")


def _header_value(value: str) -> str:
    return " ".join(value.split())


def dumps(transcript: Transcript, options: AssOptions) -> str:
    width, height = options.play_res
    styles = _style_names(transcript)
    out = ["[Script Info]", "; Script generated by dubsubs"]
    if transcript.run_id:
        out.append(f"Title: {_header_value(transcript.run_id)}")
    out += ["ScriptType: v4.00+", "WrapStyle: 0", "ScaledBorderAndShadow: yes",
            "YCbCr Matrix: None", f"PlayResX: {width}", f"PlayResY: {height}"]
    if transcript.language and _header_value(transcript.language):
        out.append(f"Language: {_header_value(transcript.language)}")
    out += ["", "[V4+ Styles]", f"Format: {_STYLE_FORMAT}",
            _style_line("Default", DEFAULT_COLOUR, options)]
    out += [_style_line(style, PALETTE[number % len(PALETTE)], options)
            for number, style in enumerate(styles.values())]
    out += ["", "[Events]", f"Format: {_EVENT_FORMAT}"]
    for cue in transcript.cues:
        if cue.voices:
            # One event, one styled line (or more) per voice: the cue's timing stays whole.
            voices = [(ass_name(v.speaker), text) for v in cue.voices if (text := ass_text(v.text))]
            if len(voices) == 1:
                name, text = voices[0]
            elif voices:
                name = VOICE_SEPARATOR.join(n for n, _ in voices)
                text = "\\N".join((f"{{\\r{styles[n]}}}" if n else "{\\r}") + t for n, t in voices)
            else:
                continue
        else:
            text = ass_text(cue.text)
            if not text:
                continue
            name = ass_name(cue.speaker)
        style = styles.get(name, "Default")
        out.append(f"Dialogue: 0,{ass_time(cue.start_ms)},{ass_time(cue.end_ms)},{style},"
                   f"{name},0,0,0,,{text}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- reading

_SECTION = re.compile(r"\[([^\]]*)\]")
_TIME = re.compile(r"(\d+):(\d+):(\d+)\.(\d+)")
_DRAWING = re.compile(r"\\p\s*(-?\d+)")
_TAGS = re.compile(r"\\[^\\]*")  # a tag runs to the next backslash
_V4PLUS_FIELDS = ("layer", "start", "end", "style", "name", "marginl", "marginr", "marginv",
                  "effect", "text")
_V4_FIELDS = ("marked", *_V4PLUS_FIELDS[1:])
_SKIPPED_EVENTS = ("comment", "picture", "sound", "movie", "command")


def _read_time(value: str, line: int, source: str, odd: list[int]) -> int:
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise InputError(f"bad time {value.strip()!r}, expected H:MM:SS.cc", source=source,
                         where=f"line {line}")
    hours, minutes, seconds, fraction = match.groups()
    if len(fraction) != 2:
        odd.append(line)
    if len(hours) > 9 or len(fraction) > 9:
        raise InputError(f"time out of range: {value.strip()!r}", source=source, where=f"line {line}")
    # As libass: the fraction's digits are a count of centiseconds.
    ms = ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction) * 10
    if ms > MAX_MS:
        raise InputError(f"time out of range: {value.strip()!r}", source=source, where=f"line {line}")
    return ms


def plain_text(raw: str, wrap_style: int) -> tuple[list[str], bool, bool]:
    """An event's text as libass shows it, split where a line starts with a ``\\r`` style
    reset (the shape of a cue with several voices); whether a drawing was removed; and
    whether an override block held words, which libass does not show (ASS comments)."""
    commented = False
    parts: list[str] = []
    segments: list[str] = []
    at_line_start = True
    drawing = False
    dropped_drawing = False
    soft_break = "\n" if wrap_style == 2 else " "
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char == "{":
            close = raw.find("}", i + 1)
            if close >= 0:
                block = raw[i + 1 : close]
                if at_line_start and block.lstrip().startswith("\\r"):
                    segments.append("".join(parts))
                    parts = []
                if not commented and _TAGS.sub("", block).strip():
                    commented = True
                for match in _DRAWING.finditer(block):
                    drawing = int(match.group(1)) > 0
                i = close + 1
                continue
        if drawing:
            dropped_drawing = True
            i += 1
            continue
        if char == "\\" and i + 1 < n:
            following = raw[i + 1]
            if following == "N":
                parts.append("\n")
                at_line_start = True
                i += 2
                continue
            if following in "nh{}":
                parts.append({"n": soft_break, "h": "\xa0"}.get(following, following))
                if following == "n" and wrap_style == 2:
                    at_line_start = True
                i += 2
                continue
            if following == WORD_JOINER and i + 2 < n and raw[i + 2] in "Nnh{}" + WORD_JOINER:
                # Our writer's mark of a literal backslash: drop the joiner it added.
                parts.append("\\" + raw[i + 2])
                at_line_start = False
                i += 3
                continue
        parts.append("\t" if char == "\t" else char)
        at_line_start = False
        i += 1
    segments.append("".join(parts))
    return segments, dropped_drawing, commented


def _voices(name: str, segments: list[str]) -> tuple[Voice, ...] | None:
    """The voices of an event written as a cue with several speakers, or ``None`` when it
    does not have exactly that shape (then the event is one speaker's, under ``name``)."""
    if segments[0] != "" or len(segments) < 3:
        return None
    names = name.split("/")
    if len(names) != len(segments) - 1 or any(not text.endswith("\n") for text in segments[1:-1]):
        return None
    texts = [text[:-1] for text in segments[1:-1]] + [segments[-1]]
    return tuple(Voice(n.strip() or None, t) for n, t in zip(names, texts, strict=True))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _at_lines(numbers: list[int]) -> str:
    numbers = list(dict.fromkeys(numbers))
    shown = ", ".join(map(str, numbers[:5]))
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}" + (", ..." if len(numbers) > 5 else "")


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """ASS or SSA events as raw items in milliseconds (see the module docstring)."""
    text = decode_text(data, source, options)
    section = ""
    seen_events = False
    wrap_style = 0
    fields: tuple[str, ...] | None = None
    items: list[RawItem] = []
    skipped: dict[str, list[int]] = {}
    outside: list[int] = []
    drawings: list[int] = []
    comments: list[int] = []
    odd_times: list[int] = []
    script_type = ""
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        header = _SECTION.fullmatch(stripped)
        if header is not None:
            section = header.group(1).strip().lower()
            seen_events = seen_events or section == "events"
            continue
        kind, colon, payload = line.partition(":")
        if not colon:
            continue
        kind = kind.strip().lower()
        if section == "script info":
            value = payload.strip()
            if kind == "scripttype":
                script_type = value.lower()
            elif kind == "wrapstyle":
                wrap_style = int(value) if value.isdigit() and len(value) < 3 else 0
        elif section == "events":
            if kind == "format":
                fields = tuple(f.strip().lower() for f in payload.split(","))
                missing = [f for f in ("start", "end", "text") if f not in fields]
                if missing:
                    raise InputError(f"events Format has no {', '.join(map(str.capitalize, missing))} field",
                                     source=source, where=f"line {number}")
                if fields[-1] != "text":
                    raise InputError("events Format must end with Text", source=source,
                                     where=f"line {number}")
            elif kind == "dialogue":
                if fields is None:  # no Format line: the one of the script's type
                    fields = _V4_FIELDS if script_type in ("v4.00", "v4") else _V4PLUS_FIELDS
                values = payload.lstrip(" \t").split(",", len(fields) - 1)
                if len(values) != len(fields):
                    raise InputError(f"Dialogue has {len(values)} fields, its Format names "
                                     f"{len(fields)}", source=source, where=f"line {number}")
                event = dict(zip(fields, values, strict=True))
                start = _read_time(event["start"], number, source, odd_times)
                end = _read_time(event["end"], number, source, odd_times)
                name = event.get("name", "")
                segments, drew, commented = plain_text(event["text"], wrap_style)
                if drew:
                    drawings.append(number)
                if commented:
                    comments.append(number)
                voices = _voices(name, segments)
                body = "".join(segments)
                if voices is not None:
                    items.append(RawItem(float(start), float(end), body, None, len(items), voices))
                else:
                    items.append(RawItem(float(start), float(end), body, name.strip() or None,
                                         len(items)))
            elif kind in _SKIPPED_EVENTS:
                skipped.setdefault(kind, []).append(number)
        elif kind == "dialogue":
            outside.append(number)
    warnings = [f"{_at_lines(numbers)}: {_plural(len(numbers), kind.capitalize() + ' event')} "
                f"skipped (not shown)" for kind, numbers in skipped.items()]
    if outside:
        warnings.append(f"{_at_lines(outside)}: {_plural(len(outside), 'Dialogue line')} "
                        f"outside [Events] skipped (not shown)")
    if drawings:
        warnings.append(f"{_at_lines(drawings)}: vector drawings removed "
                        f"from {_plural(len(drawings), 'event')}")
    if comments:
        warnings.append(f"{_at_lines(comments)}: words inside override braces (ASS comments, "
                        f"not shown) removed from {_plural(len(comments), 'event')}")
    if odd_times:
        warnings.append(f"{_at_lines(odd_times)}: time fractions not of two digits, "
                        f"read as centiseconds (as libass does)")
    if not seen_events:
        raise InputError("no [Events] section: not an ASS/SSA script", source=source)
    if not items:
        raise InputError("no Dialogue events", source=source)
    yield RawTranscript(items=items, source=source, units="ms", warnings=tuple(warnings))


def sniff(head: bytes) -> bool:
    return head[:13].lower() == b"[script info]"


FORMAT: Format[AssOptions] = Format(
    name="ass",
    suffixes=(".ass", ".ssa"),
    description="Advanced SubStation Alpha: styled events, one style per speaker (libass)",
    options_type=AssOptions,
    dumps=dumps,
    read=read,
    sniff=sniff,
    default=False,
)
