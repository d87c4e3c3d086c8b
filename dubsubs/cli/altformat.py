"""``dubsubs alt-format``: a run's dub in another media format."""

from __future__ import annotations

from pathlib import Path

import click

from ..camb.api import ALT_FORMATS
from ._api import api_options, open_client
from ._common import errors_exit


@click.command("alt-format", short_help="Download a run's dub in another format (wav, mp4...).")
@click.argument("run_id", type=click.IntRange(min=1))
@click.option("-l", "--language", required=True, metavar="ID|TAG",
              help="Dub language: Camb id (54) or BCP-47 tag (es-ES).")
@click.option("-F", "--format", "output_format", required=True,
              type=click.Choice(ALT_FORMATS, case_sensitive=False), help="Output format.")
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the file, named <run_id>.<tag>.<ext>.")
@click.option("--timeout", type=click.FloatRange(min=0), default=600, show_default=True,
              help="Seconds to wait for the conversion task.")
@click.option("--poll-interval", type=click.FloatRange(min=0.5), default=1.0, show_default=True,
              help="First wait between status polls (at least 0.5 s); it grows 1.5x per "
                   "poll, up to 15 s.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@api_options
def alt_format(run_id: int, language: str, output_format: str, output_dir: str, timeout: float,
               poll_interval: float, quiet: bool, api_key: str | None, base_url: str | None,
               sandbox: bool, deadline: float) -> None:
    """Ask the API for RUN_ID's dub in LANGUAGE as FORMAT, wait for the conversion task
    (polling with backoff until it ends or --timeout passes), and download the file into
    OUTPUT_DIR as `<run_id>.<tag>.<ext>`, beside the subtitles `fetch` writes."""
    from ..camb.altformat import PollPolicy, fetch_alt_format

    def show(status: str) -> None:
        if not quiet:
            click.echo(f"run {run_id}: task {status}", err=True)

    with errors_exit(), open_client(api_key, base_url, sandbox, deadline) as client:
        got = fetch_alt_format(client, run_id, language, output_format, Path(output_dir),
                               PollPolicy(timeout=timeout, initial=poll_interval,
                                          maximum=max(15.0, poll_interval)), show)
    if not quiet:
        click.echo(f"{got.path} ({got.size} bytes, sha256 {got.sha256})")
