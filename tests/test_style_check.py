from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.model import Cue
from dubsubs.style import check, format_json, format_text, get_preset
from dubsubs.style.rules import RULES

NETFLIX = get_preset("netflix")  # 42 chars, 2 lines, 17 cps (20 for en), 834-7000 ms, 2 frames


@dataclass(frozen=True)
class Raw:
    """A cue as read from a file, before any repair: may be inverted or empty."""

    start_ms: int
    end_ms: int
    text: str


def rules(cues: list[Raw] | list[Cue], language: str | None = "en") -> list[tuple[int, str]]:
    return [(v.cue, v.rule) for v in check(cues, NETFLIX, language=language).violations]


def test_clean_file_has_no_violations() -> None:
    cues = [Raw(0, 2000, "Hello there."), Raw(2080, 4000, "-How are you?\n-Fine.")]
    report = check(cues, NETFLIX, language="en")
    assert report.ok and report.violations == ()
    assert report.summary() == "<transcript>: ok: 2 cues, 0 errors, 0 warnings (netflix, en)"


@pytest.mark.parametrize(
    ("cues", "expected"),
    [
        ([Raw(0, 2000, "x" * 43)], [(1, "chars-per-line"), (1, "reading-speed")]),
        ([Raw(0, 3000, "one\ntwo\nthree")], [(1, "lines")]),
        ([Raw(0, 1000, "This sentence is far too long to read.")], [(1, "reading-speed")]),
        ([Raw(0, 500, "Hi.")], [(1, "min-duration")]),
        ([Raw(0, 8000, "Hello.")], [(1, "max-duration")]),
        ([Raw(0, 2000, "  ")], [(1, "empty")]),
        ([Raw(3000, 2000, "Backwards.")], [(1, "inverted")]),
        (
            [Raw(5000, 6000, "Second."), Raw(1000, 2000, "First.")],
            [(2, "order")],
        ),
        (
            [Raw(0, 2000, "One."), Raw(1500, 3000, "Two.")],
            [(2, "overlap")],
        ),
        (
            [Raw(0, 2000, "One."), Raw(2040, 3000, "Two.")],  # one frame at 25 fps
            [(2, "min-gap")],
        ),
        (
            [Raw(0, 2000, "One."), Raw(2300, 3300, "Two.")],
            [(2, "small-gap")],
        ),
    ],
)
def test_each_rule(cues: list[Raw], expected: list[tuple[int, str]]) -> None:
    assert rules(cues) == expected


def test_violation_carries_measured_value_limit_and_time() -> None:
    (violation,) = check([Raw(61_500, 63_000, "x" * 45)], NETFLIX, language="en").violations[:1]
    assert violation.rule == "chars-per-line"
    assert (violation.measured, violation.limit) == (45, 42)
    assert violation.start_ms == 61_500
    assert violation.severity == "error"
    assert violation.describe() == ("cue 1 at 00:01:01.500: error chars-per-line: 45 chars > 42 chars")


def test_small_gap_is_only_a_warning() -> None:
    report = check([Raw(0, 2000, "One."), Raw(2300, 3300, "Two.")], NETFLIX, language="en")
    assert report.ok
    assert report.warnings == 1


def test_gap_at_different_frame_rates() -> None:
    cues = [Raw(0, 2000, "One."), Raw(2070, 3000, "Two.")]  # 70 ms
    at_25 = check(cues, NETFLIX, language="en", fps=get_preset("netflix", fps="25").fps)
    at_2997 = check(cues, NETFLIX, language="en", fps=get_preset("netflix", fps="29.97").fps)
    assert [v.rule for v in at_25.violations] == ["min-gap"]  # 2 frames = 80 ms
    assert [v.rule for v in at_2997.violations] == ["small-gap"]  # 2 frames = 66.7 ms: ok


def test_reading_speed_uses_language_limits() -> None:
    cues = [Raw(0, 1000, "x" * 19)]  # 19 cps
    assert rules(cues, "en") == []  # 20 cps for English
    assert rules(cues, "es") == [(1, "reading-speed")]  # 17 cps elsewhere


def test_japanese_line_limit() -> None:
    cues = [Raw(0, 5000, "明日の朝、駅の前で友達と会う")]  # 14 characters
    assert (1, "chars-per-line") in rules(cues, "ja")


def test_cues_from_the_model_are_accepted() -> None:
    assert rules([Cue(0, 2000, "Hello.")]) == []


def test_text_and_json_reports() -> None:
    bad = check([Raw(0, 500, "Hi.")], NETFLIX, language="en", source="a.srt")
    good = check([Raw(0, 2000, "Hi.")], NETFLIX, language="en", source="b.srt")
    text = format_text([bad, good])
    limits = "limits: netflix: 42 chars/line, 2 lines, 20.0 cps, duration 834-7000 ms, gap 2 frames, fps 25"
    assert text.splitlines() == [
        "a.srt: cue 1 at 00:00:00.000: error min-duration: 500 ms < 834 ms",
        f"a.srt: {limits}",
        "a.srt: FAIL: 1 cue, 1 error, 0 warnings (netflix, en)",
        f"b.srt: {limits}",
        "b.srt: ok: 1 cue, 0 errors, 0 warnings (netflix, en)",
    ]
    body = json.loads(format_json([bad, good]))
    assert body["ok"] is False and body["errors"] == 1
    assert body["files"][0]["violations"][0] == {
        "cue": 1,
        "start": 0.0,
        "time": "00:00:00.000",
        "rule": "min-duration",
        "measured": 500,
        "limit": 834,
        "unit": "ms",
        "severity": "error",
    }


RAW = st.builds(
    Raw,
    start_ms=st.integers(0, 100_000),
    end_ms=st.integers(0, 100_000),
    text=st.text(max_size=120),
)


@settings(max_examples=300)
@given(cues=st.lists(RAW, max_size=30), preset=st.sampled_from(["none", "netflix", "bbc"]))
def test_check_reports_any_input_without_failing(cues: list[Raw], preset: str) -> None:
    report = check(cues, get_preset(preset), language="en")
    assert report.cue_count == len(cues)
    for violation in report.violations:
        assert 1 <= violation.cue <= len(cues)
        assert violation.start_ms == cues[violation.cue - 1].start_ms
        assert violation.rule in RULES
    json.loads(format_json([report]))  # always serialisable (no inf/nan)
    # Structural rules hold for every preset, even none.
    inverted = {i + 1 for i, c in enumerate(cues) if c.end_ms < c.start_ms}
    assert inverted == {v.cue for v in report.violations if v.rule == "inverted"}
    empty = {i + 1 for i, c in enumerate(cues) if not c.text.strip()}
    assert empty == {v.cue for v in report.violations if v.rule == "empty"}
