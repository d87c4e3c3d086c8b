"""``--preset``, ``--fps`` and the individual limits, as one decorator any command can take.

Each setting keeps one name from the flag to the preset: ``--min-gap-frames`` fills the
parameter ``min_gap_frames``, which is :attr:`Preset.min_gap_frames` (the short spelling
``--min-gap`` is the same option).

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

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

import click

from ..errors import OptionError
from ..formats import formats_taking, get_writer
from ..style import PRESETS, Preset, preset_from_options

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


@dataclass(frozen=True)
class _Setting:
    """One preset setting on the command line. ``field`` is the :class:`Preset` field it
    sets and the name the value travels under, from the flag to the preset; ``flags``
    starts with the field's own spelling, then the short form users type."""

    field: str
    flags: tuple[str, ...]
    help: str
    type: Any = None
    metavar: str | None = None
    shifts: bool = False  # changes timing: only for commands that write subtitles

    def option(self) -> Callable[[F], F]:
        return click.option(*self.flags, self.field, type=self.type, metavar=self.metavar, help=self.help)


SETTINGS: tuple[_Setting, ...] = (
    _Setting("fps", ("--fps",), "Frame rate for frame snapping and the gap rule: 23.976, 24, 25, "
             "29.97, 30, 50, 59.94 or a fraction like 24000/1001 (default 25).", metavar="RATE"),
    _Setting("max_chars_per_line", ("--max-chars-per-line", "--max-chars"), "Characters per line.",
             click.IntRange(min=1), "N"),
    _Setting("max_lines", ("--max-lines",), "Lines per cue.", click.IntRange(min=1), "N"),
    _Setting("max_cps", ("--max-cps",), "Characters per second.", click.FloatRange(min=0, min_open=True),
             "CPS"),
    _Setting("min_duration_ms", ("--min-duration-ms", "--min-duration"), "Shortest cue, in ms.",
             click.IntRange(min=1), "MS"),
    _Setting("max_duration_ms", ("--max-duration-ms", "--max-duration"), "Longest cue, in ms.",
             click.IntRange(min=1), "MS"),
    _Setting("min_gap_frames", ("--min-gap-frames", "--min-gap"), "Frames between cues.",
             click.IntRange(min=0), "FRAMES"),
    _Setting("max_start_delay_ms", ("--max-start-delay-ms", "--max-start-delay"),
             "How late a cue may start after its speech to give the cue before it its minimum "
             "time, in ms (0 turns it off; netflix and bbc: 500).", click.IntRange(min=0), "MS",
             shifts=True),
    _Setting("offset_ms", ("--offset",), "Shift every cue, e.g. 1500ms, -2.5s (a plain number is ms).",
             metavar="TIME", shifts=True),
    _Setting("start_timecode", ("--start-timecode",), "Programme start timecode added to every cue, "
             "e.g. 10:00:00:00 (10:00:00;00 for drop-frame at 29.97/59.94).", metavar="TC", shifts=True),
)


_COPYRIGHT = click.option(
    "--copyright", "copyright", metavar="TEXT",
    help="A copyright line for the TTML and DAPT head (ttm:copyright); the BBC's validator warns "
         "without one.")


def _preset_option(default_preset: str) -> Callable[[F], F]:
    return click.option(
        "--preset",
        type=click.Choice(list(PRESETS), case_sensitive=False),
        default=default_preset,
        show_default=True,
        help="Delivery spec: line length, lines, reading speed, durations, gaps. "
        "'none' keeps one cue per dialogue item, untouched.",
    )


def _build(name: str | None, values: dict[str, Any], copyright_line: str | None = None) -> Any:
    try:
        if values.get("offset_ms") is not None:
            values["offset_ms"] = parse_offset(values["offset_ms"])
        preset: Preset = preset_from_options(name, values.pop("fps", None), **values)
        if copyright_line is not None:
            # Into the options the spec already sets for each format that writes one (the
            # bbc styling for TTML), or its defaults: TTML and DAPT.
            for fmt in formats_taking("copyright"):
                given = preset.options_for(fmt) or get_writer(fmt).options()
                preset = preset.with_writer_options(fmt, dataclasses.replace(given, copyright=copyright_line))
        return preset
    except OptionError as error:
        raise click.UsageError(str(error)) from None


def make_style_options(*, default_preset: str = "none", shifts: bool = True) -> Callable[[F], F]:
    """A decorator adding ``--preset`` and the settings; ``shifts`` adds those that move
    cues (``--max-start-delay-ms``, ``--offset``, ``--start-timecode``: not for ``check``)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {s.field: kwargs.pop(s.field) for s in SETTINGS if s.field in kwargs}
            kwargs["preset"] = _build(kwargs.pop("preset"), values, kwargs.pop("copyright", None))
            return function(*args, **kwargs)

        options = [_preset_option(default_preset)] + [s.option() for s in SETTINGS if shifts or not s.shifts]
        if shifts:  # commands that write files
            options.append(_COPYRIGHT)
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate


#: The options for commands that write subtitles (``convert``, ``fetch``).
style_options = make_style_options()
