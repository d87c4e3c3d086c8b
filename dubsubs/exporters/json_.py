"""Speaker-labelled JSON: the transcript as data, nothing cleaned or dropped.

::

    {"run_id": ..., "language": ..., "units": "s",
     "source_units": {"unit": "ms", "method": "auto", "confidence": 0.97} | null,
     "speakers": [...],
     "cues": [{"start": 1.5, "end": 3.25, "speaker": "Alice", "text": "..."}],
     "dialogue": [...]}                      # only when the transcript keeps it

``units`` is the unit of every number in this file, always seconds, so each cue reads back
as a Camb.ai DialogueItem. ``source_units`` is the normaliser's reading of the source
(``null`` when unknown). Times are written from the integer milliseconds as exact
decimals (``12.345``, ``1.5``, ``2.0``), never through float arithmetic. Text and speakers
are kept exactly as given; JSON escaping carries any character (a lone surrogate, which
UTF-8 cannot hold, is always written as a ``\\uXXXX`` escape).

The output is the same text ``json.dumps(document, indent=..., ensure_ascii=...)`` would
give for that document; it is assembled directly because the standard encoder is pure
Python once ``indent`` is set, and several times slower.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring, encode_basestring_ascii

from ..errors import OptionError
from ..model import Cue, Transcript
from .base import Exporter

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


def seconds(ms: int) -> str:
    """Integer milliseconds as an exact decimal number of seconds: 1500 -> ``1.5``."""
    whole, millis = divmod(ms, 1000)
    return f"{whole}{_FRACTION[millis]}"


def dumps(transcript: Transcript, options: JsonOptions) -> str:
    indent = options.indent
    if indent is not None and (type(indent) is not int or indent < 0):
        raise OptionError(f"json indent must be a non-negative int or None, got {indent!r}")
    string = encode_basestring_ascii if options.ensure_ascii else encode_basestring

    units = transcript.units
    source_units = (
        None
        if units is None
        else {"unit": units.unit, "method": units.method, "confidence": units.confidence}
    )
    header = {
        "run_id": transcript.run_id,
        "language": transcript.language,
        "units": "s",
        "source_units": source_units,
        "speakers": list(transcript.speakers),
    }
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
    return "".join(parts)


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
    speakers: dict[str, str] = {}
    first = True
    for cue in cues:
        raw = cue.speaker
        if raw is None:
            speaker = "null"
        else:
            cached = speakers.get(raw)
            if cached is None:
                cached = speakers[raw] = _escape_surrogates(encode(raw))
            speaker = cached
        text = cue.text
        encoded = encode(text)
        if not text.isprintable():  # isprintable is false for surrogates: a cheap gate
            encoded = _escape_surrogates(encoded)
        start_s, start_ms = divmod(cue.start_ms, 1000)
        end_s, end_ms = divmod(cue.end_ms, 1000)
        if first:
            append(f"[{newline}{opening}")
            first = False
        else:
            append(between)
        append(
            f"{key_start}{start_s}{fraction[start_ms]}"
            f"{key_end}{end_s}{fraction[end_ms]}"
            f"{key_speaker}{speaker}{key_text}{encoded}"
        )
    append("[]" if first else f"{newline}{pad2}}}{newline}{pad1}]")


EXPORTER: Exporter[JsonOptions] = Exporter(
    name="json",
    extension=".json",
    options_type=JsonOptions,
    dumps=dumps,
    description="speaker-labelled JSON, times in seconds, as Camb.ai DialogueItems",
)
