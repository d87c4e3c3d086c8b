"""TTML as EBU-TT-D (EBU Tech 3380), also within the IMSC 1 text profile.

The document validates against the EBU-TT-D XSD: ``ttp:timeBase="media"``, ``xml:lang``
from the transcript (``und`` when unknown or not a well-formed language tag), a cell
resolution, two styles (``block`` on the ``<div>``: font and alignment; ``text`` on the
one ``<span>`` in each ``<p>``: colour and a background behind the text only) and one
region in the head, clock-time ``begin``/``end`` as ``HH:MM:SS.mmm`` and ``xml:id="subN"``
on every ``<p>``. Speakers are ``ttm:agent``
elements (``type="person"`` with a full ``ttm:name``) in the head's ``<metadata>``, which
the XSD opens to any foreign-namespace element, and each ``<p>`` points at its speaker with
``ttm:agent`` (an IDREFS attribute EBU-TT-D allows on ``p``). A cue that several people
speak has one ``<span>`` per voice, each with its own ``ttm:agent``, joined by ``<br/>``.

The XML is written as escaped strings rather than through an XML builder: it is several
times faster, and the tests validate the output with lxml and the XSD and read it with
ttconv. Text goes through :mod:`dubsubs.formats._text`, so no character XML 1.0 forbids
(C0 controls other than tab, lone surrogates, U+FFFE/U+FFFF) can appear: they are shown as
U+FFFD. Line breaks become ``<br/>``; ``&``, ``<``, ``>`` are escaped. A cue whose text is
empty after clean-up is left out; with no cue left the document has no ``<body>``
(EBU-TT-D requires every ``<div>`` to hold a ``<p>``).

The options left unset by default (``line_height``, ``line_padding``, ``fill_line_gap``,
``region_overflow``, ``active_area``, ``copyright``) write nothing, so the default document
stays generic EBU-TT-D / IMSC 1; a delivery spec that wants them (the ``bbc`` preset)
sets them, and only then are the EBU-TT-D styling (``ebutts:``) and IMSC 1 styling and
parameter (``itts:``, ``ittp:``) namespaces declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import OptionError
from ...model import Transcript
from ...timefmt import clock_formatter
from .._text import clean_speaker, escape_markup, is_clean_line, text_lines

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_PERCENT = re.compile(r"\+?\d+(?:\.\d+)?%")
_PERCENT_PAIR = re.compile(r"\+?\d+(?:\.\d+)?% \+?\d+(?:\.\d+)?%")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?")
_ALIGN = re.compile(r"left|center|right|start|end")
_CELLS = re.compile(r"\d+(?:\.\d+)?c")
_PERCENT_QUAD = re.compile(r"\d+(?:\.\d+)?%(?: \d+(?:\.\d+)?%){3}")
_OVERFLOW = re.compile(r"visible|hidden")

NS_EBUTTS = "urn:ebu:tt:style"
NS_ITTS = "http://www.w3.org/ns/ttml/profile/imsc1#styling"
NS_ITTP = "http://www.w3.org/ns/ttml/profile/imsc1#parameter"

EBU_TT_D = "urn:ebu:tt:distribution:2018-04"
IMSC1_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1/text"


@dataclass(frozen=True, slots=True)
class TtmlOptions:
    """Presentation defaults for the styles and the region the document declares.

    ``font_size`` is a percentage of the cell height (``cell_rows`` cells per frame).
    ``region_origin``/``region_extent`` are percentages of the frame, ``"x% y%"``.

    Unset (``None``/``False``) by default, and then not written at all:
    ``line_height`` (a percentage of the font size; unset means ``normal``),
    ``line_padding`` (``ebutts:linePadding`` in cells, ``"0.5c"``), ``fill_line_gap``
    (``itts:fillLineGap="true"``: the background also fills the space between lines),
    ``region_overflow`` (``visible`` or ``hidden`` on the region), ``active_area``
    (``ittp:activeArea``, four percentages ``"left top width height"``) and ``copyright``
    (a ``ttm:copyright`` line in the head).
    """

    cell_columns: int = 32
    cell_rows: int = 15
    font_family: str = "proportionalSansSerif"
    font_size: str = "100%"
    color: str = "#FFFFFF"
    background_color: str = "#000000C2"
    text_align: str = "center"
    region_origin: str = "10% 10%"
    region_extent: str = "80% 80%"
    line_height: str | None = None
    line_padding: str | None = None
    fill_line_gap: bool = False
    region_overflow: str | None = None
    active_area: str | None = None
    copyright: str | None = None

    def __post_init__(self) -> None:
        # Checked here so a bad value fails as an option, not as an invalid document.
        checks = [
            ("cell_columns", self.cell_columns, None),
            ("cell_rows", self.cell_rows, None),
            ("font_size", self.font_size, _PERCENT),
            ("color", self.color, _COLOR),
            ("background_color", self.background_color, _COLOR),
            ("text_align", self.text_align, _ALIGN),
            ("region_origin", self.region_origin, _PERCENT_PAIR),
            ("region_extent", self.region_extent, _PERCENT_PAIR),
            ("line_height", self.line_height, _PERCENT),
            ("line_padding", self.line_padding, _CELLS),
            ("region_overflow", self.region_overflow, _OVERFLOW),
            ("active_area", self.active_area, _PERCENT_QUAD),
        ]
        for name, value, pattern in checks:
            if value is None and name in _OPTIONAL:
                continue
            if pattern is None:
                ok = type(value) is int and value > 0
            else:
                ok = isinstance(value, str) and pattern.fullmatch(value) is not None
            if not ok:
                raise OptionError(f"ttml option {name}={value!r} is not allowed in EBU-TT-D")
        if not isinstance(self.font_family, str) or not self.font_family.strip():
            raise OptionError(f"ttml option font_family={self.font_family!r} is empty")
        if type(self.fill_line_gap) is not bool:
            raise OptionError(f"ttml option fill_line_gap={self.fill_line_gap!r} must be true or false")
        text = self.copyright
        if text is not None and (not isinstance(text, str) or not text.strip() or not text.isprintable()):
            raise OptionError(f"ttml option copyright={self.copyright!r} must be one line of printable text")


_OPTIONAL = frozenset({"line_height", "line_padding", "region_overflow", "active_area"})


escape = escape_markup


def escape_attribute(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def ttml_text(text: str) -> str:
    """Cue text as ``<p>`` content: cleaned, escaped, lines joined with ``<br/>``."""
    if is_clean_line(text):
        return escape(text) if "&" in text or "<" in text or ">" in text else text
    return escape("\n".join(text_lines(text))).replace("\n", "<br/>")


def language_tag(language: str | None) -> str:
    """``language`` when it is a well-formed tag, else ``und``."""
    if language and _LANGUAGE_TAG.fullmatch(language):
        return language
    return "und"


def dumps(transcript: Transcript, options: TtmlOptions) -> str:
    return "".join(dumps_chunks(transcript, options))


#: Paragraphs joined into one string at a time: a million small strings never wait in a
#: list for one final join (the document would then be in memory twice).
BATCH = 8192


def dumps_chunks(transcript: Transcript, options: TtmlOptions) -> list[str]:
    """The document as a few large strings, in order (``dumps`` joins them)."""
    stamp = clock_formatter(".")
    agents: dict[str, str] = {}  # speaker as given -> ' ttm:agent="speakerN"'
    agent_lines: list[str] = []
    for speaker in transcript.speakers:
        name = clean_speaker(speaker)
        if name is None:
            continue
        agent_id = f"speaker{len(agent_lines) + 1}"
        agents[speaker] = f' ttm:agent="{agent_id}"'
        agent_lines.append(
            f'      <ttm:agent xml:id="{agent_id}" type="person">'
            f'<ttm:name type="full">{escape(name)}</ttm:name></ttm:agent>\n'
        )

    chunks: list[str] = []
    paragraphs: list[str] = []
    append = paragraphs.append
    number = 0
    for cue in transcript.cues:
        text = cue.text
        if text.isprintable() and text and not text[0].isspace() and not text[-1].isspace():
            if "&" in text or "<" in text or ">" in text:
                text = escape(text)
        else:
            text = ttml_text(text)
            if not text:
                continue
        if not number % BATCH and paragraphs:
            chunks.append("".join(paragraphs))
            paragraphs.clear()
        number += 1
        if cue.voices:
            # One span per voice, each naming its own speaker; the p names no one.
            spans = "<br/>".join(
                f'<span style="text"{agents.get(v.speaker, "") if v.speaker is not None else ""}>'
                f"{line}</span>"
                for v in cue.voices if (line := ttml_text(v.text)))
            append(f'      <p xml:id="sub{number}" begin="{stamp(cue.start_ms)}" '
                   f'end="{stamp(cue.end_ms)}">{spans}</p>\n')
            continue
        agent = agents.get(cue.speaker, "") if cue.speaker is not None else ""
        append(
            f'      <p xml:id="sub{number}" begin="{stamp(cue.start_ms)}" '
            f'end="{stamp(cue.end_ms)}"{agent}><span style="text">{text}</span></p>\n'
        )

    o = options
    # Namespaces and attributes the optional settings need, declared only when used.
    extra_ns = ""
    block_extra = ""
    if o.line_height is not None:
        block_extra += f' tts:lineHeight="{escape_attribute(o.line_height)}"'
    if o.line_padding is not None:
        extra_ns += f' xmlns:ebutts="{NS_EBUTTS}"'
        block_extra += f' ebutts:linePadding="{escape_attribute(o.line_padding)}"'
    if o.fill_line_gap:
        extra_ns += f' xmlns:itts="{NS_ITTS}"'
        block_extra += ' itts:fillLineGap="true"'
    tt_extra = ""
    if o.active_area is not None:
        extra_ns += f' xmlns:ittp="{NS_ITTP}"'
        tt_extra = f' ittp:activeArea="{escape_attribute(o.active_area)}"'
    region_extra = f' tts:overflow="{o.region_overflow}"' if o.region_overflow is not None else ""
    # EBU-TT-D puts ttm:copyright first in the head, before <metadata>.
    copyright_line = (f"    <ttm:copyright>{escape(o.copyright)}</ttm:copyright>\n"
                      if o.copyright is not None else "")
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tt xmlns="http://www.w3.org/ns/ttml"'
        ' xmlns:ttp="http://www.w3.org/ns/ttml#parameter"'
        ' xmlns:tts="http://www.w3.org/ns/ttml#styling"'
        ' xmlns:ttm="http://www.w3.org/ns/ttml#metadata"'
        ' xmlns:ebuttm="urn:ebu:tt:metadata"'
        f'{extra_ns}'
        f' ttp:timeBase="media" ttp:cellResolution="{o.cell_columns} {o.cell_rows}"{tt_extra}'
        f' xml:lang="{language_tag(transcript.language)}">\n'
        "  <head>\n"
        f"{copyright_line}"
        "    <metadata>\n"
        "      <ebuttm:documentMetadata>\n"
        f"        <ebuttm:conformsToStandard>{EBU_TT_D}</ebuttm:conformsToStandard>\n"
        f"        <ebuttm:conformsToStandard>{IMSC1_TEXT}</ebuttm:conformsToStandard>\n"
        "      </ebuttm:documentMetadata>\n"
        f"{''.join(agent_lines)}"
        "    </metadata>\n"
        "    <styling>\n"
        '      <style xml:id="block"'
        f' tts:fontFamily="{escape_attribute(o.font_family)}"'
        f' tts:fontSize="{escape_attribute(o.font_size)}"'
        f' tts:textAlign="{escape_attribute(o.text_align)}"{block_extra}/>\n'
        '      <style xml:id="text"'
        f' tts:color="{escape_attribute(o.color)}"'
        f' tts:backgroundColor="{escape_attribute(o.background_color)}"/>\n'
        "    </styling>\n"
        "    <layout>\n"
        '      <region xml:id="bottom"'
        f' tts:origin="{escape_attribute(o.region_origin)}"'
        f' tts:extent="{escape_attribute(o.region_extent)}"'
        f' tts:displayAlign="after"{region_extra}/>\n'
        "    </layout>\n"
        "  </head>\n"
    )
    if not number:
        return [head + "</tt>\n"]
    chunks.append("".join(paragraphs))
    body = '  <body>\n    <div region="bottom" style="block">\n'
    return [head, body, *chunks, "    </div>\n  </body>\n</tt>\n"]


