from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dubsubs.model import MAX_MS
from dubsubs.timefmt import clock_formatter, format_clock, format_srt, format_vtt, parse_clock


@pytest.mark.parametrize(
    ("ms", "srt", "vtt"),
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (1, "00:00:00,001", "00:00:00.001"),
        (1001, "00:00:01,001", "00:00:01.001"),
        (59_999, "00:00:59,999", "00:00:59.999"),
        (60_000, "00:01:00,000", "00:01:00.000"),
        (3_599_999, "00:59:59,999", "00:59:59.999"),
        (3_600_000, "01:00:00,000", "01:00:00.000"),
        (359_999_999, "99:59:59,999", "99:59:59.999"),
        (360_000_000, "100:00:00,000", "100:00:00.000"),
        (MAX_MS, "2400:00:00,000", "2400:00:00.000"),
    ],
)
def test_table(ms: int, srt: str, vtt: str) -> None:
    assert format_srt(ms) == srt
    assert format_vtt(ms) == vtt
    assert clock_formatter(",")(ms) == srt
    assert clock_formatter(".")(ms) == vtt
    assert parse_clock(srt) == parse_clock(vtt) == ms


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10"])
def test_rejects_what_is_not_whole_milliseconds(bad: object) -> None:
    with pytest.raises(ValueError):
        format_clock(bad)  # type: ignore[arg-type]


def test_formatter_rejects_negative() -> None:
    with pytest.raises(ValueError):
        clock_formatter(".")(-1)


@pytest.mark.parametrize("bad", ["1:00:00,000", "00:60:00,000", "00:00:00,00", "00:00:00", "x"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a clock timestamp"):
        parse_clock(bad)


@given(st.integers(min_value=0, max_value=10 * MAX_MS), st.sampled_from([",", "."]))
def test_round_trip(ms: int, separator: str) -> None:
    text = format_clock(ms, separator)
    assert parse_clock(text) == ms
    # A shared formatter (cache per whole second) gives the same text, in any order.
    formatter = clock_formatter(separator)
    assert formatter(ms) == text
    assert formatter(ms - ms % 1000) == format_clock(ms - ms % 1000, separator)
    assert formatter(ms) == text
