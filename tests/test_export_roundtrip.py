"""Our exports read back by dubsubs' own readers (dubsubs.formats): any format converts to any
other, so what one exporter writes the parser must take back unchanged."""

from __future__ import annotations

import pytest
from _export_support import (
    expected_lines,
    expected_speaker,
    json_visible,
    sample_transcript,
    shown,
    srt_visible,
    transcripts,
)
from hypothesis import given, settings

from dubsubs.formats import export, iter_bytes
from dubsubs.model import Transcript


def _read(transcript: Transcript, fmt: str) -> list[tuple[float, float, str, str | None]]:
    (raw,) = list(iter_bytes(export(transcript, fmt).encode("utf-8"), f"out.{fmt}", fmt))
    assert not isinstance(raw, Exception)
    return [(item.start, item.end, item.text, item.speaker) for item in raw.items]


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ttml"])
def test_subtitle_formats_read_back(fmt: str) -> None:
    transcript = sample_transcript()
    expected = []
    for cue in shown(transcript):
        text = "\n".join(expected_lines(cue.text))
        speaker = expected_speaker(cue.speaker)
        if fmt == "srt":  # SRT has no speaker field (speaker_prefix is off) and no "-->"
            text, speaker = srt_visible(text), None
        expected.append((float(cue.start_ms), float(cue.end_ms), text, speaker))
    assert _read(transcript, fmt) == expected


@settings(max_examples=100, deadline=None)
@given(transcripts())
def test_json_reads_back_exactly(transcript: Transcript) -> None:
    # The parser strips speaker names and reads an empty one as "no speaker".
    assert _read(transcript, "json") == [
        (cue.start_ms / 1000, cue.end_ms / 1000, json_visible(cue.text),
         json_visible(cue.speaker or "").strip() or None)
        for cue in transcript.cues
    ]


@settings(max_examples=100, deadline=None)
@given(transcripts())
def test_every_export_can_be_written_as_utf8(transcript: Transcript) -> None:
    for fmt in ("srt", "vtt", "ttml", "json"):
        export(transcript, fmt).encode("utf-8")  # raises on a lone surrogate
