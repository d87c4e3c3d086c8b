"""TTML: the writer (EBU-TT-D, within IMSC 1 Text) and the reader (TTML2's timing model)."""

from __future__ import annotations

from ..base import Format
from . import reader, writer
from .writer import TtmlOptions


def sniff(head: bytes) -> bool:
    return head.startswith(b"<")


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
