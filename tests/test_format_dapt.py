"""DAPT (W3C Dubbing and Audio description Profiles of TTML2): writing and reading.

Oracles: the W3C DAPT XSD through ``xmlschema`` (libxml2 cannot load it), the rules the
XSD cannot state (checked below from the specification's text, independently of the
writer), ttconv (the IMSC/TTML reference reader, which reads DAPT as the TTML2 it is), and
the specification's own examples (``fixtures/dapt``).
"""

from __future__ import annotations

import contextlib
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dubsubs.cli import main
from dubsubs.errors import InputError, OptionError
from dubsubs.formats import export, iter_bytes, read_file, sniff
from dubsubs.formats._text import clean_speaker
from dubsubs.formats.base import DEFAULT_READ
from dubsubs.formats.dapt import CONTENT_PROFILE, DaptOptions, dumps
from dubsubs.model import SCRIPT_TYPES, Cue, RawTranscript, Script, ScriptEvent, Transcript, Voice
from dubsubs.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
# The schemas live beside the checkout, as for the EBU-TT-D schema (see conftest.py).
DAPT_XSD = ROOT.parent / "shared" / "schemas" / "dapt" / "dapt.xsd"
SPEC_EXAMPLES = ROOT / "fixtures" / "dapt"

TT = "{http://www.w3.org/ns/ttml}"
TTM = "{http://www.w3.org/ns/ttml#metadata}"
TTP = "{http://www.w3.org/ns/ttml#parameter}"
DAPTM = "{http://www.w3.org/ns/ttml/profile/dapt#metadata}"
XML = "{http://www.w3.org/XML/1998/namespace}"


@pytest.fixture(scope="module")
def dapt_schema() -> Any:
    """The DAPT XSD from ../shared, loaded once; skips where ../shared is absent."""
    if not DAPT_XSD.is_file():
        pytest.skip(f"DAPT schema not found at {DAPT_XSD} (../shared is not beside the checkout)")
    import xmlschema

    return xmlschema.XMLSchema(str(DAPT_XSD))


# --------------------------------------------------------------------------- the rules

_CLOCK_OR_OFFSET = re.compile(r"\d{2,}:\d\d:\d\d(\.\d+)?|\d+(\.\d+)?(h|m|s|ms)")


def _descriptor_covers(parent: str, child: str) -> bool:
    return child == parent or child.startswith(parent + ".")


def dapt_violations(data: bytes) -> list[str]:
    """What a document breaks of DAPT's rules that the XSD does not check, from the
    specification's text: encoding, entities, root attributes, events, characters,
    computed represents and langSrc, timing constraints."""
    found: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        found.append("byte-order mark")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        found.append("not UTF-8")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        found.append("DOCTYPE or entity declaration")
    for reference in re.findall(rb"&([A-Za-z_][\w.-]*);", data):
        if reference not in (b"amp", b"lt", b"gt", b"quot", b"apos"):
            found.append(f"entity reference {reference!r}")
    root = ElementTree.fromstring(data)
    parents = {child: parent for parent in root.iter() for child in parent}

    def computed(element: Any, name: str) -> str | None:
        while element is not None:
            if name in element.attrib:
                return str(element.attrib[name])
            element = parents.get(element)
        return None

    if CONTENT_PROFILE not in root.get(f"{TTP}contentProfiles", "").split():
        found.append("no DAPT content profile")
    if f"{TTP}profile" in root.attrib:
        found.append("ttp:profile")
    language = root.get(f"{XML}lang")
    if not language or language == "und":
        found.append(f"xml:lang on tt is {language!r}")
    if root.get(f"{DAPTM}scriptType") not in SCRIPT_TYPES:
        found.append("daptm:scriptType")
    script_represents = root.get(f"{DAPTM}scriptRepresents", "").split()
    if not script_represents:
        found.append("no daptm:scriptRepresents")
    if root.get(f"{TTP}timeBase", "media") != "media":
        found.append("timeBase")
    ids = [element.get(f"{XML}id") for element in root.iter() if element.get(f"{XML}id")]
    if len(ids) != len(set(ids)):
        found.append("xml:id not unique")
    characters = {}
    for agent in root.iter(f"{TTM}agent"):
        if parents.get(agent) is None or parents[agent].tag != f"{TT}metadata" \
                or parents[parents[agent]].tag != f"{TT}head":
            found.append("ttm:agent outside /tt/head/metadata")
        names = [n for n in agent if n.tag == f"{TTM}name" and n.get("type") == "alias" and (n.text or "").strip()]
        if agent.get("type") != "character" or not agent.get(f"{XML}id") or not names:
            found.append("character without type, xml:id or alias name")
        characters[agent.get(f"{XML}id")] = agent
    for element in root.iter():
        if element.get("timeContainer", "par") != "par":
            found.append("timeContainer")
        for name in ("begin", "end", "dur"):
            value = element.get(name)
            if value is not None and not _CLOCK_OR_OFFSET.fullmatch(value):
                found.append(f"time expression {value!r}")
        for agent in (element.get(f"{TTM}agent") or "").split():
            if agent not in characters:
                found.append(f"ttm:agent {agent!r} names no character")
    for div in root.iter(f"{TT}div"):
        if any(child.tag == f"{TT}div" for child in div):
            continue
        if not div.get(f"{XML}id"):
            found.append("event div without xml:id")
        represents = computed(div, f"{DAPTM}represents")
        if not represents:
            found.append(f"event {div.get(f'{XML}id')} without computed daptm:represents")
        elif not any(_descriptor_covers(parent, represents) for parent in script_represents):
            found.append(f"represents {represents!r} not within scriptRepresents")
        on_screen = div.get(f"{DAPTM}onScreen")
        if on_screen is not None and on_screen not in ("ON", "OFF", "ON_OFF", "OFF_ON"):
            found.append("daptm:onScreen")
        for p in div:
            if p.tag == f"{TT}p" and computed(p, f"{DAPTM}langSrc") is None:
                found.append(f"p of {div.get(f'{XML}id')} without daptm:langSrc")
    return found


# --------------------------------------------------------------------------- what we write

DUB = Transcript(
    (
        Cue(0, 1200, "Hola y bienvenidos.", "SPEAKER_0"),
        Cue(1350, 2600, "Hoy probamos\nel entorno local.", "SPEAKER_1"),
        Cue(2700, 3900, "¿Tú?\nYo no.", None, (Voice("SPEAKER_0", "¿Tú?"), Voice("SPEAKER_1", "Yo no."))),
        Cue(4000, 5000, "Nadie <sabe> & \"nada\"  aquí."),
        Cue(3_600_000, 3_601_001, "Una hora después.", "Ana  María"),
    ),
    language="es-ES",
)
ORIGINAL = Transcript(
    (
        Cue(0, 1100, "Hello and welcome.", "SPEAKER_0"),
        Cue(1300, 2500, "Today we test the sandbox.", "SPEAKER_1"),
        Cue(2400, 2650, "Overlapping less.", "SPEAKER_1"),
        Cue(9000, 9500, "Only in the original."),
    ),
    language="en",
)


def _documents() -> dict[str, str]:
    return {
        "plain": dumps(DUB, DaptOptions()),
        "with-source": dumps(DUB, DaptOptions(source=ORIGINAL)),
        "original": dumps(DUB, DaptOptions(script_type="originalTranscript")),
        "empty": dumps(Transcript((), language="fr"), DaptOptions()),
        "no-speakers": dumps(Transcript((Cue(0, 10, "a"),), language="de"), DaptOptions(source_language="en")),
        "copyright": dumps(DUB, DaptOptions(copyright="© 2026 <Studio> & co")),
    }


@pytest.mark.parametrize("name", sorted(_documents()))
def test_written_documents_are_valid_dapt(name: str, dapt_schema: Any) -> None:
    document = _documents()[name]
    dapt_schema.validate(document)
    assert dapt_violations(document.encode("utf-8")) == []


def test_the_rule_checks_can_fail() -> None:
    good = _documents()["plain"]
    assert dapt_violations(good.encode()) == []
    broken = (good.replace(' xml:id="event_2"', "").replace('daptm:scriptType="asRecorded"', "")
              .replace('ttm:agent="character_1"', 'ttm:agent="nobody"', 1))
    found = dapt_violations(b"\xef\xbb\xbf" + broken.encode())
    assert {"byte-order mark", "daptm:scriptType", "event div without xml:id",
            "ttm:agent 'nobody' names no character"} <= set(found)


def test_root_events_and_characters() -> None:
    root = ElementTree.fromstring(_documents()["plain"])
    assert root.get(f"{TTP}contentProfiles") == CONTENT_PROFILE
    assert root.get(f"{XML}lang") == "es-ES"
    assert root.get(f"{TTP}timeBase") == "media"
    assert root.get(f"{DAPTM}scriptRepresents") == "audio.dialogue"
    assert root.get(f"{DAPTM}scriptType") == "asRecorded"
    assert f"{DAPTM}langSrc" not in root.attrib  # the source language is not known
    names = {a.get(f"{XML}id"): a.find(f"{TTM}name").text for a in root.iter(f"{TTM}agent")}  # type: ignore[union-attr]
    assert sorted(names.values()) == ["Ana María", "SPEAKER_0", "SPEAKER_1"]
    events = list(root.iter(f"{TT}div"))
    assert len(events) == len(DUB.cues)
    assert [names.get(e.get(f"{TTM}agent")) for e in events] == \
        ["SPEAKER_0", "SPEAKER_1", None, None, "Ana María"]
    assert events[2].get(f"{TTM}agent", "").split() == [k for k, v in names.items() if v.startswith("SPEAKER")]
    assert f"{TTM}agent" not in events[3].attrib  # no speaker: credited to no one
    for event in events:
        (p,) = event.findall(f"{TT}p")
        assert p.get(f"{XML}lang") == "es-ES" and p.get(f"{DAPTM}langSrc") == ""


@pytest.mark.parametrize("script_type", SCRIPT_TYPES)
def test_script_type_option(script_type: str) -> None:
    root = ElementTree.fromstring(dumps(DUB, DaptOptions(script_type=script_type)))
    assert root.get(f"{DAPTM}scriptType") == script_type


def test_language_is_required_or_given() -> None:
    nameless = Transcript((Cue(0, 1000, "Hi"),))
    with pytest.raises(OptionError, match="--language"):
        dumps(nameless, DaptOptions())
    with pytest.raises(OptionError, match="--language"):
        dumps(Transcript((Cue(0, 1000, "Hi"),), language="und"), DaptOptions())
    assert 'xml:lang="fr"' in dumps(nameless, DaptOptions(language="fr"))
    # The transcript's own language wins: --language is for transcripts that state none.
    assert 'xml:lang="es-ES"' in dumps(DUB, DaptOptions(language="fr"))
    with pytest.raises(OptionError, match="script_type"):
        DaptOptions(script_type="final")
    with pytest.raises(OptionError, match="language"):
        DaptOptions(language="und")
    with pytest.raises(OptionError, match="source-language"):
        dumps(DUB, DaptOptions(source=Transcript((Cue(0, 5, "x"),))))


def test_source_pairs_by_overlap_and_drops_nothing() -> None:
    root = ElementTree.fromstring(_documents()["with-source"])
    assert root.get(f"{DAPTM}langSrc") == "en"
    events = []
    for div in root.iter(f"{TT}div"):
        events.append([(p.get(f"{XML}lang"), p.get(f"{DAPTM}langSrc"), "".join(p.itertext()))
                       for p in div.findall(f"{TT}p")])
    assert events[0] == [("en", "en", "Hello and welcome."), ("es-ES", "en", "Hola y bienvenidos.")]
    assert events[1] == [("en", "en", "Today we test the sandbox."), ("es-ES", "en", "Hoy probamosel entorno local.")]
    # Every dub item and every original item is in exactly one event.
    texts = [text for event in events for _, _, text in event]
    assert len(texts) == len(DUB.cues) + len(ORIGINAL.cues)
    assert [("en", "en", "Only in the original.")] in events
    assert [("en", "en", "Overlapping less.")] in events  # its best match was taken by a larger overlap


def test_exact_times_read_back(tmp_path: Path) -> None:
    path = tmp_path / "s.dapt.ttml"
    path.write_text(_documents()["with-source"], encoding="utf-8")
    by_language = {raw.language: normalize(raw)[0] for raw in read_file(path)}
    # Speaker names are cleaned as in every format (white space runs as one space).
    assert [(c.start_ms, c.end_ms, c.text, c.speaker, c.voices) for c in by_language["es-ES"].cues] == \
        [(c.start_ms, c.end_ms, c.text, clean_speaker(c.speaker), c.voices) for c in DUB.cues]
    assert [(c.start_ms, c.end_ms, c.text, c.speaker) for c in by_language["en"].cues] == \
        [(c.start_ms, c.end_ms, c.text, c.speaker) for c in ORIGINAL.cues]


def read_with_ttconv(document: str) -> list[tuple[str | None, Fraction, Fraction, str]]:
    """(language, begin, end, text) of every p, as ttconv models the document."""
    from ttconv import model as tt_model
    from ttconv.imsc import reader as imsc_reader

    doc = imsc_reader.to_model(ElementTree.ElementTree(ElementTree.fromstring(document)))
    found = []
    body = doc.get_body()
    for div in body or []:
        for p in div:
            parts: list[str] = []

            def text(element: Any, parts: list[str] = parts) -> None:
                for node in element:
                    if isinstance(node, tt_model.Br):
                        parts.append("\n")
                    elif isinstance(node, tt_model.Text):
                        parts.append(node.get_text())
                    else:
                        text(node)

            text(p)
            offset = div.get_begin() or Fraction(0)
            begin = offset + (p.get_begin() or 0)
            end = offset + p.get_end() if p.get_end() is not None else div.get_end()
            found.append((p.get_lang(), begin, end, "".join(parts)))
    return found


def test_ttconv_reads_our_dapt_as_we_do() -> None:
    document = _documents()["with-source"]
    ours = []
    for raw in iter_bytes(document.encode(), "s.dapt.ttml"):
        assert isinstance(raw, RawTranscript)
        ours += [(raw.language, Fraction(int(i.start), 1000), Fraction(int(i.end), 1000), i.text)
                 for i in raw.items]
    assert sorted(read_with_ttconv(document)) == sorted(ours)


# --------------------------------------------------------------------------- reading


SPEC = {
    "intro-original-language": {"fr": [(10000, 13000, "ASSANE", "Et c'est grâce à ça qu'on va devenir riches.")]},
    "intro-original-language-with-dub-language": {
        "fr": [(10000, 13000, "ASSANE", "Et c'est grâce à ça qu'on va devenir riches.")],
        "en": [(10000, 13000, "ASSANE", "And thanks to that, we're gonna get rich.")],
    },
    "intro-original-language-with-dub-language-and-adaptation": {
        "fr": [(10000, 13000, "ASSANE", "Et c'est grâce à ça qu'on va devenir riches.")],
        "en": [(10000, 13000, "ASSANE", "And thanks to that, we're gonna get rich.")],
    },
    "intro-times-and-text": {"en": [(10000, 13000, None, "A woman climbs into a small sailing boat."),
                                    (18000, 20000, None, "The woman pulls the tiller and the boat turns.")]},
    "intro-times-and-text-with-visual-text": {"en": [
        (7000, 8500, None, "The Lake District, England"),
        (10000, 13000, None, "A woman climbs into a small sailing boat."),
        (18000, 20000, None, "The woman pulls the tiller and the boat turns.")]},
}


@pytest.mark.parametrize("name", sorted(SPEC))
def test_spec_examples_read(name: str) -> None:
    parts = read_file(SPEC_EXAMPLES / f"{name}.dapt.ttml")
    got = {raw.key[0]: [(int(i.start), int(i.end), i.speaker, i.text) for i in raw.items] for raw in parts}
    assert got == SPEC[name]
    for raw in parts:
        assert raw.warnings == ()
        assert [e["id"] for e in raw.extra["script"]["events"]]


def test_spec_examples_keep_on_screen_and_represents(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "convert", str(SPEC_EXAMPLES / "intro-original-language-with-dub-language-and-adaptation.dapt.ttml"),
        str(SPEC_EXAMPLES / "intro-times-and-text-with-visual-text.dapt.ttml"),
        "-o", str(tmp_path), "-f", "json,srt"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stem = "intro-original-language-with-dub-language-and-adaptation"
    assert {p.name for p in tmp_path.iterdir()} >= {f"{stem}.fr.srt", f"{stem}.en.srt", f"{stem}.en.json"}
    script = json.loads((tmp_path / f"{stem}.en.json").read_text())["script"]
    assert script["type"] == "preRecording" and script["langSrc"] == "fr"
    assert script["events"] == [{"id": "d1", "onScreen": "ON_OFF", "represents": "audio.dialogue"}]
    visual = json.loads((tmp_path / "intro-times-and-text-with-visual-text.en.json").read_text())["script"]
    assert [e["represents"] for e in visual["events"]] == ["visual.text.location", "visual.nonText", "visual.nonText"]
    # And the JSON reads back with them: the next DAPT keeps them.
    again = read_file(tmp_path / f"{stem}.en.json")[0]
    transcript, _ = normalize(again)
    assert transcript.script is not None and transcript.script.events == (ScriptEvent("d1", "ON_OFF", "audio.dialogue"),)
    assert 'daptm:onScreen="ON_OFF"' in export(transcript, "dapt")


def _doc(root_attributes: str, body: str) -> bytes:
    return (
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata" '
        'xmlns:daptm="http://www.w3.org/ns/ttml/profile/dapt#metadata" '
        f'ttp:contentProfiles="{CONTENT_PROFILE}" daptm:scriptRepresents="audio.dialogue" '
        f'{root_attributes}><body daptm:represents="audio.dialogue">{body}</body></tt>'
    ).encode()


def _read(data: bytes) -> list[RawTranscript]:
    return [part for part in iter_bytes(data, "x.dapt.ttml") if isinstance(part, RawTranscript)]


def test_broken_rules_that_matter_get_one_line() -> None:
    with pytest.raises(InputError, match=r"^x\.dapt\.ttml: line 1: not a DAPT script: .*daptm:scriptType"):
        _read(_doc('xml:lang="en"', '<div xml:id="a" begin="1s" end="2s"><p>Hi</p></div>'))
    with pytest.raises(InputError, match="daptm:scriptType 'final'"):
        _read(_doc('xml:lang="en" daptm:scriptType="final"', ""))
    with pytest.raises(InputError, match="no xml:lang"):
        _read(_doc('daptm:scriptType="asRecorded"', ""))
    # An untimed last event is kept from its start with no length of its own (as TTML is),
    # for the normaliser to give it time to be read; a script with no time at all is refused.
    (raw,) = _read(_doc('xml:lang="en" daptm:scriptType="asRecorded"',
                        '<div xml:id="a" begin="1s" end="2s"><p>Hi</p></div><div xml:id="b" begin="3s"><p>Ho</p></div>'))
    assert [(i.start, i.end, i.text) for i in raw.items] == [(1000, 2000, "Hi"), (3000, 3000, "Ho")]
    with pytest.raises(InputError, match=r"line 1: script event 'a' has text with no end time") as caught:
        _read(_doc('xml:lang="en" daptm:scriptType="originalTranscript"', '<div xml:id="a"><p>Untimed</p></div>'))
    assert "\n" not in str(caught.value)
    # Text without an end, but a later time in the document: ended there, and said so.
    (raw,) = _read(_doc('xml:lang="en" daptm:scriptType="asRecorded"',
                        '<div xml:id="a" begin="1s"><p>Hi</p></div><div xml:id="b" begin="3s" end="5s"><p>Ho</p></div>'))
    assert [(i.start, i.end) for i in raw.items] == [(1000, 5000), (3000, 5000)]
    assert any("no end time (first: a)" in w for w in raw.warnings)


def test_timing_is_inherited_per_ttml2_and_events_found_per_dapt() -> None:
    raw, german = _read(_doc(
        'xml:lang="en" daptm:scriptType="originalTranscript" ttp:frameRate="25"',
        '<div begin="10s"><div xml:id="a" begin="1s" dur="2s"><p>One</p></div>'
        '<div xml:id="b" begin="50f" end="4s"><p xml:lang="de">Zwei</p><p>Two</p></div></div>'
        '<div><p>not an event</p></div>'))
    assert raw.key == ("en",)
    assert [(i.start, i.end, i.text) for i in raw.items] == [(11000, 13000, "One"), (12000, 14000, "Two")]
    assert any("div without xml:id" in w for w in raw.warnings)
    assert german.key == ("de",) and german.language == "de"
    assert [(i.start, i.end, i.text) for i in german.items] == [(12000, 14000, "Zwei")]


def test_sniffing_and_names() -> None:
    document = _documents()["plain"].encode()
    assert sniff(document, "unnamed").name == "dapt"
    assert sniff(b'<?xml version="1.0"?>\n<tt xmlns="http://www.w3.org/ns/ttml"/>', "unnamed").name == "ttml"
    assert sniff(document, "x.dapt.ttml").name == "dapt"
    assert sniff(document, "x.ttml").name == "ttml"  # a name says the format


# --------------------------------------------------------------------------- round trips

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")).filter(
    lambda c: c not in "\x85"), min_size=1, max_size=12).map(str.strip).filter(bool)
_SPEAKER = st.one_of(st.none(), st.sampled_from(["Ana", "Bob", "SPEAKER_0", "Zoë Ñ"]))


@st.composite
def _transcripts(draw: Any) -> Transcript:
    cues = []
    start = 0
    for _ in range(draw(st.integers(0, 6))):
        start += draw(st.integers(0, 5000))
        end = start + draw(st.integers(1, 5000))
        if draw(st.booleans()):
            speakers = draw(st.lists(st.sampled_from(["Ana", "Bob", "Cy"]), min_size=2, max_size=3, unique=True))
            voices = tuple(Voice(s, draw(_TEXT)) for s in speakers)
            cues.append(Cue.spoken(start, end, voices))
        else:
            lines = draw(st.lists(_TEXT, min_size=1, max_size=3))
            cues.append(Cue(start, end, "\n".join(lines), draw(_SPEAKER)))
    return Transcript(tuple(cues), language=draw(st.sampled_from(["en", "es-ES", "fr", "zh-Hans"])))


def _same(cues: tuple[Cue, ...]) -> list[tuple[Any, ...]]:
    return [(c.start_ms, c.end_ms, c.text, c.speaker, c.voices) for c in cues]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_transcripts())
def test_json_dapt_json_keeps_times_speakers_and_text(transcript: Transcript) -> None:
    (from_json,) = list(iter_bytes(export(transcript, "json").encode(), "t.json"))
    assert isinstance(from_json, RawTranscript)
    first, _ = normalize(from_json)
    parts = list(iter_bytes(export(first, "dapt").encode(), "t.dapt.ttml"))
    if not transcript.cues:
        assert [p.items for p in parts if isinstance(p, RawTranscript)] == [[]]
        return
    (raw,) = parts
    assert isinstance(raw, RawTranscript)
    back, _ = normalize(raw)
    (json_again,) = list(iter_bytes(export(back, "json").encode(), "t.json"))
    assert isinstance(json_again, RawTranscript)
    final, _ = normalize(json_again)
    assert _same(final.cues) == _same(first.cues) == _same(transcript.cues)
    assert final.language == transcript.language


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_transcripts(), _transcripts(), st.data())
def test_dapt_dapt_keeps_events_characters_and_languages(dub: Transcript, original: Transcript,
                                                         data: Any) -> None:
    original = Transcript(original.cues, language="ja")
    on_screen = data.draw(st.lists(st.sampled_from([None, "ON", "OFF_ON"]), min_size=len(dub.cues),
                                   max_size=len(dub.cues)))
    dub = Transcript(dub.cues, language=dub.language,
                     script=Script(tuple(ScriptEvent(f"ev{i}", s, "audio.dialogue.x-lines")
                                         for i, s in enumerate(on_screen)), "preRecording"))
    first = export(dub, "dapt", source=original)
    second_parts = []
    for raw in iter_bytes(first.encode(), "a.dapt.ttml"):
        assert isinstance(raw, RawTranscript)
        transcript, _ = normalize(raw)
        second_parts.append(export(transcript, "dapt"))

    def summary(documents: list[str]) -> tuple[Any, ...]:
        events, characters, languages = [], set(), set()
        for document in documents:
            root = ElementTree.fromstring(document)
            names = {a.get(f"{XML}id"): a.findtext(f"{TTM}name") for a in root.iter(f"{TTM}agent")}
            characters |= set(names.values())
            for div in root.iter(f"{TT}div"):
                for p in div.findall(f"{TT}p"):
                    languages.add(p.get(f"{XML}lang"))
                    events.append((div.get(f"{DAPTM}onScreen"), div.get(f"{DAPTM}represents"),
                                   p.get(f"{XML}lang"), "".join(p.itertext())))
        return sorted(events, key=repr), characters, languages

    assert summary(second_parts) == summary([first])
    for document in second_parts:
        assert dapt_violations(document.encode()) == []


# --------------------------------------------------------------------------- commands


def test_copyright_goes_in_the_head_of_ttml_and_dapt(tmp_path: Path) -> None:
    root = ElementTree.fromstring(_documents()["copyright"])
    assert root.findtext(f"{TT}head/{TTM}copyright") == "© 2026 <Studio> & co"
    with pytest.raises(OptionError, match="copyright"):
        DaptOptions(copyright="two\nlines")
    dub = tmp_path / "dub.json"
    dub.write_text(export(DUB, "json"), encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(dub), "-o", str(tmp_path), "-f", "dapt,ttml",
                                       "--copyright", "© Example"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("dub.dapt.ttml", "dub.ttml"):
        assert ElementTree.parse(tmp_path / name).getroot().findtext(f"{TT}head/{TTM}copyright") == "© Example"


def test_convert_with_source_and_options(tmp_path: Path) -> None:
    dub, original = tmp_path / "dub.json", tmp_path / "original.srt"
    dub.write_text(export(DUB, "json"), encoding="utf-8")
    original.write_text(export(ORIGINAL, "srt"), encoding="utf-8")  # SRT states no language
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(dub), "-o", str(tmp_path / "out"), "-f", "dapt",
                                  "--source", str(original), "--source-language", "en",
                                  "--script-type", "preRecording"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "dub.{dapt.ttml}" in result.output
    written = (tmp_path / "out" / "dub.dapt.ttml").read_bytes()
    assert dapt_violations(written) == []
    assert b'daptm:scriptType="preRecording"' in written and b'daptm:langSrc="en"' in written
    assert written.count(b"<div ") == len(DUB.cues) + 2  # two original items unpaired
    # The source without its language is refused with a way out; --script-type needs -f dapt.
    result = runner.invoke(main, ["convert", str(dub), "-o", str(tmp_path / "o2"), "-f", "dapt",
                                  "--source", str(original)])
    assert result.exit_code == 1 and "--source-language" in result.output
    result = runner.invoke(main, ["convert", str(dub), "-o", str(tmp_path / "o3"), "-f", "srt",
                                  "--script-type", "asRecorded"])
    assert result.exit_code == 1 and "--script-type is for dapt" in result.output
    assert not (tmp_path / "o3").exists()


def test_sandbox_fetch_writes_valid_dapt_per_language(sandbox: Any, tmp_path: Path, dapt_schema: Any) -> None:
    env = {"CAMB_API_KEY": sandbox.api_key, "CAMB_API_BASE_URL": sandbox.url}
    result = CliRunner().invoke(main, ["fetch", "1001", "1002", "-o", str(tmp_path), "-f", "dapt",
                                       "--no-media", "--language", "en"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("*/*.dapt.ttml"))
    assert [p.name for p in written] == ["1001.dapt.ttml", "1002.es-ES.dapt.ttml", "1002.fr-FR.dapt.ttml"]
    for path in written:
        dapt_schema.validate(str(path))
        assert dapt_violations(path.read_bytes()) == []
        (raw,) = read_file(path)
        assert raw.language == path.name.split(".")[1] if path.name.startswith("1002") else raw.language == "en"
        assert {item.speaker for item in raw.items} == {"SPEAKER_0", "SPEAKER_1"}
    roles = {f["name"]: f["role"] for f in json.loads((tmp_path / "1001" / "manifest.json").read_text())["files"]}
    assert roles["1001.dapt.ttml"] == "subtitles.dapt"  # the format, not the last suffix
    # Without --language, the run that states none is refused, the others are written.
    result = CliRunner().invoke(main, ["fetch", "1001", "1002", "-o", str(tmp_path / "b"), "-f", "dapt",
                                       "--no-media"], env=env, catch_exceptions=False)
    assert result.exit_code == 1 and "--language" in result.output
    assert (tmp_path / "b" / "1002" / "1002.fr-FR.dapt.ttml").is_file()


# --------------------------------------------------------------------------- fuzz


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_raise_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        list(iter_bytes(data, "f.dapt.ttml", "dapt", DEFAULT_READ))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_documents_only_raise_input_error(data: Any) -> None:
    document = bytearray(_documents()["with-source"].encode())
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(document) - 1))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = data.draw(st.sampled_from([b"<", b">", b'"', b"&amp;", b"&x;", b"<div>", b"</div>", b"begin=\"9",
                                          b"xml:id=\"a\" ", b"\x00", b"\xff", b"<span>", b"10s", b"-"]))
        if action == "delete":
            del document[at:at + len(piece)]
        elif action == "insert":
            document[at:at] = piece
        else:
            document[at:at + len(piece)] = piece
    with contextlib.suppress(InputError):
        list(iter_bytes(bytes(document), "f.dapt.ttml", "dapt", DEFAULT_READ))
