"""The EBU STL reader, for files from any tool.

- The GSI block gives the frame rate (disk format code: STL25.01, STL30.01 read as 29.97
  drop-frame, and the unofficial STL23.01/24.01/50.01), the character code table and the
  language. Its text fields are code page 850; only the codes are used.
- Times are the TTI time codes as they stand: the programme start (TCP) is **not**
  subtracted, as ttconv does by default, so a file starting at 10:00:00:00 reads with
  cues ten hours in (``--offset`` moves them).
- A subtitle is its TTI blocks with one subtitle number: the text fields of its extension
  blocks (EBN 00-EF) and its last block (EBN FF) joined, each without its ``0x8F``
  padding. User data blocks (EBN F0-FE) and comment subtitles (CF=1) are not subtitle
  text: they are skipped and each is named in the transcript's warnings.
- Text: ``0x8A`` breaks a line (a run of them, as double-height files have, is one
  break); teletext controls ``0x00``-``0x1F`` (colours, boxing, double height) occupy a
  cell and read as a space; open-subtitle controls ``0x80``-``0x85`` (italics, underline,
  boxing) and other control bytes are removed; runs of spaces become one and lines are
  stripped. Characters are decoded by the file's table: ISO 6937 with its diacritics
  combined (``0xC2`` ``e`` is ``é``), or ISO 8859-5/6/7/8. Speakers are not named in STL
  (colours are not names): every cue reads with no speaker.

A file shorter than its GSI block, or whose last TTI block is cut short, is one error
(``truncated ...``); a block that breaks the rules is an error naming it (``block 12:``,
TTI blocks counted from 1 after the GSI block).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from ...errors import InputError
from ...model import RawItem, RawTranscript
from ...timefmt import frames_to_ms
from ..base import ReadOptions
from . import iso6937
from .layout import (
    CODE_TO_LANGUAGE,
    DFC_RATES,
    EBN_LAST,
    EBN_MAX_EXTENSION,
    GSI_FIELDS,
    GSI_SIZE,
    NEWLINE,
    TTI_SIZE,
    UNUSED,
    label_to_frames,
)


@dataclass
class _Subtitle:
    """The blocks of one subtitle read so far."""

    block: int  # number of its first block
    number: int  # SN
    start_ms: int
    end_ms: int
    comment: bool
    text: bytearray = field(default_factory=bytearray)


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """One transcript: every subtitle of the file, in file order."""
    del options  # STL names its own character table; --encoding is for text formats
    if len(data) < GSI_SIZE:
        raise InputError(f"truncated: {len(data)} bytes, less than the {GSI_SIZE}-byte GSI block "
                         "an EBU STL file starts with", source=source)
    gsi = parse_gsi(data[:GSI_SIZE])
    dfc = gsi["DFC"]
    fps = DFC_RATES.get(dfc)
    if fps is None:
        raise InputError(f"disk format code {dfc!r} is not an EBU STL one "
                         f"({', '.join(DFC_RATES)})", source=source, where="GSI")
    table = gsi["CCT"].strip() or "00"
    if table not in iso6937.TABLES:
        raise InputError(f"character code table {table!r} is not one EBU STL defines "
                         f"({', '.join(iso6937.TABLES)})", source=source, where="GSI")
    body = len(data) - GSI_SIZE
    if body % TTI_SIZE:
        raise InputError(f"truncated: the last TTI block has {body % TTI_SIZE} of its {TTI_SIZE} bytes",
                         source=source, where=f"block {body // TTI_SIZE + 1}")
    items: list[RawItem] = []
    warnings: list[str] = []
    pending: _Subtitle | None = None
    for number in range(1, body // TTI_SIZE + 1):
        offset = GSI_SIZE + (number - 1) * TTI_SIZE
        block = data[offset : offset + TTI_SIZE]
        where = f"block {number}"
        sn = int.from_bytes(block[1:3], "little")
        ebn = block[3]
        if ebn > EBN_MAX_EXTENSION and ebn != EBN_LAST:
            warnings.append(f"{where}: user data block (EBN {ebn:02X}h) skipped")
            continue
        if pending is None:
            start = _time(block[5:9], fps, source, where, "in")
            end = _time(block[9:13], fps, source, where, "out")
            pending = _Subtitle(number, sn, start, end, comment=block[15] == 1)
        elif sn != pending.number:
            raise InputError(f"subtitle {sn} starts before subtitle {pending.number} (block "
                             f"{pending.block}) has its last block (EBN FFh)", source=source, where=where)
        pending.text += block[16:].rstrip(bytes([UNUSED]))
        if ebn != EBN_LAST:
            continue
        text = decode_text_field(bytes(pending.text), table)
        if pending.comment:
            shown = text.replace("\n", " / ")
            warnings.append(f"block {pending.block}: comment (CF=1) skipped: {shown!r}")
        else:
            items.append(RawItem(float(pending.start_ms), float(pending.end_ms), text, None, len(items)))
        pending = None
    if pending is not None:
        raise InputError(f"truncated: subtitle {pending.number} has no last block (EBN FFh)",
                         source=source, where=f"block {pending.block}")
    yield RawTranscript(items=items, source=source, language=CODE_TO_LANGUAGE.get(gsi["LC"].upper()),
                        units="ms", warnings=tuple(warnings))


def parse_gsi(block: bytes) -> dict[str, str]:
    """The GSI fields by name, as code page 850 text (1024 bytes in)."""
    fields: dict[str, str] = {}
    offset = 0
    for name, width in GSI_FIELDS:
        fields[name] = block[offset : offset + width].decode("cp850")
        offset += width
    return fields


def _time(code: bytes, fps: Fraction, source: str, where: str, which: str) -> int:
    hours, minutes, seconds, frames = code
    if minutes > 59 or seconds > 59 or frames >= round(fps):
        raise InputError(f"time code {which} {hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d} "
                         f"is not a time code at {float(fps):g} fps", source=source, where=where)
    return frames_to_ms(label_to_frames(hours, minutes, seconds, frames, fps), fps)


_SPACES = re.compile(r"\s+")


def decode_text_field(text: bytes, table: str = "00") -> str:
    """The text of a subtitle's joined text fields (see the module docstring)."""
    lines: list[str] = []
    line: list[str] = []
    run = bytearray()

    def flush() -> None:
        if run:
            line.append(iso6937.decode(run, table))
            run.clear()

    for byte in text:
        if 0x20 <= byte <= 0x7E or byte >= 0xA0:
            run.append(byte)
            continue
        flush()
        if byte == NEWLINE:
            lines.append("".join(line))
            line.clear()
        elif byte <= 0x1F:
            line.append(" ")  # a teletext spacing attribute
    flush()
    lines.append("".join(line))
    cleaned = (_SPACES.sub(" ", part).strip() for part in lines)
    return "\n".join(part for part in cleaned if part)


def sniff(head: bytes) -> bool:
    """A GSI block: a three-digit code page, then a disk format code."""
    return re.match(rb"\d{3}STL\d\d\.01", head) is not None
