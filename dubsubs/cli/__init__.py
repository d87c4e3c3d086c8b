"""The ``dubsubs`` command. Each sub-command lives in its own module; this one only
assembles them. The CLI parses options and prints; the library does the work.

Sub-commands are imported when they are run (or when ``--help`` lists them), so
``dubsubs convert`` loads neither the HTTP side nor the review page.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from .. import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: Command name -> "module:attribute", in the order ``--help`` lists them.
COMMANDS = {
    "convert": "convert:convert",
    "check": "check:check_command",
    "fetch": "fetch:fetch",
    "review": "review:review",
    "alt-format": "altformat:alt_format",
    "tts": "tts:tts",
    "sandbox": "sandbox:sandbox",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(f".{module_name}", __name__), attribute)
        return command  # type: ignore[no-any-return]


@click.group(cls=_LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="dubsubs")
def main() -> None:
    """Turn Camb.ai dubbing results into subtitles that play next to the dubbed media."""
