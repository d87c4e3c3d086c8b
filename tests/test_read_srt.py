"""Reading SRT: encodings named by a byte-order mark or given with --encoding, markup
removed the way players remove it, and every cue read as the ``srt`` package and pysrt
(independent readers) read it."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pysrt
import pytest
import srt
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.cli import main
from dubsubs.errors import InputError, OptionError
from dubsubs.formats import DEFAULT_READ, ReadOptions, iter_bytes, read_file

SAMPLE = (
    "1\n00:00:01,000 --> 00:00:02,500\nCafé <i>déjà</i> vu\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\n<font color=\"#ff0000\">Señor</font> <s>struck</s> <x-custom a=1>tag</x-custom>\n\n"
    "3\n00:00:05,000 --> 00:00:06,000\n{\\an8}Top line\nI <3 you, a < b\n"
)


def _items(data: bytes, options: ReadOptions = DEFAULT_READ) -> list[tuple[float, float, str]]:
    (part,) = list(iter_bytes(data, "t.srt", options=options))
    assert not isinstance(part, InputError)
    return [(item.start, item.end, item.text) for item in part.items]


def _reference(text: str) -> list[tuple[float, float, str]]:
    """The ``srt`` package's cues, with markup removed as players remove it (any tag, and
    SSA override blocks): times from ``srt``, text cross-checked with pysrt below."""
    out = []
    for sub in srt.parse(text):
        body = re.sub(r"</?[A-Za-z][^<>]*>|\{\\[^}]*\}", "", sub.content)
        out.append((sub.start.total_seconds() * 1000, sub.end.total_seconds() * 1000, body))
    return out


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
def test_a_byte_order_mark_names_the_encoding(encoding: str) -> None:
    data = SAMPLE.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be", "utf-32-be"):
        data = "\ufeff".encode(encoding) + data
    assert _items(data) == _reference(SAMPLE)


def test_markup_is_removed_and_words_kept_as_players_show_them() -> None:
    items = _items(SAMPLE.encode())
    assert [text for _, _, text in items] == ["Café déjà vu", "Señor struck tag", "Top line\nI <3 you, a < b"]
    # pysrt, another reader, agrees on the times and on the text of the cues whose only
    # "<" open tags (its tag stripper would also eat "< b").
    subs = pysrt.from_string(SAMPLE)
    assert [(s.start.ordinal, s.end.ordinal) for s in subs] == [(a, b) for a, b, _ in items]
    assert [s.text_without_tags for s in subs][:2] == [text for _, _, text in items][:2]


def test_legacy_code_page_needs_encoding_and_is_never_guessed(tmp_path: Path) -> None:
    path = tmp_path / "old.srt"
    path.write_bytes(SAMPLE.encode("cp1252"))
    with pytest.raises(InputError, match=r"old\.srt: not UTF-8 text \(line 3, byte \d+\); .*--encoding"):
        read_file(path)
    (raw,) = read_file(path, ReadOptions(encoding="cp1252"))
    assert raw.items[0].text == "Café déjà vu"


def test_encoding_option_on_convert_and_check(tmp_path: Path) -> None:
    path = tmp_path / "old.srt"
    path.write_bytes(SAMPLE.encode("cp1252"))
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(path), "-o", str(tmp_path / "out"), "-f", "srt"])
    assert result.exit_code == 1 and "not UTF-8" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["convert", str(path), "-o", str(tmp_path / "out"), "-f", "srt",
                                  "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert "Café déjà vu" in (tmp_path / "out" / "old.srt").read_text(encoding="utf-8")
    result = runner.invoke(main, ["check", str(path), "--encoding", "cp1252", "--preset", "none"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["check", str(path), "--encoding", "no-such-codec"])
    assert result.exit_code == 2 and "unknown encoding 'no-such-codec'" in result.output


def test_bom_wins_over_a_given_encoding() -> None:
    data = b"\xef\xbb\xbf" + SAMPLE.encode()
    assert _items(data, ReadOptions(encoding="cp1252")) == _reference(SAMPLE)


def test_read_options_refuse_what_is_not_a_text_encoding() -> None:
    with pytest.raises(OptionError, match="not a text encoding"):
        ReadOptions(encoding="rot13")
    with pytest.raises(TypeError, match="encoding"):
        ReadOptions(encoding=5)  # type: ignore[arg-type]


def test_utf16_file_with_a_broken_code_unit_names_the_line() -> None:
    data = "\ufeff1\n00:00:01,000 --> 00:00:02,000\nok\n".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    with pytest.raises(InputError, match=r"not UTF-16-LE text \(line 4"):
        _items(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_cues_or_one_input_error(data: bytes) -> None:
    with contextlib.suppress(InputError):
        list(iter_bytes(data, "fuzz.srt"))
