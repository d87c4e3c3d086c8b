"""Line breaking the way a subtitler does it.

Text is cut into *tokens*: words for spaced scripts; for Chinese and Japanese, single
characters, with runs of Latin letters or digits kept whole. Punctuation that may not
start a line (kinsoku: ``、。）」`` and small kana) is glued to the token before it, and
an opening bracket to the token after it, so no break can ever put them in the wrong
place. A line break only ever falls between tokens, so words are never split.

Among the layouts with the fewest lines that fit, the cheapest wins. A break is cheap
after punctuation and before a conjunction or preposition; dear after an article, a
determiner, a preposition, a subject pronoun or an auxiliary, and between two
capitalised words (a first and last name). Lines should be balanced; when they cannot
be, the bottom line is the longer; a single-word line is avoided. For Japanese, a break
between kana and a following kanji/katakana (a likely phrase boundary) is cheap and one
between two kanji or two katakana (likely inside a word) dear.

Right-to-left text (Arabic, Hebrew) is kept in logical order: we only insert line
breaks, never reorder characters; the player's bidi algorithm displays it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from functools import cache, lru_cache

#: (text, space_before): ``space_before`` is False for CJK tokens inside a run.
Token = tuple[str, bool]

# --- per-language word lists ------------------------------------------------------------
# Small, closed-class lists: enough to steer breaks, not a grammar.


def words(text: str) -> frozenset[str]:
    """A word set from a space-separated list."""
    return frozenset(text.split())


_CONJUNCTIONS: dict[str, frozenset[str]] = {
    "en": words(
        "and but or nor so yet because although though while if when where whereas "
        "which who whom whose that unless until since as whether than &"
    ),
    "fr": words("et mais ou donc car ni que qui quand si parce puisque lorsque comme quoique tandis dont où"),
    "es": words("y e o u pero sino porque que cuando si aunque mientras pues como donde quien cual ni"),
    "de": words(
        "und aber oder denn sondern weil dass wenn als ob obwohl damit während bevor nachdem sobald falls wie"
    ),
    "ar": words("لكن ثم أو أم لأن بل حتى إذا عندما بينما كما"),
}

_PREPOSITIONS: dict[str, frozenset[str]] = {
    "en": words(
        "about above across after against along among around at before behind below "
        "beneath beside between beyond by despite during except for from in inside into "
        "like near of off on onto out outside over through throughout to toward towards "
        "under underneath until up upon with within without"
    ),
    "fr": words(
        "à de dans par pour sur sous avec sans chez vers entre contre depuis pendant "
        "avant après en malgré selon parmi jusqu'à"
    ),
    "es": words(
        "a ante bajo con contra de desde durante en entre hacia hasta mediante para por según sin sobre tras"
    ),
    "de": words(
        "an auf aus bei durch für gegen hinter in mit nach neben ohne über um unter "
        "von vor zu zwischen seit trotz wegen"
    ),
    "ar": words("في على من إلى عن مع بين حول قبل بعد عند خلال دون"),
}

#: Words a line should not end with: they belong to the word after them.
_NO_BREAK_AFTER: dict[str, frozenset[str]] = {
    "en": words(
        "a an the my your his her its our their this these those i we you he she they "
        "it not no very to am is are was were be been being have has had do does did "
        "will would shall should can could may might must mr. mrs. ms. dr. st."
    ),
    "fr": words(
        "le la les l' un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa "
        "ses notre nos votre vos leur leurs je tu il elle on nous vous ils elles ne n' "
        "me te se m. mme est suis es sommes êtes sont ai as a avons avez ont était avait "
        "va vais vont pas"
    ),
    "es": words(
        "el la los las un una unos unas lo mi tu su mis tus sus nuestro nuestra yo no "
        "del al me te se le les sr. sra."
    ),
    "de": words(
        "der die das den dem des ein eine einen einem einer eines mein dein sein ihr "
        "unser euer ich du er sie es wir nicht zum zur im am vom beim ins hr. fr."
    ),
    "ar": words("ال هذا هذه ذلك تلك الذي التي لا لم لن قد"),
}

SENTENCE_END = (".", "!", "?", "…", "。", "！", "？", "؟", "‼", "⁇")
CLAUSE_END = (",", ";", ":", "—", "–", "、", "，", "；", "：", "،", "؛", "-")
_TRIM = "\"'“”‘’«»„‚()[]{}¿¡.,;:!?…—–-"

# Characters that may not start a line (kinsoku shori), and may not end one.
_NO_LINE_START = set(
    "、。，．・：；？！ー）」』】〕〉》｝〙〗〟’”ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    "…‥〜～!),.:;?]}%"
)
_NO_LINE_END = set("（「『【〔〈《｛〘〖〝‘“([{")


@cache
def word_lists(language: str | None) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Conjunctions, prepositions and no-break-after words for ``language``; English when
    the language is unknown (dub transcripts without a language are most often English),
    none for a language we have no lists for."""
    primary = (language or "en").split("-")[0].lower()
    empty: frozenset[str] = frozenset()
    return (
        _CONJUNCTIONS.get(primary, empty),
        _PREPOSITIONS.get(primary, empty),
        _NO_BREAK_AFTER.get(primary, empty),
    )


# --- tokens -----------------------------------------------------------------------------


@cache
def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FA1F
    )


_CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds Chinese or Japanese characters (the same ranges as
    :func:`_is_cjk`)."""
    return _CJK.search(text) is not None


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x309F:
        return "hira"
    if 0x30A0 <= code <= 0x30FF:
        return "kata"
    if 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or code >= 0x20000:
        return "han"
    return "other"


def _split_cjk_word(word: str) -> list[str]:
    units: list[str] = []
    latin = ""
    for ch in word:
        if _is_cjk(ch) and ch not in _NO_LINE_START:
            if latin:
                units.append(latin)
                latin = ""
            units.append(ch)
        elif ch in _NO_LINE_START and (units or latin) and not latin:
            units[-1] += ch
        else:
            latin += ch
    if latin:
        units.append(latin)
    # An opening bracket belongs to what follows it.
    glued: list[str] = []
    carry = ""
    for unit in units:
        if unit and all(c in _NO_LINE_END for c in unit):
            carry += unit
            continue
        glued.append(carry + unit)
        carry = ""
    if carry:
        if glued:
            glued[-1] += carry
        else:
            glued.append(carry)
    return glued


def tokenize(text: str) -> list[Token]:
    """Words (and CJK units) of ``text`` with whether a space precedes each. Runs of
    whitespace, line breaks included, count as one space."""
    tokens: list[Token] = []
    for word in text.split():
        if has_cjk(word):
            for position, unit in enumerate(_split_cjk_word(word)):
                tokens.append((unit, position == 0 and bool(tokens)))
        else:
            tokens.append((word, bool(tokens)))
    return tokens


def join(tokens: Sequence[Token]) -> str:
    return "".join((" " + t if space and i else t) for i, (t, space) in enumerate(tokens))


def width(tokens: Sequence[Token]) -> int:
    """Characters the tokens take on one line."""
    total = -1 if tokens and tokens[0][1] else 0
    for text, space in tokens:
        total += len(text) + space
    return total


# --- break costs ------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def bare_word(word: str) -> str:
    return word.strip(_TRIM).lower() or word.lower()


def break_cost(tokens: Sequence[Token], index: int, language: str | None) -> float:
    """Cost of breaking before ``tokens[index]`` (lower is better; may be negative)."""
    conjunctions, prepositions, no_break_after = word_lists(language)
    before, _ = tokens[index - 1]
    after, space = tokens[index]
    cost = 0.0
    if before.endswith(SENTENCE_END):
        return -3.0
    if before.endswith(CLAUSE_END):
        return -2.5
    bare_before, bare_after = bare_word(before), bare_word(after)
    if space:
        if bare_after in conjunctions:
            cost -= 1.5
        elif bare_after in prepositions:
            cost -= 1.0
        if (
            bare_before in no_break_after
            or before.lower() in no_break_after
            or bare_before in prepositions
            or bare_before in conjunctions
        ):
            cost += 3.0
        if before[:1].isupper() and after[:1].isupper() and index > 1:
            cost += 1.5  # likely a first name and a last name
    else:
        a, b = _script(before[-1]), _script(after[0])
        if a == "hira" and b in ("han", "kata"):
            cost -= 1.0
        elif a == b and a in ("han", "kata"):
            cost += 2.0
        elif a == "han" and b == "hira":
            cost += 1.5  # a kanji stem and its kana ending (新しい) are one word
        elif a == "hira" and b == "hira":
            cost += 0.5
    return cost


def _layout_cost(
    offsets: Sequence[int],
    spaces: Sequence[bool],
    costs: Sequence[float],
    cuts: Sequence[int],
    max_chars: int,
) -> float | None:
    """Cost of cutting before each index in ``cuts``; ``offsets[i]`` is the width of the
    first ``i`` tokens on one line, ``costs[i]`` the cost of a break before token ``i``."""
    n = len(offsets) - 1
    bounds = [0, *cuts, n]
    lengths = [offsets[b] - offsets[a] - (1 if a and spaces[a] else 0) for a, b in itertools.pairwise(bounds)]
    if max(lengths) > max_chars:
        return None
    mean = sum(lengths) / len(lengths)
    cost = sum(abs(length - mean) for length in lengths) / max_chars * 3
    for upper, lower in itertools.pairwise(lengths):
        if upper > lower:
            cost += (upper - lower) / max_chars * 2  # prefer bottom-heavy
    if n >= 3:
        cost += 4.0 * sum(1 for a, b in itertools.pairwise(bounds) if b - a == 1)
    return cost + sum(costs[cut] for cut in cuts)


def _best_two_line_cut(
    tokens: Sequence[Token],
    offsets: Sequence[int],
    spaces: Sequence[bool],
    max_chars: int,
    language: str | None,
) -> int:
    """The two-line case of :func:`_layout_cost`, the common one, without the general
    machinery: same costs, only feasible cuts scored."""
    n = len(tokens)
    total = offsets[n]
    best_cut, best_cost = 1, math.inf
    for cut in range(1, n):
        top = offsets[cut]
        if top > max_chars:
            break
        bottom = total - top - (1 if spaces[cut] else 0)
        if bottom > max_chars:
            continue
        cost = abs(top - bottom) / max_chars * 3
        if top > bottom:
            cost += (top - bottom) / max_chars * 2
        if n >= 3 and (cut == 1 or cut == n - 1):
            cost += 4.0
        cost += break_cost(tokens, cut, language)
        if cost < best_cost:
            best_cut, best_cost = cut, cost
    return best_cut


def greedy_lines(tokens: Sequence[Token], max_chars: int) -> int:
    """Fewest lines the tokens need at ``max_chars`` (a token longer than that takes a
    line of its own)."""
    lines, current = 0, -1
    for text, space in tokens:
        add = len(text) + (1 if space and current > 0 else 0)
        if current < 0 or current + add > max_chars:
            lines += 1
            current = len(text)
        else:
            current += add
    return lines


def _greedy_cuts(tokens: Sequence[Token], max_chars: int) -> list[int]:
    cuts, current = [], -1
    for index, (text, space) in enumerate(tokens):
        add = len(text) + (1 if space and current > 0 else 0)
        if current < 0:
            current = len(text)
        elif current + add > max_chars:
            cuts.append(index)
            current = len(text)
        else:
            current += add
    return cuts


def _render(tokens: Sequence[Token], cuts: Sequence[int]) -> str:
    bounds = [0, *cuts, len(tokens)]
    return "\n".join(join(tokens[a:b]) for a, b in itertools.pairwise(bounds))


def break_tokens(
    tokens: Sequence[Token], max_chars: int | None, max_lines: int | None, language: str | None
) -> str:
    """The tokens laid out in as few lines as fit (at most ``max_lines`` when possible)."""
    if not tokens:
        return ""
    if max_chars is None or width(tokens) <= max_chars:
        return join(tokens)
    limit = max_lines or len(tokens)
    fewest = greedy_lines(tokens, max_chars)
    n = len(tokens)
    if fewest > limit or fewest > 3:
        # No layout fits (a piece segmentation could not shorten), or many lines: greedy.
        return _render(tokens, _greedy_cuts(tokens, max_chars))
    spaces = [space for _, space in tokens]
    offsets = [0]
    for index, (text, space) in enumerate(tokens):
        offsets.append(offsets[-1] + len(text) + (1 if space and index else 0))
    if fewest == 2:
        return _render(tokens, [_best_two_line_cut(tokens, offsets, spaces, max_chars, language)])
    costs = [0.0] + [break_cost(tokens, index, language) for index in range(1, n)]
    best: tuple[float, list[int]] | None = None
    for cuts in itertools.combinations(range(1, n), fewest - 1):
        cost = _layout_cost(offsets, spaces, costs, cuts, max_chars)
        if cost is not None and (best is None or cost < best[0]):
            best = (cost, list(cuts))
    if best is None:  # cannot happen: greedy found a layout with this many lines
        return _render(tokens, _greedy_cuts(tokens, max_chars))
    return _render(tokens, best[1])


def break_lines(
    text: str, max_chars: int | None, max_lines: int | None = 2, language: str | None = None
) -> str:
    """``text`` re-broken into balanced lines; existing line breaks are treated as spaces."""
    return break_tokens(tokenize(text), max_chars, max_lines, language)
