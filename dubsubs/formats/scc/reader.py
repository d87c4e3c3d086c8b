"""The SCC reader: caption channel 1 of files written by any tool, decoded the way a
CEA-608 decoder draws it.

What it reads: the ``Scenarist_SCC V1.0`` header, then lines of ``timecode<TAB>words``
(``HH:MM:SS;FF`` drop-frame, ``HH:MM:SS:FF`` non-drop, both at 29.97 frames a second;
the n-th word of a line goes out n frames after its timecode). Parity bits are dropped,
a control code sent twice in a row counts once, and null padding is skipped.

- **Pop-on** (RCL): text loads into the hidden memory; a caption appears at its end of
  caption (EOC) and ends at an erase (EDM) or when the next EOC replaces it.
- **Paint-on** (RDC): text is drawn straight on screen; what is shown is one cue while
  text is only added to it, and a new cue starts when shown text is overwritten or erased.
- **Roll-up** (RU2-RU4): each row is one cue, from its first character until the
  carriage return (CR) that starts the next row, or an erase.

PACs place the cursor (a row change is a line break), tab offsets move it, backspace and
delete-to-end-of-row erase. Special and extended characters are decoded; an extended one
replaces the character before it, as the standard says. Mid-row codes (colour, italics)
show as the space they occupy and are otherwise ignored; so are attribute codes. Caption
channel 2, the text service (TR/RTD) and a caption never erased are reported in
``RawTranscript.warnings`` with their line. A malformed line is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...errors import InputError
from ...model import RawItem, RawTranscript
from ...timefmt import frames_to_ms
from ..base import ReadOptions, decode_text
from .cea608 import (
    BASIC,
    BS,
    COLUMNS,
    CR,
    DER,
    EDM,
    ENM,
    EOC,
    EXTENDED,
    RCL,
    RDC,
    ROWS,
    RTD,
    RU2,
    RU3,
    RU4,
    SPECIAL,
    TR,
    decode_pac,
)  # fmt: skip
from .writer import SCC_RATE

HEADER = "Scenarist_SCC V1.0"
_LINE = re.compile(r"(\d\d):(\d\d):(\d\d)([:;.,])(\d\d)(?:[ \t]+(.*))?")
_WORD = re.compile(r"[0-9A-Fa-f]{4}")
_BLANK = " "

Grid = list[list[str]]


def _grid() -> Grid:
    return [[_BLANK] * COLUMNS for _ in range(ROWS + 1)]  # rows 1-15; row 0 unused


def _grid_text(grid: Grid) -> str:
    rows = (" ".join("".join(row).split()) for row in grid)
    return "\n".join(row for row in rows if row)


def _label_frames(hours: int, minutes: int, seconds: int, frames: int, drop: bool) -> int:
    count = ((hours * 60 + minutes) * 60 + seconds) * 30 + frames
    if drop:
        total_minutes = hours * 60 + minutes
        count -= 2 * (total_minutes - total_minutes // 10)
    return count


class _Decoder:
    """A 608 decoder for channel 1 that records what it shows instead of drawing it."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, str]] = []  # (first frame, end frame, text)
        self.warnings: dict[str, str] = {}  # kind -> first warning of that kind
        self.mode = "pop"  # pop, paint, roll, text
        self.channel = 1
        self.shown = _grid()
        self.hidden = _grid()
        self.shown_since: int | None = None
        self.row, self.column = ROWS, 0
        self.roll: list[str] = [_BLANK] * COLUMNS
        self.roll_since: int | None = None
        self.last_code: tuple[int, int] | None = None
        self.written: int | None = None  # the column of the character just written
        self.line = 0

    def warn(self, kind: str, message: str) -> None:
        self.warnings.setdefault(kind, f"line {self.line}: {message}")

    # --- what is shown --------------------------------------------------------------

    def end_shown(self, frame: int) -> None:
        """The shown caption (if any) ends at ``frame``."""
        if self.shown_since is not None:
            text = _grid_text(self.shown)
            if text:
                self.items.append((self.shown_since, frame, text))
        self.shown_since = None

    def restart_shown(self, frame: int) -> None:
        self.shown_since = frame if _grid_text(self.shown) else None

    def end_roll(self, frame: int) -> None:
        text = " ".join("".join(self.roll).split())
        if text and self.roll_since is not None:
            self.items.append((self.roll_since, frame, text))
        self.roll = [_BLANK] * COLUMNS
        self.roll_since = None
        self.column = 0

    # --- the cursor -------------------------------------------------------------------

    def put(self, char: str, frame: int, refine: bool = False) -> None:
        """Write ``char`` at the cursor. ``refine``: it replaces its own stand-in (an
        extended character), which changes no caption."""
        if self.mode == "text":
            return
        column = self.column
        if self.mode == "roll":
            self.roll[column] = char
            if self.roll_since is None and char != _BLANK:
                self.roll_since = frame
        elif self.mode == "pop":
            self.hidden[self.row][column] = char
        else:
            cell = self.shown[self.row][column]
            if cell not in (_BLANK, char) and not refine:
                self.end_shown(frame)  # shown text overwritten: a new caption from here
                self.shown[self.row][column] = char
                self.restart_shown(frame)
            else:
                self.shown[self.row][column] = char
                if self.shown_since is None and char != _BLANK:
                    self.shown_since = frame
        self.written = column
        self.column = min(column + 1, COLUMNS - 1)

    def erase(self, first: int, last: int, frame: int) -> None:
        """Blank columns ``first``-``last`` of the cursor's row."""
        if self.mode == "roll":
            self.roll[first:last + 1] = [_BLANK] * (last + 1 - first)
        elif self.mode == "pop":
            self.hidden[self.row][first:last + 1] = [_BLANK] * (last + 1 - first)
        elif self.mode == "paint" and any(c != _BLANK for c in self.shown[self.row][first:last + 1]):
            self.end_shown(frame)
            self.shown[self.row][first:last + 1] = [_BLANK] * (last + 1 - first)
            self.restart_shown(frame)

    def backspace(self, frame: int) -> None:
        if self.column > 0:
            self.column -= 1
            self.erase(self.column, self.column, frame)

    # --- bytes ------------------------------------------------------------------------

    def feed(self, first: int, second: int, frame: int) -> None:
        """One word (parity already dropped) going out at ``frame``."""
        if first == 0 and second == 0:
            return  # padding: does not break a doubled code
        if 0x10 <= first <= 0x1F:
            code = (first, second)
            if code == self.last_code:
                self.last_code = None  # the second of a doubled code
                return
            self.last_code = code
            self.channel = 2 if first & 0x08 else 1
            if self.channel == 2:
                self.warn("cc2", "caption channel 2 (CC2) is ignored")
                return
            self.control(first & 0x17, second, frame)
            return
        self.last_code = None
        if first < 0x10:
            self.warn("xds", "extended data (XDS) bytes are ignored")
            return
        if self.channel == 2:
            return
        for byte in (first, second):
            if byte >= 0x20:
                self.put(BASIC[byte], frame)

    def control(self, first: int, second: int, frame: int) -> None:
        written, self.written = self.written, None
        if second >= 0x40:
            place = decode_pac(first, second)
            if place is not None and self.mode != "text":
                self.row, self.column = place
                if self.mode == "roll":
                    self.row = ROWS
            return
        if first in (0x14, 0x15) and 0x20 <= second <= 0x2F:
            self.command(second, frame)
        elif first == 0x17 and 0x21 <= second <= 0x23:
            self.column = min(self.column + second - 0x20, COLUMNS - 1)
        elif first == 0x11 and 0x20 <= second <= 0x2F:
            self.put(_BLANK, frame)  # a mid-row code takes a cell, shown as a space
        elif first == 0x11 and 0x30 <= second <= 0x3F:
            self.put(SPECIAL[second], frame)
        elif first in (0x12, 0x13) and 0x20 <= second <= 0x3F:
            # An extended character replaces the one before it (its stand-in): in column
            # 32 the cursor did not move on, so that is the one to replace.
            self.column = written if written is not None else max(self.column - 1, 0)
            self.put(EXTENDED[(first, second)], frame, refine=True)
        # Background and foreground attribute codes (0x10/0x17 0x20-0x2F) only style.

    def command(self, code: int, frame: int) -> None:
        if code == RCL:
            self.set_mode("pop", frame)
        elif code == RDC:
            self.set_mode("paint", frame)
        elif code in (RU2, RU3, RU4):
            if self.mode != "roll":
                # Entering roll-up erases the screen and the hidden memory.
                self.end_shown(frame)
                self.shown, self.hidden = _grid(), _grid()
            self.set_mode("roll", frame)
            self.row = ROWS
        elif code in (TR, RTD):
            self.warn("text", "text service (TR/RTD) data is ignored")
            self.set_mode("text", frame)
        elif code == EOC:
            if self.mode == "roll":
                self.end_roll(frame)
            # Each end of caption shows a new caption, even one identical to the last.
            self.end_shown(frame)
            self.shown, self.hidden = self.hidden, self.shown
            self.restart_shown(frame)
            self.mode = "pop"
        elif code == EDM:
            self.end_shown(frame)
            self.shown = _grid()
            if self.mode == "roll":
                self.end_roll(frame)
        elif code == ENM:
            self.hidden = _grid()
        elif code == CR:
            if self.mode == "roll":
                self.end_roll(frame)
        elif code == BS:
            self.backspace(frame)
        elif code == DER:
            self.erase(self.column, COLUMNS - 1, frame)
        # AOF/AON (alarms) and FON (flash) change nothing shown.

    def set_mode(self, mode: str, frame: int) -> None:
        if self.mode == "roll" and mode != "roll":
            self.end_roll(frame)
        self.mode = mode

    def finish(self, frame: int) -> None:
        """The file ends after ``frame``: what is still shown ends there."""
        still = self.shown_since is not None or (self.mode == "roll" and self.roll_since is not None)
        if still:
            self.warn("end", "a caption is still shown at the end of the file: "
                             "it ends with the file's last word")
        if self.shown_since is not None:
            self.end_shown(max(frame, self.shown_since + 1))
        if self.mode == "roll" and self.roll_since is not None:
            self.end_roll(max(frame, self.roll_since + 1))


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """Channel 1 captions of an SCC file, as cues in milliseconds (see the module)."""
    lines = decode_text(data, source, options).splitlines()
    header = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header is None or not lines[header].strip().startswith("Scenarist_SCC"):
        raise InputError(f"not an SCC file: the first line must be {HEADER!r}", source=source,
                         where=f"line {(header or 0) + 1}")
    decoder = _Decoder()
    last = 0
    for number in range(header + 1, len(lines)):
        text = lines[number].strip()
        if not text:
            continue
        decoder.line = number + 1
        where = f"line {number + 1}"
        match = _LINE.fullmatch(text)
        if match is None:
            raise InputError("not a timecode (HH:MM:SS;FF) followed by hex words", source=source, where=where)
        hours, minutes, seconds, separator, frames, words = match.groups()
        if int(minutes) > 59 or int(seconds) > 59 or int(frames) > 29:
            raise InputError(f"timecode {text.split()[0]} is out of range", source=source, where=where)
        frame = _label_frames(int(hours), int(minutes), int(seconds), int(frames), separator != ":")
        for offset, value in enumerate((words or "").split()):
            if _WORD.fullmatch(value) is None:
                raise InputError(f"{value!r} is not a 4-digit hex word", source=source, where=where)
            number_value = int(value, 16)
            decoder.feed(number_value >> 8 & 0x7F, number_value & 0x7F, frame + offset)
            last = frame + offset
    decoder.finish(last + 1)
    if not decoder.items:
        raise InputError("no captions found on caption channel 1", source=source)
    ms = frames_to_ms
    items = [RawItem(float(ms(first, SCC_RATE)), float(ms(end, SCC_RATE)), text, None, index)
             for index, (first, end, text) in enumerate(decoder.items)]
    yield RawTranscript(items=items, source=source, units="ms", warnings=tuple(decoder.warnings.values()))


def sniff(head: bytes) -> bool:
    return head.startswith(b"Scenarist_SCC")
