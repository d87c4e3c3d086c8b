from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from _export_support import check_golden, json_visible, sample_transcript, speakers, texts, transcripts
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.errors import OptionError
from dubsubs.formats import export
from dubsubs.formats.json_ import JsonOptions, dumps, seconds
from dubsubs.model import MAX_MS, Cue, Transcript, UnitsDecision


def as_items(cues: tuple[Cue, ...]) -> list[dict[str, Any]]:
    return [
        {
            "start": Decimal(c.start_ms) / 1000,
            "end": Decimal(c.end_ms) / 1000,
            "speaker": None if c.speaker is None else json_visible(c.speaker),
            "text": json_visible(c.text),
        }
        for c in cues
    ]


def test_golden() -> None:
    check_golden("sample.json", dumps(sample_transcript(), JsonOptions()))


def test_document_shape() -> None:
    document = json.loads(export(sample_transcript(), "json"), parse_float=Decimal)
    assert list(document) == [
        "run_id",
        "language",
        "units",
        "source_units",
        "speakers",
        "cues",
        "dialogue",
    ]
    assert document["units"] == "s"
    assert document["source_units"] == {
        "unit": "ms",
        "method": "auto",
        "confidence": Decimal("0.97"),
    }
    assert document["speakers"] == ["Ana & Co", "Bob <B>", "Mary Jane Watson", "سارة", "山田 太郎"]
    assert document["cues"][0] == {
        "start": Decimal("1.0"), "end": Decimal("3.5"), "speaker": "Ana & Co",
        "text": "Hello & welcome to <the> show.",
    }  # fmt: skip
    assert document["cues"][-1]["start"] == Decimal("360000.0")
    assert document["cues"][4]["text"] == "   "  # JSON keeps what the subtitle formats leave out


def test_no_dialogue_no_units() -> None:
    document = json.loads(dumps(Transcript(cues=(Cue(1, 1001, "x"),)), JsonOptions(indent=None)))
    assert document == {
        "run_id": None, "language": None, "units": "s", "source_units": None, "speakers": [],
        "cues": [{"start": 0.001, "end": 1.001, "speaker": None, "text": "x"}],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0.0"), (1, "0.001"), (10, "0.01"), (100, "0.1"), (1500, "1.5"), (12_345, "12.345"),
     (2000, "2.0"), (MAX_MS, "8640000.0"), (MAX_MS - 1, "8639999.999")],
)  # fmt: skip
def test_seconds_are_exact_decimals(ms: int, text: str) -> None:
    assert seconds(ms) == text


def test_bad_indent_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="indent"):
        dumps(sample_transcript(), JsonOptions(indent=-1))


@settings(max_examples=150, deadline=None)
@given(
    transcripts(),
    st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
    st.booleans(),
    st.one_of(st.none(), st.lists(st.builds(Cue, st.just(5), st.just(9), texts, speakers), max_size=3)),
    st.one_of(
        st.none(),
        st.builds(
            UnitsDecision,
            st.sampled_from(["s", "ms"]),
            st.sampled_from(["auto", "given", "format"]),
            st.floats(0, 1),
        ),
    ),
)
def test_reads_back_exactly_and_matches_the_stdlib_encoder(
    transcript: Transcript,
    indent: int | None,
    ensure_ascii: bool,
    dialogue: list[Cue] | None,
    units: UnitsDecision | None,
) -> None:
    transcript = Transcript(
        cues=transcript.cues,
        run_id=transcript.run_id,
        language=transcript.language,
        units=units,
        dialogue=None if dialogue is None else tuple(dialogue),
    )
    output = dumps(transcript, JsonOptions(indent=indent, ensure_ascii=ensure_ascii))
    if ensure_ascii:
        assert output.isascii()
    document = json.loads(output, parse_float=Decimal)
    assert document["cues"] == as_items(transcript.cues)
    if dialogue is None:
        assert "dialogue" not in document
    else:
        assert document["dialogue"] == as_items(tuple(dialogue))
    assert document["speakers"] == [json_visible(s) for s in transcript.speakers]
    assert (document["run_id"], document["language"], document["units"]) == (
        transcript.run_id,
        transcript.language,
        "s",
    )
    if units is None:
        assert document["source_units"] is None
    else:
        assert document["source_units"]["unit"] == units.unit
        assert float(document["source_units"]["confidence"]) == units.confidence
    output.encode("utf-8")  # always writable: lone surrogates are escaped
    # Same text as the standard library would write for the same document, except that
    # lone surrogates are escaped even when ensure_ascii is off.
    stdlib = json.dumps(json.loads(output), indent=indent, ensure_ascii=ensure_ascii)
    assert output == re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", stdlib)
