"""TTML: the writer (EBU-TT-D, within IMSC 1 Text) and the reader (TTML2's timing model)."""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import InputError
from ...model import RawTranscript
from ..base import Format, ReadOptions
from . import writer
from .writer import TtmlOptions

#: What a DAPT document names in its root start tag (the DAPT content profile or metadata
#: namespace): such a document is the ``dapt`` format's, whose events hold several languages.
_DAPT_MARKS = (b"http://www.w3.org/ns/ttml/profile/dapt1.0/content", b"http://www.w3.org/ns/ttml/profile/dapt#metadata")


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    """See :mod:`.reader`; loaded on the first TTML read (writing does not need the
    timing engine, and presets import the writer's options)."""
    from .reader import read as read_ttml

    return read_ttml(data, source, options)


def sniff(head: bytes) -> bool:
    return head.startswith(b"<") and not any(mark in head for mark in _DAPT_MARKS)


FORMAT: Format[TtmlOptions] = Format(
    name="ttml",
    suffixes=(".ttml", ".xml", ".dfxp"),
    description="TTML: EBU-TT-D / IMSC 1 text profile, speakers as ttm:agent",
    options_type=TtmlOptions,
    dumps=writer.dumps,
    dumps_chunks=writer.dumps_chunks,
    read=read,
    sniff=sniff,
    default=True,
)

__all__ = ["FORMAT", "TtmlOptions"]
