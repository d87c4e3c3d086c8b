"""An item cut into several cues shares its time by reading load and, when its speech is
too short for its words, takes the free time after it (never before it): wherever that
time is there, no cue of the item is read faster than the preset allows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_style_conform import _feasible_ms, latin_text

from dubsubs.model import Cue, Transcript
from dubsubs.style import check, conform, get_preset
from dubsubs.style.segment import segment_cue

# 243 characters over 11.9 s (20.4 cps as a whole), with 7 s of silence after it. Before
# the fix, netflix at 23.976 fps cut it into four cues, two of them over 20 cps, because
# the time was shared by raw length (line breaks counted) and the speech's end was a wall.
HARBOUR = (
    "I went down to the harbour early this morning to see whether the boats had come in, "
    "but the fog was so thick that nobody on the quay could tell where the water ended "
    "and the sky began, so we all waited on the wall until the bells rang at noon."
)


def _item_cues(styled: Transcript, next_start: int) -> list[Cue]:
    return [cue for cue in styled.cues if cue.start_ms < next_start]


def test_the_harbour_item_is_read_within_20_cps_using_the_silence_after_it() -> None:
    assert len(HARBOUR) == 243
    item, after = Cue(1_000, 12_900, HARBOUR, "A"), Cue(20_000, 22_000, "Next line here.", "B")
    preset = get_preset("netflix", fps="23.976")
    styled, report = conform(Transcript((item, after), language="en"), preset)
    pieces = _item_cues(styled, after.start_ms)
    assert len(pieces) >= 3 and report.split_items == (1,)
    assert " ".join(cue.text for cue in pieces).split() == HARBOUR.split()
    assert pieces[0].start_ms >= item.start_ms
    result = check(styled.cues, preset, language="en")
    assert [v for v in result.violations if v.rule == "reading-speed"] == []
    # It needed the free time: the last piece ends after the speech.
    assert pieces[-1].end_ms > item.end_ms


def test_without_free_time_the_pieces_share_the_overload_evenly() -> None:
    # The next item starts right after this one: nothing to borrow, so every piece is read
    # equally fast rather than one much faster than the rest.
    item, after = Cue(0, 11_900, HARBOUR, "A"), Cue(11_900, 14_000, "Next line here.", "B")
    preset = get_preset("netflix", fps="23.976")
    styled, _ = conform(Transcript((item, after), language="en"), preset)
    rates = [len(c.text.replace("\n", "")) * 1000 / (c.end_ms - c.start_ms) for c in _item_cues(styled, 11_900)]
    assert max(rates) - min(rates) < 1.0, rates


def test_segment_cue_keeps_to_the_item_unless_given_free_time() -> None:
    item = Cue(0, 6_000, HARBOUR, "A")
    preset = get_preset("netflix").for_language("en")
    inside = segment_cue(item, preset, "en")
    assert inside[-1].end_ms <= item.end_ms
    borrowed = segment_cue(item, preset, "en", free_end_ms=30_000)
    assert item.end_ms < borrowed[-1].end_ms <= 30_000
    assert borrowed[0].start_ms == item.start_ms


@settings(max_examples=120, deadline=None)
@given(
    text=latin_text(),
    start=st.integers(0, 100_000),
    spoken=st.floats(0.3, 1.0),
    extra=st.integers(0, 5_000),
    preset_name=st.sampled_from(["netflix", "netflix-children", "bbc"]),
    language=st.sampled_from(["en", "fr"]),
    fps=st.sampled_from(["23.976", "25", "29.97"]),
)
def test_no_cue_of_an_item_is_too_fast_where_the_free_time_after_it_allows(
    text: str, start: int, spoken: float, extra: int, preset_name: str, language: str, fps: str
) -> None:
    # The speech lasts only part of the time its words need; the silence after it makes
    # up the rest (and then some): every cue of the item must then pass the reading speed.
    room = _feasible_ms(text, preset_name, language)
    duration = max(int(room * spoken), 1)
    next_start = start + room + extra + 1_000
    item, after = Cue(start, start + duration, text, "A"), Cue(next_start, next_start + 2_000, "Yes.", "B")
    preset = get_preset(preset_name, fps=fps)
    styled, _ = conform(Transcript((item, after), language=language), preset)
    pieces = _item_cues(styled, next_start)
    assert pieces and pieces[0].start_ms >= start  # never before the speech
    result = check(styled.cues, preset, language=language)
    too_fast = [v for v in result.violations if v.rule == "reading-speed" and v.start_ms < next_start]
    assert too_fast == []
