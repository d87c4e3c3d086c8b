"""Check cues against a preset: every violation, with cue number, time, rule, measured
value and limit. Pure: cues in, report out; reading files is the CLI's business.

Rules (ids are stable, for CI filters):

==================  ========  ==================================================
rule                severity  what
==================  ========  ==================================================
empty               error     a cue with no visible text
inverted            error     a cue that ends before it starts
order               error     a cue that starts before the cue listed before it
overlap             error     a cue that starts before the previous one ends
min-gap             error     less than the minimum gap (in frames) between cues
short-gap           error     a gap neither closed (0) nor at least ``min_open_gap_ms``
small-gap           warning   a gap above the minimum (and ``min_open_gap_ms``) but
                              under ``close_gap_ms``
lines               error     more lines than allowed
chars-per-line      error     a line longer than allowed (the longest is reported)
reading-speed       error     characters per second above the limit
min-duration        error     shorter than the minimum duration
max-duration        error     longer than the maximum duration
==================  ========  ==================================================

Times come in whole milliseconds while limits may fall between them (2 frames at 29.97
fps is 66.73 ms), so duration and gap comparisons allow 1 ms for rounding.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, Protocol

from ..timefmt import format_clock
from ..wording import plural
from .presets import Preset
from .timing import reading_chars

Severity = Literal["error", "warning"]
TOLERANCE_MS = 1

RULES: dict[str, Severity] = {
    "empty": "error",
    "inverted": "error",
    "order": "error",
    "overlap": "error",
    "min-gap": "error",
    "short-gap": "error",
    "small-gap": "warning",
    "lines": "error",
    "chars-per-line": "error",
    "reading-speed": "error",
    "min-duration": "error",
    "max-duration": "error",
}


class TimedText(Protocol):
    """Anything with whole-ms times and text: a :class:`~dubsubs.model.Cue`, or a raw
    item from a file (which may be inverted, empty or out of order)."""

    @property
    def start_ms(self) -> int: ...

    @property
    def end_ms(self) -> int: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Violation:
    cue: int  # 1-based position in the file
    start_ms: int
    rule: str
    measured: float
    limit: float
    severity: Severity
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "cue": self.cue,
            "start": round(self.start_ms / 1000, 3),
            "time": format_time(self.start_ms),
            "rule": self.rule,
            "measured": self.measured,
            "limit": self.limit,
            "unit": self.unit,
            "severity": self.severity,
        }

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        relation = "<" if self.rule in ("min-gap", "short-gap", "min-duration", "small-gap") else ">"
        if self.rule in ("empty", "inverted", "order", "overlap"):
            detail = {
                "empty": "no text",
                "inverted": f"ends {_num(self.measured)} ms before it starts",
                "order": f"starts {_num(self.measured)} ms before the previous cue",
                "overlap": f"overlaps the previous cue by {_num(self.measured)} ms",
            }[self.rule]
        else:
            detail = f"{_num(self.measured)}{unit} {relation} {_num(self.limit)}{unit}"
        return f"cue {self.cue} at {format_time(self.start_ms)}: {self.severity} {self.rule}: {detail}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    source: str | None
    preset: str
    language: str | None
    cue_count: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)
    language_source: str | None = None  # why this language: "--language", "the file name"...
    limits: str = ""  # the limits applied, as Preset.describe() puts them

    @property
    def errors(self) -> int:
        return sum(1 for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.violations if v.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def language_note(self) -> str:
        """Which language chose the limits, and why: ``en-US from the file name``."""
        if self.language:
            return f"{self.language} from {self.language_source}" if self.language_source else self.language
        if self.language_source:
            return f"no language ({self.language_source}): limits for other languages"
        return ""

    def summary(self) -> str:
        name = self.source or "<transcript>"
        note = self.language_note()
        lang = f", {note}" if note else ""
        verdict = "ok" if self.ok else "FAIL"
        return (
            f"{name}: {verdict}: {plural(self.cue_count, 'cue')}, {plural(self.errors, 'error')}, "
            f"{plural(self.warnings, 'warning')} ({self.preset}{lang})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "preset": self.preset,
            "language": self.language,
            "language_source": self.language_source,
            "limits": self.limits,
            "cues": self.cue_count,
            "errors": self.errors,
            "warnings": self.warnings,
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
        }


def _num(value: float) -> str:
    if isinstance(value, float) and value != round(value, 3):
        return repr(value)  # a gap measured in binary floating point, 799.9999999999998
    return f"{value:g}" if isinstance(value, float) else str(value)


def validator_seconds(ms: int) -> float:
    """A clock time as the BBC's ttml-validator reads ``HH:MM:SS.mmm``: whole minutes
    as an integer count of seconds plus ``SS.mmm`` as a binary float. Its gap rules
    subtract two such values, so a gap of exactly 0.8 s can come out as 0.7999... and
    fail; measuring the same way makes ``check`` agree with it gap for gap."""
    minutes, rest = divmod(ms, 60_000)
    return minutes * 60 + rest / 1000


def format_time(ms: int) -> str:
    """``HH:MM:SS.mmm``, with a ``-`` in front for a time before 0 (a file may hold one)."""
    return f"-{format_clock(-ms)}" if ms < 0 else format_clock(ms)


def check(
    cues: Sequence[TimedText],
    preset: Preset,
    *,
    language: str | None = None,
    fps: Fraction | None = None,
    source: str | None = None,
    language_source: str | None = None,
) -> CheckReport:
    """Every violation of ``preset`` (with its ``language`` variant) in ``cues``, in the
    order given (a file's order: out-of-order cues are themselves a violation).
    ``language_source`` says where ``language`` came from, for the report."""
    limits = preset.for_language(language)
    rate = fps or limits.fps
    found: list[Violation] = []

    def add(index: int, cue: TimedText, rule: str, measured: float, limit: float, unit: str = "") -> None:
        found.append(Violation(index + 1, cue.start_ms, rule, measured, limit, RULES[rule], unit))

    min_gap_ms = float(Fraction(limits.min_gap_frames * 1000) / rate) if limits.min_gap_frames else 0.0
    for index, cue in enumerate(cues):
        text = cue.text
        duration = cue.end_ms - cue.start_ms
        if not text.strip():
            add(index, cue, "empty", 0, 0)
        if duration < 0:
            add(index, cue, "inverted", -duration, 0, "ms")
        lines = text.replace("\r\n", "\n").split("\n")
        if limits.max_lines is not None and len(lines) > limits.max_lines:
            add(index, cue, "lines", len(lines), limits.max_lines)
        if limits.max_chars_per_line is not None:
            longest = max(len(line) for line in lines)
            if longest > limits.max_chars_per_line:
                add(index, cue, "chars-per-line", longest, limits.max_chars_per_line, "chars")
        if limits.max_cps is not None and duration > 0:
            chars = reading_chars(text)
            if chars * 1000 > limits.max_cps * (duration + TOLERANCE_MS):
                cps = round(chars * 1000 / duration, 2)
                add(index, cue, "reading-speed", cps, limits.max_cps, "cps")
        if limits.min_duration_ms is not None and 0 <= duration < limits.min_duration_ms - TOLERANCE_MS:
            add(index, cue, "min-duration", duration, limits.min_duration_ms, "ms")
        if limits.max_duration_ms is not None and duration > limits.max_duration_ms + TOLERANCE_MS:
            add(index, cue, "max-duration", duration, limits.max_duration_ms, "ms")
        if index and cue.start_ms < cues[index - 1].start_ms:
            add(index, cue, "order", cues[index - 1].start_ms - cue.start_ms, 0, "ms")
    # Gaps and overlaps between neighbours in time, whatever the file order.
    by_start = sorted(range(len(cues)), key=lambda i: (cues[i].start_ms, i))
    for previous, current in itertools.pairwise(by_start):
        before, cue = cues[previous], cues[current]
        gap = cue.start_ms - max(before.end_ms, before.start_ms)
        if gap < 0:
            add(current, cue, "overlap", -gap, 0, "ms")
        elif min_gap_ms and gap < min_gap_ms - TOLERANCE_MS:
            add(current, cue, "min-gap", gap, round(min_gap_ms, 2), "ms")
        elif limits.min_open_gap_ms:
            # The gap as the BBC's validator measures it (see validator_seconds).
            seconds = validator_seconds(cue.start_ms) - validator_seconds(max(before.end_ms, before.start_ms))
            # Reported in whole ms, unless only the float arithmetic puts it under the
            # limit: then as that float (799.9999999999998), so the line explains itself.
            if 0 < seconds < limits.min_open_gap_ms / 1000:
                shown = gap if gap < limits.min_open_gap_ms else seconds * 1000
                add(current, cue, "short-gap", shown, limits.min_open_gap_ms, "ms")
            elif 0 < seconds < limits.close_gap_ms / 1000:
                shown = gap if gap < limits.close_gap_ms else seconds * 1000
                add(current, cue, "small-gap", shown, limits.close_gap_ms, "ms")
        elif min_gap_ms + TOLERANCE_MS < gap < limits.close_gap_ms:
            add(current, cue, "small-gap", gap, limits.close_gap_ms, "ms")
    found.sort(key=lambda v: (v.cue, v.rule))
    return CheckReport(source, limits.name, language, len(cues), tuple(found), language_source,
                       limits.describe())


def format_text(reports: Iterable[CheckReport], *, verbose: bool = True) -> str:
    """Human-readable: each violation on its own line, then a summary line per file."""
    out: list[str] = []
    for report in reports:
        if verbose:
            prefix = f"{report.source}: " if report.source else ""
            out.extend(prefix + v.describe() for v in report.violations)
            if report.limits:
                out.append(f"{prefix}limits: {report.limits}")
        out.append(report.summary())
    return "\n".join(out) + ("\n" if out else "")


def format_json(reports: Iterable[CheckReport], unreadable: Sequence[str] = ()) -> str:
    """One JSON document: a report per file, totals, and the inputs that could not be
    read (their error messages); ``ok`` is false if any could not."""
    items = [r.to_dict() for r in reports]
    body = {
        "files": items,
        "unreadable": list(unreadable),
        "errors": sum(i["errors"] for i in items),
        "warnings": sum(i["warnings"] for i in items),
        "ok": all(i["ok"] for i in items) and not unreadable,
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
