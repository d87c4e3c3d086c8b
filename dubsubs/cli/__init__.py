"""The ``dubsubs`` command. Each sub-command lives in its own module; this one only
assembles them. The CLI parses options and prints; the library does the work."""

from __future__ import annotations

import click

from .. import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="dubsubs")
def main() -> None:
    """Turn Camb.ai dubbing results into subtitles that play next to the dubbed media."""


def _register() -> None:
    from .altformat import alt_format
    from .check import check_command
    from .convert import convert
    from .fetch import fetch
    from .review import review
    from .sandbox import sandbox
    from .tts import tts

    for command in (convert, check_command, fetch, review, alt_format, tts, sandbox):
        main.add_command(command)


_register()
