from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_style_merge import assert_faithful

from dubsubs.errors import OptionError
from dubsubs.model import Cue, Transcript
from dubsubs.style import PRESETS, check, conform, get_preset, preset_from_options
from dubsubs.style.segment import segment_cue

LATIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=1, max_size=12)
PUNCT = st.sampled_from(["", "", "", ",", ".", "?", "!"])
ARABIC_WORD = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي", min_size=1, max_size=10)
AR_PUNCT = st.sampled_from(["", "", "", "،", ".", "؟"])
JA_CHARS = list("私はのが東京図書館本日語をでにとも、。ーカタナ")


@st.composite
def latin_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.tuples(LATIN_WORD, PUNCT), min_size=1, max_size=60))
    return " ".join(w + p for w, p in words)


@st.composite
def arabic_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.tuples(ARABIC_WORD, AR_PUNCT), min_size=1, max_size=60))
    return " ".join(w + p for w, p in words)


@st.composite
def japanese_text(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(st.sampled_from(JA_CHARS), min_size=1, max_size=80)))


def _feasible_ms(text: str, preset_name: str, language: str) -> int:
    """An item duration with room for the text at the preset's limits: reading time with
    a margin, plus the minimum duration and a gap for every screenful it may need."""
    limits = get_preset(preset_name).for_language(language)
    assert limits.max_cps and limits.max_chars_per_line and limits.max_lines and limits.min_duration_ms
    screens = math.ceil(len(text) / (limits.max_chars_per_line * limits.max_lines * 0.5)) + 1
    reading = len(text) * 1000 / limits.max_cps
    return int(reading * 1.3) + screens * (limits.min_duration_ms + 300)


@st.composite
def transcripts(draw: st.DrawFn, preset_name: str, language: str) -> Transcript:
    make = {"ja": japanese_text(), "ar": arabic_text()}.get(language, latin_text())
    texts = draw(st.lists(make, min_size=1, max_size=6))
    cues = []
    at = draw(st.integers(0, 5000))
    for text in texts:
        duration = _feasible_ms(text, preset_name, language)
        cues.append(Cue(at, at + duration, text, draw(st.sampled_from(["A", "B", None]))))
        at += duration + draw(st.integers(0, 3000))
    return Transcript(tuple(cues), language=language)


CASES = [
    (name, language)
    for name in ("netflix", "netflix-children", "bbc")
    for language in ("en", "fr", "ja")
    if not (name == "bbc" and language == "ja")
] + [("netflix", "ko"), ("netflix", "ar"), ("bbc", "ar")]


@pytest.mark.parametrize(("preset_name", "language"), CASES)
def test_output_of_every_preset_passes_its_own_check(preset_name: str, language: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(transcript=transcripts(preset_name, language))
    def run(transcript: Transcript) -> None:
        preset = get_preset(preset_name)
        styled, _ = conform(transcript, preset)
        report = check(styled.cues, preset, language=language)
        assert report.ok, report.violations
        # No text lost or reordered, originals kept, no cue before the speech it holds.
        assert_faithful(transcript, styled, preset)

    run()


@settings(max_examples=150, deadline=None)
@given(
    text=latin_text(),
    start=st.integers(0, 10_000_000),
    duration=st.integers(0, 60_000),
    preset_name=st.sampled_from(["netflix", "bbc", "netflix-children"]),
)
def test_segments_stay_inside_the_item_and_in_order(
    text: str, start: int, duration: int, preset_name: str
) -> None:
    item = Cue(start, start + duration, text, "A")
    pieces = segment_cue(item, get_preset(preset_name), "en")
    assert " ".join(p.text for p in pieces).split() == text.split()
    previous_end = start
    for piece in pieces:
        assert start <= piece.start_ms <= piece.end_ms <= item.end_ms
        assert piece.start_ms >= previous_end
        assert piece.speaker == "A"
        previous_end = piece.end_ms


def test_long_item_is_split_at_sentences_with_time_shared_by_length() -> None:
    text = (
        "I never thought I would see this place again. "
        "The house looks smaller than I remember, and the garden is gone."
    )
    item = Cue(10_000, 20_000, text)
    pieces = segment_cue(item, get_preset("netflix").for_language("en"), "en")
    assert [p.text.replace("\n", " ") for p in pieces] == [
        "I never thought I would see this place again.",
        "The house looks smaller than I remember, and the garden is gone.",
    ]
    assert pieces[0].start_ms == 10_000
    assert pieces[-1].end_ms <= 20_000
    first, second = (p.end_ms - p.start_ms for p in pieces)
    assert first < second  # the shorter sentence gets the shorter share


def test_one_word_item_too_long_to_fit_is_kept_whole() -> None:
    word = "x" * 100
    pieces = segment_cue(Cue(0, 5000, word), get_preset("netflix"), "en")
    assert [p.text for p in pieces] == [word]


def test_item_longer_than_max_duration_is_split_by_time() -> None:
    item = Cue(0, 20_000, "Well. We waited. And waited. Nothing came.")
    pieces = segment_cue(item, get_preset("netflix").for_language("en"), "en")
    assert len(pieces) >= 3
    assert all(p.end_ms - p.start_ms <= 7000 for p in pieces)


def test_japanese_item_split_into_lines_of_13() -> None:
    text = "このプロジェクトは来月までに終わらせなければならない。"
    styled, _ = conform(Transcript((Cue(0, 20_000, text),), language="ja"), "netflix")
    for cue in styled.cues:
        assert all(len(line) <= 13 for line in cue.text.split("\n"))
    assert "".join(c.text.replace("\n", "") for c in styled.cues) == text


def test_preset_none_is_lossless() -> None:
    transcript = Transcript((Cue(0, 100_000, "A very long line " * 20, "A"),), language="en")
    styled, report = conform(transcript, "none")
    assert styled is transcript
    assert report.summary() == "style: none (cues as given)"


def test_offset_and_start_timecode_shift_cues_and_dialogue() -> None:
    transcript = Transcript((Cue(1000, 3000, "Hello there."),), language="en")
    preset = preset_from_options("none", "25", offset_ms=500, start_timecode="10:00:00:00")
    styled, report = conform(transcript, preset)
    assert styled.cues[0].start_ms == 36_000_000 + 1500
    assert styled.dialogue is not None
    assert styled.dialogue[0].start_ms == 36_000_000 + 1500
    assert report.offset_ms == 36_000_500


def test_drop_frame_start_timecode() -> None:
    transcript = Transcript((Cue(0, 3000, "Hello there."),), language="en")
    preset = preset_from_options("netflix", "29.97", start_timecode="01:00:00;00")
    styled, _ = conform(transcript, preset)
    assert styled.cues[0].start_ms == 3_599_996  # frame 107892 at 30000/1001


def test_language_variant_picked_by_transcript_language() -> None:
    netflix = PRESETS["netflix"]
    assert netflix.for_language("en-US").max_cps == 20.0
    assert netflix.for_language("es-ES").max_cps == 17.0
    assert netflix.for_language("ja").max_chars_per_line == 13
    assert netflix.for_language("zh-TW").max_chars_per_line == 16
    assert netflix.for_language(None).max_cps == 17.0


def test_user_overrides_beat_language_variants() -> None:
    preset = get_preset("netflix", max_cps=15, max_chars_per_line=30)
    assert preset.for_language("ja").max_cps == 15
    assert preset.for_language("ja").max_chars_per_line == 30


def test_limits_without_a_preset_enable_styling() -> None:
    preset = preset_from_options(None, None, max_chars_per_line=30, max_lines=2)
    assert preset.name == "custom"
    transcript = Transcript((Cue(0, 10_000, "word " * 20),))
    styled, _ = conform(transcript, preset)
    assert len(styled.cues) > 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "hbo"}, "unknown preset 'hbo'"),
        ({"name": "netflix", "fps": "fast"}, "--fps"),
        ({"name": "netflix", "max_chars_per_line": 0}, "positive whole number"),
        ({"name": "netflix", "max_chars": 30}, "unknown preset option"),
        ({"name": "netflix", "start_timecode": "00:01:00;00"}, "needs 29.97"),
        ({"name": "netflix", "fps": "29.97", "start_timecode": "00:01:00;00"}, "does not exist"),
    ],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        preset_from_options(**kwargs)  # type: ignore[arg-type]


def test_misspelt_override_is_an_error() -> None:
    with pytest.raises(OptionError, match="unknown preset option"):
        get_preset("netflix", max_cpss=10)


def _strip_dashes(text: str, dash: str) -> str:
    """Dual-speaker dashes are markup: remove them to compare words."""
    return "\n".join(line.removeprefix(dash) for line in text.split("\n"))


def test_quick_exchange_becomes_one_dual_speaker_cue() -> None:
    transcript = Transcript((Cue(1000, 1400, "Hi.", "Maya"), Cue(1450, 1900, "Hello.", "Tom")), language="en")
    styled, _ = conform(transcript, "netflix")
    assert [c.text for c in styled.cues] == ["-Hi.\n-Hello."]  # Netflix: no space after the dash
    cue = styled.cues[0]
    assert cue.start_ms == 1000 and cue.end_ms - cue.start_ms >= 834
    assert cue.speaker is None
    assert styled.dialogue == transcript.cues  # who said what is kept
    assert report_ok(styled, "netflix")


def test_bbc_dash_has_a_space() -> None:
    transcript = Transcript((Cue(1000, 1400, "Hi.", "Maya"), Cue(1450, 1900, "Hello.", "Tom")), language="en")
    styled, _ = conform(transcript, "bbc")
    assert [c.text for c in styled.cues] == ["- Hi.\n- Hello."]


def test_overlapping_speakers_are_merged_and_words_kept() -> None:
    transcript = Transcript(
        (Cue(0, 3000, "Where were you last night?", "A"), Cue(2500, 4500, "At home.", "B")),
        language="en",
    )
    styled, _ = conform(transcript, "netflix")
    assert len(styled.cues) == 1
    words = " ".join(_strip_dashes(c.text, "-") for c in styled.cues).split()
    assert words == "Where were you last night? At home.".split()
    assert report_ok(styled, "netflix")


@pytest.mark.parametrize(
    "cues",
    [
        # (the same speaker: joined without a dash; see test_style_merge.py)
        # far apart: each gets its own cue
        (Cue(1000, 1400, "Hi.", "A"), Cue(5000, 5900, "Hello.", "B")),
        # unknown speakers: nothing to mark
        (Cue(1000, 1400, "Hi.", None), Cue(1450, 1900, "Hello.", None)),
        # with its dash, a full 42-character line would be too long to share a cue
        (
            Cue(0, 2000, "Where exactly were you going so late then?", "A"),
            Cue(1900, 3000, "Yes.", "B"),
        ),
    ],
)
def test_pairs_that_are_not_merged(cues: tuple[Cue, ...]) -> None:
    styled, _ = conform(Transcript(cues, language="en"), "netflix")
    assert len(styled.cues) == 2
    assert not any(c.text.startswith("-") for c in styled.cues)


def report_ok(transcript: Transcript, preset: str) -> bool:
    report = check(transcript.cues, get_preset(preset), language=transcript.language)
    return report.ok


def test_empty_transcript() -> None:
    styled, report = conform(Transcript((), language="en"), "netflix")
    assert styled.cues == () and report.cues == 0


@settings(max_examples=150, deadline=None)
@given(
    exchanges=st.lists(
        st.tuples(
            st.sampled_from(["Hi.", "Yes.", "No way!", "Where?", "Over there.", "Okay then."]),
            st.integers(100, 900),  # duration: often too short to read alone
            st.integers(0, 700),  # gap to the next line
            st.sampled_from(["A", "B", "B", None]),
        ),
        min_size=2,
        max_size=20,
    ),
    preset_name=st.sampled_from(["netflix", "bbc"]),
)
def test_merged_cues_keep_every_word_and_mark_each_speaker(
    exchanges: list[tuple[str, int, int, str | None]], preset_name: str
) -> None:
    cues, at = [], 0
    for text, duration, gap, speaker in exchanges:
        cues.append(Cue(at, at + duration, text, speaker))
        at += duration + gap
    transcript = Transcript(tuple(cues), language="en")
    preset = get_preset(preset_name)
    styled, report = conform(transcript, preset)
    assert_faithful(transcript, styled, preset)
    dash = preset.dual_speaker_dash
    merged = {m.cue: m for m in report.merged}
    for number, cue in enumerate(styled.cues, 1):
        lines = cue.text.split("\n")
        if number in merged and merged[number].speakers == 2:  # two lines, each marked
            assert cue.speaker is None
            assert len(lines) == 2 and all(line.startswith(dash) for line in lines)
        else:  # one speaker (or one unlabelled line): no dash
            assert not cue.text.startswith("-")
    unlabelled = [c.text for c in cues if c.speaker is None]
    if unlabelled:  # never merged with another item: nobody knows who said it
        texts = [c.text for c in styled.cues]
        assert all(text in texts for text in unlabelled)


@pytest.mark.parametrize(("fps", "timecode"), [("29.97", "01:00:00;00"), ("23.976", "10:00:00:00")])
def test_start_timecode_keeps_cues_on_the_programme_frame_grid(fps: str, timecode: str) -> None:
    from dubsubs.timefmt import snap_ms

    transcript = Transcript(
        (Cue(1234, 5678, "Hello there, how are you?", "A"), Cue(6001, 9000, "Fine.", "B")),
        language="en",
    )
    preset = preset_from_options("netflix", fps, start_timecode=timecode)
    styled, _ = conform(transcript, preset)
    for cue in styled.cues:
        assert snap_ms(cue.start_ms, preset.fps) == cue.start_ms
        assert snap_ms(cue.end_ms, preset.fps) == cue.end_ms
    assert check(styled.cues, preset, language="en").ok
