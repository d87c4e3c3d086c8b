"""``dubsubs check``: report every way subtitle files break a delivery spec."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import click

from ..errors import DubsubsError
from ..formats import read_parts
from ..model import RawTranscript
from ..normalize import normalize
from ..style import CheckReport, Preset, check, format_json, format_text
from ._common import error_line, units_option
from ._style_options import make_style_options

#: Exit statuses, also listed in the command's help.
EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True, slots=True)
class _Timed:
    """A cue exactly as the file has it, in ms: possibly empty, inverted, out of order."""

    start_ms: int
    end_ms: int
    text: str


def file_cues(raw: RawTranscript, units: str = "auto") -> list[_Timed]:
    """The cues of one transcript in file order, unrepaired, in whole ms.

    Formats with real timestamps (SRT, WebVTT, TTML, our JSON) carry their unit; for a
    Camb.ai result the normaliser decides seconds or ms (its repairs are not applied: the
    check reports what the file holds).
    """
    unit = raw.units
    if unit is None:
        transcript, _ = normalize(raw, units)  # type: ignore[arg-type]
        unit = transcript.units.unit if transcript.units else "s"
    factor = 1000 if unit == "s" else 1
    return [_Timed(round(item.start * factor), round(item.end * factor), item.text) for item in raw.items]


def check_file(
    path: str, preset: Preset, *, units: str = "auto", language: str | None = None
) -> Iterator[CheckReport | DubsubsError]:
    """One report per transcript in ``path`` (a bulk file holds several); an unreadable
    part comes back as its error."""
    for part in read_parts(path):
        if not isinstance(part, RawTranscript):
            yield part
            continue
        try:
            cues = file_cues(part, units)
        except DubsubsError as error:
            yield error
            continue
        yield check(cues, preset, language=language or part.language, source=part.describe())


@click.command(short_help="Check subtitle files against a delivery spec (Netflix, BBC...).")
# Not dir_okay=False: a directory is reported like any unreadable file, the others checked.
@click.argument("files", nargs=-1, required=True, type=click.Path())
@make_style_options(default_preset="netflix", shifts=False)
@click.option(
    "--language",
    metavar="TAG",
    help="Language for per-language limits (e.g. ja); default: the file's own, if it says.",
)
@units_option
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
    output_format: str,
    quiet: bool,
) -> None:
    """Check each FILE (SRT, WebVTT, TTML, a dubsubs JSON export or a Camb.ai dub result)
    against --preset (default netflix) and the limits given as options, and report every
    violation: cue number, time, rule, measured value and limit. Rules: chars-per-line,
    lines, reading-speed, min-duration, max-duration, min-gap (and the small-gap warning),
    overlap, empty, inverted, order.

    Exit status: 0 when no file has an error (warnings allowed), 1 when any has an error,
    2 when a file cannot be read or an option is wrong (no file is then trusted as clean).
    """
    reports: list[CheckReport] = []
    unreadable: list[str] = []
    for path in files:
        for outcome in check_file(path, preset, units=units, language=language):
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
