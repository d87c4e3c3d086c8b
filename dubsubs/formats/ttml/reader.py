"""Reading TTML (TTML1/TTML2, EBU-TT-D, IMSC, DFXP) into raw transcripts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from ...languages import to_tag
from ...model import RawItem, RawTranscript
from ..base import ReadOptions

_TT = "http://www.w3.org/ns/ttml"
_TTP = "http://www.w3.org/ns/ttml#parameter"
_TTM = "http://www.w3.org/ns/ttml#metadata"
_XML = "http://www.w3.org/XML/1998/namespace"
_CLOCK = re.compile(r"^(\d{2,}):(\d{2}):(\d{2})(?:(\.\d+)|:(\d{2,})(?:\.(\d+))?)?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$")


def _positive(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


class _TtmlTiming:
    def __init__(self, root: Any, source: str):
        def parameter(name: str, default: float) -> float:
            text = root.get(f"{{{_TTP}}}{name}")
            if text is None:
                return default
            number = _positive(text)
            if number is None:
                raise InputError(f"expected a positive number, got {text!r}", source=source,
                                 where=f"ttp:{name}")
            return number

        rate = parameter("frameRate", 30.0)
        multiplier = root.get(f"{{{_TTP}}}frameRateMultiplier")
        if multiplier is not None:
            factors = [_positive(x) for x in multiplier.split()]
            if len(factors) != 2 or factors[0] is None or factors[1] is None:
                raise InputError(f"expected two positive numbers, got {multiplier!r}",
                                 source=source, where="ttp:frameRateMultiplier")
            rate *= factors[0] / factors[1]
        self.frame_rate = rate
        self.tick_rate = parameter("tickRate", rate)

    def ms(self, value: str) -> float:
        result = self._ms(value.strip())
        if not math.isfinite(result):
            raise ValueError(value)
        return result

    def _ms(self, value: str) -> float:
        match = _CLOCK.match(value)
        if match:
            hours, minutes, seconds, fraction, frames, _subframes = match.groups()
            total = (int(hours) * 60 + int(minutes)) * 60 + int(seconds)
            result = total * 1000.0
            if fraction:
                result += float(fraction) * 1000.0
            if frames:
                result += int(frames) * 1000.0 / self.frame_rate
            return result
        match = _OFFSET.match(value)
        if match:
            number, metric = float(match.group(1)), match.group(2)
            scale = {"h": 3_600_000.0, "m": 60_000.0, "s": 1000.0, "ms": 1.0,
                     "f": 1000.0 / self.frame_rate, "t": 1000.0 / self.tick_rate}[metric]
            return number * scale
        raise ValueError(value)


_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _ttml_text(element: Any, source: str, entity: Any, preserve: bool = False) -> str:
    """A paragraph's text with ``<br/>`` as newlines. Unless ``xml:space="preserve"``,
    white space is collapsed as TTML's default handling prescribes. ``entity`` is lxml's
    ``etree.Entity`` (lxml is imported only when a TTML file is read)."""
    preserve = element.get(f"{{{_XML}}}space", "preserve" if preserve else "default") == "preserve"

    def squash(text: str | None) -> str:
        return (text or "") if preserve else _XML_SPACE.sub(" ", text or "")

    parts: list[str] = [squash(element.text)]
    for child in element:
        if child.tag is entity:
            # Entities are not expanded (safety); dropping the reference would lose text.
            raise InputError(f"entity reference {child.text} is not expanded", source=source,
                             where=f"line {child.sourceline}")
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{{{_TT}}}br":
            parts.append("\n")
        elif tag == f"{{{_TT}}}span":
            parts.append(_ttml_text(child, source, entity, preserve))
        parts.append(squash(child.tail))
    text = "".join(parts)
    return text if preserve else "\n".join(line.strip(" ") for line in text.split("\n"))


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    yield _ttml(data, source, options)


def _ttml(data: bytes, source: str, options: ReadOptions) -> RawTranscript:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             encoding=options.encoding)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc}", source=source) from None
    if root.tag != f"{{{_TT}}}tt":
        raise InputError(f"not TTML: root element is {root.tag!r}", source=source)
    timing = _TtmlTiming(root, source)
    agents: dict[str, str] = {}
    for agent in root.iter(f"{{{_TTM}}}agent"):
        ident = agent.get(f"{{{_XML}}}id")
        name = agent.find(f"{{{_TTM}}}name")
        if ident:
            agents[ident] = (name.text or "").strip() if name is not None and name.text else ident
    items: list[RawItem] = []
    body = root.find(f"{{{_TT}}}body")
    language = root.get(f"{{{_XML}}}lang")
    tag = to_tag(language) if language and language != "und" else None
    if body is None:  # valid: a document with nothing to show (as we write one)
        return RawTranscript(items=[], source=source, units="ms", language=tag)

    def walk(element: Any, offset: float, agent: str | None) -> float:
        """Collect the paragraphs under ``element``, whose times count from ``offset``;
        return where ``element`` ends (the sync base of its next sibling in a seq)."""
        begin_attr = element.get("begin")
        try:
            begin = offset + (timing.ms(begin_attr) if begin_attr else 0.0)
        except ValueError:
            raise InputError(f"bad begin time {begin_attr!r}", source=source,
                             where=f"line {element.sourceline}") from None
        agent = element.get(f"{{{_TTM}}}agent", agent)
        if element.tag == f"{{{_TT}}}p":
            end_attr, dur_attr = element.get("end"), element.get("dur")
            if not end_attr and not dur_attr:
                raise InputError("paragraph without end or dur", source=source,
                                 where=f"line {element.sourceline}")
            try:
                end = offset + timing.ms(end_attr) if end_attr else begin + timing.ms(dur_attr)
            except ValueError:
                raise InputError(f"bad end time {end_attr or dur_attr!r}", source=source,
                                 where=f"line {element.sourceline}") from None
            speaker = None
            if agent:
                speaker = " ".join(agents.get(a, a) for a in agent.split())
            items.append(RawItem(begin, end, _ttml_text(element, source, etree.Entity), speaker, len(items)))
            return end
        # timeContainer="seq": each child counts from the end of the one before it.
        sequential = element.get("timeContainer") == "seq"
        sync = last_end = begin
        for child in element:
            if isinstance(child.tag, str) and child.tag in (f"{{{_TT}}}div", f"{{{_TT}}}p"):
                child_end = walk(child, sync if sequential else begin, agent)
                last_end = max(last_end, child_end)
                if sequential:
                    sync = child_end
        return last_end

    try:
        walk(body, 0.0, None)
    except RecursionError:
        raise InputError("elements nested too deeply", source=source) from None
    return RawTranscript(items=items, source=source, units="ms", language=tag)


