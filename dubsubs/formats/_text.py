"""Cue text and speaker-name clean-up shared by the writers.

The rules, the same for every format that has them (JSON applies rule 2 only):

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
#: Rule 2 alone, for formats that keep line breaks and white space as given (JSON).
CONTROL_TABLE = _REPLACE_TABLE


def is_clean_line(text: str) -> bool:
    """True when ``text`` is one line that rules 1-3 leave as it is.

    This is the fast path, a few C-level checks: ``str.isprintable`` is false for every
    character rules 1 and 2 touch (line breaks, controls, surrogates, non-characters) and
    for some harmless ones (no-break space, format characters), which then merely take
    the slow path. Empty text is not clean: it has no line. :func:`text_lines` and the
    exporters' ``dumps`` loops repeat this test inline, on purpose: it is their fast path.
    """
    return text.isprintable() and text != "" and not text[0].isspace() and not text[-1].isspace()


def text_lines(text: str) -> list[str]:
    """The lines of ``text`` after rules 1-3: split on ``\\n`` when every line is already
    clean (the common multi-line cue), else the full :func:`clean_lines`."""
    lines = text.split("\n")
    for line in lines:
        # is_clean_line, inlined: this runs for every line of every multi-line cue.
        if not (line.isprintable() and line and not line[0].isspace() and not line[-1].isspace()):
            return clean_lines(text)
    return lines


def clean_lines(text: str) -> list[str]:
    """The non-empty, stripped lines of ``text`` after rules 1-3 above."""
    if not text.isascii() or not text.isprintable():
        text = text.translate(_REPLACE_TABLE)
    return [stripped for line in text.splitlines() if (stripped := line.strip())]


def escape_markup(text: str) -> str:
    """Escape ``&``, ``<`` and ``>``: enough for WebVTT cue text and annotations, and for
    XML character data (``>`` too, so ``]]>`` can never appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_speaker(name: str | None) -> str | None:
    """A speaker name on one line with single spaces, or ``None`` when nothing is left."""
    if name is None:
        return None
    cleaned = " ".join(name.translate(_REPLACE_TABLE).split())
    return cleaned or None
