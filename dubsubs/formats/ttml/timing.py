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
  content its begin; text (an anonymous span) is indefinite, so it lasts as long as what
  contains it. White space that ``xml:space="default"`` discards, ``br`` and non-content
  elements (``metadata``, ``set``, ``animate``...) do not lengthen anything.
- **Clipping**: every element is active only inside its parent's active interval; one
  whose interval is empty (``end <= begin``) or outside its parent's is never shown.
- An end that nothing up the tree gives is ``None`` (indefinite): deciding what to do with
  it is the caller's business (:attr:`Timeline.last_time` helps).

Arithmetic is exact: times are integers in units of ``1/scale`` s, where ``scale`` is a
multiple of 1000 in which every frame, sub-frame and tick is whole (a
:class:`~fractions.Fraction` of a unit only for a time between units, e.g. ``1.0001s``), so
the engine is fast on large files. :meth:`TimeParameters.to_ms` rounds to the nearest
millisecond, halves up, once, at the end; :meth:`TimeParameters.to_seconds` gives exact
seconds. The walk is recursive but bounded
(:data:`MAX_DEPTH`), so a deeply nested document is an :class:`InputError`, never a
``RecursionError``. Bad values are a located :class:`InputError`
(``line 12: bad begin time '1x'``).
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
MAX_DEPTH = 200

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


_Desired = tuple[Time | None, Time | None]  # begin (None: never begins), end


def timeline(root: Any, source: str) -> Timeline:
    """Every element's active interval and every paragraph's timed content.

    Raises :class:`InputError` (one line naming the place) for a bad parameter or time
    expression, an unknown ``timeContainer``, an unexpanded entity reference in the body
    and nesting deeper than :data:`MAX_DEPTH`.
    """
    from lxml import etree

    parameters = TimeParameters.of(root, source)
    engine = _Engine(parameters, source, etree.Entity)
    result = Timeline(parameters, {}, [], None)
    if parameters.time_base == "clock":
        result.warnings.append(f'ttp:timeBase="clock": times are read as times of day counted '
                               f"from 00:00:00 ({parameters.clock_mode})")
    if parameters.time_base == "smpte" and parameters.marker_mode == "discontinuous":
        result.warnings.append('ttp:markerMode="discontinuous": time codes are read as if continuous')
    body = root.find(_BODY)
    if body is None:
        return result
    engine.desire(body, 0, 0, root.get(_SPACE) == "preserve")
    result.last_time = engine.last_time
    engine.show(body, 0, None, root.get(_LANG), None, False, result)
    return result


class _Engine:
    def __init__(self, parameters: TimeParameters, source: str, entity: Any):
        self.units: Callable[[str], Time] = parameters.units
        self.source = source
        self.entity = entity
        self.desired: dict[Any, _Desired] = {}
        # Begins of anonymous spans (text) inside seq containers: an element's own text
        # (head) and the text after a child (tail), by element.
        self.seq_head: dict[Any, Time | None] = {}
        self.seq_tail: dict[Any, Time | None] = {}
        self.last_time: Time | None = None

    # -- errors

    def fail(self, message: str, element: Any) -> InputError:
        return InputError(message, source=self.source, where=f"line {element.sourceline}")

    def time(self, element: Any, name: str, value: str) -> Time:
        try:
            return self.units(value)
        except ValueError:
            raise self.fail(f"bad {name} time {value!r}", element) from None

    # -- pass 1: desired (unclipped) intervals, in document order

    def desire(self, element: Any, sync: Time | None, depth: int, preserve: bool) -> Time | None:
        """Record ``element``'s desired interval; ``sync`` is where its times count from
        (``None``: it never begins). Returns its desired end (``None``: indefinite)."""
        if depth > MAX_DEPTH:
            raise self.fail("elements nested too deeply", element)
        # One keys() call and a get for each attribute present: lxml's get is not cheap.
        keys = element.keys()
        get = element.get
        begin_text = get("begin") if "begin" in keys else None
        end_text = get("end") if "end" in keys else None
        dur_text = get("dur") if "dur" in keys else None
        sequential = False
        if "timeContainer" in keys:
            container = get("timeContainer")
            if container not in ("par", "seq"):
                raise self.fail(f"bad timeContainer {container!r}", element)
            sequential = container == "seq"
        if _SPACE in keys:
            preserve = get(_SPACE) == "preserve"
        begin: Time | None = sync
        if begin_text is not None and sync is not None:
            begin = sync + self.time(element, "begin", begin_text)
        tag = element.tag
        mixed = tag in (_P, _SPAN)
        # The implicit end: par, the latest child end; seq, the last child's end.
        implicit: Time | None = begin
        child_sync = begin
        timed_children = False
        if mixed:
            text = element.text
            # Text is an anonymous span, indefinite. In a seq, white space alone is
            # layout, not a span (else indentation would stop the sequence).
            if text and (not sequential or preserve or text.strip(_WHITE)):
                timed_children = True
                if sequential:
                    self.seq_head[element] = child_sync
                    child_sync = None
                implicit = None
        entity = self.entity
        for child in element:
            child_tag = child.tag
            if child_tag == _SPAN if mixed else (child_tag in (_P, _DIV)):
                if not sequential and child_sync is not None and not len(child) and \
                        _TIMING.isdisjoint(child.keys()):
                    # The common leaf span: its interval is its parent's (see clip), unless
                    # it is empty, when it has none.
                    if child.text:
                        child_end = None
                    else:
                        child_end = child_sync
                        self.desired[child] = (child_sync, child_sync)
                else:
                    child_end = self.desire(child, child_sync, depth + 1, preserve)
                if sequential:
                    child_sync = implicit = child_end
                elif not timed_children:
                    implicit = child_end
                elif implicit is not None:
                    implicit = None if child_end is None else max(implicit, child_end)
                timed_children = True
            elif child_tag is entity:
                raise self.fail(f"entity reference {child.text} is not expanded", child)
            elif mixed and child_tag != _BR:
                self.check_entities(child, depth + 1)
            if mixed:
                tail = child.tail
                if tail and (not sequential or preserve or tail.strip(_WHITE)):
                    timed_children = True
                    if sequential:
                        self.seq_tail[child] = child_sync
                        child_sync = None
                    implicit = None
        end: Time | None = None
        if begin is not None:
            end = implicit
            if end_text is not None:
                # In a seq, end counts from the same sync base as begin.
                end = self.time(element, "end", end_text)
                if sync:
                    end += sync
            if dur_text is not None:
                by_duration = begin + self.time(element, "dur", dur_text)
                if end_text is None or by_duration < end:  # type: ignore[operator]
                    end = by_duration
            last = self.last_time
            if last is None or begin > last:
                last = begin
            if end is not None and end > last:
                last = end
            self.last_time = last
        self.desired[element] = (begin, end)
        return end

    def check_entities(self, element: Any, depth: int) -> None:
        """Entity references anywhere in a non-timed inline element would lose text."""
        if depth > MAX_DEPTH:
            raise self.fail("elements nested too deeply", element)
        for child in element:
            if child.tag is self.entity:
                raise self.fail(f"entity reference {child.text} is not expanded", child)
            self.check_entities(child, depth + 1)

    # -- pass 2: clipping, and the timed content of each paragraph

    def clip(self, element: Any, parent_begin: Time, parent_end: Time | None
             ) -> tuple[Time, Time | None] | None:
        desired = self.desired.get(element)
        if desired is None:  # a leaf span of a par, with text and no timing of its own
            return parent_begin, parent_end
        begin, end = desired
        if begin is None:
            return None
        if begin < parent_begin:
            begin = parent_begin
        if end is None or (parent_end is not None and parent_end < end):
            end = parent_end
        if end is not None and end <= begin:
            return None
        return begin, end

    def show(self, element: Any, parent_begin: Time, parent_end: Time | None,
             lang: str | None, agent: str | None, preserve: bool, result: Timeline) -> None:
        keys = element.keys()
        if _LANG in keys:
            lang = element.get(_LANG)
        if _AGENT in keys:
            agent = element.get(_AGENT)
        if _SPACE in keys:
            preserve = element.get(_SPACE) == "preserve"
        active = self.clip(element, parent_begin, parent_end)
        if element.tag == _P:
            if active is None:
                self.hide(element, result)
                return
            runs: list[Run] = []
            begin, end = active
            self.inline(element, begin, end, agent, preserve, runs, result, 0,
                        "timeContainer" in keys and element.get("timeContainer") == "seq")
            result.intervals[element] = active
            result.paragraphs.append(Paragraph(element, begin, end, tuple(runs), lang or None,
                                               agent, element.sourceline))
            return
        if active is None:
            for child in element:
                if child.tag == _P or child.tag == _DIV:
                    self.hide(child, result)
            return
        result.intervals[element] = active
        begin, end = active
        for child in element:
            if child.tag == _P or child.tag == _DIV:
                self.show(child, begin, end, lang, agent, preserve, result)

    def hide(self, element: Any, result: Timeline) -> None:
        """Record the words under ``element``, which is never shown."""
        text = " ".join("".join(_content(element, 0)).split())
        if text:
            result.hidden.append((element.sourceline, text))

    def inline(self, element: Any, begin: Time, end: Time | None, agent: str | None,
               preserve: bool, runs: list[Run], result: Timeline, depth: int, sequential: bool) -> None:
        """Append the runs of a shown ``p`` or ``span`` (active over ``begin``-``end``)."""
        text = element.text
        if text:
            if sequential:
                self.seq_run(self.seq_head, element, element, text, begin, end, agent, preserve, runs, result)
            else:
                runs.append(Run(text, False, preserve, agent, begin, end))
        for child in element:
            tag = child.tag
            if tag == _SPAN:
                self.span(child, begin, end, agent, preserve, runs, result, depth + 1)
            elif tag == _BR:
                runs.append(Run("\n", True, preserve, child.get(_AGENT, agent), begin, end))
            tail = child.tail
            if tail:
                if sequential:
                    self.seq_run(self.seq_tail, child, element, tail, begin, end, agent, preserve, runs,
                                 result)
                else:
                    runs.append(Run(tail, False, preserve, agent, begin, end))

    def seq_run(self, starts: dict[Any, Time | None], key: Any, element: Any, text: str, begin: Time,
                end: Time | None, agent: str | None, preserve: bool, runs: list[Run],
                result: Timeline) -> None:
        """Text in a seq container: an anonymous span that begins where the previous
        sibling ended and, being indefinite, lasts as long as its parent."""
        if not (preserve or text.strip(_WHITE)):
            runs.append(Run(text, False, preserve, agent, begin, end))
            return
        start = starts.get(key)
        if start is None or (end is not None and start >= end):
            result.hidden.append((element.sourceline, " ".join(text.split())))
            return
        runs.append(Run(text, False, preserve, agent, max(begin, start), end))

    def span(self, element: Any, parent_begin: Time, parent_end: Time | None,
             agent: str | None, preserve: bool, runs: list[Run], result: Timeline, depth: int) -> None:
        keys = element.keys()
        if _AGENT in keys:
            agent = element.get(_AGENT)
        if _SPACE in keys:
            preserve = element.get(_SPACE) == "preserve"
        active = self.clip(element, parent_begin, parent_end)
        if active is None:
            self.hide(element, result)
            return
        result.intervals[element] = active
        begin, end = active
        ruby = element.get(_RUBY) if _RUBY in keys else None
        if ruby == "container":
            self.ruby(element, begin, end, agent, preserve, runs, result, depth)
        elif ruby != "delimiter":  # a delimiter is a fallback for renderers without ruby
            self.inline(element, begin, end, agent, preserve, runs, result, depth,
                        "timeContainer" in keys and element.get("timeContainer") == "seq")

    def ruby(self, element: Any, begin: Time, end: Time | None, agent: str | None,
             preserve: bool, runs: list[Run], result: Timeline, depth: int) -> None:
        """A ruby container as ``base(annotation)``: each base followed by its annotations
        in parentheses. White space between the parts of a ruby is not content."""
        bases: list[Any] = []
        texts: list[list[Any]] = []
        for child in element:
            kind = child.get(_RUBY) if child.tag == _SPAN else None
            if kind == "base":
                bases.append(child)
            elif kind == "baseContainer":
                bases.extend(c for c in child if c.tag == _SPAN and c.get(_RUBY) == "base")
            elif kind == "text":
                texts.append([child])
            elif kind == "textContainer":
                texts.append([c for c in child if c.tag == _SPAN and c.get(_RUBY) == "text"])
        containers = {c: self.clip(c, begin, end) for c in element
                      if c.tag == _SPAN and c.get(_RUBY) in ("baseContainer", "textContainer")}

        def parent_of(part: Any) -> tuple[Time, Time | None] | None:
            parent = part.getparent()
            return (begin, end) if parent is element else containers.get(parent)

        for index, base in enumerate(bases or [None]):
            if base is not None:
                within = parent_of(base)
                if within is None:
                    self.hide(base, result)
                else:
                    self.span(base, within[0], within[1], agent, preserve, runs, result, depth + 1)
            for group in texts:
                annotations = group[index:index + 1] if index < len(bases) - 1 or not bases \
                    else group[index:]
                for annotation in annotations:
                    within = parent_of(annotation)
                    shown = None if within is None else self.clip(annotation, *within)
                    if within is None or shown is None:
                        self.hide(annotation, result)
                        continue
                    runs.append(Run("(", False, True, agent, shown[0], shown[1]))
                    self.span(annotation, within[0], within[1], agent, preserve, runs, result, depth + 1)
                    runs.append(Run(")", False, True, agent, shown[0], shown[1]))


def _content(element: Any, depth: int) -> list[str]:
    """The words inside ``element`` (text of spans, not of metadata or animation)."""
    mixed = element.tag == _P or element.tag == _SPAN
    parts = [element.text or ""] if mixed else []
    if depth > MAX_DEPTH:
        return parts
    for child in element:
        if child.tag == _SPAN or child.tag == _P or child.tag == _DIV:
            parts.append(" ")
            parts.extend(_content(child, depth + 1))
        elif child.tag == _BR:
            parts.append(" ")
        if mixed:
            parts.append(child.tail or "")
    return parts
