"""Media facts dubsubs needs: how long a downloaded file plays, read in pure Python."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("dubsubs.media")


def probe_duration_ms(path: Path | str) -> int | None:
    """Playing time of an MP4/MOV/M4A/MP3/FLAC/WAV/OGG file in whole milliseconds, or
    ``None`` when the file is not media mutagen can read or has no usable length."""
    import mutagen

    try:
        media = mutagen.File(str(path))
    except Exception as exc:  # mutagen raises many types for files it cannot read
        log.debug("cannot probe %s: %s", Path(path).name, type(exc).__name__)
        return None
    info = getattr(media, "info", None) if media is not None else None
    length = getattr(info, "length", None)
    if not isinstance(length, int | float) or length != length or length <= 0:
        return None
    return round(float(length) * 1000)
