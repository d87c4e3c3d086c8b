"""Shared material for the exporter tests: the golden sample, Hypothesis strategies and an
independent statement of the documented text clean-up (not the exporters' own code)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import strategies as st

from dubsubs.model import MAX_MS, Cue, Transcript, UnitsDecision

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"
REGENERATE = os.environ.get("DUBSUBS_REGENERATE_GOLDEN") == "1"


def sample_transcript() -> Transcript:
    """Small, but with everything an exporter can get wrong."""
    cues = (
        Cue(1_000, 3_500, "Hello & welcome to <the> show.", "Ana & Co"),
        Cue(3_500, 6_000, "First line\nSecond line", "Bob <B>"),
        Cue(6_000, 8_250, "Line one\r\n\r\n  Line two  ", "Mary Jane Watson"),
        Cue(8_250, 9_000, "Go --> there, a > b, ]]> done", None),
        Cue(9_000, 9_500, "   ", "Mary Jane Watson"),  # nothing to show: left out of SRT/VTT/TTML
        Cue(9_500, 12_345, "مرحبا بكم في البرنامج", "سارة"),
        Cue(12_345, 15_001, "こんにちは、世界。\n今日は晴れです。", "山田 太郎"),
        Cue(15_001, 16_000, "Bell\x07 rings &amp; <v Eve>not a voice</v>", "Ana & Co"),
        Cue(360_000_000, 360_002_500, "Still here after 100 hours.", None),
    )
    dialogue = (
        Cue(1_000, 6_000, "Hello & welcome to <the> show. First line\nSecond line", "Ana & Co"),
        Cue(360_000_000, 360_002_500, "Still here after 100 hours.", None),
    )
    return Transcript(
        cues=cues,
        run_id="41707",
        language="en-GB",
        units=UnitsDecision("ms", "auto", 0.97),
        dialogue=dialogue,
    )


def check_golden(name: str, produced: str) -> None:
    """``produced`` must equal fixtures/golden/<name> byte for byte (UTF-8).

    ``DUBSUBS_REGENERATE_GOLDEN=1`` rewrites the file instead; review the diff by hand.
    """
    path = GOLDEN / name
    data = produced.encode("utf-8")
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.read_bytes() == data, f"{name} differs from the golden file"


# --- The documented clean-up, restated independently --------------------------------

_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def expected_lines(text: str) -> list[str]:
    """Line breaks unified, controls as U+FFFD, lines stripped, blank lines gone."""
    text = _CONTROLS.sub("\ufffd", _BREAKS.sub("\n", text))
    return [line.strip() for line in text.split("\n") if line.strip()]


def expected_srt_lines(text: str) -> list[str]:
    """expected_lines, plus: a number-only line followed by a line starting with a
    timestamp is joined to it with a space (so readers don't see a new cue there)."""
    lines = expected_lines(text)
    out: list[str] = []
    for line in reversed(lines):
        if (
            out
            and re.fullmatch(r"-?\d+\.?\d*", line, re.ASCII)
            and re.match(r"(\d+[,.:，．。：]){2}\d", out[-1], re.ASCII)
        ):
            out[-1] = f"{line} {out[-1]}"
        else:
            out.append(line)
    return out[::-1]


def expected_speaker(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(_CONTROLS.sub("\ufffd", name).split())
    return cleaned or None


# --- Strategies -----------------------------------------------------------------------

NASTY = [
    "-->", "--", "->", "&", "<", ">", "&amp;", "&lt;", "<b>", "</v>", "<v Eve>", "]]>",
    "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " ", "  ", "\t", "\u3000", "\xa0",
    "\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u2028", "\ud800",
    "\ufeff", "\ufffe", "مرحبا", "日本語", "é", "1", "00:00:01,000", "WEBVTT", "NOTE",
    "\"", "'",
]  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), max_size=8).map("".join)

speakers = st.one_of(
    st.none(),
    st.sampled_from(["Alice", "Bob Smith", "Ana & Co", "<B>", "a > b", "سارة", "山田 太郎"]),
    texts,
)


@st.composite
def transcripts(draw: st.DrawFn, max_cues: int = 8) -> Transcript:
    count = draw(st.integers(min_value=0, max_value=max_cues))
    cues = []
    for _ in range(count):
        start = draw(
            st.one_of(
                st.integers(min_value=0, max_value=10_000),
                st.integers(min_value=0, max_value=MAX_MS),
            )
        )
        end = draw(st.integers(min_value=start, max_value=min(MAX_MS, start + 10_000)))
        cues.append(Cue(start, end, draw(texts), draw(speakers)))
    cues.sort(key=lambda cue: cue.start_ms)
    language = draw(st.sampled_from([None, "en", "es-ES", "ja", "ar-EG", "not a tag"]))
    return Transcript(cues=tuple(cues), language=language, run_id="run")


def shown(transcript: Transcript) -> list[Cue]:
    """The cues a subtitle format shows: those with text left after clean-up."""
    return [cue for cue in transcript.cues if expected_lines(cue.text)]


_SRT_TAG_OPEN = re.compile(r"<(?=/?[A-Za-z])")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def srt_visible(text: str) -> str:
    """What an SRT file must hold for ``text`` (already cleaned) so that no reader hides a
    word: no ``-->``, no ``<`` opening a tag, no ``{`` opening an override block."""
    text = text.replace("-->", "\u2192")
    return _SRT_TAG_OPEN.sub("\u2039", text).replace("{\\", "\uff5b\\")


def json_visible(text: str) -> str:
    """``text`` as the JSON writer keeps it: control characters shown as U+FFFD."""
    return _CONTROLS.sub("\ufffd", text)
