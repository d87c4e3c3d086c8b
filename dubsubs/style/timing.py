"""Frame-accurate timing: the frame grid, SMPTE timecode (drop-frame included) and the
timing pass that fixes durations and gaps.

Frame rates are exact :class:`fractions.Fraction` values (``24000/1001``, never
``23.976``), so frame <-> millisecond conversion never drifts over a long programme.
A cue's start is snapped *up* to the next frame boundary, so a cue never appears before
its speech starts; its end is snapped to the nearest frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ..errors import OptionError
from ..model import MAX_MS, Cue

# The frame grid and SMPTE timecode live in dubsubs.timefmt (formats count frames too).
from ..timefmt import frames_to_ms, ms_to_frames, ms_to_frames_ceil

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
