"""Text-to-speech results: FLAC bytes streamed to a file, never parsed as JSON."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ..errors import OutputError
from .client import CambClient
from .download import Downloaded, Progress, download, save_stream


def fetch_tts(
    client: CambClient, run_id: int, path: Path, *, via_url: bool = False,
    progress: Progress | None = None,
) -> Downloaded:
    """Write TTS run ``run_id``'s audio to ``path`` (atomically). ``via_url`` asks the API
    for a presigned URL (``output_type=file_url``) and downloads from it instead, resuming
    after a dropped connection like any media download."""
    what = f"tts run {run_id}"
    if via_url:
        url = client.tts_result_url(run_id)
        # download() names its file by Content-Type; a hidden sibling, then the rename.
        got = download(client, url, path.parent, f".{path.name}.tts", progress=progress, what=what)
        try:
            os.replace(got.path, path)
        except OSError as exc:
            raise OutputError.cannot_write(path, exc) from exc
        return dataclasses.replace(got, path=path)
    response = client.tts_result_stream(run_id)
    return save_stream(response, path, progress=progress, what=what)
