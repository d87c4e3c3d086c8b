"""``dubsubs fetch``: run ids in, per run a folder of media, subtitles and a manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..style import Preset
from ..wording import printable
from ._api import api_options, open_client
from ._common import (
    error_line,
    errors_exit,
    formats_option,
    units_option,
    writer_settings,
    writer_settings_options,
)
from ._progress import ByteProgress, stream_width
from ._style_options import style_options

if TYPE_CHECKING:
    from ..camb.fetch import FetchEvent, RunOutcome


def _report(outcome: RunOutcome, quiet: bool) -> None:
    if outcome.ok and quiet:
        return
    if outcome.ok:
        names = ", ".join(f.name for f in outcome.files)
        media = ""
        if outcome.downloaded or outcome.skipped:
            media = f" ({outcome.downloaded} downloaded, {outcome.skipped} already complete)"
        click.echo(printable(f"run {outcome.run_id} -> {outcome.directory}: {names}{media}"))
        for line in outcome.summaries:
            click.echo(f"  {printable(line)}")
        for warning in outcome.warnings:
            click.echo(f"  warning: {printable(warning)}")
        return
    for message in outcome.errors:
        error_line(message)


@click.command(short_help="Fetch dub results by run id: media, subtitles and a manifest per run.")
@click.argument("run_ids", nargs=-1, metavar="RUN_ID...")
@click.option("--ids-file", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="Read more run ids from FILE, one per line; '#' starts a comment.")
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory that receives one folder per run (created if missing).")
@formats_option
@units_option
@click.option("--no-media", is_flag=True, help="Skip the video and audio downloads.")
@click.option("--no-review", is_flag=True,
              help="Do not write review.html, the page that plays the subtitles over the media.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Runs, and media files, fetched at the same time.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print errors only; no progress line (drawn only when stderr is a terminal).")
@api_options
@style_options
@writer_settings_options(per_input=False)
def fetch(run_ids: tuple[str, ...], ids_file: str | None, output_dir: str, formats: list[str],
          units: str, no_media: bool, no_review: bool, jobs: int, quiet: bool, api_key: str | None,
          base_url: str | None, sandbox: bool, deadline: float, preset: Preset) -> None:
    """Fetch each RUN_ID's dub result from the Camb.ai API into OUTPUT_DIR/<run_id>/: the
    dubbed video and the subtitles under one name so players load them together
    (`1001.mp4`, `1001.srt`, `1001.vtt`, `1001.ttml`, `1001.json`), the audio as
    `1001.audio.<ext>`, and `manifest.json` (every file with size and sha256, the timing
    decision and repairs, warnings, source URLs without their signatures), and
    `review.html`, a page to open in a browser that plays the subtitles over the video with
    the cue list and the check of --preset (`dubsubs review` rebuilds it). A run dubbed
    into several languages gets one set per language (`1002.es-ES.srt`).

    Many ids go to the bulk endpoint 2 to 5 at a time. Media is streamed, resumed after a
    dropped connection, and not fetched again when the manifest shows it complete. Each run
    succeeds or fails on its own: the exit status is 0 only if all did.

    Try it without a key: `dubsubs fetch 1001 1002 --sandbox -o out/`.
    """
    from ..camb.client import unique_run_ids
    from ..camb.fetch import FetchOptions, fetch_runs, read_ids_file  # requests: slow to import
    from ..pipeline import settings_options

    with errors_exit():
        given = list(run_ids) + (read_ids_file(ids_file) if ids_file else [])
        if not given:
            raise click.UsageError("give at least one RUN_ID or --ids-file")
        ids = unique_run_ids(given)  # as the client will see them: 01001 is 1001
        options = FetchOptions(
            formats=tuple(formats), units=units, media=not no_media, jobs=jobs,  # type: ignore[arg-type]
            preset=preset, review=not no_review,
            writer_options=settings_options(formats, writer_settings(), preset),
        )
        terminal = not quiet and sys.stderr.isatty()

        def plain(event: FetchEvent) -> None:
            # Not a terminal: one block of lines per run as soon as it is done.
            if event.kind == "run-done" and event.outcome is not None:
                _report(event.outcome, quiet)

        with open_client(api_key, base_url, sandbox, deadline) as client:
            if terminal:
                # A line of bytes, rates and time left (per file and in all), redrawn at
                # most 10 times a second and cleared before the runs are reported.
                progress = ByteProgress(len(ids), sys.stderr, stream_width(sys.stderr))
                try:
                    outcomes = fetch_runs(client, ids, Path(output_dir), options, progress)
                finally:
                    progress.close()
            else:
                outcomes = fetch_runs(client, ids, Path(output_dir), options, plain)
    if terminal:
        for outcome in outcomes:
            _report(outcome, quiet)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        error_line(f"{len(failed)} of {len(outcomes)} runs failed: "
                   + ", ".join(str(o.run_id) for o in failed))
        raise SystemExit(1)
