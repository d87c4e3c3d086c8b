"""Input readers: Camb.ai JSON (single, bulk, per-language, bare lists, our own JSON export),
SRT, WebVTT and TTML, all turned into :class:`RawTranscript` objects.

Raw items keep the source's numbers untouched (the unit is not known yet for JSON); the
normaliser decides units and repairs. Every error is an :class:`~dubsubs.errors.InputError`
whose message names the source and the JSON path, e.g.
``episode3.json: transcript[3].start: expected a number, got "soon"``.
"""

from __future__ import annotations

import contextlib
import gc
import html
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DubsubsError, InputError, UnknownFormatError
from .languages import to_tag
from .model import MAX_MS, Unit
from .wording import shorten

#: Times below this (in either unit) are corruption, not a rounding artefact to clamp.
MIN_NEGATIVE = -1.0
#: No time may exceed 100 days, read in milliseconds, the most lenient reading.
MAX_VALUE = float(MAX_MS)

_URL_KEYS = {
    "video": ("video_url", "output_video_url"),
    "audio": ("audio_url", "output_audio_url"),
}
_RESULT_KEYS = {"transcript", "video_url", "audio_url", "output_video_url", "output_audio_url"}


@dataclass(frozen=True, slots=True)
class RawItem:
    """One DialogueItem as it came in: numbers in the source's own unit."""

    start: float
    end: float
    text: str
    speaker: str | None
    index: int  # position in the source list, for reports and messages


@dataclass(frozen=True)
class RawTranscript:
    """One transcript found in an input: a run, or one language of a run.

    ``where`` is the JSON path of the item list (``"41707.transcript"``); ``key`` names the
    transcript inside a file that holds several (``("41707", "es-ES")``), and is empty for a
    file that holds one. ``units`` is fixed by the format (SRT, VTT, TTML and our own JSON
    carry real times) or ``None`` when the normaliser has to decide.
    """

    items: list[RawItem]
    source: str
    where: str = ""
    key: tuple[str, ...] = ()
    run_id: str | None = None
    language: str | None = None
    units: Unit | None = None
    video_url: str | None = None
    audio_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.source} [{'/'.join(self.key)}]" if self.key else self.source


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects:
    its generational passes otherwise make large transcripts superlinear to load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- JSON

def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    return shorten(text, 40)


def _number(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or value is None:
        raise InputError(f"expected a number, got {_show(value)}", source=source, where=where)
    if isinstance(value, int) and not MIN_NEGATIVE <= value <= MAX_VALUE:
        # Checked before float(): an int of a few hundred digits overflows a float.
        number = math.inf if value > 0 else -math.inf
    elif isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InputError(f"expected a number, got {_show(value)}", source=source, where=where) from None
    else:
        raise InputError(f"expected a number, got {type(value).__name__}", source=source, where=where)
    if math.isnan(number) or (math.isinf(number) and not isinstance(value, int)):
        raise InputError(f"expected a finite number, got {_show(value)}", source=source, where=where)
    if number < MIN_NEGATIVE:
        raise InputError(f"negative time {_show(value)}", source=source, where=where)
    if number > MAX_VALUE:
        raise InputError(f"time {_show(value)} is beyond 100 days in any unit", source=source, where=where)
    return number


def _items(value: Any, source: str, where: str) -> list[RawItem]:
    with gc_paused():
        return _build_items(value, source, where)


def _build_items(value: Any, source: str, where: str) -> list[RawItem]:
    if not isinstance(value, list):
        raise InputError(f"expected a list of dialogue items, got {type(value).__name__}",
                         source=source, where=where)
    items: list[RawItem] = []
    append = items.append
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict):
            raise InputError(f"expected an object, got {_show(entry)}", source=source, where=at)
        for name in ("start", "end", "text"):
            if name not in entry:
                raise InputError(f"missing {name!r}", source=source, where=at)
        text = entry["text"]
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InputError(f"expected a string, got {_show(text)}", source=source, where=f"{at}.text")
        speaker = entry.get("speaker")
        if speaker is not None:
            if isinstance(speaker, (int, float)) and not isinstance(speaker, bool):
                speaker = str(speaker)
            elif not isinstance(speaker, str):
                raise InputError(f"expected a string, got {_show(speaker)}",
                                 source=source, where=f"{at}.speaker")
            speaker = speaker.strip() or None
        append(RawItem(
            _number(entry["start"], source, f"{at}.start"),
            _number(entry["end"], source, f"{at}.end"),
            text,
            speaker,
            index,
        ))
    return items


def _url(result: Mapping[str, Any], kind: str, source: str, where: str) -> str | None:
    for name in _URL_KEYS[kind]:
        value = result.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"expected a URL string, got {_show(value)}", source=source,
                             where=_join(where, name))
        return value or None
    return None


def _is_result(value: Any) -> bool:
    return isinstance(value, dict) and bool(_RESULT_KEYS & value.keys())


def _result(obj: Mapping[str, Any], source: str, where: str, key: tuple[str, ...],
            run_id: str | None, language: str | None) -> RawTranscript:
    if "transcript" not in obj:
        raise InputError("no transcript in this result (the run may not be finished)",
                         source=source, where=where or None)
    return RawTranscript(
        items=_items(obj["transcript"], source, _join(where, "transcript")),
        source=source,
        where=_join(where, "transcript"),
        key=key,
        run_id=run_id,
        language=language,
        video_url=_url(obj, "video", source, where),
        audio_url=_url(obj, "audio", source, where),
    )


def _by_language(obj: Mapping[str, Any], source: str, where: str, key: tuple[str, ...],
                 run_id: str | None) -> Iterator[RawTranscript | InputError]:
    for lang_key, value in obj.items():
        at = _join(where, lang_key)
        tag = to_tag(lang_key) or lang_key
        try:
            if not isinstance(value, dict):
                raise InputError(f"expected a dub result object, got {_show(value)}", source=source, where=at)
            yield _result(value, source, at, (*key, tag), run_id, tag)
        except InputError as error:
            yield error


def _ours(obj: Mapping[str, Any], source: str) -> Iterator[RawTranscript]:
    """Our own JSON export: times in seconds, speakers and language recorded."""
    if obj.get("units", "s") != "s":
        raise InputError(f"unsupported units {_show(obj.get('units'))}", source=source, where="units")
    language = obj.get("language")
    run_id = obj.get("run_id")
    yield RawTranscript(
        items=_items(obj["cues"], source, "cues"),
        source=source,
        where="cues",
        run_id=None if run_id is None else str(run_id),
        language=to_tag(language) if isinstance(language, (str, int)) else None,
        units="s",
    )


def iter_json(obj: Any, source: str) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a decoded JSON document; a broken run or language is yielded as
    its error so the others still come through."""
    if isinstance(obj, list):
        yield RawTranscript(items=_items(obj, source, ""), source=source)
        return
    if not isinstance(obj, dict):
        raise InputError(f"expected a dub result object or a list of dialogue items, got {_show(obj)}",
                         source=source)
    if not obj:
        raise InputError("empty object: no dub result in it", source=source)
    if "cues" in obj and isinstance(obj.get("cues"), list):
        yield from _ours(obj, source)
        return
    if _is_result(obj):
        yield _result(obj, source, "", (), None, None)
        return
    keys = list(obj)
    if all(str(k).isdigit() for k in keys):
        for run_key, value in obj.items():
            at = str(run_key)
            try:
                if isinstance(value, dict) and not value:
                    raise InputError("empty result (the run may not be finished)",
                                     source=source, where=at)
                if _is_result(value):
                    yield _result(value, source, at, (at,), at, None)
                elif isinstance(value, dict) and value and all(to_tag(k) for k in value):
                    yield from _by_language(value, source, at, (at,), at)
                else:
                    raise InputError(f"expected a dub result object, got {_show(value)}",
                                     source=source, where=at)
            except InputError as error:
                yield error
        return
    if all(to_tag(k) for k in keys) and any(_is_result(v) for v in obj.values()):
        yield from _by_language(obj, source, "", (), None)
        return
    raise InputError(
        "not a dub result: expected 'transcript', results keyed by run id, or results keyed by "
        f"language; found keys {', '.join(map(repr, keys[:5]))}",
        source=source,
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads_json(text: str, source: str) -> Any:
    if not text.strip():
        raise InputError("empty file", source=source)
    try:
        with gc_paused():
            return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply", source=source) from None
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        where = f"line {exc.lineno} column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"not valid JSON: {where}{detail}", source=source) from None


# --------------------------------------------------------------------------- SRT / VTT

#: SRT's de-facto formatting markup (<i>, <b>, <u>, <font ...>) and SSA position codes
#: ({\an8}): presentation, not words. The model carries plain text, so they are removed.
_SRT_MARKUP = re.compile(r"</?(?:i|b|u|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)


def _srt(text: str, source: str) -> RawTranscript:
    import pysrt

    try:
        subs = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except pysrt.Error as exc:
        args = exc.args
        where = f"line {args[0]}" if args and isinstance(args[0], int) else None
        raise InputError("not a valid SRT cue", source=source, where=where) from None
    except (ValueError, IndexError) as exc:
        raise InputError(f"not valid SRT: {exc}", source=source) from None
    if not subs:
        raise InputError("no SRT cues found", source=source)
    items = [RawItem(float(s.start.ordinal), float(s.end.ordinal), _SRT_MARKUP.sub("", s.text), None, i)
             for i, s in enumerate(subs)]
    return RawTranscript(items=items, source=source, units="ms")


_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$")
_VTT_TAG = re.compile(r"<[^>]*>")


def _vtt_ms(stamp: str) -> float:
    match = _VTT_TIME.match(stamp)
    if not match:
        raise ValueError(stamp)
    hours, minutes, seconds, millis = match.groups()
    return float(((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis))


def _vtt(text: str, source: str) -> RawTranscript:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = list(webvtt.from_string(text).captions)
    except MalformedFileError as exc:
        raise InputError(f"not valid WebVTT: {exc}", source=source) from None
    items: list[RawItem] = []
    for index, caption in enumerate(captions):
        try:
            start, end = _vtt_ms(caption.start), _vtt_ms(caption.end)
        except ValueError:
            raise InputError(f"bad timestamp {caption.start!r}", source=source,
                             where=f"cue {index + 1}") from None
        # webvtt-py strips tags but leaves character references encoded.
        body = html.unescape(_VTT_TAG.sub("", caption.raw_text))
        voice = caption.voice
        items.append(RawItem(start, end, body, html.unescape(voice) if voice else None, index))
    # A header with no cue is a valid, empty WebVTT file (our export of an empty
    # transcript); the normaliser warns that it is empty.
    return RawTranscript(items=items, source=source, units="ms")


# --------------------------------------------------------------------------- TTML

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


def _ttml(data: bytes, source: str) -> RawTranscript:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
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


# --------------------------------------------------------------------------- entry points

#: File name suffix -> input format; ``convert`` also strips these to name its outputs.
INPUT_SUFFIXES = {".json": "json", ".srt": "srt", ".vtt": "vtt", ".webvtt": "vtt",
                  ".ttml": "ttml", ".xml": "ttml", ".dfxp": "ttml"}


def sniff(data: bytes, name: str) -> str:
    """The format of a file, by extension, else by its first characters."""
    by_suffix = INPUT_SUFFIXES.get(Path(name).suffix.lower())
    if by_suffix:
        return by_suffix
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"WEBVTT"):
        return "vtt"
    if head.startswith(b"<"):
        return "ttml"
    if re.match(rb"^\d+\s*\r?\n\d", head):
        return "srt"
    raise UnknownFormatError("cannot tell the format: expected JSON, SRT, WebVTT or TTML",
                             source=name)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=source) from None


def iter_bytes(data: bytes, source: str, fmt: str | None = None) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a file's bytes; see :func:`iter_json`."""
    if not data.strip():
        raise InputError("empty file", source=source)
    fmt = fmt or sniff(data, source)
    if fmt == "json":
        yield from iter_json(loads_json(_decode(data, source), source), source)
    elif fmt == "srt":
        yield _srt(_decode(data, source).replace("\r\n", "\n"), source)
    elif fmt == "vtt":
        yield _vtt(_decode(data, source), source)
    elif fmt == "ttml":
        yield _ttml(data, source)
    else:
        raise UnknownFormatError(f"unknown input format {fmt!r}", source=source)


def iter_file(path: str | os.PathLike[str]) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a file. The source is named by the path as given."""
    source = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    yield from iter_bytes(data, source)


def read_parts(path: str | os.PathLike[str]) -> list[RawTranscript | DubsubsError]:
    """Every transcript in a file, each broken one as its error; a file that cannot be
    read at all gives its error alone. For commands that report and go on."""
    try:
        return list(iter_file(path))
    except DubsubsError as error:
        return [error]


def _strict(parts: Iterator[RawTranscript | InputError]) -> list[RawTranscript]:
    found: list[RawTranscript] = []
    for part in parts:
        if isinstance(part, InputError):
            raise part
        found.append(part)
    return found


def read_file(path: str | os.PathLike[str]) -> list[RawTranscript]:
    """All transcripts in a JSON, SRT, WebVTT or TTML file; raises on the first problem."""
    return _strict(iter_file(path))


def load(source_obj: Any, *, source: str | None = None) -> list[RawTranscript]:
    """All transcripts in a file path or an already-decoded dub result (dict or list)."""
    if isinstance(source_obj, (str, os.PathLike)):
        return read_file(source_obj)
    return _strict(iter_json(source_obj, source or "<data>"))
