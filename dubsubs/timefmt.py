"""Time syntaxes, exactly: integer milliseconds <-> clock timestamps, frames and SMPTE
timecode at an exact (``Fraction``) frame rate.

``HH:MM:SS,mmm`` (SRT) and ``HH:MM:SS.mmm`` (WebVTT, TTML clock time). Hours take as many
digits as they need (``100:00:00,000``), never wrap. Only integer arithmetic: a float
seconds value would turn 1.001 s into ``00:00:01,000`` sooner or later.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

from .errors import OptionError

__all__ = [
    "DEFAULT_FPS",
    "FRAME_RATES",
    "clock_formatter",
    "format_clock",
    "format_srt",
    "format_vtt",
    "frames_to_ms",
    "frames_to_timecode",
    "is_drop_frame_rate",
    "ms_to_frames",
    "ms_to_frames_ceil",
    "parse_clock",
    "parse_fps",
    "snap_ms",
    "timecode_to_frames",
    "timecode_to_ms",
]


def format_clock(ms: int, separator: str = ".") -> str:
    """``ms`` as ``HH:MM:SS<separator>mmm``; hours are zero-padded to two digits or more."""
    if type(ms) is not int or ms < 0:
        raise ValueError(f"expected a non-negative int of milliseconds, got {ms!r}")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def format_srt(ms: int) -> str:
    """``ms`` as an SRT timestamp, ``HH:MM:SS,mmm``."""
    return format_clock(ms, ",")


def format_vtt(ms: int) -> str:
    """``ms`` as a WebVTT / TTML clock time, ``HH:MM:SS.mmm``."""
    return format_clock(ms, ".")


_CLOCK = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d)[,.](\d{3})")


def parse_clock(text: str) -> int:
    """Read ``HH:MM:SS,mmm`` or ``HH:MM:SS.mmm`` back to milliseconds (the inverse of
    :func:`format_clock`). Anything else raises :class:`ValueError`."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise ValueError(f"not a clock timestamp (HH:MM:SS,mmm): {text!r}")
    hours, minutes, seconds, millis = (int(group) for group in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def clock_formatter(separator: str) -> Callable[[int], str]:
    """A fast :func:`format_clock` for the many timestamps of one document.

    ``HH:MM:`` is formatted once per minute of media and kept; seconds and milliseconds
    come from tables. Same output as :func:`format_clock`, about four times faster.
    """
    by_minute: dict[int, str] = {}
    seconds_part = tuple(f"{n:02d}{separator}" for n in range(60))
    millis_part = _MILLIS

    def stamp(ms: int) -> str:
        minute, rest = divmod(ms, 60_000)
        prefix = by_minute.get(minute)
        if prefix is None:
            if type(ms) is not int or ms < 0:
                raise ValueError(f"expected a non-negative int of milliseconds, got {ms!r}")
            hours, minutes = divmod(minute, 60)
            prefix = by_minute[minute] = f"{hours:02d}:{minutes:02d}:"
        seconds, millis = divmod(rest, 1000)
        return prefix + seconds_part[seconds] + millis_part[millis]

    return stamp


_MILLIS: tuple[str, ...] = tuple(f"{n:03d}" for n in range(1000))


# --------------------------------------------------------------------------- frame rates

#: Frame rates we accept, as exact fractions. "23.976" etc. are NTSC rates (x1000/1001).
FRAME_RATES: dict[str, Fraction] = {
    "23.976": Fraction(24000, 1001),
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": Fraction(30000, 1001),
    "30": Fraction(30),
    "50": Fraction(50),
    "59.94": Fraction(60000, 1001),
    "60": Fraction(60),
}

DEFAULT_FPS = Fraction(25)


def parse_fps(value: str | float | Fraction) -> Fraction:
    """``"23.976"``, ``"24000/1001"``, ``25``, ``Fraction(30000, 1001)`` -> exact Fraction.

    Decimal spellings of NTSC rates (23.976, 23.98, 29.97, 59.94) map to their exact
    x1000/1001 fractions, never to a rounded binary float.
    """
    if isinstance(value, Fraction):
        rate = value
    else:
        text = str(value).strip()
        aliases = {"23.98": "23.976", "29.970": "29.97", "59.940": "59.94"}
        text = aliases.get(text, text)
        if text in FRAME_RATES:
            return FRAME_RATES[text]
        try:
            rate = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise OptionError(
                f"--fps {value!r} is not a frame rate; use one of "
                f"{', '.join(FRAME_RATES)} or a fraction like 24000/1001"
            ) from None
    # Range first: float() of a huge Fraction (1e400) overflows.
    if not 1 <= rate <= 1000:
        raise OptionError(f"--fps {value!r} is out of range (1 to 1000 frames per second)")
    if not isinstance(value, Fraction):
        for exact in FRAME_RATES.values():
            if abs(float(rate) - float(exact)) < 0.0005 and rate != exact:
                return exact
    return rate


# --- the frame grid ---------------------------------------------------------------------


def ms_to_frames(ms: int, fps: Fraction) -> int:
    """The frame nearest to ``ms`` (halves round up). Exact integer arithmetic."""
    p, q = fps.numerator, fps.denominator
    return (2 * ms * p + 1000 * q) // (2000 * q)


def ms_to_frames_ceil(ms: int, fps: Fraction) -> int:
    """The first frame whose start, in whole ms, is at or after ``ms`` (so an already
    snapped time stays on its frame)."""
    frame = ms * fps.numerator // (1000 * fps.denominator)
    return frame if frames_to_ms(frame, fps) >= ms else frame + 1


def frames_to_ms(frames: int, fps: Fraction) -> int:
    """The whole millisecond nearest to the start of frame ``frames`` (halves round up)."""
    p, q = fps.numerator, fps.denominator
    return (2000 * frames * q + p) // (2 * p)


def snap_ms(ms: int, fps: Fraction) -> int:
    """``ms`` moved to the nearest frame boundary (as whole ms). Idempotent for any
    fps up to 1000: a whole-ms rounding error is under a frame."""
    return frames_to_ms(ms_to_frames(ms, fps), fps)


# --- SMPTE timecode ---------------------------------------------------------------------

_TIMECODE = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$")


def _nominal(fps: Fraction) -> int:
    return round(fps)


def is_drop_frame_rate(fps: Fraction) -> bool:
    """Drop-frame timecode exists for 29.97 and 59.94 only."""
    return fps in (Fraction(30000, 1001), Fraction(60000, 1001))


def _drop_per_minute(fps: Fraction) -> int:
    return 2 * _nominal(fps) // 30


def timecode_to_frames(timecode: str, fps: Fraction, drop_frame: bool | None = None) -> int:
    """``"10:00:00:00"`` -> frame count at ``fps``.

    ``drop_frame=None`` reads the separator: ``;`` (or ``.``/``,``) before the frames
    means drop-frame, ``:`` means non-drop. Drop-frame at a rate other than 29.97/59.94,
    a frame number past the rate, or a frame label that drop-frame skips, is an error.
    """
    match = _TIMECODE.match(timecode.strip())
    if not match:
        raise OptionError(f"timecode {timecode!r} is not HH:MM:SS:FF (or HH:MM:SS;FF for drop-frame)")
    hours, minutes, seconds, separator, frame = match.groups()
    h, m, s, f = int(hours), int(minutes), int(seconds), int(frame)
    if drop_frame is None:
        drop_frame = separator != ":"
    nominal = _nominal(fps)
    if m > 59 or s > 59 or f >= nominal:
        raise OptionError(f"timecode {timecode!r} is out of range at {float(fps):g} fps")
    if drop_frame and not is_drop_frame_rate(fps):
        raise OptionError(f"drop-frame timecode {timecode!r} needs 29.97 or 59.94 fps, not {float(fps):g}")
    frames = ((h * 60 + m) * 60 + s) * nominal + f
    if drop_frame:
        drop = _drop_per_minute(fps)
        if s == 0 and m % 10 != 0 and f < drop:
            raise OptionError(
                f"timecode {timecode!r} does not exist in drop-frame "
                f"(frames 0-{drop - 1} of this minute are skipped)"
            )
        total_minutes = h * 60 + m
        frames -= drop * (total_minutes - total_minutes // 10)
    return frames


def frames_to_timecode(frames: int, fps: Fraction, drop_frame: bool = False) -> str:
    """Frame count -> ``"HH:MM:SS:FF"`` (``"HH:MM:SS;FF"`` when drop-frame)."""
    if frames < 0:
        raise OptionError(f"negative frame count {frames}")
    nominal = _nominal(fps)
    if drop_frame:
        if not is_drop_frame_rate(fps):
            raise OptionError(f"drop-frame timecode needs 29.97 or 59.94 fps, not {float(fps):g}")
        drop = _drop_per_minute(fps)
        per_minute = nominal * 60 - drop
        per_ten = per_minute * 10 + drop
        tens, rest = divmod(frames, per_ten)
        frames += drop * 9 * tens
        if rest > drop:
            frames += drop * ((rest - drop) // per_minute)
    f = frames % nominal
    s = frames // nominal % 60
    m = frames // (nominal * 60) % 60
    h = frames // (nominal * 3600)
    return f"{h:02d}:{m:02d}:{s:02d}{';' if drop_frame else ':'}{f:02d}"


def timecode_to_ms(timecode: str, fps: Fraction, drop_frame: bool | None = None) -> int:
    """The media time of a timecode, in whole ms (frame count / fps)."""
    return frames_to_ms(timecode_to_frames(timecode, fps, drop_frame), fps)
