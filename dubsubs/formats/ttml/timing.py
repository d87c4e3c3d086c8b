"""TTML2's timing model, as a reusable engine: when each element of a document is active.

Given the root ``tt`` element of a parsed document, :func:`timeline` computes the active
interval of every timed element of the body (``body``, ``div``, ``p``, ``span``) and the
timed inline content of every paragraph. The TTML reader turns that into cues; a DAPT reader
can use the same intervals for its ``div`` script events.

What is computed, following TTML2 (§10 timing, §7.2 parameters):

- **Parameters** come from the root ``tt`` element only: ``ttp:timeBase`` (``media``,
  ``smpte`` or ``clock``; default ``media``), ``ttp:frameRate`` (a positive integer,
  default 30), ``ttp:frameRateMultiplier`` (two positive integers, default ``1 1``),
  ``ttp:subFrameRate`` (default 1), ``ttp:tickRate`` (default: the effective frame rate
  times the sub-frame rate when ``ttp:frameRate`` is given, else 1), ``ttp:dropMode``
  (``nonDrop``, ``dropNTSC``, ``dropPAL``), ``ttp:markerMode`` and ``ttp:clockMode``.
- **Time expressions**: offsets ``N[.N](h|m|s|ms|f|t)`` and clock times
  ``HH:MM:SS(.fff)`` and ``HH:MM:SS:FF(.sub)``. Frames count at the effective frame rate
  (``frameRate * multiplier``). In the ``smpte`` time base a time code ``HH:MM:SS:FF`` is a
  frame label: the frame's number (``dropNTSC``: frame codes 00 and 01 are skipped at the
  start of each minute not divisible by 10; ``dropPAL``: 00 to 03 at the start of each
  even minute not divisible by 20) over the effective frame rate. In the ``clock`` time
  base times are read as times of day counted from 00:00:00, and ``markerMode
  ="discontinuous"`` time codes as if continuous: both say so in :attr:`Timeline.warnings`.
- **Time containers**: ``body``, ``div``, ``p`` and ``span`` are ``par`` unless
  ``timeContainer="seq"``. A child's ``begin`` (and ``end``) count from its parent's begin
  in a ``par`` and from the end of the previous sibling in a ``seq``. With both ``end`` and
  ``dur`` the earlier end wins. Without either, the implicit end of a ``par`` is the latest
  end of its children, of a ``seq`` the end of its last child, of an element with no timed
  content its begin. Text is an anonymous span, indefinite: it lasts as long as what
  contains it, and makes its parent indefinite too (any text of a ``par``, white space
  included; in a ``seq``, white space alone is layout, not a span, else indentation would
  stop the sequence). ``br`` and non-content elements (``metadata``, ``set``,
  ``animate``...) lengthen nothing.
- **Clipping**: every element is active only inside its parent's active interval; one
  whose interval is empty (``end <= begin``) or outside its parent's is never shown.
- An end that nothing up the tree gives is ``None`` (indefinite): deciding what to do with
  it is the caller's business (:attr:`Timeline.last_time` helps).

Arithmetic is exact: times are integers in units of ``1/scale`` s, where ``scale`` is a
multiple of 1000 in which every frame, sub-frame and tick is whole (a
:class:`~fractions.Fraction` of a unit only for a time between units, e.g. ``1.0001s``), so
the engine is fast on large files. :meth:`TimeParameters.to_ms` rounds to the nearest
millisecond, halves up, once, at the end; :meth:`TimeParameters.to_seconds` gives exact
seconds. The walk is one pass in document order, recursive but bounded
(:data:`MAX_DEPTH`), so a deeply nested document is an :class:`InputError`, never a
``RecursionError``. Bad values are a located :class:`InputError`
(``line 12: bad begin time '1x'``).

Where ttconv 1.2.3 (the IMSC reference reader) differs, this follows TTML2: ttconv takes
one tick per second whatever the frame rate, does not read sub-frames, refuses ``dropPAL``
and the ``clock`` time base, ignores text directly inside a ``seq``, makes a ``br``
indefinite, and computes the implicit end of a container that begins after its parent in
the wrong time frame (``<div begin="3s"><p dur="1s">`` is never shown). Everything else is
checked against it in ``tests/test_read_ttml.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from ...errors import InputError
from ...model import MAX_MS

TT = "http://www.w3.org/ns/ttml"
TTP = "http://www.w3.org/ns/ttml#parameter"
TTM = "http://www.w3.org/ns/ttml#metadata"
TTS = "http://www.w3.org/ns/ttml#styling"
XML = "http://www.w3.org/XML/1998/namespace"

_BODY, _DIV, _P, _SPAN, _BR = (f"{{{TT}}}{name}" for name in ("body", "div", "p", "span", "br"))
_LANG, _SPACE, _AGENT = f"{{{XML}}}lang", f"{{{XML}}}space", f"{{{TTM}}}agent"
_RUBY = f"{{{TTS}}}ruby"
_TIMING = frozenset(("begin", "end", "dur", "timeContainer"))

#: How deep elements may nest under ``body``. Real documents use a handful of levels.
MAX_DEPTH = 100

_CLOCK_MS = re.compile(r"(\d\d):([0-5]\d):([0-5]\d)\.(\d\d\d)\Z")  # the usual form, read fast
_CLOCK = re.compile(r"(\d{2,}):(\d\d):(\d\d)(?:\.(\d+)|:(\d{2,})(?:\.(\d+))?)?\Z")
_OFFSET = re.compile(r"(\d+)(?:\.(\d+))?(h|ms|m|s|f|t)\Z")
_UNIT = {"h": 3600, "m": 60, "s": 1}
_WHITE = " \t\r\n"  # XML white space; other Unicode spaces are text


#: A time: a whole number of :attr:`TimeParameters.scale` units (a Fraction of them
#: only for a time that falls between units, such as ``1.0001s``).
Time = int | Fraction


def _exact(numerator: int, denominator: int) -> Time:
    whole, rest = divmod(numerator, denominator)
    return whole if not rest else Fraction(numerator, denominator)


def _digits(whole: str, fraction: str | None) -> tuple[int, int]:
    """A decimal as (numerator, power of ten below it): ``1.25`` is ``(125, 100)``."""
    if not fraction:
        return int(whole), 1
    scale = 10 ** len(fraction)
    return int(whole) * scale + int(fraction), scale


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True, slots=True)
class TimeParameters:
    """The ``ttp:`` timing parameters of a document (read from its root only)."""

    frame_rate: Fraction = Fraction(30)  # effective: ttp:frameRate * ttp:frameRateMultiplier
    frame_codes: int = 30  # ttp:frameRate: frame labels per second of a time code
    sub_frame_rate: int = 1
    tick_rate: Fraction = Fraction(1)
    time_base: str = "media"
    drop_mode: str = "nonDrop"
    marker_mode: str = "continuous"
    clock_mode: str = "utc"
    #: Time units per second: a multiple of 1000 in which a frame, a sub-frame and a tick
    #: are whole numbers, so that the engine's arithmetic is on integers and stays exact.
    scale: int = 3000

    @classmethod
    def of(cls, root: Any, source: str) -> TimeParameters:
        """The parameters on ``root``; a bad value is an :class:`InputError` naming it."""

        def attribute(name: str) -> str | None:
            value = root.get(f"{{{TTP}}}{name}")
            return None if value is None else value.strip(_WHITE)

        def positive(name: str, default: int) -> int:
            text = attribute(name)
            if text is None:
                return default
            if not text.isascii() or not text.isdigit() or int(text) == 0:
                raise InputError(f"expected a positive integer, got {root.get(f'{{{TTP}}}{name}')!r}",
                                 source=source, where=f"ttp:{name}")
            return int(text)

        def choice(name: str, allowed: tuple[str, ...]) -> str:
            text = attribute(name)
            if text is None:
                return allowed[0]
            if text not in allowed:
                raise InputError(f"expected one of {', '.join(allowed)}, got {text!r}",
                                 source=source, where=f"ttp:{name}")
            return text

        frame_codes = positive("frameRate", 30)
        multiplier = attribute("frameRateMultiplier")
        ratio = Fraction(1)
        if multiplier is not None:
            parts = multiplier.split()
            if len(parts) != 2 or not all(p.isascii() and p.isdigit() and int(p) > 0 for p in parts):
                raise InputError(f"expected two positive integers, got {multiplier!r}",
                                 source=source, where="ttp:frameRateMultiplier")
            ratio = Fraction(int(parts[0]), int(parts[1]))
        frame_rate = frame_codes * ratio
        sub_frame_rate = positive("subFrameRate", 1)
        given_rate = attribute("frameRate") is not None
        tick_text = attribute("tickRate")
        tick_rate = (Fraction(positive("tickRate", 1)) if tick_text is not None
                     else frame_rate * sub_frame_rate if given_rate else Fraction(1))
        scale = math.lcm(1000, (frame_rate * sub_frame_rate).numerator, tick_rate.numerator)
        return cls(
            scale=scale,
            frame_rate=frame_rate,
            frame_codes=frame_codes,
            sub_frame_rate=sub_frame_rate,
            tick_rate=tick_rate,
            time_base=choice("timeBase", ("media", "smpte", "clock")),
            drop_mode=choice("dropMode", ("nonDrop", "dropNTSC", "dropPAL")),
            marker_mode=choice("markerMode", ("continuous", "discontinuous")),
            clock_mode=choice("clockMode", ("utc", "gps", "local")),
        )

    def seconds(self, expression: str) -> Fraction:
        """A time expression in exact seconds. Raises ``ValueError`` if it is not one, or
        names a time beyond 100 days."""
        return Fraction(self.units(expression)) / self.scale

    def to_seconds(self, time: Time) -> Fraction:
        """A time in exact seconds."""
        return Fraction(time) / self.scale

    def to_ms(self, time: Time) -> int:
        """A time in whole milliseconds, rounded to the nearest, halves up."""
        if isinstance(time, int):
            return (time * 2000 + self.scale) // (2 * self.scale)
        n, d = time.numerator, time.denominator
        return (n * 2000 + self.scale * d) // (2 * self.scale * d)

    def units(self, expression: str) -> Time:
        """A time expression in :attr:`scale` units; ``ValueError`` if it is not one, or
        names a time beyond 100 days."""
        text = expression.strip(_WHITE)
        scale = self.scale
        match = _CLOCK_MS.match(text)
        if match:
            hours, minutes, secs, millis = match.groups()
            return ((int(hours) * 60 + int(minutes)) * 60 + int(secs)) * scale + int(millis) * (scale // 1000)
        match = _CLOCK.match(text)
        if match:
            hours, minutes, secs, fraction, frames, sub_frames = match.groups()
            h, m, s = int(hours), int(minutes), int(secs)
            if m > 59 or s > (60 if self.time_base == "clock" else 59):
                raise ValueError(expression)
            if frames is None:
                count, power = _digits(secs, fraction)
                value = (h * 3600 + m * 60) * scale + _exact(count * scale, power)
            else:
                value = self._frame_time(h, m, s, int(frames), int(sub_frames or 0), expression)
        else:
            match = _OFFSET.match(text)
            if not match:
                raise ValueError(expression)
            whole, fraction, metric = match.groups()
            count, power = _digits(whole, fraction)
            if metric in _UNIT:
                value = _exact(count * _UNIT[metric] * scale, power)
            elif metric == "ms":
                value = _exact(count * scale, power * 1000)
            else:
                rate = self.frame_rate if metric == "f" else self.tick_rate
                value = _exact(count * rate.denominator * scale, power * rate.numerator)
        if value > MAX_MS * scale // 1000:
            raise ValueError(expression)
        return value

    def _frame_time(self, h: int, m: int, s: int, frames: int, sub_frames: int, expression: str) -> Time:
        if frames >= self.frame_codes or sub_frames >= self.sub_frame_rate:
            raise ValueError(expression)
        rate, sub_rate, scale = self.frame_rate, self.sub_frame_rate, self.scale
        seconds = h * 3600 + m * 60 + s
        if self.time_base != "smpte":
            return seconds * scale + _exact((frames * sub_rate + sub_frames) * rate.denominator * scale,
                                            rate.numerator * sub_rate)
        minutes = h * 60 + m
        if self.drop_mode == "dropNTSC":
            dropped, skipped = 2 * (minutes - minutes // 10), 2 if minutes % 10 else 0
        elif self.drop_mode == "dropPAL":
            dropped = 4 * (minutes // 2 - minutes // 20)
            skipped = 4 if minutes % 2 == 0 and minutes % 20 else 0
        else:
            dropped = skipped = 0
        if s == 0 and frames < skipped:  # a label that a drop-frame count never uses
            raise ValueError(expression)
        number = seconds * self.frame_codes + frames - dropped
        return _exact((number * sub_rate + sub_frames) * rate.denominator * scale, rate.numerator * sub_rate)


# --------------------------------------------------------------------------- the timeline


class Run(NamedTuple):
    """One piece of a paragraph's inline content, with the interval it is shown in.

    ``text`` is ``"\\n"`` for a ``<br/>`` (``is_break``). ``preserve`` tells whether
    ``xml:space="preserve"`` applies to it. ``agent`` is the ``ttm:agent`` IDREFS in effect
    (the nearest one up the tree), or ``None``. ``end`` is ``None`` when nothing up the
    tree ends it.
    """

    text: str
    is_break: bool
    preserve: bool
    agent: str | None
    begin: Time
    end: Time | None


class Paragraph(NamedTuple):
    """A ``p`` that is shown, its active interval and its inline content in order.

    ``runs`` holds every run that is shown at some time: a run that never is (its span's
    interval is empty) is left out and counted in :attr:`Timeline.hidden`.
    """

    element: Any
    begin: Time
    end: Time | None
    runs: tuple[Run, ...]
    lang: str | None
    agent: str | None
    line: int


@dataclass(slots=True)
class Timeline:
    """What :func:`timeline` computed for one document."""

    parameters: TimeParameters
    #: Active interval of every timed element that is shown, by element.
    intervals: dict[Any, tuple[Time, Time | None]]
    paragraphs: list[Paragraph]
    #: The latest begin or end written in (or implied by) the document: where an
    #: indefinite interval may honestly be cut. ``None`` if the document names no time.
    last_time: Time | None
    #: ``(line, text)`` of content that is never shown: its interval is empty or outside
    #: its parent's. Whitespace-only content is not listed.
    hidden: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def interval(self, element: Any) -> tuple[Time, Time | None] | None:
        """The active interval of ``element``; ``None`` when it is never shown."""
        return self.intervals.get(element)


def timeline(root: Any, source: str) -> Timeline:
    """Every element's active interval and every paragraph's timed content.

    Raises :class:`InputError` (one line naming the place) for a bad parameter or time
    expression, an unknown ``timeContainer``, an unexpanded entity reference in the body
    and nesting deeper than :data:`MAX_DEPTH`.
    """
    from lxml import etree

    parameters = TimeParameters.of(root, source)
    result = Timeline(parameters, {}, [], None)
    if parameters.time_base == "clock":
        result.warnings.append(f'ttp:timeBase="clock": times are read as times of day counted '
                               f"from 00:00:00 ({parameters.clock_mode})")
    if parameters.time_base == "smpte" and parameters.marker_mode == "discontinuous":
        result.warnings.append('ttp:markerMode="discontinuous": time codes are read as if continuous')
    body = root.find(_BODY)
    if body is None:
        return result
    engine = _Engine(parameters, source, etree.Entity, result)
    engine.visit(body, 0, 0, None, 0, root.get(_SPACE) == "preserve", root.get(_LANG), None, [])
    result.last_time = engine.last_time
    return result


class _Engine:
    """One walk in document order. It relies on a property of TTML timing: an implicit
    end never clips anything (a par ends with its latest child, a seq with its last, and no
    child ends before an earlier sibling of a seq), so the active interval an element gets
    from its ancestors is known on the way down, from their begins and explicit ends."""

    def __init__(self, parameters: TimeParameters, source: str, entity: Any, result: Timeline):
        self.units: Callable[[str], Time] = parameters.units
        self.source = source
        self.entity = entity
        self.intervals = result.intervals
        self.paragraphs = result.paragraphs
        self.hidden = result.hidden
        self.warnings = result.warnings
        self.hidden_here: list[str] = []  # text of the current paragraph never shown
        self.last_time: Time | None = None

    def fail(self, message: str, element: Any) -> InputError:
        return InputError(message, source=self.source, where=f"line {element.sourceline}")

    def time(self, element: Any, name: str, value: str) -> Time:
        try:
            return self.units(value)
        except ValueError:
            raise self.fail(f"bad {name} time {value!r}", element) from None

    def own(self, element: Any, keys: list[str], sync: Time | None
            ) -> tuple[Time | None, Time | None, bool]:
        """``element``'s begin (``None``: never begins) and explicit end, if it has one."""
        if sync is None:
            return None, None, False
        get = element.get
        begin = sync + self.time(element, "begin", get("begin")) if "begin" in keys else sync
        end: Time | None = None
        explicit = False
        if "end" in keys:
            # In a seq, end counts from the same sync base as begin.
            end = sync + self.time(element, "end", get("end"))
            explicit = True
        if "dur" in keys:
            by_duration = begin + self.time(element, "dur", get("dur"))
            if end is None or by_duration < end:
                end = by_duration
            explicit = True
        last = self.last_time
        if last is None or begin > last:
            last = begin
        if end is not None and end > last:
            last = end
        self.last_time = last
        return begin, end, explicit

    def visit(self, element: Any, sync: Time | None, lo: Time, hi: Time | None, depth: int,
              preserve: bool, lang: str | None, agent: str | None, runs: list[Run]) -> Time | None:
        """Walk ``element``, whose times count from ``sync`` (``None``: it never begins),
        inside a parent active over ``lo``-``hi`` (``None``: no end). Inline content goes
        to ``runs``. Returns the element's desired end (``None``: indefinite)."""
        if depth > MAX_DEPTH:
            raise self.fail("elements nested too deeply", element)
        keys = element.keys()
        get = element.get
        sequential = False
        if "timeContainer" in keys:
            container = get("timeContainer")
            if container not in ("par", "seq"):
                raise self.fail(f"bad timeContainer {container!r}", element)
            sequential = container == "seq"
        if _SPACE in keys:
            preserve = get(_SPACE) == "preserve"
        if _AGENT in keys:
            agent = get(_AGENT)
        if _LANG in keys:
            lang = get(_LANG)
        begin, end, explicit = self.own(element, keys, sync)
        # The interval this element's content may be shown in, as far as known now.
        shown = begin is not None
        a_lo, a_hi = lo, hi
        if begin is not None:
            if begin > lo:
                a_lo = begin
            if explicit and (hi is None or end < hi):  # type: ignore[operator]
                a_hi = end
            shown = a_hi is None or a_lo < a_hi
        tag = element.tag
        paragraph = tag == _P
        if paragraph:
            runs = []
            self.hidden_here = []
        ruby = get(_RUBY) if _RUBY in keys else None
        if ruby == "container":
            implicit = self.ruby(element, begin, a_lo, a_hi, depth, preserve, lang, agent, runs)
        elif ruby == "delimiter":  # a fallback for renderers without ruby: not repeated
            self.check_entities(element, depth + 1)
            implicit = None
        else:
            implicit = self.inline(element, begin, a_lo, a_hi, shown, depth, preserve, lang, agent, runs,
                                   sequential, paragraph or tag == _SPAN)
        if begin is not None and not explicit:
            end = implicit
        if shown:
            a_end = a_hi if end is None or (a_hi is not None and a_hi < end) else end
            if a_end is not None and a_end <= a_lo:
                shown = False
            else:
                self.intervals[element] = (a_lo, a_end)
                if paragraph:
                    if a_end is not None and a_end != a_hi:
                        # Only a br (which lengthens nothing) can outlast its p.
                        cut = a_end
                        runs = [r if r.end is not None and r.end <= cut else r._replace(end=cut)
                                for r in runs if r.begin < cut]
                    self.paragraphs.append(Paragraph(element, a_lo, a_end, tuple(runs), lang or None,
                                                     agent, element.sourceline))
        if paragraph:
            if not shown:
                self.hidden_here.extend(r.text for r in runs)
            if self.hidden_here:
                text = " ".join(" ".join(self.hidden_here).split())
                if text:
                    self.hidden.append((element.sourceline, text))
        return end

    def inline(self, element: Any, begin: Time | None, lo: Time, hi: Time | None, shown: bool,
               depth: int, preserve: bool, lang: str | None, agent: str | None, runs: list[Run],
               sequential: bool, mixed: bool) -> Time | None:
        """Walk the children of ``element`` (active over ``lo``-``hi`` if ``shown``), adding
        runs; return its implicit end: a par's latest child end, a seq's last child's."""
        implicit: Time | None = begin
        child_sync = begin
        timed_children = False
        if mixed:
            text = element.text
            if text:
                if sequential and not (preserve or text.strip(_WHITE)):
                    self.run(text, None, lo, hi, shown, preserve, agent, runs)
                else:
                    # Text is an anonymous span: indefinite. In a seq it delays the rest
                    # for ever; white space alone there is layout, not a span.
                    self.run(text, child_sync, lo, hi, shown, preserve, agent, runs)
                    timed_children = True
                    implicit = None
                    if sequential:
                        child_sync = None
        elif element.text and element.text.strip(_WHITE):
            self.stray(element, element.text)
        entity = self.entity
        for child in element:
            child_tag = child.tag
            if child_tag == _SPAN if mixed else child_tag in (_P, _DIV):
                child_keys = child.keys()
                if mixed and not sequential and not len(child) and _TIMING.isdisjoint(child_keys) \
                        and _RUBY not in child_keys:
                    # The usual leaf span: its text shown while its parent is.
                    child_text = child.text
                    child_end = None if child_text else child_sync
                    if child_text:
                        spaces = (child.get(_SPACE) == "preserve") if _SPACE in child_keys else preserve
                        speaker = child.get(_AGENT) if _AGENT in child_keys else agent
                        if shown and child_sync is not None and child_sync <= lo:
                            runs.append(Run(child_text, False, spaces, speaker, lo, hi))
                            self.intervals[child] = (lo, hi)
                        else:
                            self.run(child_text, child_sync, lo, hi, shown, spaces, speaker, runs)
                else:
                    child_end = self.visit(child, child_sync, lo, hi, depth + 1, preserve, lang, agent, runs)
                if sequential:
                    child_sync = implicit = child_end
                elif not timed_children:
                    implicit = child_end
                elif implicit is not None:
                    implicit = None if child_end is None else max(implicit, child_end)
                timed_children = True
            elif child_tag is entity:
                raise self.fail(f"entity reference {child.text} is not expanded", child)
            elif not mixed:
                if child_tag in (_SPAN, _BR):
                    self.stray(child, " ".join(child.itertext()))
            else:
                if child_tag == _BR:
                    if shown and begin is not None:
                        runs.append(Run("\n", True, preserve, child.get(_AGENT, agent), lo, hi))
                else:  # metadata, set, animate, foreign elements: not text
                    self.check_entities(child, depth + 1)
            if mixed:
                tail = child.tail
                if tail:
                    if sequential and not (preserve or tail.strip(_WHITE)):
                        self.run(tail, None, lo, hi, shown, preserve, agent, runs)
                    else:
                        self.run(tail, child_sync, lo, hi, shown, preserve, agent, runs)
                        timed_children = True
                        implicit = None
                        if sequential:
                            child_sync = None
            elif child.tail and child.tail.strip(_WHITE):
                self.stray(element, child.tail)
        return implicit

    def stray(self, element: Any, text: str) -> None:
        """Text where TTML has none (in a ``body`` or ``div``, outside any ``p``)."""
        words = " ".join(text.split())
        if words:
            self.warnings.append(f"line {element.sourceline}: text outside any paragraph is not "
                                 f"read: {words if len(words) <= 60 else words[:57] + '...'!r}")

    def run(self, text: str, start: Time | None, lo: Time, hi: Time | None, shown: bool, preserve: bool,
            agent: str | None, runs: list[Run]) -> None:
        """Text that begins at ``start`` (``None``: never, or white space of a seq, which
        is layout) and lasts while its parent is shown, over ``lo``-``hi``."""
        if start is not None and start > lo:
            lo = start
        if shown and (start is not None or not text.strip(_WHITE)) and (hi is None or lo < hi):
            runs.append(Run(text, False, preserve, agent, lo, hi))
        elif text.strip(_WHITE):
            self.hidden_here.append(text)

    def check_entities(self, element: Any, depth: int) -> None:
        """Entity references anywhere in a non-timed inline element would lose text."""
        if depth > MAX_DEPTH:
            raise self.fail("elements nested too deeply", element)
        for child in element:
            if child.tag is self.entity:
                raise self.fail(f"entity reference {child.text} is not expanded", child)
            self.check_entities(child, depth + 1)

    def ruby(self, element: Any, begin: Time | None, lo: Time, hi: Time | None, depth: int,
             preserve: bool, lang: str | None, agent: str | None, runs: list[Run]) -> Time | None:
        """A ruby container as ``base(annotation)``: each base followed by its annotations
        in parentheses. White space between the parts of a ruby is not content; ruby
        delimiters are dropped (they are the fallback this form replaces)."""
        bases: list[tuple[Any, Time | None, Time, Time | None]] = []
        texts: list[list[tuple[Any, Time | None, Time, Time | None]]] = []
        implicit: Time | None = begin
        ends: list[Time | None] = []
        for child in element:
            if child.tag is self.entity:
                raise self.fail(f"entity reference {child.text} is not expanded", child)
            kind = child.get(_RUBY) if child.tag == _SPAN else None
            if kind in ("base", "text"):
                part = (child, begin, lo, hi)
                (bases.append(part) if kind == "base" else texts.append([part]))
            elif kind in ("baseContainer", "textContainer"):
                # A container's own timing bounds its parts.
                c_begin, c_end, c_explicit = self.own(child, child.keys(), begin)
                c_lo, c_hi = lo, hi
                if c_begin is not None:
                    c_lo = max(lo, c_begin)
                    if c_explicit and (hi is None or c_end < hi):  # type: ignore[operator]
                        c_hi = c_end
                wanted = "base" if kind == "baseContainer" else "text"
                parts = [(part, c_begin, c_lo, c_hi) for part in child
                         if part.tag == _SPAN and part.get(_RUBY) == wanted]
                (bases.extend(parts) if kind == "baseContainer" else texts.append(parts))
                if c_explicit:
                    ends.append(c_end)
        for index, base in enumerate(bases or [None]):  # type: ignore[list-item]
            if base is not None:
                ends.append(self.part(base, depth, preserve, lang, agent, runs))
            for group in texts:
                last = index == len(bases) - 1 or not bases
                for annotation in (group[index:] if last else group[index:index + 1]):
                    at = len(runs)
                    ends.append(self.part(annotation, depth, preserve, lang, agent, runs))
                    interval = self.intervals.get(annotation[0])
                    if interval is not None and len(runs) > at:
                        runs.insert(at, Run("(", False, True, agent, *interval))
                        runs.append(Run(")", False, True, agent, *interval))
        for end in ends:
            if implicit is not None:
                implicit = None if end is None else max(implicit, end)
        return implicit

    def part(self, part: tuple[Any, Time | None, Time, Time | None], depth: int, preserve: bool,
             lang: str | None, agent: str | None, runs: list[Run]) -> Time | None:
        element, sync, lo, hi = part
        return self.visit(element, sync, lo, hi, depth + 1, preserve, lang, agent, runs)
