"""dubsubs: Camb.ai dubbing results to subtitles.

The library in five calls::

    import dubsubs
    raw = dubsubs.load("episode3.json")[0]          # or a decoded dub result dict
    transcript, report = dubsubs.normalize(raw)      # units decided, repairs made
    print(report.summary())
    vtt = dubsubs.export(transcript, "vtt")          # text; no file written
    dubsubs.write_outputs(transcript, "out", "episode3", ["srt", "vtt"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import DubsubsError, InputError, OptionError
from .exporters import EXPORTERS, export, get_exporter
from .model import Cue, Transcript, UnitsDecision
from .normalize import Report, normalize
from .parse import RawItem, RawTranscript, load, read_file
from .pipeline import convert_raw, write_outputs

__all__ = [
    "EXPORTERS",
    "Cue",
    "DubsubsError",
    "InputError",
    "OptionError",
    "RawItem",
    "RawTranscript",
    "Report",
    "Transcript",
    "UnitsDecision",
    "__version__",
    "convert_raw",
    "export",
    "get_exporter",
    "load",
    "normalize",
    "read_file",
    "write_outputs",
]
