"""The SCC writer: pop-on CEA-608 captions on caption channel 1, timed to the frame.

Guarantees, for every cue with text:

- **Text.** Each line of the cue (each voice of a cue that several people speak starts
  a line) is broken into lines of at most 32 columns, balanced, a word longer than a row
  cut into rows; nothing is truncated. A character outside the 608 basic, special and
  extended sets is written as the nearest one that is in them (``’`` as ``'``, ``…`` as
  ``...``, ``ō`` as ``o``, a letter of another script as ``?``), and every such
  replacement is reported with its cue and character.
- **Layout.** At most 4 rows, centred, the last on row 15 (a PAC, plus a tab offset for
  a column that is not a multiple of 4). A cue needing more rows becomes consecutive
  captions that share its time in proportion to their length; that is reported.
- **Bytes.** Odd parity on every byte; every control code (PACs, tab offsets, special
  and extended characters included) is sent twice, as decoders expect. A caption is
  ``94ae 94ae`` (erase non-displayed memory), ``9420 9420`` (resume caption loading),
  the rows, then ``942f 942f`` (end of caption) on the frame where the cue starts.
- **Timing.** Two bytes go out per frame, so loading a caption takes one frame per word
  before its display; the load is placed to end just before the display frame (split
  around the previous caption's erase if need be). A caption that cannot be loaded in
  time (the previous caption's display leaves too few frames) appears as soon as it can,
  and that is reported with the delay. ``942c 942c`` (erase displayed memory) goes on the
  frame where a cue ends, unless the next caption replaces it by then; a cue cut short
  by the next one (SCC shows one pop-on caption at a time) is reported.
- **Timecode.** ``HH:MM:SS;FF`` drop-frame by default, exact (frame numbers at
  30000/1001 frames a second, the rate SCC data always runs at), or ``HH:MM:SS:FF``
  non-drop with ``fps=30``. Timecode ends at ``23:59:59``: a cue past it is left out and
  reported.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Literal

from ...errors import OptionError
from ...model import Transcript
from ...timefmt import frames_to_ms, frames_to_timecode, ms_to_frames
from .._text import text_lines
from .cea608 import COLUMNS, EDM, ENCODINGS, ENM, EOC, MISC, NULL, RCL, ROWS, TAB, pac, word

#: The rate SCC data runs at, whatever the timecode's labels say.
SCC_RATE = Fraction(30000, 1001)
DROP_FRAME_RATE = Fraction(30000, 1001)
NON_DROP_RATE = Fraction(30)
MAX_ROWS = 4
#: Frames before 24:00:00;00 (drop-frame drops 2 labels a minute, except every tenth).
_FRAMES_PER_DAY = {True: 30 * 86400 - 2 * (24 * 60 - 24 * 6), False: 30 * 86400}

Mode = Literal["pop-on"]


@dataclass(frozen=True, slots=True)
class SccOptions:
    """``fps``: 29.97 (``Fraction(30000, 1001)``, drop-frame timecode, the default) or 30
    (non-drop-frame timecode); SCC carries no other rate. ``"29.97"``, ``"30"`` and
    ``"30000/1001"`` are accepted as well. ``mode``: ``"pop-on"`` (the only one written).
    """

    fps: Fraction = DROP_FRAME_RATE
    mode: Mode = "pop-on"

    def __post_init__(self) -> None:
        object.__setattr__(self, "fps", _rate(self.fps))
        if self.mode != "pop-on":
            raise OptionError(f"scc option mode={self.mode!r}: dubsubs writes pop-on captions only")

    @property
    def drop_frame(self) -> bool:
        return self.fps == DROP_FRAME_RATE


def _rate(value: object) -> Fraction:
    shown = f"{float(value):g}" if isinstance(value, Fraction) else repr(value)
    refused = OptionError(f"scc option fps={shown} (--fps): SCC carries only 29.97 (drop-frame) or "
                          f"30 (non-drop) frames per second")
    if isinstance(value, bool):
        raise refused
    if isinstance(value, float) and abs(value - 29.97) < 0.005:
        return DROP_FRAME_RATE
    if isinstance(value, str) and value.strip() == "29.97":
        return DROP_FRAME_RATE
    if not isinstance(value, (Fraction, int, float, str)):
        raise refused
    try:
        rate = Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise refused from None
    if rate not in (DROP_FRAME_RATE, NON_DROP_RATE):
        raise refused
    return rate


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Replacement:
    """``char`` of cue ``cue`` (1-based, in transcript order) written as ``written``,
    ``count`` times."""

    cue: int
    char: str
    written: str
    count: int

    def describe(self) -> str:
        times = f" ({self.count}\u00d7)" if self.count > 1 else ""
        return f"{_show(self.char)} written as {_show(self.written)}{times}"


@dataclass(frozen=True, slots=True)
class Note:
    """A change to a cue other than a character: ``split`` into several captions,
    shown ``late``, ``cut`` short by the next caption, or ``dropped``."""

    cue: int
    kind: Literal["split", "late", "cut", "dropped"]
    message: str
    frames: int = 0  # how late, or how much shorter


@dataclass(frozen=True)
class SccPlan:
    """What :func:`plan` wrote and what it had to change."""

    text: str
    replacements: tuple[Replacement, ...] = ()
    notes: tuple[Note, ...] = ()
    #: (cue, display frame, end frame) of every caption written, in order.
    captions: tuple[tuple[int, int, int], ...] = field(default=(), repr=False)

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per cue and kind, for a report: ``cue 3: "’" written as "'"``."""
        lines: list[str] = []
        by_cue: dict[int, list[Replacement]] = {}
        for replacement in self.replacements:
            by_cue.setdefault(replacement.cue, []).append(replacement)
        for cue, found in by_cue.items():
            lines.append(f"scc cue {cue}: " + ", ".join(r.describe() for r in found))
        lines.extend(f"scc cue {note.cue}: {note.message}" for note in self.notes)
        return tuple(lines)


def _show(text: str) -> str:
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + '"'


# --------------------------------------------------------------------------- characters

# Nearest legal spelling of common characters the 608 sets lack.
_NEAREST = {
    "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'", "\u201a": ",",
    "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2039": "<", "\u203a": ">",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
    "\u2015": "\u2014", "\u2026": "...", "\u00b7": ".", "\u00d7": "x", "\u20ac": "EUR",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D", "\u00e6": "ae", "\u00c6": "AE",
    "\u0153": "oe", "\u0152": "OE", "\u00fe": "th", "\u00de": "Th", "\u00f0": "d", "\u00d0": "D",
    "\u0131": "i", "\u017f": "s", "\t": " ", "\u00ad": "",
}  # fmt: skip


@cache
def legal(char: str) -> str:
    """``char`` as the 608 sets can show it: itself, its nearest spelling, or ``?``."""
    if char in ENCODINGS:
        return char
    if char in _NEAREST:
        return _NEAREST[char]
    if unicodedata.category(char) == "Zs":
        return " "
    for form in ("NFKC", "NFKD"):
        spelled = "".join(c for c in unicodedata.normalize(form, char) if not unicodedata.combining(c))
        if spelled and spelled != char and all(c in ENCODINGS for c in spelled):
            return spelled
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return ""  # a lone accent or a format character (zero-width joiner...): nothing to show
    return "?"


def _legal_line(line: str, counts: Counter[str]) -> str:
    if all(c in ENCODINGS for c in line):
        return line
    out = []
    for char in line:
        written = legal(char)
        if written != char:
            counts[char] += 1
        out.append(written)
    return "".join(out)


def _rows(line: str, columns: int = COLUMNS) -> list[str]:
    """``line`` broken into rows of at most 32 columns; a longer word is cut. No row puts
    an extended character in column 32: a decoder's cursor stays in the last column, so
    the backspace that comes with it would erase the character before its stand-in."""
    from ...style.linebreak import break_lines  # the subtitler's line breaking, loaded when used

    rows: list[str] = []
    for row in break_lines(line, columns, None).split("\n"):
        rows.extend(row[i:i + columns].strip() for i in range(0, len(row), columns))
    if columns == COLUMNS and any(len(r) == COLUMNS and ENCODINGS[r[-1]][0] == "extended" for r in rows):
        return _rows(line, COLUMNS - 1)
    return [row for row in rows if row]


# --------------------------------------------------------------------------- bytes


def _text_words(text: str) -> list[list[str]]:
    """The words of ``text``; a code and its repeat form one unit, never sent apart."""
    words: list[list[str]] = []
    pending: int | None = None
    for char in text:
        kind, first, second, stand_in = ENCODINGS[char]
        if kind == "basic":
            byte = second
            if pending is None:
                pending = byte
            else:
                words.append([word(pending, byte)])
                pending = None
            continue
        if kind == "extended":
            words.append([word(pending, stand_in) if pending is not None else word(stand_in, NULL)])
        elif pending is not None:
            words.append([word(pending, NULL)])
        pending = None
        words.append([word(first, second)] * 2)
    if pending is not None:
        words.append([word(pending, NULL)])
    return words


def _load_words(rows: list[str]) -> list[list[str]]:
    """Erase the hidden memory, resume loading, then each row: PAC, tab, text."""
    words = [[word(MISC, ENM)] * 2, [word(MISC, RCL)] * 2]
    top = ROWS - len(rows) + 1
    for offset, text in enumerate(rows):
        column = (COLUMNS - len(text)) // 2
        words.append([word(*pac(top + offset, column - column % 4))] * 2)
        if column % 4:
            words.append([word(TAB, 0x20 + column % 4)] * 2)
        words += _text_words(text)
    return words


def _fit(units: list[list[str]], display: int, free: int, blocked: set[int]) -> list[int] | None:
    """Frames for ``units`` (in order) ending just before ``display``, none before
    ``free`` or on ``blocked``, no unit split by a blocked frame; ``None`` if none fit."""
    frames: list[int] = []
    frame = display - 1
    for unit in reversed(units):
        while any(f in blocked for f in range(frame - len(unit) + 1, frame + 1)):
            frame -= 1
        frames.extend(range(frame, frame - len(unit), -1))
        frame -= len(unit)
    frames.reverse()
    return frames if not frames or frames[0] >= free else None


# --------------------------------------------------------------------------- plan


@dataclass(slots=True)
class _Caption:
    cue: int
    first: int  # display frame wanted
    end: int  # erase frame wanted (> first)
    rows: list[str]


def _captions(transcript: Transcript) -> tuple[list[_Caption], list[Replacement], list[Note]]:
    captions: list[_Caption] = []
    replacements: list[Replacement] = []
    notes: list[Note] = []
    for number, cue in enumerate(transcript.cues, 1):
        counts: Counter[str] = Counter()
        rows = [row for line in text_lines(cue.text) for row in _rows(_legal_line(line, counts))]
        replacements += [Replacement(number, char, legal(char), n) for char, n in counts.items()]
        if not rows:
            continue
        first = ms_to_frames(cue.start_ms, SCC_RATE)
        end = max(ms_to_frames(cue.end_ms, SCC_RATE), first + 1)
        parts = [rows[i:i + MAX_ROWS] for i in range(0, len(rows), MAX_ROWS)]
        if len(parts) > 1:
            notes.append(Note(number, "split", f"{len(rows)} rows, more than SCC's {MAX_ROWS}: "
                                               f"shown as {len(parts)} captions one after another"))
        sizes = [sum(map(len, part)) for part in parts]
        total, done = sum(sizes), 0
        for part, size in zip(parts, sizes, strict=True):
            start = first + (end - first) * done // total
            done += size
            stop = first + (end - first) * done // total
            captions.append(_Caption(number, start, max(stop, start + 1), part))
    return captions, replacements, notes


def _seconds(frames: int) -> str:
    return f"{frames_to_ms(frames, SCC_RATE) / 1000:.2f} s"


def plan(transcript: Transcript, options: SccOptions) -> SccPlan:
    """The SCC file for ``transcript``, with every change it needed (see the module)."""
    captions, replacements, notes = _captions(transcript)
    limit = _FRAMES_PER_DAY[options.drop_frame]
    sent: dict[int, str] = {}  # frame -> word
    shown: list[tuple[int, int, int]] = []
    free = 0  # the first frame nothing has been placed on or before
    previous: _Caption | None = None
    previous_end = 0
    for caption in captions:
        units = _load_words(caption.rows)
        load = [value for unit in units for value in unit]
        want = caption.first
        display = max(want, free + len(load))
        erase: int | None = None
        if previous is not None and previous_end + 2 <= want:
            # The previous caption ends before this one is due: erase it on time (a gap
            # under 2 frames is left to this caption's display, which replaces it). Compared
            # with when this caption is due, not when loading lets it appear: a caption that
            # follows back to back but loads late must not leave the screen empty meanwhile.
            erase = max(previous_end, free)
            display = max(want, free + len(load) + 2)
        blocked = {erase, erase + 1} if erase is not None else set()
        frames = _fit(units, display, free, blocked)
        while frames is None:  # a pair that would straddle the erase costs a frame
            display += 1
            frames = _fit(units, display, free, blocked)
        if display + 2 >= limit:
            notes.append(Note(caption.cue, "dropped", "after 23:59:59, the last SCC timecode: left out"))
            continue
        if erase is not None:
            sent[erase] = sent[erase + 1] = word(MISC, EDM)
        if previous is not None and erase is None and previous_end > display + 1:
            cut = previous_end - display
            notes.append(Note(previous.cue, "cut", f"cut {_seconds(cut)} short: the next caption replaces "
                                                   "it (SCC shows one pop-on caption at a time)", cut))
        for frame, value in zip(frames, load, strict=True):
            sent[frame] = value
        sent[display] = sent[display + 1] = word(MISC, EOC)
        if display > want:
            late = display - want
            after = "after the caption before it" if previous else "from the first timecode"
            notes.append(Note(caption.cue, "late", f"shown {late} frames ({_seconds(late)}) late: its "
                                                   f"{len(load)} words of caption data take {len(load)} "
                                                   f"frames to load {after}", late))
        end = min(max(caption.end, display + 2), limit - 2)
        shown.append((caption.cue, display, end))
        free = display + 2
        previous, previous_end = caption, end
    if previous is not None:
        erase = max(previous_end, free)
        sent[erase] = sent[erase + 1] = word(MISC, EDM)
    return SccPlan(_render(sent, options.drop_frame), tuple(replacements), tuple(notes), tuple(shown))


def _render(sent: dict[int, str], drop_frame: bool) -> str:
    """``Scenarist_SCC V1.0``, then a line per run of consecutive frames, blank lines
    between (the layout every SCC tool writes)."""
    blocks = ["Scenarist_SCC V1.0"]
    for first, words in _runs(sorted(sent.items())):
        blocks.append(f"{frames_to_timecode(first, SCC_RATE, drop_frame)}\t{' '.join(words)}")
    return "\n\n".join(blocks) + "\n"


def _runs(frames: Iterable[tuple[int, str]]) -> Iterable[tuple[int, list[str]]]:
    first, last = -2, -2
    words: list[str] = []
    for frame, value in frames:
        if frame != last + 1 and words:
            yield first, words
            words = []
        if not words:
            first = frame
        words.append(value)
        last = frame
    if words:
        yield first, words


def dumps(transcript: Transcript, options: SccOptions) -> str:
    """The SCC text of :func:`plan`; its report is in ``plan(...).warnings``."""
    return plan(transcript, options).text
