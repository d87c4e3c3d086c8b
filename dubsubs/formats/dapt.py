"""DAPT: W3C Dubbing and Audio description Profiles of TTML2 (``.dapt.ttml``), written and
read.

A DAPT document is a dubbing script: characters, and script events each holding the
text of one dialogue item in one or more languages.

**Writing** (:func:`dumps`). The root ``tt`` declares the DAPT 1.0 content profile,
``ttp:timeBase="media"``, ``xml:lang`` (the transcript's language, else
:attr:`DaptOptions.language`; a script with no language, or ``und``, is refused: DAPT's
default language must name the language of the text), ``daptm:scriptRepresents``
(``audio.dialogue`` unless the transcript came from a script that says otherwise),
``daptm:scriptType`` (:attr:`DaptOptions.script_type`, else the one the transcript was
read with, else ``asRecorded``: a finished dub's transcript is what was recorded) and
``daptm:langSrc`` when the source language is known. Each speaker is a character
(``ttm:agent type="character"``, ``xml:id="character_N"``, ``ttm:name type="alias"``)
in the head's first ``metadata``. Each dialogue item (``Transcript.dialogue`` when kept,
else the cues) is one script event: a ``div`` with a unique ``xml:id`` (the one it was read
with when there is one), ``begin``/``end`` as ``HH:MM:SS.mmm``, ``daptm:represents``
(written on every event, so the computed value never depends on inheritance),
``daptm:onScreen`` when known, ``ttm:agent`` naming its characters when every piece of its
text has a speaker, and a ``p`` with ``xml:lang`` and ``daptm:langSrc``. A cue several
people speak has one ``span`` per voice with its own ``ttm:agent``; a piece of text whose
speaker is unknown is never put under a ``ttm:agent``, so no word is credited to anyone
who did not say it.

With :attr:`DaptOptions.source` (the original-language transcript) each dubbed item is
paired with the original item it overlaps most in time (one to one, largest overlap
first): the event spans both, and holds the original ``p`` (``xml:lang`` and
``daptm:langSrc`` the source language) then the translation ``p``, each with its own
``begin``/``end`` relative to the event when they differ from it. Items of either side
left unpaired are events of their own: nothing is dropped.

Text that the common clean-up (:mod:`dubsubs.formats._text`) would change (runs of
spaces, tabs, blank lines) is written with ``xml:space="preserve"``, so reading the
document back gives the same text; only what XML cannot carry (C0 controls, lone
surrogates) becomes U+FFFD. The document is UTF-8 without a byte-order mark, with no
DOCTYPE and no entity declarations or references other than the predefined ones.

**Reading** (:func:`read`). Script events are found as DAPT says: a ``div`` with no
``div`` children and an ``xml:id``; other ``div`` elements only contain them. Times follow
TTML2 (:mod:`.ttml.timing`: inheritance from ``body`` and enclosing ``div`` elements,
``dur``, frames and ticks), and each text is one item over its ``p``'s active interval,
whatever timed spans it holds (a script's text is read whole). Speakers are the
characters' names (``ttm:name type="alias"``, else ``full``, else the first name, else
the id), never their ids. One transcript is given per language present
(``key=(language,)``), each item with its event's ``xml:id``, ``daptm:onScreen`` and
computed ``daptm:represents`` in ``RawTranscript.extra["script"]``, which dubsubs' JSON
keeps. Text with no end time anywhere up the tree ends at the latest time the document
names, with a warning. A document without ``daptm:scriptType`` or ``xml:lang`` on ``tt``,
with a script type DAPT does not define, or with an event whose text has no end time and
nothing later to end it (an untimed script cannot become subtitles), is refused with one
line naming it; lesser departures from DAPT (no content
profile, another time base, an event without ``daptm:represents``, a ``div`` that is not
an event but holds text) are listed in ``RawTranscript.warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, OptionError
from ..languages import to_tag
from ..model import (
    ON_SCREEN,
    SCRIPT_TYPES,
    Cue,
    RawItem,
    RawTranscript,
    ScriptEvent,
    Transcript,
    gc_paused,
)
from ..timefmt import clock_formatter
from ._text import CONTROL_TABLE, clean_speaker, escape_markup, is_clean_line
from .base import Format, ReadOptions
from .ttml.reader import names_a_time, parse_tt, piece_item, piece_voices
from .ttml.timing import TT, TTM, TTP, XML, Paragraph, timeline

CONTENT_PROFILE = "http://www.w3.org/ns/ttml/profile/dapt1.0/content"
NS_DAPTM = "http://www.w3.org/ns/ttml/profile/dapt#metadata"
DEFAULT_REPRESENTS = "audio.dialogue"

# A BCP-47 tag as far as well-formedness goes (what DAPT asks of xml:lang and langSrc).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# An XML NCName in practice: what an xml:id may be (DAPT: an XML Name, unique).
_ID = re.compile(r"[A-Za-z_][\w.\-]*")
# A DAPT <content-descriptor>: tokens without '.' or white space, joined by '.'.
_DESCRIPTOR = re.compile(r"[^\s.]+(?:\.[^\s.]+)*")
_XML_WHITE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True, slots=True)
class DaptOptions:
    """How to write the script.

    ``script_type``: ``daptm:scriptType`` (``originalTranscript``,
    ``translatedTranscript``, ``preRecording``, ``asRecorded``); ``None`` keeps the type of
    a transcript read from a script, else ``asRecorded``. ``language``: the script's
    language (``xml:lang``) for a transcript that does not state one. ``source``: the
    original-language transcript, paired with the dub event by event. ``source_language``:
    the language the text was translated from (default: the source transcript's, else the
    one the transcript was read with), written as ``daptm:langSrc``.
    """

    script_type: str | None = None
    language: str | None = None
    source: Transcript | None = None
    source_language: str | None = None
    copyright: str | None = None

    def __post_init__(self) -> None:
        text = self.copyright
        if text is not None and (not isinstance(text, str) or not text.strip() or not text.isprintable()):
            raise OptionError(f"dapt option copyright={text!r} must be one line of printable text")
        if self.script_type is not None and self.script_type not in SCRIPT_TYPES:
            raise OptionError(f"dapt option script_type={self.script_type!r}: choose from "
                              f"{', '.join(SCRIPT_TYPES)}")
        for name in ("language", "source_language"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value)
                                      or value.lower() == "und"):
                raise OptionError(f"dapt option {name}={value!r} is not a language tag such as fr or es-ES")
        if self.source is not None and not isinstance(self.source, Transcript):
            raise OptionError(f"dapt option source must be a Transcript, got {type(self.source).__name__}")


# --------------------------------------------------------------------------- writing


@dataclass(slots=True)
class _Text:
    """One ``p`` of an event: a dialogue item in one language."""

    cue: Cue
    lang: str
    lang_src: str


@dataclass(slots=True)
class _Event:
    begin: int
    end: int
    texts: list[_Text]
    meta: ScriptEvent | None
    order: int


def _language(transcript: Transcript, options: DaptOptions) -> str:
    language = transcript.language or options.language
    if not language or language.lower() == "und" or not _LANGUAGE_TAG.fullmatch(language):
        said = f"is {language!r}" if language else "is not known"
        raise OptionError(f"dapt: the transcript's language {said}, and DAPT requires the script's "
                          "language (xml:lang): give it with --language (DaptOptions.language)")
    return language


def _pairs(dub: Sequence[Cue], original: Sequence[Cue]) -> dict[int, int]:
    """Dub item -> original item, one to one, the largest time overlaps first (ties: the
    earlier items). Items overlapping nothing stay unpaired."""
    order = sorted(range(len(original)), key=lambda i: original[i].start_ms)
    candidates: list[tuple[int, int, int]] = []  # (-overlap, dub, original)
    first = 0
    for d in sorted(range(len(dub)), key=lambda i: dub[i].start_ms):
        cue = dub[d]
        while first < len(order) and original[order[first]].end_ms <= cue.start_ms \
                and original[order[first]].start_ms < cue.start_ms:
            first += 1  # ends before this dub item and every later one starts: never overlaps again
        for o in order[first:]:
            other = original[o]
            if other.start_ms >= cue.end_ms:
                break
            overlap = min(cue.end_ms, other.end_ms) - max(cue.start_ms, other.start_ms)
            if overlap > 0:
                candidates.append((-overlap, d, o))
    candidates.sort()
    paired: dict[int, int] = {}
    taken: set[int] = set()
    for _, d, o in candidates:
        if d not in paired and o not in taken:
            paired[d] = o
            taken.add(o)
    return paired


def _events(transcript: Transcript, options: DaptOptions, language: str,
            source_language: str | None, script_type: str) -> list[_Event]:
    items = transcript.dialogue if transcript.dialogue is not None else transcript.cues
    metas = transcript.script.events if transcript.script is not None else (None,) * len(items)
    if source_language is not None:
        translated_src = source_language
    elif script_type == "originalTranscript":
        translated_src = language  # an original transcript's text is Original
    else:
        translated_src = ""  # DAPT: the source language has not been determined
    events = [_Event(cue.start_ms, cue.end_ms, [_Text(cue, language, translated_src)], meta, n)
              for n, (cue, meta) in enumerate(zip(items, metas, strict=True))]
    source = options.source
    if source is None:
        return events
    assert source_language is not None  # _source_language() insists on it
    original = source.dialogue if source.dialogue is not None else source.cues
    paired = _pairs(items, original)
    used = set(paired.values())
    for d, o in paired.items():
        event, cue = events[d], original[o]
        event.texts.insert(0, _Text(cue, source_language, source_language))
        event.begin, event.end = min(event.begin, cue.start_ms), max(event.end, cue.end_ms)
    events.extend(_Event(cue.start_ms, cue.end_ms, [_Text(cue, source_language, source_language)], None,
                         len(items) + o)
                  for o, cue in enumerate(original) if o not in used)
    events.sort(key=lambda event: (event.begin, event.order))
    return events


def _source_language(transcript: Transcript, options: DaptOptions) -> str | None:
    if options.source_language is not None:
        return options.source_language
    if options.source is not None:
        tag = options.source.language
        if not tag or tag.lower() == "und" or not _LANGUAGE_TAG.fullmatch(tag):
            raise OptionError("dapt: the source transcript's language is not known; give it with "
                              "--source-language (DaptOptions.source_language)")
        return tag
    read_with = transcript.script.lang_src if transcript.script is not None else None
    if read_with and read_with.lower() != "und" and _LANGUAGE_TAG.fullmatch(read_with):
        return read_with
    return None


def escape_attribute(text: str) -> str:
    return escape_markup(text).replace('"', "&quot;")


def _needs_preserve(line: str) -> bool:
    """Whether XML's default white-space handling would change ``line`` when read."""
    return line != line.strip(" \t") or "\t" in line or "  " in line


def _content(text: str) -> tuple[str, bool]:
    """A text as ``p``/``span`` content, and whether it needs ``xml:space="preserve"`` to
    read back as itself. Every line break becomes ``<br/>`` (rule 1 of ``_text``) and
    what XML cannot carry becomes U+FFFD (rule 2); nothing else changes."""
    if is_clean_line(text) and "  " not in text:
        return escape_markup(text), False
    lines = text.translate(CONTROL_TABLE).splitlines() or [""]
    return "<br/>".join(escape_markup(line) for line in lines), any(map(_needs_preserve, lines))


def dumps(transcript: Transcript, options: DaptOptions) -> str:
    language = _language(transcript, options)
    script = transcript.script
    script_type = options.script_type or (script.script_type if script is not None else None) or "asRecorded"
    source_language = _source_language(transcript, options)
    events = _events(transcript, options, language, source_language, script_type)

    characters: dict[str, str] = {}  # speaker as given -> character id
    names: dict[str, str] = {}  # cleaned name -> character id: one character per name
    head_lines: list[str] = []
    for cue in (text.cue for event in events for text in event.texts):
        for speaker in [v.speaker for v in cue.voices] if cue.voices else [cue.speaker]:
            name = clean_speaker(speaker)
            if speaker is None or name is None or speaker in characters:
                continue
            ident = names.get(name)
            if ident is None:
                ident = names[name] = f"character_{len(names) + 1}"
                head_lines.append(
                    f'      <ttm:agent type="character" xml:id="{ident}">\n'
                    f'        <ttm:name type="alias">{escape_markup(name)}</ttm:name>\n'
                    "      </ttm:agent>\n")
            characters[speaker] = ident

    used = set(names.values())
    represents_seen: list[str] = []
    stamp = clock_formatter(".")
    body: list[str] = []
    for number, event in enumerate(events, 1):
        meta = event.meta
        ident = meta.id if meta is not None and meta.id is not None else None
        if ident is None or not _ID.fullmatch(ident) or ident in used:
            ident = f"event_{number}"
            while ident in used:
                ident += "_"
        used.add(ident)
        represents = meta.represents if meta is not None and meta.represents else DEFAULT_REPRESENTS
        if not _DESCRIPTOR.fullmatch(represents):
            raise OptionError(f"dapt: script event {ident}: represents={represents!r} is not a "
                              "DAPT content descriptor such as audio.dialogue")
        if represents not in represents_seen:
            represents_seen.append(represents)
        # Who speaks each piece of text (a p, or a span per voice).
        pieces = [[v.speaker for v in t.cue.voices] if t.cue.voices else [t.cue.speaker] for t in event.texts]
        every = [characters.get(s) if s is not None else None for piece in pieces for s in piece]
        event_agents = [a for a in dict.fromkeys(every) if a is not None] if None not in every else []
        attributes = f'xml:id="{ident}" begin="{stamp(event.begin)}" end="{stamp(event.end)}"'
        if event_agents:
            attributes += f' ttm:agent="{" ".join(event_agents)}"'
        attributes += f' daptm:represents="{escape_attribute(represents)}"'
        if meta is not None and meta.on_screen is not None:
            attributes += f' daptm:onScreen="{meta.on_screen}"'
        body.append(f"    <div {attributes}>\n")
        for text in event.texts:
            body.append(_paragraph(text, event, characters, event_agents, stamp))
        body.append("    </div>\n")

    script_represents = _script_represents(script.represents if script else None, represents_seen)
    root = (f' ttp:contentProfiles="{CONTENT_PROFILE}" ttp:timeBase="media"'
            f' xml:lang="{escape_attribute(language)}"')
    if source_language is not None:
        root += f' daptm:langSrc="{escape_attribute(source_language)}"'
    root += (f' daptm:scriptRepresents="{escape_attribute(script_represents)}"'
             f' daptm:scriptType="{script_type}"')
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<tt xmlns="{TT}" xmlns:ttp="{TTP}" xmlns:ttm="{TTM}" xmlns:daptm="{NS_DAPTM}"{root}>\n'
    ]
    # A head even with nothing in it: DAPT asks for one only with characters, but
    # validators (the BBC's) expect it always.
    parts.append("  <head>\n")
    if options.copyright is not None:
        parts.append(f"    <ttm:copyright>{escape_markup(options.copyright)}</ttm:copyright>\n")
    if head_lines:
        parts += ["    <metadata>\n", *head_lines, "    </metadata>\n"]
    parts.append("  </head>\n")
    if body:
        parts += ["  <body>\n", *body, "  </body>\n"]
    parts.append("</tt>\n")
    return "".join(parts)


def _script_represents(declared: str | None, seen: list[str]) -> str:
    """``daptm:scriptRepresents``: what the script said it represents, with every event's
    value that is not a sub-type of one of those added, as DAPT requires."""
    values: list[str] = []
    if declared:
        values = [v for v in declared.split() if _DESCRIPTOR.fullmatch(v)]
    for value in seen or [DEFAULT_REPRESENTS]:
        if not any(value == v or value.startswith(v + ".") for v in values):
            values.append(value)
    return " ".join(values)


def _paragraph(text: _Text, event: _Event, characters: dict[str, str], event_agents: list[str],
               stamp: Any) -> str:
    cue = text.cue
    attributes = f'xml:lang="{escape_attribute(text.lang)}" daptm:langSrc="{escape_attribute(text.lang_src)}"'
    if cue.start_ms != event.begin or cue.end_ms != event.end:
        attributes += f' begin="{stamp(cue.start_ms - event.begin)}" end="{stamp(cue.end_ms - event.begin)}"'

    def agent_of(speaker: str | None) -> str:
        ident = characters.get(speaker) if speaker is not None else None
        return f' ttm:agent="{ident}"' if ident is not None and [ident] != event_agents else ""

    if cue.voices:
        spans: list[str] = []
        preserve = False
        for voice in cue.voices:
            content, needs = _content(voice.text)
            preserve = preserve or needs
            spans.append(f"<span{agent_of(voice.speaker)}>{content}</span>")
        space = ' xml:space="preserve"' if preserve else ""
        return f'      <p {attributes}{space}>{"<br/>".join(spans)}</p>\n'
    content, preserve = _content(cue.text)
    space = ' xml:space="preserve"' if preserve else ""
    return f"      <p {attributes}{agent_of(cue.speaker)}{space}>{content}</p>\n"


# --------------------------------------------------------------------------- reading

_DAPTM = f"{{{NS_DAPTM}}}"
_DIV, _P, _BODY = f"{{{TT}}}div", f"{{{TT}}}p", f"{{{TT}}}body"
_ID_ATTR, _LANG = f"{{{XML}}}id", f"{{{XML}}}lang"


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    with gc_paused():
        transcripts = _dapt(data, source, options)
    yield from transcripts


def _root_checks(root: Any, source: str) -> tuple[str, str, str | None, list[str]]:
    """The script type, default language and script represents; refuses what reading needs."""
    where = f"line {root.sourceline}"
    script_type = root.get(f"{_DAPTM}scriptType")
    if script_type is None:
        raise InputError("not a DAPT script: the tt element has no daptm:scriptType (DAPT requires one)",
                         source=source, where=where)
    if script_type.strip() not in SCRIPT_TYPES:
        raise InputError(f"daptm:scriptType {script_type!r} is not one DAPT defines "
                         f"({', '.join(SCRIPT_TYPES)})", source=source, where=where)
    language = (root.get(_LANG) or "").strip()
    if not language:
        raise InputError("not a DAPT script: the tt element has no xml:lang (DAPT requires the "
                         "script's default language)", source=source, where=where)
    warnings: list[str] = []
    profiles = (root.get(f"{{{TTP}}}contentProfiles") or "").split()
    if CONTENT_PROFILE not in profiles:
        warnings.append(f"{where}: ttp:contentProfiles does not name the DAPT content profile; read as DAPT")
    represents = root.get(f"{_DAPTM}scriptRepresents")
    if not represents or not represents.strip():
        warnings.append(f"{where}: no daptm:scriptRepresents on tt (DAPT requires one)")
    base = (root.get(f"{{{TTP}}}timeBase") or "media").strip()
    if base != "media":
        warnings.append(f'{where}: ttp:timeBase="{base}" (DAPT allows only media); read as TTML2 says')
    return script_type.strip(), language, (represents or "").strip() or None, warnings


def _character_names(root: Any, source: str, entity: Any) -> dict[str | None, str | None]:
    """Agent id -> name: a character's alias, else a full name, else the first, else the id."""
    names: dict[str | None, str | None] = {}
    for agent in root.iter(f"{{{TTM}}}agent"):
        ident = agent.get(_ID_ATTR)
        if not ident:
            continue
        found: dict[str, str] = {}
        for name in agent.iter(f"{{{TTM}}}name"):
            for node in name.iter():
                if node.tag is entity:
                    raise InputError(f"entity reference {node.text} is not expanded",
                                     source=source, where=f"line {node.sourceline}")
            text = " ".join(_XML_WHITE.split("".join(name.itertext()).strip(" \t\r\n")))
            if text:
                found.setdefault(name.get("type") or "", text)
                found.setdefault("first", text)
        order = ("alias", "full", "first") if agent.get("type") == "character" else ("full", "alias", "first")
        names[ident] = next((found[kind] for kind in order if kind in found), ident)
    return names


def _inherited(element: Any, name: str) -> str | None:
    """The computed value of an inheritable DAPT attribute: the nearest one up the tree."""
    while element is not None:
        value = element.get(name)
        if value is not None:
            return str(value)
        element = element.getparent()
    return None


def _script_events(body: Any, warnings: list[str]) -> list[Any]:
    """DAPT's rules: a div with no div children and an xml:id is a script event; a div with
    div children is searched, depth first; any other div is not an event."""
    events: list[Any] = []
    pending = [iter(body)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            continue
        if child.tag != _DIV:
            continue
        if any(grand.tag == _DIV for grand in child):
            pending.append(iter(child))
        elif child.get(_ID_ATTR):
            events.append(child)
        elif any(p.tag == _P and "".join(p.itertext()).strip(" \t\r\n") for p in child):
            warnings.append(f"line {child.sourceline}: a div without xml:id is not a script event: "
                            "its text is not read")
    return events


def _dapt(data: bytes, source: str, options: ReadOptions) -> list[RawTranscript]:
    from lxml import etree

    root = parse_tt(data, source, options)
    script_type, language, script_represents, warnings = _root_checks(root, source)
    names = _character_names(root, source, etree.Entity)
    try:
        found = timeline(root, source)
    except RecursionError:
        raise InputError("elements nested too deeply", source=source) from None
    warnings.extend(found.warnings)
    to_ms = found.parameters.to_ms
    paragraphs: dict[Any, Paragraph] = {p.element: p for p in found.paragraphs}
    body = root.find(_BODY)
    divs = _script_events(body, warnings) if body is not None else []

    by_language: dict[str, tuple[list[RawItem], list[dict[str, Any] | None], list[str]]] = {}
    empty: list[Any] = []
    open_ended: list[str] = []
    timed = names_a_time(root)
    for div in divs:
        ident = div.get(_ID_ATTR)
        on_screen = div.get(f"{_DAPTM}onScreen")
        if on_screen is not None and on_screen.strip() not in ON_SCREEN:
            warnings.append(f"line {div.sourceline}: script event {ident}: daptm:onScreen "
                            f"{on_screen!r} is not one DAPT defines; left out")
            on_screen = None
        texts = [child for child in div if child.tag == _P]
        if not texts:
            empty.append(div)
        for p in texts:
            paragraph = paragraphs.get(p)
            if paragraph is None:
                continue  # never shown: the timeline lists its text as hidden
            end = paragraph.end
            if end is None:
                # As the TTML reader does: to the latest time the document names; text that
                # starts at or after it is kept with no length (the normaliser gives it
                # time to be read). A script with no time at all cannot be timed.
                last = found.last_time
                if last is None or not timed:
                    raise InputError(f"script event {ident!r} has text with no end time (no end or dur on "
                                     "it or on anything containing it, and no time anywhere in the "
                                     "document): subtitles need script events with times", source=source,
                                     where=f"line {p.sourceline}")
                end = max(last, paragraph.begin)
                open_ended.append(ident)
            said = piece_voices(paragraph.runs, names)
            if not said:
                continue
            represents = (_inherited(p, f"{_DAPTM}represents") or "").strip()
            if not represents:
                warnings.append(f"line {div.sourceline}: script event {ident} has no daptm:represents "
                                "(DAPT requires one on every event)")
            lang = (paragraph.lang or language).strip() or "und"
            items, events, sources = by_language.setdefault(lang, ([], [], []))
            items.append(piece_item(float(to_ms(paragraph.begin)), float(to_ms(end)), said, len(items)))
            events.append({"id": ident, "onScreen": on_screen.strip() if on_screen else None,
                           "represents": represents or None})
            sources.append((_inherited(p, f"{_DAPTM}langSrc") or "").strip())
    if open_ended:
        warnings.append(f"{len(open_ended)} script event(s) with no end time (first: {open_ended[0]}) end at "
                        "the document's latest time")
    if empty:
        warnings.append(f"line {empty[0].sourceline}: {len(empty)} script event(s) hold no text, "
                        "so nothing of them is converted")
    for line, text in found.hidden[:50]:
        warnings.append(f"line {line}: never shown (its time is empty or outside its parent's): "
                        f"{text if len(text) <= 60 else text[:57] + '...'!r}")
    if not by_language:
        by_language[language] = ([], [], [])
    transcripts = []
    for lang, (items, events, sources) in by_language.items():
        lang_src = sources[0] if sources and all(s == sources[0] for s in sources) else \
            (root.get(f"{_DAPTM}langSrc") or "").strip()
        script = {"type": script_type, "represents": script_represents, "langSrc": lang_src or None,
                  "events": events}
        transcripts.append(RawTranscript(
            items=items, source=source, key=(lang,), language=to_tag(lang) if lang != "und" else None,
            units="ms", extra={"script": script}, warnings=tuple(warnings)))
    return transcripts


def sniff(head: bytes) -> bool:
    """A TTML document that names the DAPT content profile (or the DAPT metadata
    namespace) in its first bytes."""
    return head.startswith(b"<") and (CONTENT_PROFILE.encode() in head or NS_DAPTM.encode() in head)


FORMAT: Format[DaptOptions] = Format(
    name="dapt",
    suffixes=(".dapt.ttml",),
    description="DAPT: W3C dubbing script (TTML2), characters and script events per language",
    options_type=DaptOptions,
    dumps=dumps,
    read=read,
    sniff=sniff,
)

__all__ = ["CONTENT_PROFILE", "FORMAT", "DaptOptions"]
