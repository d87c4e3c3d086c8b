"""Input parsing: every accepted shape, and bad input rejected with a message that names
the source and the JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dubsubs.camb.results import iter_results as iter_json
from dubsubs.errors import InputError, UnknownFormatError
from dubsubs.formats import load, read_file


def item(start: object = 0.5, end: object = 1.5, text: object = "Hi there.",
         speaker: object = "A") -> dict[str, object]:
    return {"start": start, "end": end, "text": text, "speaker": speaker}


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_single_result_with_documented_keys() -> None:
    (raw,) = load({"video_url": "v", "audio_url": "a", "transcript": [item()]}, source="x")
    assert raw.video_url == "v" and raw.audio_url == "a"
    assert raw.items[0].start == 0.5 and raw.items[0].text == "Hi there."
    assert raw.key == () and raw.units is None and raw.where == "transcript"


def test_single_result_with_output_aliases_and_null_video() -> None:
    (raw,) = load({"output_video_url": None, "output_audio_url": "a", "transcript": []})
    assert raw.video_url is None and raw.audio_url == "a"


def test_bulk_result_keyed_by_run_id() -> None:
    raws = load({"41707": {"transcript": [item()]}, "40413": {"transcript": [item(), item()]}})
    assert [(r.run_id, r.key, len(r.items)) for r in raws] == [
        ("41707", ("41707",), 1), ("40413", ("40413",), 2)]


def test_result_keyed_by_language_takes_tags_names_and_ids() -> None:
    raws = load({"es-ES": {"transcript": [item()]}, "FR_FR": {"transcript": [item()]}})
    assert [(r.language, r.key) for r in raws] == [("es-ES", ("es-ES",)), ("fr-FR", ("fr-FR",))]


def test_bulk_of_multi_language_runs() -> None:
    raws = load({"41707": {"es-ES": {"transcript": [item()]}, "de-DE": {"transcript": [item()]}}})
    assert [r.key for r in raws] == [("41707", "es-ES"), ("41707", "de-DE")]
    assert all(r.run_id == "41707" for r in raws)


def test_bare_list_and_numeric_strings() -> None:
    (raw,) = load([item(" 1.25", "2", speaker=7)])
    assert (raw.items[0].start, raw.items[0].end, raw.items[0].speaker) == (1.25, 2.0, "7")


def test_our_own_json_export_reads_back_in_seconds() -> None:
    (raw,) = load({"run_id": "9", "language": "es-ES", "units": "s", "speakers": ["A"],
                   "cues": [{"start": 1.5, "end": 2.0, "speaker": "A", "text": "Hola"}]})
    assert raw.units == "s" and raw.language == "es-ES" and raw.run_id == "9"


def test_one_broken_run_in_a_bulk_file_does_not_stop_the_others() -> None:
    parts = list(iter_json({"1": {"transcript": [item(start="soon")]},
                            "2": {"transcript": [item()]}, "3": {}}, "bulk.json"))
    assert str(parts[0]) == 'bulk.json: 1.transcript[0].start: expected a number, got "soon"'
    assert not isinstance(parts[1], InputError) and parts[1].run_id == "2"
    assert str(parts[2]) == "bulk.json: 3: empty result (the run may not be finished)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"transcript": [{"start": 0, "end": 1, "text": "a"}, {"start": 1, "end": 2, "text": "b"},'
         ' {"start": 2, "end": 3, "text": "c"}, {"start": "soon", "end": 4, "text": "d"}]}',
         'episode3.json: transcript[3].start: expected a number, got "soon"'),
        ('{"transcript": [{"start": NaN, "end": 1, "text": "a"}]}',
         "episode3.json: not valid JSON: NaN is not a number JSON allows"),
        ('{"transcript": [{"start": "nan", "end": 1, "text": "a"}]}',
         'episode3.json: transcript[0].start: expected a finite number, got "nan"'),
        ('{"transcript": [{"start": "inf", "end": 1, "text": "a"}]}',
         'episode3.json: transcript[0].start: expected a finite number, got "inf"'),
        ('{"transcript": [{"start": 1e400, "end": 1, "text": "a"}]}',
         "episode3.json: transcript[0].start: expected a finite number, got inf"),
        ('{"transcript": [{"start": -30, "end": 1, "text": "a"}]}',
         "episode3.json: transcript[0].start: negative time -30"),
        ('{"transcript": [{"start": 0, "end": 1e13, "text": "a"}]}',
         "episode3.json: transcript[0].end: time 10000000000000.0 is beyond 100 days in any unit"),
        ('{"transcript": [{"start": true, "end": 1, "text": "a"}]}',
         "episode3.json: transcript[0].start: expected a number, got true"),
        ('{"transcript": [{"start": 0, "text": "a"}]}',
         "episode3.json: transcript[0]: missing 'end'"),
        ('{"transcript": [{"start": 0, "end": 1, "text": 5}]}',
         "episode3.json: transcript[0].text: expected a string, got 5"),
        ('{"transcript": [{"start": 0, "end": 1, "text": "a", "speaker": ["x"]}]}',
         'episode3.json: transcript[0].speaker: expected a string, got ["x"]'),
        ('{"transcript": [[0, 1, "a"]]}',
         "episode3.json: transcript[0]: expected an object, got [0, 1, \"a\"]"),
        ('{"transcript": {"start": 0}}',
         "episode3.json: transcript: expected a list of dialogue items, got dict"),
        ('{"video_url": 5, "transcript": []}',
         "episode3.json: video_url: expected a URL string, got 5"),
        ("{}", "episode3.json: empty object: no dub result in it"),
        ('"hello"', 'episode3.json: expected a dub result object or a list of dialogue items, got "hello"'),
        ('{"foo": 1, "bar": 2}',
         "episode3.json: not a dub result: expected 'transcript', results keyed by run id, or "
         "results keyed by language; found keys 'foo', 'bar'"),
        ("", "episode3.json: empty file"),
        ("   \n", "episode3.json: empty file"),
        ("{not json", "episode3.json: not valid JSON: line 1 column 2: "
                      "Expecting property name enclosed in double quotes"),
    ],
)
def test_bad_json_input_exact_messages(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, "episode3.json", content)
    with pytest.raises(InputError) as info:
        read_file(path)
    assert str(info.value).replace(str(tmp_path) + "/", "") == message
    assert isinstance(info.value, ValueError)


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", b'{"transcript": [{"text": "\xff"}]}')
    with pytest.raises(InputError, match=r"x\.json: not UTF-8 text \(line 1, byte 26\)"):
        read_file(path)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.json: cannot read: No such file or directory"):
        read_file(tmp_path / "nope.json")


def test_unknown_format(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "just some words\n")
    with pytest.raises(UnknownFormatError, match="notes.txt: cannot tell the format"):
        read_file(path)


def test_srt_input(tmp_path: Path) -> None:
    path = write(tmp_path, "a.srt", "1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nthere\r\n\r\n"
                                    "2\r\n100:00:00,000 --> 100:00:01,000\r\nLate\r\n")
    (raw,) = read_file(path)
    assert raw.units == "ms"
    assert [(i.start, i.end, i.text) for i in raw.items] == [
        (1000.0, 2500.0, "Hello\nthere"), (360_000_000.0, 360_001_000.0, "Late")]


def test_srt_with_a_broken_cue_is_rejected_not_truncated(tmp_path: Path) -> None:
    path = write(tmp_path, "b.srt", "1\n00:00:01,000 --> 00:00:02,000\nhello\n\nbroken\n\n"
                                    "3\n00:00:05,000 --> 00:00:06,000\nbye\n")
    with pytest.raises(InputError, match=r"b\.srt: line 5: not a valid SRT cue"):
        read_file(path)


def test_vtt_input_unescapes_and_reads_voices(tmp_path: Path) -> None:
    path = write(tmp_path, "a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n"
                                    "<v Tom &amp; Jerry>Fish &amp; chips &lt;3</v>\n")
    (raw,) = read_file(path)
    assert (raw.items[0].text, raw.items[0].speaker) == ("Fish & chips <3", "Tom & Jerry")
    assert raw.items[0].start == 1000.0 and raw.items[0].end == 2500.0


def test_vtt_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "a.vtt", "not a vtt file\n")
    with pytest.raises(InputError, match=r"a\.vtt: line 1: not valid WebVTT"):
        read_file(path)


TTML = """<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xml:lang="fr-FR" ttp:frameRate="25">
  <head><metadata><ttm:agent xml:id="a1" type="person"><ttm:name type="full">Maya L</ttm:name>
  </ttm:agent></metadata></head>
  <body><div begin="00:00:10.000">
    <p xml:id="s1" begin="00:00:01.500" end="00:00:03.000" ttm:agent="a1">Bonjour<br/>à <span>tous</span></p>
    <p xml:id="s2" begin="4s" dur="12f">Salut</p>
  </div></body>
</tt>"""


def test_ttml_input_with_time_containment_agents_and_frames(tmp_path: Path) -> None:
    (raw,) = read_file(write(tmp_path, "a.ttml", TTML))
    assert raw.language == "fr-FR"
    assert [(i.start, i.end, i.text, i.speaker) for i in raw.items] == [
        (11500.0, 13000.0, "Bonjour\nà tous", "Maya L"),
        (14000.0, 14480.0, "Salut", None),
    ]


def test_ttml_rejects_entities_and_bad_xml(tmp_path: Path) -> None:
    evil = ('<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">&x;</p>'
            "</div></body></tt>")
    with pytest.raises(InputError) as info:
        read_file(write(tmp_path, "evil.ttml", evil))
    assert "root:" not in str(info.value)
    assert str(info.value).endswith("evil.ttml: line 1: entity reference &x; is not expanded")
    with pytest.raises(InputError, match=r"bad\.ttml: not well-formed XML"):
        read_file(write(tmp_path, "bad.ttml", "<tt><body>"))


def test_samples_all_parse(fixtures_dir: Path) -> None:
    for path in sorted((fixtures_dir / "samples").glob("*.json")):
        raws = read_file(path)
        assert raws and all(r.items for r in raws), path
        json.loads(path.read_text())


def test_ttml_whitespace_is_collapsed_unless_preserved(tmp_path: Path) -> None:
    doc = ('<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
           '<p begin="0s" end="1s">\n      Two   words\n      <br/>\n  next  line\n    </p>'
           '<p begin="1s" end="2s" xml:space="preserve">a  b</p></div></body></tt>')
    (raw,) = read_file(write(tmp_path, "ws.ttml", doc))
    assert [i.text for i in raw.items] == ["Two words\nnext line", "a  b"]


def test_srt_formatting_markup_is_removed_but_words_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "m.srt", "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Hello</i> <FONT color=\"red\">you</FONT>"
                                    " <b>3 < 4</b>\n")
    (raw,) = read_file(path)
    assert raw.items[0].text == "Hello you 3 < 4"


def test_integer_too_large_for_a_float_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "big.json", '{"transcript": [{"start": 1' + "0" * 400 + ', "end": 2, "text": "a"}]}')
    with pytest.raises(InputError, match=r"big\.json: transcript\[0\]\.start: time 1000.* is beyond 100 days"):
        read_file(path)



def test_json_nested_too_deep_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match=r"deep\.json: not valid JSON: nested too deeply"):
        read_file(path)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('ttp:frameRate="abc"', "ttp:frameRate: expected a positive integer, got 'abc'"),
        ('ttp:frameRate="0"', "ttp:frameRate: expected a positive integer, got '0'"),
        ('ttp:frameRate="29.97"', "ttp:frameRate: expected a positive integer, got '29.97'"),
        ('ttp:frameRateMultiplier="1000"', "ttp:frameRateMultiplier: expected two positive integers, got '1000'"),
        ('ttp:frameRateMultiplier="1000 0"', "ttp:frameRateMultiplier: expected two positive integers, got '1000 0'"),
        ('ttp:tickRate="-5"', "ttp:tickRate: expected a positive integer, got '-5'"),
    ],
)
def test_ttml_bad_timing_parameters_are_input_errors(tmp_path: Path, attributes: str, message: str) -> None:
    doc = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" '
           f'{attributes}><body><div><p begin="00:00:01:05" end="2s">x</p></div></body></tt>')
    with pytest.raises(InputError) as info:
        read_file(write(tmp_path, "rate.ttml", doc))
    assert str(info.value).replace(str(tmp_path) + "/", "") == f"rate.ttml: {message}"


def test_ttml_time_beyond_a_float_is_an_input_error(tmp_path: Path) -> None:
    doc = ('<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
           f'<p begin="0s" end="{"9" * 400}h">x</p></div></body></tt>')
    with pytest.raises(InputError, match=r"inf\.ttml: line 1: bad end time '9+h'"):
        read_file(write(tmp_path, "inf.ttml", doc))


def test_ttml_paragraph_without_end_says_so(tmp_path: Path) -> None:
    # Nothing ends it: kept from its start with no length of its own, and said; the
    # normaliser then gives it time to be read (never dropped).
    doc = '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="1s">x</p></div></body></tt>'
    (raw,) = read_file(write(tmp_path, "open.ttml", doc))
    assert [(i.start, i.end, i.text) for i in raw.items] == [(1000.0, 1000.0, "x")]
    assert any("no length of their own" in w for w in raw.warnings)
    # With no time anywhere in the document, there is nothing to read it by: refused.
    untimed = '<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p>x</p></div></body></tt>'
    with pytest.raises(InputError) as info:
        read_file(write(tmp_path, "untimed.ttml", untimed))
    assert str(info.value).endswith("untimed.ttml: line 1: text with no end time (no end or dur on it or on "
                                    "anything containing it), and no time anywhere in the document to end it")


def test_subtitle_file_beyond_the_time_limit_names_the_cue(tmp_path: Path) -> None:
    from dubsubs.normalize import normalize

    (raw,) = read_file(write(tmp_path, "late.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n"
                                                   "2\n2500:00:00,000 --> 2500:00:01,000\nlate\n"))
    with pytest.raises(InputError) as info:
        normalize(raw)
    assert str(info.value).endswith("late.srt: cue 2: 9000001000 ms is beyond 100 days")


@pytest.mark.parametrize("fmt", ["vtt", "ttml"])
def test_our_export_of_an_empty_transcript_reads_back_empty(tmp_path: Path, fmt: str) -> None:
    from dubsubs.formats import export
    from dubsubs.model import Transcript

    path = write(tmp_path, f"empty.{fmt}", export(Transcript(()), fmt))
    (raw,) = read_file(path)
    assert raw.items == []


def test_ttml_internal_entity_is_rejected_not_silently_dropped(tmp_path: Path) -> None:
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE tt [<!ENTITY name "Ana">]>\n'
           '<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
           '<p begin="0s" end="1s">Hello <span>&name;</span></p></div></body></tt>')
    with pytest.raises(InputError) as info:
        read_file(write(tmp_path, "ent.ttml", doc))
    assert str(info.value).endswith("ent.ttml: line 3: entity reference &name; is not expanded")


@pytest.mark.parametrize("element", ["div", "span"])
def test_ttml_nested_too_deep_for_python_is_an_input_error(tmp_path: Path, element: str) -> None:
    depth = 1500  # under libxml2's own limit, over Python's recursion limit
    if element == "div":
        inner = "<div>" * depth + '<p begin="0s" end="1s">deep</p>' + "</div>" * depth
    else:
        inner = '<div><p begin="0s" end="1s">' + "<span>" * depth + "deep" + "</span>" * depth + "</p></div>"
    doc = f'<tt xmlns="http://www.w3.org/ns/ttml"><body>{inner}</body></tt>'
    with pytest.raises(InputError, match=r"deep\.ttml: line 1: elements nested too deeply"):
        read_file(write(tmp_path, "deep.ttml", doc))


def test_ttml_sequential_time_container(tmp_path: Path) -> None:
    doc = ('<tt xmlns="http://www.w3.org/ns/ttml"><body><div timeContainer="seq" begin="10s">'
           '<p dur="1s">One</p><p begin="500ms" dur="2s">Two</p><p end="1s">Three</p>'
           "</div></body></tt>")
    (raw,) = read_file(write(tmp_path, "seq.ttml", doc))
    assert [(i.start, i.end, i.text) for i in raw.items] == [
        (10_000.0, 11_000.0, "One"), (11_500.0, 13_500.0, "Two"), (13_500.0, 14_500.0, "Three")]
