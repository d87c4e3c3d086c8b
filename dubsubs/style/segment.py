"""Split a long dialogue item into cues that fit a preset.

A piece fits when it can be laid out in ``max_lines`` lines of ``max_chars_per_line``
and its share of the item's time is at most ``max_duration_ms``. A piece that does not
fit is cut in two at the cheapest boundary: the end of a sentence first, then a clause
(comma, semicolon...), then before a conjunction or preposition, then any word boundary;
never inside a word. Cuts near an even division into the needed number of pieces are
preferred, so a 2.2-screen item becomes three pieces rather than four.

Each piece's time comes from the item's own span: every piece first gets what it needs
(its reading time at ``max_cps`` and the minimum duration, plus a margin of two frames
for frame snapping), and the remaining time is shared in proportion to length. When the
item is too short for that, time is shared in proportion to length alone and the check
will say so. Pieces never start before the item starts nor end after it ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Cue
from .linebreak import (
    CLAUSE_END,
    SENTENCE_END,
    Token,
    bare_word,
    break_cost,
    break_tokens,
    greedy_lines,
    tokenize,
    width,
    word_lists,
)
from .presets import Preset
from .timing import TimingLimits, needed_ms


@dataclass(frozen=True, slots=True)
class _Fit:
    max_chars: int | None
    max_lines: int | None
    max_duration_ms: int | None
    ms_per_char: float  # the item's time per character, for estimating a piece's time


def _fits(tokens: Sequence[Token], fit: _Fit) -> bool:
    if fit.max_chars is not None:
        lines = greedy_lines(tokens, fit.max_chars)
        if fit.max_lines is not None and lines > fit.max_lines:
            return False
    if fit.max_duration_ms is not None:
        return width(tokens) * fit.ms_per_char <= fit.max_duration_ms
    return True


def _boundary_kind(tokens: Sequence[Token], index: int, language: str | None) -> float:
    conjunctions, prepositions, no_break_after = word_lists(language)
    before, _ = tokens[index - 1]
    after, space = tokens[index]
    if before.endswith(SENTENCE_END):
        return 0.0
    if before.endswith(CLAUSE_END):
        return 1.0
    if not space:  # inside a CJK run: script changes hint at word boundaries
        return 3.0 + break_cost(tokens, index, language)
    kind = 3.0
    bare_after = bare_word(after)
    if bare_after in conjunctions or bare_after in prepositions:
        kind = 2.0
    if bare_word(before) in no_break_after:
        kind += 1.5
    return kind


def _pieces_needed(tokens: Sequence[Token], fit: _Fit) -> int:
    total = width(tokens)
    needed = 2
    if fit.max_chars is not None:
        capacity = fit.max_chars * (fit.max_lines or 1)
        needed = max(needed, math.ceil(total / (capacity * 0.92)))
    if fit.max_duration_ms is not None:
        needed = max(needed, math.ceil(total * fit.ms_per_char / fit.max_duration_ms))
    return needed


def split_tokens(tokens: Sequence[Token], fit: _Fit, language: str | None) -> list[list[Token]]:
    """Tokens cut into pieces that fit; a piece of one token is kept even if too long.
    Boundary costs are computed once per item, so the work is linear in its length times
    the depth of the cuts."""
    if len(tokens) <= 1 or _fits(tokens, fit):
        return [list(tokens)]
    kinds = [0.0] + [_boundary_kind(tokens, index, language) for index in range(1, len(tokens))]
    out: list[list[Token]] = []
    stack: list[tuple[int, int]] = [(0, len(tokens))]
    while stack:
        low, high = stack.pop()
        piece = tokens[low:high]
        if high - low <= 1 or _fits(piece, fit):
            out.append(list(piece))
            continue
        n = _pieces_needed(piece, fit)
        share = width(piece) / n
        best_index, best_cost = low + 1, math.inf
        left = 0
        for index in range(low + 1, high):
            text, space = tokens[index - 1]
            left += len(text) + (1 if space and index > low + 1 else 0)
            k = min(max(round(left / share), 1), n - 1)
            cost = kinds[index] + abs(left - k * share) / share * 4
            if cost < best_cost:
                best_index, best_cost = index, cost
        # Depth-first, right half pushed first so pieces come out in order.
        stack.append((best_index, high))
        stack.append((low, best_index))
    return out


def _allocate(
    start: int, end: int, texts: Sequence[str], gap_ms: int, limits: TimingLimits, margin_ms: int
) -> list[tuple[int, int]]:
    n = len(texts)
    lengths = [max(len(t), 1) for t in texts]
    total = sum(lengths)
    available = end - start - gap_ms * (n - 1)
    if available < n:  # no room for gaps: share the bare span
        gap_ms, available = 0, end - start
    needs = [needed_ms(t, limits) + margin_ms for t in texts]
    if sum(needs) <= available:
        extra = available - sum(needs)
        durations = [need + extra * length / total for need, length in zip(needs, lengths, strict=True)]
    else:
        durations = [available * length / total for length in lengths]
    if limits.max_duration_ms is not None:
        durations = [min(d, limits.max_duration_ms) for d in durations]
    spans = []
    cursor = float(start)
    for index, duration in enumerate(durations):
        piece_start = round(cursor)
        piece_end = min(round(cursor + duration), end)
        spans.append((piece_start, max(piece_end, piece_start)))
        cursor += duration
        if index + 1 < n:
            cursor += gap_ms
    return spans


def segment_cue(cue: Cue, preset: Preset, language: str | None = None) -> list[Cue]:
    """``cue`` as one or more cues that fit ``preset`` (already resolved for the
    language); text laid out in lines. Empty text is returned unchanged."""
    tokens = tokenize(cue.text)
    if not tokens:
        return [cue]
    limits = TimingLimits(
        fps=preset.fps,
        min_gap_frames=preset.min_gap_frames,
        min_duration_ms=preset.min_duration_ms,
        max_duration_ms=preset.max_duration_ms,
        max_cps=preset.max_cps,
    )
    total = max(width(tokens), 1)
    fit = _Fit(
        preset.max_chars_per_line,
        preset.max_lines,
        preset.max_duration_ms,
        cue.duration_ms / total,
    )
    pieces = split_tokens(tokens, fit, language) if preset.segment else [tokens]
    texts = [break_tokens(p, preset.max_chars_per_line, preset.max_lines, language) for p in pieces]
    if len(texts) == 1:
        return [Cue(cue.start_ms, cue.end_ms, texts[0], cue.speaker)]
    frame_ms = 1000 / float(preset.fps)
    gap_ms = math.ceil(preset.min_gap_frames * frame_ms)
    margin_ms = math.ceil(2 * frame_ms)
    spans = _allocate(cue.start_ms, cue.end_ms, texts, gap_ms, limits, margin_ms)
    return [Cue(s, e, text, cue.speaker) for (s, e), text in zip(spans, texts, strict=True)]


def merge_dual_speakers(cues: Sequence[Cue], preset: Preset) -> list[Cue]:
    """Pairs of one-line cues from two different speakers, that overlap or are each too
    short to read and nearly touch, shown together as one cue with a dash before each
    line (``-Hi.\\n-Hello.``; ``preset.dual_speaker_dash`` says whether a space follows).

    The dash is markup, not text: strip it from lines starting with it to get the words
    back. The merged cue has no single speaker (``speaker=None``); the items it came from
    keep theirs in ``Transcript.dialogue``. A pair is merged only when the result fits
    the line length, the line count, the maximum duration and the reading speed.
    """
    if preset.max_lines is not None and preset.max_lines < 2:
        return list(cues)
    limits = TimingLimits(
        fps=preset.fps,
        min_duration_ms=preset.min_duration_ms,
        max_duration_ms=preset.max_duration_ms,
        max_cps=preset.max_cps,
    )
    dash = preset.dual_speaker_dash
    out: list[Cue] = []
    index = 0
    while index < len(cues):
        first = cues[index]
        second = cues[index + 1] if index + 1 < len(cues) else None
        merged = _merged(first, second, dash, preset, limits) if second else None
        if merged is not None:
            out.append(merged)
            index += 2
        else:
            out.append(first)
            index += 1
    return out


def _merged(first: Cue, second: Cue | None, dash: str, preset: Preset, limits: TimingLimits) -> Cue | None:
    if second is None or first.speaker is None or second.speaker is None:
        return None
    if first.speaker == second.speaker or "\n" in first.text or "\n" in second.text:
        return None
    top, bottom = dash + first.text, dash + second.text
    if preset.max_chars_per_line is not None and max(len(top), len(bottom)) > (preset.max_chars_per_line):
        return None
    overlap = second.start_ms < first.end_ms
    close = second.start_ms - first.end_ms < max(preset.close_gap_ms, 1)
    too_short = first.duration_ms < needed_ms(first.text, limits) or second.duration_ms < (
        needed_ms(second.text, limits)
    )
    if not (overlap or (close and too_short)):
        return None
    start, end = first.start_ms, max(first.end_ms, second.end_ms)
    text = f"{top}\n{bottom}"
    if preset.max_duration_ms is not None and end - start > preset.max_duration_ms:
        return None
    if preset.max_cps is not None and (len(text) - 1) * 1000 > preset.max_cps * (end - start):
        return None
    return Cue(start, end, text, None)
