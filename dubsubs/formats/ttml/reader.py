"""Reading TTML (TTML1/TTML2, EBU-TT-D, IMSC, DFXP) into raw transcripts, as a renderer
would show it.

The timing is TTML2's, computed by :mod:`.timing` (par/seq containers, implicit
durations, clipping to the parent; see that module for the parameters and time
expressions). On top of it, what is read and how:

- **One item per interval of visible text.** A paragraph whose spans are all shown while
  it is gives one item; one whose spans come and go gives one item per interval in which
  the visible text is constant. Text that is never shown is never written out: it is
  listed in ``RawTranscript.warnings`` (the first 50 paragraphs, then a count), as is text
  outside any paragraph, which TTML does not show.
- **White space** is handled across the whole paragraph as a renderer does with
  ``xml:space="default"``: runs of XML white space collapse to one space even across span
  boundaries, and are removed at the start and end of lines; ``<br/>`` is a line break;
  ``xml:space="preserve"`` keeps white space and line feeds as written.
- **Speakers** come from ``ttm:agent`` (on the paragraph, or inherited from an enclosing
  ``div``/``body``; a span's own agent wins). The name is the agent's ``ttm:name
  type="full"``, else its first ``ttm:name``, else the agent's id. A paragraph spoken by
  several agents gives an item with ``voices``, one per consecutive run of one speaker;
  text outside every agent is a voice without a speaker. An element naming several agents
  (``ttm:agent="a b"``) credits its text to them jointly (``"Ana, Bob"``).
- **Ruby** is read as its base followed by the annotation in parentheses: ``漢字(かんじ)``;
  ruby delimiters (a fallback for renderers without ruby) are not repeated.
- ``<metadata>``, ``<set>``, ``<animate>`` and elements of other vocabularies are not
  text.
- **Text with no end anywhere up the tree** (indefinite: on screen until the media ends)
  is ended at the latest time the document names, with one warning; if nothing in the
  document comes later than its begin, the file is refused with one line. ttconv, by
  contrast, keeps such text on screen for ever.
- Times are exact until the end, then rounded to the nearest millisecond (halves up).
- The language is the root's ``xml:lang``. Entities are never expanded (no XXE, no
  "billion laughs"): a reference to one is an error, since dropping it would lose text.
  ``ReadOptions.encoding`` overrides the encoding the XML declares, only when given.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ...errors import InputError
from ...languages import to_tag
from ...model import RawItem, RawTranscript, Voice, gc_paused, join_voices
from ..base import ReadOptions
from .timing import TT, TTM, XML, Paragraph, Run, Time, Timeline, timeline

_MAX_HIDDEN_WARNINGS = 50
_XML_SPACES = re.compile(r"[ \t\r\n]+")


def read(data: bytes, source: str, options: ReadOptions) -> Iterator[RawTranscript | InputError]:
    with gc_paused():
        transcript = _ttml(data, source, options)
    yield transcript


def parse_tt(data: bytes, source: str, options: ReadOptions) -> Any:
    """The ``tt`` root of a TTML document (TTML, EBU-TT-D, IMSC, DAPT), parsed safely:
    entities never expanded, nothing fetched, ``options.encoding`` overriding the
    declared one only when given; anything else is one located :class:`InputError`."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             encoding=options.encoding)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc}", source=source) from None
    except (ValueError, LookupError) as exc:  # e.g. text that does not fit the encoding
        raise InputError(f"cannot read as XML: {exc}", source=source) from None
    if root.tag != f"{{{TT}}}tt":
        raise InputError(f"not TTML: root element is {root.tag!r}", source=source,
                         where=f"line {root.sourceline}")
    return root


def _ttml(data: bytes, source: str, options: ReadOptions) -> RawTranscript:
    from lxml import etree

    root = parse_tt(data, source, options)
    language = root.get(f"{{{XML}}}lang")
    tag = to_tag(language) if language and language != "und" else None
    names: dict[str | None, str | None] = {}
    names.update(_agent_names(root, source, etree.Entity))
    try:
        found = timeline(root, source)
    except RecursionError:  # MAX_DEPTH keeps well clear of this; a caller may not
        raise InputError("elements nested too deeply", source=source) from None
    to_ms = found.parameters.to_ms
    items: list[RawItem] = []
    open_ended: list[tuple[int, int]] = []  # (item index, paragraph line)
    for paragraph in found.paragraphs:
        for begin, end, voices in _pieces(paragraph, names):
            if end is None:
                open_ended.append((len(items), paragraph.line))
                end = begin  # replaced below
            items.append(piece_item(float(to_ms(begin)), float(to_ms(end)), voices, len(items)))
    warnings = list(found.warnings)
    if open_ended:
        _close(items, open_ended, found, source, warnings, names_a_time(root))
    for line, text in found.hidden[:_MAX_HIDDEN_WARNINGS]:
        warnings.append(f"line {line}: never shown (its time is empty or outside its "
                        f"parent's): {_excerpt(text)!r}")
    if len(found.hidden) > _MAX_HIDDEN_WARNINGS:
        warnings.append(f"... and {len(found.hidden) - _MAX_HIDDEN_WARNINGS} more pieces of text never shown")
    return RawTranscript(items=items, source=source, units="ms", language=tag,
                         warnings=tuple(warnings))


def _excerpt(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def piece_item(start: float, end: float, said: Sequence[tuple[str | None, str]], index: int) -> RawItem:
    """One timed piece of a paragraph as a raw item: one speaker's text, or voices."""
    if len(said) == 1:
        return RawItem(start, end, said[0][1], said[0][0], index)
    spoken = tuple(Voice(speaker, text) for speaker, text in said)
    return RawItem(start, end, join_voices(spoken), None, index, spoken)


def names_a_time(root: Any) -> bool:
    """Whether any element of the document has a ``begin``, ``end`` or ``dur``."""
    return any("begin" in element.attrib or "end" in element.attrib or "dur" in element.attrib
               for element in root.iter() if isinstance(element.tag, str))


def _close(items: list[RawItem], open_ended: list[tuple[int, int]], found: Timeline, source: str,
           warnings: list[str], timed: bool) -> None:
    """End indefinite text at the latest time the document names. Text that starts at or
    after that time is kept with no length (the normaliser gives it time to be read, and
    says so); a document that names no time at all is refused."""
    last = found.last_time
    if last is None or not timed:
        raise InputError("text with no end time (no end or dur on it or on anything containing "
                         "it), and no time anywhere in the document to end it",
                         source=source, where=f"line {open_ended[0][1]}")
    last_ms = float(found.parameters.to_ms(last))
    late: list[int] = []
    for index, line in open_ended:
        item = items[index]
        if last_ms <= item.start:
            late.append(line)
        items[index] = RawItem(item.start, max(last_ms, item.start), item.text, item.speaker, item.index,
                               item.voices)
    paragraphs = len({line for _, line in open_ended})
    warnings.append(f"line {open_ended[0][1]}: {paragraphs} paragraph(s) with no end time (no end "
                    f"or dur on them or on anything containing them) end at the document's last "
                    f"time, {_clock(int(last_ms))}")
    if late:
        warnings.append(f"line {late[0]}: {len(late)} piece(s) of text with no end time start at or "
                        "after the document's last time: kept, with no length of their own")


def _clock(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _agent_names(root: Any, source: str, entity: Any) -> dict[str, str]:
    """Agent id -> the name to credit: ``ttm:name type="full"``, else the first name."""
    names: dict[str, str] = {}
    for agent in root.iter(f"{{{TTM}}}agent"):
        ident = agent.get(f"{{{XML}}}id")
        if not ident:
            continue
        chosen: str | None = None
        for name in agent.iter(f"{{{TTM}}}name"):
            for node in name.iter():
                if node.tag is entity:
                    raise InputError(f"entity reference {node.text} is not expanded",
                                     source=source, where=f"line {node.sourceline}")
            text = " ".join(_XML_SPACES.split("".join(name.itertext()).strip(" \t\r\n")))
            if text and (chosen is None or name.get("type") == "full"):
                chosen = text
                if name.get("type") == "full":
                    break
        names[ident] = chosen or ident
    return names


#: The text of one speaker in a piece: (speaker, text).
_Said = tuple[str | None, str]


def _pieces(paragraph: Paragraph, names: dict[str | None, str | None]
            ) -> Iterator[tuple[Time, Time | None, list[_Said]]]:
    """The intervals in which the paragraph's visible text is constant, with that text."""
    begin, end, runs = paragraph.begin, paragraph.end, paragraph.runs
    if all((r.begin is begin or r.begin == begin) and (r.end is end or r.end == end) for r in runs):
        said = piece_voices(runs, names)
        if said:
            yield begin, end, said
        return
    times = sorted({t for r in runs for t in (r.begin, r.end) if t is not None} | {begin})
    bounds: list[tuple[Time, Time | None]] = list(itertools.pairwise(times))
    if end is None:
        bounds.append((times[-1], None))
    previous: tuple[Time, Time | None, list[_Said]] | None = None
    for start, stop in bounds:
        visible = [r for r in runs if r.begin <= start and
                   (r.end is None or (stop is not None and r.end >= stop))]
        said = piece_voices(visible, names)
        if previous is not None and previous[1] == start and previous[2] == said:
            previous = (previous[0], stop, said)
            continue
        if previous is not None:
            yield previous
        previous = (start, stop, said) if said else None
    if previous is not None:
        yield previous


def piece_voices(runs: Sequence[Run], names: dict[str | None, str | None]) -> list[_Said]:
    """The visible text of ``runs``, one entry per consecutive run of one speaker."""
    if not runs:
        return []
    first = runs[0].agent
    agents, chunks = _compose(runs)
    if all(run.agent == first for run in runs):  # one speaker: the common case
        text = "".join(chunks).strip("\n")
        return [(_speaker(first, names), text)] if text.strip(" \t\r\n") else []
    groups: list[list[Any]] = []  # [speaker, [chunks]]
    for agent, chunk in zip(agents, chunks, strict=True):
        speaker = _speaker(agent, names)
        if groups and (groups[-1][0] == speaker or not chunk.strip(" \t\r\n")):
            groups[-1][1].append(chunk)
        elif groups and not "".join(groups[-1][1]).strip(" \t\r\n"):
            groups[-1] = [speaker, [*groups[-1][1], chunk]]  # white space only so far
        else:
            groups.append([speaker, [chunk]])
    said: list[_Said] = []
    for speaker, parts in groups:
        text = "\n".join(line.strip(" \t") for line in "".join(parts).split("\n")).strip("\n")
        if text.strip(" \t\r\n"):
            if said and said[-1][0] == speaker:
                said[-1] = (speaker, said[-1][1] + "\n" + text)
            else:
                said.append((speaker, text))
    return said


def _speaker(agent: str | None, names: dict[str | None, str | None]) -> str | None:
    """Who ``agent`` (IDREFS) names: each agent's name, joined by commas (remembered in
    ``names``, which starts as the declared agents' names by id)."""
    try:
        return names[agent]
    except KeyError:
        pass
    speaker = None if agent is None else ", ".join(names.get(i) or i for i in agent.split()) or None
    names[agent] = speaker
    return speaker


def _compose(runs: Sequence[Run]) -> tuple[list[str | None], list[str]]:
    """XML white-space handling over a paragraph's visible runs: text chunks, and the
    agent of each.

    With ``xml:space="default"`` every run of XML white space is one space, even across
    runs, and none is kept at the start or end of a line. Preserved text is kept as is.
    """
    agents: list[str | None] = []
    out: list[str] = []
    line_start = True
    pending = False  # a space is due before the next word on this line
    for run in runs:
        if run.is_break:
            agents.append(run.agent)
            out.append("\n")
            line_start, pending = True, False
        elif run.preserve:
            text = run.text
            agents.append(run.agent)
            out.append(" " + text if pending else text)
            pending = False
            line_start = text.endswith("\n") or (line_start and not text)
        else:
            for position, word in enumerate(_XML_SPACES.split(run.text)):
                if position and not line_start:
                    pending = True
                if word:
                    agents.append(run.agent)
                    out.append(" " + word if pending else word)
                    line_start = pending = False
    return agents, out
