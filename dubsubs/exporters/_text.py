"""Cue text and speaker-name clean-up shared by the text formats (SRT, WebVTT, TTML).

The rules, the same for every format that has them (JSON keeps text exactly as given):

1. Every line break Python knows (``\\r\\n``, ``\\r``, ``\\n``, ``\\v``, ``\\f``,
   ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029) becomes ``\\n``.
2. Other control characters (``\\x00``-``\\x08``, ``\\x0e``-``\\x1b``, ``\\x1f``, ``\\x7f``), lone
   surrogates and the non-characters U+FFFE/U+FFFF become U+FFFD, the replacement character,
   so the reader sees that something was there; XML cannot carry them at all. Tabs stay.
3. Each line loses its leading and trailing whitespace (``str.strip``), and lines left
   empty are removed: a blank line would end an SRT or WebVTT cue early. No word is lost.

A speaker name is cleaned the same way, then all its whitespace runs (line breaks
included) become one space, so it always fits on one line.
"""

from __future__ import annotations

import re

# Characters that send a text down the slow path: anything rule 1 or 2 touches, and
# whitespace at either end (rule 3). Formats add their own specials to this class.
_LINE_AND_CONTROL = "\\x00-\\x1f\\x7f\\x85\\u2028\\u2029\\ud800-\\udfff\\ufffe\\uffff"

_REPLACE = {
    **{code: "\ufffd" for code in range(0x00, 0x09)},
    **{code: "\ufffd" for code in range(0x0E, 0x1C)},
    0x1F: "\ufffd",
    0x7F: "\ufffd",
    0xFFFE: "\ufffd",
    0xFFFF: "\ufffd",
    **{code: "\ufffd" for code in range(0xD800, 0xE000)},
}
_REPLACE_TABLE = str.maketrans(_REPLACE)


def needs_work(extra: str = "") -> re.Pattern[str]:
    """A regex that finds, in one pass, anything the clean-up or the format must change.

    ``extra`` is a regex alternative for format-specific specials (``"-->"``, ``"[&<>]"``).
    A text it does not match is already one clean line and can be written as it is.
    """
    alternatives = [f"[{_LINE_AND_CONTROL}]", r"\A\s", r"\s\Z"]
    if extra:
        alternatives.append(extra)
    return re.compile("|".join(alternatives))


def clean_lines(text: str) -> list[str]:
    """The non-empty, stripped lines of ``text`` after rules 1-3 above."""
    if not text.isascii() or not text.isprintable():
        text = text.translate(_REPLACE_TABLE)
    return [stripped for line in text.splitlines() if (stripped := line.strip())]


def clean_text(text: str) -> str:
    """``text`` after rules 1-3, lines joined with ``\\n`` (``""`` when nothing is left)."""
    return "\n".join(clean_lines(text))


def clean_speaker(name: str | None) -> str | None:
    """A speaker name on one line with single spaces, or ``None`` when nothing is left."""
    if name is None:
        return None
    cleaned = " ".join(name.translate(_REPLACE_TABLE).split())
    return cleaned or None
