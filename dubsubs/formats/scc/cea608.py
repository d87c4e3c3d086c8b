"""CEA-608 (line 21) facts that SCC is made of: byte parity, the character sets, the
control codes of caption channel 1, and preamble address codes (PACs).

Values come from the CEA-608 tables. Every byte on the wire carries odd parity in bit 7;
the tables here hold the 7-bit values and :func:`word` adds the parity. Codes are given
for data channel 1 (CC1); channel 2 sets bit 3 of the first byte.

The three character sets:

- **basic**: one byte each, 0x20-0x7F. ASCII except for nine positions (``á é í ó ú ç ÷
  Ñ ñ`` and a solid block), so ``* \\ ^ _ ` { | } ~`` are not basic characters.
- **special**: ``0x11 0x30-0x3F``, a two-byte code per character (``® ° ½ ¿ ™ ¢ £ ♪ à``,
  a transparent space, ``è â ê î ô û``).
- **extended**: ``0x12``/``0x13 0x20-0x3F``, Spanish, French, Portuguese, German and
  Danish letters and symbols. Each one replaces the character before it (the decoder
  backspaces first), so a writer sends a basic stand-in then the extended code: a
  decoder without the extended set shows the stand-in.
"""

from __future__ import annotations

import unicodedata

# --------------------------------------------------------------------------- parity


def with_parity(byte: int) -> int:
    """``byte`` (7 bits) with bit 7 set when needed to make the count of ones odd."""
    return byte if bin(byte).count("1") % 2 else byte | 0x80


PARITY: tuple[int, ...] = tuple(with_parity(b) for b in range(128))


def word(first: int, second: int) -> str:
    """Two 7-bit bytes as an SCC hex word with odd parity: ``word(0x14, 0x2F) == "942f"``."""
    return f"{PARITY[first]:02x}{PARITY[second]:02x}"


#: A byte that carries nothing: pads a word whose second byte has no character.
NULL = 0x00

# --------------------------------------------------------------------------- characters

#: The nine basic positions that are not ASCII.
_BASIC_NOT_ASCII = {
    0x2A: "\u00e1",  # á
    0x5C: "\u00e9",  # é
    0x5E: "\u00ed",  # í
    0x5F: "\u00f3",  # ó
    0x60: "\u00fa",  # ú
    0x7B: "\u00e7",  # ç
    0x7C: "\u00f7",  # ÷
    0x7D: "\u00d1",  # Ñ
    0x7E: "\u00f1",  # ñ
    0x7F: "\u2588",  # █ solid block
}
BASIC: dict[int, str] = {b: _BASIC_NOT_ASCII.get(b, chr(b)) for b in range(0x20, 0x80)}

#: Second byte (after 0x11) -> character.
SPECIAL: dict[int, str] = dict(zip(range(0x30, 0x40), (
    "\u00ae", "\u00b0", "\u00bd", "\u00bf", "\u2122", "\u00a2", "\u00a3", "\u266a",
    "\u00e0", " ", "\u00e8", "\u00e2", "\u00ea", "\u00ee", "\u00f4", "\u00fb",
), strict=True))
TRANSPARENT_SPACE = 0x39

#: (first byte, second byte) -> character. 0x12: Spanish, miscellaneous and French;
#: 0x13: Portuguese, German and Danish.
EXTENDED: dict[tuple[int, int], str] = {
    **{(0x12, b): c for b, c in zip(range(0x20, 0x40), (
        "\u00c1", "\u00c9", "\u00d3", "\u00da", "\u00dc", "\u00fc", "\u2018", "\u00a1",
        "*", "'", "\u2014", "\u00a9", "\u2120", "\u2022", "\u201c", "\u201d",
        "\u00c0", "\u00c2", "\u00c7", "\u00c8", "\u00ca", "\u00cb", "\u00eb", "\u00ce",
        "\u00cf", "\u00ef", "\u00d4", "\u00d9", "\u00f9", "\u00db", "\u00ab", "\u00bb",
    ), strict=True)},
    **{(0x13, b): c for b, c in zip(range(0x20, 0x40), (
        "\u00c3", "\u00e3", "\u00cd", "\u00cc", "\u00ec", "\u00d2", "\u00f2", "\u00d5",
        "\u00f5", "{", "}", "\\", "^", "_", "|", "~",
        "\u00c4", "\u00e4", "\u00d6", "\u00f6", "\u00df", "\u00a5", "\u00a4", "\u00a6",
        "\u00c5", "\u00e5", "\u00d8", "\u00f8", "\u250c", "\u2510", "\u2514", "\u2518",
    ), strict=True)},
}

#: How the writer sends each character it can show: ``(kind, first, second, stand_in)``;
#: kind ``"basic"`` is the one byte ``second``; ``"special"`` and ``"extended"`` are the
#: code ``first second``, an extended one after the basic byte ``stand_in``.
Encoding = tuple[str, int, int, int]


def _stand_in(char: str) -> int:
    """The basic byte a decoder without the extended set shows instead of ``char``."""
    base = unicodedata.normalize("NFKD", char)[:1]
    if base.isascii() and base.isalpha():
        return ord(base)
    return ord({"\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
                "\u2014": "-", "\u00a1": "!", "_": "-", "\u00df": "s"}.get(char, " "))


def _encodings() -> dict[str, Encoding]:
    table: dict[str, Encoding] = {}
    for (first, second), char in EXTENDED.items():
        table[char] = ("extended", first, second, _stand_in(char))
    for second, char in SPECIAL.items():
        if second != TRANSPARENT_SPACE:
            table[char] = ("special", 0x11, second, 0)
    for byte, char in BASIC.items():
        if byte != 0x7F:  # the solid block is drawn, never text
            table[char] = ("basic", 0, byte, 0)  # "'" is basic and extended: basic wins (1 byte)
    return table


ENCODINGS: dict[str, Encoding] = _encodings()

# --------------------------------------------------------------------------- control codes
# Miscellaneous control codes: first byte 0x14 (CC1), second byte below.

RCL = 0x20  # resume caption loading: pop-on
BS = 0x21  # backspace
DER = 0x24  # delete to end of row
RU2, RU3, RU4 = 0x25, 0x26, 0x27  # roll-up, 2-4 rows
RDC = 0x29  # resume direct captioning: paint-on
TR, RTD = 0x2A, 0x2B  # text restart, resume text display: the text service, not captions
EDM = 0x2C  # erase displayed memory
CR = 0x2D  # carriage return (roll-up)
ENM = 0x2E  # erase non-displayed memory
EOC = 0x2F  # end of caption: swap memories, the loaded caption appears
MISC = 0x14
TAB = 0x17  # 0x17 0x21-0x23: tab offset 1-3 columns

ROWS = 15
COLUMNS = 32

#: Row (1-15) -> (first byte, second-byte base) of its PACs.
_PAC_ROWS: dict[int, tuple[int, int]] = {
    1: (0x11, 0x40), 2: (0x11, 0x60), 3: (0x12, 0x40), 4: (0x12, 0x60),
    5: (0x15, 0x40), 6: (0x15, 0x60), 7: (0x16, 0x40), 8: (0x16, 0x60),
    9: (0x17, 0x40), 10: (0x17, 0x60), 11: (0x10, 0x40), 12: (0x13, 0x40),
    13: (0x13, 0x60), 14: (0x14, 0x40), 15: (0x14, 0x60),
}  # fmt: skip
_PAC_BY_BYTES: dict[tuple[int, int], int] = {value: row for row, value in _PAC_ROWS.items()}


def pac(row: int, indent: int) -> tuple[int, int]:
    """The PAC that puts the cursor at ``row`` (1-15), column ``indent`` (a multiple of 4,
    0-28), white text without underline."""
    first, base = _PAC_ROWS[row]
    return first, base | 0x10 | (indent // 4) << 1


def decode_pac(first: int, second: int) -> tuple[int, int] | None:
    """(row, column) of a PAC (channel bit already cleared), ``None`` if it is not one. A
    colour or italics PAC puts the cursor in column 0."""
    row = _PAC_BY_BYTES.get((first, second & 0x60))
    if row is None or not 0x40 <= second <= 0x7F:
        return None
    return row, ((second & 0x0E) << 1) if second & 0x10 else 0
