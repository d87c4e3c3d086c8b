"""``conform``: a transcript made to fit a delivery spec, and the report of what it took.

(Not named ``conform.py``: the package exports the function ``conform``, and a submodule
of the same name would replace it as the package attribute once imported; ``check`` lives
in :mod:`.rules` for the same reason.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from ..model import MAX_MS, Cue, Transcript
from ..timefmt import (
    parse_fps,
    timecode_to_ms,
)
from ..wording import plural
from .presets import Preset, get_preset
from .segment import Merge, merge_cues, segment_cue
from .timing import (
    TimingChange,
    TimingLimits,
    retime,
    shift,
)


@dataclass(frozen=True, slots=True)
class StyleReport:
    """What :func:`conform` did."""

    preset: str
    language: str | None
    items: int
    cues: int
    split_items: tuple[int, ...] = ()  # 1-based indexes of items cut into several cues
    timing_changes: tuple[TimingChange, ...] = field(default_factory=tuple)
    offset_ms: int = 0
    merged: tuple[Merge, ...] = ()  # output cues made by merging short cues with a neighbour

    def to_dict(self) -> dict[str, Any]:
        return {
            "preset": self.preset,
            "language": self.language,
            "items": self.items,
            "cues": self.cues,
            "split_items": list(self.split_items),
            "timing_changes": [
                {"cue": c.cue, "what": c.what, "before_ms": c.before, "after_ms": c.after}
                for c in self.timing_changes
            ],
            "offset_ms": self.offset_ms,
            "merged": [{"cue": m.cue, "pieces": m.pieces, "speakers": m.speakers} for m in self.merged],
        }

    @property
    def untouched(self) -> bool:
        """True when the cues came back as given: preset ``none`` and no offset."""
        return self.preset == "none" and not self.offset_ms

    def summary(self) -> str:
        if self.untouched:
            return "style: none (cues as given)"
        lang = f", {self.language}" if self.language else ""
        parts = [f"style {self.preset}{lang}: {plural(self.items, 'item')} -> {plural(self.cues, 'cue')}"]
        if self.split_items:
            parts.append(f"{plural(len(self.split_items), 'item')} split")
        if self.merged:
            pieces = sum(m.pieces for m in self.merged)
            dual = sum(1 for m in self.merged if m.speakers > 1)
            dashed = f" ({dual} with two speakers)" if dual else ""
            parts.append(f"{pieces} cues merged into {len(self.merged)}{dashed}")
        if self.timing_changes:
            kinds: dict[str, int] = {}
            for change in self.timing_changes:
                kinds[change.what] = kinds.get(change.what, 0) + 1
            parts.append(", ".join(f"{n} {what}" for what, n in sorted(kinds.items())))
        if self.offset_ms:
            parts.append(f"shifted {self.offset_ms:+d} ms")
        return "; ".join(parts)


def total_offset_ms(preset: Preset) -> int:
    """The preset's offset plus its programme start timecode, in ms."""
    offset = preset.offset_ms
    if preset.start_timecode:
        offset += timecode_to_ms(preset.start_timecode, preset.fps)
    return offset


def by_voice(cue: Cue) -> list[Cue]:
    """A cue that several people speak as one cue per voice, in order, sharing its time by
    the length of each voice's text (whole ms); any other cue as itself. Segmentation
    then lays out each speaker's words on their own, and :func:`merge_cues` puts close
    ones back together as dash lines, each still credited to its own speaker."""
    if not cue.voices:
        return [cue]
    weights = [max(len(voice.text), 1) for voice in cue.voices]
    total, span = sum(weights), cue.end_ms - cue.start_ms
    out, done = [], 0
    for voice, weight in zip(cue.voices, weights, strict=True):
        start = cue.start_ms + span * done // total
        done += weight
        out.append(Cue(start, cue.start_ms + span * done // total, voice.text, voice.speaker))
    return out


def conform(
    transcript: Transcript,
    preset: Preset | str = "none",
    *,
    fps: str | float | Fraction | None = None,
) -> tuple[Transcript, StyleReport]:
    """``transcript`` made to fit ``preset`` (picked for ``transcript.language``).

    Items are split and laid out, shifted by the offset and start timecode; cues too
    short to read are merged with a neighbour where the result fits
    (:func:`.segment.merge_cues`); then all are timed on the frame grid, a start delayed
    a little where that lets the cue before it be read (:func:`.timing.retime`). Cues
    come back sorted; the original items are kept in ``dialogue`` (shifted with the
    cues, so both describe the same media timeline).
    The preset ``none`` with no offset returns ``transcript`` itself.
    """
    if isinstance(preset, str):
        preset = get_preset(preset)
    if fps is not None:
        preset = preset.with_overrides(fps=parse_fps(fps))
    limits = preset.for_language(transcript.language)
    items = transcript.cues
    if limits.is_lossless:
        return transcript, StyleReport(limits.name, transcript.language, len(items), len(items))
    cues: list[Cue] = []
    split: list[int] = []
    merges: list[Merge] = []
    # Shift first, so that cues land on the frame grid of the programme timeline (a start
    # timecode of 10:00:00:00 included), not of the media file, and merging sees the same
    # frames the timing pass will.
    offset = total_offset_ms(limits)
    if limits.segment:
        pieces: list[tuple[Cue, int]] = []
        gap_ms = math.ceil(limits.min_gap_frames * 1000 / limits.fps)
        for index, item in enumerate(items, 1):
            # Free time after the item: up to the next one's start, less the minimum gap.
            free_end = items[index].start_ms - gap_ms if index < len(items) else MAX_MS
            voices = by_voice(item)
            parts = [
                part
                for number, voice in enumerate(voices, 1)
                for part in segment_cue(voice, limits, transcript.language,
                                        free_end if number == len(voices) else voice.end_ms)
            ]
            if len(parts) > 1:
                split.append(index)
            pieces.extend((part, index) for part in parts)
        pieces.sort(key=lambda pair: pair[0].start_ms)  # overlapping items can interleave
        cues, merges = merge_cues(
            shift([cue for cue, _ in pieces], offset),
            limits,
            transcript.language,
            [origin for _, origin in pieces],
        )
    else:
        cues = shift(items, offset)
    changes: list[TimingChange] = []
    if limits.timing:
        cues, changes = retime(
            cues,
            TimingLimits(
                fps=limits.fps,
                min_gap_frames=limits.min_gap_frames,
                close_gap_ms=limits.close_gap_ms,
                min_duration_ms=limits.min_duration_ms,
                max_duration_ms=limits.max_duration_ms,
                max_cps=limits.max_cps,
                max_start_delay_ms=limits.max_start_delay_ms,
            ),
        )
    original = transcript.dialogue if transcript.dialogue is not None else items
    dialogue = tuple(shift(original, offset))
    styled = replace(transcript, cues=tuple(cues), dialogue=dialogue)
    report = StyleReport(
        limits.name,
        transcript.language,
        len(items),
        len(cues),
        tuple(split),
        tuple(changes),
        offset,
        tuple(merges),
    )
    return styled, report
