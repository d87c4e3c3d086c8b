"""Speaker-labelled JSON: the transcript as data, nothing cleaned or dropped.

::

    {"run_id": ..., "language": ..., "units": "s",
     "source_units": {"unit": "ms", "method": "auto", "confidence": 0.97} | null,
     "speakers": [...],
     "cues": [{"start": 1.5, "end": 3.25, "speaker": "Alice", "text": "..."},
              {"start": 4.0, "end": 5.0, "speaker": null, "text": "Hi.\nHello.",
               "voices": [{"speaker": "Alice", "text": "Hi."},
                          {"speaker": "Bob", "text": "Hello."}]}],
     "dialogue": [...]}                      # only when the transcript keeps it

A transcript read from a dubbing script (DAPT) also has, before ``cues``::

    "script": {"type": "asRecorded", "represents": "audio.dialogue", "langSrc": "fr",
               "events": [{"id": "d1", "onScreen": "ON_OFF", "represents": "audio.dialogue"},
                          null, ...]}

with one entry per dialogue item (``dialogue`` when written, else ``cues``), ``null``
for an item the script says nothing of; reading keeps it.

A cue that several people speak has ``"speaker": null`` and its ``voices`` in order, so a
reader that knows only DialogueItems still gets every word, credited to no one rather than
to the wrong person.

``units`` is the unit of every number in this file, always seconds, so each cue reads back
as a Camb.ai DialogueItem. ``source_units`` is the normaliser's reading of the source
(``null`` when unknown). Times are written from the integer milliseconds as exact
decimals (``12.345``, ``1.5``, ``2.0``), never through float arithmetic. Text and speakers
keep every character the other formats keep: control characters are shown as U+FFFD, as
in SRT, WebVTT and TTML (a raw NUL would reach whoever reads the JSON), while line breaks,
tabs and white space stay as given.

Reading: dubsubs' own JSON (a ``cues`` list) and every Camb.ai result shape
(:mod:`dubsubs.camb.results`).

The output is the same text ``json.dumps(document, indent=..., ensure_ascii=...)`` would
give for that document; it is assembled directly because the standard encoder is pure
Python once ``indent`` is set, and several times slower.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from ..camb.results import COMPACT_ABOVE, dialogue_items, iter_results, loads_json
from ..errors import InputError, OptionError
from ..languages import to_tag
from ..model import Cue, RawTranscript, Script, Transcript
from ._text import CONTROL_TABLE
from .base import Format, ReadOptions, decode_text

#: ``.0``, ``.001`` ... ``.999`` with trailing zeros removed: ``.5``, ``.25``, ``.345``.
_FRACTION: tuple[str, ...] = tuple("." + (f"{n:03d}".rstrip("0") or "0") for n in range(1000))


# A lone surrogate cannot be encoded as UTF-8, so even with ensure_ascii=False it is written
# as a \\uXXXX escape, which json.loads turns back into the same code point: nothing lost.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(encoded: str) -> str:
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", encoded)


@dataclass(frozen=True, slots=True)
class JsonOptions:
    """``indent``: spaces per level, ``None`` for one line. ``ensure_ascii``: escape
    non-ASCII characters as ``\\uXXXX``."""

    indent: int | None = 2
    ensure_ascii: bool = False


#: More spaces per level than anyone reads, and few enough that a typo cannot exhaust memory.
MAX_INDENT = 16


def _shown(text: str) -> str:
    """``text`` with control characters as U+FFFD (see :mod:`dubsubs.formats._text`)."""
    return text.translate(CONTROL_TABLE)


def seconds(ms: int) -> str:
    """Integer milliseconds as an exact decimal number of seconds: 1500 -> ``1.5``."""
    whole, millis = divmod(ms, 1000)
    return f"{whole}{_FRACTION[millis]}"


def dumps(transcript: Transcript, options: JsonOptions) -> str:
    return "".join(dumps_chunks(transcript, options))


def dumps_chunks(transcript: Transcript, options: JsonOptions) -> list[str]:
    """The document as a few large strings, in order (``dumps`` joins them): a million
    cues never wait as a million strings for one final join."""
    indent = options.indent
    if indent is not None and (type(indent) is not int or not 0 <= indent <= MAX_INDENT):
        raise OptionError(f"json indent must be an int from 0 to {MAX_INDENT} or None, got {indent!r}")
    string = encode_basestring_ascii if options.ensure_ascii else encode_basestring

    units = transcript.units
    source_units = (
        None
        if units is None
        else {"unit": units.unit, "method": units.method, "confidence": units.confidence}
    )
    header: dict[str, Any] = {
        "run_id": transcript.run_id,
        "language": transcript.language,
        "units": "s",
        "source_units": source_units,
        "speakers": [_shown(speaker) for speaker in transcript.speakers],
    }
    if transcript.script is not None:
        header["script"] = script_dict(transcript.script)
    lists: dict[str, tuple[Cue, ...]] = {"cues": transcript.cues}
    if transcript.dialogue is not None:
        lists["dialogue"] = transcript.dialogue

    if indent is None:
        newline, pad1, pad2, pad3, colon = "", "", "", "", ": "
        separator = ", "
    else:
        newline = "\n"
        pad1, pad2, pad3 = " " * indent, " " * (2 * indent), " " * (3 * indent)
        colon = ": "
        separator = ","

    # Every piece goes into one list joined once at the end, so the cue text is not copied
    # again by concatenation (peak memory stays near twice the output).
    parts = ["{", newline]
    for key, value in header.items():
        value_text = _escape_surrogates(json.dumps(value, indent=indent, ensure_ascii=options.ensure_ascii))
        parts.append(f"{pad1}{string(key)}{colon}{_indented(value_text, pad1)}{separator}{newline}")
    for number, (key, cues) in enumerate(lists.items()):
        if number:
            parts.append(f"{separator}{newline}")
        parts.append(f"{pad1}{string(key)}{colon}")
        _write_cue_array(parts, cues, string, newline, pad1, pad2, pad3, separator)
    parts.append(f"{newline}}}")
    return parts


#: Cues joined into one string at a time (see :func:`dumps_chunks`).
BATCH = 8192


def script_dict(script: Script) -> dict[str, Any]:
    """``script`` in the shape dubsubs' JSON holds (and the normaliser reads back)."""
    return {
        "type": script.script_type,
        "represents": script.represents,
        "langSrc": script.lang_src,
        "events": [None if event is None else
                   {"id": event.id, "onScreen": event.on_screen, "represents": event.represents}
                   for event in script.events],
    }


def _indented(text: str, pad: str) -> str:
    """A nested value's json.dumps text, shifted one level in."""
    return text.replace("\n", "\n" + pad) if pad else text


def _write_cue_array(
    parts: list[str],
    cues: Iterable[Cue],
    encode: Callable[[str], str],
    newline: str,
    pad1: str,
    pad2: str,
    pad3: str,
    separator: str,
) -> None:
    """Append a JSON array of cue objects to ``parts``."""
    append = parts.append
    fraction = _FRACTION
    # One f-string per cue, keys pre-rendered: this loop is the whole cost of the export.
    key_start = f'{pad3}"start": '
    key_end = f'{separator}{newline}{pad3}"end": '
    key_speaker = f'{separator}{newline}{pad3}"speaker": '
    key_text = f'{separator}{newline}{pad3}"text": '
    opening = f"{pad2}{{{newline}"
    between = f"{newline}{pad2}}}{separator}{newline}{pad2}{{{newline}"
    key_voices = f'{separator}{newline}{pad3}"voices": '
    speakers: dict[str, str] = {}
    first = True
    mark = len(parts)
    for count, cue in enumerate(cues, 1):
        raw = cue.speaker
        if raw is None:
            speaker = "null"
        else:
            cached = speakers.get(raw)
            if cached is None:
                cached = speakers[raw] = _escape_surrogates(encode(_shown(raw)))
            speaker = cached
        text = cue.text
        # isprintable is false for controls and surrogates: a cheap gate.
        encoded = encode(text) if text.isprintable() else _escape_surrogates(encode(_shown(text)))
        if cue.voices:
            voices = [{"speaker": None if v.speaker is None else _shown(v.speaker), "text": _shown(v.text)}
                      for v in cue.voices]
            encoded += key_voices + _escape_surrogates(
                json.dumps(voices, ensure_ascii=encode is encode_basestring_ascii))
        start_s, start_ms = divmod(cue.start_ms, 1000)
        end_s, end_ms = divmod(cue.end_ms, 1000)
        if first:
            lead = f"[{newline}{opening}"
            first = False
        else:
            lead = between
        append(
            f"{lead}{key_start}{start_s}{fraction[start_ms]}"
            f"{key_end}{end_s}{fraction[end_ms]}"
            f"{key_speaker}{speaker}{key_text}{encoded}"
        )
        if not count % BATCH:  # the last BATCH cues as one string: no million-piece list
            joined = "".join(parts[mark:])
            del parts[mark:]
            append(joined)
            mark += 1
    if len(parts) > mark + 1:  # the cues after the last full batch, also as one string
        joined = "".join(parts[mark:])
        del parts[mark:]
        append(joined)
    append("[]" if first else f"{newline}{pad2}}}{newline}{pad1}]")


# --------------------------------------------------------------------------- reading


def read_ours(obj: dict[str, Any], source: str) -> RawTranscript:
    """dubsubs' own JSON: times in seconds, speakers, voices and language recorded."""
    if obj.get("units", "s") != "s":
        raise InputError(f"unsupported units {obj.get('units')!r}", source=source, where="units")
    language = obj.get("language")
    run_id = obj.get("run_id")
    extra = {key: obj[key] for key in ("script",) if isinstance(obj.get(key), dict)}
    return RawTranscript(
        items=dialogue_items(obj["cues"], source, "cues"),
        source=source,
        where="cues",
        run_id=None if run_id is None else str(run_id),
        language=to_tag(language) if isinstance(language, (str, int)) else None,
        units="s",
        extra=extra,
    )


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    compact = len(data) > COMPACT_ABOVE
    text = decode_text(data, source, options)
    del data  # the caller passes its reference on (see formats.iter_file): freed here
    obj = loads_json(text, source, compact=compact)
    del text
    if isinstance(obj, dict) and isinstance(obj.get("cues"), list):
        yield read_ours(obj, source)
    else:
        yield from iter_results(obj, source)


#: A JSON document's first bytes: an object, or an array of JSON values ("[Script Info]",
#: which opens an ASS file, is not one).
_JSON_START = re.compile(rb'\{|\[\s*(?:[\[{\]"\-0-9]|true|false|null)')


def sniff(head: bytes) -> bool:
    return _JSON_START.match(head) is not None


FORMAT: Format[JsonOptions] = Format(
    name="json",
    suffixes=(".json",),
    description="speaker-labelled JSON, times in seconds, as Camb.ai DialogueItems",
    options_type=JsonOptions,
    dumps=dumps,
    dumps_chunks=dumps_chunks,
    read=read,
    sniff=sniff,
    default=True,
)
