"""The shapes of a Camb.ai dub result, read in one place.

A decoded JSON document may be one result (``{"transcript": [...], "video_url": ...}``),
bulk results keyed by run id, results keyed by language (a run dubbed into several), the
two nested, or a bare list of DialogueItems. Each becomes one
:class:`~dubsubs.model.RawTranscript` whose numbers are kept in the source's own unit: the
normaliser decides seconds or milliseconds later. Every error is an
:class:`~dubsubs.errors.InputError` naming the source and the JSON path, e.g.
``episode3.json: transcript[3].start: expected a number, got "soon"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InputError
from ..languages import to_tag
from ..model import MAX_MS, RawItem, RawTranscript, Voice, gc_paused, join_voices
from ..wording import printable, shorten

#: Times below this (in either unit) are corruption, not a rounding artefact to clamp.
MIN_NEGATIVE = -1.0
#: No time may exceed 100 days, read in milliseconds, the most lenient reading.
MAX_VALUE = float(MAX_MS)

_URL_KEYS = {
    "video": ("video_url", "output_video_url"),
    "audio": ("audio_url", "output_audio_url"),
}
_RESULT_KEYS = {"transcript", "video_url", "audio_url", "output_video_url", "output_audio_url"}
#: Longer than any language tag in use (RFC 5646 asks implementations to take 35
#: characters); a longer key is that language's error, not a file name.
MAX_LANGUAGE_KEY = 64


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _show(value: Any) -> str:
    if type(value) is _Item:  # a compactly parsed item, shown as the object it was
        value = {key: part for key, part in zip(("start", "end", "text", "speaker"), value, strict=True)
                 if part is not None or key != "speaker"}
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


def dialogue_items(value: Any, source: str, where: str) -> list[RawItem]:
    with gc_paused():
        return _build_items(value, source, where)


def _build_items(value: Any, source: str, where: str) -> list[RawItem]:
    if not isinstance(value, list):
        raise InputError(f"expected a list of dialogue items, got {type(value).__name__}",
                         source=source, where=where)
    items: list[RawItem] = []
    append = items.append
    low, high = MIN_NEGATIVE, MAX_VALUE
    new, dict_type, float_type, int_type, str_type = tuple.__new__, dict, float, int, str
    for index, entry in enumerate(value):
        start: Any
        end: Any
        if type(entry) is _Item:  # compact parsing (see loads_json): the list is our own
            start, end, text, speaker = entry
            if low <= start <= high and low <= end <= high:
                value[index] = None  # let the parsed item go as its RawItem takes its place
                append(new(RawItem, (float(start), float(end), text, speaker, index, ())))
                continue
            entry = {"start": start, "end": end, "text": text, "speaker": speaker}
        # Fast path, the shape of nearly every item: numbers in range, text, a speaker or
        # none, no voices. Anything else (missing keys, strings, NaN...) takes the full
        # path below, which names the problem.
        if type(entry) is dict_type:
            start, end = entry.get("start"), entry.get("end")
            text, speaker = entry.get("text"), entry.get("speaker")
            kind, end_kind = type(start), type(end)
            if ((kind is float_type or kind is int_type) and (end_kind is float_type or end_kind is int_type)
                    and type(text) is str_type and (speaker is None or type(speaker) is str_type)
                    and low <= start <= high and low <= end <= high and "voices" not in entry):
                # tuple.__new__ skips the named tuple's Python-level __new__: same object.
                append(new(RawItem, (start if kind is float_type else float(start),
                                     end if end_kind is float_type else float(end), text,
                                     (speaker.strip() or None) if speaker else None, index, ())))
                continue
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
        voices: tuple[Voice, ...] = ()
        if entry.get("voices") is not None:
            voices = _voices(entry["voices"], source, f"{at}.voices")
            if len(voices) > 1:
                speaker = None
                text = join_voices(voices)
        append(RawItem(
            _number(entry["start"], source, f"{at}.start"),
            _number(entry["end"], source, f"{at}.end"),
            text,
            speaker,
            index,
            voices if len(voices) > 1 else (),
        ))
    return items


def _voices(value: Any, source: str, where: str) -> tuple[Voice, ...]:
    """dubsubs' own ``voices`` list: ``[{"speaker": ..., "text": ...}, ...]``."""
    if not isinstance(value, list):
        raise InputError(f"expected a list of voices, got {_show(value)}", source=source, where=where)
    voices: list[Voice] = []
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise InputError("expected an object with a 'text' string", source=source, where=at)
        speaker = entry.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise InputError(f"expected a string, got {_show(speaker)}", source=source, where=f"{at}.speaker")
        voices.append(Voice(speaker.strip() or None if speaker else None, entry["text"]))
    return tuple(voices)


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
            run_id: str | None, language: str | None,
            extra: dict[str, Any] | None = None) -> RawTranscript:
    if "transcript" not in obj:
        raise InputError("no transcript in this result (the run may not be finished)",
                         source=source, where=where or None)
    return RawTranscript(
        items=dialogue_items(obj["transcript"], source, _join(where, "transcript")),
        source=source,
        where=_join(where, "transcript"),
        key=key,
        run_id=run_id,
        language=language,
        video_url=_url(obj, "video", source, where),
        audio_url=_url(obj, "audio", source, where),
        extra=extra or {},
    )


def _show_key(key: str) -> str:
    """A language key for a message or a JSON path: quoted, control characters escaped,
    cut to a readable length."""
    return printable(shorten(repr(key), 40))


def _language_tag(key: str) -> str | None:
    """The BCP-47 tag a language key names, or None when it names none (empty, too long,
    a path separator, a control character, anything not a tag)."""
    if not key or len(key) > MAX_LANGUAGE_KEY:
        return None
    return to_tag(key)


def _by_language(obj: Mapping[str, Any], source: str, where: str, key: tuple[str, ...],
                 run_id: str | None) -> Iterator[RawTranscript | InputError]:
    """One transcript per language. A key that names no language is that language's
    error, never the run's: the other languages still come through. Each transcript keeps
    the key as the result spelt it in ``extra["language_key"]``, so a message can name
    two keys that normalise to one tag."""
    for lang_key, value in obj.items():
        tag = _language_tag(lang_key)
        at = _join(where, lang_key) if tag is not None else _join(where, f"[{_show_key(lang_key)}]")
        try:
            if tag is None:
                raise InputError(f"language key {_show_key(lang_key)} is not a language tag; "
                                 "this language is skipped", source=source, where=at)
            if not isinstance(value, dict):
                raise InputError(f"expected a dub result object, got {_show(value)}", source=source, where=at)
            yield _result(value, source, at, (*key, tag), run_id, tag, {"language_key": lang_key})
        except InputError as error:
            yield error


def _keyed_by_language(obj: Mapping[str, Any]) -> bool:
    """Results keyed by language: every key a tag, or at least one value a result (then a
    key that is not a tag is that language's error, not a reason to refuse the run)."""
    return all(_language_tag(k) for k in obj) or any(_is_result(v) for v in obj.values())


def iter_results(obj: Any, source: str, *, one_run: bool = False) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a decoded JSON document; a broken run or language is yielded as
    its error so the others still come through. ``one_run``: the document is one run's
    result (from ``/dub-result/{run_id}``), so keys that are numbers are Camb language ids,
    never run ids."""
    if isinstance(obj, list):
        yield RawTranscript(items=dialogue_items(obj, source, ""), source=source)
        return
    if not isinstance(obj, dict):
        raise InputError(f"expected a dub result object or a list of dialogue items, got {_show(obj)}",
                         source=source)
    if not obj:
        raise InputError("empty object: no dub result in it", source=source)
    if _is_result(obj):
        yield _result(obj, source, "", (), None, None)
        return
    keys = list(obj)
    if not one_run and all(str(k).isdigit() for k in keys):
        for run_key, value in obj.items():
            at = str(run_key)
            try:
                if isinstance(value, dict) and not value:
                    raise InputError("empty result (the run may not be finished)",
                                     source=source, where=at)
                if _is_result(value):
                    yield _result(value, source, at, (at,), at, None)
                elif isinstance(value, dict) and value and _keyed_by_language(value):
                    yield from _by_language(value, source, at, (at,), at)
                else:
                    raise InputError(f"expected a dub result object, got {_show(value)}",
                                     source=source, where=at)
            except InputError as error:
                yield error
        return
    if any(_is_result(v) for v in obj.values()):
        yield from _by_language(obj, source, "", (), None)
        return
    raise InputError(
        "not a dub result: expected 'transcript', results keyed by run id, or results keyed by "
        f"language; found keys {', '.join(map(repr, keys[:5]))}",
        source=source,
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class _Item(tuple[Any, ...]):
    """A DialogueItem as compact parsing hands it over: ``(start, end, text, speaker)``,
    the speaker stripped (``None`` when empty) and shared between items."""

    __slots__ = ()


_ITEM_KEYS = frozenset(("start", "end", "text", "speaker"))


def _compact_hook() -> Any:
    """A ``json`` object hook that turns each plain DialogueItem into an :class:`_Item`
    as soon as it is parsed, so a million items never exist as a million dicts; any other
    object (a result, an item with voices or odd values) is left as it is, for the full
    reader to take or to name what is wrong with it."""
    speakers: dict[str, str | None] = {}
    new, float_type, int_type, str_type = tuple.__new__, float, int, str

    def hook(obj: dict[str, Any]) -> Any:
        # Only an object with nothing but an item's keys: a result that happens to carry
        # "start" or "text" beside its transcript stays an object.
        if not obj.keys() <= _ITEM_KEYS:
            return obj
        start, end, text = obj.get("start"), obj.get("end"), obj.get("text")
        kind, end_kind = type(start), type(end)
        if ((kind is float_type or kind is int_type) and (end_kind is float_type or end_kind is int_type)
                and type(text) is str_type and "voices" not in obj):
            speaker = obj.get("speaker")
            if speaker is None or type(speaker) is str_type:
                if speaker is not None:
                    shared = speakers.get(speaker, False)
                    if shared is False:
                        shared = speakers[speaker] = speaker.strip() or None
                    speaker = shared
                return new(_Item, (start, end, text, speaker))
        return obj

    return hook


#: Inputs larger than this are parsed compactly (:func:`_compact_hook`): a little slower,
#: far less memory (a million items: about 440 MB of dicts not built).
COMPACT_ABOVE = 32 * 1024 * 1024


def loads_json(text: str, source: str, *, compact: bool = False) -> Any:
    """Decode a JSON document; every failure is one :class:`InputError` with its line.
    ``compact``: hand plain DialogueItems over as compact tuples (large inputs)."""
    if not text.strip():
        raise InputError("empty file", source=source)
    try:
        with gc_paused():
            if compact:
                return json.loads(text, parse_constant=_reject_constant, object_hook=_compact_hook())
            return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply", source=source) from None
    except ValueError as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        where = f"line {exc.lineno} column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"not valid JSON: {where}{detail}", source=source) from None


def load(obj: Any, *, source: str | None = None) -> list[RawTranscript]:
    """Every transcript in a decoded dub result (dict or list); raises on the first problem."""
    found: list[RawTranscript] = []
    for part in iter_results(obj, source or "<data>"):
        if isinstance(part, InputError):
            raise part
        found.append(part)
    return found
