"""SCC (Scenarist Closed Captions, ``.scc``): CEA-608 caption bytes on a timecode grid.

:mod:`.writer` writes pop-on captions and reports what it had to change
(:func:`~.writer.plan`); :mod:`.reader` reads pop-on, roll-up and paint-on captions
written by others; :mod:`.cea608` holds the 608 tables both use.
"""

from __future__ import annotations

from ...model import Transcript
from ..base import Format
from .reader import read, sniff
from .writer import Note, Replacement, SccOptions, SccPlan, dumps, plan


def _encode(transcript: Transcript, options: SccOptions) -> tuple[str, tuple[str, ...]]:
    result = plan(transcript, options)
    return result.text, result.warnings


FORMAT: Format[SccOptions] = Format(
    name="scc",
    suffixes=(".scc",),
    description="Scenarist SCC: CEA-608 pop-on captions at 29.97 fps",
    options_type=SccOptions,
    dumps=dumps,
    read=read,
    sniff=sniff,
    default=False,
    encode=_encode,
)

__all__ = ["FORMAT", "Note", "Replacement", "SccOptions", "SccPlan", "dumps", "plan", "read", "sniff"]
