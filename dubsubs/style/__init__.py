"""Make a transcript fit a delivery spec, and check that it does.

::

    from dubsubs.style import get_preset, conform, check

    preset = get_preset("netflix", fps="23.976", max_cps=15)
    styled, report = conform(transcript, preset)
    assert check(styled.cues, preset, language=styled.language).ok

``conform`` splits long items into cues (:mod:`.segment`), lays text out in lines
(:mod:`.linebreak`), fixes timing on the frame grid (:mod:`.timing`) and shifts by an
offset or programme start timecode. The original items are kept in
``Transcript.dialogue``. With the default preset ``none`` the transcript comes back
unchanged. Nothing here reads or writes files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

#: Public name -> the submodule that defines it. Loaded on first use (PEP 562): the CLI
#: needs the preset names to build its options, not the segmentation and timing code.
_EXPORTS = {
    "DEFAULT_FPS": "..timefmt",
    "FRAME_RATES": "..timefmt",
    "PRESETS": "presets",
    "LanguageLimits": "presets",
    "Preset": "presets",
    "get_preset": "presets",
    "parse_fps": "..timefmt",
    "preset_from_options": "presets",
    "Merge": "segment",
    "CheckReport": "rules",
    "Violation": "rules",
    "check": "rules",
    "format_json": "rules",
    "format_text": "rules",
    "StyleReport": "fitting",
    "by_voice": "fitting",
    "conform": "fitting",
    "total_offset_ms": "fitting",
    "frames_to_timecode": "..timefmt",
    "timecode_to_frames": "..timefmt",
}

# No export shares a submodule's name (check lives in .rules, conform in .fitting): importing
# a submodule sets the package attribute of its name, which would hide a lazy export.
if TYPE_CHECKING:
    from ..timefmt import DEFAULT_FPS, FRAME_RATES, frames_to_timecode, parse_fps, timecode_to_frames
    from .fitting import StyleReport, by_voice, conform, total_offset_ms
    from .presets import PRESETS, LanguageLimits, Preset, get_preset, preset_from_options
    from .rules import CheckReport, Violation, check, format_json, format_text
    from .segment import Merge


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)


__all__ = [
    "DEFAULT_FPS",
    "FRAME_RATES",
    "PRESETS",
    "CheckReport",
    "LanguageLimits",
    "Merge",
    "Preset",
    "StyleReport",
    "Violation",
    "by_voice",
    "check",
    "conform",
    "format_json",
    "format_text",
    "frames_to_timecode",
    "get_preset",
    "parse_fps",
    "preset_from_options",
    "timecode_to_frames",
    "total_offset_ms",
]
