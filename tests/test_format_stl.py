"""EBU STL (Tech 3264): our files read by ttconv's STL reader, files from elsewhere read by
both dubsubs and ttconv, the GSI fields, the warnings, the errors.

ttconv is the oracle for times (to the frame) and text. Its known departures from a
teletext reading are kept out of the generated inputs and named where they matter: it
drops a space that touches a control code or another space, moves a subtitle that starts
inside the one before to that one's end (and then drops it if nothing is left), drops a
subtitle of zero frames, shows comment blocks (CF=1) as subtitles, and reads ISO 6937
0xE2 as "Ð" where dubsubs reads "Đ" (one glyph).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import logging
from fractions import Fraction
from pathlib import Path

import pytest
from _export_support import GOLDEN, REGENERATE, sample_transcript
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dubsubs.camb.sandbox import Sandbox
from dubsubs.cli import main
from dubsubs.errors import DubsubsError, InputError, OptionError
from dubsubs.formats import FORMATS, default_formats, export, export_bytes, iter_bytes
from dubsubs.formats.stl import StlOptions, encode
from dubsubs.model import Cue, RawTranscript, Transcript, Voice

DATE = datetime.date(2024, 5, 1)
NTSC = Fraction(30000, 1001)


# --- ttconv, the independent reader -----------------------------------------------------


def ttconv_read(data: bytes) -> list[tuple[Fraction, Fraction, str, list[str]]]:
    """Every subtitle ttconv finds: begin and end in seconds, text with "\\n" between
    lines, and the colour each line starts in (ttconv's named colour)."""
    from ttconv import model
    from ttconv import style_properties as styles
    from ttconv.stl.reader import to_model

    logging.getLogger("ttconv").setLevel(logging.CRITICAL)
    names = {color.value: name for name, color in styles.NamedColors.__members__.items()}
    doc = to_model(io.BytesIO(data))
    found = []
    for div in doc.get_body():
        for p in div:
            lines, colours, fresh = [""], [], True
            for child in p:
                if isinstance(child, model.Br):
                    lines.append("")
                    fresh = True
                    continue
                if fresh:
                    colours.append(names.get(child.get_style(styles.StyleProperties.Color), "?"))
                    fresh = False
                lines[-1] += "".join(t.get_text() for t in child if isinstance(t, model.Text))
            found.append((p.get_begin(), p.get_end(), "\n".join(lines), colours))
    return found


def frames(seconds: Fraction, fps: Fraction) -> int:
    exact = seconds * fps
    assert exact.denominator == 1, f"{seconds} s is not on a frame at {fps}"
    return int(exact)


def frame_of(ms: int, fps: Fraction) -> int:
    return int(Fraction(ms) * fps / 1000 + Fraction(1, 2))  # nearest, halves up


def ours(data: bytes) -> RawTranscript:
    (raw,) = list(iter_bytes(data, "test.stl"))
    assert isinstance(raw, RawTranscript)
    return raw


# --- the writer -------------------------------------------------------------------------


def dialogue() -> Transcript:
    return Transcript((
        Cue(480, 2_910, "Morning. You're in early.", "Maya"),
        Cue(3_200, 6_050, "Couldn't sleep. The Henderson cut is due at noon, déjà vu.", "Tom"),
        Cue.spoken(6_400, 9_870, (Voice("Maya", "Reel two?"), Voice("Tom", "Reel two."))),
        Cue(10_300, 11_020, "Ça va, Łódź — “quoted” ½ ♪", None),
    ), run_id="41707", language="en-GB")


def test_gsi_block_fields_as_ttconv_reads_them() -> None:
    from ttconv.stl.datafile import DataFile

    data = export_bytes(dialogue(), "stl", creation_date=DATE, start_timecode="00:00:00:00")
    assert len(data) == 1024 + 4 * 128
    gsi = DataFile(data[:1024]).gsi
    assert (gsi.CPN, gsi.DFC, gsi.DSC, gsi.CCT, gsi.LC) == (b"850", b"STL25.01", b"1", b"00", b"09")
    assert b"41707".ljust(32) == gsi.OPT
    assert (gsi.CD, gsi.RD) == (b"240501", b"240501")
    assert (gsi.TNB, gsi.TNS, gsi.TNG) == (b"00004", b"00004", b"001")
    assert (gsi.MNC, gsi.MNR, gsi.TCS, gsi.TND, gsi.DSN) == (b"40", b"23", b"1", b"1", b"1")
    assert (gsi.TCP, gsi.TCF) == (b"00000000", b"00000012")  # first cue: 480 ms = frame 12
    assert data[373:448] == b" " * 75 and gsi.UDA == b" " * 576


@pytest.mark.parametrize(("tag", "code"), [("fr-CA", b"0F"), ("de", b"08"), ("es-ES", b"0A"),
                                           ("ja", b"69"), ("nb-NO", b"1E"), ("nl-BE", b"2A")])
def test_language_code_from_the_transcript(tag: str, code: bytes) -> None:
    transcript = Transcript((Cue(0, 1000, "x"),), language=tag)
    assert export_bytes(transcript, "stl")[14:16] == code


def test_unknown_language_is_00_and_said() -> None:
    written = encode(Transcript((Cue(0, 1000, "x"),), language="tlh"), StlOptions())
    assert written.data[14:16] == b"00"
    assert written.warnings == ("language 'tlh' has no EBU STL language code; written as 00 (unknown)",)


def test_ttconv_reads_our_dialogue_to_the_frame() -> None:
    transcript = dialogue()
    written = encode(transcript, StlOptions(creation_date=DATE))
    assert written.warnings == ()
    got = ttconv_read(written.data)
    fps = Fraction(25)
    assert [(frames(b, fps), frames(e, fps)) for b, e, _, _ in got] == [
        (frame_of(c.start_ms, fps), frame_of(c.end_ms, fps)) for c in transcript.cues
    ]
    assert [text for _, _, text, _ in got] == [
        "Morning. You're in early.",
        "Couldn't sleep. The Henderson cut is\ndue at noon, déjà vu.",  # 37 cells a row
        "Reel two?\nReel two.",
        "Ça va, Łódź — “quoted” ½ ♪",
    ]
    # A colour per speaker, each voice of the two-voice cue in its own speaker's colour.
    assert [colours for _, _, _, colours in got] == [
        ["white"], ["yellow", "yellow"], ["white", "yellow"], ["white"],
    ]


def test_golden_file(tmp_path: Path) -> None:
    transcript = sample_transcript()
    transcript = Transcript(transcript.cues[:-1], run_id=transcript.run_id, language=transcript.language)
    data = export_bytes(transcript, "stl", creation_date=DATE)
    path = GOLDEN / "sample.stl"
    if REGENERATE:
        path.write_bytes(data)
    assert path.read_bytes() == data, "sample.stl differs from the golden file"


def test_replacements_are_reported_with_cue_and_character() -> None:
    transcript = Transcript((Cue(0, 1000, "ok"), Cue(1000, 2000, "5 € — ẽ 😀 …", "A")))
    written = encode(transcript, StlOptions())
    assert written.warnings == (
        "cue 2: '€' (U+20AC) written as 'EUR'",
        "cue 2: 'ẽ' (U+1EBD) written as 'e'",
        "cue 2: '😀' (U+1F600) written as '?'",
        "cue 2: '…' (U+2026) written as '...'",
    )
    assert ttconv_read(written.data)[1][2] == "5 EUR — e ? ..."


def test_other_character_tables() -> None:
    transcript = Transcript((Cue(0, 1000, "Привет, мир"),))
    written = encode(transcript, StlOptions(character_table="01"))
    assert written.warnings == () and written.data[12:14] == b"01"
    assert ttconv_read(written.data)[0][2] == "Привет, мир"
    assert ours(written.data).items[0].text == "Привет, мир"


def test_long_text_goes_to_extension_blocks_without_parting_a_mark_from_its_letter() -> None:
    # 3 cells of codes + 36 characters + "é" as two bytes: the first block's 112th byte
    # would be the mark of an "é"; it must move to the next block with its letter.
    text = "x" * 36 + " " + "é" * 200
    transcript = Transcript((Cue(0, 2000, text), Cue(2000, 3000, "next")))
    data = export_bytes(transcript, "stl")
    blocks = [data[i : i + 128] for i in range(1024, len(data), 128)]
    first = [b for b in blocks if b[1:3] == (1).to_bytes(2, "little")]
    assert len(first) >= 4 and [b[3] for b in first] == [*range(len(first) - 1), 0xFF]
    assert data[238:243] == f"{len(blocks):05d}".encode() and data[243:248] == b"00002"
    assert all(b[16:].rstrip(b"\x8f")[-1] not in range(0xC1, 0xD0) for b in first)
    (got, nxt) = ttconv_read(data)
    assert got[2].replace("\n", "") == text.replace(" ", "") and nxt[2] == "next"
    assert ours(data).items[0].text == got[2]


def test_rows_wrap_at_37_cells_and_sit_on_the_bottom_row() -> None:
    words = "word " * 15
    data = export_bytes(Transcript((Cue(0, 1000, words.strip()),)), "stl", bottom_row=20)
    rows = data[1024 + 16 : 1024 + 128].rstrip(b"\x8f").split(b"\x8a")
    assert all(row[:3] == b"\x07\x0b\x0b" and len(row) <= 40 for row in rows)
    assert data[1024 + 13] == 20 - len(rows) + 1  # VP: the first row
    assert data[1024 + 14] == 2  # centred


def test_fps_29_97_is_stl30_with_drop_frame_labels() -> None:
    # Frame 1800 (60.06 s) opens minute 1: drop-frame label 00:01:00;02 (;00 and ;01 skipped).
    transcript = Transcript((Cue(60_060, 61_000, "one minute"),))
    data = export_bytes(transcript, "stl", fps="29.97")
    assert data[3:11] == b"STL30.01"
    assert tuple(data[1024 + 5 : 1024 + 9]) == (0, 1, 0, 2)
    ((begin, end, _, _),) = ttconv_read(data)
    assert (frames(begin, NTSC), frames(end, NTSC)) == (1800, frame_of(61_000, NTSC))


def test_fps_30_labels_count_thirty_frames() -> None:
    data = export_bytes(Transcript((Cue(60_500, 61_000, "x"),)), "stl", fps=30)
    assert data[3:11] == b"STL30.01" and tuple(data[1024 + 5 : 1024 + 9]) == (0, 1, 0, 15)


def test_a_cue_shorter_than_a_frame_gets_one_and_overlaps_are_said() -> None:
    transcript = Transcript((Cue(1000, 1000, "flash"), Cue(1000, 3000, "a"), Cue(2000, 4000, "b")))
    written = encode(transcript, StlOptions())
    assert tuple(written.data[1024 + 5 : 1024 + 13]) == (0, 0, 1, 0, 0, 0, 1, 1)
    assert written.warnings == (
        "cue 2: starts 1 frame(s) before the cue before it ends; an STL player replaces "
        "that cue when this one starts",
        "cue 3: starts 25 frame(s) before the cue before it ends; an STL player replaces "
        "that cue when this one starts",
    )


def test_a_cue_past_23_59_59_is_an_error_naming_it() -> None:
    with pytest.raises(DubsubsError, match=r"^cue 9: ends at 100:00:02:13, past the last time code"):
        export_bytes(sample_transcript(), "stl")


def test_more_speakers_than_colours_is_said() -> None:
    cues = tuple(Cue(i * 1000, i * 1000 + 500, "hi", f"S{i}") for i in range(8))
    written = encode(Transcript(cues), StlOptions())
    assert written.warnings == (
        "8 speakers for 6 colours, so some share one (white: S0, S6; yellow: S1, S7)",
    )


def test_start_timecode_is_tcp_only_and_an_earlier_cue_is_said() -> None:
    written = encode(Transcript((Cue(0, 1000, "x"),)), StlOptions(start_timecode="10:00:00:00"))
    assert written.data[256:264] == b"10000000" and tuple(written.data[1029:1033]) == (0, 0, 0, 0)
    assert written.warnings == ("the first subtitle starts at 00000000, before the programme start "
                                "10000000: readers that subtract the start time code drop it",)


@pytest.mark.parametrize(("values", "message"), [
    ({"fps": 24}, r"fps=24 \(--fps\): EBU STL time codes are 25 fps"),
    ({"fps": "fast"}, "fps='fast'"),
    ({"character_table": "05"}, "character_table '05'"),
    ({"start_timecode": "25:00"}, "not HH:MM:SS:FF"),
    ({"start_timecode": "24:00:00:00"}, "past 23:59:59"),
    ({"bottom_row": 24}, "bottom_row must be a teletext row"),
    ({"justification": "middle"}, "justification 'middle'"),
    ({"country": "France"}, "alpha-3"),
    ({"boxed": "yes"}, "must be True or False"),
    ({"colour": True}, "no option 'colour'"),
])
def test_bad_options_are_refused_by_name(values: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        export_bytes(Transcript(()), "stl", **values)


def test_registry_entry() -> None:
    fmt = FORMATS["stl"]
    assert fmt.binary and fmt.writable and fmt.readable and fmt.extension == ".stl"
    assert "stl" not in default_formats()
    with pytest.raises(OptionError, match="binary format"):
        export(Transcript(()), "stl")
    assert export_bytes(Transcript(()), "srt") == b""


# --- properties against ttconv and our reader -------------------------------------------

_LEGAL = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              ".,;:!?'\"()-&%/éèêëàâäçñöüßÉÀÇŁłØøœ£¿¡°½—“”‘’♪ğşžčěůőĳ"))
_WORDS = st.lists(st.text(_LEGAL, min_size=1, max_size=12), min_size=1, max_size=12).map(" ".join)
_LINES = st.lists(_WORDS, min_size=1, max_size=3).map("\n".join)


@st.composite
def timed(draw: st.DrawFn, fps: Fraction) -> Transcript:
    """Cues at least a frame long that never overlap once on frames (ttconv moves an
    overlapping cue), with one to three speakers."""
    count = draw(st.integers(0, 8))
    frame = 1000 / fps
    start, cues = draw(st.integers(0, 5_000_000)), []
    for _ in range(count):
        start += draw(st.integers(0, 3_000)) + int(frame) + 1
        end = start + draw(st.integers(int(2 * frame), 6_000))
        cues.append(Cue(start, end, draw(_LINES), draw(st.sampled_from([None, "Ann", "Bob", "Cy"]))))
        start = end + int(frame) + 1
    return Transcript(tuple(cues), language="fr")


def _rows_of(text: str) -> str:
    """The text as the writer lays it out: 37-cell rows, one or more per line."""
    from dubsubs.formats.stl.writer import wrap

    return "\n".join(row for line in text.split("\n") for row in wrap(line, 37))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_ttconv_reads_what_we_write(data: st.DataObject) -> None:
    fps = data.draw(st.sampled_from([Fraction(25), NTSC]))
    transcript = data.draw(timed(fps))
    written = encode(transcript, StlOptions(fps=fps))
    assert written.warnings == ()
    got = ttconv_read(written.data)
    assert [(frames(b, fps), frames(e, fps), text) for b, e, text, _ in got] == [
        (frame_of(c.start_ms, fps), frame_of(c.end_ms, fps), _rows_of(c.text)) for c in transcript.cues
    ]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_our_reader_reads_what_we_write(data: st.DataObject) -> None:
    fps = data.draw(st.sampled_from([Fraction(25), NTSC]))
    transcript = data.draw(timed(fps))
    raw = ours(export_bytes(transcript, "stl", fps=fps))
    from dubsubs.timefmt import frames_to_ms

    assert raw.language == "fr" and raw.units == "ms" and raw.warnings == ()
    assert [(item.start, item.end, item.text) for item in raw.items] == [
        (frames_to_ms(frame_of(c.start_ms, fps), fps), frames_to_ms(frame_of(c.end_ms, fps), fps),
         _rows_of(c.text)) for c in transcript.cues
    ]


# --- reading files from elsewhere -------------------------------------------------------
# A file built byte by byte from Tech 3264's layout, in the way teletext subtitling tools
# write them (double height, boxed, rows two apart): not by our writer.


def _gsi(dfc: bytes = b"STL25.01", cct: bytes = b"00", lc: bytes = b"0F") -> bytes:
    block = (b"850" + dfc + b"1" + cct + lc + b"Le Journal".ljust(32) + b" " * 160 + b" " * 16
             + b"240501" + b"240501" + b"01" + b"00006" + b"00004" + b"001" + b"38" + b"23" + b"1"
             + b"10000000" + b"10000100" + b"1" + b"1" + b"FRA" + b" " * 96 + b" " * 75 + b" " * 576)
    assert len(block) == 1024
    return block


def _tti(sn: int, ebn: int, tci: tuple[int, ...], tco: tuple[int, ...], text: bytes, cf: int = 0) -> bytes:
    assert len(text) <= 112
    return (bytes([0]) + sn.to_bytes(2, "little") + bytes([ebn, 0, *tci, *tco, 20, 2, cf])
            + text + b"\x8f" * (112 - len(text)))


LONG = b"\x0a\x0a\x8a\x8a".join(b"\x0d\x0b\x0b" + row for row in (
    b"Une tr\xc1es longue phrase", b"qui ne tient pas dans", b"un seul bloc de texte,", b"il lui en faut deux,",
    b"voire trois."))
assert 112 < len(LONG) <= 224


def elsewhere() -> bytes:
    return _gsi() + b"".join([
        _tti(1, 0xFF, (10, 0, 1, 0), (10, 0, 3, 12),
             b"\x0d\x0b\x0bL'\xc2et\xc2e \xc1a Paris\x0a\x0a\x8a\x8a\x0d\x0b\x0b\xcbCa va ?\x0a\x0a"),
        _tti(2, 0x00, (10, 0, 4, 0), (10, 0, 6, 0), LONG[:112]),
        _tti(2, 0xFF, (10, 0, 4, 0), (10, 0, 6, 0), LONG[112:]),
        _tti(3, 0xFE, (0, 0, 0, 0), (0, 0, 0, 0), b"user data: not a subtitle"),
        _tti(4, 0xFF, (10, 0, 6, 10), (10, 0, 7, 0), b"Note pour le client", cf=1),
        _tti(5, 0xFF, (10, 0, 8, 0), (10, 0, 9, 24), b"\x03\x0b\x0bJaune\x06cyan \xe8\xc8o"),
    ])


def test_a_file_from_elsewhere_read_by_us_and_by_ttconv() -> None:
    data = elsewhere()
    raw = ours(data)
    ten_hours = 36_000_000
    expected = [
        (ten_hours + 1_000, ten_hours + 3_480, "L'été à Paris\nÇa va ?"),
        (ten_hours + 4_000, ten_hours + 6_000,
         "Une très longue phrase\nqui ne tient pas dans\nun seul bloc de texte,\nil lui en faut deux,\nvoire trois."),
        (ten_hours + 8_000, ten_hours + 9_960, "Jaune cyan Łö"),
    ]
    assert [(item.start, item.end, item.text) for item in raw.items] == expected
    assert raw.language == "fr" and all(item.speaker is None for item in raw.items)
    assert raw.warnings == ("block 4: user data block (EBN FEh) skipped",
                            "block 5: comment (CF=1) skipped: 'Note pour le client'")
    # ttconv shows the comment as a subtitle; the rest is the same, to the frame.
    theirs = [(frames(b, Fraction(25)) * 40, frames(e, Fraction(25)) * 40, text)
              for b, e, text, _ in ttconv_read(data) if text != "Note pour le client"]
    assert theirs == expected


def test_a_stl_converts_to_every_format(tmp_path: Path) -> None:
    path = tmp_path / "journal.stl"
    path.write_bytes(elsewhere())
    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(tmp_path / "out"),
                                       "-f", "srt,vtt,ttml,json,stl"])
    assert result.exit_code == 0, result.output
    srt = (tmp_path / "out" / "journal.srt").read_text(encoding="utf-8")
    assert "10:00:01,000 --> 10:00:03,480\nL'été à Paris\nÇa va ?\n" in srt
    again = ours((tmp_path / "out" / "journal.stl").read_bytes())
    assert [i.text for i in again.items] == [i.text for i in ours(elsewhere()).items]


def test_convert_fetch_result_to_stl_and_check_it(fixtures_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                  "-o", str(tmp_path), "-f", "stl"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["episode3.stl"]
    checked = runner.invoke(main, ["check", str(tmp_path / "episode3.stl"), "--preset", "none"])
    assert checked.exit_code == 0, checked.output
    assert "6 cues" in checked.output


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    (_gsi()[:500], "test.stl: truncated: 500 bytes, less than the 1024-byte GSI block"),
    (elsewhere()[:-28], "test.stl: block 6: truncated: the last TTI block has 100 of its 128 bytes"),
    (elsewhere()[: 1024 + 2 * 128], "test.stl: block 2: truncated: subtitle 2 has no last block"),
    (_gsi(dfc=b"STL99.01") + elsewhere()[1024:], "test.stl: GSI: disk format code 'STL99.01'"),
    (_gsi(cct=b"09") + elsewhere()[1024:], "test.stl: GSI: character code table '09'"),
    (_gsi() + _tti(1, 0xFF, (0, 0, 1, 25), (0, 0, 2, 0), b"x"),
     "test.stl: block 1: time code in 00:00:01:25 is not a time code at 25 fps"),
    (_gsi() + _tti(1, 0x00, (0, 0, 1, 0), (0, 0, 2, 0), b"x") + _tti(2, 0xFF, (0, 0, 1, 0), (0, 0, 2, 0), b"y"),
     "test.stl: block 2: subtitle 2 starts before subtitle 1 (block 1) has its last block"),
])
def test_broken_files_are_one_located_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        ours(data)
    assert str(info.value).startswith(message)


def test_sniffed_without_a_suffix() -> None:
    (raw,) = list(iter_bytes(elsewhere(), "journal.bin"))
    assert isinstance(raw, RawTranscript) and len(raw.items) == 3


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1500))
def test_random_bytes_only_raise_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        list(iter_bytes(data, "fuzz.stl", "stl"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(elsewhere()) - 1), st.integers(0, 255)), max_size=20))
def test_damaged_files_only_raise_input_error(changes: list[tuple[int, int]]) -> None:
    data = bytearray(elsewhere())
    for offset, value in changes:
        data[offset] = value
    with contextlib.suppress(InputError):
        list(iter_bytes(bytes(data), "fuzz.stl", "stl"))


def test_fetch_writes_stl_for_every_sandbox_run(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {"CAMB_API_KEY": sandbox.api_key, "CAMB_API_BASE_URL": sandbox.url}
    result = CliRunner().invoke(main, ["fetch", "1001", "1002", "1003", "-o", str(tmp_path),
                                       "--no-media", "-f", "stl,srt"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("*/*.stl"))
    assert [p.name for p in written] == ["1001.stl", "1002.es-ES.stl", "1002.fr-FR.stl", "1003.stl"]
    for path in written:
        listed = {f["name"]: f for f in json.loads((path.parent / "manifest.json").read_text())["files"]}
        body = path.read_bytes()
        assert listed[path.name]["sha256"] == hashlib.sha256(body).hexdigest()
        raw = ours(body)
        assert raw.items and len(raw.items) == len(ttconv_read(body))
