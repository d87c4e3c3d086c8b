from __future__ import annotations

import html
import re

import webvtt
from _export_support import (
    check_golden,
    expected_lines,
    expected_speaker,
    sample_transcript,
    shown,
    transcripts,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.formats import export
from dubsubs.formats.vtt import VttOptions, dumps
from dubsubs.model import Cue, Transcript

_TIMING = re.compile(
    r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})"
)


def _ms(h: str, m: str, s: str, f: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)


def parse_like_the_spec(document: str) -> list[tuple[int, int, str, list[str]]]:
    """Read a WebVTT file the way the W3C parser does, for the features we write.

    File level: header block, then blocks separated by blank lines; a block's timing line
    is its first or second line, no payload line may contain "-->" (the parser would end
    the cue there), and no payload line is empty. Cue text level: every "<" opens a tag
    that runs to ">"; `<v annotation>` gives the voice (annotation trimmed, whitespace
    runs collapsed, character references decoded); text between tags has its character
    references decoded as in HTML. Returns (start, end, text, voices) per cue.
    """
    assert "\r" not in document and "\x00" not in document
    assert document.startswith("WEBVTT\n\n") or document == "WEBVTT\n"
    cues = []
    for block in document.split("\n\n")[1:]:
        lines = block.rstrip("\n").split("\n")
        if "-->" not in lines[0]:
            identifier = lines.pop(0)
            assert "-->" not in identifier and identifier
        timing = _TIMING.fullmatch(lines[0])
        assert timing is not None, lines[0]
        payload = lines[1:]
        assert payload, block
        for line in payload:
            assert "-->" not in line and line != ""
        text_parts: list[str] = []
        voices: list[str] = []
        for token in re.split(r"(<[^>]*>?)", "\n".join(payload)):
            if not token.startswith("<"):
                text_parts.append(html.unescape(token))
                continue
            assert token.endswith(">"), f"unterminated tag {token!r}"
            inner = token[1:-1]
            if inner.startswith("/"):
                assert inner == "/v", token
                continue
            name, *rest = re.split(r"[ \t\n\f]", inner, maxsplit=1)
            annotation = rest[0] if rest else ""
            assert name == "v", f"unexpected tag {token!r}"
            voices.append(html.unescape(" ".join(annotation.split())))
        groups = timing.groups()
        cues.append((_ms(*groups[:4]), _ms(*groups[4:]), "".join(text_parts), voices))
    return cues


def expected_vtt(cue: Cue, options: VttOptions) -> tuple[str, list[str]]:
    text = "\n".join(expected_lines(cue.text))
    name = expected_speaker(cue.speaker)
    if name and options.speaker_prefix:
        text = f"{name}: {text}"
    return text, [name] if name and options.voice_spans else []


def test_golden() -> None:
    check_golden("sample.vtt", dumps(sample_transcript(), VttOptions()))


def test_golden_prefix_and_ids_without_voices() -> None:
    check_golden(
        "sample.prefix_ids.vtt",
        export(sample_transcript(), "vtt", voice_spans=False, speaker_prefix=True, cue_ids=True),
    )


def test_escaping_and_voice_annotation() -> None:
    transcript = Transcript(
        cues=(Cue(0, 1500, "a --> b & <i>c</i>\n\nd", "Ana & <Co>\n  Ltd"), Cue(2000, 2500, "e"))
    )
    assert dumps(transcript, VttOptions()) == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\n"
        "<v Ana &amp; &lt;Co&gt; Ltd>a --&gt; b &amp; &lt;i&gt;c&lt;/i&gt;\nd</v>\n\n"
        "00:00:02.000 --> 00:00:02.500\ne\n"
    )


def test_empty_cue_left_out_ids_contiguous_and_hours_past_99() -> None:
    transcript = Transcript(
        cues=(Cue(0, 1, "a"), Cue(1, 2, "\n \n"), Cue(359_999_999, 360_000_000, "b"))
    )
    assert dumps(transcript, VttOptions(cue_ids=True)) == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:00.001\na\n\n2\n99:59:59.999 --> 100:00:00.000\nb\n"
    )


def test_empty_transcript_is_a_valid_file() -> None:
    assert dumps(Transcript(cues=()), VttOptions()) == "WEBVTT\n"


@settings(max_examples=150, deadline=None)
@given(transcripts(), st.booleans(), st.booleans(), st.booleans())
def test_round_trip_spec_parser_and_webvtt_py(
    transcript: Transcript, voice_spans: bool, speaker_prefix: bool, cue_ids: bool
) -> None:
    options = VttOptions(voice_spans=voice_spans, speaker_prefix=speaker_prefix, cue_ids=cue_ids)
    output = dumps(transcript, options)
    expected = [
        (cue.start_ms, cue.end_ms, *expected_vtt(cue, options)) for cue in shown(transcript)
    ]

    assert parse_like_the_spec(output) == expected

    read = webvtt.from_string(output)
    by_webvtt_py = [
        (
            _ms(*_TIMING.fullmatch(f"{c.start} --> {c.end}").groups()[:4]),  # type: ignore[union-attr]
            _ms(*_TIMING.fullmatch(f"{c.start} --> {c.end}").groups()[4:]),  # type: ignore[union-attr]
            html.unescape(c.text),
            # webvtt-py keeps the annotation untrimmed; the spec trims and collapses it.
            [html.unescape(" ".join(c.voice.split()))] if c.voice else [],
        )
        for c in read
    ]
    assert by_webvtt_py == expected
