"""``dubsubs tts``: a text-to-speech run's audio to a file."""

from __future__ import annotations

from pathlib import Path

import click

from ._api import api_options, open_client
from ._common import errors_exit


@click.command("tts", short_help="Save a text-to-speech run's FLAC audio to a file.")
@click.argument("run_id", type=click.IntRange(min=1))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The FLAC file to write (replaced atomically).")
@click.option("--url", "via_url", is_flag=True,
              help="Ask for a download URL (output_type=file_url) and fetch from it.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@api_options
def tts(run_id: int, output: str, via_url: bool, quiet: bool, api_key: str | None,
        base_url: str | None, sandbox: bool, deadline: float) -> None:
    """Stream TTS run RUN_ID's audio (FLAC) from `/tts-result` into OUTPUT, checking its
    length; with --url, fetch it from the presigned URL the API hands out instead."""
    from ..camb.tts import fetch_tts

    with errors_exit(), open_client(api_key, base_url, sandbox, deadline) as client:
        got = fetch_tts(client, run_id, Path(output), via_url=via_url)
    if not quiet:
        click.echo(f"{got.path} ({got.size} bytes, sha256 {got.sha256})")
