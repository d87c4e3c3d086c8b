"""``dubsubs review``: (re)build the review page of run folders."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DubsubsError, OptionError
from ..formats import ReadOptions
from ..review import REVIEW_NAME, update_manifest_entry, write_review
from ..style import PRESETS, Preset, preset_from_options
from ._common import encoding_option, error_line


def _preset(name: str | None, fps: str | None) -> Preset | None:
    """The preset asked for; ``None`` (each set's own, from the manifest) when neither
    option is given. ``--fps`` alone is not enough to say which preset."""
    if name is None and fps is None:
        return None
    if name is None:
        raise click.UsageError("--fps needs --preset: say which preset to check against")
    try:
        return preset_from_options(name, fps)
    except OptionError as error:
        raise click.UsageError(str(error)) from None


@click.command(short_help="Build review.html: the subtitles over the media, cue list and QC.")
@click.argument("directories", nargs=-1, required=True, type=click.Path(), metavar="DIR...")
@click.option("--preset", type=click.Choice(list(PRESETS), case_sensitive=False), default=None,
              help="Check the cues against this delivery spec "
              "[default: the preset that wrote the files, from manifest.json; else none].")
@click.option("--fps", metavar="RATE", help="Frame rate for the gap rule (with --preset; default 25).")
@encoding_option
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def review(directories: tuple[str, ...], preset: str | None, fps: str | None,
           read_options: ReadOptions, quiet: bool) -> None:
    """Write DIR/review.html for each DIR: a folder holding subtitles and the media named
    like them, as `dubsubs fetch` leaves it (or `convert` with the media copied beside).
    The page is one file that needs no server and no network: open it by double-click or
    `xdg-open out/1001/review.html`. It plays the video (or the audio) with each language's
    subtitles and speaker names, lists the cues beside it (click one to go there; Space
    plays, arrow keys step cue by cue), marks the findings of `check` for --preset on their
    cues, and shows the timing decision and repairs, the files and the warnings from
    manifest.json where there is one.

    A folder that cannot be reviewed (no subtitles, an unreadable manifest) gets one error
    line; the others are still built, and the exit status is 1.
    """
    chosen = _preset(preset, fps)
    failed = 0
    for directory in directories:
        try:
            path, data = write_review(Path(directory), preset=chosen, read_options=read_options)
            update_manifest_entry(Path(directory), path)
        except DubsubsError as error:
            error_line(str(error))
            failed += 1
            continue
        if not quiet:
            sets = "; ".join(f"{t.label}: {len(t.cues)} cues, {t.check.errors} errors, "
                             f"{t.check.warnings} warnings ({t.check.preset})" for t in data.tracks)
            click.echo(f"{Path(directory) / REVIEW_NAME}: {sets}")
    if failed:
        raise SystemExit(1)
