"""Frame-accurate timing: the frame grid, SMPTE timecode (drop-frame included) and the
timing pass that fixes durations and gaps.

Frame rates are exact :class:`fractions.Fraction` values (``24000/1001``, never
``23.976``), so frame <-> millisecond conversion never drifts over a long programme.
A cue's start is snapped *up* to the next frame boundary, so a cue never appears before
its speech starts; its end is snapped to the nearest frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ..errors import OptionError
from ..model import MAX_MS, Cue

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


# --- the timing pass --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimingLimits:
    """What the timing pass enforces; built from a preset."""

    fps: Fraction
    min_gap_frames: int = 0
    close_gap_ms: int = 0
    min_duration_ms: int | None = None
    max_duration_ms: int | None = None
    max_cps: float | None = None
    max_start_delay_ms: int = 0


@dataclass(frozen=True, slots=True)
class TimingChange:
    """One adjustment the timing pass made, for the report."""

    cue: int  # 1-based, in output order
    what: str  # "extended", "gap-closed", "trimmed", "delayed"
    before: tuple[int, int]  # (start, end) in ms, snapped to frames, before the change
    after: tuple[int, int]


def reading_chars(text: str) -> int:
    """Characters a viewer reads: everything except line breaks."""
    return len(text) - text.count("\n") - text.count("\r")


def needed_ms(text: str, limits: TimingLimits) -> int:
    """Shortest display time for ``text`` under the reading-speed and duration limits."""
    need = limits.min_duration_ms or 0
    if limits.max_cps:
        # +1: the check measures whole ms after frame rounding; keep a hair of margin.
        need = max(need, math.ceil(reading_chars(text) * 1000 / limits.max_cps) + 1)
    if limits.max_duration_ms is not None:
        need = min(need, limits.max_duration_ms)
    return need


def shift(cues: Sequence[Cue], offset_ms: int) -> list[Cue]:
    """Every cue moved by ``offset_ms`` (may be negative); a cue pushed before 0 is an error."""
    if offset_ms == 0:
        return list(cues)
    out = []
    for index, cue in enumerate(cues, 1):
        start, end = cue.start_ms + offset_ms, cue.end_ms + offset_ms
        if start < 0:
            raise OptionError(
                f"offset {offset_ms} ms moves cue {index} before 0 (it starts at {cue.start_ms} ms)"
            )
        if end > MAX_MS:
            raise OptionError(f"offset {offset_ms} ms moves cue {index} past the 100-day limit")
        out.append(replace(cue, start_ms=start, end_ms=end))
    return out


def retime(
    cues: Sequence[Cue],
    limits: TimingLimits,
) -> tuple[list[Cue], list[TimingChange]]:
    """Fit sorted ``cues`` to the frame grid and the gap/duration limits.

    In order: starts snap up to a frame (never earlier than the speech), ends to the
    nearest frame; a cue shorter than its reading time or the minimum duration is
    extended into free time (up to the next cue less the minimum gap, and no longer than
    the maximum duration); when that is not enough, the next cue's start may be delayed
    (see :func:`_latest_start`) so that the cue gets all the time it needs; a gap smaller
    than ``close_gap_ms`` is closed down to the minimum gap; an end that crowds the next
    cue is trimmed back to leave the minimum gap. Starts never move earlier than their
    snapped speech start. Work is in whole frames, linear in the cues.
    """
    fps = limits.fps
    p, q = fps.numerator, fps.denominator
    gap = limits.min_gap_frames
    n = len(cues)
    # The last frame the model can hold (times stop at MAX_MS): nothing is timed past it.
    last = ms_to_frames(MAX_MS, fps)
    if frames_to_ms(last, fps) > MAX_MS:
        last -= 1
    starts = [min(ms_to_frames_ceil(c.start_ms, fps), last) for c in cues]
    ends = [min(max(ms_to_frames(c.end_ms, fps), s + 1), last) for c, s in zip(cues, starts, strict=True)]
    original = list(zip(starts, ends, strict=True))
    max_frames = math.floor(Fraction(limits.max_duration_ms) * fps / 1000) if limits.max_duration_ms else None
    needs = [-(-needed_ms(cue.text, limits) * p // (1000 * q)) for cue in cues]  # ceil
    delay = _Delay(limits, last) if limits.max_start_delay_ms else None
    changes: list[TimingChange] = []

    def span(start: int, end: int) -> tuple[int, int]:
        return frames_to_ms(start, fps), frames_to_ms(end, fps)

    for i in range(n):
        start, end = starts[i], ends[i]
        need = needs[i]
        room = starts[i + 1] - gap if i + 1 < n else None  # last end allowed before the next
        what = ""
        if room is not None and delay is not None and start + need > room:
            wanted = start + need + gap
            if wanted <= delay.latest_start(i + 1, starts, ends, needs):
                changes.append(
                    TimingChange(i + 2, "delayed", span(*original[i + 1]), span(wanted, ends[i + 1]))
                )
                starts[i + 1] = wanted
                room = wanted - gap
        if end - start < need:
            target = start + need
            if room is not None:
                target = min(target, room)
            if target > end:
                end, what = target, "extended"
        if room is not None and limits.close_gap_ms:
            free = starts[i + 1] - end
            # Inclusive: a gap of exactly close_gap_ms is closed too, so no gap is left on
            # a limit that a reader measuring in binary floating point (the BBC's
            # validator) could see as just under it.
            if gap < free and free * 1000 * q <= limits.close_gap_ms * p:
                end, what = room, "gap-closed"
        if max_frames is not None and end - start > max_frames:
            end = start + max_frames
        if room is not None and end > room:
            end, what = max(room, start + 1), "trimmed"
        end = ends[i] = min(end, last)
        if what:
            # A delayed cue's own change starts from where the delay put it.
            changes.append(TimingChange(i + 1, what, span(start, original[i][1]), span(start, end)))
    changes.sort(key=lambda change: change.cue)  # stable: a delay comes before its cue's own change
    out = [
        replace(cue, start_ms=frames_to_ms(s, fps), end_ms=frames_to_ms(e, fps))
        for cue, s, e in zip(cues, starts, ends, strict=True)
    ]
    return out, changes


class _Delay:
    """How far the timing pass may delay a cue's start, in frames."""

    def __init__(self, limits: TimingLimits, last: int) -> None:
        fps = limits.fps
        self.gap = limits.min_gap_frames
        self.last = last
        self.max_delay = math.floor(Fraction(limits.max_start_delay_ms) * fps / 1000)
        self.min_frames = max(math.ceil(Fraction(limits.min_duration_ms or 0) * fps / 1000), 1)

    def latest_start(self, j: int, starts: Sequence[int], ends: Sequence[int], needs: Sequence[int]) -> int:
        """The latest frame cue ``j`` (not yet processed, so its start and end are still
        its speech's) may start at: at most ``max_start_delay_ms`` after its speech
        starts, no later than its speech end less the minimum duration, and early enough
        that it still gets the time it needs before the cue after it."""
        free_end = starts[j + 1] - self.gap if j + 1 < len(starts) else self.last
        return min(starts[j] + self.max_delay, ends[j] - self.min_frames, free_end - needs[j])
