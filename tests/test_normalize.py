"""The timing normaliser: unit decisions on hard cases, item-level rescaling, repairs,
the report, and properties (idempotent, text never lost, decisions stable)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.errors import InputError, OptionError
from dubsubs.model import Cue, Transcript
from dubsubs.normalize import normalize

WORDS = ("the quick brown fox jumps over a lazy dog while we wait for the dub to come back "
         "from the studio and the editor checks every reel twice").split()


def d(start: Any, end: Any, text: str = "Hello there, friend.", speaker: str | None = "A") -> dict[str, Any]:
    return {"start": start, "end": end, "text": text, "speaker": speaker}


def scene(n: int, unit: str, *, seed: int = 0, offset_s: float = 0.0, whole: bool = False,
          words: tuple[int, int] = (1, 12)) -> list[dict[str, Any]]:
    """A plausible transcript: 10-18 chars/s speech, 0-4 s silences."""
    rng = random.Random(seed)
    now = offset_s
    items = []
    for _ in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(*words)))
        start = now + rng.uniform(0.0, 4.0)
        end = start + max(0.3, len(text) / rng.uniform(10, 18))
        now = end
        if unit == "ms":
            items.append(d(round(start * 1000), round(end * 1000), text))
        elif whole:
            items.append(d(round(start), max(round(end), round(start) + 1), text))
        else:
            items.append(d(round(start, 3), round(end, 3), text))
    return items


HARD_CASES = [
    ("vendor single-item example (ms)", [d(0, 5000, "Hello, this is a sample transcript.")], None, "ms"),
    ("4-second clip in ms", [d(0, 1800, "Hello there."), d(2000, 3900, "How are you?")], None, "ms"),
    ("4-second clip in ms, media known", [d(0, 1800, "Hi."), d(2000, 3900, "Bye.")], 4000, "ms"),
    ("4-second clip in s", [d(0.2, 1.8, "Hello there."), d(2.0, 3.9, "How are you?")], None, "s"),
    ("chapter late in a film, whole seconds > 1000", scene(40, "s", offset_s=5400, whole=True), None, "s"),
    ("one-word lines in s", [d(0, 0.4, "Yes."), d(1, 1.3, "No."), d(2, 2.5, "Okay.")], None, "s"),
    ("one-word lines in ms", [d(0, 400, "Yes."), d(1000, 1300, "No."), d(2000, 2500, "Okay.")], None, "ms"),
    ("one-word lines in whole s", [d(0, 1, "Yes."), d(2, 3, "No."), d(4, 5, "Okay.")], None, "s"),
    ("feature film in s", scene(1500, "s", seed=1), None, "s"),
    ("feature film in ms", scene(1500, "ms", seed=2), None, "ms"),
    ("feature film in s, media known", scene(1500, "s", seed=3), 7_200_000, "s"),
    ("feature film in ms, media known", scene(1500, "ms", seed=4), 7_200_000, "ms"),
    ("numeric strings in ms", [d("0", "1850", "Where are the tapes?"), d("2100", "2600", "Here.")], None, "ms"),
    ("long pauses in s", [d(0, 30, "..."), d(31, 33, "So."), d(40, 44, "You came back after all.")], None, "s"),
    ("single one-word item in ms", [d(1000, 1400, "No.")], None, "ms"),
    ("single one-word item in s", [d(12.5, 12.9, "No.")], None, "s"),
]


@pytest.mark.parametrize(("name", "items", "media", "unit"), HARD_CASES, ids=[c[0] for c in HARD_CASES])
def test_units_decided_on_hard_cases(name: str, items: list[dict[str, Any]], media: int | None,
                                     unit: str) -> None:
    transcript, report = normalize(items, media_duration_ms=media)
    assert report.decision.unit == unit, "\n".join(report.lines())
    assert report.decision.method == "auto"
    assert report.decision.confidence > 0.9
    assert not [r for r in report.repairs if r.kind == "rescaled"], report.lines()
    assert len(transcript.cues) == len(items)


def test_media_duration_outweighs_ambiguous_text() -> None:
    # Without text there is no speaking rate; the media's duration decides.
    items = [d(0, 150, ""), d(200, 350, ""), d(400, 550, "")]
    assert normalize(items, media_duration_ms=600)[1].decision.unit == "ms"
    assert normalize(items, media_duration_ms=600_000)[1].decision.unit == "s"


def test_no_usable_evidence_falls_back_to_documented_seconds() -> None:
    transcript, report = normalize([d(0, 0, "a")])
    assert report.decision.unit == "s" and report.decision.confidence == 0.5


@pytest.mark.parametrize("majority", ["s", "ms"])
@pytest.mark.parametrize("position", [0, 17, 49])
def test_one_item_in_the_other_unit_is_rescaled(majority: str, position: int) -> None:
    items = scene(50, majority, seed=position)
    original = dict(items[position])
    factor = 1000 if majority == "s" else 0.001
    items[position] = {**original, "start": original["start"] * factor, "end": original["end"] * factor}
    transcript, report = normalize(items)
    assert report.decision.unit == majority
    rescaled = [r.index for r in report.repairs if r.kind == "rescaled"]
    assert rescaled == [position], report.lines()
    to_ms = 1000 if majority == "s" else 1
    cue = next(c for c in transcript.cues if c.text == original["text"] and
               abs(c.start_ms - original["start"] * to_ms) <= 1)
    assert abs(cue.end_ms - original["end"] * to_ms) <= 1


def test_two_adjacent_foreign_items() -> None:
    items = scene(40, "s", seed=9)
    for i in (20, 21):
        items[i] = {**items[i], "start": round(items[i]["start"] * 1000), "end": round(items[i]["end"] * 1000)}
    _, report = normalize(items)
    assert sorted(r.index for r in report.repairs if r.kind == "rescaled") == [20, 21]


def test_long_pause_item_is_not_mistaken_for_the_other_unit() -> None:
    items = scene(30, "s", seed=5)
    items[10] = {**items[10], "text": "...", "end": items[10]["start"] + 25}
    items[11:] = [{**it, "start": it["start"] + 25, "end": it["end"] + 25} for it in items[11:]]
    _, report = normalize(items)
    assert report.decision.unit == "s"
    assert not [r for r in report.repairs if r.kind == "rescaled"]


def test_repairs_are_reported_by_index() -> None:
    items = [d(5, 3, "swap me"), d(-0.5, 1, "negative"), d(2, 2, "zero length"),
             d(1, 2, "   \n"), d(0.5, 1, "early"), d(2.3, 4, "after zero")]
    transcript, report = normalize(items, units="s")
    kinds = {(r.index, r.kind) for r in report.repairs}
    assert {(0, "swapped"), (1, "clamped"), (3, "dropped_empty"), (2, "lengthened")} <= kinds
    assert any(k == "reordered" for _, k in kinds)
    assert [c.text for c in transcript.cues] == ["negative", "early", "zero length", "after zero", "swap me"]
    zero = transcript.cues[2]
    assert zero.start_ms == 2000 and zero.end_ms == 2300  # stops at the next cue's start
    assert report.items_in == 6 and report.cues_out == 5
    assert "1 swapped" in report.summary() and "1 empty dropped" in report.summary()


def test_zero_length_last_cue_gets_reading_time() -> None:
    transcript, _ = normalize([d(1, 2, "first"), d(3, 3, "a fairly long closing line here")], units="s")
    assert transcript.cues[-1].end_ms - transcript.cues[-1].start_ms == round(1000 * 31 / 17)


def test_zero_length_cue_at_the_time_limit_is_not_lengthened_past_it() -> None:
    limit = 100 * 24 * 3600 * 1000  # the model's 100 days
    transcript, _ = normalize([d(limit - 100, limit - 100, "near"), d(limit, limit, "at")], units="ms")
    assert [(c.start_ms, c.end_ms) for c in transcript.cues] == [(limit - 100, limit), (limit, limit)]


def test_given_units_skip_the_decision() -> None:
    _, report = normalize([d(0, 5000, "Hello")], units="s")
    assert (report.decision.unit, report.decision.method, report.evidence) == ("s", "given", ())


def test_given_seconds_that_overflow_name_the_item() -> None:
    with pytest.raises(InputError, match=r"<items>: \[0\]: 9000000 s is beyond 100 days"):
        normalize([d(0, 9_000_000, "x")], units="s")


def test_bad_units_option() -> None:
    with pytest.raises(OptionError):
        normalize([d(0, 1)], units="minutes")  # type: ignore[arg-type]


def test_report_to_dict_and_lines() -> None:
    _, report = normalize([d(0, 5000, "Hello, this is a sample transcript.")])
    data = report.to_dict()
    assert data["units"] == "ms" and data["method"] == "auto"
    assert {e["kind"] for e in data["evidence"]} >= {"speaking rate", "durations"}
    assert any("speaking rate" in line for line in report.lines())


def test_text_is_never_lost_even_with_crlf() -> None:
    transcript, _ = normalize([d(0, 1, "a\r\nb"), d(1, 2, " c \r d ")], units="s")
    assert [c.text for c in transcript.cues] == ["a\nb", "c \n d"]


# --------------------------------------------------------------------------- properties

texts = st.text(min_size=0, max_size=40)
numbers = st.floats(min_value=-1.0, max_value=20_000, allow_nan=False, allow_infinity=False)
raw_items = st.lists(st.builds(d, numbers, numbers, texts, st.sampled_from(["A", "B", None])),
                     max_size=30)


@settings(max_examples=150, deadline=None)
@given(raw_items, st.sampled_from(["auto", "s", "ms"]))
def test_normalize_is_idempotent(items: list[dict[str, Any]], units: Any) -> None:
    once, _ = normalize(items, units=units)
    again, report = normalize(once)
    assert again.cues == once.cues
    assert report.repairs == ()


@settings(max_examples=150, deadline=None)
@given(raw_items, st.sampled_from(["auto", "s", "ms"]))
def test_no_text_is_lost(items: list[dict[str, Any]], units: Any) -> None:
    transcript, report = normalize(items, units=units)
    kept = sorted(c.text for c in transcript.cues)
    wanted = sorted(i["text"].replace("\r\n", "\n").replace("\r", "\n").strip() for i in items
                    if i["text"].strip())
    assert kept == wanted
    assert report.count("dropped_empty") == sum(1 for i in items if not i["text"].strip())
    assert all(c.end_ms > c.start_ms for c in transcript.cues)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=10_000),
       st.sampled_from(["s", "ms"]), st.floats(min_value=0, max_value=20_000))
def test_plausible_transcripts_decided_right(n: int, seed: int, unit: str, offset: float) -> None:
    items = scene(n, unit, seed=seed, offset_s=offset, words=(2, 12))
    _, report = normalize(items)
    assert report.decision.unit == unit, "\n".join(report.lines())
    assert report.count("rescaled") == 0, "\n".join(report.lines())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**6), st.text(min_size=1).filter(str.strip)),
                max_size=20))
def test_transcript_round_trips_through_ms(values: list[tuple[int, int, str]]) -> None:
    cues = sorted((Cue(s, s + max(dur, 1), t.strip()) for s, dur, t in values), key=lambda c: c.start_ms)
    transcript = Transcript(tuple(cues))
    again, report = normalize(transcript)
    assert report.decision.method == "format"
    expected = [(c.start_ms, c.end_ms, c.text.replace("\r\n", "\n").replace("\r", "\n").strip()) for c in cues]
    assert [(c.start_ms, c.end_ms, c.text) for c in again.cues] == expected
