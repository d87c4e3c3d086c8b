"""SCC: what we write is read by ttconv and pycaption (code we did not write); what we
read is compared with ttconv's reading of the same file."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycaption import SCCReader
from ttconv.model import Br, Text
from ttconv.scc import reader as ttconv_scc

from dubsubs.cli import main
from dubsubs.errors import InputError, OptionError
from dubsubs.formats import export, iter_bytes, read_file
from dubsubs.formats.scc import SccOptions, plan
from dubsubs.formats.scc.cea608 import BASIC, ENCODINGS, EXTENDED, SPECIAL
from dubsubs.model import Cue, Transcript, Voice

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FRAME_MS = 1001 / 30  # one frame at 29.97


def frame_of(ms: float) -> int:
    return round(ms / FRAME_MS)


def ttconv_captions(text: str) -> list[tuple[float, float, str]]:
    """(begin ms, end ms, text) of every paragraph ttconv reads."""
    doc = ttconv_scc.to_model(text)
    found = []

    def walk(element: object, parts: list[str]) -> None:
        for child in element:  # type: ignore[attr-defined]
            if isinstance(child, Text):
                parts.append(child.get_text())
            elif isinstance(child, Br):
                parts.append("\n")
            else:
                walk(child, parts)

    body = doc.get_body()
    assert body is not None
    for div in body:
        for paragraph in div:
            parts: list[str] = []
            walk(paragraph, parts)
            found.append((float(paragraph.get_begin()) * 1000, float(paragraph.get_end()) * 1000, "".join(parts)))
    return found


# ttconv draws a few extended characters with other code points than the standard's
# glyphs (a box-drawing line for the em dash, heavy corners for the light ones...).
TTCONV_GLYPHS = {"\u2501": "\u2014", "\u028c": "^", "\u2503": "\u00a6", "\u250f": "\u250c",
                 "\u2513": "\u2510", "\u2517": "\u2514", "\u251b": "\u2518"}


def ttconv_glyphs(text: str) -> str:
    return "".join(TTCONV_GLYPHS.get(c, c) for c in text)


# pycaption has the two vertical bars of the extended set the other way round from the
# standard (0x132E is the pipe, 0x1337 the broken bar) and from ttconv.
PYCAPTION_GLYPHS = {"|": "\u00a6", "\u00a6": "|"}


def pycaption_captions(text: str) -> list[tuple[float, float, str]]:
    captions = SCCReader().read(text).get_captions("en-US")
    return [(c.start / 1000, c.end / 1000, "".join(PYCAPTION_GLYPHS.get(ch, ch) for ch in c.get_text()))
            for c in captions]


def words(text: str) -> str:
    """Text as shown, whatever the line breaks and centring (pycaption keeps the
    indentation as no-break spaces)."""
    return " ".join(text.replace("\xa0", " ").split())


def expected_text(cue: Cue, replacements: dict[str, str]) -> str:
    return words("".join(replacements.get(c, c) for c in cue.text))


DEFAULT = SccOptions()


def check_against_readers(transcript: Transcript, options: SccOptions = DEFAULT,
                          readers: tuple[str, ...] = ("ttconv", "pycaption")) -> None:
    """Every caption appears within one frame of its cue's start (plus the delay the
    report gives for a late one), and ends within one frame of its end, with the cue's
    text after the reported replacements."""
    result = plan(transcript, options)
    late = {note.cue: note.frames for note in result.notes if note.kind == "late"}
    assert not any(note.kind == "split" for note in result.notes)
    replaced: dict[int, dict[str, str]] = {}
    for replacement in result.replacements:
        replaced.setdefault(replacement.cue, {})[replacement.char] = replacement.written
    cues = [(n, cue) for n, cue in enumerate(transcript.cues, 1) if words(cue.text)]
    for reader in readers:
        got = ([(b, e, ttconv_glyphs(t)) for b, e, t in ttconv_captions(result.text)] if reader == "ttconv"
               else pycaption_captions(result.text))
        assert len(got) == len(cues), reader
        for (number, cue), (begin, end, text) in zip(cues, got, strict=True):
            wanted = frame_of(cue.start_ms) + late.get(number, 0)
            assert abs(begin - wanted * FRAME_MS) <= FRAME_MS + 1, (reader, number, begin, cue)
            if number not in late:
                assert abs(end - cue.end_ms) <= FRAME_MS + 1, (reader, number, end, cue)
            assert words(text) == expected_text(cue, replaced.get(number, {})), reader
            assert all(len(line.replace("\xa0", " ").strip()) <= 32 for line in text.split("\n"))


# --------------------------------------------------------------------------- the writer


def sample() -> Transcript:
    return Transcript((
        Cue(2_000, 4_500, "Hello & welcome to <the> show.", "Ana"),
        Cue(5_000, 8_000, "Señor Núñez: «¿Qué tal?» — très bien, à bientôt!", "Bob"),
        Cue(9_000, 11_000, "Ärger über Straße? Øresund, Åse.", None),
        Cue(12_000, 15_000, "“Smart” ‘quotes’ aren’t plain… {braces} | pipe ~ ^ _ \\ *", None),
        Cue(16_000, 19_000, "♪ 50¢, £3, ½ off ® ™ ©", None),
        Cue.spoken(20_000, 23_000, (Voice("A", "Two voices here."), Voice("B", "And the other one."))),
        Cue(24_000, 24_500, "   ", None),
        Cue(26_000, 29_000, "Łódź and São Paulo, 日本", None),
    ))


def test_sample_is_read_by_ttconv_and_pycaption() -> None:
    check_against_readers(sample())


def test_replacements_are_reported_with_cue_and_character() -> None:
    result = plan(sample(), SccOptions())
    found = {(r.cue, r.char): r.written for r in result.replacements}
    assert found[(4, "\u2019")] == "'"
    assert found[(4, "\u2026")] == "..."
    assert found[(8, "\u0141")] == "L"
    assert found[(8, "\u00f3")] == "o" if "\u00f3" not in ENCODINGS else (8, "\u00f3") not in found
    assert found[(8, "\u65e5")] == "?"
    # Characters the sets have are written as themselves, not reported.
    assert not any(r.cue in (2, 3, 5) for r in result.replacements)
    assert any(line.startswith('scc cue 4: "\u2019" written as "\'" (2\u00d7)') for line in result.warnings)


def test_every_settable_character_reaches_both_readers() -> None:
    chars = sorted(set(ENCODINGS))
    lines = ["".join(chars[i:i + 24]) for i in range(0, len(chars), 24)]
    cues = tuple(Cue(3_000 + 4_000 * n, 6_000 + 4_000 * n, line) for n, line in enumerate(lines))
    result = plan(Transcript(cues), SccOptions())
    assert not result.replacements
    check_against_readers(Transcript(cues), readers=("pycaption",))
    got = ttconv_captions(result.text)
    assert [words(ttconv_glyphs(text)) for _, _, text in got] == [words(x) for x in lines]


def test_a_cue_of_more_than_four_rows_becomes_consecutive_captions() -> None:
    text = " ".join(f"word{n:02d}" for n in range(40))  # 279 columns: 9 rows
    transcript = Transcript((Cue(5_000, 14_000, text, None),))
    result = plan(transcript, SccOptions())
    assert [n.kind for n in result.notes] == ["split"]
    got = ttconv_captions(result.text)
    assert len(got) == 3
    assert words(" ".join(t for _, _, t in got)) == text
    assert all(len(t.split("\n")) <= 4 for _, _, t in got)
    assert abs(got[0][0] - 5_000) <= FRAME_MS and abs(got[-1][1] - 14_000) <= FRAME_MS
    assert all(a[1] <= b[0] + 1 for a, b in itertools.pairwise(got))


def test_a_caption_that_cannot_load_in_time_is_reported_and_shown_late() -> None:
    long = "This caption has two full rows of text to load before it"
    transcript = Transcript((Cue(3_000, 3_300, "Short.", None), Cue(3_400, 6_000, long, None)))
    result = plan(transcript, SccOptions())
    late = [n for n in result.notes if n.kind == "late"]
    assert [n.cue for n in late] == [2] and late[0].frames > 1
    check_against_readers(transcript)


def test_overlapping_cues_the_earlier_is_cut_and_reported() -> None:
    transcript = Transcript((Cue(3_000, 9_000, "First.", None), Cue(6_000, 8_000, "Second.", None)))
    result = plan(transcript, SccOptions())
    assert [(n.cue, n.kind) for n in result.notes] == [(1, "cut")]
    got = ttconv_captions(result.text)
    assert abs(got[0][1] - 6_000) <= FRAME_MS


def test_timecode_drop_frame_and_non_drop() -> None:
    transcript = Transcript((Cue(3_000, 5_000, "Start.", None), Cue(3_600_000, 3_602_000, "One hour.", None)))
    result = plan(transcript, SccOptions())
    dropped = result.text
    assert result.captions[1][1] == 107_892  # the frame at one hour, 29.97 fps
    assert "00:59:59;17\t" in dropped  # its load: 13 frames before 01:00:00;00
    non_drop = plan(transcript, SccOptions(fps=Fraction(30))).text
    assert ";" not in non_drop and "00:59:55:29\t" in non_drop  # 107892 - 13 frames, non-drop
    for text in (dropped, non_drop):
        assert abs(ttconv_captions(text)[1][0] - 3_600_000) <= FRAME_MS
        assert abs(pycaption_captions(text)[1][0] - 3_600_000) <= FRAME_MS
    check_against_readers(transcript, SccOptions(fps=Fraction(30)))


def test_bytes_have_odd_parity_and_control_codes_are_doubled() -> None:
    text = plan(sample(), SccOptions()).text
    lines = [line for line in text.split("\n\n")[1:] if line.strip()]
    for line in lines:
        hexwords = line.split("\t")[1].split()
        for hexword in hexwords:
            for byte in bytes.fromhex(hexword):
                assert bin(byte).count("1") % 2 == 1, hexword
        codes = [w for w in hexwords if 0x10 <= int(w[:2], 16) & 0x7F <= 0x1F]
        runs = [len(m.group(0).split()) for m in re.finditer(r"(\b\w{4}\b)(?: \1\b)*", " ".join(codes))]
        assert all(run % 2 == 0 for run in runs), line


@pytest.mark.parametrize("fps", [Fraction(25), Fraction(24000, 1001), "59.94", 25.0, True, None, "fast"])
def test_rates_scc_cannot_carry_are_refused(fps: object) -> None:
    with pytest.raises(OptionError, match="29.97.*30"):
        SccOptions(fps=fps)  # type: ignore[arg-type]


def test_options_accept_the_two_rates_as_text() -> None:
    assert SccOptions(fps="29.97").fps == Fraction(30000, 1001)  # type: ignore[arg-type]
    assert SccOptions(fps="30").fps == 30  # type: ignore[arg-type]
    assert SccOptions(fps=29.97).fps == Fraction(30000, 1001)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="pop-on"):
        SccOptions(mode="roll-up")  # type: ignore[arg-type]


def test_export_through_the_registry() -> None:
    text = export(sample(), "scc")
    assert text.startswith("Scenarist_SCC V1.0\n\n")
    assert text == export(sample(), "scc", fps=Fraction(30000, 1001))


legal_text = st.text(alphabet=sorted(c for c in ENCODINGS if c != " "), min_size=1, max_size=12)
cue_texts = st.lists(legal_text, min_size=1, max_size=5).map(" ".join)


@st.composite
def spaced_transcripts(draw: st.DrawFn) -> Transcript:
    """Cues of up to 64 columns, each long enough and far enough from the one before
    for its caption to load in time."""
    cues, start = [], draw(st.integers(3_000, 10_000))
    for _ in range(draw(st.integers(1, 5))):
        duration = draw(st.integers(2_600, 6_000))  # 64 columns of extended characters need 65+ frames
        cues.append(Cue(start, start + duration, draw(cue_texts)[:64]))
        # Back to back, or 2 frames apart at least: a shorter gap closes (see the writer).
        start += duration + draw(st.one_of(st.just(0), st.integers(70, 3_000)))
    return Transcript(tuple(cues))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spaced_transcripts())
def test_legal_text_round_trips_through_ttconv_within_a_frame(transcript: Transcript) -> None:
    result = plan(transcript, SccOptions())
    assert not result.replacements
    # Dense extended characters can need a frame or two more than the spacing gives: such a
    # caption is reported late by its frames, and must then appear exactly that much later.
    assert not [n for n in result.notes if n.kind not in ("split", "late")]
    late = {n.cue: n.frames for n in result.notes if n.kind == "late"}
    got = ttconv_captions(result.text)
    ours = read_file_text(result.text)
    assert len(got) == len(ours) == len(transcript.cues)
    for number, (cue, (begin, end, text), mine) in enumerate(zip(transcript.cues, got, ours, strict=True), 1):
        expected_begin = cue.start_ms + late.get(number, 0) * 1001 / 30
        # A caption stays up until the next one replaces it: a late next caption that
        # follows back to back keeps this one on screen that much longer.
        follows = number < len(transcript.cues) and transcript.cues[number].start_ms == cue.end_ms
        expected_end = cue.end_ms + (late.get(number + 1, 0) * 1001 / 30 if follows else 0)
        assert abs(begin - expected_begin) <= FRAME_MS and abs(end - expected_end) <= FRAME_MS
        assert words(ttconv_glyphs(text)) == words(cue.text)
        assert abs(mine.start - begin) <= 1 and abs(mine.end - end) <= 1  # whole ms vs float
        assert words(mine.text) == words(cue.text)


def read_file_text(text: str) -> list:  # type: ignore[type-arg]
    (raw,) = list(iter_bytes(text.encode(), "x.scc"))
    assert not isinstance(raw, InputError)
    return raw.items


# --------------------------------------------------------------------------- the reader


def test_a_file_written_by_pycaption_reads_as_ttconv_reads_it() -> None:
    path = FIXTURES / "scc" / "pycaption.scc"
    (raw,) = read_file(path)
    theirs = ttconv_captions(path.read_text())
    assert len(raw.items) == len(theirs) == 5
    for item, (begin, end, text) in zip(raw.items, theirs, strict=True):
        assert abs(item.start - begin) <= 1 and abs(item.end - end) <= 1
        assert item.text == text
    assert raw.items[1].text == 'Señor Núñez says: "¿Qué tal?"\nTrès bien, à bientôt!'
    assert raw.units == "ms" and not raw.warnings


def scc(*lines: str) -> str:
    return "Scenarist_SCC V1.0\n\n" + "\n\n".join(lines) + "\n"


def test_roll_up_rows_are_cues_until_the_next_carriage_return() -> None:
    text = scc(
        "00:00:01;00\t9425 9425 94ad 94ad 9470 9470 c8e5 ecec ef80",  # RU2, CR, PAC, "Hello"
        "00:00:02;00\t94ad 94ad 9470 9470 f7ef f2ec 6480",  # CR, PAC, "world"
        "00:00:04;00\t942c 942c",
    )
    (raw,) = list(iter_bytes(text.encode(), "roll.scc"))
    assert not isinstance(raw, InputError)
    assert [(frame_of(i.start), frame_of(i.end), i.text) for i in raw.items] == [
        (36, 60, "Hello"), (64, 120, "world")]
    # ttconv reads the same words, rolled into paragraphs.
    assert words(" ".join(t for _, _, t in ttconv_captions(text))).startswith("Hello")


def test_paint_on_and_extended_characters_and_mid_row_codes() -> None:
    text = scc(
        "00:00:01;00\t9429 9429 9470 9470 4580 92a1 92a1 f4e5 91ae 91ae e5f4 e580",  # RDC, E→É, "te", italics, "ete"
        "00:00:03;00\t942c 942c",
    )
    (raw,) = list(iter_bytes(text.encode(), "paint.scc"))
    assert not isinstance(raw, InputError)
    assert [i.text for i in raw.items] == ["\u00c9te ete"]
    assert [words(t) for _, _, t in ttconv_captions(text)] == ["\u00c9te ete"]


def test_caption_channel_2_and_unerased_captions_are_warned() -> None:
    text = scc("00:00:01;00\t1c20 1c20 c8e9", "00:00:02;00\t94ae 94ae 9420 9420 9470 9470 c8e9 942f 942f")
    (raw,) = list(iter_bytes(text.encode(), "cc2.scc"))
    assert not isinstance(raw, InputError)
    assert [i.text for i in raw.items] == ["Hi"]
    assert any("channel 2" in w and w.startswith("line 3") for w in raw.warnings)
    assert any("end of the file" in w for w in raw.warnings)


@pytest.mark.parametrize(("content", "where"), [
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n", "line 1"),
    ("Scenarist_SCC V1.0\n\n00:00:01;00\t9420 zz20\n", "line 3"),
    ("Scenarist_SCC V1.0\n\nhello\n", "line 3"),
    ("Scenarist_SCC V1.0\n\n00:00:61;00\t9420\n", "line 3"),
])  # fmt: skip
def test_errors_name_the_line(content: str, where: str) -> None:
    with pytest.raises(InputError) as caught:
        list(iter_bytes(content.encode(), "bad.scc"))
    assert caught.value.where == where


def test_no_captions_is_an_error() -> None:
    with pytest.raises(InputError, match="no captions"):
        list(iter_bytes(b"Scenarist_SCC V1.0\n\n00:00:01;00\t942c 942c\n", "empty.scc"))


hex_words = st.lists(st.integers(0, 0xFFFF).map(lambda v: f"{v:04x}"), max_size=40).map(" ".join)
scc_lines = st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.sampled_from(";:"),
                      st.integers(0, 29), hex_words).map(lambda t: f"{t[0]:02d}:{t[1]:02d}:{t[2]:02d}{t[3]}{t[4]:02d}\t{t[5]}")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.lists(scc_lines, max_size=8).map(lambda ls: scc(*ls).encode())))
def test_fuzz_only_input_errors(data: bytes) -> None:
    try:
        for part in iter_bytes(data, "fuzz.scc"):
            if not isinstance(part, InputError):
                assert all(item.text for item in part.items)
    except InputError:
        pass


def test_decoded_sets_match_the_written_ones() -> None:
    # Every character the writer can send decodes to itself.
    decodable = set(BASIC.values()) | set(SPECIAL.values()) | set(EXTENDED.values())
    assert set(ENCODINGS) <= decodable


# --------------------------------------------------------------------------- the CLI


def test_convert_to_scc_and_back(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["convert", str(FIXTURES / "samples" / "episode3.json"), "-o", str(out), "-f", "scc"])
    assert result.exit_code == 0, result.output
    written = out / "episode3.scc"
    assert [p.name for p in out.iterdir()] == ["episode3.scc"]
    result = runner.invoke(main, ["convert", str(written), "-o", str(out), "-f", "srt,vtt,ttml,json"])
    assert result.exit_code == 0, result.output
    assert "Henderson" in (out / "episode3.srt").read_text()
    result = runner.invoke(main, ["check", str(written)])
    assert "episode3.scc" in result.output


def test_a_late_caption_that_follows_back_to_back_leaves_no_empty_screen() -> None:
    # Found by review: the erase was placed by the late display time, so the screen went
    # blank between the two cues for the frames the second needed to load.
    transcript = Transcript((Cue(3000, 5600, "0"),
                             Cue(5600, 8200, "{{{{ \\\\{{{ 000\\\\{{{{ 00000\\\\{{{{")))
    result = plan(transcript, SccOptions())
    (first_begin, first_end, _), (second_begin, _, _) = ttconv_captions(result.text)
    assert second_begin - first_end <= 1  # one caption replaces the other
    late = {n.cue: n.frames for n in result.notes if n.kind == "late"}
    assert abs(first_end - (5600 + late.get(2, 0) * 1001 / 30)) <= FRAME_MS
