"""``dubsubs convert``: transcripts on disk to subtitles on disk, no network."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DubsubsError, InputError
from ..formats import ReadOptions, strip_suffix
from ..pipeline import Converted, convert_file, settings_options
from ..style import Preset
from ._common import (
    encoding_option,
    error_line,
    formats_option,
    units_option,
    writer_settings,
    writer_settings_options,
)
from ._style_options import style_options


def _stem(path: str) -> str:
    return strip_suffix(Path(path).name)


#: Writer notes printed per transcript without -v (SCC can report one per character).
MAX_NOTES = 10


@click.command(short_help="Convert dub results or subtitle files to SRT, WebVTT, TTML and JSON.")
# Not dir_okay=False: click would reject the whole command, and a bad input must only
# cost its own line (the reader reports a directory as unreadable).
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output-dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the outputs (created if missing).")
@formats_option
@units_option
@encoding_option
@click.option("--media", "media", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="The dubbed video or audio: its duration is evidence for the timing unit.")
@click.option("-v", "--verbose", is_flag=True, help="Print the full timing report for each input.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@style_options
@writer_settings_options(per_input=True)
def convert(inputs: tuple[str, ...], output_dir: str, formats: list[str], units: str,
            read_options: ReadOptions, media: str | None, verbose: bool, quiet: bool,
            preset: Preset) -> None:
    """Convert each INPUT (a Camb.ai dub result, bulk or per-language result, a list of
    dialogue items, or an SRT, WebVTT, TTML or dubsubs JSON file) into subtitle files under
    OUTPUT_DIR, named after the input: `episode3.json` gives `episode3.srt`, `.vtt`, `.ttml`
    and `.json`; a bulk or multi-language file gives one set per run or language, e.g.
    `41707.es-ES.srt`.

    The timing unit of JSON input is decided from evidence unless --units says it; a line per
    transcript says what was decided and repaired (-v for the evidence). With --preset
    (netflix, bbc, ...) long items are split and timed to that delivery spec; the JSON output
    keeps the original dialogue. A bad input gets one error line; the others are still
    converted, and the exit status is 1.

    `-f dapt` writes a W3C DAPT dubbing script (`episode3.dapt.ttml`); with --source
    original.srt each script event holds the original line beside the dub's.
    """
    media_ms: int | None = None
    if media is not None:
        from ..media import probe_duration_ms  # mutagen, only when --media is given

        media_ms = probe_duration_ms(media)
        if media_ms is None:
            error_line(str(InputError("cannot read a duration from this file", source=media)))
            raise SystemExit(1)
    try:
        options = settings_options(formats, writer_settings(), preset, read_options)
    except DubsubsError as error:
        error_line(str(error))
        raise SystemExit(1) from None
    failed = 0
    taken: dict[str, str] = {}
    for path in inputs:
        stem = _stem(path)
        for done in convert_file(path, output_dir, stem, formats, units,  # type: ignore[arg-type]
                                 media_duration_ms=media_ms, options=options, preset=preset,
                                 read_options=read_options, taken=taken):
            if not isinstance(done, Converted):
                error_line(str(done))
                failed += 1
                continue
            if not quiet:
                exts = ",".join(p.name[len(done.stem) + 1:] for p in done.paths)
                click.echo(f"{done.label} -> {Path(output_dir) / done.stem}.{{{exts}}}: {done.summary()}")
                shown = done.notes if verbose else done.notes[:MAX_NOTES]
                for note in shown:  # what a writer had to change (SCC, STL): never silent
                    click.echo(f"  {note}")
                if len(done.notes) > len(shown):
                    click.echo(f"  ... and {len(done.notes) - len(shown)} more (-v shows all)")
                if verbose:
                    for line in done.report.lines()[1:]:
                        click.echo(line)
                    if done.style is not None:
                        for change in done.style.timing_changes:
                            click.echo(f"  cue {change.cue}: {change.what}: "
                                       f"{change.before} -> {change.after} ms")
    if failed:
        raise SystemExit(1)
