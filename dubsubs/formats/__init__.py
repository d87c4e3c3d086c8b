"""Every format dubsubs reads or writes, in one registry.

A format is one module (or a package, for TTML) holding its reader and its writer side by
side, described by one :class:`~dubsubs.formats.base.Format` (its ``FORMAT``) and
registered with one :func:`declare` line at the bottom of this file, which names its
suffixes so that the module loads only when a file needs it. ``convert``, ``check``,
``fetch`` and the library find formats here and nowhere else: adding a format never edits
the CLI.

Reading a file: its format comes from its name (the longest registered suffix it ends
with), else from its first bytes (each format's ``sniff``, in registration order).
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DubsubsError, InputError, UnknownFormatError
from ..model import SCRIPT_TYPES, RawTranscript, Transcript
from .base import DEFAULT_READ, Format, ReadOptions, WriterSetting


@dataclass(frozen=True)
class _Entry:
    """What the registry knows of a format before its module is loaded."""

    name: str
    suffixes: tuple[str, ...]
    module: str
    default: bool
    reads: bool
    writes: bool


class _Registry(Mapping[str, "Format[Any]"]):
    """Format name -> :class:`Format`, each module imported when its format is first used:
    converting to SRT loads neither the SCC tables nor the STL code pages. The names,
    suffixes and flags are declared with the module (:func:`declare`) and checked against
    its ``FORMAT`` when it loads."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.loaded: dict[str, Format[Any]] = {}

    def __getitem__(self, name: str) -> Format[Any]:
        fmt = self.loaded.get(name)
        if fmt is None:
            entry = self.entries[name]  # KeyError for an unknown name, as a dict gives
            fmt = importlib.import_module(f".{entry.module}", __name__).FORMAT
            declared = (entry.name, entry.suffixes, entry.default, entry.reads, entry.writes)
            actual = (fmt.name, fmt.suffixes, fmt.default, fmt.readable, fmt.writable)
            if declared != actual:
                raise RuntimeError(f"format {name!r} is declared as {declared} but its module says {actual}")
            self.loaded[name] = fmt
        return fmt

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


FORMATS = _Registry()


def _check_free(name: str, suffixes: tuple[str, ...]) -> None:
    if name in FORMATS.entries:
        raise ValueError(f"format {name!r} is already registered")
    taken = {suffix: other.name for other in FORMATS.entries.values() for suffix in other.suffixes}
    for suffix in suffixes:
        if suffix in taken:
            raise ValueError(f"suffix {suffix!r} of {name!r} is already {taken[suffix]!r}'s")


def declare(name: str, *suffixes: str, module: str | None = None, default: bool = False,
            reads: bool = True, writes: bool = True) -> None:
    """Register the format in ``dubsubs.formats.<module>`` (default: ``name``) without
    loading it; the module's ``FORMAT`` must say the same."""
    _check_free(name, suffixes)
    FORMATS.entries[name] = _Entry(name, suffixes, module or name, default, reads, writes)


def register(fmt: Format[Any]) -> None:
    """Add an already built ``fmt`` (a format of your own); a name or suffix already taken
    is a programming error."""
    _check_free(fmt.name, fmt.suffixes)
    FORMATS.entries[fmt.name] = _Entry(fmt.name, fmt.suffixes, "", fmt.default, fmt.readable, fmt.writable)
    FORMATS.loaded[fmt.name] = fmt


def get_format(name: str) -> Format[Any]:
    """The format called ``name`` (``"srt"``, ``"vtt"``...), case-insensitive."""
    if not isinstance(name, str):
        raise TypeError(f"format name must be a str, got {type(name).__name__}")
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UnknownFormatError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None


def writable() -> list[str]:
    """Names of the formats dubsubs writes, in registry order."""
    return [name for name, entry in FORMATS.entries.items() if entry.writes]


def default_formats() -> list[str]:
    """The formats written when no list is given."""
    return [name for name, entry in FORMATS.entries.items() if entry.default and entry.writes]


def get_writer(name: str) -> Format[Any]:
    """A format dubsubs can write; one it only reads is an :class:`UnknownFormatError`."""
    fmt = get_format(name)
    if not fmt.writable:
        raise UnknownFormatError(f"dubsubs reads {fmt.name} but cannot write it; "
                                 f"choose from {', '.join(writable())}")
    return fmt


def export(transcript: Transcript, fmt: str, options: Any = None, **values: Any) -> str:
    """Render ``transcript`` as ``fmt`` (any name in :func:`writable`).

    Options come as the format's dataclass or as keywords; a misspelt keyword raises
    :class:`~dubsubs.errors.OptionError` instead of being ignored.
    """
    return get_writer(fmt).render(transcript, options, **values)


def export_bytes(transcript: Transcript, fmt: str, options: Any = None, **values: Any) -> bytes:
    """Render ``transcript`` as ``fmt`` to the bytes of its file: any writable format,
    binary ones (``stl``) included; text formats come as UTF-8."""
    return get_writer(fmt).render_bytes(transcript, options, **values)


#: Writer options a command line can set, by field name (see :class:`WriterSetting`).
WRITER_SETTINGS: dict[str, WriterSetting] = {}


def setting(name: str, flag: str, help: str, **details: Any) -> None:
    """Let commands set the writer option ``name`` with ``flag``: every format being written
    whose options have a field ``name`` gets the value. One line per setting, at the
    bottom of this file; no command changes when one is added."""
    if name in WRITER_SETTINGS:
        raise ValueError(f"writer setting {name!r} is already registered")
    WRITER_SETTINGS[name] = WriterSetting(name, flag, help, **details)


def formats_taking(name: str) -> list[str]:
    """The writable formats whose options have a field ``name`` (loads every writer)."""
    found = []
    for fmt in writable():
        options_type = FORMATS[fmt].options_type
        if options_type is not None and name in {f.name for f in dataclasses.fields(options_type)}:
            found.append(fmt)
    return found


# --------------------------------------------------------------------------- reading


def suffix_format(name: str) -> Format[Any] | None:
    """The readable format whose suffix ``name`` ends with (the longest that matches)."""
    lower = name.lower()
    best: tuple[int, str] | None = None
    for entry in FORMATS.entries.values():
        if not entry.reads:
            continue
        for suffix in entry.suffixes:
            if lower.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), entry.name)
    return FORMATS[best[1]] if best else None


def strip_suffix(name: str) -> str:
    """``name`` without the suffix its format owns: ``ep3.dapt.ttml`` gives ``ep3``."""
    fmt = suffix_format(name)
    if fmt is None:
        return name
    lower = name.lower()
    longest = max(len(s) for s in fmt.suffixes if lower.endswith(s))
    return name[:-longest] or name


def sniff(data: bytes, name: str) -> Format[Any]:
    """The format of a file: by its name, else by its first bytes."""
    by_name = suffix_format(name)
    if by_name is not None:
        return by_name
    head = data
    for mark in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(mark):
            head = head[len(mark):]
            break
    if head[:1] == b"\x00" or head[1:2] == b"\x00":  # UTF-16 text: look at its ASCII bytes
        head = head.replace(b"\x00", b"")
    # 2 kB: enough for a TTML root start tag with its namespaces, where DAPT names its
    # content profile.
    head = head.lstrip(b" \t\r\n")[:2048]
    for fmt in FORMATS.values():
        if fmt.readable and fmt.sniff is not None and fmt.sniff(head):
            return fmt
    readable = ", ".join(name for name, entry in FORMATS.entries.items() if entry.reads)
    raise UnknownFormatError(f"cannot tell the format from the name or the content; dubsubs reads {readable}",
                             source=name)


def iter_bytes(data: bytes, source: str, fmt: str | None = None,
               options: ReadOptions = DEFAULT_READ) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a file's bytes; a broken part of a file that holds several is
    yielded as its error, so the others still come through. An error for the whole file
    (empty, an unknown format) is raised at once."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    if type(data) is not bytes:
        data = bytes(data)
    if not data.strip():
        raise InputError("empty file", source=source)
    reader = get_format(fmt) if fmt is not None else sniff(data, source)
    if reader.read is None:
        raise UnknownFormatError(f"dubsubs writes {reader.name} but cannot read it", source=source)
    # Not a generator itself, so it keeps no reference to the bytes: a reader may let them
    # go once decoded (the JSON reader does, for inputs of hundreds of MB).
    return reader.read(data, source, options)


def iter_file(path: str | os.PathLike[str], options: ReadOptions = DEFAULT_READ,
              fmt: str | None = None) -> Iterator[RawTranscript | InputError]:
    """Every transcript in a file. The source is named by the path as given."""
    source = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    parts = iter_bytes(data, source, fmt, options)
    del data  # the reader holds the only reference now
    yield from parts


def read_parts(path: str | os.PathLike[str], options: ReadOptions = DEFAULT_READ,
               fmt: str | None = None) -> list[RawTranscript | DubsubsError]:
    """Every transcript in a file, each broken one as its error; a file that cannot be
    read at all gives its error alone. For commands that report and go on."""
    try:
        return list(iter_file(path, options, fmt))
    except DubsubsError as error:
        return [error]


def read_file(path: str | os.PathLike[str], options: ReadOptions = DEFAULT_READ,
              fmt: str | None = None) -> list[RawTranscript]:
    """All transcripts in a file of any readable format; raises on the first problem."""
    found: list[RawTranscript] = []
    for part in iter_file(path, options, fmt):
        if isinstance(part, InputError):
            raise part
        found.append(part)
    return found


def load(source_obj: Any, *, source: str | None = None,
         options: ReadOptions = DEFAULT_READ) -> list[RawTranscript]:
    """All transcripts in a file path, or in an already-decoded dub result (dict or list)."""
    if isinstance(source_obj, (str, os.PathLike)):
        return read_file(source_obj, options)
    if isinstance(source_obj, dict) and isinstance(source_obj.get("cues"), list):
        from .json_ import read_ours

        return [read_ours(source_obj, source or "<data>")]
    if isinstance(source_obj, (dict, list)):
        from ..camb.results import load as load_result

        return load_result(source_obj, source=source)
    raise TypeError(f"load() takes a path or a decoded dub result, got {type(source_obj).__name__}")


# The registry: one line per format, in the order -f lists them and sniffing tries them.
declare("srt", ".srt", default=True)
declare("vtt", ".vtt", ".webvtt", default=True)
declare("ttml", ".ttml", ".xml", ".dfxp", default=True)
declare("json", ".json", module="json_", default=True)
declare("ass", ".ass", ".ssa")
declare("scc", ".scc")
declare("stl", ".stl")
declare("dapt", ".dapt.ttml", module="dapt")

# Writer options commands can set: one line each.
setting("script_type", "--script-type", metavar="TYPE",
        choices=SCRIPT_TYPES,
        help="DAPT daptm:scriptType (default: asRecorded, a finished dub).")
setting("language", "--language", metavar="TAG",
        help="Language of transcripts that do not state one (BCP-47, e.g. fr), for DAPT's xml:lang.")
setting("source_language", "--source-language", metavar="TAG",
        help="Language the dub was translated from, for DAPT's daptm:langSrc (default: --source's).")
setting("source", "--source", metavar="FILE", transcript=True, per_input=True,
        help="The original-language transcript (any readable format): DAPT events carry its "
             "text beside the dub's, paired by time.")

__all__ = [
    "DEFAULT_READ",
    "FORMATS",
    "WRITER_SETTINGS",
    "Format",
    "ReadOptions",
    "WriterSetting",
    "declare",
    "default_formats",
    "export",
    "export_bytes",
    "formats_taking",
    "get_format",
    "get_writer",
    "iter_bytes",
    "iter_file",
    "load",
    "read_file",
    "read_parts",
    "register",
    "setting",
    "sniff",
    "strip_suffix",
    "suffix_format",
    "writable",
]
