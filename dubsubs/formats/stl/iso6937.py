"""The text of EBU STL: character code table 00 (ISO/IEC 6937, Latin) and tables 01-04
(ISO 8859-5/6/7/8: Cyrillic, Arabic, Greek, Hebrew), as Tech 3264 Appendix 2 lists them.

ISO 6937 writes an accented letter as two bytes: a non-spacing diacritical mark
(``0xC1``-``0xCF``) *before* its base letter, so ``é`` is ``0xC2 0x65``. Only the letters
of the standard's repertoire are legal (``é`` is, ``ẽ`` is not); :func:`legal_text` turns
any text into text the table can carry and says what it replaced, so a writer never
drops or alters a character silently. The same mark before a space is the mark alone
(``0xC2 0x20`` is ``´``).

Bytes ``0x00``-``0x1F`` and ``0x80``-``0x9F`` are STL control codes, never characters:
the decoders here only ever see the character bytes ``0x20``-``0x7E`` and ``0xA0``-``0xFF``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

#: The character code tables a GSI block can name (CCT), with what they cover.
TABLES = {
    "00": "Latin (ISO 6937)",
    "01": "Latin/Cyrillic (ISO 8859-5)",
    "02": "Latin/Arabic (ISO 8859-6)",
    "03": "Latin/Greek (ISO 8859-7)",
    "04": "Latin/Hebrew (ISO 8859-8)",
}
_CODECS = {"01": "iso8859_5", "02": "iso8859_6", "03": "iso8859_7", "04": "iso8859_8"}

# Row A to F of ISO 6937 outside the diacritics (0xC1-0xCF): one character per byte.
# 0xA4 and 0xA6 are the standard's own "$" and "#"; writers here use the ASCII bytes for
# them (0x24, 0x23), which every reader takes the same way.
_SINGLE = {
    0xA0: "\u00a0", 0xA1: "¡", 0xA2: "¢", 0xA3: "£", 0xA4: "$", 0xA5: "¥", 0xA6: "#",
    0xA7: "§", 0xA8: "¤", 0xA9: "‘", 0xAA: "“", 0xAB: "«", 0xAC: "←", 0xAD: "↑",
    0xAE: "→", 0xAF: "↓",
    0xB0: "°", 0xB1: "±", 0xB2: "²", 0xB3: "³", 0xB4: "×", 0xB5: "µ", 0xB6: "¶",
    0xB7: "·", 0xB8: "÷", 0xB9: "’", 0xBA: "”", 0xBB: "»", 0xBC: "¼", 0xBD: "½",
    0xBE: "¾", 0xBF: "¿",
    # 0xD0 is the long dash; read as the em dash, the dash subtitles use.
    0xD0: "—", 0xD1: "¹", 0xD2: "®", 0xD3: "©", 0xD4: "™", 0xD5: "♪", 0xD6: "¬",
    0xD7: "¦", 0xDC: "⅛", 0xDD: "⅜", 0xDE: "⅝", 0xDF: "⅞",
    # 0xE0 is the ohm sign. 0xE2 is both capital D with stroke and capital eth (one
    # glyph); read as Đ.
    0xE0: "\u2126", 0xE1: "Æ", 0xE2: "Đ", 0xE3: "ª", 0xE4: "Ħ", 0xE6: "Ĳ", 0xE7: "Ŀ",
    0xE8: "Ł", 0xE9: "Ø", 0xEA: "Œ", 0xEB: "º", 0xEC: "Þ", 0xED: "Ŧ", 0xEE: "Ŋ",
    0xEF: "ŉ",
    0xF0: "ĸ", 0xF1: "æ", 0xF2: "đ", 0xF3: "ð", 0xF4: "ħ", 0xF5: "ı", 0xF6: "ĳ",
    0xF7: "ŀ", 0xF8: "ł", 0xF9: "ø", 0xFA: "œ", 0xFB: "ß", 0xFC: "þ", 0xFD: "ŧ",
    0xFE: "ŋ", 0xFF: "\u00ad",
}

# Each non-spacing mark: its byte, the Unicode combining character, the spacing form
# (the mark before a space), and the base letters the repertoire gives it.
_MARKS: tuple[tuple[int, str, str, str], ...] = (
    (0xC1, "\u0300", "`", "AEIOUaeiou"),
    (0xC2, "\u0301", "´", "ACEILNORSUYZaceilnorsuyz"),  # and "g": see _SPECIAL
    (0xC3, "\u0302", "^", "ACEGHIJOSUWYaceghijosuwy"),
    (0xC4, "\u0303", "~", "AINOUainou"),
    (0xC5, "\u0304", "¯", "AEIOUaeiou"),
    (0xC6, "\u0306", "˘", "AGUagu"),
    (0xC7, "\u0307", "˙", "CEGIZcegz"),
    (0xC8, "\u0308", "¨", "AEIOUYaeiouy"),
    (0xCA, "\u030a", "˚", "AUau"),
    (0xCB, "\u0327", "¸", "CGKLNRSTcklnrst"),
    (0xCD, "\u030b", "˝", "OUou"),
    (0xCE, "\u0328", "˛", "AEIUaeiu"),
    (0xCF, "\u030c", "ˇ", "CDELNRSTZcdelnrstz"),
)
#: The one letter ISO 6937 writes with a mark that is not its own: the cedilla of a small
#: g sits above it, so "ģ" is the acute mark before "g".
_SPECIAL = {"ģ": b"\xc2g"}

MARK_BYTES = frozenset(byte for byte, _, _, _ in _MARKS)


def _tables() -> tuple[dict[str, bytes], dict[bytes, str]]:
    encode: dict[str, bytes] = {chr(code): bytes([code]) for code in range(0x20, 0x7F)}
    decode: dict[bytes, str] = {value: key for key, value in encode.items()}
    for code, char in _SINGLE.items():
        decode[bytes([code])] = char
        if code not in (0xA4, 0xA6):
            encode.setdefault(char, bytes([code]))
    for code, combining, spacing, bases in _MARKS:
        decode[bytes([code, 0x20])] = spacing
        if spacing not in encode:
            encode[spacing] = bytes([code, 0x20])
        for base in bases:
            letter = unicodedata.normalize("NFC", base + combining)
            if len(letter) == 1:
                encode[letter] = bytes([code]) + base.encode()
                decode[bytes([code]) + base.encode()] = letter
    for letter, pair in _SPECIAL.items():
        encode[letter] = pair
        decode[pair] = letter
    return encode, decode


_ENCODE, _DECODE = _tables()
_COMBINING = {code: combining for code, combining, _, _ in _MARKS}
_SPACING = {code: spacing for code, _, spacing, _ in _MARKS}

# Nearest legal spelling of common characters outside every table; anything else that has
# no legal base letter becomes "?". Each use is reported.
_NEAREST = {
    "–": "-", "‐": "-", "‑": "-", "‒": "-", "―": "—", "−": "-",
    "…": "...", "‚": ",", "„": "“", "‹": "<", "›": ">", "′": "'", "″": "\"",
    "€": "EUR", "•": "·", "Ð": "Đ", "\u03a9": "\u2126", "\u2009": " ", "\u202f": " ", "\u00a0": " ",
    "♫": "♪", "♬": "♪",
}


@dataclass(frozen=True, slots=True)
class Replacement:
    """One character a table cannot carry, and what was written instead."""

    char: str
    replacement: str

    def describe(self) -> str:
        shown = self.char if self.char.isprintable() else f"U+{ord(self.char):04X}"
        return f"{shown!r} (U+{ord(self.char):04X}) written as {self.replacement!r}"


def _legal_char(char: str, table: str) -> bool:
    if table == "00":
        return char in _ENCODE
    if char == "\u00a0":
        return False  # a space in disguise: text is written with plain spaces
    if 0x20 <= ord(char) < 0x7F:
        return True
    try:
        byte = char.encode(_CODECS[table])
    except UnicodeEncodeError:
        return False
    return len(byte) == 1 and byte[0] >= 0xA0


def _nearest(char: str, table: str) -> str:
    near = _NEAREST.get(char)
    if near is not None and all(_legal_char(c, table) for c in near):
        return near
    # The letter without the marks the table cannot put on it ("ẽ" -> "e", "ǘ" -> "ü").
    decomposed = unicodedata.normalize("NFD", char)
    for cut in range(len(decomposed) - 1, 0, -1):
        shorter = unicodedata.normalize("NFC", decomposed[:cut])
        if all(_legal_char(c, table) for c in shorter):
            return shorter
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and folded and all(_legal_char(c, table) for c in folded):
        return folded
    return "?"


def legal_text(text: str, table: str = "00") -> tuple[str, list[Replacement]]:
    """``text`` with every character the table cannot carry replaced by its nearest legal
    spelling (``"?"`` when there is none), and the replacements made, in order."""
    if table == "00" and all(c in _ENCODE for c in text):
        return text, []
    out: list[str] = []
    replaced: list[Replacement] = []
    for char in text:
        if _legal_char(char, table):
            out.append(char)
        else:
            near = _nearest(char, table)
            out.append(near)
            replaced.append(Replacement(char, near))
    return "".join(out), replaced


def encode(text: str, table: str = "00") -> bytes:
    """The bytes of ``text``, which must hold only legal characters (see :func:`legal_text`)."""
    if table == "00":
        return b"".join(_ENCODE[char] for char in text)
    return text.encode(_CODECS[table])


def decode(data: Iterable[int], table: str = "00") -> str:
    """Character bytes (``0x20``-``0x7E``, ``0xA0``-``0xFF``) as text. A mark combines with
    the letter after it; a byte or pair the table does not define becomes U+FFFD, so what
    could not be read still shows."""
    raw = bytes(data)
    if table != "00":
        return raw.decode(_CODECS[table], errors="replace")
    out: list[str] = []
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte in MARK_BYTES:
            pair = raw[index : index + 2]
            known = _DECODE.get(pair)
            if known is None and len(pair) == 2 and chr(pair[1]).isascii() and chr(pair[1]).isalpha():
                # A combination outside the repertoire: still the letter with its mark.
                known = unicodedata.normalize("NFC", chr(pair[1]) + _COMBINING[byte])
            if known is not None:
                out.append(known)
                index += 2
            else:  # the mark before no letter: the mark itself
                out.append(_SPACING[byte])
                index += 1
            continue
        out.append(_DECODE.get(bytes([byte]), "\ufffd"))
        index += 1
    return "".join(out)
