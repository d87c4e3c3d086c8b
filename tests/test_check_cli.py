from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dubsubs.cli import main
from dubsubs.cli._style_options import parse_offset, style_options
from dubsubs.errors import OptionError
from dubsubs.style import Preset

CLEAN_SRT = """1
00:00:01,000 --> 00:00:03,000
Hello there.

2
00:00:03,080 --> 00:00:05,000
-How are you?
-Fine, thanks.
"""

BAD_SRT = """1
00:00:01,000 --> 00:00:01,300
Hi.

2
00:00:01,310 --> 00:00:04,000
This line is definitely much longer than forty-two characters.

3
00:00:00,500 --> 00:00:00,900
Out of order.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Maya>Hello there.

00:00:02.000 --> 00:00:04.000
<v Tom>Overlapping.
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "clean.srt": CLEAN_SRT,
        "bad.srt": BAD_SRT,
        "overlap.vtt": VTT,
        "empty.srt": "",
        "garbage.srt": "not a subtitle file at all\n",
    }
    out = {}
    for name, text in paths.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out[name] = str(path)
    out["missing.srt"] = str(tmp_path / "missing.srt")
    return out


def test_clean_file_exits_0_with_a_summary_line(files: dict[str, str]) -> None:
    code, out, err = run(files["clean.srt"])
    assert code == 0, out + err
    assert out == (
        f"{files['clean.srt']}: limits: netflix: 42 chars/line, 2 lines, 17.0 cps, duration 834-7000 ms, "
        "gap 2 frames, fps 25\n"
        f"{files['clean.srt']}: ok: 2 cues, 0 errors, 0 warnings "
        "(netflix, no language (none found): limits for other languages)\n"
    )


def test_violations_exit_1_and_name_cue_time_rule_value_and_limit(files: dict[str, str]) -> None:
    code, out, _ = run(files["bad.srt"])
    assert code == 1
    lines = out.splitlines()
    path = files["bad.srt"]
    assert f"{path}: cue 1 at 00:00:01.000: error min-duration: 300 ms < 834 ms" in lines
    assert f"{path}: cue 2 at 00:00:01.310: error chars-per-line: 62 chars > 42 chars" in lines
    assert f"{path}: cue 2 at 00:00:01.310: error min-gap: 10 ms < 80 ms" in lines
    assert f"{path}: cue 3 at 00:00:00.500: error order: starts 810 ms before the previous cue" in lines
    assert lines[-1].startswith(f"{path}: FAIL: 3 cues, ")


def test_overlap_in_webvtt(files: dict[str, str]) -> None:
    code, out, _ = run(files["overlap.vtt"])
    assert code == 1
    assert "error overlap: overlaps the previous cue by 1000 ms" in out


def test_json_format_for_ci(files: dict[str, str]) -> None:
    code, out, _ = run(files["clean.srt"], files["bad.srt"], "--format", "json")
    assert code == 1
    body = json.loads(out)
    assert body["ok"] is False
    assert [f["ok"] for f in body["files"]] == [True, False]
    first = body["files"][1]["violations"][0]
    assert set(first) == {"cue", "start", "time", "rule", "measured", "limit", "unit", "severity"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.srt", "cannot read"),
        ("empty.srt", "empty file"),
        ("garbage.srt", "not a valid SRT cue"),
    ],
)
def test_unreadable_input_exits_2_with_one_line_and_others_still_checked(
    files: dict[str, str], name: str, message: str
) -> None:
    code, out, err = run(files[name], files["clean.srt"])
    assert code == 2
    assert err.count("\n") == 1 and files[name] in err and message in err
    assert "Traceback" not in err
    assert "clean.srt: ok" in out


def test_a_directory_is_reported_as_unreadable_and_the_others_still_checked(
    files: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "reel2.srt"
    folder.mkdir()
    code, out, err = run(str(folder), files["clean.srt"])
    assert code == 2
    assert f"{folder}: cannot read: Is a directory" in err
    assert "clean.srt: ok" in out


def test_unreadable_input_is_listed_in_json(files: dict[str, str]) -> None:
    code, out, _ = run(files["missing.srt"], "--format", "json")
    assert code == 2
    body = json.loads(out)
    assert body["ok"] is False and len(body["unreadable"]) == 1


def test_individual_limits_override_the_preset(files: dict[str, str]) -> None:
    assert run(files["clean.srt"], "--max-chars", "10")[0] == 1
    code, out, _ = run(files["clean.srt"], "--max-chars", "10", "-q")
    assert out.count("\n") == 1 and "FAIL" in out
    code, out, _ = run(files["bad.srt"], "--preset", "none")
    assert code == 1  # none has no limits, but cue order is always checked
    assert "error order" in out and "chars-per-line" not in out


def test_fps_changes_the_gap_rule(tmp_path: Path) -> None:
    path = tmp_path / "gap.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,000\nOne.\n\n2\n00:00:03,070 --> 00:00:05,000\nTwo.\n",
        encoding="utf-8",
    )
    assert run(str(path), "--fps", "25")[0] == 1  # 70 ms < 2 frames (80 ms)
    assert run(str(path), "--fps", "29.97")[0] == 0  # 2 frames = 66.7 ms


def test_dub_result_checked_per_language(fixtures_dir: Path) -> None:
    code, out, err = run(str(fixtures_dir / "samples" / "41707.json"), "-q")
    assert "Traceback" not in err
    summaries = out.splitlines()
    assert len(summaries) >= 2
    assert any("es-ES" in line for line in summaries)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fps", "fast"], "--fps 'fast' is not a frame rate"),
        (["--preset", "hbo"], "'hbo' is not one of"),
        (["--max-chars", "0"], "--max-chars"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_bad_options_exit_2(files: dict[str, str], args: list[str], message: str) -> None:
    code, _, err = run(files["clean.srt"], *args)
    assert code == 2
    assert message in err


def test_help_documents_the_exit_statuses() -> None:
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Exit status: 0" in text and "1 when any has an error" in text and "2 when" in text


def test_style_options_decorator_hands_the_command_a_preset() -> None:
    seen: list[Preset] = []

    @click.command()
    @style_options
    def command(preset: Preset) -> None:
        seen.append(preset)

    runner = CliRunner()
    args = ["--preset", "netflix", "--fps", "29.97", "--max-cps", "15", "--offset", "-1.5s"]
    assert runner.invoke(command, args).exit_code == 0
    preset = seen[-1]
    assert (preset.name, preset.max_cps, preset.offset_ms) == ("netflix", 15, -1500)
    assert preset.fps.numerator == 30000 and preset.fps.denominator == 1001
    bad = runner.invoke(command, ["--start-timecode", "00:01:00;00", "--fps", "29.97"])
    assert bad.exit_code == 2 and "does not exist in drop-frame" in bad.stderr


@pytest.mark.parametrize(
    ("text", "ms"), [("1500", 1500), ("1500ms", 1500), ("-2.5s", -2500), ("+0.25 s", 250)]
)
def test_parse_offset(text: str, ms: int) -> None:
    assert parse_offset(text) == ms


def test_parse_offset_rejects_nonsense() -> None:
    with pytest.raises(OptionError, match="--offset"):
        parse_offset("soon")


def test_parse_offset_is_exact_for_any_length_of_digits() -> None:
    digits = "9" * 400
    assert parse_offset(f"{digits}s") == int(digits) * 1000
    assert parse_offset("99999999999999999999999") == 99999999999999999999999
    assert parse_offset("-0.0015s") == -2  # half a millisecond rounds to even


def test_conformed_output_written_as_srt_passes_check(tmp_path: Path) -> None:
    """Library to file to CLI: conform for Netflix, write with the independent `srt`
    library, and the check command finds nothing wrong."""
    from datetime import timedelta

    import srt

    from dubsubs.model import Cue, Transcript
    from dubsubs.style import conform, get_preset

    text = (
        "I never thought I would see this place again. The house looks smaller than I "
        "remember, and the garden is gone, along with everything my mother planted."
    )
    transcript = Transcript(
        (Cue(1000, 12_000, text, "A"), Cue(12_100, 12_500, "Hi.", "B"), Cue(12_550, 13_000, "Oh.", "A")),
        language="en",
    )
    preset = get_preset("netflix", fps="23.976")
    styled, _ = conform(transcript, preset)
    path = tmp_path / "styled.srt"
    subtitles = [
        srt.Subtitle(i, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms), c.text)
        for i, c in enumerate(styled.cues, 1)
    ]
    path.write_text(srt.compose(subtitles), encoding="utf-8")
    code, out, err = run(str(path), "--fps", "23.976", "--language", "en")
    assert code == 0, out + err
    assert len(styled.cues) >= 3
    # The unstyled original fails the same check.
    raw = tmp_path / "raw.srt"
    raw.write_text(
        srt.compose(
            [
                srt.Subtitle(i, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms), c.text)
                for i, c in enumerate(transcript.cues, 1)
            ]
        ),
        encoding="utf-8",
    )
    assert run(str(raw), "--fps", "23.976", "--language", "en")[0] == 1


TTML = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    ttp:timeBase="media" xml:lang="ja">
  <body><div>
    <p begin="00:00:01.000" end="00:00:04.000">明日の朝、駅の前で友達と会う</p>
    <p begin="00:00:05.000" end="00:00:09.000">一行目<br/>二行目<br/>三行目</p>
  </div></body>
</tt>
"""


def test_ttml_with_its_own_language(tmp_path: Path) -> None:
    path = tmp_path / "episode.ttml"
    path.write_text(TTML, encoding="utf-8")
    code, out, _ = run(str(path))
    assert code == 1
    # Japanese limits from the file's xml:lang: 13 characters per line, 4 cps.
    assert "cue 1 at 00:00:01.000: error chars-per-line: 14 chars > 13 chars" in out
    assert "cue 1 at 00:00:01.000: error reading-speed: 4.67 cps > 4 cps" in out
    assert "cue 2 at 00:00:05.000: error lines: 3 > 2" in out
    assert out.splitlines()[-1].endswith("(netflix, ja from the file's xml:lang)")


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ttml", "json"])
def test_every_export_of_a_conformed_transcript_passes_check(tmp_path: Path, fmt: str) -> None:
    """conform -> our own exporters -> files -> `dubsubs check`: clean in every format;
    the JSON export also keeps the unsegmented dialogue."""
    from dubsubs.formats import export
    from dubsubs.model import Cue, Transcript
    from dubsubs.style import conform, get_preset

    long = (
        "Check the subtitles against the picture and flag anything that drifts, "
        "because the client sees the first cut on Monday and nobody wants surprises."
    )
    transcript = Transcript(
        (
            Cue(500, 11_000, long, "Maya"),
            Cue(11_050, 11_400, "On it.", "Tom"),
            Cue(11_450, 11_900, "Thanks.", "Maya"),
            Cue(14_000, 16_500, "Coffee first, though.", "Tom"),
        ),
        language="en-GB",
    )
    styled, _ = conform(transcript, get_preset("netflix", fps="25"))
    path = tmp_path / f"styled.{fmt}"
    path.write_text(export(styled, fmt), encoding="utf-8")
    code, out, err = run(str(path), "--fps", "25", "--language", "en")
    assert code == 0, out + err
    if fmt == "json":
        body = json.loads(path.read_text(encoding="utf-8"))
        assert [c["text"] for c in body["dialogue"]] == [c.text for c in transcript.cues]
        # The long item split in two at the clause, the quick exchange merged.
        assert [c["text"] for c in body["cues"]] == [
            "Check the subtitles against the picture\nand flag anything that drifts,",
            "because the client sees the first cut\non Monday and nobody wants surprises.",
            "-On it.\n-Thanks.",
            "Coffee first, though.",
        ]


# --- which language picks the limits, and the report saying why ---------------------------

# 18 characters over 1 s: fine at 20 cps (English), too fast at 17 (other languages).
_EN_SRT = "1\n00:00:01,000 --> 00:00:02,000\nEnglish words here\n"


@pytest.mark.parametrize(
    ("name", "extra_args", "language", "why"),
    [
        ("1001.en-US.srt", [], "en-US", "the file name"),
        ("episode3.en.srt", [], "en", "the file name"),
        ("take2.final.srt", [], None, "none found"),  # "final" is no language
        ("plain.srt", [], None, "none found"),
        ("1001.en-US.srt", ["--language", "fr"], "fr", "--language"),
    ],
)
def test_language_from_the_file_name_or_the_override(
    tmp_path: Path, name: str, extra_args: list[str], language: str | None, why: str
) -> None:
    path = tmp_path / name
    path.write_text(_EN_SRT, encoding="utf-8")
    code, out, _ = run(str(path), "--format", "json", *extra_args)
    report = json.loads(out)["files"][0]
    assert (report["language"], report["language_source"]) == (language, why)
    english = language is not None and language.startswith("en")
    assert code == (0 if english else 1)
    assert ("20.0 cps" if english else "17.0 cps") in report["limits"]


def test_language_stated_in_the_file_wins_over_the_file_name(tmp_path: Path) -> None:
    # A TTML named .fr.ttml whose xml:lang says ja: the file's own statement is used.
    path = tmp_path / "episode.fr.ttml"
    path.write_text(TTML, encoding="utf-8")
    _, out, _ = run(str(path), "-q")
    assert out.splitlines()[-1].endswith("(netflix, ja from the file's xml:lang)")


def test_language_from_dubsubs_json(tmp_path: Path) -> None:
    from dubsubs.formats import export
    from dubsubs.model import Cue, Transcript

    document = export(Transcript((Cue(1000, 2000, "English words here"),), language="en-GB"), "json")
    path = tmp_path / "episode.json"
    path.write_text(document, encoding="utf-8")
    code, out, _ = run(str(path), "-q")
    assert code == 0, out
    assert out.splitlines()[-1].endswith("(netflix, en-GB from the file's language)")
