"""What an exporter is: a name, a file extension, an options dataclass and a pure
``dumps(transcript, options) -> str``. No file I/O here; ``dubsubs.output`` writes files."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import OptionError
from ..model import Transcript

OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True)
class Exporter(Generic[OptionsT]):
    name: str  # "srt", "vtt", "ttml", "json"
    extension: str  # ".srt"
    options_type: type[OptionsT]
    dumps: Callable[[Transcript, OptionsT], str]
    description: str = ""

    def options(self, **values: Any) -> OptionsT:
        """Build this exporter's options, rejecting names it does not have."""
        known = {f.name for f in dataclasses.fields(self.options_type)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise OptionError(
                f"{self.name} export has no option {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
        return self.options_type(**values)

    def render(self, transcript: Transcript, options: OptionsT | None = None, **values: Any) -> str:
        if options is None:
            options = self.options(**values)
        elif values:
            options = dataclasses.replace(options, **values)  # type: ignore[type-var]
        return self.dumps(transcript, options)
