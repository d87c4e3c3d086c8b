"""dubsubs: Camb.ai dubbing results to subtitles.

The library in five calls::

    import dubsubs
    raw = dubsubs.load("episode3.json")[0]          # or a decoded dub result dict
    transcript, report = dubsubs.normalize(raw)      # units decided, repairs made
    print(report.summary())
    vtt = dubsubs.export(transcript, "vtt")          # text; no file written
    stl = dubsubs.export_bytes(transcript, "stl")    # any format as its file's bytes
    dubsubs.write_outputs(transcript, "out", "episode3", ["srt", "vtt"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DubsubsError, InputError, OptionError
from .formats import FORMATS, ReadOptions, export, export_bytes, get_format, load, read_file
from .model import Cue, RawItem, RawTranscript, Transcript, UnitsDecision, Voice
from .normalize import Report, normalize
from .pipeline import check_file, convert_raw, write_outputs

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
