"""Small pieces of wording shared by the reports (normaliser, style, check)."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``1 cue``, ``2 cues``, ``0 cues``: the count and the noun, with an ``s`` unless one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shorten(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and ``...`` in that
    many: a value quoted in a message stays readable however long it was."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


#: What must never reach a terminal raw: C0 and C1 controls and DEL (escape sequences,
#: carriage returns and line feeds that rewrite or forge lines), the Unicode line and
#: paragraph separators, and the bidirectional controls that reorder what is shown.
_UNPRINTABLE = {
    chr(c): _escape(chr(c))
    for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
}
_UNPRINTABLE_TABLE = str.maketrans(_UNPRINTABLE)


def printable(text: str) -> str:
    """``text`` safe to print on one terminal line: every control character (escape, CR,
    LF, tab, C1, bidi and line separators) is shown escaped (``\\x1b``), everything else is
    kept. The one sanitiser for strings that came from a server or a file name; applying it
    twice changes nothing more."""
    return text.translate(_UNPRINTABLE_TABLE)
