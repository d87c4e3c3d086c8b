"""Reading TTML, checked against ttconv (the IMSC reference implementation) and, where
ttconv does not follow TTML2 or refuses a feature, against the spec's arithmetic by hand.

The oracle: ttconv reads the same file into its model, and its ISDs (the "intermediate
synchronic documents" a renderer draws) say which paragraphs are on screen when. Between
every two consecutive significant times of ttconv's document, the set of texts dubsubs has
on screen must equal the set ttconv shows (white space normalised to single spaces, so a
word run into its neighbour is still a difference). Ruby is compared as ``base(text)``,
the form dubsubs documents.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from dubsubs.errors import InputError
from dubsubs.formats import iter_bytes, read_file
from dubsubs.formats.base import ReadOptions
from dubsubs.formats.ttml.timing import TimeParameters, timeline
from dubsubs.model import RawTranscript, Voice

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ttml"

# --------------------------------------------------------------------------- the oracle


def _ttconv_render(element: Any) -> str:
    from ttconv import model

    if isinstance(element, model.Text):
        return str(element.get_text())
    if isinstance(element, model.Br):
        return "\n"
    if isinstance(element, model.Rp):
        return ""
    if isinstance(element, model.Ruby):
        bases: list[str] = []
        texts: list[str] = []
        for child in element:
            if isinstance(child, model.Rb):
                bases.append(_ttconv_render(child))
            elif isinstance(child, model.Rbc):
                bases.extend(_ttconv_render(base) for base in child)
            elif isinstance(child, model.Rt):
                texts.append(_ttconv_render(child))
            elif isinstance(child, model.Rtc):
                texts.extend(_ttconv_render(text) for text in child)
        return "".join(base + (f"({texts[i]})" if i < len(texts) else "") for i, base in enumerate(bases))
    return "".join(_ttconv_render(child) for child in element)


def _ttconv_paragraphs(element: Any) -> Iterator[Any]:
    from ttconv import model

    if isinstance(element, model.P):
        yield element
        return
    for child in element:
        yield from _ttconv_paragraphs(child)


def _norm(text: str) -> str:
    return " ".join(text.split())


def ttconv_states(path: Path) -> list[tuple[Fraction, Fraction, frozenset[str]]]:
    """What ttconv shows, as (from, to, texts) between consecutive significant times; the
    last state runs one second past ttconv's last significant time."""
    from ttconv.imsc.reader import to_model
    from ttconv.isd import ISD

    logging.disable(logging.CRITICAL)  # ttconv logs what it thinks of non-IMSC files
    try:
        doc = to_model(ET.parse(path))
    finally:
        logging.disable(logging.NOTSET)
    times = sorted(ISD.significant_times(doc))
    if not times:
        return []
    states = []
    for begin, end in itertools.pairwise([*times, times[-1] + 1]):
        isd = ISD.from_model(doc, (begin + end) / 2)
        texts = frozenset(_norm(_ttconv_render(p)) for region in isd for p in _ttconv_paragraphs(region))
        states.append((begin, end, texts - {""}))
    return states


def shown_by_us(raw: RawTranscript, at: Fraction) -> frozenset[str]:
    return frozenset(_norm(item.text) for item in raw.items
                     if Fraction(int(item.start), 1000) <= at < Fraction(int(item.end), 1000)) - {""}


def read_one(path: Path) -> RawTranscript:
    (raw,) = read_file(path)
    return raw


def assert_same_as_ttconv(path: Path, until: Fraction | None = None) -> RawTranscript:
    raw = read_one(path)
    states = ttconv_states(path)
    assert len(states) > 2, "the fixture must change over time"
    for begin, end, texts in states:
        if until is not None and end > until:
            break
        assert shown_by_us(raw, (begin + end) / 2) == texts, f"{path.name} at {float(begin)}-{float(end)} s"
    return raw


def items(raw: RawTranscript) -> list[tuple[float, float, str]]:
    return [(item.start, item.end, item.text) for item in raw.items]


# --------------------------------------------------------------------------- ttconv agrees


@pytest.mark.parametrize("name", [
    "timed_by_ancestors", "white_space", "clipping", "timed_spans", "ticks_default", "frames",
    "smpte_drop_ntsc", "seq", "agents", "ruby", "markup", "languages",
])
def test_what_is_on_screen_matches_ttconv(name: str) -> None:
    assert_same_as_ttconv(FIXTURES / f"{name}.ttml")


def test_paragraphs_timed_by_their_div_or_their_spans() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "timed_by_ancestors.ttml")
    assert items(raw) == [
        (2000.0, 5000.0, "Timed by its div."),
        (11000.0, 13000.0, "Timed by its spans,"),
        (13000.0, 14000.0, "one after the other."),
        (20500.0, 22000.0, "Nested divs add up."),
    ]


def test_white_space_collapses_across_spans_and_is_kept_where_preserved() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "white_space.ttml")
    assert [item.text for item in raw.items] == [
        "One line Subtitle.",
        "Indented text\nand a second line",
        "nospace between words",
        "kept  as   written",
        "mixed   two   spaces",
    ]


def test_every_element_is_clipped_to_its_parent_and_hidden_text_is_reported() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "clipping.ttml")
    assert items(raw)[:2] == [(0.0, 10000.0, "Clipped to its div at 10 s."),
                              (3000.0, 5000.0, "end and dur: the earlier wins.")]
    assert "Never shown" not in " ".join(item.text for item in raw.items)
    hidden = [w for w in raw.warnings if "never shown" in w]
    assert [w.split(": ", 1)[0] for w in hidden] == ["line 6", "line 8", "line 9"]
    assert "'Never shown: after its div ends.'" in hidden[0]


def test_a_paragraph_whose_spans_come_and_go_gives_one_item_per_state() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "timed_spans.ttml")
    assert items(raw) == [
        (1000.0, 2000.0, "Always"),
        (2000.0, 3000.0, "Always then this,"),
        (3000.0, 4000.0, "Always then this, and this till the end."),
        (4000.0, 6000.0, "Always and this till the end."),
        (10000.0, 11000.0, "First half."),
        (11000.0, 12000.0, "Second half."),
    ]


def test_sequential_containers() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "seq.ttml")
    assert items(raw)[:3] == [(10000.0, 11000.0, "One"), (11500.0, 13500.0, "Two"), (13500.0, 14500.0, "Three")]


def test_ticks_without_a_rate_are_seconds() -> None:
    assert items(assert_same_as_ttconv(FIXTURES / "ticks_default.ttml")) == [(10000.0, 12000.0, "Ten seconds in.")]


def test_frames_ticks_and_clock_times_at_2997() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "frames.ttml")
    # By hand: 1 s + 15 / (30000/1001) = 1.5005 s; 90 frames = 3.003 s; 450000 / 90000 t = 5 s.
    assert items(raw) == [
        (1501.0, 2000.0, "Frames at 29.97."),
        (3003.0, 4004.0, "Frame offsets."),
        (5000.0, 6500.0, "Ticks and a clock time."),
        (360000.0, 390000.0, "Hours and minutes."),
    ]


def test_smpte_drop_frame_time_codes() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "smpte_drop_ntsc.ttml")
    # By hand: 00:00:59:29 is frame 1799, 00:01:00:02 frame 1800 (labels 00 and 01 of minute
    # 1 are skipped), 00:10:00:00 frame 17982 (2 x 9 labels skipped); at 30000/1001 frames/s.
    assert items(raw) == [(60027.0, 60060.0, "Across the first minute."),
                          (599999.0, 600500.0, "Minute ten drops nothing.")]


def test_ticks_default_to_sub_frames_when_a_frame_rate_is_given() -> None:
    """ttconv always takes one tick per second when ``ttp:tickRate`` is absent, and does not
    read sub-frames; TTML2 §7.2.12 says ticks are then sub-frames (25 x 2 = 50 per second).
    Checked by hand: 100t = 2 s, 150t = 3 s; 00:00:04:10.1 = 4 + (10 + 1/2) / 25 = 4.42 s."""
    assert items(read_one(FIXTURES / "ticks_from_frame_rate.ttml")) == [
        (2000.0, 3000.0, "Two seconds in."), (4420.0, 5000.0, "Frames and sub-frames.")]


def test_pal_drop_frame_time_codes() -> None:
    """ttconv refuses dropPAL. By hand (TTML: labels 00-03 skipped at each even minute not
    divisible by 20): 00:02:00:04 is frame 2 x 60 x 30 + 4 - 4 = 3600; 00:20:00:00 is frame
    36000 - 4 x (10 - 1) = 35964; at 30000/1001 frames/s that is 120.12 s and 1199.9988 s."""
    assert items(read_one(FIXTURES / "smpte_drop_pal.ttml")) == [(120120.0, 1199999.0, "PAL drop.")]


def test_clock_time_base_is_read_as_times_of_day_with_a_warning() -> None:
    """ttconv refuses the clock time base; dubsubs reads the times as they are written."""
    raw = read_one(FIXTURES / "clock_time_base.ttml")
    assert items(raw) == [(36_000_000.0, 36_002_500.0, "Read as a time of day.")]
    assert raw.warnings == ('ttp:timeBase="clock": times are read as times of day counted from 00:00:00 (local)',)


def test_text_with_no_end_ends_at_the_documents_last_time_with_a_warning() -> None:
    """ttconv keeps such text on screen for ever; up to the document's last time (8 s) the
    two agree, after it dubsubs has ended the text."""
    raw = assert_same_as_ttconv(FIXTURES / "open_end.ttml", until=Fraction(8))
    assert items(raw)[1] == (2000.0, 8000.0, "No end anywhere up the tree.")
    assert raw.warnings == ("line 6: 1 paragraph(s) with no end time (no end or dur on them or on anything "
                            "containing them) end at the document's last time, 00:00:08.000",)


def test_voices_follow_the_agents_of_spans_and_paragraphs() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "agents.ttml")
    got = [(item.text, item.speaker, item.voices) for item in raw.items]
    assert got == [
        ("All of it is Ana's.", "Ana Lima", ()),  # the full name, not the alias
        ("Ana first,\nthen Bob, still Bob.", None,
         (Voice("Ana Lima", "Ana first,"), Voice("Bobby", "then Bob, still Bob."))),
        ("Ana here,\nthe crowd,\nand Ana again.", None,
         (Voice("Ana Lima", "Ana here,"), Voice("crowd", "the crowd,"), Voice("Ana Lima", "and Ana again."))),
        ("Bob.\nNobody in particular.", None, (Voice("Bobby", "Bob."), Voice(None, "Nobody in particular."))),
        ("Bob by his div.", "Bobby", ()),
    ]


def test_ruby_is_its_base_then_the_annotation_in_parentheses() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "ruby.ttml")
    assert [item.text for item in raw.items] == ["漢字(かんじ)を読む", "東(とう)京(きょう)へ"]
    assert raw.language == "ja"


def test_metadata_set_and_animate_are_not_text() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "markup.ttml")
    assert [item.text for item in raw.items] == ["Line one\nline two", "Before inside after"]


def test_implicit_end_of_a_late_container(tmp_path: Path) -> None:
    """A div that begins at 3 s holding a 1 s paragraph is active from 3 s to 4 s (TTML2:
    its implicit duration is its children's). ttconv 1.2.3 mixes the div's own time frame
    with its parent's here and never shows the paragraph, so this is checked by hand."""
    path = tmp_path / "late.ttml"
    path.write_text('<tt xmlns="http://www.w3.org/ns/ttml"><body><div begin="3s"><p dur="1s">x</p>'
                    '<p begin="500ms"><span dur="2s">y</span></p></div></body></tt>', encoding="utf-8")
    assert items(read_one(path)) == [(3000.0, 4000.0, "x"), (3500.0, 5500.0, "y")]


def test_language_of_the_document_and_of_each_paragraph() -> None:
    raw = assert_same_as_ttconv(FIXTURES / "languages.ttml")
    assert raw.language == "en-GB"
    root = etree.parse(str(FIXTURES / "languages.ttml")).getroot()
    assert [p.lang for p in timeline(root, "languages.ttml").paragraphs] == ["fr", "de", "en-GB"]


# --------------------------------------------------------------------------- the parameters


@pytest.mark.parametrize(("attributes", "expression", "seconds"), [
    ("", "10t", Fraction(10)),
    ('ttp:tickRate="10000000"', "15000000t", Fraction(3, 2)),
    ('ttp:frameRate="25"', "10t", Fraction(10, 25)),
    ('ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001"', "30t", Fraction(1001, 1000)),
    ("", "00:00:01:15", Fraction(3, 2)),  # frameRate defaults to 30
    ('ttp:frameRate="24" ttp:subFrameRate="4"', "00:00:01:12.2", 1 + Fraction(12 * 4 + 2, 96)),
    ("", "1.5s", Fraction(3, 2)),
    ("", "2.25m", Fraction(135)),
    ("", "0.5h", Fraction(1800)),
    ("", "250.5ms", Fraction(501, 2000)),
    ("", "01:02:03.0004", Fraction(3723) + Fraction(4, 10000)),
    ('ttp:timeBase="smpte" ttp:frameRate="25"', "00:00:02:05", Fraction(55, 25)),
    ('ttp:timeBase="smpte" ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001"', "00:00:01:00",
     Fraction(30 * 1001, 30000)),  # nonDrop: labels count frames; 29.97 of them make a second
])
def test_time_expressions(attributes: str, expression: str, seconds: Fraction) -> None:
    root = etree.fromstring(f'<tt xmlns="http://www.w3.org/ns/ttml" '
                            f'xmlns:ttp="http://www.w3.org/ns/ttml#parameter" {attributes}/>')
    assert TimeParameters.of(root, "t.ttml").seconds(expression) == seconds


def test_milliseconds_are_rounded_to_nearest_halves_up() -> None:
    parameters = TimeParameters()
    assert [parameters.to_ms(parameters.units(e)) for e in ("0.0005s", "0.0015s", "0.00149s", "1.9999s")] == \
        [1, 2, 1, 2000]


# --------------------------------------------------------------------------- refusals

_TT = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" {}>'
       "<body><div>\n{}\n</div></body></tt>")


def _error(tmp_path: Path, doc: str, name: str = "bad.ttml") -> str:
    path = tmp_path / name
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_file(path)
    message = str(info.value).replace(str(tmp_path) + "/", "")
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("attributes", "paragraph", "message"), [
    ("", '<p begin="1x" end="2s">a</p>', "line 2: bad begin time '1x'"),
    ("", '<p begin="1s" end="00:61:00.000">a</p>', "line 2: bad end time '00:61:00.000'"),
    ("", '<p begin="1s" dur="-1s">a</p>', "line 2: bad dur time '-1s'"),
    ('ttp:frameRate="25"', '<p begin="00:00:01:25" end="2s">a</p>', "line 2: bad begin time '00:00:01:25'"),
    ('ttp:timeBase="smpte" ttp:frameRate="30" ttp:dropMode="dropNTSC"',
     '<p begin="00:01:00:01" end="00:02:00:02">a</p>', "line 2: bad begin time '00:01:00:01'"),
    ("", '<p begin="wallclock(&quot;2024-01-01T00:00:00&quot;)" end="2s">a</p>',
     "line 2: bad begin time 'wallclock(\"2024-01-01T00:00:00\")'"),
    ("", '<p timeContainer="excl" begin="1s" end="2s">a</p>', "line 2: bad timeContainer 'excl'"),
    ('ttp:timeBase="video"', '<p begin="1s" end="2s">a</p>',
     "ttp:timeBase: expected one of media, smpte, clock, got 'video'"),
    ('ttp:dropMode="drop"', '<p begin="1s" end="2s">a</p>',
     "ttp:dropMode: expected one of nonDrop, dropNTSC, dropPAL, got 'drop'"),
    ('ttp:subFrameRate="0"', '<p begin="1s" end="2s">a</p>', "ttp:subFrameRate: expected a positive integer, got '0'"),
])
def test_bad_times_and_parameters_are_one_located_line(tmp_path: Path, attributes: str, paragraph: str,
                                                      message: str) -> None:
    assert _error(tmp_path, _TT.format(attributes, paragraph)) == f"bad.ttml: {message}"


def test_entity_declarations_are_never_expanded(tmp_path: Path) -> None:
    laughs = ('<?xml version="1.0"?>\n<!DOCTYPE tt [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
              '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&b;</p></div></body></tt>')
    assert _error(tmp_path, laughs) == "bad.ttml: line 3: entity reference &b; is not expanded"
    external = ('<?xml version="1.0"?>\n<!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><head>'
                '<metadata><ttm:agent xml:id="a"><ttm:name>&x;</ttm:name></ttm:agent></metadata></head>'
                '<body/></tt>')
    assert _error(tmp_path, external) == "bad.ttml: line 3: entity reference &x; is not expanded"


def test_not_a_ttml_root(tmp_path: Path) -> None:
    assert _error(tmp_path, '<?xml version="1.0"?>\n<html><body/></html>') == \
        "bad.ttml: line 2: not TTML: root element is 'html'"


@pytest.mark.parametrize("element", ["div", "span"])
def test_nested_too_deep(tmp_path: Path, element: str) -> None:
    depth = 400
    inner = (f"<{element}>" * depth + "x" + f"</{element}>" * depth)
    doc = (f'<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">{inner}</p></div></body></tt>'
           if element == "span" else
           f'<tt xmlns="http://www.w3.org/ns/ttml"><body>{"<div>" * depth}<p begin="0s" end="1s">x</p>'
           f'{"</div>" * depth}</body></tt>')
    assert _error(tmp_path, doc) == "bad.ttml: line 1: elements nested too deeply"


def test_declared_encoding_is_overridden_only_when_asked() -> None:
    doc = ('<?xml version="1.0" encoding="ISO-8859-1"?><tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
           '<p begin="0s" end="1s">caf\u00e9</p></div></body></tt>')
    (raw,) = list(iter_bytes(doc.encode("latin-1"), "a.ttml"))
    assert isinstance(raw, RawTranscript) and raw.items[0].text == "café"
    (raw,) = list(iter_bytes(doc.encode("cp1252"), "a.ttml", options=ReadOptions(encoding="cp1252")))
    assert isinstance(raw, RawTranscript) and raw.items[0].text == "café"


# --------------------------------------------------------------------------- fuzz

_TIMES = st.sampled_from(["0s", "1s", "2.5s", "500ms", "00:00:01.000", "00:00:02:10", "10t", "3f",
                          "1x", "", "-1s", "99999999999h", "00:00:01:99"])
_TAGS = st.sampled_from(["div", "p", "span", "br", "set", "metadata", "ttm:agent", "x:foreign"])


@st.composite
def _tree(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(_TAGS)
    attributes = ""
    for name in ("begin", "end", "dur"):
        if draw(st.booleans()):
            attributes += f' {name}="{draw(_TIMES)}"'
    if draw(st.integers(0, 4)) == 0:
        attributes += f' timeContainer="{draw(st.sampled_from(["par", "seq", "bad"]))}"'
    if draw(st.integers(0, 4)) == 0:
        attributes += f' xml:space="{draw(st.sampled_from(["default", "preserve"]))}"'
    if draw(st.integers(0, 3)) == 0:
        attributes += f' ttm:agent="{draw(st.sampled_from(["a", "b", "a b", "zz"]))}"'
    if draw(st.integers(0, 4)) == 0:
        kinds = ["container", "base", "text", "baseContainer", "textContainer", "delimiter"]
        attributes += f' tts:ruby="{draw(st.sampled_from(kinds))}"'
    children = "" if depth > 3 else "".join(draw(st.lists(_tree(depth + 1), max_size=3)))
    text = draw(st.sampled_from(["", " ", "word", "  two  words ", "\n"]))
    return f"<{tag}{attributes}>{text}{children}</{tag}>{draw(st.sampled_from(['', ' ', 'tail']))}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tree(), st.sampled_from(["", 'ttp:frameRate="25"', 'ttp:timeBase="smpte" ttp:dropMode="dropNTSC"',
                                 'ttp:tickRate="0"', 'ttp:timeBase="clock"']))
def test_random_ttml_trees_give_transcripts_or_input_errors(tree: str, parameters: str) -> None:
    doc = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
           'xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" '
           f'xmlns:x="urn:x" {parameters}><head><metadata><ttm:agent xml:id="a"><ttm:name>Ana</ttm:name>'
           f"</ttm:agent></metadata></head><body>{tree}</body></tt>")
    try:
        (raw,) = list(iter_bytes(doc.encode("utf-8"), "fuzz.ttml", "ttml"))
    except InputError:
        return
    assert isinstance(raw, RawTranscript)
    for item in raw.items:
        assert item.start <= item.end
        assert item.text.strip()
        if item.voices:
            assert item.speaker is None and item.text == "\n".join(v.text for v in item.voices)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 2000), st.integers(0, 40))
def test_random_bytes_give_only_input_errors(data: bytes, at: int, cut: int) -> None:
    with contextlib.suppress(InputError):
        list(iter_bytes(b"<" + data, "fuzz.ttml", "ttml"))
    # The same bytes spliced into a real document, so the parser gets past the first tag.
    valid = (FIXTURES / "agents.ttml").read_bytes()
    at %= len(valid)
    with contextlib.suppress(InputError):
        list(iter_bytes(valid[:at] + data + valid[at + cut:], "fuzz.ttml", "ttml"))


# --------------------------------------------------------------------------- ttconv agrees, at random

_OFFSETS = st.sampled_from(["0s", "1s", "2s", "3s", "5s"])


@st.composite
def _timing(draw: st.DrawFn, seq: bool = False, in_seq: bool = False) -> str:
    """Timing attributes. An element that starts later than its parent's begin (its own
    begin, or any child of a seq) gets an end or a dur: ttconv 1.2.3 computes implicit ends
    of such elements wrongly (see test_implicit_end_of_a_late_container)."""
    names = draw(st.sets(st.sampled_from(["begin", "end", "dur"])))
    if ("begin" in names or in_seq) and not names & {"end", "dur"}:
        names.add(draw(st.sampled_from(["end", "dur"])))
    attributes = "".join(f' {name}="{draw(_OFFSETS)}"' for name in sorted(names))
    return attributes + (' timeContainer="seq"' if seq else "")


@st.composite
def _document(draw: st.DrawFn) -> str:
    words = iter(f"w{i}" for i in range(1000))

    def span(depth: int, in_seq: bool) -> str:
        inner = next(words)
        if depth < 1 and draw(st.booleans()):
            inner += " " + span(depth + 1, False)
        return f"<span{draw(_timing(in_seq=in_seq))}>{inner}</span>"

    divs = []
    for _ in range(draw(st.integers(1, 2))):
        div_seq = draw(st.booleans())
        paragraphs = []
        for _ in range(draw(st.integers(1, 3))):
            # ttconv ignores text directly in a seq p, TTML2 does not: only spans there.
            seq = draw(st.booleans())
            parts = [span(0, seq) if seq or draw(st.booleans()) else next(words)
                     for _ in range(draw(st.integers(1, 3)))]
            paragraphs.append(f"<p{draw(_timing(seq, div_seq))}>{' '.join(parts)}</p>")
        divs.append(f"<div{draw(_timing(div_seq))}>{''.join(paragraphs)}</div>")
    return (f'<tt xmlns="http://www.w3.org/ns/ttml"><body{draw(_timing())}>'
            f"{''.join(divs)}<div><p begin=\"0s\" end=\"9s\">end</p></div></body></tt>")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_random_timing_trees_show_what_ttconv_shows(tmp_path_factory: pytest.TempPathFactory, doc: str) -> None:
    """Random par/seq trees of timed divs, paragraphs and spans. Every document ends a
    paragraph at 9 s, so text with no end anywhere is cut there by dubsubs (and shown for
    ever by ttconv): states are compared up to 9 s."""
    path = tmp_path_factory.mktemp("random") / "random.ttml"
    path.write_text(doc, encoding="utf-8")
    raw = read_one(path)
    try:
        states = ttconv_states(path)
    except TypeError:  # ttconv 1.2 fails on a seq holding a child with no end
        reject()
    if not states:
        assert raw.items == []
    for begin, end, texts in states:
        if end > 9:
            break
        assert shown_by_us(raw, (begin + end) / 2) == texts, f"{doc}\nat {float(begin)}-{float(end)} s"


def test_text_outside_any_paragraph_is_reported_not_dropped_silently(tmp_path: Path) -> None:
    path = tmp_path / "stray.ttml"
    path.write_text('<tt xmlns="http://www.w3.org/ns/ttml"><body>\n<div>Loose words\n'
                    '<span>in a span</span> and after.<p begin="0s" end="1s">Read.</p></div></body></tt>',
                    encoding="utf-8")
    raw = read_one(path)
    assert items(raw) == [(0.0, 1000.0, "Read.")]
    assert raw.warnings == ("line 2: text outside any paragraph is not read: 'Loose words'",
                            "line 3: text outside any paragraph is not read: 'in a span'",
                            "line 2: text outside any paragraph is not read: 'and after.'")


def test_untimed_text_starting_at_the_last_time_is_kept_not_refused() -> None:
    # Found by the random-tree property: w3 has no end and starts (after w2's span) exactly
    # at the latest time the document names. It is kept, with a warning, never refused.
    from dubsubs.formats import iter_bytes
    from dubsubs.normalize import normalize

    document = (b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p>w0</p><p>w1</p>'
                b'<p><span begin="5s" dur="5s">w2</span> w3</p></div>'
                b'<div><p begin="0s" end="9s">end</p></div></body></tt>')
    (raw,) = list(iter_bytes(document, "late.ttml"))
    # One item per state of the paragraph (w3 alone, w2 and w3, w3 alone again from 10 s).
    assert {w for item in raw.items for w in item.text.split()} == {"end", "w0", "w1", "w2", "w3"}
    assert [(i.start, i.end, i.text) for i in raw.items if i.start >= 10_000] == [(10_000, 10_000, "w3")]
    assert any("no length of their own" in w for w in raw.warnings)
    transcript, _ = normalize(raw)
    late = [cue for cue in transcript.cues if cue.start_ms == 10_000]
    assert [c.text for c in late] == ["w3"] and late[0].end_ms > 10_000  # given time to be read


def test_a_title_at_zero_with_no_end_is_kept() -> None:
    # The document's only time is 0 s: it still names a time, so the text is kept.
    from dubsubs.formats import iter_bytes

    (raw,) = list(iter_bytes(b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
                             b'<p begin="0s">Title</p></div></body></tt>', "title.ttml"))
    assert [(i.start, i.end, i.text) for i in raw.items] == [(0.0, 0.0, "Title")]
