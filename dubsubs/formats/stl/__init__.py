"""EBU STL (``.stl``, EBU Tech 3264): teletext subtitle files for European broadcast playout.

Binary, so its writer is a ``dumps_bytes`` (see :class:`~dubsubs.formats.base.Format`);
:func:`encode` gives the bytes with the writer's warnings (characters replaced, speakers
sharing a colour...). Not written unless asked for (``-f stl``).
"""

from __future__ import annotations

from ...model import Transcript
from ..base import Format
from . import reader, writer
from .writer import Encoded, StlOptions, encode


def _encode(transcript: Transcript, options: StlOptions) -> tuple[bytes, tuple[str, ...]]:
    result = writer.encode(transcript, options)
    return result.data, tuple(result.warnings)


FORMAT: Format[StlOptions] = Format(
    name="stl",
    suffixes=(".stl",),
    description="EBU STL (Tech 3264): teletext subtitles, ISO 6937 text, a colour per speaker",
    options_type=StlOptions,
    read=reader.read,
    sniff=reader.sniff,
    default=False,
    dumps_bytes=writer.dumps,
    encode=_encode,
)

__all__ = ["FORMAT", "Encoded", "StlOptions", "encode"]
