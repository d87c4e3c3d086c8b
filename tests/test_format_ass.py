"""ASS: what we write is read by pysubs2 and drawn by libass (through ffmpeg); what we read
from files written by others agrees with pysubs2's reading."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from pathlib import Path

import pysubs2
import pytest
from _export_support import (
    check_golden,
    expected_lines,
    expected_speaker,
    sample_transcript,
    texts,
    transcripts,
)
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dubsubs.cli import main
from dubsubs.errors import InputError, OptionError
from dubsubs.formats import FORMATS, export, get_format, read_file
from dubsubs.formats.ass import AssOptions, dumps, read
from dubsubs.formats.base import ReadOptions
from dubsubs.model import Cue, RawTranscript, Transcript, Voice

FFMPEG = shutil.which("ffmpeg")
HUNDRED_HOURS = 100 * 3600 * 1000  # pysubs2 reads hours of one or two digits
SPECIAL = re.compile(r"[{}\\]")


def centiseconds_up(ms: int) -> int:
    return (ms + 9) // 10 * 10


def expected_name(speaker: str | None) -> str:
    """The Name field for a speaker, as the docstring states it: cleaned, ``,`` as ``‚``
    and ``/`` as ``∕``."""
    name = expected_speaker(speaker)
    return "" if name is None else name.replace(",", "\u201a").replace("/", "\u2215")


def libass_shows(text: str) -> str:
    """What libass draws for an event's text (its escapes, restated from libass's
    ``ass_get_next_char`` and its parser): ``{...}`` blocks hidden, ``\\N`` a line break,
    ``\\h`` a no-break space, ``\\{``/``\\}`` braces; U+2060 is invisible."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "{" and "}" in text[i:]:
            i = text.index("}", i) + 1
            continue
        pair = text[i : i + 2]
        if pair in ("\\N", "\\h", "\\{", "\\}"):
            out.append({"\\N": "\n", "\\h": "\xa0"}.get(pair, pair[1:]))
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out).replace("\u2060", "")


def events(document: str) -> list[pysubs2.SSAEvent]:
    subs = pysubs2.SSAFile.from_string(document)
    return [event for event in subs.events if event.type == "Dialogue"]


def assert_pysubs2_agrees(transcript: Transcript, document: str) -> None:
    shown = [cue for cue in transcript.cues
             if any(expected_lines(v.text) for v in cue.voices) or expected_lines(cue.text)]
    found = events(document)
    assert len(found) == len(shown)
    subs = pysubs2.SSAFile.from_string(document)
    for cue, event in zip(shown, found, strict=True):
        assert (event.start, event.end) == (centiseconds_up(cue.start_ms), centiseconds_up(cue.end_ms))
        voices = [v for v in cue.voices if expected_lines(v.text)]
        if len(voices) > 1:
            assert event.name.strip() == " / ".join(expected_name(v.speaker) for v in voices).strip()
            lines = [line for v in voices for line in expected_lines(v.text)]
        else:
            speaker = voices[0].speaker if voices else cue.speaker
            assert event.name == expected_name(speaker)
            assert event.style in subs.styles
            if expected_name(speaker):
                assert event.style != "Default"
            lines = expected_lines(voices[0].text if voices else cue.text)
        assert libass_shows(event.text) == "\n".join(lines).replace("\u2060", "")
        if not SPECIAL.search(cue.text):
            # pysubs2 knows no escapes, so its plain text is ours only without braces
            # and backslashes.
            assert event.plaintext == "\n".join(lines)


def voiced_cue() -> Cue:
    return Cue.spoken(17_000, 19_005, (Voice("Ana & Co", "Yes,\nof course."), Voice(None, "No."),
                                       Voice("Bob, Jr/II", "{\\i1} Why?")))


def test_sample_matches_golden_and_pysubs2() -> None:
    transcript = sample_transcript()
    transcript = Transcript((*transcript.cues[:-1], voiced_cue(), transcript.cues[-1]), run_id="41707",
                            language="en-GB")
    check_golden("sample.ass", export(transcript, "ass"))
    within = Transcript(transcript.cues[:-1])  # pysubs2 reads up to 99 hours
    document = export(within, "ass")
    assert_pysubs2_agrees(within, document)
    subs = pysubs2.SSAFile.from_string(document)
    assert subs.info["PlayResX"] == "1920" and subs.info["PlayResY"] == "1080"
    colours = [(style.primarycolor.r, style.primarycolor.g, style.primarycolor.b) for name, style in subs.styles.items() if name != "Default"]
    assert len(colours) == len(set(colours)) >= 5  # one colour per speaker


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcripts())
def test_pysubs2_reads_what_we_write(transcript: Transcript) -> None:
    transcript = Transcript(tuple(cue for cue in transcript.cues if cue.end_ms < HUNDRED_HOURS))
    assert_pysubs2_agrees(transcript, dumps(transcript, AssOptions()))


@st.composite
def voiced_transcripts(draw: st.DrawFn) -> Transcript:
    base = draw(transcripts(max_cues=6))
    cues = list(base.cues)
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, 100_000))
        voices = tuple(Voice(draw(st.one_of(st.none(), st.sampled_from(["Ana", "Bob, Jr", "a/b"]))),
                             draw(texts)) for _ in range(draw(st.integers(2, 3))))
        cues.append(Cue.spoken(start, start + draw(st.integers(0, 5_000)), voices))
    cues.sort(key=lambda cue: cue.start_ms)
    return Transcript(tuple(cues), run_id=base.run_id, language=base.language)


def read_back(document: str) -> RawTranscript:
    (raw,) = list(read(document.encode("utf-8"), "t.ass", ReadOptions()))
    assert isinstance(raw, RawTranscript)
    return raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(voiced_transcripts())
def test_round_trip_through_our_reader(transcript: Transcript) -> None:
    document = dumps(transcript, AssOptions())
    expected = []
    for cue in transcript.cues:
        voices = [(expected_name(v.speaker) or None, "\n".join(expected_lines(v.text)))
                  for v in cue.voices if expected_lines(v.text)]
        if not voices and expected_lines(cue.text) and not cue.voices:
            voices = [(expected_name(cue.speaker) or None, "\n".join(expected_lines(cue.text)))]
        if voices:
            expected.append((centiseconds_up(cue.start_ms), centiseconds_up(cue.end_ms), voices))
    if not expected:
        with pytest.raises(InputError, match="no Dialogue events"):
            read_back(document)
        return
    items = read_back(document).items
    assert len(items) == len(expected)
    for item, (start, end, voices) in zip(items, expected, strict=True):
        assert (item.start, item.end) == (start, end)
        assert item.text == "\n".join(text for _, text in voices)
        if len(voices) > 1:
            assert item.speaker is None
            assert [(v.speaker, v.text) for v in item.voices] == voices
        else:
            assert item.voices == () and item.speaker == voices[0][0]


def test_times_round_up_to_the_centisecond() -> None:
    cues = (Cue(0, 10, "a"), Cue(10, 1_001, "b"), Cue(1_001, 3_599_999, "c"), Cue(3_599_999, HUNDRED_HOURS + 5, "d"))
    document = export(Transcript(cues), "ass")
    stamps = re.findall(r"^Dialogue: 0,([^,]*),([^,]*),", document, re.M)
    assert stamps == [("0:00:00.00", "0:00:00.01"), ("0:00:00.01", "0:00:01.01"),
                      ("0:00:01.01", "1:00:00.00"), ("1:00:00.00", "100:00:00.01")]


def test_options_are_validated_by_name() -> None:
    for bad in ({"play_res": (1920,)}, {"play_res": (0, 1080)}, {"play_res": [1920, 1080]},
                {"font_name": "A,B"}, {"font_name": " "}, {"font_size": 0}, {"font_size": 2000},
                {"font_size": 40.5}):
        with pytest.raises(OptionError, match=next(iter(bad))):
            get_format("ass").options(**bad)
    document = export(Transcript((Cue(0, 1000, "x", "Ana"),)), "ass", play_res=(640, 360),
                      font_name="DejaVu Sans", font_size=20)
    style = pysubs2.SSAFile.from_string(document).styles["Ana"]
    assert (style.fontname, style.fontsize) == ("DejaVu Sans", 20)


def test_registered_written_only_when_asked() -> None:
    fmt = FORMATS["ass"]
    assert fmt.suffixes == (".ass", ".ssa") and not fmt.default and fmt.readable and fmt.writable


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("name", ["aegisub.ass", "ssa4.ssa"])
def test_files_written_by_others_read_as_pysubs2_reads_them(fixtures_dir: Path, name: str) -> None:
    path = fixtures_dir / "ass" / name
    (raw,) = read_file(path)
    theirs = events(path.read_bytes().decode("utf-8-sig"))
    assert len(raw.items) == len(theirs) > 0
    for item, event in zip(raw.items, theirs, strict=True):
        assert (item.start, item.end) == (event.start, event.end)
        assert item.speaker == (event.name or None)
        # pysubs2 shows \h as a space; libass (and we) as a no-break space.
        assert item.text.replace("\xa0", " ") == event.plaintext


def test_aegisub_fixture_reports_what_it_skips(fixtures_dir: Path) -> None:
    (raw,) = read_file(fixtures_dir / "ass" / "aegisub.ass")
    assert raw.warnings == ("lines 26, 31: 2 Comment events skipped (not shown)",
                            "line 34: words inside override braces (ASS comments, not shown) "
                            "removed from 1 event")


def test_libass_text_rules() -> None:
    document = ("[Script Info]\nWrapStyle: 2\n\n[Events]\n"
                "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,a\\nb \\{x\\} c{ d\n"
                "Dialogue: 0,0:00:01.5,0:00:02.00,Default,,0,0,0,,{\\p1}m 0 0 l 10 0 10 10{\\p0}shape\n")
    raw = read_back(document)
    assert [item.text for item in raw.items] == ["a\nb {x} c{ d", "shape"]
    assert raw.items[1].start == 1050  # as libass: one digit is still centiseconds
    assert any("vector drawings" in w for w in raw.warnings)
    assert any("not of two digits" in w for w in raw.warnings)
    spaced = read_back(document.replace("WrapStyle: 2", "WrapStyle: 0"))
    assert spaced.items[0].text == "a b {x} c{ d"


@pytest.mark.parametrize(("document", "where", "message"), [
    ("[Events]\nDialogue: 0,0:00:01.00,soon,Default,,0,0,0,,x\n", "line 2", "bad time"),
    ("[Events]\nFormat: Start, End, Text\nDialogue: 0:00:01.00\n", "line 3", "fields"),
    ("[Events]\nFormat: Start, Text, End\n", "line 2", "end with Text"),
    ("[Events]\nFormat: Start, Text\n", "line 2", "no End"),
    ("[Script Info]\nTitle: x\n", None, "no [Events]"),
    ("[Events]\nComment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,x\n", None, "no Dialogue"),
])  # fmt: skip
def test_errors_name_the_line(document: str, where: str | None, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_back(document)
    assert caught.value.where == where and caught.value.source == "t.ass"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.sampled_from(["[Script Info]", "[Events]", "WrapStyle: 2",
                                           "Format: Start, End, Name, Text", "Format: Text",
                                           "Dialogue: 0:00:01.00,0:00:02.00,A / B,{\\rA}x\\N{\\r}y",
                                           "Dialogue: 9999999999:00:00.00,0:0:0.0,,", "Dialogue: ,",
                                           "{\\p1}", "\\", "{", "}", "\u2060", ",", ":"]),
                          max_size=12).map(lambda parts: "\n".join(parts).encode())))
def test_reader_only_ever_raises_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        list(read(data, "fuzz.ass", ReadOptions()))


def test_convert_cli_to_and_from_ass(fixtures_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                  "-o", str(tmp_path), "-f", "ass"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "episode3.ass"
    assert [e.name for e in events(written.read_text())][:2] == ["Maya", "Tom"]
    result = runner.invoke(main, ["check", str(written), "--preset", "none"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "again"
    result = runner.invoke(main, ["convert", str(fixtures_dir / "ass" / "aegisub.ass"), "-o", str(out),
                                  "-f", "srt,vtt,ttml,json,ass"])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".ass", ".json", ".srt", ".ttml", ".vtt"]
    assert "HENDERSON & SONS" in (out / "aegisub.srt").read_text()


# --------------------------------------------------------------------------- libass


def render_ink(document: str, tmp_path: Path, at: float) -> list[tuple[int, int]]:
    """The pixels libass draws at ``at`` seconds on a black 640x360 frame, as (x, y)."""
    assert FFMPEG is not None
    script = tmp_path / "render.ass"
    script.write_text(document, encoding="utf-8")
    frame = subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=black:s=640x360:d=4:r=25",
         "-vf", f"subtitles={script.name}", "-ss", str(at), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        cwd=tmp_path, capture_output=True, check=True, timeout=60).stdout
    assert len(frame) == 640 * 360
    return [(i % 640, i // 640) for i, value in enumerate(frame) if value > 40]


needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg (with libass) is not installed")


@needs_ffmpeg
def test_libass_draws_a_cue_inside_its_time_only(tmp_path: Path) -> None:
    document = export(Transcript((Cue(1_000, 2_500, "Hello there", "Ana"),)), "ass", play_res=(640, 360))
    assert len(render_ink(document, tmp_path, 1.8)) > 200
    assert render_ink(document, tmp_path, 0.4) == []
    assert render_ink(document, tmp_path, 3.2) == []


@needs_ffmpeg
def test_libass_draws_braces_and_backslashes_literally(tmp_path: Path) -> None:
    def width(text: str) -> int:
        document = export(Transcript((Cue(0, 4_000, text),)), "ass", play_res=(640, 360))
        xs = [x for x, _ in render_ink(document, tmp_path, 1.0)]
        assert xs, text
        return max(xs) - min(xs)

    # Were "{\b1}" taken for a tag, the first would draw as wide as the second.
    assert width("say {\\b1} now") > width("say  now") + 20
    # Were "\N" taken for a break, the text would be two short lines, narrower.
    assert width("one\\Ntwo") > width("one two")
