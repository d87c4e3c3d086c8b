"""``dubsubs convert`` and the CLI shell, driven with click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dubsubs import __version__
from dubsubs.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version_and_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    assert runner.invoke(main, ["-h"]).exit_code == 0


def test_every_command_has_help_text() -> None:
    context = click.Context(main)
    names = main.list_commands(context)
    assert {"convert", "check", "fetch", "review", "alt-format", "tts", "sandbox"} <= set(names)
    for name in names:
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        assert command.help and command.help.strip(), name
        assert command.get_short_help_str(), name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_convert_samples_writes_every_format(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    samples = sorted((fixtures_dir / "samples").glob("*.json"))
    result = runner.invoke(main, ["convert", *map(str, samples), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    for stem in ("episode3", "1344", "1345", "41707.es-ES", "41707.fr-FR"):
        for ext in ("srt", "vtt", "ttml", "json"):
            assert f"{stem}.{ext}" in names
    assert not [n for n in names if n.endswith(".part") or n.startswith(".")]
    assert "read as milliseconds" in result.output and "read as seconds" in result.output
    data = json.loads((tmp_path / "1344.json").read_text())
    assert data["cues"][0]["end"] == 5.0
    assert data["run_id"] == "1344"


def test_convert_one_format_and_units_given(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    sample = fixtures_dir / "samples" / "episode3.json"
    result = runner.invoke(main, ["convert", str(sample), "-o", str(tmp_path), "-f", "srt", "--units", "s"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["episode3.srt"]
    assert "as given" in result.output


def test_convert_verbose_prints_evidence(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    sample = fixtures_dir / "samples" / "bulk-vendor-ms.json"
    result = runner.invoke(main, ["convert", str(sample), "-o", str(tmp_path), "-v", "-f", "json"])
    assert result.exit_code == 0
    assert "evidence speaking rate" in result.output


def test_bad_input_among_good_ones(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "episode9.json"
    bad.write_text('{"transcript": [{"start": "soon", "end": 1, "text": "x"}]}')
    empty = tmp_path / "empty.json"
    empty.write_text("")
    good = fixtures_dir / "samples" / "episode3.json"
    out = tmp_path / "out"
    result = runner.invoke(main, ["convert", str(bad), str(good), str(empty), "-o", str(out)])
    assert result.exit_code == 1
    assert f"error: {bad}: transcript[0].start: expected a number, got \"soon\"" in result.output
    assert f"error: {empty}: empty file" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "episode3.json", "episode3.srt", "episode3.ttml", "episode3.vtt"]


def test_a_directory_among_the_inputs_does_not_stop_the_others(
    runner: CliRunner, fixtures_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "season1.json"
    folder.mkdir()
    good = fixtures_dir / "samples" / "episode3.json"
    out = tmp_path / "out"
    result = runner.invoke(main, ["convert", str(folder), str(good), "-o", str(out), "-f", "srt"])
    assert result.exit_code == 1
    assert f"error: {folder}: cannot read: Is a directory" in result.output
    assert [p.name for p in out.iterdir()] == ["episode3.srt"]


def test_bulk_with_one_broken_run_still_writes_the_others(runner: CliRunner, tmp_path: Path) -> None:
    bulk = tmp_path / "bulk.json"
    bulk.write_text(json.dumps({"7": {"transcript": [{"start": 0, "end": 1.5, "text": "Hello."}]},
                                "8": {"transcript": [{"start": 0, "end": "x", "text": "Hi"}]}}))
    result = runner.invoke(main, ["convert", str(bulk), "-o", str(tmp_path / "o"), "-f", "srt"])
    assert result.exit_code == 1
    assert "8.transcript[0].end: expected a number" in result.output
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["7.srt"]


def test_same_output_name_twice_is_refused(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "a"
    other.mkdir()
    shutil.copy(fixtures_dir / "samples" / "episode3.json", other / "episode3.json")
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                  str(other / "episode3.json"), "-o", str(tmp_path / "o"), "-f", "srt"])
    assert result.exit_code == 1
    assert "output name 'episode3' is already taken" in result.output


def test_unknown_format_is_a_usage_error(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                  "-o", str(tmp_path), "-f", "srt,docx"])
    assert result.exit_code == 2
    assert "unknown format 'docx'" in result.output


def test_any_format_converts_to_any_other(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"), "-o", str(first)])
    reference = json.loads((first / "episode3.json").read_text())["cues"]
    for ext in ("srt", "vtt", "ttml", "json"):
        again = tmp_path / ext
        result = runner.invoke(main, ["convert", str(first / f"episode3.{ext}"), "-o", str(again), "-f", "json"])
        assert result.exit_code == 0, result.output
        cues = json.loads((again / "episode3.json").read_text())["cues"]
        # SRT cannot carry "<as always>" (its readers hide tags): the writer shows "‹as always>".
        visible = (lambda text: text.replace("<", "\u2039")) if ext == "srt" else (lambda text: text)
        assert [(c["start"], c["end"], c["text"]) for c in cues] == [
            (c["start"], c["end"], visible(c["text"])) for c in reference], ext
        if ext in ("vtt", "ttml", "json"):
            assert [c["speaker"] for c in cues] == [c["speaker"] for c in reference], ext


def test_convert_with_a_preset_splits_and_keeps_the_dialogue(runner: CliRunner, tmp_path: Path) -> None:
    long_item = {"start": 0, "end": 12.0, "speaker": "A",
                 "text": "This is a rather long line of dialogue that nobody could read as one subtitle, "
                         "because it runs on and on, well past what a viewer can take in at once."}
    source = tmp_path / "long.json"
    source.write_text(json.dumps({"transcript": [long_item]}))
    out = tmp_path / "o"
    result = runner.invoke(main, ["convert", str(source), "-o", str(out), "--preset", "netflix",
                                  "--fps", "25", "-f", "json,srt"])
    assert result.exit_code == 0, result.output
    assert "style netflix" in result.output
    data = json.loads((out / "long.json").read_text())
    assert len(data["cues"]) > 1
    assert [d["text"] for d in data["dialogue"]] == [long_item["text"]]
    words = " ".join(c["text"] for c in data["cues"]).split()
    assert words == long_item["text"].split()
    check = runner.invoke(main, ["check", str(out / "long.srt"), "--preset", "netflix", "--fps", "25"])
    assert check.exit_code == 0, check.output


def test_convert_offset_without_preset(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"), "-o",
                                  str(tmp_path), "-f", "json", "--offset", "10s"])
    assert result.exit_code == 0, result.output
    cues = json.loads((tmp_path / "episode3.json").read_text())["cues"]
    assert cues[0]["start"] == 10.48


def test_outputs_get_ordinary_file_permissions(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"), "-o", str(tmp_path)])
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes and set(modes.values()) == {0o666 & ~mask}, modes


def test_media_duration_is_evidence(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    # 4-second sample video; items without text leave only durations and the media to judge.
    source = tmp_path / "clip.json"
    source.write_text(json.dumps([{"start": 0, "end": 150, "text": "♪"},
                                  {"start": 2000, "end": 2150, "text": "♪"},
                                  {"start": 3800, "end": 3950, "text": "♪"}]))
    video = fixtures_dir / "sandbox" / "media" / "video.mp4"
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path / "o"), "-f", "json",
                                  "--media", str(video), "-v"])
    assert result.exit_code == 0, result.output
    assert "evidence media" in result.output and "read as milliseconds" in result.output


def test_media_that_is_not_media(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"), "-o",
                                  str(tmp_path), "--media", str(fixtures_dir / "samples" / "41707.json")])
    assert result.exit_code == 1
    assert "41707.json: cannot read a duration from this file" in result.output


def test_an_offset_that_cannot_apply_names_the_input(runner: CliRunner, fixtures_dir: Path, tmp_path: Path) -> None:
    sample = fixtures_dir / "samples" / "episode3.json"
    result = runner.invoke(main, ["convert", str(sample), "-o", str(tmp_path), "-f", "json", "--offset", "-5s"])
    assert result.exit_code == 1
    assert f"error: {sample}: offset -5000 ms moves cue 1 before 0" in result.output


def test_max_start_delay_option_reaches_the_preset(runner: CliRunner, tmp_path: Path) -> None:
    # "Yes." is too short and the next line follows at once: with delays allowed the next
    # cue starts later; with --max-start-delay 0 it keeps its speech start.
    source = tmp_path / "short.json"
    source.write_text(json.dumps([
        {"start": 0.0, "end": 0.6, "text": "Yes.", "speaker": "A"},
        {"start": 0.6, "end": 4.0, "text": "Then we leave tonight, before the others wake up.", "speaker": "B"},
        {"start": 4.2, "end": 8.0, "text": "And take nothing with us but the maps and the keys.", "speaker": "A"},
    ]))
    starts = {}
    for delay in ("500", "0"):
        out = tmp_path / delay
        result = runner.invoke(main, ["convert", str(source), "-o", str(out), "-f", "json", "--preset", "netflix",
                                      "--fps", "25", "--max-start-delay", delay])
        assert result.exit_code == 0, result.output
        cues = json.loads((out / "short.json").read_text())["cues"]
        starts[delay] = [c["start"] for c in cues if c["text"].startswith("Then")]
    assert starts["0"] == [0.6]
    assert starts["500"] and 0.6 < starts["500"][0] <= 1.1


def test_help_and_convert_start_without_requests(fixtures_dir: Path, tmp_path: Path) -> None:
    """``dubsubs --help`` and ``convert`` never import the HTTP library: it is slow to load
    and only the network commands need it."""
    import subprocess
    import sys

    sample = fixtures_dir / "samples" / "episode3.json"
    probe = (
        "import sys\n"
        "from dubsubs.cli import main\n"
        "for args in (['--help'], ['fetch', '--help'], ['convert', sys.argv[1], '-o', sys.argv[2]]):\n"
        "    try:\n"
        "        main(args, standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'urllib3')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(sample), str(tmp_path)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]", out
    assert (tmp_path / "episode3.srt").is_file()


def test_convert_prints_what_a_writer_had_to_change(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "dub.json"
    source.write_text(json.dumps({"transcript": [
        {"start": 0.1, "end": 2.0, "text": "Price: 5 € — ok", "speaker": "A"}]}), encoding="utf-8")
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path / "out"), "-f", "scc,stl"])
    assert result.exit_code == 0, result.output
    assert "'€'" in result.output  # the euro sign SCC and STL cannot carry is reported, not lost
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path / "out"), "-f", "scc",
                                  "--fps", "25"])
    assert result.exit_code == 1 and "SCC carries only 29.97" in result.output


def test_content_sniffing_tells_ass_from_json(runner: CliRunner, tmp_path: Path) -> None:
    # "[Script Info]" opens an ASS script and starts with "[", as a JSON array does.
    source = tmp_path / "sub.txt"
    source.write_text("[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
                      "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                      "Dialogue: 0,0:00:01.00,0:00:02.50,Default,Ana,0,0,0,,Hola, qué tal\n", encoding="utf-8")
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path / "out"), "-f", "json"])
    assert result.exit_code == 0, result.output
    cues = json.loads((tmp_path / "out" / "sub.txt.json").read_text())["cues"]
    assert [(c["start"], c["end"], c["speaker"], c["text"]) for c in cues] == [(1.0, 2.5, "Ana", "Hola, qué tal")]


def test_an_empty_format_list_is_an_error_not_the_defaults(runner: CliRunner, tmp_path: Path, fixtures_dir: Path) -> None:
    result = runner.invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                  "-o", str(tmp_path), "-f", ""])
    assert result.exit_code == 2 and "no format given" in result.output


def test_a_dapt_script_named_for_its_language_is_not_named_twice(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "1002.es-ES.json"
    source.write_text(json.dumps({"run_id": "1002", "language": "es-ES", "units": "s",
                                  "cues": [{"start": 1, "end": 2, "speaker": "A", "text": "Hola."}]}))
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path / "a"), "-f", "dapt"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["convert", str(tmp_path / "a" / "1002.es-ES.dapt.ttml"),
                                  "-o", str(tmp_path / "b"), "-f", "srt"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["1002.es-ES.srt"]


def test_language_option_never_overrides_the_transcripts_own_in_stl(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "dub.json"
    source.write_text(json.dumps({"language": "es-ES", "units": "s",
                                  "cues": [{"start": 1, "end": 2, "speaker": "A", "text": "Hola."}]}))
    result = runner.invoke(main, ["convert", str(source), "-o", str(tmp_path), "-f", "stl", "--language", "en"])
    assert result.exit_code == 0, result.output
    gsi = (tmp_path / "dub.stl").read_bytes()[:1024]
    assert gsi[14:16] == b"0A"  # Tech 3264 language code of Spanish, from the transcript
