"""Timing normalisation: decide whether a transcript's numbers are seconds or
milliseconds, rescale the odd item written in the other unit, repair what is broken, and
say exactly what was done.

Why this exists: the Camb.ai schema documents DialogueItem ``start``/``end`` in seconds,
but the vendor's own example sends ``"end": 5000``. No single magnitude threshold can tell
the two apart (a chapter late in a film has values above 1000 in seconds; a 4-second clip
in milliseconds has values below 5000), so the decision weighs several independent kinds
of evidence, each of which compares the two readings of the same numbers:

``speaking rate``  characters per second each reading implies; people speak roughly
                   10–20 characters a second, and the two readings differ by 1000×.
``media``          where the transcript ends against the media's duration, when known.
``durations``      how long a typical item lasts under each reading (0.15 s to 20 s).
``span``           how long the whole transcript lasts under each reading.
``gaps``           how long a typical silence between items lasts under each reading.
``whole numbers``  fractional values are almost never milliseconds; all-whole values
                   lean a little towards milliseconds (but whole seconds do occur).

Each kind gives a signed score (positive favours ms); the sum decides, and its size gives
the confidence. Everything is pure: no I/O, input is never mutated, and the output fed
back in (``units="ms"``) comes out unchanged.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .camb.results import load
from .errors import InputError, OptionError
from .model import (
    MAX_MS,
    Cue,
    RawItem,
    RawTranscript,
    Script,
    ScriptEvent,
    Transcript,
    Unit,
    UnitsDecision,
    Voice,
    gc_paused,
    join_voices,
)
from .wording import plural

UnitsOption = Literal["auto", "s", "ms"]

_FACTOR: dict[str, float] = {"s": 1000.0, "ms": 1.0}
_LOG1000 = 3.0

# Plausible bands, all in seconds (log10 bounds are computed once below).
RATE_BAND = (5.0, 30.0)  # characters per second of speech, generous on both sides
DURATION_BAND = (0.15, 20.0)  # a typical (median) dialogue item
SPAN_MAX_S = 48 * 3600.0  # no single transcript runs two days
GAP_MAX_S = 120.0  # a typical (median) silence between lines
MEDIA_BAND = (0.1, 1.05)  # where the transcript's late items end, as a share of the media

#: A zero-length cue is given the time a reader needs at this rate...
ZERO_FILL_CPS = 17.0
#: ...but at least this long, and never past the next cue's start.
ZERO_FILL_MIN_MS = 700


@dataclass(frozen=True, slots=True)
class Evidence:
    """One kind of evidence: its score (positive favours ms) and what it saw."""

    kind: str
    score: float
    detail: str

    @property
    def favours(self) -> Unit | None:
        if self.score > 0:
            return "ms"
        if self.score < 0:
            return "s"
        return None


@dataclass(frozen=True, slots=True)
class Repair:
    """What was done to one source item (``index`` is its position in the source list)."""

    index: int
    kind: Literal["rescaled", "clamped", "swapped", "dropped_empty", "reordered", "lengthened"]
    detail: str


@dataclass(frozen=True)
class Report:
    decision: UnitsDecision
    evidence: tuple[Evidence, ...] = ()
    repairs: tuple[Repair, ...] = ()
    warnings: tuple[str, ...] = ()
    items_in: int = 0
    cues_out: int = 0
    notes: tuple[str, ...] = field(default=())

    def count(self, kind: str) -> int:
        return sum(1 for repair in self.repairs if repair.kind == kind)

    def summary(self) -> str:
        """One line: the unit chosen and how, and what was repaired."""
        decision = self.decision
        how = {"auto": f"auto, {decision.confidence:.0%} confident", "given": "as given",
               "format": "timestamps"}[decision.method]
        unit = {"s": "seconds", "ms": "milliseconds"}[decision.unit]
        line = (f"{plural(self.items_in, 'item')} read as {unit} ({how}) -> "
                f"{plural(self.cues_out, 'cue')}")
        kinds = ("rescaled", "swapped", "clamped", "reordered", "lengthened", "dropped_empty")
        labels = {"dropped_empty": "empty dropped"}
        done = [f"{self.count(k)} {labels.get(k, k)}" for k in kinds if self.count(k)]
        line += "; repairs: " + ", ".join(done) if done else "; no repairs"
        if self.warnings:
            line += f"; {plural(len(self.warnings), 'warning')}"
        return line

    def lines(self) -> list[str]:
        """The full report, for ``-v``."""
        out = [self.summary()]
        out += [f"  evidence {e.kind}: {e.detail} (score {e.score:+.2f}"
                f"{', favours ' + e.favours if e.favours else ''})" for e in self.evidence]
        out += [f"  note: {note}" for note in self.notes]
        out += [f"  item {r.index}: {r.kind}: {r.detail}" for r in self.repairs]
        out += [f"  warning: {w}" for w in self.warnings]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "units": self.decision.unit,
            "method": self.decision.method,
            "confidence": round(self.decision.confidence, 3),
            "evidence": [{"kind": e.kind, "score": round(e.score, 3), "favours": e.favours,
                          "detail": e.detail} for e in self.evidence],
            "notes": list(self.notes),
            "repairs": [{"index": r.index, "kind": r.kind, "detail": r.detail} for r in self.repairs],
            "warnings": list(self.warnings),
            "items_in": self.items_in,
            "cues_out": self.cues_out,
        }


# --------------------------------------------------------------------------- evidence

def _band_distance(log_value: float, low: float, high: float) -> float:
    """How many decades ``log_value`` lies outside ``[log10 low, log10 high]``."""
    return _outside(log_value, math.log10(low), math.log10(high))


def _clip(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))


def _median(values: list[float]) -> float:
    values = sorted(values)
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2.0


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _chars(text: str) -> int:
    return len(text.strip())


_RATE_LO, _RATE_HI = math.log10(RATE_BAND[0]), math.log10(RATE_BAND[1])
_DUR_LO, _DUR_HI = math.log10(DURATION_BAND[0]), math.log10(DURATION_BAND[1])


def _outside(x: float, lo: float, hi: float) -> float:
    return lo - x if x < lo else (x - hi if x > hi else 0.0)


def _duration_margin(duration: float) -> float:
    x = math.log10(duration)
    return _outside(x, _DUR_LO, _DUR_HI) - _outside(x - _LOG1000, _DUR_LO, _DUR_HI)


@dataclass(frozen=True, slots=True)
class ItemMargins:
    """Each item's own evidence, computed once: speaking-rate and duration margins
    (positive favours ms), NaN where the item has no duration or no text; and
    ``combined``, the two clipped to +-2 and added (NaN without a duration), which
    :func:`find_foreign_items` weighs. Arrays of doubles: a million items cost 24 MB,
    not the 96 MB of float objects."""

    rate: array[float]
    duration: array[float]
    combined: array[float]

    @classmethod
    def of(cls, items: Sequence[RawItem]) -> ItemMargins:
        rate, duration, combined = array("d"), array("d"), array("d")
        add_rate, add_duration, add_combined = rate.append, duration.append, combined.append
        log10 = math.log10
        nan = math.nan
        r_lo, r_hi, d_lo, d_hi = _RATE_LO, _RATE_HI, _DUR_LO, _DUR_HI
        log1000 = _LOG1000
        for item in items:
            length = item.end - item.start
            if length <= 0:
                add_rate(nan)
                add_duration(nan)
                add_combined(nan)
                continue
            x = log10(length)
            y = x - log1000
            d = ((d_lo - x if x < d_lo else (x - d_hi if x > d_hi else 0.0))
                 - (d_lo - y if y < d_lo else (y - d_hi if y > d_hi else 0.0)))
            add_duration(d)
            d = -2.0 if d < -2.0 else (2.0 if d > 2.0 else d)
            chars = len(item.text.strip())
            if not chars:
                add_rate(nan)
                add_combined(d)
                continue
            x = log10(chars) - x
            y = x + log1000
            r = ((r_lo - x if x < r_lo else (x - r_hi if x > r_hi else 0.0))
                 - (r_lo - y if y < r_lo else (y - r_hi if y > r_hi else 0.0)))
            add_rate(r)
            add_combined(d + (-2.0 if r < -2.0 else (2.0 if r > 2.0 else r)))
        return cls(rate, duration, combined)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _num(value: float) -> str:
    """A source number as the source wrote it, near enough: 12, 12.5, 12.345."""
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


#: Items the per-item statistics of :func:`weigh_evidence` look at, at most.
SAMPLE_ITEMS = 20_000


def weigh_evidence(items: Sequence[RawItem], media_duration_ms: float | None = None,
                   margins: ItemMargins | None = None) -> list[Evidence]:
    """Every kind of evidence about the unit of ``items``' numbers."""
    evidence: list[Evidence] = []
    margins = margins or ItemMargins.of(items)
    # Columns first, with map() and zip() doing the per-item work in C: this runs over
    # every item of inputs with millions of them.
    starts: list[float] = [item.start for item in items]
    ends: list[float] = [item.end for item in items]
    lengths = list(map(operator.sub, ends, starts))
    # Where the transcript's late items end: evidence against the media and for the span.
    late = (_quantile(ends, 0.9) if len(ends) >= 10 else max(ends)) if ends else 0.0

    # Medians and means settle long before the millionth item: beyond SAMPLE_ITEMS the
    # per-item statistics below use every step-th item (the same items every run).
    step = max(1, -(-len(items) // SAMPLE_ITEMS))
    sampled = f" sampled from {len(items)}" if step > 1 else ""
    rate_margins = margins.rate[::step]
    sample_lengths = lengths[::step]
    timed = [length for length in sample_lengths if length > 0]

    rated = [m for m in rate_margins if m == m]  # NaN: no rate for that item
    if rated:
        rates = [-2.0 if m < -2.0 else (2.0 if m > 2.0 else m) for m in rated]
        score = 2.0 * (sum(rates) / len(rates)) * math.sqrt(min(len(rates), 25))
        chars = map(len, map(str.strip, (item.text for item in items[::step])))
        cps = _median([c / length for c, length, m in zip(chars, sample_lengths, rate_margins, strict=True)
                       if m == m])
        evidence.append(Evidence(
            "speaking rate", score,
            f"median {_fmt(cps)} chars/s if seconds, {_fmt(cps * 1000)} if milliseconds "
            f"({len(rates)} items{sampled}; speech runs about 10-20)"))

    if media_duration_ms and media_duration_ms > 0 and late > 0:
        x = math.log10(late / media_duration_ms)  # share of the media if the numbers are ms
        margin = _band_distance(x + _LOG1000, *MEDIA_BAND) - _band_distance(x, *MEDIA_BAND)
        evidence.append(Evidence(
            "media", 4.0 * _clip(margin, 3.0),
            f"transcript ends near {_fmt(late)}; media lasts {media_duration_ms / 1000:.3f} s"))

    if timed:
        median_duration = _median(timed)
        margin = _duration_margin(median_duration)
        evidence.append(Evidence(
            "durations", 1.5 * _clip(margin, 2.0),
            f"median item lasts {_fmt(median_duration)} (plausible 0.15-20 s)"))

    if late > 0:
        floor = max(0.5, 0.1 * len(items))  # every item needs some time
        x = math.log10(late)
        margin = (_band_distance(x, floor, SPAN_MAX_S)
                  - _band_distance(x - _LOG1000, floor, SPAN_MAX_S))
        if margin:
            evidence.append(Evidence(
                "span", _clip(margin, 3.0),
                f"{len(items)} items end near {_fmt(late)} "
                f"(plausible {_fmt(floor)} s to 48 h)"))

    if len(items) >= 2:
        if all(map(operator.le, starts, itertools.islice(starts, 1, None))):
            gaps = [gap for gap in map(operator.sub, itertools.islice(starts, 1, None), ends) if gap > 0]
        else:
            ordered = sorted(items, key=operator.attrgetter("start"))
            gaps = [b.start - a.end for a, b in itertools.pairwise(ordered) if b.start > a.end]
        if gaps:
            median_gap = _median(gaps[::step])
            x = math.log10(median_gap)
            margin = _band_distance(x, 1e-4, GAP_MAX_S) - _band_distance(x - _LOG1000, 1e-4, GAP_MAX_S)
            if margin:
                evidence.append(Evidence(
                    "gaps", _clip(margin, 2.0),
                    f"median silence {_fmt(median_gap)} (plausible up to {GAP_MAX_S:.0f} s)"))

    if items:
        values = starts + ends
        # float.is_integer through map runs in C: this is a count over every number.
        try:
            fractional = len(values) - sum(map(float.is_integer, values))
        except TypeError:  # ints or other real numbers from a caller, not a reader
            fractional = len(values) - sum(map(float.is_integer, map(float, values)))
        if fractional:
            share = fractional / len(values)
            evidence.append(Evidence(
                "whole numbers", -1.5 if share >= 0.2 else -0.5,
                f"{fractional} of {len(values)} values have a fractional part"))
        elif len(values) >= 4:
            evidence.append(Evidence("whole numbers", 0.5, "every value is a whole number"))
    return evidence


def decide_units(items: Sequence[RawItem], media_duration_ms: float | None = None,
                 margins: ItemMargins | None = None) -> tuple[UnitsDecision, list[Evidence]]:
    """Seconds or milliseconds, from the evidence. With none, the documented unit (s)."""
    evidence = weigh_evidence(items, media_duration_ms, margins)
    total = sum(e.score for e in evidence)
    if total == 0:
        return UnitsDecision("s", "auto", 0.5), evidence
    confidence = 1.0 / (1.0 + math.exp(-abs(total)))
    return UnitsDecision("ms" if total > 0 else "s", "auto", round(confidence, 4)), evidence


# --------------------------------------------------------------------------- item level

def find_foreign_items(items: Sequence[RawItem], unit: Unit,
                       margins: ItemMargins | None = None) -> list[int]:
    """Positions of items that are written in the other unit than ``unit``.

    An item is foreign when its own numbers (speaking rate, duration) favour the other unit
    and, read in the other unit, it sits where it stands in the list, between its
    neighbours; or when its own evidence is overwhelming and the other reading still fits.
    """
    if len(items) < 3:
        return []
    sign = 1.0 if unit == "s" else -1.0  # turns "favours ms" into "favours the other unit"
    scale = _FACTOR[unit]
    other = _FACTOR["ms" if unit == "s" else "s"]
    tolerance = 10_000.0
    margins = margins or ItemMargins.of(items)
    if sign > 0:
        candidates = [(p, m) for p, m in enumerate(margins.combined) if m >= 1.0]  # NaN: never
    else:
        candidates = [(p, m) for p, m in enumerate(margins.combined) if m <= -1.0]
    if not candidates:
        return []
    # Neighbours are read with the repairs found so far, so a run of several foreign items
    # is found from its edges inwards; a few passes settle it.
    starts = [item.start * scale for item in items]
    ends = [item.end * scale for item in items]
    foreign: set[int] = set()
    last = len(items) - 1
    for _ in range(3):
        changed = False
        for position, margin in candidates:
            if position in foreign:
                continue
            low = starts[position - 1] - tolerance if position > 0 else -tolerance
            high = (starts[position + 1] + tolerance if position < last
                    else ends[position - 1] + 600_000.0)
            item = items[position]
            as_is, rescaled = item.start * scale, item.start * other
            if low <= rescaled <= high and (not low <= as_is <= high or sign * margin >= 2.5):
                foreign.add(position)
                starts[position], ends[position] = rescaled, item.end * other
                changed = True
        if not changed:
            break
    return sorted(foreign)


# --------------------------------------------------------------------------- normalise

def _clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _coerce(items: Any) -> RawTranscript:
    if isinstance(items, RawTranscript):
        return items
    if isinstance(items, Transcript):
        raw = [RawItem(float(c.start_ms), float(c.end_ms), c.text, c.speaker, i, c.voices)
               for i, c in enumerate(items.cues)]
        return RawTranscript(items=raw, source="<transcript>", run_id=items.run_id,
                             language=items.language, units="ms")
    if isinstance(items, Iterable):
        listed = list(items)
        if all(isinstance(item, RawItem) for item in listed):
            return RawTranscript(items=listed, source="<items>")
        if all(isinstance(item, Mapping) for item in listed):
            (dialogue,) = load(listed, source="<items>")  # the reader's own bare-list path
            return dialogue
    raise TypeError("normalize() takes a RawTranscript, a Transcript, RawItems or DialogueItem dicts")


def _where(raw: RawTranscript, item: RawItem) -> str:
    if raw.units is not None and not raw.where:  # SRT, WebVTT, TTML: no JSON path
        return f"cue {item.index + 1}"
    return f"{raw.where}[{item.index}]"


def normalize(
    items: RawTranscript | Transcript | Iterable[RawItem] | Iterable[Mapping[str, Any]],
    units: UnitsOption = "auto",
    media_duration_ms: float | None = None,
    *,
    run_id: str | None = None,
    language: str | None = None,
) -> tuple[Transcript, Report]:
    """Decide the unit, repair, and return ``(Transcript, Report)``.

    ``units`` is ``"auto"`` (decide from evidence), ``"s"`` or ``"ms"``. Input whose format
    carries real timestamps (SRT, WebVTT, TTML, our JSON) keeps its own unit whatever
    ``units`` says; the report notes it. Repairs, in order: items in the other unit are
    rescaled, negative times clamped to 0, inverted start/end swapped, empty cues dropped,
    cues sorted by start, zero-length cues given a short duration that stops at the next
    cue. No text is dropped except whitespace-only cues.
    """
    if units not in ("auto", "s", "ms"):
        raise OptionError(f"units must be auto, s or ms, not {units!r}")
    _check_media_duration(media_duration_ms)
    with gc_paused():
        return _normalize(_coerce(items), units, media_duration_ms, run_id, language)


def _check_item(item: object, raw: RawTranscript) -> None:
    """An item a caller built by hand is what a reader would have built, or a TypeError /
    ValueError naming it (readers only ever make valid ones)."""
    where = f"{raw.source}: item {getattr(item, 'index', '?')}"
    if not isinstance(item, RawItem):
        raise TypeError(f"{where}: expected a RawItem, got {type(item).__name__}")
    for name in ("start", "end"):
        value = getattr(item, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{where}: {name} must be a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    if not isinstance(item.text, str):
        raise TypeError(f"{where}: text must be a str, got {type(item.text).__name__}")
    if item.speaker is not None and not isinstance(item.speaker, str):
        raise TypeError(f"{where}: speaker must be a str or None, got {type(item.speaker).__name__}")
    if not isinstance(item.voices, tuple) or not all(isinstance(v, Voice) for v in item.voices):
        raise TypeError(f"{where}: voices must be a tuple of Voice")


def _stage(item: RawItem, scale: float, unit: Unit, rescaled_to: Unit | None, raw: RawTranscript,
           repairs: list[Repair]) -> tuple[int, int, str, str | None, int, tuple[Voice, ...]] | None:
    """One item in whole ms with its repairs recorded, or ``None`` when it has no text:
    the full path, for items the fast path in :func:`_normalize` does not take."""
    _check_item(item, raw)
    if rescaled_to is not None:
        repairs.append(Repair(item.index, "rescaled",
                              f"{_num(item.start)}-{_num(item.end)} read as {rescaled_to}"))
    start = round(item.start * scale)
    end = round(item.end * scale)
    if max(start, end) > MAX_MS:
        raise InputError(f"{_num(max(item.start, item.end))} {unit} is beyond 100 days",
                         source=raw.source, where=_where(raw, item))
    if start < 0 or end < 0:
        repairs.append(Repair(item.index, "clamped", f"negative time {min(start, end)} ms set to 0"))
        start, end = max(start, 0), max(end, 0)
    if end < start:
        repairs.append(Repair(item.index, "swapped", f"end {end} ms was before start {start} ms"))
        start, end = end, start
    voices: tuple[Voice, ...] = ()
    speaker = item.speaker
    if item.voices:
        kept = tuple(Voice(v.speaker, t) for v in item.voices if (t := _clean_text(v.text)))
        if len(kept) > 1:
            voices = kept
            text = join_voices(kept)
            speaker = None
        else:
            text = kept[0].text if kept else ""
            speaker = kept[0].speaker if kept else None
    else:
        text = _clean_text(item.text)
    if not text:
        repairs.append(Repair(item.index, "dropped_empty", "no text"))
        return None
    return (start, end, text, speaker, item.index, voices)


def _check_media_duration(value: object) -> None:
    """``media_duration_ms`` is None or a finite, non-negative number of milliseconds that
    a float can hold; anything else is the caller's mistake, named as such."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"media_duration_ms must be a number or None, got {type(value).__name__}")
    if isinstance(value, int) and value > MAX_MS:
        raise ValueError(f"media_duration_ms must be at most {MAX_MS}, got a larger int")
    if not math.isfinite(value) or value < 0 or value > MAX_MS:
        raise ValueError(
            f"media_duration_ms must be a finite number from 0 to {MAX_MS}, got {value!r}")


def _clean_run(items: Sequence[RawItem], factor: float, foreign: set[int]) -> list[Cue] | None:
    """The cues of ``items`` when nothing needs repair (every item in range, in order,
    lasting, with text, one voice, no CR, in the decided unit), built in one pass; else
    ``None``. This is the shape of nearly every real transcript, so it is worth a pass
    of its own."""
    if foreign:
        return None
    cues: list[Cue] = []
    append = cues.append
    make = Cue._unchecked  # every invariant of Cue is checked just above each call
    previous = 0
    str_type = str
    try:
        for start_raw, end_raw, text, speaker, _index, voices in items:
            start, end = round(start_raw * factor), round(end_raw * factor)
            if (not (previous <= start < end <= MAX_MS) or voices or type(text) is not str_type
                    or "\r" in text or not (speaker is None or type(speaker) is str_type)):
                return None
            text = text.strip()
            if not text:
                return None
            append(make(start, end, text, speaker, ()))
            previous = start
    except (TypeError, ValueError, OverflowError):  # NaN, inf, not a number: the full path says
        return None
    return cues


def _repaired(raw: RawTranscript, items: Sequence[RawItem], unit: Unit, factor: float,
              other_unit: Unit, other_factor: float, foreign: set[int],
              repairs: list[Repair]) -> tuple[list[Cue], list[int]]:
    """The cues of ``items`` with every repair made and recorded in ``repairs``, and the
    index of the item each cue came from."""
    staged: list[tuple[int, int, str, str | None, int, tuple[Voice, ...]]] = []
    append = staged.append
    float_type, int_type, str_type, isfinite = float, int, str, math.isfinite
    for position, item in enumerate(items):
        start_raw, end_raw, text, speaker, index, item_voices = item
        # What readers make, checked in a few type tests; anything else (an item built by
        # hand) goes through the full check, which names what is wrong.
        if not ((type(start_raw) is float_type or type(start_raw) is int_type)
                and (type(end_raw) is float_type or type(end_raw) is int_type)
                and isfinite(start_raw) and isfinite(end_raw) and type(text) is str_type
                and (speaker is None or type(speaker) is str_type) and type(item_voices) is tuple):
            _check_item(item, raw)
        if position not in foreign:
            start, end = round(start_raw * factor), round(end_raw * factor)
            # The common case in one test: in range, in order, one voice, no CR.
            if 0 <= start <= end <= MAX_MS and not item_voices and "\r" not in text:
                text = text.strip()
                if text:
                    append((start, end, text, speaker, index, ()))
                    continue
        staged_item = _stage(item, other_factor if position in foreign else factor, unit,
                             other_unit if position in foreign else None, raw, repairs)
        if staged_item is not None:
            append(staged_item)

    if any(staged[i][0] > staged[i + 1][0] for i in range(len(staged) - 1)):
        previous = -1
        for start, _, _, _, index, _ in staged:
            if start < previous:
                repairs.append(Repair(index, "reordered", "started before the item listed before it"))
            previous = max(previous, start)
        staged.sort(key=lambda entry: entry[0])  # stable: equal starts keep source order

    cues: list[Cue] = []
    make = Cue._unchecked  # staged items are in range and in order, their voices checked
    next_later_start = [0] * len(staged)
    upcoming = -1
    for i in range(len(staged) - 1, -1, -1):
        next_later_start[i] = upcoming
        if i == 0 or staged[i - 1][0] != staged[i][0]:
            upcoming = staged[i][0]
    for i, (start, end, text, speaker, index, voices) in enumerate(staged):
        if end == start:
            wanted = max(ZERO_FILL_MIN_MS, round(1000 * _chars(text) / ZERO_FILL_CPS))
            limit = next_later_start[i]
            end = min(start + wanted if limit < 0 else min(start + wanted, limit), MAX_MS)
            if end > start:
                repairs.append(Repair(index, "lengthened", f"zero-length cue now lasts {end - start} ms"))
        cues.append(make(start, end, text, speaker, voices))

    return cues, [entry[4] for entry in staged]


def _normalize(raw: RawTranscript, units: UnitsOption, media_duration_ms: float | None,
               run_id: str | None, language: str | None) -> tuple[Transcript, Report]:
    source_items = raw.items
    notes: list[str] = []
    evidence: list[Evidence] = []
    if raw.units is not None:
        decision = UnitsDecision(raw.units, "format", 1.0)
        if units != "auto" and units != raw.units:
            notes.append(f"--units {units} ignored: this input carries real timestamps")
    elif units != "auto":
        decision = UnitsDecision(units, "given", 1.0)
    else:
        try:
            margins = ItemMargins.of(source_items)
            decision, evidence = decide_units(source_items, media_duration_ms, margins)
        except (TypeError, ValueError, OverflowError):  # an item built by hand, badly
            for item in source_items:
                _check_item(item, raw)
            raise

    repairs: list[Repair] = []
    foreign: set[int] = set()
    if decision.method == "auto":
        foreign = set(find_foreign_items(source_items, decision.unit, margins))
        del margins  # three numbers per item: gone before the cues are built
    factor = _FACTOR[decision.unit]
    other_unit: Unit = "ms" if decision.unit == "s" else "s"
    other_factor = _FACTOR[other_unit]

    cues = _clean_run(source_items, factor, foreign)
    if cues is not None:
        indices = [item.index for item in source_items]
    else:  # something to repair: the full path, which reports each repair
        cues, indices = _repaired(raw, source_items, decision.unit, factor, other_unit, other_factor,
                                  foreign, repairs)
    warnings: list[str] = list(raw.warnings)  # what the reader skipped or read leniently
    starts = [cue.start_ms for cue in cues]
    ends = [cue.end_ms for cue in cues]
    overlaps = sum(map(operator.gt, ends, itertools.islice(starts, 1, None)))

    if overlaps:
        warnings.append(f"{plural(overlaps, 'cue')} overlap the next "
                        "(kept: dialogue can overlap)")
    if media_duration_ms and cues:
        last = max(cue.end_ms for cue in cues)
        if last > media_duration_ms + 1000:
            warnings.append(f"subtitles run to {last / 1000:.3f} s, past the media's "
                            f"{media_duration_ms / 1000:.3f} s")
    if not cues:
        warnings.append("no cue with text: the transcript is empty")

    script = _script(raw.extra.get("script"), indices, raw, warnings)
    report = Report(decision=decision, evidence=tuple(evidence), repairs=tuple(repairs),
                    warnings=tuple(warnings), items_in=len(source_items), cues_out=len(cues),
                    notes=tuple(notes))
    transcript = Transcript(tuple(cues), run_id=run_id or raw.run_id,
                            language=language or raw.language, units=decision, script=script)
    return transcript, report


def _script(data: object, indices: list[int], raw: RawTranscript, warnings: list[str]) -> Script | None:
    """The script facts a reader found (``extra["script"]``, the shape dubsubs' JSON
    writes: ``{"type", "represents", "langSrc", "events": [one per item, or null]}``), its
    events following the items to the cues they became. A shape that does not fit is
    left out with one warning, never half kept."""
    if data is None:
        return None
    try:
        if not isinstance(data, dict):
            raise TypeError("not an object")
        listed = data.get("events", [])
        if not isinstance(listed, list) or len(listed) != len(raw.items):
            raise ValueError(f"{len(listed) if isinstance(listed, list) else 'no'} events "
                             f"for {len(raw.items)} items")
        events: list[ScriptEvent | None] = []
        for entry in listed:
            if entry is None:
                events.append(None)
            elif isinstance(entry, dict):
                events.append(ScriptEvent(entry.get("id"), entry.get("onScreen"), entry.get("represents")))
            else:
                raise TypeError("an event is not an object")
        positions = {item.index: number for number, item in enumerate(raw.items)}
        return Script(tuple(events[positions[index]] for index in indices),
                      data.get("type"), data.get("represents"), data.get("langSrc"))
    except (TypeError, ValueError, KeyError) as error:
        warnings.append(f"script metadata left out: {error}")
        return None
