from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.errors import OptionError
from dubsubs.model import Cue
from dubsubs.style.timing import TimingLimits, retime, shift
from dubsubs.timefmt import (
    FRAME_RATES,
    frames_to_ms,
    frames_to_timecode,
    ms_to_frames,
    parse_fps,
    snap_ms,
    timecode_to_frames,
    timecode_to_ms,
)

F23 = Fraction(24000, 1001)
F25 = Fraction(25)
F2997 = Fraction(30000, 1001)
F5994 = Fraction(60000, 1001)

TIMECODES = [
    # (fps, drop_frame, timecode, frame)
    (F23, False, "00:00:01:00", 24),
    (F23, False, "01:00:00:00", 86_400),
    (F23, False, "10:00:00:00", 864_000),
    (F25, False, "00:00:00:24", 24),
    (F25, False, "01:00:00:00", 90_000),
    (F25, False, "10:00:00:00", 900_000),
    (F2997, True, "00:00:59;29", 1_799),
    (F2997, True, "00:01:00;02", 1_800),  # ;00 and ;01 are skipped
    (F2997, True, "00:09:59;29", 17_981),
    (F2997, True, "00:10:00;00", 17_982),  # the tenth minute keeps its frames
    (F2997, True, "00:11:00;02", 17_982 + 1_800),
    (F2997, True, "01:00:00;00", 107_892),
    (F2997, True, "10:00:00;00", 1_078_920),
    (F2997, False, "01:00:00:00", 108_000),
    (F5994, True, "00:01:00;04", 3_600),
    (F5994, True, "01:00:00;00", 215_784),
]


@pytest.mark.parametrize(("fps", "drop", "timecode", "frame"), TIMECODES)
def test_timecode_table(fps: Fraction, drop: bool, timecode: str, frame: int) -> None:
    assert timecode_to_frames(timecode, fps) == frame
    assert frames_to_timecode(frame, fps, drop) == timecode


def test_timecode_in_ms_uses_the_real_frame_duration() -> None:
    # One hour of 23.976 non-drop timecode lasts 3.6 s longer than an hour of clock time.
    assert timecode_to_ms("01:00:00:00", F23) == 3_603_600
    assert timecode_to_ms("10:00:00:00", F25) == 36_000_000
    # Drop-frame keeps 29.97 timecode within a few ms of the clock.
    assert timecode_to_ms("10:00:00;00", F2997) == 35_999_964


@pytest.mark.parametrize(
    ("timecode", "fps", "message"),
    [
        ("00:01:00;00", F2997, "does not exist in drop-frame"),
        ("00:01:00;01", F2997, "does not exist in drop-frame"),
        ("00:00:00;00", F25, "needs 29.97 or 59.94"),
        ("00:00:00:25", F25, "out of range"),
        ("00:60:00:00", F25, "out of range"),
        ("ten o'clock", F25, "not HH:MM:SS:FF"),
    ],
)
def test_bad_timecodes(timecode: str, fps: Fraction, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        timecode_to_frames(timecode, fps)


@settings(max_examples=300)
@given(frame=st.integers(0, 100 * 3600 * 60), rate=st.sampled_from([F2997, F5994]))
def test_drop_frame_round_trip(frame: int, rate: Fraction) -> None:
    assert timecode_to_frames(frames_to_timecode(frame, rate, True), rate) == frame


@settings(max_examples=300)
@given(ms=st.integers(0, 10 * 24 * 3600 * 1000), rate=st.sampled_from(list(FRAME_RATES.values())))
def test_snapping_is_idempotent_and_close(ms: int, rate: Fraction) -> None:
    once = snap_ms(ms, rate)
    assert snap_ms(once, rate) == once
    assert abs(once - ms) <= float(500 / rate) + 0.5
    assert frames_to_ms(ms_to_frames(once, rate), rate) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23.976", F23),
        ("23.98", F23),
        ("24000/1001", F23),
        ("29.97", F2997),
        ("59.94", F5994),
        ("25", F25),
        ("50", Fraction(50)),
    ],
)
def test_parse_fps_gives_exact_fractions(text: str, expected: Fraction) -> None:
    assert parse_fps(text) == expected


@pytest.mark.parametrize("text", ["fast", "0", "-25", "1/0", "5000", "1e400", "1/1e400"])
def test_parse_fps_rejects(text: str) -> None:
    with pytest.raises(OptionError, match="--fps"):
        parse_fps(text)


LIMITS = TimingLimits(
    fps=F25,
    min_gap_frames=2,
    close_gap_ms=500,
    min_duration_ms=834,
    max_duration_ms=7000,
    max_cps=17.0,
)


def test_retime_extends_short_cue_into_free_time() -> None:
    cues = [Cue(1000, 1300, "Hi."), Cue(5000, 6000, "Hello there.")]
    out, changes = retime(cues, LIMITS)
    assert out[0].start_ms == 1000
    assert out[0].end_ms == 1840  # 834 ms -> 21 frames at 25 fps
    assert changes[0].what == "extended"


@pytest.mark.parametrize("fps", [F25, F23, F2997])
def test_retime_never_runs_past_the_model_limit(fps: Fraction) -> None:
    limit = 100 * 24 * 3600 * 1000  # the model's 100 days
    cues = [Cue(limit - 200, limit - 100, "Last words."), Cue(limit, limit, "x")]
    out, _ = retime(cues, TimingLimits(fps=fps, min_gap_frames=2, min_duration_ms=834, max_cps=17.0))
    assert all(cue.end_ms <= limit for cue in out)
    assert [cue.text for cue in out] == ["Last words.", "x"]


def test_retime_extension_stops_at_the_gap_before_the_next_cue() -> None:
    cues = [Cue(1000, 1200, "Hi."), Cue(1600, 3000, "Hello there.")]
    out, _ = retime(cues, LIMITS)
    assert out[0].end_ms == 1600 - 80  # two frames at 25 fps


def test_retime_closes_small_gaps_to_the_minimum() -> None:
    cues = [Cue(0, 2000, "One line of text."), Cue(2320, 4000, "Another line.")]
    out, changes = retime(cues, LIMITS)
    assert out[0].end_ms == 2320 - 80  # 2320 ms is frame 58
    assert [c.what for c in changes] == ["gap-closed"]


def test_retime_keeps_large_gaps() -> None:
    cues = [Cue(0, 2000, "One line of text."), Cue(3000, 4000, "Another line.")]
    out, _ = retime(cues, LIMITS)
    assert out[0].end_ms == 2000


def test_retime_trims_ends_to_keep_the_gap() -> None:
    cues = [Cue(0, 2000, "One line of text."), Cue(1980, 4000, "Another line.")]
    out, changes = retime(cues, LIMITS)
    assert out[0].end_ms == 1920
    assert out[1].start_ms == 2000  # 1980 snapped *up*: never before the speech
    assert changes[0].what == "trimmed"


def test_retime_never_starts_before_speech_at_ntsc_rates() -> None:
    cues = [Cue(1001, 2000, "a"), Cue(2500, 3000, "b")]
    out, _ = retime(cues, TimingLimits(fps=F2997))
    for before, after in zip(cues, out, strict=True):
        assert after.start_ms >= before.start_ms


@settings(max_examples=150)
@given(
    starts=st.lists(st.integers(0, 600_000), min_size=1, max_size=30),
    rate=st.sampled_from(list(FRAME_RATES.values())),
)
def test_retime_properties(starts: list[int], rate: Fraction) -> None:
    starts = sorted(starts)
    cues = [Cue(s, s + 1500, "Some words here.") for s in starts]
    limits = TimingLimits(
        fps=rate,
        min_gap_frames=2,
        close_gap_ms=500,
        min_duration_ms=834,
        max_duration_ms=7000,
        max_cps=17.0,
    )
    out, _ = retime(cues, limits)
    assert [c.text for c in out] == [c.text for c in cues]
    for before, after in zip(cues, out, strict=True):
        assert after.start_ms >= before.start_ms  # never before the speech
        assert after.start_ms - before.start_ms <= 1000 / float(rate) + 1  # within a frame
        assert snap_ms(after.start_ms, rate) == after.start_ms
        assert snap_ms(after.end_ms, rate) == after.end_ms
        assert after.end_ms - after.start_ms <= 7001
    again, _ = retime(out, limits)
    assert again == out  # the timing pass is idempotent


def test_shift_moves_everything_and_refuses_negative_times() -> None:
    cues = [Cue(1000, 2000, "a")]
    assert shift(cues, 500) == [Cue(1500, 2500, "a")]
    with pytest.raises(OptionError, match="before 0"):
        shift(cues, -1500)


DELAYING = replace(LIMITS, max_start_delay_ms=500)


def test_retime_delays_the_next_start_so_a_short_cue_can_be_read() -> None:
    cues = [Cue(1000, 1500, "Yes."), Cue(1500, 5000, "Then we leave at dawn.")]
    out, changes = retime(cues, DELAYING)
    assert (out[0].start_ms, out[0].end_ms) == (1000, 1840)  # 21 frames: 834 ms
    assert out[1].start_ms == 1920 and out[1].end_ms == 5000  # two frames later
    assert [(c.cue, c.what) for c in changes] == [(1, "extended"), (2, "delayed")]
    assert changes[1].before == (1520, 5000) and changes[1].after == (1920, 5000)


@pytest.mark.parametrize(
    ("cues", "why"),
    [
        (
            [Cue(1000, 1200, "Yes."), Cue(1200, 5000, "Then we leave at dawn.")],
            "it would need 0.72 s, over the 0.5 s limit",
        ),
        (
            [Cue(1000, 1500, "Yes."), Cue(1500, 2600, "Then.")],
            "the next cue would start later than its speech end less the minimum duration",
        ),
        (
            [Cue(1000, 1500, "Yes."), Cue(1500, 3000, "Then we leave at dawn, all of us."), Cue(3000, 5000, "Go.")],
            "the next cue has no time to spare before the one after it",
        ),
    ],
)
def test_retime_does_not_delay(cues: list[Cue], why: str) -> None:
    out, changes = retime(cues, DELAYING)
    assert out[1].start_ms == snap_up(cues[1].start_ms), why
    assert "delayed" not in [c.what for c in changes]


def snap_up(ms: int) -> int:
    return frames_to_ms(-(-ms * 25 // 1000), F25)


def test_retime_without_a_delay_limit_never_moves_a_start() -> None:
    cues = [Cue(1000, 1500, "Yes."), Cue(1500, 5000, "Then we leave at dawn.")]
    out, _ = retime(cues, LIMITS)
    assert out[1].start_ms == 1520


@settings(max_examples=150)
@given(
    spans=st.lists(st.tuples(st.integers(0, 1500), st.integers(100, 4000)), min_size=1, max_size=30),
    texts=st.lists(st.sampled_from(["Yes.", "No way.", "Some words here.", "A longer line of words, here."])),
    rate=st.sampled_from(list(FRAME_RATES.values())),
)
def test_retime_delay_properties(spans: list[tuple[int, int]], texts: list[str], rate: Fraction) -> None:
    cues, at = [], 0
    for index, (gap, duration) in enumerate(spans):
        at += gap
        cues.append(Cue(at, at + duration, texts[index % len(texts)] if texts else "Hi."))
        at += duration
    limits = replace(DELAYING, fps=rate)
    out, changes = retime(cues, limits)
    frame = 1000 / float(rate)
    delayed = {c.cue for c in changes if c.what == "delayed"}
    for number, (before, after) in enumerate(zip(cues, out, strict=True), 1):
        assert after.text == before.text
        assert after.start_ms >= before.start_ms  # never before the speech
        moved = after.start_ms - before.start_ms
        assert moved <= (500 + frame + 1 if number in delayed else frame + 1)
        if number in delayed:  # still shown for its minimum duration inside its speech
            assert before.end_ms - after.start_ms >= 834 - frame
    for before, after in itertools.pairwise(out):
        assert after.start_ms >= before.end_ms  # sorted, no overlap
    # Not idempotent, unlike the pass without delays: a second pass takes the first one's
    # extensions for speech, so a start it could not delay before may now be delayed.
