"""TTML: the writer (EBU-TT-D, within IMSC 1 Text) and the reader (TTML2's timing model)."""

from __future__ import annotations

from ..base import Format
from . import reader, writer
from .writer import TtmlOptions

#: What a DAPT document names in its root start tag (the DAPT content profile or metadata
#: namespace): such a document is the ``dapt`` format's, whose events hold several languages.
_DAPT_MARKS = (b"http://www.w3.org/ns/ttml/profile/dapt1.0/content", b"http://www.w3.org/ns/ttml/profile/dapt#metadata")


def sniff(head: bytes) -> bool:
    return head.startswith(b"<") and not any(mark in head for mark in _DAPT_MARKS)


FORMAT: Format[TtmlOptions] = Format(
    name="ttml",
    suffixes=(".ttml", ".xml", ".dfxp"),
    description="TTML: EBU-TT-D / IMSC 1 text profile, speakers as ttm:agent",
    options_type=TtmlOptions,
    dumps=writer.dumps,
    read=reader.read,
    sniff=sniff,
    default=True,
)

__all__ = ["FORMAT", "TtmlOptions"]
