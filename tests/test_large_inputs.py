"""What makes a million-item dub fit in memory must not change what is read or written:
compact JSON parsing reads the same items as plain parsing, chunked writers write the same
bytes as their ``dumps``, and a streamed output set is still all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.camb.results import iter_results, loads_json
from dubsubs.errors import InputError, OutputError
from dubsubs.formats import get_format
from dubsubs.formats.json_ import BATCH as JSON_BATCH
from dubsubs.formats.ttml.writer import BATCH as TTML_BATCH
from dubsubs.model import Cue, Transcript
from dubsubs.output import FileSet

numbers = st.one_of(st.integers(-5, 10**6), st.floats(-5, 1e6, allow_nan=False), st.just("1.5"),
                    st.just(None), st.booleans())
items = st.lists(st.fixed_dictionaries(
    {"start": numbers, "end": numbers},
    optional={"text": st.one_of(st.text(max_size=8), st.none(), st.just(3)),
              "speaker": st.one_of(st.just(" A "), st.just(""), st.just("B"), st.none(), st.just(7)),
              "voices": st.just([{"speaker": "A", "text": "x"}, {"speaker": "B", "text": "y"}]),
              "id": st.integers()}),
    max_size=6)
documents = st.one_of(
    items,
    items.map(lambda i: {"transcript": i, "video_url": "https://x/v.mp4"}),
    items.map(lambda i: {"41707": {"transcript": i}, "41708": {"es-ES": {"transcript": i}}}),
    items.map(lambda i: {"run_id": "1", "units": "s", "cues": i}),
)


def _read(text: str, compact: bool) -> list[Any]:
    try:
        obj = loads_json(text, "x.json", compact=compact)
        if isinstance(obj, dict) and "cues" in obj:
            from dubsubs.formats.json_ import read_ours

            return [read_ours(obj, "x.json")]
        return [p if not isinstance(p, InputError) else str(p) for p in iter_results(obj, "x.json")]
    except InputError as error:
        return [str(error)]


@settings(max_examples=300, deadline=None)
@given(documents)
def test_compact_parsing_reads_what_plain_parsing_reads(document: Any) -> None:
    text = json.dumps(document)
    assert _read(text, compact=True) == _read(text, compact=False)


def _transcript(n: int) -> Transcript:
    return Transcript(tuple(Cue(i * 1000, i * 1000 + 900, f"line {i} & <{i}>", f"S{i % 3}")
                            for i in range(n)))


@pytest.mark.parametrize("fmt", ["ttml", "json"])
def test_chunked_writers_write_exactly_dumps(fmt: str) -> None:
    writer = get_format(fmt)
    assert writer.dumps is not None and writer.dumps_chunks is not None
    batch = TTML_BATCH if fmt == "ttml" else JSON_BATCH
    for n in (0, 1, batch - 1, batch, batch + 1, 2 * batch + 5):
        transcript = _transcript(n)
        options = writer.options()
        chunks = writer.dumps_chunks(transcript, options)
        assert "".join(chunks) == writer.dumps(transcript, options)
        assert len(chunks) <= 20 + n // batch  # the header pieces and a few large strings, not one per cue


def test_a_streamed_set_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.srt").write_text("old a")
    (tmp_path / "c.vtt").mkdir()  # the third file cannot be written
    with pytest.raises(OutputError, match="Is a directory"), FileSet() as files:
        files.add(tmp_path / "a.srt", "new a")
        files.add(tmp_path / "b.ttml", ["<tt>", "</tt>"])
        files.add(tmp_path / "c.vtt", b"WEBVTT")
    assert (tmp_path / "a.srt").read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.srt", "c.vtt"]  # no temporary left
    with FileSet(hash_files=True) as files:
        written = files.add(tmp_path / "b.ttml", ["<tt>", "é" * (1 << 20), "</tt>"])
    data = (tmp_path / "b.ttml").read_bytes()
    import hashlib

    assert data.decode() == "<tt>" + "é" * (1 << 20) + "</tt>"
    assert written.size == len(data) and written.sha256 == hashlib.sha256(data).hexdigest()


def test_compact_parsing_leaves_a_result_with_item_keys_an_object() -> None:
    # A result that carries "start"/"end"/"text" beside its transcript is not an item.
    document = {"transcript": [{"start": 0, "end": 1.5, "text": "Hola.", "speaker": "A"}],
                "start": 0, "end": 5, "text": "x"}
    text = json.dumps(document)
    assert _read(text, compact=True) == _read(text, compact=False)
    [part] = _read(text, compact=True)
    assert not isinstance(part, str) and [i.text for i in part.items] == ["Hola."]
