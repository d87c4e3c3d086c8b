"""Exporters by name. Adding a format means adding a module and one line here; the CLI
reads this registry and never names a format itself."""

from __future__ import annotations

from typing import Any

from ..errors import UnknownFormatError
from ..model import Transcript
from . import json_, srt, ttml, vtt
from .base import Exporter

EXPORTERS: dict[str, Exporter[Any]] = {}


def _register(*exporters: Exporter[Any]) -> None:
    for exporter in exporters:
        EXPORTERS[exporter.name] = exporter


def get_exporter(name: str) -> Exporter[Any]:
    try:
        return EXPORTERS[name.lower()]
    except KeyError:
        raise UnknownFormatError(
            f"unknown format {name!r}; choose from {', '.join(EXPORTERS)}"
        ) from None


def export(transcript: Transcript, fmt: str, options: Any = None, **values: Any) -> str:
    """Render ``transcript`` as ``fmt`` (``"srt"``, ``"vtt"``, ``"ttml"``, ``"json"``).

    Options come as the exporter's dataclass or as keywords; a misspelt keyword raises
    :class:`~dubsubs.errors.OptionError` instead of being ignored.
    """
    return get_exporter(fmt).render(transcript, options, **values)


_register(srt.EXPORTER, vtt.EXPORTER, ttml.EXPORTER, json_.EXPORTER)

__all__ = ["EXPORTERS", "Exporter", "export", "get_exporter"]
