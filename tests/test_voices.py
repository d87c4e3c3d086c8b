"""A cue that several people speak: every writer credits each voice to its own speaker,
read back by readers we did not write (lxml with the EBU-TT-D schema, ``json``, ``srt``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import srt
from lxml import etree

from dubsubs import Cue, Transcript, Voice, export, normalize
from dubsubs.model import RawItem, RawTranscript

TT = "{http://www.w3.org/ns/ttml}"
TTM = "{http://www.w3.org/ns/ttml#metadata}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

VOICES = (Voice("Fred", "One."), Voice("Bill", "Two & <three>."))
TRANSCRIPT = Transcript((
    Cue(0, 1000, "Solo.", "Fred"),
    Cue.spoken(1000, 3000, VOICES),
    Cue.spoken(3000, 4000, (Voice(None, "Nobody?"), Voice("Ann", "Ann."))),
))


def test_the_model_refuses_a_cue_whose_text_is_not_its_voices() -> None:
    with pytest.raises(ValueError, match="voices' texts"):
        Cue(0, 1, "One. Two.", None, VOICES)
    with pytest.raises(ValueError, match="no single speaker"):
        Cue(0, 1, "One.\nTwo & <three>.", "Fred", VOICES)
    with pytest.raises(ValueError, match="one voice"):
        Cue(0, 1, "One.", None, VOICES[:1])
    assert Cue.spoken(0, 1, VOICES[:1]) == Cue(0, 1, "One.", "Fred")
    assert TRANSCRIPT.speakers == ("Fred", "Bill", "Ann")


def test_ttml_gives_each_voice_its_own_agent(ebu_tt_d_schema: Any) -> None:
    root = etree.fromstring(export(TRANSCRIPT, "ttml").encode())
    ebu_tt_d_schema.assertValid(root)
    names = {agent.get(XML_ID): agent.findtext(f"{TTM}name") for agent in root.iter(f"{TTM}agent")}
    paragraphs = list(root.iter(f"{TT}p"))
    assert names[paragraphs[0].get(f"{TTM}agent")] == "Fred"
    for paragraph, voices in ((paragraphs[1], VOICES), (paragraphs[2], TRANSCRIPT.cues[2].voices)):
        assert paragraph.get(f"{TTM}agent") is None  # the p names no single speaker
        spans = paragraph.findall(f"{TT}span")
        assert [(names.get(s.get(f"{TTM}agent")), s.text) for s in spans] == [
            (v.speaker, v.text) for v in voices]


def test_vtt_gives_each_voice_its_own_span_and_line() -> None:
    text = export(TRANSCRIPT, "vtt")
    assert "<v Fred>One.</v>\n<v Bill>Two &amp; &lt;three&gt;.</v>\n" in text
    assert "Nobody?\n<v Ann>Ann.</v>\n" in text


def test_json_keeps_the_voices_and_reads_them_back() -> None:
    document = json.loads(export(TRANSCRIPT, "json"))
    cue = document["cues"][1]
    assert cue["speaker"] is None and cue["text"] == "One.\nTwo & <three>."
    assert cue["voices"] == [{"speaker": "Fred", "text": "One."}, {"speaker": "Bill", "text": "Two & <three>."}]
    from dubsubs.formats import load

    (raw,) = load(document)
    again, _ = normalize(raw)
    assert again.cues == TRANSCRIPT.cues


def test_srt_prefixes_each_voice_with_its_own_name() -> None:
    (_, second, third) = srt.parse(export(TRANSCRIPT, "srt", speaker_prefix=True))
    assert second.content == "Fred: One.\nBill: Two & \u2039three>."
    assert third.content == "Nobody?\nAnn: Ann."
    plain = list(srt.parse(export(TRANSCRIPT, "srt")))
    assert plain[1].content == "One.\nTwo & \u2039three>."  # no names, so no wrong names


def test_normalize_keeps_voices_and_drops_only_empty_ones() -> None:
    raw = RawTranscript(items=[
        RawItem(0, 1, " One. \nTwo.", None, 0, (Voice("A", " One. "), Voice("B", "Two."))),
        RawItem(1, 2, "Alone.", None, 1, (Voice("A", "  "), Voice("B", "Alone."))),
    ], source="<t>", units="s")
    transcript, _ = normalize(raw)
    assert transcript.cues[0].voices == (Voice("A", "One."), Voice("B", "Two."))
    assert transcript.cues[1] == Cue(1000, 2000, "Alone.", "B")


def test_conform_lays_out_each_voice_and_never_mixes_speakers() -> None:
    from dubsubs.style import conform, get_preset

    long_bill = "Hi Fred, long time no see, how are you doing these days?"
    transcript = Transcript((
        Cue.spoken(1000, 5000, (Voice("Fred", "Hello there my friend."), Voice("Bill", long_bill))),
        Cue(6000, 7000, "ok", "Ann"),
    ))
    styled, _ = conform(transcript, get_preset("netflix"))
    said: dict[str | None, list[str]] = {}
    for cue in styled.cues:
        for voice in cue.voices or (Voice(cue.speaker, cue.text),):
            said.setdefault(voice.speaker, []).extend(voice.text.lstrip("-").split())
    assert said == {"Fred": "Hello there my friend.".split(), "Bill": long_bill.split(), "Ann": ["ok"]}
