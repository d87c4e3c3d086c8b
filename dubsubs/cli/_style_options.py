"""``--preset``, ``--fps`` and the individual limits, as one decorator any command can take.

::

    @click.command()
    @style_options
    def convert(..., preset: Preset) -> None:
        transcript, report = conform(transcript, preset)

The decorated command receives a single ``preset`` argument (a
:class:`~dubsubs.style.Preset` with every option applied) instead of the separate
option values; a bad value becomes a click usage error (exit 2) naming the option.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

import click

from ..errors import OptionError
from ..style import PRESETS, preset_from_options

F = TypeVar("F", bound=Callable[..., Any])

_OFFSET = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(ms|s)?$")


def parse_offset(value: str | None) -> int | None:
    """``"1500"`` or ``"1500ms"`` -> 1500; ``"-1.5s"`` -> -1500."""
    if value is None:
        return None
    match = _OFFSET.match(value.strip())
    if not match:
        raise OptionError(f"--offset {value!r} is not a time; write e.g. 1500ms, -2.5s or 1500")
    number, unit = match.groups()
    # Exact: a float would overflow on a long run of digits and round large values.
    return round(Fraction(number) * (1000 if unit == "s" else 1))


def _limit_options(default_preset: str) -> list[Callable[[F], F]]:
    return [
        click.option(
            "--preset",
            type=click.Choice(list(PRESETS), case_sensitive=False),
            default=default_preset,
            show_default=True,
            help="Delivery spec: line length, lines, reading speed, durations, gaps. "
            "'none' keeps one cue per dialogue item, untouched.",
        ),
        click.option(
            "--fps",
            metavar="RATE",
            help="Frame rate for frame snapping and the gap rule: 23.976, 24, 25, 29.97, 30, "
            "50, 59.94 or a fraction like 24000/1001 (default 25).",
        ),
        click.option("--max-chars", type=click.IntRange(min=1), help="Characters per line."),
        click.option("--max-lines", type=click.IntRange(min=1), help="Lines per cue."),
        click.option("--max-cps", type=click.FloatRange(min=0, min_open=True), help="Characters per second."),
        click.option("--min-duration", type=click.IntRange(min=1), metavar="MS", help="Shortest cue."),
        click.option("--max-duration", type=click.IntRange(min=1), metavar="MS", help="Longest cue."),
        click.option("--min-gap", type=click.IntRange(min=0), metavar="FRAMES", help="Frames between cues."),
    ]


def _shift_options() -> list[Callable[[F], F]]:
    """Options that change timing, for commands that write subtitles."""
    return [
        click.option("--max-start-delay", type=click.IntRange(min=0), metavar="MS",
                     help="How late a cue may start after its speech to give the cue before it "
                     "its minimum time (0 turns it off; netflix and bbc: 500)."),
        click.option(
            "--offset",
            metavar="TIME",
            help="Shift every cue, e.g. 1500ms, -2.5s (a plain number is ms).",
        ),
        click.option(
            "--start-timecode",
            metavar="TC",
            help="Programme start timecode added to every cue, e.g. 10:00:00:00 "
            "(10:00:00;00 for drop-frame at 29.97/59.94).",
        ),
    ]


_NAMES = (
    "preset",
    "fps",
    "max_chars",
    "max_lines",
    "max_cps",
    "min_duration",
    "max_duration",
    "min_gap",
    "max_start_delay",
    "offset",
    "start_timecode",
)


def _build(values: dict[str, Any]) -> Any:
    try:
        return preset_from_options(
            values.get("preset"),
            values.get("fps"),
            max_chars=values.get("max_chars"),
            max_lines=values.get("max_lines"),
            max_cps=values.get("max_cps"),
            min_duration_ms=values.get("min_duration"),
            max_duration_ms=values.get("max_duration"),
            min_gap_frames=values.get("min_gap"),
            max_start_delay_ms=values.get("max_start_delay"),
            offset_ms=parse_offset(values.get("offset")),
            start_timecode=values.get("start_timecode"),
        )
    except OptionError as error:
        raise click.UsageError(str(error)) from None


def make_style_options(*, default_preset: str = "none", shifts: bool = True) -> Callable[[F], F]:
    """A decorator adding the style options; ``shifts`` adds ``--max-start-delay``,
    ``--offset`` and ``--start-timecode`` (not wanted by ``check``)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in _NAMES if name in kwargs}
            kwargs["preset"] = _build(values)
            return function(*args, **kwargs)

        options = _limit_options(default_preset) + (_shift_options() if shifts else [])
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


#: The options for commands that write subtitles (``convert``, ``fetch``).
style_options = make_style_options()
