"""The transcript model: frozen dataclasses, integer milliseconds, no knowledge of formats.

Two layers:

- what a reader found, before the timing unit is known: :class:`RawItem` (numbers in the
  source's own unit) grouped in :class:`RawTranscript`;
- what everything downstream of the normaliser works on: :class:`Cue` and
  :class:`Transcript`. Times are whole milliseconds (``int``) so that arithmetic is exact
  and every format can render them without rounding surprises; formats turn them into
  text, the model never does.

A cue spoken by several people holds one :class:`Voice` per speaker, in order
(``Cue.voices``); its ``text`` is their texts joined by line breaks and its ``speaker`` is
``None``. So a writer that knows no speakers still writes every word, and a writer that
knows them credits each word to its own speaker.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Unit = Literal["s", "ms"]

#: Upper bound for any time in the model: 100 days. Anything later is corrupt input.
MAX_MS = 100 * 24 * 3600 * 1000


def _check_ms(name: str, value: object) -> None:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int of milliseconds, got {type(value).__name__}")
    if value < 0 or value > MAX_MS:
        raise ValueError(f"{name} out of range: {value} ms")


@dataclass(frozen=True, slots=True)
class Voice:
    """The words of one speaker inside a cue that several people speak."""

    speaker: str | None
    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"voice text must be str, got {type(self.text).__name__}")
        if self.speaker is not None and not isinstance(self.speaker, str):
            raise TypeError(f"voice speaker must be str or None, got {type(self.speaker).__name__}")


def join_voices(voices: tuple[Voice, ...]) -> str:
    """The text of a cue made of ``voices``: one voice per line, in order."""
    return "\n".join(voice.text for voice in voices)


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed piece of text. ``start_ms <= end_ms``; speaker is ``None`` when unknown.

    ``voices`` is empty for a cue with one speaker (or none known). A cue with two or more
    voices has ``speaker=None`` and ``text == join_voices(voices)``: checked here, so no
    cue can credit its words to a speaker who did not say them.
    """

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None
    voices: tuple[Voice, ...] = ()

    def __post_init__(self) -> None:
        start, end, speaker = self.start_ms, self.end_ms, self.speaker
        if (type(start) is int and type(end) is int and 0 <= start <= end <= MAX_MS
                and type(self.text) is str and not self.voices
                and (speaker is None or type(speaker) is str)):
            return  # the common case, checked at once; anything else gets a precise error
        _check_ms("start_ms", self.start_ms)
        _check_ms("end_ms", self.end_ms)
        if self.end_ms < self.start_ms:
            raise ValueError(f"cue ends before it starts: {self.start_ms} > {self.end_ms} ms")
        if not isinstance(self.text, str):
            raise TypeError(f"text must be str, got {type(self.text).__name__}")
        if self.speaker is not None and not isinstance(self.speaker, str):
            raise TypeError(f"speaker must be str or None, got {type(self.speaker).__name__}")
        if self.voices:
            if not isinstance(self.voices, tuple) or not all(isinstance(v, Voice) for v in self.voices):
                raise TypeError("voices must be a tuple of Voice")
            if len(self.voices) < 2:
                raise ValueError("a cue with one voice is a cue with a speaker: use speaker=")
            if self.speaker is not None:
                raise ValueError("a cue with several voices has no single speaker")
            if self.text != join_voices(self.voices):
                raise ValueError("a cue's text must be its voices' texts, one per line")

    @classmethod
    def _unchecked(cls, start_ms: int, end_ms: int, text: str, speaker: str | None,
                   voices: tuple[Voice, ...]) -> Cue:
        """A cue built without the checks, for the normaliser, which has established every
        invariant itself (ints in range, in order, text of its voices) for millions of
        cues. Setting the slots directly skips the frozen dataclass's per-field guard."""
        cue = _new(cls)
        _set_start(cue, start_ms)
        _set_end(cue, end_ms)
        _set_text(cue, text)
        _set_speaker(cue, speaker)
        _set_voices(cue, voices)
        return cue

    @classmethod
    def spoken(cls, start_ms: int, end_ms: int, voices: tuple[Voice, ...]) -> Cue:
        """A cue from its voices: one voice gives a plain cue with that speaker."""
        if len(voices) == 1:
            return cls(start_ms, end_ms, voices[0].text, voices[0].speaker)
        return cls(start_ms, end_ms, join_voices(voices), None, voices)

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct named speakers of this cue, in order."""
        if not self.voices:
            return (self.speaker,) if self.speaker is not None else ()
        return tuple(dict.fromkeys(v.speaker for v in self.voices if v.speaker is not None))

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


_new = object.__new__
# The slots' own setters (member descriptors), which the frozen guard does not go through.
_set_start, _set_end, _set_text, _set_speaker, _set_voices = (
    Cue.__dict__[name].__set__ for name in ("start_ms", "end_ms", "text", "speaker", "voices"))


@dataclass(frozen=True, slots=True)
class UnitsDecision:
    """How the source's numbers were read: as seconds or milliseconds, and why.

    ``method`` is ``"auto"`` (decided from evidence), ``"given"`` (the caller said so) or
    ``"format"`` (the source format carries real timestamps, e.g. SRT).
    """

    unit: Unit
    method: Literal["auto", "given", "format"]
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if self.unit not in ("s", "ms"):
            raise ValueError(f"unit must be 's' or 'ms', got {self.unit!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within [0, 1], got {self.confidence}")


_START = operator.attrgetter("start_ms")


#: ``daptm:onScreen`` values: where the subject of a script event is (DAPT).
ON_SCREEN = ("ON", "OFF", "ON_OFF", "OFF_ON")
#: ``daptm:scriptType`` values (DAPT).
SCRIPT_TYPES = ("originalTranscript", "translatedTranscript", "preRecording", "asRecorded")


@dataclass(frozen=True, slots=True)
class ScriptEvent:
    """What a dubbing script says of one event beyond its time, speaker and text: its
    identifier, where its subject is (``on_screen``, one of :data:`ON_SCREEN`) and what it
    represents (``represents``, a DAPT content descriptor such as ``audio.dialogue``).
    Each is ``None`` when the script does not say."""

    id: str | None = None
    on_screen: str | None = None
    represents: str | None = None

    def __post_init__(self) -> None:
        for name in ("id", "represents"):
            value = getattr(self, name)
            if value is not None and (type(value) is not str or not value):
                raise TypeError(f"script event {name} must be a non-empty str or None, got {value!r}")
        if self.on_screen is not None and self.on_screen not in ON_SCREEN:
            raise ValueError(f"script event on_screen must be one of {', '.join(ON_SCREEN)}, "
                             f"got {self.on_screen!r}")


@dataclass(frozen=True, slots=True)
class Script:
    """A transcript's dubbing-script facts (from DAPT): the script type (one of
    :data:`SCRIPT_TYPES`), what the script represents (``audio.dialogue``...), the language
    its text was translated from (``lang_src``) and one :class:`ScriptEvent` (or ``None``)
    per dialogue item: per item of ``Transcript.dialogue`` when it is kept, else per cue."""

    events: tuple[ScriptEvent | None, ...]
    script_type: str | None = None
    represents: str | None = None
    lang_src: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.events, tuple) or not all(
                event is None or isinstance(event, ScriptEvent) for event in self.events):
            raise TypeError("script events must be a tuple of ScriptEvent or None")
        if self.script_type is not None and self.script_type not in SCRIPT_TYPES:
            raise ValueError(f"script type must be one of {', '.join(SCRIPT_TYPES)}, "
                             f"got {self.script_type!r}")
        for name in ("represents", "lang_src"):
            value = getattr(self, name)
            if value is not None and type(value) is not str:
                raise TypeError(f"script {name} must be a str or None, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Transcript:
    """Cues ordered by start time, with what is known of their origin.

    ``language`` is a BCP-47 tag (``"es-ES"``) when known. ``dialogue`` keeps the
    unsegmented original items when cues were split for a delivery spec, so that nothing of
    the source is lost. ``script`` holds what a dubbing script (DAPT) says beyond the cues,
    one event per dialogue item (``dialogue`` when kept, else ``cues``): checked here.
    """

    cues: tuple[Cue, ...]
    run_id: str | None = None
    language: str | None = None
    units: UnitsDecision | None = None
    dialogue: tuple[Cue, ...] | None = field(default=None)
    script: Script | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.cues, tuple):
            if isinstance(self.cues, str | bytes) or not isinstance(self.cues, Iterable):
                raise TypeError(f"cues must be a sequence of Cue, got {type(self.cues).__name__}")
            object.__setattr__(self, "cues", tuple(self.cues))
        cues = self.cues
        # Checked with map() in C first (a million cues is common); the loop below only
        # runs to say which cue is wrong.
        if not set(map(type, cues)) <= {Cue}:
            for index, cue in enumerate(cues):
                if not isinstance(cue, Cue):
                    raise TypeError(f"cues[{index}] is {type(cue).__name__}, not Cue")
        starts = list(map(_START, cues))
        if not all(map(operator.le, starts, itertools.islice(starts, 1, None))):
            for index in range(1, len(starts)):
                if starts[index] < starts[index - 1]:
                    raise ValueError(f"cues[{index}] starts before cues[{index - 1}]: not sorted")
        if self.dialogue is not None and not isinstance(self.dialogue, tuple):
            object.__setattr__(self, "dialogue", tuple(self.dialogue))
        if self.script is not None:
            if not isinstance(self.script, Script):
                raise TypeError(f"script must be a Script or None, got {type(self.script).__name__}")
            items = self.dialogue if self.dialogue is not None else self.cues
            if len(self.script.events) != len(items):
                raise ValueError(f"script has {len(self.script.events)} events for "
                                 f"{len(items)} dialogue items")

    def __len__(self) -> int:
        return len(self.cues)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for cue in self.cues:
            if cue.speaker is not None:
                if cue.speaker not in seen:
                    seen[cue.speaker] = None
            elif cue.voices:
                for voice in cue.voices:
                    if voice.speaker is not None and voice.speaker not in seen:
                        seen[voice.speaker] = None
        return tuple(seen)

    @property
    def duration_ms(self) -> int:
        return max((cue.end_ms for cue in self.cues), default=0)


# --------------------------------------------------------------------------- raw input


class RawItem(NamedTuple):
    """One DialogueItem or cue as it came in: numbers in the source's own unit.

    ``voices`` holds the speakers of a cue that several people speak (see :class:`Cue`);
    then ``speaker`` is ``None`` and ``text`` is the voices' texts joined by line breaks.
    A named tuple, not a dataclass: readers build one per item of inputs with millions of
    items, and a tuple is built in half the time.
    """

    start: float
    end: float
    text: str
    speaker: str | None
    # Position in the source list, for reports and messages. (It hides tuple.index, which
    # nothing calls on an item.)
    index: int  # type: ignore[assignment]
    voices: tuple[Voice, ...] = ()


@dataclass(frozen=True)
class RawTranscript:
    """One transcript found in an input: a run, or one language of a run.

    ``where`` is the JSON path of the item list (``"41707.transcript"``); ``key`` names the
    transcript inside a file that holds several (``("41707", "es-ES")``), and is empty for a
    file that holds one. ``units`` is fixed by the format (SRT, VTT, TTML and our own JSON
    carry real times) or ``None`` when the normaliser has to decide. ``extra`` carries what
    a format knows beyond the model (kept in dubsubs' JSON). ``warnings`` says what the
    reader skipped, as the format's own rules told it to (``line 12: cue dropped: ...``);
    the normaliser's report repeats them, so nothing is left out silently.
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
    warnings: tuple[str, ...] = ()

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
