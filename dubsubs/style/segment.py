"""Split a long dialogue item into cues that fit a preset, and merge cues too short to
read with a neighbour (:func:`merge_cues`).

A piece fits when it can be laid out in ``max_lines`` lines of ``max_chars_per_line``
and its share of the item's time is at most ``max_duration_ms``. A piece that does not
fit is cut in two at the cheapest boundary: the end of a sentence first, then a clause
(comma, semicolon...), then before a conjunction or preposition, then any word boundary;
never inside a word. Cuts near an even division into the needed number of pieces are
preferred, so a 2.2-screen item becomes three pieces rather than four.

Each piece's time comes from the item's own span: every piece first gets what it needs
(its reading time at ``max_cps`` and the minimum duration, plus a margin of two frames
for frame snapping), and the remaining time is shared by reading load (characters read,
line breaks not counted). When the item's span is too short for that, the pieces also
take the free time after it, up to the next item less the minimum gap, and no more than
they need. When even that is not enough, each piece gets the same fraction of what it
needs, and the check will say so. Pieces never start before the item starts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..model import Cue, Voice
from ..timefmt import ms_to_frames_ceil
from .linebreak import (
    CLAUSE_END,
    SENTENCE_END,
    Token,
    bare_word,
    break_cost,
    break_lines,
    break_tokens,
    greedy_lines,
    has_cjk,
    tokenize,
    width,
    word_lists,
)
from .presets import Preset
from .timing import TimingLimits, needed_ms, reading_chars


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
    start: int,
    end: int,
    texts: Sequence[str],
    gap_ms: int,
    limits: TimingLimits,
    margin_ms: int,
    free_end: int,
) -> list[tuple[int, int]]:
    n = len(texts)
    loads = [max(reading_chars(t), 1) for t in texts]
    needs = [needed_ms(t, limits) + margin_ms for t in texts]
    wanted = sum(needs) + gap_ms * (n - 1)
    if end - start < wanted and free_end > end:
        # The speech is too short for its words: use the free time after it, no more than needed.
        end = min(free_end, start + wanted)
    available = end - start - gap_ms * (n - 1)
    if available < n:  # no room for gaps: share the bare span
        gap_ms, available = 0, end - start
    total_need = sum(needs)
    if total_need <= available:
        # Everyone gets what they need; what is left goes by reading load.
        extra, total_load = available - total_need, sum(loads)
        durations = [need + extra * load / total_load for need, load in zip(needs, loads, strict=True)]
    else:
        # Not enough time even so: every piece gets the same share of what it needs, so
        # no piece is read faster than the others.
        durations = [available * need / total_need for need in needs]
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


def segment_cue(cue: Cue, preset: Preset, language: str | None = None,
                free_end_ms: int | None = None) -> list[Cue]:
    """``cue`` as one or more cues that fit ``preset`` (already resolved for the
    language); text laid out in lines. Empty text is returned unchanged.

    ``free_end_ms`` is the latest time the pieces may run to when the speech itself is
    too short to read them at ``max_cps`` (the next item's start less the minimum gap);
    ``None``, the default, keeps them within ``cue``. They never start before ``cue``
    does."""
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
    free_end = cue.end_ms if free_end_ms is None else max(free_end_ms, cue.end_ms)
    spans = _allocate(cue.start_ms, cue.end_ms, texts, gap_ms, limits, margin_ms, free_end)
    return [Cue(s, e, text, cue.speaker) for (s, e), text in zip(spans, texts, strict=True)]


@dataclass(frozen=True, slots=True)
class Merge:
    """One cue :func:`merge_cues` made out of several, for the report."""

    cue: int  # 1-based, in output order
    pieces: int  # how many cues went into it
    speakers: int  # 1: texts joined; 2: one dashed line per speaker


#: The most cues :func:`merge_cues` puts in one (a subtitler merges two or three).
MAX_MERGED = 4

#: Who speaks a cue: its speaker, or for an unlabelled cue the item it was cut from
#: (pieces of one item are one speaker; two unlabelled items may not be).
_Voice = tuple[str, object]


@dataclass(slots=True)
class _Group:
    """Cues merged so far: consecutive runs of one voice, each a list of texts."""

    start: int
    start_frame: int  # the frame the timing pass will start it on
    end: int
    blocks: list[tuple[_Voice, str | None, list[str]]]
    text: str
    pieces: int = 1
    need: int = -1  # frames it needs on screen, once known


class _Merger:
    """Decides whether two neighbouring cues become one, and lays the result out."""

    def __init__(self, preset: Preset, language: str | None) -> None:
        self.preset = preset
        self.language = language
        fps = preset.fps
        self.fps = fps
        self.limits = TimingLimits(
            fps=fps,
            min_duration_ms=preset.min_duration_ms,
            max_duration_ms=preset.max_duration_ms,
            max_cps=preset.max_cps,
        )
        self.gap = preset.min_gap_frames
        self.max_frames = (
            math.floor(Fraction(preset.max_duration_ms) * fps / 1000) if preset.max_duration_ms else None
        )
        self.dual = preset.max_lines is None or preset.max_lines >= 2

    def badness(self, group: _Group, next_frame: int | None) -> float:
        """Time the group needs over the time the timing pass can give it (frames, as
        :func:`~.timing.retime` counts them): above 1, the check will fail it."""
        if group.need < 0:
            need = needed_ms(group.text, self.limits)
            group.need = -(-need * self.fps.numerator // (1000 * self.fps.denominator))  # ceil
        if group.need == 0:
            return 0.0
        if next_frame is None:
            available = self.max_frames if self.max_frames is not None else group.need
        else:
            available = next_frame - self.gap - group.start_frame
            if self.max_frames is not None:
                available = min(available, self.max_frames)
        return group.need / max(available, 1)

    def join(self, first: _Group, second: _Group) -> _Group | None:
        """``first`` and ``second`` as one cue, or None when that cannot be laid out within
        the line length, the line count and the maximum duration."""
        start, end = first.start, max(first.end, second.end)
        if self.preset.max_duration_ms is not None and end - start > self.preset.max_duration_ms:
            return None
        (voice, speaker, texts), *_ = second.blocks
        blocks = [(v, sp, list(t)) for v, sp, t in first.blocks]
        if voice == blocks[-1][0]:
            blocks[-1][2].extend(texts)
        elif len(blocks) == 1 and self.dual and _different(blocks[0][1], speaker):
            blocks.append((voice, speaker, list(texts)))
        else:
            return None
        text = self.layout(blocks)
        if text is None:
            return None
        return _Group(start, first.start_frame, end, blocks, text, first.pieces + second.pieces)

    def layout(self, blocks: Sequence[tuple[_Voice, str | None, list[str]]]) -> str | None:
        max_chars, max_lines = self.preset.max_chars_per_line, self.preset.max_lines
        if len(blocks) == 1:
            text = break_lines(_joined(blocks[0][2]), max_chars, max_lines, self.language)
            lines = text.split("\n")
            if max_lines is not None and len(lines) > max_lines:
                return None
            if max_chars is not None and max(len(line) for line in lines) > max_chars:
                return None
            return text
        dash = self.preset.dual_speaker_dash
        lines = [dash + " ".join(_joined(texts).split()) for _, _, texts in blocks]
        if max_chars is not None and max(len(line) for line in lines) > max_chars:
            return None
        return "\n".join(lines)


def _different(one: str | None, other: str | None) -> bool:
    """Two known, different speakers (an unlabelled cue may be either)."""
    return one is not None and other is not None and one != other


def _joined(texts: Sequence[str]) -> str:
    """Texts run together; no space between two Chinese or Japanese characters."""
    out = ""
    for text in texts:
        flat = " ".join(text.split())
        if out and flat and not (has_cjk(out[-1]) and has_cjk(flat[0])):
            out += " "
        out += flat
    return out


def merge_cues(
    cues: Sequence[Cue],
    preset: Preset,
    language: str | None = None,
    origins: Sequence[int] | None = None,
) -> tuple[list[Cue], list[Merge]]:
    """Sorted ``cues`` with each cue that is too short to read, and cannot be lengthened
    into the free time after it, merged with a neighbour the way a subtitler would.

    A cue is *short* when it needs more time (reading speed, minimum duration) than it
    has before the next cue less the minimum gap. It is merged with the cue before or
    after it when the two nearly touch (a gap under ``close_gap_ms``) or overlap, and
    the result fits the line length, line count and maximum duration and is easier to
    read than the worse of the two was (or passes):

    - the same speaker: the texts joined and laid out again in lines;
    - two different speakers: one line per speaker, each after a dash (``-Hi.\\n-Hello.``;
      ``preset.dual_speaker_dash`` says whether a space follows); only when each
      speaker's text fits one line. Two speakers who overlap are merged this way even
      when neither is short.

    A merged cue runs from the first cue's start to the last end, so it never starts
    before the speech in it. Words keep their order; the dash is markup, not text
    (strip it from lines starting with it to get the words back). A dashed cue
    holds one :class:`~dubsubs.model.Voice` per line, each credited to its own speaker.
    Cues without a speaker are merged only with pieces of their own item: ``origins``
    gives each cue's item index (by default each cue is its own item). One pass; a
    merged cue holds at most ``MAX_MERGED`` cues, so the work is linear in the cues even
    without line limits.
    """
    merger = _Merger(preset, language)
    close_ms = max(preset.close_gap_ms, 1)
    groups: list[_Group] = []
    n = len(cues)
    frames = [ms_to_frames_ceil(cue.start_ms, preset.fps) for cue in cues]
    for index, cue in enumerate(cues):
        origin = origins[index] if origins is not None else index
        voice: _Voice = ("speaker", cue.speaker) if cue.speaker is not None else ("item", origin)
        group = _Group(cue.start_ms, frames[index], cue.end_ms, [(voice, cue.speaker, [cue.text])], cue.text)
        next_frame = frames[index + 1] if index + 1 < n else None
        if groups:
            previous = groups[-1]
            overlap = cue.start_ms < previous.end
            close = overlap or cue.start_ms - previous.end < close_ms
            if close and cue.text.strip() and previous.text.strip():
                before = max(merger.badness(previous, frames[index]), merger.badness(group, next_frame))
                two_voices = overlap and _different(previous.blocks[-1][1], cue.speaker)
                if (before > 1 or two_voices) and previous.pieces < MAX_MERGED:
                    merged = merger.join(previous, group)
                    if merged is not None:
                        after = merger.badness(merged, next_frame)
                        if after <= 1 or after < before:
                            groups[-1] = merged
                            continue
        groups.append(group)
    out: list[Cue] = []
    merges: list[Merge] = []
    for number, group in enumerate(groups, 1):
        if len(group.blocks) == 1:
            out.append(Cue(group.start, group.end, group.text, group.blocks[0][1]))
        else:  # one dash line per speaker (see _Merger.layout): each line is its voice
            lines = group.text.split("\n")
            voices = tuple(Voice(block[1], line) for block, line in zip(group.blocks, lines, strict=True))
            out.append(Cue.spoken(group.start, group.end, voices))
        if group.pieces > 1:
            merges.append(Merge(number, group.pieces, len(group.blocks)))
    return out, merges
