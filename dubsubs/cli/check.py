"""``dubsubs check``: report every way subtitle files break a delivery spec."""

from __future__ import annotations

import click

from ..formats import ReadOptions
from ..pipeline import check_file
from ..style import CheckReport, Preset, format_json, format_text
from ._common import encoding_option, error_line, units_option
from ._style_options import make_style_options

#: Exit statuses, also listed in the command's help.
EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_UNREADABLE = 2


@click.command(short_help="Check subtitle files against a delivery spec (Netflix, BBC...).")
# Not dir_okay=False: a directory is reported like any unreadable file, the others checked.
@click.argument("files", nargs=-1, required=True, type=click.Path())
@make_style_options(default_preset="netflix", shifts=False)
@click.option(
    "--language",
    metavar="TAG",
    help="Language for per-language limits (e.g. ja). Default: the file's own (TTML xml:lang, "
    "JSON language), else a tag in the file name (1001.en-US.srt), else the limits for other "
    "languages. The report says which language was used and why.",
)
@units_option
@encoding_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per violation and a summary per file; json: one document for CI.",
)
@click.option("-q", "--quiet", is_flag=True, help="Text format: summary lines only.")
def check_command(
    files: tuple[str, ...],
    preset: Preset,
    language: str | None,
    units: str,
    read_options: ReadOptions,
    output_format: str,
    quiet: bool,
) -> None:
    """Check each FILE (SRT, WebVTT, TTML, a dubsubs JSON export or a Camb.ai dub result)
    against --preset (default netflix) and the limits given as options, and report every
    violation: cue number, time, rule, measured value and limit. Rules: chars-per-line,
    lines, reading-speed, min-duration, max-duration, min-gap, short-gap (bbc: a gap is 0
    or at least 0.8 s) and the small-gap warning, overlap, empty, inverted, order. Each
    file's report names the language and the limits used.

    Exit status: 0 when no file has an error (warnings allowed), 1 when any has an error,
    2 when a file cannot be read or an option is wrong (no file is then trusted as clean).
    """
    reports: list[CheckReport] = []
    unreadable: list[str] = []
    for path in files:
        for outcome in check_file(path, preset, units=units, language=language,  # type: ignore[arg-type]
                                  read_options=read_options):
            if isinstance(outcome, CheckReport):
                reports.append(outcome)
            else:
                error_line(str(outcome))
                unreadable.append(str(outcome))
    if output_format == "json":
        click.echo(format_json(reports, unreadable), nl=False)
    else:
        click.echo(format_text(reports, verbose=not quiet), nl=False)
    if unreadable:
        raise SystemExit(EXIT_UNREADABLE)
    if any(not report.ok for report in reports):
        raise SystemExit(EXIT_VIOLATIONS)


check_command.name = "check"
