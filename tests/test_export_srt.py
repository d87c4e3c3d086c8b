from __future__ import annotations

import pysrt
import pytest
import srt
from _export_support import (
    check_golden,
    expected_speaker,
    expected_srt_lines,
    sample_transcript,
    shown,
    srt_visible,
    transcripts,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.formats import FORMATS, export
from dubsubs.formats.srt import SrtOptions, dumps
from dubsubs.model import Cue, Transcript


def expected_srt_text(cue: Cue, speaker_prefix: bool) -> str:
    text = srt_visible("\n".join(expected_srt_lines(cue.text)))
    name = expected_speaker(cue.speaker)
    if speaker_prefix and name:
        text = f"{srt_visible(name)}: {text}"
    return text


def test_golden() -> None:
    check_golden("sample.srt", dumps(sample_transcript(), SrtOptions()))


def test_golden_speaker_prefix() -> None:
    check_golden(
        "sample.speaker_prefix.srt", export(sample_transcript(), "srt", speaker_prefix=True)
    )


def test_registered_in_order() -> None:
    assert list(FORMATS)[:4] == ["srt", "vtt", "ttml", "json"]
    assert FORMATS["srt"].extension == ".srt"
    assert FORMATS["srt"].options_type is SrtOptions


def test_block_layout_and_hours_past_99() -> None:
    transcript = Transcript(
        cues=(
            Cue(0, 1, "a"),
            Cue(359_999_999, 360_000_000, "b"),
            Cue(360_000_000, 3_600_000_000, "c"),
        )
    )
    assert dumps(transcript, SrtOptions()) == (
        "1\n00:00:00,000 --> 00:00:00,001\na\n\n"
        "2\n99:59:59,999 --> 100:00:00,000\nb\n\n"
        "3\n100:00:00,000 --> 1000:00:00,000\nc\n"
    )


def test_empty_cue_is_left_out_and_numbering_stays_contiguous() -> None:
    transcript = Transcript(
        cues=(Cue(0, 1000, "one"), Cue(1000, 2000, " \r\n "), Cue(2000, 3000, "two"))
    )
    output = dumps(transcript, SrtOptions())
    assert output == (
        "1\n00:00:00,000 --> 00:00:01,000\none\n\n2\n00:00:02,000 --> 00:00:03,000\ntwo\n"
    )


def test_empty_transcript() -> None:
    assert dumps(Transcript(cues=()), SrtOptions()) == ""


def test_text_cannot_break_a_cue() -> None:
    transcript = Transcript(
        cues=(Cue(0, 1000, "a --> b\r\n\r\n\n2\n00:00:05,000 --> 00:00:06,000\nfake"),)
    )
    output = dumps(transcript, SrtOptions())
    assert output == (
        "1\n00:00:00,000 --> 00:00:01,000\na → b\n2 00:00:05,000 → 00:00:06,000\nfake\n"
    )
    assert len(list(srt.parse(output))) == 1


def test_speaker_prefix_and_crlf() -> None:
    transcript = Transcript(
        cues=(Cue(0, 1000, "hi\nthere", "Bob\n --> Smith"), Cue(1000, 2000, "x"))
    )
    output = dumps(transcript, SrtOptions(speaker_prefix=True, crlf=True))
    assert output == (
        "1\r\n00:00:00,000 --> 00:00:01,000\r\nBob → Smith: hi\r\nthere\r\n\r\n"
        "2\r\n00:00:01,000 --> 00:00:02,000\r\nx\r\n"
    )


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(ValueError, match="no option 'speaker_prefx'"):
        export(sample_transcript(), "srt", speaker_prefx=True)


@settings(max_examples=150, deadline=None)
@given(transcripts(), st.booleans())
def test_round_trip_through_srt_and_pysrt(transcript: Transcript, speaker_prefix: bool) -> None:
    output = dumps(transcript, SrtOptions(speaker_prefix=speaker_prefix))
    expected = [
        (cue.start_ms, cue.end_ms, expected_srt_text(cue, speaker_prefix))
        for cue in shown(transcript)
    ]

    by_srt = [
        (
            int(sub.start.total_seconds() * 1000 + 0.5),
            int(sub.end.total_seconds() * 1000 + 0.5),
            sub.content,
        )
        for sub in srt.parse(output)
    ]
    assert by_srt == expected
    assert [sub.index for sub in srt.parse(output)] == list(range(1, len(expected) + 1))

    by_pysrt = [(sub.start.ordinal, sub.end.ordinal, sub.text) for sub in pysrt.from_string(output)]
    assert by_pysrt == expected


def test_every_declared_format_loads_and_matches_its_declaration() -> None:
    from dubsubs.formats import FORMATS

    for name in FORMATS:  # loading checks the module's FORMAT against its registry line
        fmt = FORMATS[name]
        assert fmt.name == name and fmt.suffixes and fmt.description
