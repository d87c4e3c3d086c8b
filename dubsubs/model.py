"""The transcript model: frozen dataclasses, integer milliseconds, no knowledge of formats.

Everything downstream of parsing works on these types. Times are whole milliseconds
(``int``) so that arithmetic is exact and every format can render them without rounding
surprises; formats turn them into text, the model never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["s", "ms"]

#: Upper bound for any time in the model: 100 days. Anything later is corrupt input.
MAX_MS = 100 * 24 * 3600 * 1000


def _check_ms(name: str, value: object) -> None:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int of milliseconds, got {type(value).__name__}")
    if value < 0 or value > MAX_MS:
        raise ValueError(f"{name} out of range: {value} ms")


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed piece of text. ``start_ms <= end_ms``; speaker is ``None`` when unknown."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None

    def __post_init__(self) -> None:
        _check_ms("start_ms", self.start_ms)
        _check_ms("end_ms", self.end_ms)
        if self.end_ms < self.start_ms:
            raise ValueError(f"cue ends before it starts: {self.start_ms} > {self.end_ms} ms")
        if not isinstance(self.text, str):
            raise TypeError(f"text must be str, got {type(self.text).__name__}")
        if self.speaker is not None and not isinstance(self.speaker, str):
            raise TypeError(f"speaker must be str or None, got {type(self.speaker).__name__}")

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True, slots=True)
class UnitsDecision:
    """How the source's numbers were read: as seconds or milliseconds, and why.

    ``method`` is ``"auto"`` (decided from evidence), ``"given"`` (the caller said so) or
    ``"format"`` (the source format carries real timestamps, e.g. SRT).
    """

    unit: Unit
    method: Literal["auto", "given", "format"]
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if self.unit not in ("s", "ms"):
            raise ValueError(f"unit must be 's' or 'ms', got {self.unit!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within [0, 1], got {self.confidence}")


@dataclass(frozen=True, slots=True)
class Transcript:
    """Cues ordered by start time, with what is known of their origin.

    ``language`` is a BCP-47 tag (``"es-ES"``) when known. ``dialogue`` keeps the
    unsegmented original items when cues were split for a delivery spec, so that nothing of
    the source is lost.
    """

    cues: tuple[Cue, ...]
    run_id: str | None = None
    language: str | None = None
    units: UnitsDecision | None = None
    dialogue: tuple[Cue, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.cues, tuple):
            object.__setattr__(self, "cues", tuple(self.cues))
        previous = -1
        for index, cue in enumerate(self.cues):
            if not isinstance(cue, Cue):
                raise TypeError(f"cues[{index}] is {type(cue).__name__}, not Cue")
            if cue.start_ms < previous:
                raise ValueError(f"cues[{index}] starts before cues[{index - 1}]: not sorted")
            previous = cue.start_ms
        if self.dialogue is not None and not isinstance(self.dialogue, tuple):
            object.__setattr__(self, "dialogue", tuple(self.dialogue))

    def __len__(self) -> int:
        return len(self.cues)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for cue in self.cues:
            if cue.speaker is not None and cue.speaker not in seen:
                seen[cue.speaker] = None
        return tuple(seen)

    @property
    def duration_ms(self) -> int:
        return max((cue.end_ms for cue in self.cues), default=0)
