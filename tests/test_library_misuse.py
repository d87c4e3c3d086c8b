"""Public functions validate their arguments: a misuse is a TypeError or ValueError that
names the argument, never an error from deep inside (issue 8, section 3)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import dubsubs
from dubsubs.errors import OptionError
from dubsubs.model import Cue, RawItem, Transcript
from dubsubs.normalize import normalize

RAW = dubsubs.load({"transcript": [{"start": 0, "end": 1.5, "text": "Hello."}]})[0]
T = Transcript(cues=(Cue(0, 1000, "Hello."),))


@pytest.mark.parametrize("value, error", [
    (math.nan, ValueError), (-5, ValueError), (math.inf, ValueError), (-math.inf, ValueError),
    (10**400, ValueError), ("5000", TypeError), (True, TypeError),
])
def test_normalize_refuses_a_bad_media_duration(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="media_duration_ms"):
        dubsubs.normalize(RAW, media_duration_ms=value)  # type: ignore[arg-type]


def test_normalize_takes_a_good_media_duration() -> None:
    transcript, _ = dubsubs.normalize(RAW, media_duration_ms=2000)
    assert transcript.cues[0].text == "Hello."


@pytest.mark.parametrize("call, error, name", [
    (lambda: dubsubs.export(None, "srt"), TypeError, "transcript"),  # type: ignore[arg-type]
    (lambda: dubsubs.export(T, "srt", speaker_prefix="yes"), ValueError, "speaker_prefix"),
    (lambda: dubsubs.export(T, "json", indent=10**9), ValueError, "indent"),
    (lambda: Transcript(cues=None), TypeError, "cues"),  # type: ignore[arg-type]
    (lambda: Transcript(cues="abc"), TypeError, "cues"),  # type: ignore[arg-type]
    (lambda: Transcript(cues=[1]), TypeError, "cues"),  # type: ignore[list-item]
])
def test_misuse_names_the_argument(call: object, error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=name):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("stem", ["../escaped", "/tmp/abs", "a/b", "a\\b", "..", ".", "", "a\x00b"])
def test_write_outputs_refuses_a_stem_that_is_not_a_file_name(tmp_path: Path, stem: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="stem"):
        dubsubs.write_outputs(T, out, stem, ["srt"])
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_write_outputs_takes_a_plain_stem(tmp_path: Path) -> None:
    [path] = dubsubs.write_outputs(T, tmp_path, "episode 3.es-ES", ["srt"])
    assert path == tmp_path / "episode 3.es-ES.srt" and path.is_file()


@pytest.mark.parametrize("units", ["s", "auto"])
@pytest.mark.parametrize(("bad", "error", "message"), [
    (RawItem(0.0, 1.0, "hi", 5, 0), TypeError, "speaker must be a str or None"),  # type: ignore[arg-type]
    (RawItem(float("nan"), 1.0, "hi", None, 0), ValueError, "start must be finite"),
    (RawItem(0.0, float("inf"), "x", None, 0), ValueError, "end must be finite"),
    (RawItem(0.0, 1.0, b"x", None, 0), TypeError, "text must be a str"),  # type: ignore[arg-type]
    (RawItem(0.0, 1.0, "x", None, 0, ("a", "b")), TypeError, "voices must be a tuple of Voice"),  # type: ignore[arg-type]
    (RawItem("1", 2.0, "x", None, 0), TypeError, "start must be a number"),  # type: ignore[arg-type]
])
def test_normalize_names_a_raw_item_built_badly_by_hand(bad: RawItem, error: type[Exception], message: str,
                                                        units: str) -> None:
    good = [RawItem(2.0, 3.0, "ok", None, 1), RawItem(4.0, 5.0, "ok", None, 2)]
    with pytest.raises(error, match=f"item 0: {message}"):
        normalize([bad, *good], units=units)  # type: ignore[arg-type]


def test_a_maximum_duration_shorter_than_a_frame_is_refused() -> None:
    from dubsubs.style import get_preset

    with pytest.raises(OptionError, match="shorter than one frame"):
        get_preset("none", max_duration_ms=1)


@pytest.mark.parametrize("units", ["s", "auto"])
def test_normalize_takes_any_real_number_a_caller_gives(units: str) -> None:
    from fractions import Fraction

    # Whole ints, and Fractions on the repair path (the second item has no length).
    items = [RawItem(1, 2, "a", None, 0), RawItem(Fraction(3), Fraction(3), "b", None, 1),  # type: ignore[arg-type]
             RawItem(5, 6, "c", None, 2)]
    transcript, report = normalize(items, units=units)  # type: ignore[arg-type]
    assert [(c.start_ms, c.text) for c in transcript.cues] == [(1000, "a"), (3000, "b"), (5000, "c")]
    assert transcript.cues[1].end_ms > 3000 and any(r.kind == "lengthened" for r in report.repairs)
