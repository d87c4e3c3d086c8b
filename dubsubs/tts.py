"""Text-to-speech results: FLAC bytes streamed to a file, never parsed as JSON."""

from __future__ import annotations

from pathlib import Path

from .client import CambClient
from .download import Downloaded, Progress, save_stream


def fetch_tts(
    client: CambClient, run_id: int, path: Path, *, via_url: bool = False,
    progress: Progress | None = None,
) -> Downloaded:
    """Write TTS run ``run_id``'s audio to ``path`` (atomically). ``via_url`` asks the API
    for a presigned URL (``output_type=file_url``) and downloads from it instead."""
    what = f"tts run {run_id}"
    if via_url:
        response = client.open_media(client.tts_result_url(run_id), what=what)
    else:
        response = client.tts_result_stream(run_id)
    return save_stream(response, path, progress=progress, what=what)
