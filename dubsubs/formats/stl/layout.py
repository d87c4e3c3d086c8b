"""What the writer and the reader share: block sizes, codes and the time base of EBU STL
(EBU Tech 3264-E), stated once.

A file is one GSI block of 1024 bytes (General Subtitle Information, text fields in code
page 850) followed by TTI blocks of 128 bytes (Text and Timing Information): 16 bytes of
binary fields, then a text field (TF) of 112 bytes.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ...timefmt import frames_to_timecode

GSI_SIZE = 1024
TTI_SIZE = 128
TF_SIZE = 112

#: GSI fields in order: name and width in bytes (Tech 3264 section 3.1).
GSI_FIELDS: tuple[tuple[str, int], ...] = (
    ("CPN", 3), ("DFC", 8), ("DSC", 1), ("CCT", 2), ("LC", 2),
    ("OPT", 32), ("OET", 32), ("TPT", 32), ("TET", 32), ("TN", 32), ("TCD", 32),
    ("SLR", 16), ("CD", 6), ("RD", 6), ("RN", 2), ("TNB", 5), ("TNS", 5), ("TNG", 3),
    ("MNC", 2), ("MNR", 2), ("TCS", 1), ("TCP", 8), ("TCF", 8), ("TND", 1), ("DSN", 1),
    ("CO", 3), ("PUB", 32), ("EN", 32), ("ECD", 32), ("spare", 75), ("UDA", 576),
)
assert sum(width for _, width in GSI_FIELDS) == GSI_SIZE

# Extension block numbers: 0x00-0xEF continue a subtitle, 0xFF ends it, 0xF0-0xFD hold
# user data and 0xFE is reserved (neither is subtitle text).
EBN_LAST = 0xFF
EBN_MAX_EXTENSION = 0xEF

# Text field codes.
NEWLINE = 0x8A
UNUSED = 0x8F  # "unused space": the padding after the text
START_BOX = 0x0B
COLOURS = {
    "black": 0x00, "red": 0x01, "green": 0x02, "yellow": 0x03,
    "blue": 0x04, "magenta": 0x05, "cyan": 0x06, "white": 0x07,
}

#: Disk format codes and their frame rates. Tech 3264 defines STL25.01 (25 fps) and
#: STL30.01 ("30 fps"); in practice STL30.01 files time NTSC video, and readers (ttconv
#: among them) take their time codes as 29.97 drop-frame, as dubsubs does. The last three
#: are not in the specification but are written by some tools; they are read.
DFC_RATES: dict[str, Fraction] = {
    "STL25.01": Fraction(25),
    "STL30.01": Fraction(30000, 1001),
    "STL23.01": Fraction(24000, 1001),
    "STL24.01": Fraction(24),
    "STL50.01": Fraction(50),
}

#: Justification codes (JC).
JUSTIFICATIONS = {"none": 0, "left": 1, "centre": 2, "center": 2, "right": 3}

# Language codes of Tech 3264 Appendix 3 (two hex digits), by ISO 639 code: European
# languages count up from 01, the others down from 7F.
_LANGUAGES = """
01 sq  02 br  03 ca  04 hr  05 cy  06 cs  07 da  08 de  09 en  0A es  0B eo  0C et
0D eu  0E fo  0F fr  10 fy  11 ga  12 gd  13 gl  14 is  15 it  16 se  17 la  18 lv
19 lb  1A lt  1B hu  1C mt  1D nl  1E no  1F oc  20 pl  21 pt  22 ro  23 rm  24 sr
25 sk  26 sl  27 fi  28 sv  29 tr  2A nl-BE  2B wa
45 zu  46 vi  47 uz  48 ur  49 uk  4A th  4B te  4C tt  4D ta  4E tg  4F sw  50 srn
51 so  52 si  53 sn  54 sh  56 ru  57 qu  58 ps  59 pa  5A fa  5B pap 5C or  5D ne
5E nd  5F mr  60 mo  61 ms  62 mg  63 mk  64 lo  65 ko  66 km  67 kk  68 kn  69 ja
6A id  6B hi  6C he  6D ha  6E gn  6F gu  70 el  71 ka  72 ff  73 prs 74 cv  75 zh
76 my  77 bg  78 bn  79 be  7A bm  7B az  7C as  7D hy  7E ar  7F am
"""
_PAIRS = _LANGUAGES.split()
CODE_TO_LANGUAGE: dict[str, str] = dict(zip(_PAIRS[0::2], _PAIRS[1::2], strict=True))
LANGUAGE_TO_CODE: dict[str, str] = {tag.lower(): code for code, tag in CODE_TO_LANGUAGE.items()}
# Other spellings of the same languages.
LANGUAGE_TO_CODE.update({"nb": "1E", "nn": "1E", "iw": "6C", "in": "6A", "cmn": "75", "yue": "75"})


def language_code(tag: str | None) -> str | None:
    """The GSI language code of a BCP-47 tag (``"es-ES"`` -> ``"0A"``), or ``None``."""
    if not tag:
        return None
    lower = tag.lower().replace("_", "-")
    if lower.startswith("nl-be"):
        return LANGUAGE_TO_CODE["nl-be"]
    return LANGUAGE_TO_CODE.get(lower.split("-")[0])


def label_to_frames(hours: int, minutes: int, seconds: int, frames: int, fps: Fraction) -> int:
    """The frame count of a time code label. At 29.97 the label is drop-frame: the first
    two labels of each minute not divisible by ten are skipped (a label a drop-frame
    count never produces is read where its arithmetic puts it, as ttconv does)."""
    nominal = round(fps)
    count = ((hours * 60 + minutes) * 60 + seconds) * nominal + frames
    if fps.denominator == 1001:
        drop = 2 * nominal // 30
        total_minutes = hours * 60 + minutes
        count -= drop * (total_minutes - total_minutes // 10)
    return count


def frames_to_label(frames: int, fps: Fraction) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds and frames of the label of frame ``frames`` (drop-frame
    at 29.97, the inverse of :func:`label_to_frames`)."""
    text = frames_to_timecode(frames, fps, drop_frame=fps.denominator == 1001)
    hours, minutes, seconds, count = (int(part) for part in re.split("[:;]", text))
    return hours, minutes, seconds, count
