from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ElementTree
from fractions import Fraction
from typing import Any

import pytest
from _export_support import (
    check_golden,
    expected_lines,
    expected_speaker,
    sample_transcript,
    shown,
    transcripts,
)
from hypothesis import HealthCheck, given, settings
from lxml import etree
from ttconv import model as tt_model
from ttconv.imsc import reader as imsc_reader

from dubsubs.formats.ttml.writer import TtmlOptions, dumps
from dubsubs.model import Cue, Transcript

TT = "{http://www.w3.org/ns/ttml}"
TTM = "{http://www.w3.org/ns/ttml#metadata}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CLOCK = re.compile(r"(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})")


def _ms(clock: str) -> int:
    match = _CLOCK.fullmatch(clock)
    assert match is not None, clock
    h, m, s, f = (int(g) for g in match.groups())
    return ((h * 60 + m) * 60 + s) * 1000 + f


def _flatten(element: Any, parts: list[str]) -> None:
    """Text content of a <p> or <span>, <br/> as a line break."""
    parts.append(element.text or "")
    for child in element:
        assert child.tag in (f"{TT}br", f"{TT}span"), child.tag
        if child.tag == f"{TT}br":
            parts.append("\n")
        else:
            _flatten(child, parts)
        parts.append(child.tail or "")


def read_with_lxml(document: str, schema: Any = None) -> list[tuple[int, int, str, str | None]]:
    """Validate against the EBU-TT-D XSD (when given), then read (start, end, text, speaker
    name) per <p>, resolving ttm:agent to the ttm:name declared in the head."""
    root = etree.fromstring(document.encode("utf-8"))
    if schema is not None:
        schema.assertValid(root)
    names = {
        agent.get(XML_ID): agent.findtext(f"{TTM}name")
        for agent in root.iterfind(f"{TT}head/{TT}metadata/{TTM}agent")
    }
    for agent in root.iterfind(f"{TT}head/{TT}metadata/{TTM}agent"):
        assert agent.get("type") == "person"
        assert agent.find(f"{TTM}name").get("type") == "full"  # type: ignore[union-attr]
    cues = []
    ids = []
    for p in root.iter(f"{TT}p"):
        ids.append(p.get(XML_ID))
        parts: list[str] = []
        _flatten(p, parts)
        agent = p.get(f"{TTM}agent")
        cues.append(
            (
                _ms(p.get("begin", "")),
                _ms(p.get("end", "")),
                "".join(parts),
                names[agent] if agent else None,
            )
        )
    assert ids == [f"sub{n}" for n in range(1, len(ids) + 1)]
    return cues


def read_with_ttconv(document: str) -> list[tuple[Fraction, Fraction, str]]:
    doc = imsc_reader.to_model(ElementTree.ElementTree(ElementTree.fromstring(document)))
    cues = []
    body = doc.get_body()
    if body is None:
        return []
    for div in body:
        for p in div:
            parts = []
            for span in p:
                if isinstance(span, tt_model.Br):
                    parts.append("\n")
                    continue
                for node in span:
                    parts.append("\n" if isinstance(node, tt_model.Br) else node.get_text())
            cues.append((p.get_begin() or Fraction(0), p.get_end() or Fraction(0), "".join(parts)))
    return cues


def test_golden(ebu_tt_d_schema: Any) -> None:
    output = dumps(sample_transcript(), TtmlOptions())
    ebu_tt_d_schema.assertValid(etree.fromstring(output.encode()))
    check_golden("sample.ttml", output)


def test_document_shape(ebu_tt_d_schema: Any) -> None:
    transcript = Transcript(
        cues=(Cue(0, 1000, "a\x00b\x1f", "Ann"), Cue(1000, 360_000_000, "c", "Bo")),
        language="es-ES",
    )
    root = etree.fromstring(dumps(transcript, TtmlOptions()).encode())
    ebu_tt_d_schema.assertValid(root)
    assert root.get("{http://www.w3.org/ns/ttml#parameter}timeBase") == "media"
    assert root.get(XML_LANG) == "es-ES"
    assert root.find(f"{TT}head/{TT}styling/{TT}style") is not None
    assert root.find(f"{TT}head/{TT}layout/{TT}region") is not None
    first, second = root.iter(f"{TT}p")
    assert first.findtext(f"{TT}span") == "a\ufffdb\ufffd"
    assert (second.get("begin"), second.get("end")) == ("00:00:01.000", "100:00:00.000")
    assert [a.get(XML_ID) for a in root.iter(f"{TTM}agent")] == ["speaker1", "speaker2"]
    assert (first.get(f"{TTM}agent"), second.get(f"{TTM}agent")) == ("speaker1", "speaker2")


@pytest.mark.parametrize(
    ("language", "tag"),
    [(None, "und"), ("ja", "ja"), ("zh-Hant-TW", "zh-Hant-TW"), ("Spanish!", "und")],
)
def test_xml_lang(language: str | None, tag: str) -> None:
    root = etree.fromstring(dumps(Transcript(cues=(), language=language), TtmlOptions()).encode())
    assert root.get(XML_LANG) == tag


def test_no_cue_left_means_no_body(ebu_tt_d_schema: Any) -> None:
    root = etree.fromstring(dumps(Transcript(cues=(Cue(0, 1, " \n "),)), TtmlOptions()).encode())
    ebu_tt_d_schema.assertValid(root)
    assert root.find(f"{TT}body") is None


def expected_ttml(transcript: Transcript) -> list[tuple[int, int, str, str | None]]:
    return [
        (
            cue.start_ms,
            cue.end_ms,
            "\n".join(expected_lines(cue.text)),
            expected_speaker(cue.speaker),
        )
        for cue in shown(transcript)
    ]


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(transcript=transcripts())
def test_round_trip_through_the_ebu_tt_d_schema(
    transcript: Transcript, ebu_tt_d_schema: Any
) -> None:
    output = dumps(transcript, TtmlOptions())
    assert read_with_lxml(output, ebu_tt_d_schema) == expected_ttml(transcript)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(transcript=transcripts())
def test_round_trip_through_ttconv_with_no_warning(
    transcript: Transcript, caplog: pytest.LogCaptureFixture
) -> None:
    output = dumps(transcript, TtmlOptions())
    expected = expected_ttml(transcript)
    assert read_with_lxml(output) == expected

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        by_ttconv = read_with_ttconv(output)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # ttconv drops a <p> whose interval is empty (begin == end): it is never shown.
    assert by_ttconv == [
        (Fraction(start, 1000), Fraction(end, 1000), text)
        for start, end, text, _ in expected
        if end > start
    ]


def test_options_are_checked_and_custom_ones_validate(ebu_tt_d_schema: Any) -> None:
    from dubsubs.errors import OptionError

    with pytest.raises(OptionError, match="font_size='2em'"):
        TtmlOptions(font_size="2em")
    with pytest.raises(OptionError, match="cell_rows=0"):
        TtmlOptions(cell_rows=0)
    options = TtmlOptions(
        cell_columns=40, font_family="Tiresias & Co", font_size="80%", color="#FFFF00",
        background_color="#00000000", text_align="start", region_origin="5% 70%",
        region_extent="90% 25.5%",
    )  # fmt: skip
    output = dumps(sample_transcript(), options)
    ebu_tt_d_schema.assertValid(etree.fromstring(output.encode()))
    assert 'tts:fontFamily="Tiresias &amp; Co"' in output


def test_the_warning_check_would_see_a_ttconv_complaint(caplog: pytest.LogCaptureFixture) -> None:
    # The no-warning assertion above means something only if ttconv's complaints reach caplog.
    bad = dumps(Transcript(cues=(Cue(0, 1000, "a"),)), TtmlOptions()).replace(
        'tts:fontSize="100%"', 'tts:fontSize="huge"'
    )
    with caplog.at_level(logging.WARNING):
        read_with_ttconv(bad)
    assert any(r.levelno >= logging.WARNING for r in caplog.records)
