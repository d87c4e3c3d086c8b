"""dubsubs: Camb.ai dubbing results to subtitles.

The library in five calls::

    import dubsubs
    raw = dubsubs.load("episode3.json")[0]          # or a decoded dub result dict
    transcript, report = dubsubs.normalize(raw)      # units decided, repairs made
    print(report.summary())
    vtt = dubsubs.export(transcript, "vtt")          # text; no file written
    stl = dubsubs.export_bytes(transcript, "stl")    # any format as its file's bytes
    dubsubs.write_outputs(transcript, "out", "episode3", ["srt", "vtt"])

The names below are loaded on first use (PEP 562), so ``import dubsubs`` is cheap and a
command that needs only the SRT writer does not load every format, the style rules and
the HTTP side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "DubsubsError": "errors",
    "InputError": "errors",
    "OptionError": "errors",
    "FORMATS": "formats",
    "ReadOptions": "formats",
    "export": "formats",
    "export_bytes": "formats",
    "get_format": "formats",
    "load": "formats",
    "read_file": "formats",
    "Cue": "model",
    "RawItem": "model",
    "RawTranscript": "model",
    "Transcript": "model",
    "UnitsDecision": "model",
    "Voice": "model",
    "Report": "normalize",
    "check_file": "pipeline",
    "convert_raw": "pipeline",
    "write_outputs": "pipeline",
}

if TYPE_CHECKING:
    from .errors import DubsubsError, InputError, OptionError
    from .formats import FORMATS, ReadOptions, export, export_bytes, get_format, load, read_file
    from .model import Cue, RawItem, RawTranscript, Transcript, UnitsDecision, Voice
    from .normalize import Report
    from .pipeline import check_file, convert_raw, write_outputs


# Loaded now, not on first use: ``dubsubs.normalize`` names both this function and its
# module, and importing the module from anywhere would set the package attribute to the
# module, hiding a lazily loaded function.
from .normalize import normalize  # noqa: E402

__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "FORMATS",
    "Cue",
    "DubsubsError",
    "InputError",
    "OptionError",
    "RawItem",
    "RawTranscript",
    "ReadOptions",
    "Report",
    "Transcript",
    "UnitsDecision",
    "Voice",
    "__version__",
    "check_file",
    "convert_raw",
    "export",
    "export_bytes",
    "get_format",
    "load",
    "normalize",
    "read_file",
    "write_outputs",
]
