"""What a format is: a name, its file suffixes, a sniffer, a reader and a writer.

- A **reader** turns a file's bytes into raw transcripts: ``read(data, source, options)``
  yields :class:`~dubsubs.model.RawTranscript` objects, and a broken part of a file that
  holds several (a run of a bulk result) as its :class:`~dubsubs.errors.InputError`, so
  the other parts still come through. An error for the whole file is raised.
- A **writer** is a pure ``dumps(transcript, options) -> str`` with a frozen dataclass of
  options; :meth:`Format.options` rejects a misspelt option by name. A binary format
  (EBU STL) has ``dumps_bytes(transcript, options) -> bytes`` instead; every format
  renders to bytes with :meth:`Format.render_bytes` (text as UTF-8). Files are written from
  :meth:`Format.render_parts`: the writer's own text, chunks or bytes, with its notes.

No file I/O here: paths are handled once, in :mod:`dubsubs.formats` (reading) and
:mod:`dubsubs.output` (writing). Text decoding is shared by the text formats through
:func:`decode_text`, so a byte-order mark and ``--encoding`` mean the same everywhere.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import InputError, OptionError
from ..model import RawTranscript, Transcript

OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a file. ``encoding`` is the code page of a text file that has no
    byte-order mark (``cp1252``, ``latin-1``, ``shift_jis``...); without one, such a file
    must be UTF-8. A byte-order mark always names the encoding of its own file."""

    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.encoding is not None:
            if not isinstance(self.encoding, str):
                raise TypeError(f"encoding must be a str or None, got {type(self.encoding).__name__}")
            try:
                info = codecs.lookup(self.encoding)
            except LookupError:
                raise OptionError(f"unknown encoding {self.encoding!r}") from None
            if not _is_text_codec(info):
                raise OptionError(f"{self.encoding!r} is not a text encoding")


def _is_text_codec(info: codecs.CodecInfo) -> bool:
    # rot13, base64, zlib... are codecs too, but do not turn bytes into text.
    return getattr(info, "_is_text_encoding", True) is not False


DEFAULT_READ = ReadOptions()

Reader = Callable[[bytes, str, ReadOptions], Iterator["RawTranscript | InputError"]]


@dataclass(frozen=True)
class Format(Generic[OptionsT]):
    """One subtitle or script format.

    ``suffixes`` are the file name endings it owns, lower case; the first is the one it
    writes. ``sniff`` looks at the first bytes of a file whose name says nothing.
    ``default`` formats are written when no ``-f`` list is given. A binary format gives
    ``dumps_bytes`` and no ``dumps``: :meth:`render` (text) refuses it, :meth:`render_bytes`
    serves every format.
    """

    name: str
    suffixes: tuple[str, ...]
    description: str
    options_type: type[OptionsT] | None = None
    dumps: Callable[[Transcript, OptionsT], str] | None = None
    read: Reader | None = None
    sniff: Callable[[bytes], bool] | None = None
    default: bool = False
    dumps_bytes: Callable[[Transcript, OptionsT], bytes] | None = None
    #: For writers that must change what they write (a character the format cannot
    #: carry, a caption that cannot load in time): the file and one line per change, so
    #: the pipeline can report them. ``dumps``/``dumps_bytes`` give the same file alone.
    encode: Callable[[Transcript, OptionsT], tuple[str | bytes, tuple[str, ...]]] | None = None
    #: For writers of documents that can run to hundreds of MB (TTML, JSON): the same text
    #: as ``dumps``, as a list of large strings to write one after another.
    dumps_chunks: Callable[[Transcript, OptionsT], list[str]] | None = None

    @property
    def extension(self) -> str:
        return self.suffixes[0]

    @property
    def writable(self) -> bool:
        return self.dumps is not None or self.dumps_bytes is not None

    @property
    def binary(self) -> bool:
        """Written as bytes that are not text (see :meth:`render_bytes`)."""
        return self.dumps is None and self.dumps_bytes is not None

    @property
    def readable(self) -> bool:
        return self.read is not None

    def options(self, **values: Any) -> OptionsT:
        """Build this format's writer options, rejecting names it does not have."""
        if self.options_type is None or not self.writable:
            raise OptionError(f"dubsubs cannot write {self.name}")
        known = {f.name for f in dataclasses.fields(self.options_type)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise OptionError(
                f"{self.name} export has no option {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
        for field in dataclasses.fields(self.options_type):  # type: ignore[arg-type]
            given = values.get(field.name)
            if field.name in values and isinstance(field.default, bool) and not isinstance(given, bool):
                raise OptionError(f"{self.name} option {field.name} must be True or False, got {given!r}")
        return self.options_type(**values)

    def render(self, transcript: Transcript, options: OptionsT | None = None, **values: Any) -> str:
        """The file as text; a binary format is an :class:`OptionError` (use
        :meth:`render_bytes`)."""
        if self.dumps is None:
            if self.dumps_bytes is not None:
                raise OptionError(f"{self.name} is a binary format: render it as bytes (export_bytes)")
            raise OptionError(f"dubsubs cannot write {self.name}")
        return self.dumps(transcript, self._resolve(transcript, options, values))

    def render_bytes(self, transcript: Transcript, options: OptionsT | None = None, **values: Any) -> bytes:
        """The file's bytes: a binary format's own, a text format's text as UTF-8."""
        if self.dumps_bytes is not None:
            return self.dumps_bytes(transcript, self._resolve(transcript, options, values))
        return self.render(transcript, options, **values).encode("utf-8")

    def render_file(self, transcript: Transcript, options: OptionsT | None = None,
                    **values: Any) -> tuple[str | bytes, tuple[str, ...]]:
        """The file as the writer makes it (text, or bytes for a binary format) and what
        the writer had to change to write it (empty for most formats)."""
        resolved = self._resolve(transcript, options, values)
        if self.encode is not None:
            return self.encode(transcript, resolved)
        if self.dumps is not None:
            return self.dumps(transcript, resolved), ()
        if self.dumps_bytes is not None:
            return self.dumps_bytes(transcript, resolved), ()
        raise OptionError(f"dubsubs cannot write {self.name}")

    def render_parts(self, transcript: Transcript, options: OptionsT | None = None,
                     **values: Any) -> tuple[str | bytes | list[str], tuple[str, ...]]:
        """:meth:`render_file`, but a long text document may come as a list of strings to
        write in order (:attr:`dumps_chunks`), so it is never joined in memory."""
        if self.dumps_chunks is not None and self.encode is None:
            return self.dumps_chunks(transcript, self._resolve(transcript, options, values)), ()
        return self.render_file(transcript, options, **values)

    def _resolve(self, transcript: Transcript, options: OptionsT | None, values: dict[str, Any]) -> OptionsT:
        if not isinstance(transcript, Transcript):
            raise TypeError(f"transcript must be a Transcript, got {type(transcript).__name__}")
        if options is None:
            return self.options(**values)
        if self.options_type is not None and not isinstance(options, self.options_type):
            raise TypeError(f"{self.name} options must be {self.options_type.__name__}, "
                            f"got {type(options).__name__}")
        if values:
            self.options(**values)  # the same checks as keywords alone
            options = dataclasses.replace(options, **values)  # type: ignore[type-var]
        return options


@dataclass(frozen=True, slots=True)
class WriterSetting:
    """A writer option that commands let the user set (``--script-type``): the field
    ``name`` of the options of every format being written that has a field of that name.
    ``transcript``: the value names a file, read into a transcript first (``--source``).
    ``per_input``: it describes one input, so ``convert`` offers it and ``fetch``, which
    writes many runs, does not."""

    name: str
    flag: str
    help: str
    metavar: str = "VALUE"
    choices: tuple[str, ...] = ()
    transcript: bool = False
    per_input: bool = False


# --------------------------------------------------------------------------- text decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark names, and the mark's length; ``None`` without one."""
    for mark, name in _BOMS:
        if data.startswith(mark):
            return name, len(mark)
    return None


def decode_text(data: bytes, source: str, options: ReadOptions = DEFAULT_READ) -> str:
    """A text file's bytes as text: by its byte-order mark, else ``options.encoding``,
    else UTF-8. Nothing is guessed: bytes that do not decode are an error naming the line
    and byte, and saying how to give the encoding."""
    found = bom_encoding(data)
    if found is not None:
        encoding, skip = found
        explained = encoding.upper()
    else:
        encoding, skip = options.encoding or "utf-8", 0
        explained = "UTF-8" if encoding == "utf-8" else encoding
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        at = skip + exc.start
        line = data[skip:at].decode(encoding, errors="replace").count("\n") + 1
        if found is not None:
            hint = "; its byte-order mark names that encoding"
        elif options.encoding:
            hint = ""
        else:
            hint = "; if the file is in a legacy code page, give it with --encoding (e.g. cp1252)"
        raise InputError(f"not {explained} text (line {line}, byte {at}){hint}",
                         source=source) from None
