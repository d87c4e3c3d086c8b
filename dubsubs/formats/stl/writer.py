"""The EBU STL writer: a GSI block and one TTI block (plus extension blocks) per cue.

What is written, and why:

- **Teletext, level 1** (display standard code ``1``, 23 rows of 40 cells, MNR 23, MNC 40),
  the form European playout takes. Each row of a subtitle starts with an alphanumeric
  colour code and, unless ``boxed=False``, two *start box* codes: a teletext subtitle
  page shows only boxed text. Those take 3 of the 40 cells, so a text row holds at most
  37 characters; a longer line is wrapped at spaces (a word longer than a row is cut
  across rows), never truncated. Rows are single height, one teletext row each, the
  last on ``bottom_row``; ``0x8A`` separates rows and ``0x8F`` pads the text field.
- **Speakers as colours**: each named speaker gets a colour of their own, in order of
  first appearance: white, yellow, cyan, green, magenta, red (blue and black are
  unreadable on the black box); text with no speaker is white. A cue spoken by several
  people gives each voice its own rows in its own speaker's colour. A seventh speaker
  shares the first one's colour again, and the writer says so. Colours are the
  convention broadcast subtitles use; a comment block (CF=1) would be shown as a
  subtitle by readers that ignore the flag, ttconv among them.
- **Characters**: character code table 00 (ISO 6937) unless ``character_table`` names
  another; every character the table cannot carry is replaced by its nearest legal
  spelling (``ẽ`` -> ``e``, ``…`` -> ``...``, ``€`` -> ``EUR``, else ``?``) and reported
  with its cue. Runs of white space become one space: teletext cannot show more.
- **Times**: TCI/TCO are the frames nearest each cue's start and end at ``fps``: 25
  (``STL25.01``), 30 or 29.97 (both ``STL30.01``, the only other disk format code; at
  29.97 the time codes are drop-frame labels, which is how readers of STL30.01 take
  them). A cue shorter than a frame is given one frame. The time codes are the cues'
  own times; ``start_timecode`` (TCP) only labels the programme start, as ttconv reads
  it. EBU STL has no time code past 23:59:59: a later cue is an error, not a wrap.

:func:`encode` returns the bytes with the warnings (replacements, shared colours,
overlaps, rows that do not fit); :func:`dumps` is its bytes alone, for the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

from ...errors import DubsubsError, OptionError
from ...model import Cue, Transcript
from ...timefmt import frames_to_timecode, ms_to_frames, parse_fps, timecode_to_frames
from .._text import text_lines
from . import iso6937
from .layout import (
    COLOURS,
    EBN_LAST,
    EBN_MAX_EXTENSION,
    GSI_FIELDS,
    JUSTIFICATIONS,
    NEWLINE,
    START_BOX,
    TF_SIZE,
    UNUSED,
    frames_to_label,
    language_code,
)

#: Speaker colours in order of first appearance.
PALETTE = ("white", "yellow", "cyan", "green", "magenta", "red")
ROWS = 23
ROW_CELLS = 40
_RATES = {Fraction(25): "STL25.01", Fraction(30): "STL30.01", Fraction(30000, 1001): "STL30.01"}


@dataclass(frozen=True, slots=True)
class StlOptions:
    """How to write EBU STL.

    ``fps``: 25, 30 or 29.97 (the disk format code follows). ``character_table``: ``"00"``
    Latin ISO 6937, ``"01"``-``"04"`` ISO 8859-5/6/7/8. ``start_timecode``: the programme
    start (TCP), ``HH:MM:SS:FF``. ``programme_title``: the GSI title (default: the
    transcript's run id). ``language``: for a transcript that states no language, a BCP-47
    tag or a two-digit GSI code such as ``"0A"`` (a transcript's own language always wins,
    as ``--language`` means for every format). ``bottom_row``: the teletext row (1-23) of a
    subtitle's last row. ``justification``: ``centre``, ``left``, ``right`` or ``none``.
    ``boxed``: start-box codes before each row. ``speaker_colours``: a colour per speaker.
    ``creation_date``: the GSI creation and revision date (default: today; give one for
    reproducible files). ``country``: country of origin, ISO 3166 alpha-3 (``"GBR"``).
    """

    fps: Fraction | int | str = 25
    character_table: str = "00"
    start_timecode: str = "00:00:00:00"
    programme_title: str | None = None
    language: str | None = None
    bottom_row: int = 22
    justification: str = "centre"
    boxed: bool = True
    speaker_colours: bool = True
    creation_date: dt.date | None = None
    country: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.fps, bool) or not isinstance(self.fps, (Fraction, int, str, float)):
            raise OptionError(f"stl option fps must be a frame rate, got {self.fps!r}")
        try:
            rate = parse_fps(self.fps)
        except OptionError:
            rate = None
        if rate not in _RATES:
            shown = f"{float(self.fps):g}" if isinstance(self.fps, Fraction) else repr(self.fps)
            raise OptionError(f"stl option fps={shown} (--fps): EBU STL time codes are 25 fps (STL25.01) "
                              "or 30 fps (STL30.01, also used for 29.97); choose 25, 30 or 29.97")
        object.__setattr__(self, "fps", rate)
        if self.character_table not in iso6937.TABLES:
            raise OptionError(f"stl option character_table {self.character_table!r}: choose from "
                              + ", ".join(f"{code} ({name})" for code, name in iso6937.TABLES.items()))
        if not isinstance(self.start_timecode, str):
            raise OptionError(f"stl option start_timecode must be HH:MM:SS:FF, got {self.start_timecode!r}")
        label = _label(self.rate, self.start_timecode)  # raises OptionError
        if label[0] > 23:
            raise OptionError(f"stl option start_timecode {self.start_timecode!r} is past 23:59:59")
        if self.programme_title is not None and not isinstance(self.programme_title, str):
            raise OptionError("stl option programme_title must be text")
        if self.language is not None and not isinstance(self.language, str):
            raise OptionError("stl option language must be a BCP-47 tag or a GSI language code")
        if type(self.bottom_row) is not int or not 1 <= self.bottom_row <= ROWS:
            raise OptionError(f"stl option bottom_row must be a teletext row from 1 to {ROWS}, "
                              f"got {self.bottom_row!r}")
        if self.justification not in JUSTIFICATIONS:
            raise OptionError(f"stl option justification {self.justification!r}: "
                              "choose centre, left, right or none")
        if self.creation_date is not None and not isinstance(self.creation_date, dt.date):
            raise OptionError("stl option creation_date must be a datetime.date")
        if not isinstance(self.country, str) or (
                self.country and not (len(self.country) == 3 and self.country.isascii()
                                      and self.country.isalpha())):
            raise OptionError(f"stl option country must be an ISO 3166 alpha-3 code such as "
                              f"'GBR', got {self.country!r}")

    @property
    def rate(self) -> Fraction:
        """The frame rate as an exact fraction."""
        return Fraction(self.fps)


def _label(fps: Fraction, timecode: str) -> tuple[int, int, int, int]:
    """A time code string checked at ``fps`` (drop-frame at 29.97), as label digits."""
    frames = timecode_to_frames(timecode, fps, drop_frame=fps.denominator == 1001)
    return frames_to_label(frames, fps)


@dataclass(frozen=True, slots=True)
class Encoded:
    """A written STL file and what the writer had to say about it."""

    data: bytes
    warnings: tuple[str, ...]


def dumps(transcript: Transcript, options: StlOptions) -> bytes:
    """The STL file of ``transcript``; :func:`encode` also gives the warnings."""
    return encode(transcript, options).data


def encode(transcript: Transcript, options: StlOptions) -> Encoded:
    """The STL file of ``transcript`` and the writer's warnings, one line each
    (``cue 3: '€' (U+20AC) written as 'EUR'``)."""
    fps = options.rate
    table = options.character_table
    warnings: list[str] = []
    colours = _speaker_colours(transcript, options, warnings)
    cells = ROW_CELLS - 1 - (2 if options.boxed else 0)
    blocks: list[bytes] = []
    subtitles = 0
    first_in: tuple[int, int, int, int] | None = None
    previous_out = -1
    for number, cue in enumerate(transcript.cues, start=1):
        rows = _rows(cue, number, table, cells, colours, warnings)
        if not rows:
            continue  # nothing to show
        tci = ms_to_frames(cue.start_ms, fps)
        tco = max(ms_to_frames(cue.end_ms, fps), tci + 1)
        if tci < previous_out:
            warnings.append(f"cue {number}: starts {previous_out - tci} frame(s) before the cue "
                            "before it ends; an STL player replaces that cue when this one starts")
        previous_out = max(previous_out, tco)
        label_in, label_out = frames_to_label(tci, fps), frames_to_label(tco, fps)
        if label_out[0] > 23:
            raise DubsubsError(f"cue {number}: ends at {frames_to_timecode(tco, fps)}, past the last "
                               "time code EBU STL can hold (23:59:59); shorten the programme or "
                               "shift it with --offset")
        first_in = first_in or label_in
        vp = options.bottom_row - len(rows) + 1
        if vp < 1:
            warnings.append(f"cue {number}: its {len(rows)} rows do not fit above row "
                            f"{options.bottom_row}; written from row 1 down")
            vp = 1
        text = bytes([NEWLINE]).join(
            bytes([COLOURS[colour]]) + (bytes([START_BOX, START_BOX]) if options.boxed else b"")
            + iso6937.encode(line, table)
            for colour, line in rows
        )
        chunks = _chunks(text)
        if len(chunks) > EBN_MAX_EXTENSION + 2:
            raise DubsubsError(f"cue {number}: {len(text)} bytes of text are more than one STL "
                               f"subtitle can hold ({(EBN_MAX_EXTENSION + 2) * TF_SIZE}); split it")
        subtitles += 1
        if subtitles > 0xFFFF:
            raise DubsubsError(f"cue {number}: more subtitles than EBU STL can number (65535)")
        head = (bytes(label_in) + bytes(label_out)
                + bytes([vp, JUSTIFICATIONS[options.justification], 0]))
        for index, chunk in enumerate(chunks):
            ebn = EBN_LAST if index == len(chunks) - 1 else index
            blocks.append(bytes([0]) + subtitles.to_bytes(2, "little") + bytes([ebn, 0]) + head
                          + chunk.ljust(TF_SIZE, bytes([UNUSED])))
    if len(blocks) > 99_999:
        raise DubsubsError(f"{len(blocks)} TTI blocks are more than a GSI block can count (99999)")
    gsi = _gsi(transcript, options, len(blocks), subtitles, first_in, warnings)
    return Encoded(gsi + b"".join(blocks), tuple(warnings))


def _speaker_colours(transcript: Transcript, options: StlOptions,
                     warnings: list[str]) -> dict[str | None, str]:
    colours: dict[str | None, str] = {None: "white"}
    if not options.speaker_colours:
        return colours
    speakers = transcript.speakers
    for index, speaker in enumerate(speakers):
        colours[speaker] = PALETTE[index % len(PALETTE)]
    if len(speakers) > len(PALETTE):
        shared = "; ".join(
            f"{colour}: " + ", ".join(s for s in speakers if colours[s] == colour)
            for colour in PALETTE if sum(colours[s] == colour for s in speakers) > 1
        )
        warnings.append(f"{len(speakers)} speakers for {len(PALETTE)} colours, so some share one ({shared})")
    return colours


def _rows(cue: Cue, number: int, table: str, cells: int, colours: dict[str | None, str],
          warnings: list[str]) -> list[tuple[str, str]]:
    """The rows of a cue, each with its speaker's colour: one voice after another."""
    voices = [(v.speaker, v.text) for v in cue.voices] if cue.voices else [(cue.speaker, cue.text)]
    rows: list[tuple[str, str]] = []
    for speaker, text in voices:
        colour = colours.get(speaker, "white")
        for line in text_lines(text):
            legal, replaced = iso6937.legal_text(" ".join(line.split()), table)
            warnings.extend(f"cue {number}: {r.describe()}" for r in replaced)
            rows.extend((colour, row) for row in wrap(legal, cells))
    return rows


def wrap(line: str, cells: int) -> list[str]:
    """``line`` in rows of at most ``cells`` characters, broken at spaces; a word longer
    than a row is cut across rows. Joining the rows with spaces gives ``line`` back,
    except at the cuts inside a word."""
    rows: list[str] = []
    current = ""
    for word in line.split(" "):
        while len(word) > cells:
            if current:
                rows.append(current)
                current = ""
            rows.append(word[:cells])
            word = word[cells:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= cells:
            current = f"{current} {word}"
        else:
            rows.append(current)
            current = word
    if current:
        rows.append(current)
    return rows


def _chunks(text: bytes) -> list[bytes]:
    """``text`` in text fields of at most 112 bytes, never parting a diacritical mark from
    the letter after it."""
    chunks: list[bytes] = []
    while len(text) > TF_SIZE:
        cut = TF_SIZE
        if text[cut - 1] in iso6937.MARK_BYTES:
            cut -= 1
        chunks.append(text[:cut])
        text = text[cut:]
    chunks.append(text)
    return chunks


def _gsi(transcript: Transcript, options: StlOptions, blocks: int, subtitles: int,
         first_in: tuple[int, int, int, int] | None, warnings: list[str]) -> bytes:
    fps = options.rate
    tcp = _label(fps, options.start_timecode)
    if first_in is not None and first_in < tcp:
        warnings.append(f"the first subtitle starts at {_digits(first_in)}, before the programme "
                        f"start {_digits(tcp)}: readers that subtract the start time code drop it")
    language = transcript.language or options.language
    if language is not None and language == options.language and _CODE.fullmatch(language):
        lc = language.upper()
    else:
        found = language_code(language)
        if found is None and language:
            warnings.append(f"language {language!r} has no EBU STL language code; written as 00 (unknown)")
        lc = found or "00"
    title = options.programme_title if options.programme_title is not None else (transcript.run_id or "")
    date = (options.creation_date or dt.date.today()).strftime("%y%m%d")
    values: dict[str, str | bytes] = {
        "CPN": "850", "DFC": _RATES[fps], "DSC": "1", "CCT": options.character_table, "LC": lc,
        "OPT": _text_field("programme_title", title, 32, warnings),
        "CD": date, "RD": date, "RN": "00",
        "TNB": f"{blocks:05d}", "TNS": f"{subtitles:05d}", "TNG": "001",
        "MNC": f"{ROW_CELLS:02d}", "MNR": f"{ROWS:02d}", "TCS": "1",
        "TCP": _digits(tcp), "TCF": _digits(first_in or tcp),
        "TND": "1", "DSN": "1", "CO": options.country.upper(),
    }
    out = bytearray()
    for name, width in GSI_FIELDS:
        value = values.get(name, "")
        data = value if isinstance(value, bytes) else value.encode("cp850")
        out += data.ljust(width, b" ")
    return bytes(out)


#: A GSI language code given as such (``"0A"``); no ISO 639 code starts with a digit.
_CODE = re.compile("[0-7][0-9A-Fa-f]")


def _digits(label: tuple[int, int, int, int]) -> str:
    return "".join(f"{part:02d}" for part in label)


def _text_field(name: str, text: str, width: int, warnings: list[str]) -> bytes:
    """A GSI text field in code page 850: what it cannot carry is ``?``, what does not fit
    is cut; both are reported."""
    text = " ".join(text.split())
    missing = sorted({c for c in text if not _in_cp850(c)})
    if missing:
        warnings.append(f"{name}: {', '.join(map(repr, missing))} not in code page 850, written as '?'")
    data = text.encode("cp850", errors="replace")
    if len(data) > width:
        warnings.append(f"{name}: cut to its first {width} characters")
        data = data[:width]
    return data


def _in_cp850(char: str) -> bool:
    try:
        char.encode("cp850")
    except UnicodeEncodeError:
        return False
    return True
