from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.style.linebreak import break_lines, has_cjk, tokenize

# Real sentences and the break a subtitler would choose (42 chars for Latin scripts,
# 13 for Japanese, 16 for Chinese, as in the Netflix presets).
BREAKS = [
    # after punctuation is not possible here (the rest would not fit), so: a balanced break
    # before the preposition, not between "should have" and "left"
    (
        "en",
        42,
        "I told you, we should have left before the storm came in.",
        "I told you, we should have left\nbefore the storm came in.",
    ),
    # before the conjunction
    (
        "en",
        42,
        "She wanted to go home but nobody would drive her there.",
        "She wanted to go home\nbut nobody would drive her there.",
    ),
    # first and last name kept together; break before the conjunction
    (
        "en",
        42,
        "My name is John Smith and I work for the government.",
        "My name is John Smith\nand I work for the government.",
    ),
    (
        "en",
        42,
        "Are you coming with us or are you staying here tonight?",
        "Are you coming with us\nor are you staying here tonight?",
    ),
    # before the preposition, not after the article
    (
        "en",
        42,
        "The train to Edinburgh leaves at six o'clock in the morning.",
        "The train to Edinburgh leaves\nat six o'clock in the morning.",
    ),
    # French: auxiliary "est" stays with its participle; break before the subject
    (
        "fr",
        42,
        "Je ne sais pas pourquoi il est parti sans dire au revoir.",
        "Je ne sais pas pourquoi\nil est parti sans dire au revoir.",
    ),
    (
        "fr",
        42,
        "Nous allons au marché, puis nous rentrerons à la maison.",
        "Nous allons au marché,\npuis nous rentrerons à la maison.",
    ),
    (
        "es",
        42,
        "No quiero ir a la fiesta porque estoy muy cansado hoy.",
        "No quiero ir a la fiesta\nporque estoy muy cansado hoy.",
    ),
    (
        "de",
        42,
        "Ich habe keine Zeit, weil ich morgen früh arbeiten muss.",
        "Ich habe keine Zeit,\nweil ich morgen früh arbeiten muss.",
    ),
    # Arabic (logical order kept): before the preposition في
    (
        "ar",
        42,
        "لا أعرف لماذا غادر المدينة في منتصف الليل دون أن يقول وداعا.",
        "لا أعرف لماذا غادر المدينة\nفي منتصف الليل دون أن يقول وداعا.",
    ),
    # Arabic: after the Arabic comma
    (
        "ar",
        42,
        "ذهبنا إلى السوق، ثم عدنا إلى البيت قبل غروب الشمس بقليل.",
        "ذهبنا إلى السوق،\nثم عدنا إلى البيت قبل غروب الشمس بقليل.",
    ),
    # Japanese: after a particle, before a new word; never inside 約束
    (
        "ja",
        13,
        "明日の朝、駅の前で友達と会う約束をしています。",
        "明日の朝、駅の前で友達と\n会う約束をしています。",
    ),
    (
        "ja",
        13,
        "私は昨日、東京の大きな図書館で本を借りました。",
        "私は昨日、東京の大きな\n図書館で本を借りました。",
    ),
    # Japanese: the closing bracket and ？ stay on the first line (kinsoku)
    (
        "ja",
        13,
        "「本当に？」と彼女は驚いた顔で聞き返した。",
        "「本当に？」と彼女は\n驚いた顔で聞き返した。",
    ),
    # Chinese: after the full-width comma
    (
        "zh",
        16,
        "我们明天早上在火车站见面，然后一起去北京。",
        "我们明天早上在火车站见面，\n然后一起去北京。",
    ),
]


BREAKS.append(
    # language unknown: English rules; "&" starts the second line like "and",
    # never "the" left at the end of the first
    (
        None,
        42,
        "Check the subtitles against the picture & flag anything that drifts.",
        "Check the subtitles against the picture\n& flag anything that drifts.",
    )
)


@pytest.mark.parametrize(("language", "width", "text", "expected"), BREAKS)
def test_line_break_decisions(language: str | None, width: int, text: str, expected: str) -> None:
    assert break_lines(text, width, 2, language) == expected


def test_text_that_fits_stays_on_one_line() -> None:
    assert break_lines("Short and sweet.", 42, 2, "en") == "Short and sweet."


def test_existing_line_breaks_are_redone() -> None:
    assert break_lines("Short\nand sweet.", 42, 2, "en") == "Short and sweet."


def test_no_one_word_orphan_line() -> None:
    text = "Everybody in this little town knows exactly who did it."
    out = break_lines(text, 42, 2, "en")
    assert all(len(line.split()) > 1 for line in out.split("\n"))


def test_bottom_heavy_when_unequal() -> None:
    # Nine five-letter words: 4+5 and 5+4 are equally unbalanced; the top stays shorter.
    out = break_lines("alpha bravo delta gamma omega sigma kappa theta zetas", 42, 2, "en")
    top, bottom = out.split("\n")
    assert len(top) <= len(bottom)


def test_a_word_longer_than_the_line_is_never_split() -> None:
    word = "Supercalifragilisticexpialidocious-and-then-some"
    out = break_lines(f"He said {word} twice.", 42, 2, "en")
    assert word in out.split("\n")


def test_tokens_glue_kinsoku_punctuation() -> None:
    assert [t for t, _ in tokenize("「はい」、そうです。")] == [
        "「は",
        "い」、",
        "そ",
        "う",
        "で",
        "す。",
    ]


def test_latin_runs_inside_japanese_stay_whole() -> None:
    assert "Netflix" in [t for t, _ in tokenize("私はNetflixが好き")]


WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Po")), min_size=1, max_size=12
)


@settings(max_examples=200)
@given(
    words=st.lists(WORDS.filter(lambda w: not has_cjk(w)), min_size=1, max_size=20),
    width=st.integers(10, 50),
)
def test_words_kept_in_order(words: list[str], width: int) -> None:
    text = " ".join(words)
    out = break_lines(text, width, 2, "en")
    assert out.split() == text.split()


@settings(max_examples=200)
@given(text=st.text(max_size=80), width=st.integers(5, 50), lines=st.integers(1, 3))
def test_every_visible_character_kept_in_order(text: str, width: int, lines: int) -> None:
    # Mixed scripts: a break may fall between two CJK characters that had no space,
    # so compare the text without whitespace.
    out = break_lines(text, width, lines, "ja")
    assert "".join(out.split()) == "".join(text.split())


JAPANESE = st.text(
    alphabet=st.sampled_from(list("私はのが東京図書館本日語「」（）、。？！ーっャカタナabc")),
    min_size=1,
    max_size=40,
)
NO_START = set("、。）」？！ーっャ")
NO_END = set("「（")


@settings(max_examples=200)
@given(text=JAPANESE)
def test_japanese_breaks_respect_kinsoku_and_keep_every_character(text: str) -> None:
    out = break_lines(text, 13, 3, "ja")
    assert out.replace("\n", "") == text
    lines = out.split("\n")
    for line in lines[1:]:
        assert line[0] not in NO_START
    for line in lines[:-1]:
        assert line[-1] not in NO_END
