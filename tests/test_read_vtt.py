"""The WebVTT reader against the W3C WebVTT parser algorithm, case by case.

Expected values are worked out from the spec text (https://www.w3.org/TR/webvtt1/, "WebVTT
parser algorithm", "collect a WebVTT timestamp", "WebVTT cue text parsing rules"), not
from the reader; test_read_vtt_browser.py checks the same fixtures against Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import webvtt
from _export_support import expected_lines, expected_speaker, transcripts
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.errors import InputError
from dubsubs.formats import vtt
from dubsubs.formats.base import ReadOptions
from dubsubs.model import RawItem, RawTranscript, Transcript, Voice

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vtt"


def read(data: bytes | str, encoding: str | None = None) -> RawTranscript:
    if isinstance(data, str):
        data = data.encode("utf-8")
    (raw,) = vtt.read(data, "in.vtt", ReadOptions(encoding=encoding))
    assert isinstance(raw, RawTranscript) and raw.units == "ms"
    return raw


def fixture(name: str) -> RawTranscript:
    return read((FIXTURES / name).read_bytes())


def cues(raw: RawTranscript) -> list[tuple[int, int, str]]:
    return [(int(item.start), int(item.end), item.text) for item in raw.items]


def texts(raw: RawTranscript) -> list[str]:
    return [item.text for item in raw.items]


# --------------------------------------------------------------------------- file level


@pytest.mark.parametrize("name", ["signature_bom_title.vtt", "signature_tab.vtt"])
def test_signature_variants_are_accepted(name: str) -> None:
    raw = fixture(name)
    assert len(raw.items) == 1 and raw.warnings == ()


def test_signature_alone_is_a_file_without_cues() -> None:
    assert read("WEBVTT").items == [] and read("WEBVTT\n").items == []


def test_last_cue_without_a_final_line_break() -> None:
    assert cues(fixture("signature_eof_after_cue.vtt")) == [(1000, 2000, "no final line break")]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("refused_*.vtt")))
def test_refused_files_name_line_1(name: str) -> None:
    with pytest.raises(InputError, match=r"^in\.vtt: line 1: not valid WebVTT: the file must start with 'WEBVTT'"):
        read((FIXTURES / name).read_bytes())


def test_bad_utf8_is_refused_naming_the_line_and_encoding_reads_it() -> None:
    data = (FIXTURES / "bad_utf8.vtt").read_bytes()
    with pytest.raises(InputError, match=r"not UTF-8 text \(line 4, byte \d+\).*--encoding"):
        read(data)
    assert texts(read(data, encoding="cp1252")) == ["café"]


def test_time_beyond_the_model_is_refused_naming_the_line() -> None:
    with pytest.raises(InputError, match=r"^in\.vtt: line 6: cue time 2401:00:01\.000 is beyond 100 days"):
        fixture("beyond_100_days.vtt")


@pytest.mark.parametrize("name", ["line_endings_crlf.vtt", "line_endings_cr.vtt", "line_endings_mixed.vtt"])
def test_line_endings(name: str) -> None:
    assert cues(fixture(name)) == [(1000, 2000, "line one\nline two"), (3000, 4000, "three")]


def test_nul_becomes_replacement_character() -> None:
    raw = fixture("nul.vtt")
    assert texts(raw) == ["nul\ufffdhere"]
    ((cue,), _) = vtt.parse((FIXTURES / "nul.vtt").read_text("utf-8"))
    assert cue.identifier == "id\ufffdone"


def test_header_note_style_region_blocks() -> None:
    raw = fixture("header_blocks.vtt")
    assert cues(raw) == [(1000, 2000, "after the header blocks")]
    # A STYLE block after a cue is ignored by the algorithm; NOTE blocks are comments.
    assert raw.warnings == ("line 21: STYLE block after the first cue ignored",)


@pytest.mark.parametrize("name", ["header_then_cue.vtt", "header_line_then_cue.vtt"])
def test_a_timing_line_ends_the_header(name: str) -> None:
    raw = fixture(name)
    assert raw.items[0].start == 1000 and raw.warnings == ()
    ((first, *_), _) = vtt.parse((FIXTURES / name).read_text("utf-8"))
    assert first.identifier == ""


def test_identifiers() -> None:
    raw = fixture("identifiers.vtt")
    found, _ = vtt.parse((FIXTURES / "identifiers.vtt").read_text("utf-8"))
    assert [c.identifier for c in found] == [
        "1", "intro — «スタート»",
        "NOTE this is an identifier, not a comment, when a timing line follows",
        "",  # "a --> b" is tried as a timing line, fails, and the next line starts a block
        "  spaced id  ",
    ]
    assert len(raw.items) == 5
    assert raw.warnings == ("line 15: cue dropped: bad timing line 'a --> b'",)


def test_cue_settings_never_drop_a_cue() -> None:
    raw = fixture("settings.vtt")
    assert [(int(i.start), int(i.end)) for i in raw.items] == [
        (1000, 2000), (2000, 3000), (3000, 4000), (4000, 5000), (5000, 6000), (6000, 7000)]
    assert raw.warnings == ()
    found, _ = vtt.parse((FIXTURES / "settings.vtt").read_text("utf-8"))
    assert found[0].settings == " align:start line:0 position:10%,line-left size:50% vertical:rl"


def test_timings_kept_and_dropped() -> None:
    raw = fixture("timings.vtt")
    assert cues(raw) == [
        (1000, 2000, "minutes and seconds"),
        (3_601_000, 3_602_000, "hours"),
        (442_800_000, 442_801_000, "three-digit hours"),
        (59_999, 60_000, "up to 59"),
        (9000, 8000, "end before start: kept by the parser"),  # the normaliser swaps it
        (10_000, 10_000, "zero length: kept by the parser"),
        (12_000, 13_000, "kept after all the bad ones"),
    ]
    assert raw.warnings == (
        "line 21: cue dropped: bad timing line '00:08.7890 --> 00:09.000'",
        "line 24: block dropped: no timing line before '00:09.000 00:10.000'",
        "line 27: cue dropped: bad timing line '00:60.000 --> 00:61.000'",
        "line 30: cue dropped: bad timing line '60:00.000 --> 61:00.000'",
        "line 33: cue dropped: bad timing line '1:00.000 --> 1:01.000'",
        "line 36: cue dropped: bad timing line '00:01,000 --> 00:02,000'",
        "line 39: cue dropped: bad timing line '00:00:01.00 --> 00:00:02.000'",
        "line 42: cue dropped: bad timing line '00:11.000 --> '",
        "line 45: block dropped: no timing line before '00:12.000 -> 00:13.000'",
    )


@pytest.mark.parametrize(("line", "expected"), [
    ("00:01.000 --> 00:02.000", (1000, 2000, "")),
    ("00:00:01.000-->00:00:02.000", (1000, 2000, "")),
    (" \t00:01.000\t--> 00:02.000 align:end", (1000, 2000, " align:end")),
    ("00:02.000 --> 00:02.000x", (2000, 2000, "x")),
    ("59:59.999 --> 100:00:00.000", (3_599_999, 360_000_000, "")),
    ("00:08.7890 --> 00:09.000", None),
    ("00:01.000 -> 00:02.000", None),
    ("00:01.000 00:02.000", None),
    ("０0:01.000 --> 00:02.000", None),  # only ASCII digits
    ("00:01.000 --> 00:02:00.000", (1000, 120_000, "")),
    ("00:01.000 --> 00:02:0.000", None),
    ("00:00:60.000 --> 00:01:00.000", None),
    ("00:60:00.000 --> 01:00:00.000", None),
])  # fmt: skip
def test_parse_timing(line: str, expected: tuple[int, int, str] | None) -> None:
    assert vtt.parse_timing(line) == expected


def test_a_line_with_an_arrow_inside_a_payload_starts_the_next_block() -> None:
    raw = fixture("arrow_in_payload.vtt")
    assert cues(raw) == [
        (1000, 2000, "first cue"),
        (2000, 3000, "a timing line inside a payload starts a new cue"),
        (3000, 4000, "text"),
        (4000, 5000, ""),
        (5000, 6000, "an empty cue, then this one"),
        (6000, 7000, "a second arrow is a cue setting"),
    ]
    assert raw.warnings == (
        "line 10: cue dropped: bad timing line 'with an --> arrow drops what follows until the blank line'",)


def test_blocks_without_a_timing_line_are_reported() -> None:
    raw = fixture("no_timing_blocks.vtt")
    assert texts(raw) == ["kept", "a timing line on line three ends the block: a new cue starts there",
                          "", "after an empty cue"]
    assert raw.warnings == ("line 3: block dropped: no timing line before 'just some text'",
                            "line 9: block dropped: no timing line before 'id'")


def test_empty_cues_are_kept_for_the_normaliser_to_report() -> None:
    assert texts(fixture("empty_cues.vtt")) == ["", "", "", "last"]


# --------------------------------------------------------------------------- cue text


def test_tags() -> None:
    assert texts(fixture("tags.vtt")) == [
        "italic bold underline",
        "classes language i with classes",
        "unterminated italic\nand bold to the end",
        "unknown tags are ignored, case matters",
        "misnested tags close in order",
        "karaoke timestamps leave no text even bad ones",
        "a  b c d  e f gh",  # "</v >" is an end tag named "v ", which closes nothing
        "漢(かん)字(じ) and 東京(とうきょう) stray rt",
        "base (ruby text closed by the end of the cue)",
        "text",  # "<i unterminated tag at the end" is a start tag running to the end
        "a  d",  # "< b and c >" is a tag with an empty name and an annotation
        "tag across lines and x",
    ]


def test_character_references() -> None:
    assert texts(fixture("references.vtt")) == [
        "& < > \u200e\u200f\xa0|",
        "♥ é É © ½ ⪢̸ ∳",
        "legacy without semicolon: & < © ¬it; ∉ &x &",
        "numeric: A B C D Ex \ufffd € Ÿ \x81 \x01 \ufffd \ufffd \ufffd",
        "not references: & alone, &; &# &#x &#; &unknown; &AmP; a&b",
        "annotation references",
    ]


def test_references_differ_from_html_unescape_only_where_it_deletes() -> None:
    # html.unescape deletes what HTML keeps as a (parse-error) character: &#1; &#x7f; &#xfdd0;
    for reference, kept in [("&#1;", "\x01"), ("&#x7f;", "\x7f"), ("&#xFDD0;", "\ufdd0")]:
        assert vtt.decode_references(reference) == kept and html.unescape(reference) == ""
    sample = "&amp;&lt;&gt;&lrm;&rlm;&nbsp;&hearts;&amp &notit; &#128;&#0;&#x110000;&#xD800;&bogus;"
    assert vtt.decode_references(sample) == html.unescape(sample)


def test_voices() -> None:
    raw = fixture("voices.vtt")
    found = [(item.text, item.speaker, item.voices) for item in raw.items]
    V = Voice
    assert found == [
        ("the whole cue is Fred's", "Fred", ()),
        ("one\ntwo", None, (V("Fred", "one"), V("Bill", "two"))),
        ("Narrator first,\nthen Bill", None, (V(None, "Narrator first,"), V("Bill", "then Bill"))),
        ("Fred\nBill on the next line", None, (V("Fred", "Fred"), V("Bill", "Bill on the next line"))),
        ("unclosed voice runs to the end\nof the cue", "Fred", ()),
        ("voice with a class", "Fred", ()),
        ("collapsed name", "Mary Jane Watson", ()),
        ("one two", "Fred", ()),
        ("nested\nback to Fred", None, (V("Bill", "nested"), V("Fred", "back to Fred"))),
        ("voice inside italics\nand\nitalics inside a voice", None,
         (V("Ana", "voice inside italics"), V(None, "and"), V("Bob", "italics inside a voice"))),
        ("a voice without a name", None, ()),
        ("one\ntwo", None, (V("Fred", "one"), V("Bill", "two"))),
        ("- Yes.\n- No.", None, (V("Fred", "- Yes."), V("Bill", "- No."))),
        ("one\ntwo\nthree", None, (V("Fred", "one"), V("Bill", "two"), V("Ana", "three"))),
        ("only Bill has words", "Bill", ()),
        ("capital V is not a voice", None, ()),
        ("name ending in a hyphen", "a-", ()),
    ]


@pytest.mark.parametrize(("payload", "expected"), [
    ("<v Fred>Yes</v>!", ("Yes!", "Fred", ())),
    ("<v A>a</v>, <v B>b</v>.", ("a,\nb.", None, (Voice("A", "a,"), Voice("B", "b.")))),
    ("<v Fred>one</v> - <v Fred>two</v>", ("one - two", "Fred", ())),
    ("<v Tom &amp; Jerry>x</v>", ("x", "Tom & Jerry", ())),
    ("<v &#32; Fred&#9;&#10;Smith&#32;>x", ("x", "Fred Smith", ())),  # decoded, then collapsed
    ("<v Fred>a\n</v>\n<v Bill>\nb</v>", ("a\nb", None, (Voice("Fred", "a"), Voice("Bill", "b")))),
    ("<v Fred>a</v>\n\n", ("a", "Fred", ())),
])  # fmt: skip
def test_voice_runs(payload: str, expected: tuple[str, str | None, tuple[Voice, ...]]) -> None:
    assert vtt.cue_content(payload) == expected


# --------------------------------------------------------------------------- properties


def check_item(item: RawItem) -> None:
    """The model's promise for a cue of several voices, and no blank line invented."""
    if item.voices:
        assert len(item.voices) >= 2 and item.speaker is None
        assert item.text == "\n".join(v.text for v in item.voices)
        assert all(v.text and v.text == v.text.strip() for v in item.voices)
        assert all(a.speaker != b.speaker for a, b in zip(item.voices, item.voices[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_input_error_escapes(data: bytes) -> None:
    for prefix in (b"", b"WEBVTT\n\n"):
        try:
            raw = read(prefix + data)
        except InputError:
            continue
        for item in raw.items:
            check_item(item)


_PIECES = st.sampled_from([
    "\n", "\n\n", "\r", " ", "-->", " --> ", "00:01.000", "00:00:02.000", "00:08.7890", "<v Fred>",
    "<v Bill>", "</v>", "<v>", "<i>", "</i>", "<ruby>", "<rt>", "</ruby>", "<1>", "<", ">", "&",
    "&amp;", "&#", "&#x1F600;", "NOTE", "STYLE", "-", "!", "word", "\x00", "\ufeff", "\u3000",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=60).map("".join))
def test_fuzz_documents_keep_the_model_promises(document: str) -> None:
    try:
        raw = read("WEBVTT\n\n" + document)
    except InputError:
        return
    for item in raw.items:
        check_item(item)
    for warning in raw.warnings:
        assert re.fullmatch(r"line \d+: .+", warning, re.DOTALL)


@settings(max_examples=200, deadline=None)
@given(transcripts(), st.booleans(), st.booleans())
def test_our_writer_reads_back_exactly(transcript: Transcript, voice_spans: bool, cue_ids: bool) -> None:
    written = vtt.dumps(transcript, vtt.VttOptions(voice_spans=voice_spans, cue_ids=cue_ids))
    raw = read(written)
    expected = []
    for cue in transcript.cues:
        text = "\n".join(expected_lines(cue.text))
        if text:
            expected.append((cue.start_ms, cue.end_ms, text, expected_speaker(cue.speaker) if voice_spans else None))
    assert [(int(i.start), int(i.end), i.text, i.speaker) for i in raw.items] == expected
    assert raw.warnings == ()


def test_multi_voice_cues_read_back_as_voices() -> None:
    from dubsubs.model import Cue

    cue = Cue.spoken(0, 1000, (Voice("Fred", "one"), Voice("Bob-", "two & <three>"), Voice("Fred", "four")))
    raw = read(vtt.dumps(Transcript(cues=(cue,)), vtt.VttOptions()))
    assert raw.items[0].voices == cue.voices and raw.items[0].text == cue.text


def test_webvtt_py_agrees_on_plain_documents() -> None:
    """webvtt-py as a second, independent reader, on what it reads as the spec does."""
    document = "WEBVTT\n\n" + "\n".join(
        f"{n}\n00:{n:02d}.000 --> 00:{n:02d}.500 align:start\nline {n} &amp; more\nsecond line\n"
        for n in range(30))
    theirs = [(c.start_in_seconds * 1000 + int(c.start[-3:]), html.unescape(c.text))
              for c in webvtt.from_string(document)]
    assert [(int(i.start), i.text) for i in read(document).items] == theirs
