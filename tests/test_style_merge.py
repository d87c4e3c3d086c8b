"""Cues too short to read: merged with a neighbour, or given time from the next cue's start."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dubsubs.model import Cue, Transcript, Voice
from dubsubs.style import Preset, check, conform, get_preset
from dubsubs.style.segment import MAX_MERGED, merge_cues


def strip_dashes(text: str, dash: str) -> str:
    """Dual-speaker dashes are markup: remove them to compare words (generated words
    never start with a dash)."""
    return "\n".join(line.removeprefix(dash) for line in text.split("\n"))


def units(text: str, language: str | None) -> list[str]:
    """What must survive conforming in order: words, or visible characters for Japanese
    (whose line breaks and joins add or drop no character but may move spaces)."""
    if language == "ja":
        return list("".join(text.split()))
    return text.split()


def assert_faithful(transcript: Transcript, styled: Transcript, preset: Preset) -> None:
    """What conform keeps whatever it merges, splits or delays: the words in order (dual-
    speaker dashes stripped), the original items in ``dialogue``, cues sorted and not
    overlapping, and each cue starting no earlier than the earliest speech it holds and
    no later than the end of the last item it holds words of."""
    language = transcript.language
    limits = preset.for_language(language)
    dash = limits.dual_speaker_dash
    frame_ms = 1000 / float(limits.fps)
    items = transcript.cues
    expected: list[str] = []
    owner: list[int] = []  # the item each expected word comes from
    for index, item in enumerate(items):
        words = units(item.text, language)
        expected += words
        owner += [index] * len(words)
    got: list[str] = []
    spans: list[tuple[int, int]] = []
    for cue in styled.cues:
        words = units(strip_dashes(cue.text, dash), language)
        spans.append((len(got), len(got) + len(words)))
        got += words
    assert got == expected
    assert styled.dialogue == items
    for (low, high), cue in zip(spans, styled.cues, strict=True):
        covered = {owner[k] for k in range(low, high)}
        if not covered:
            continue
        assert cue.start_ms >= min(items[k].start_ms for k in covered)
        # Starts snap *up* to a frame, so an item shorter than a frame may end before it.
        assert cue.start_ms <= max(items[k].end_ms for k in covered) + frame_ms
    for before, after in itertools.pairwise(styled.cues):
        assert before.start_ms <= after.start_ms
        assert before.end_ms <= after.start_ms


# --- merge_cues -------------------------------------------------------------------------

NETFLIX = get_preset("netflix").for_language("en")


def test_short_cues_of_one_speaker_are_joined_without_a_dash() -> None:
    cues = [Cue(1000, 1400, "Hi.", "A"), Cue(1450, 1900, "Hello.", "A")]
    out, merges = merge_cues(cues, NETFLIX, "en")
    assert out == [Cue(1000, 1900, "Hi. Hello.", "A")]
    assert [(m.cue, m.pieces, m.speakers) for m in merges] == [(1, 2, 1)]


def test_a_short_cue_joins_the_longer_line_after_it_and_is_laid_out_again() -> None:
    cues = [
        Cue(0, 300, "Wait.", "A"),
        Cue(320, 3600, "I think we should go over there right now, before it rains.", "A"),
    ]
    out, _ = merge_cues(cues, NETFLIX, "en")
    assert len(out) == 1
    assert out[0].text.replace("\n", " ") == (
        "Wait. I think we should go over there right now, before it rains."
    )
    assert all(len(line) <= 42 for line in out[0].text.split("\n"))
    assert (out[0].start_ms, out[0].end_ms) == (0, 3600)


def test_two_speakers_become_one_dashed_line_each() -> None:
    cues = [Cue(0, 300, "Yes.", "A"), Cue(320, 2600, "Then we leave at dawn.", "B")]
    out, merges = merge_cues(cues, NETFLIX, "en")
    assert out == [Cue.spoken(0, 2600, (Voice("A", "-Yes."), Voice("B", "-Then we leave at dawn.")))]
    assert out[0].text == "-Yes.\n-Then we leave at dawn." and out[0].speaker is None
    assert merges[0].speakers == 2


def test_a_run_of_one_speaker_then_another_shares_one_dashed_cue() -> None:
    cues = [Cue(0, 200, "No.", "A"), Cue(220, 420, "No!", "A"), Cue(440, 900, "Yes.", "B")]
    out, merges = merge_cues(cues, NETFLIX, "en")
    assert [c.text for c in out] == ["-No. No!\n-Yes."]
    assert merges[0].pieces == 3


def test_a_third_speaker_does_not_join_a_dashed_cue() -> None:
    cues = [Cue(0, 300, "Yes.", "A"), Cue(320, 900, "No.", "B"), Cue(920, 1500, "Maybe.", "C")]
    out, _ = merge_cues(cues, NETFLIX, "en")
    assert [c.text for c in out] == ["-Yes.\n-No.", "Maybe."]


def test_a_merged_cue_holds_at_most_max_merged_cues() -> None:
    cues = [Cue(i * 100, i * 100 + 100, "No.", "A") for i in range(10)]
    out, merges = merge_cues(cues, NETFLIX, "en")
    assert [m.pieces for m in merges] == [MAX_MERGED, MAX_MERGED, 10 - 2 * MAX_MERGED]
    assert " ".join(c.text for c in out).split() == ["No."] * 10


def test_pieces_of_one_unlabelled_item_may_rejoin_but_two_unlabelled_items_not() -> None:
    pieces = [Cue(0, 300, "Well.", None), Cue(300, 1200, "Fine.", None)]
    joined, _ = merge_cues(pieces, NETFLIX, "en", origins=[1, 1])
    assert [c.text for c in joined] == ["Well. Fine."]
    kept, merges = merge_cues(pieces, NETFLIX, "en", origins=[1, 2])
    assert [c.text for c in kept] == ["Well.", "Fine."] and merges == []


def test_japanese_texts_join_without_a_space() -> None:
    preset = get_preset("netflix").for_language("ja")
    cues = [Cue(0, 300, "はい。", "A"), Cue(300, 3000, "行きましょう。", "A")]
    out, _ = merge_cues(cues, preset, "ja")
    assert [c.text for c in out] == ["はい。行きましょう。"]


@pytest.mark.parametrize(
    ("cues", "why"),
    [
        (
            [Cue(0, 300, "Yes.", "A"), Cue(320, 3000, "Then we leave at dawn, all of us together.", "B")],
            "the second speaker's line would not fit one line after its dash",
        ),
        (
            [Cue(0, 300, "Yes.", "A"), Cue(900, 2000, "Then we leave at dawn.", "B")],
            "more than close_gap_ms apart: the next line would show too early",
        ),
        (
            [Cue(0, 3000, "A line long enough to read.", "A"), Cue(3000, 6000, "Another one, also fine.", "A")],
            "neither is short",
        ),
        (
            [Cue(0, 6800, "Wait.", "A"), Cue(6820, 7200, "What?", "B")],
            "together they would run past the 7 s maximum",
        ),
    ],
)
def test_cues_that_are_not_merged(cues: list[Cue], why: str) -> None:
    out, merges = merge_cues(cues, NETFLIX, "en")
    assert out == cues, why
    assert merges == []


SPEAKERS = st.sampled_from(["A", "B", None])
WORD = st.sampled_from("yes no wait what really okay we should go now over there".split())


@settings(max_examples=200, deadline=None)
@given(
    raw=st.lists(
        st.tuples(
            st.lists(WORD, min_size=1, max_size=9),
            st.integers(50, 3000),  # duration
            st.integers(-300, 900),  # gap after the previous cue (negative: overlap)
            SPEAKERS,
            st.integers(0, 3),  # item number: equal neighbours are pieces of one item
        ),
        min_size=1,
        max_size=25,
    ),
    preset_name=st.sampled_from(["netflix", "bbc"]),
)
def test_merged_cues_keep_words_and_stay_inside_their_pieces(
    raw: list[tuple[list[str], int, int, str | None, int]], preset_name: str
) -> None:
    cues, origins, at, item = [], [], 0, 0
    for words, duration, gap, speaker, step in raw:
        at = max(0, at + gap)
        cues.append(Cue(at, at + duration, " ".join(words), speaker))
        item += step
        origins.append(item)
        at += duration
    cues.sort(key=lambda c: c.start_ms)
    preset = get_preset(preset_name).for_language("en")
    out, merges = merge_cues(cues, preset, "en", origins)
    dash = preset.dual_speaker_dash
    assert len(out) + sum(m.pieces - 1 for m in merges) == len(cues)
    # Walk the pieces in order: each output cue holds the next run of them.
    position = 0
    by_number = {m.cue: m for m in merges}
    for number, cue in enumerate(out, 1):
        count = by_number[number].pieces if number in by_number else 1
        pieces = cues[position : position + count]
        position += count
        assert strip_dashes(cue.text, dash).split() == " ".join(p.text for p in pieces).split()
        assert cue.start_ms == pieces[0].start_ms  # never before the speech it holds
        assert cue.end_ms == max(p.end_ms for p in pieces)
        if count > 1:
            lines = cue.text.split("\n")
            assert len(lines) <= 2 and all(len(line) <= preset.max_chars_per_line for line in lines)  # type: ignore[operator]
            voices = {p.speaker or f"item {o}" for p, o in zip(pieces, origins[position - count :], strict=False)}
            if len(voices) == 2:  # dashed: one line per (known) speaker, each marked
                assert cue.speaker is None and len(lines) == 2
                assert all(line.startswith(dash) for line in lines)
                assert None not in {p.speaker for p in pieces}
            else:  # one speaker, or pieces of one unlabelled item: no dash
                assert len(voices) == 1 and cue.speaker == pieces[0].speaker
                assert not cue.text.startswith("-")
    assert position == len(cues)
    assert [c.start_ms for c in out] == sorted(c.start_ms for c in out)


# --- conform: a pass wherever one is possible -------------------------------------------

FILLER = {
    "en": "we should go now wait what is that over there I think so really okay fine".split(),
    "fr": "nous devons partir tout de suite attends quoi là-bas je pense bien vraiment".split(),
}
SHORT = {
    "en": ["Yes.", "No.", "Why?", "Okay.", "Wait!"],
    "fr": ["Oui.", "Non.", "Pourquoi ?", "Bon.", "Attends !"],
}


def _text(draw: st.DrawFn, language: str, low: int, high: int) -> str:
    """Words up to ``high`` characters, at least ``low`` when the words allow."""
    words: list[str] = []
    while len(" ".join(words)) < low:
        word = draw(st.sampled_from(FILLER[language]))
        if len(" ".join([*words, word])) > high:
            break
        words.append(word)
    return " ".join(words).capitalize() + "."


@st.composite
def passable(draw: st.DrawFn, preset_name: str, language: str) -> Transcript:
    """Items where every short line has a way to pass: a one-line neighbour, close by,
    with time enough for both (merge), or a two-line one with time to spare (delay).
    Groups are far apart, so each has its own way out."""
    limits = get_preset(preset_name).for_language(language)
    assert limits.max_cps and limits.min_duration_ms and limits.max_chars_per_line
    cps, min_ms, width = limits.max_cps, limits.min_duration_ms, limits.max_chars_per_line
    dash = len(limits.dual_speaker_dash)
    cues: list[Cue] = []
    at = draw(st.integers(0, 2000))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["alone", "short-first", "short-last", "delay"]))
        short = draw(st.sampled_from(SHORT[language]))
        one, two = draw(st.sampled_from("AB")), draw(st.sampled_from("AB"))
        if kind == "delay":
            # Too short by at most 300 ms plus the gap: the next line can spare that.
            duration = draw(st.integers(min_ms - 300, min_ms - 100))
            cues.append(Cue(at, at + duration, short, one))
            at += duration + draw(st.integers(0, 40))
            long = _text(draw, language, width + 5, 2 * width - 10)
            length = math.ceil(len(long) * 1000 / cps) + 900
            cues.append(Cue(at, at + length, long, two))
            at += length
        else:
            line = _text(draw, language, 8, width - dash - 6)
            chars = len(line) + len(short) + 2 * dash + 1
            length = max(math.ceil(chars * 1000 / cps * 1.15), min_ms) + 200
            if kind == "alone":
                cues.append(Cue(at, at + length, line, one))
                at += length
            else:
                duration = draw(st.integers(100, 400))
                gap = draw(st.integers(0, 100))
                first, second = ((short, duration), (line, length))[:: 1 if kind == "short-first" else -1]
                cues.append(Cue(at, at + first[1], first[0], one))
                at += first[1] + gap
                cues.append(Cue(at, at + second[1], second[0], two))
                at += second[1]
        at += draw(st.integers(1500, 4000))
    return Transcript(tuple(cues), language=language)


@pytest.mark.parametrize(
    ("preset_name", "language"),
    [("netflix", "en"), ("netflix", "fr"), ("netflix-children", "en"), ("bbc", "en"), ("bbc", "fr")],
)
def test_short_lines_pass_where_a_pass_is_possible(preset_name: str, language: str) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(transcript=passable(preset_name, language))
    def run(transcript: Transcript) -> None:
        preset = get_preset(preset_name)
        unstyled = check(transcript.cues, preset, language=language)
        styled, report = conform(transcript, preset)
        verdict = check(styled.cues, preset, language=language)
        assert verdict.ok, (verdict.violations, styled.cues)
        assert_faithful(transcript, styled, preset)
        if any(v.rule == "min-duration" for v in unstyled.violations):
            # Something had to be done about it (merged, extended, delayed): the report says what.
            assert report.merged or report.timing_changes

    run()


# --- delaying the next start ------------------------------------------------------------


def test_next_line_is_delayed_when_no_merge_fits() -> None:
    # "Yes." has 500 ms; the reply is two lines (no dashed cue possible) with time to spare.
    reply = "Then we leave at dawn, all of us together, and we never come back here."
    transcript = Transcript((Cue(1000, 1500, "Yes.", "A"), Cue(1500, 7000, reply, "B")), language="en")
    styled, report = conform(transcript, get_preset("netflix", fps="25"))
    first, second = styled.cues
    assert first.text == "Yes." and first.end_ms - first.start_ms >= 834
    assert second.start_ms == first.end_ms + 80  # two frames after
    assert 1500 < second.start_ms <= 2000  # later than its speech, by at most 0.5 s
    assert [c.what for c in report.timing_changes if c.cue == 2] == ["delayed"]
    assert "1 delayed" in report.summary()
    assert check(styled.cues, get_preset("netflix"), language="en").ok
    assert_faithful(transcript, styled, get_preset("netflix"))


@pytest.mark.parametrize(
    ("reply_end", "why"),
    [
        (2300, "the reply would be left less than its minimum duration"),
        (9000, None),  # plenty: delayed
    ],
)
def test_delay_never_leaves_the_next_line_short(reply_end: int, why: str | None) -> None:
    reply = "Then we leave at dawn, all of us together, and we never come back."
    transcript = Transcript((Cue(1000, 1500, "Yes.", "A"), Cue(1500, reply_end, reply, "B")), language="en")
    preset = get_preset("netflix", max_cps=100)  # only the minimum duration matters here
    styled, report = conform(transcript, preset)
    delayed = any(c.what == "delayed" for c in report.timing_changes)
    assert delayed is (why is None), why
    if not delayed:
        # What cannot pass stays as it is, and the check says so.
        assert styled.cues[1].start_ms == 1520
        assert [v.rule for v in check(styled.cues, preset, language="en").violations] == ["min-duration"]


def test_no_delay_beyond_half_a_second() -> None:
    reply = "Then we leave at dawn, all of us together, and we never come back."
    transcript = Transcript((Cue(1000, 1200, "Yes.", "A"), Cue(1200, 9000, reply, "B")), language="en")
    styled, report = conform(transcript, "netflix")  # 834 ms needs 634 ms + gap from the reply
    assert styled.cues[1].start_ms == 1200
    assert not any(c.what == "delayed" for c in report.timing_changes)


def test_delays_can_be_switched_off() -> None:
    reply = "Then we leave at dawn, all of us together, and we never come back here."
    transcript = Transcript((Cue(1000, 1500, "Yes.", "A"), Cue(1500, 7000, reply, "B")), language="en")
    styled, _ = conform(transcript, get_preset("netflix", max_start_delay_ms=0))
    assert styled.cues[1].start_ms == 1520


def test_report_says_what_was_merged() -> None:
    transcript = Transcript(
        (
            Cue(1000, 1300, "Hi.", "A"),
            Cue(1320, 1700, "Hello.", "B"),
            Cue(5000, 5300, "So.", "A"),
            Cue(5320, 8000, "Where do we start?", "A"),
        ),
        language="en",
    )
    styled, report = conform(transcript, "netflix")
    assert [c.text for c in styled.cues] == ["-Hi.\n-Hello.", "So. Where do we start?"]
    assert "4 cues merged into 2 (1 with two speakers)" in report.summary()
    assert report.to_dict()["merged"] == [
        {"cue": 1, "pieces": 2, "speakers": 2},
        {"cue": 2, "pieces": 2, "speakers": 1},
    ]
