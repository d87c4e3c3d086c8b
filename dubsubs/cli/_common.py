"""Pieces shared by the sub-commands: format lists, error lines, verbosity."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ..errors import ConfigurationError, DubsubsError, OptionError
from ..formats import WRITER_SETTINGS, ReadOptions, default_formats, writable
from ..wording import printable


def parse_formats(_ctx: click.Context | None, _param: click.Parameter | None,
                  value: str | None) -> list[str]:
    """``-f srt,vtt`` -> ``["srt", "vtt"]``; the default formats when not given."""
    if value is None:
        return default_formats()
    formats: list[str] = []
    for name in (part.strip().lower() for part in value.split(",")):
        if not name:
            continue
        if name not in writable():
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(writable())}")
        if name not in formats:
            formats.append(name)
    if not formats:
        raise click.BadParameter("no format given")
    return formats


def formats_option(function: Any) -> Any:
    return click.option(
        "-f", "--formats", "formats", callback=parse_formats, metavar="LIST",
        help=f"Comma-separated output formats: {','.join(writable())} "
             f"(default: {','.join(default_formats())}).",
    )(function)


def units_option(function: Any) -> Any:
    return click.option(
        "--units", type=click.Choice(["auto", "s", "ms"]), default="auto", show_default=True,
        help="Unit of the transcript's start/end numbers; auto decides from evidence.",
    )(function)


def _read_options(_ctx: click.Context | None, _param: click.Parameter | None,
                  value: str | None) -> ReadOptions:
    try:
        return ReadOptions(encoding=value)
    except OptionError as error:
        raise click.BadParameter(str(error)) from None


def encoding_option(function: Any) -> Any:
    """``--encoding NAME``: the command receives ``read_options`` (a ReadOptions)."""
    return click.option(
        "--encoding", "read_options", callback=_read_options, metavar="NAME",
        help="Code page of input text files that have no byte-order mark (e.g. cp1252, "
             "latin-1, shift_jis); default UTF-8. A byte-order mark always wins.",
    )(function)


F = TypeVar("F", bound=Callable[..., Any])


def _remember_setting(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if param.name is not None:
        ctx.meta.setdefault(_SETTINGS_KEY, {})[param.name.removeprefix("setting_")] = value
    return value


_SETTINGS_KEY = "dubsubs.writer_settings"


def writer_settings_options(*, per_input: bool) -> Callable[[F], F]:
    """One option per registered writer setting (``--script-type``, ``--language``...),
    each passed to the formats that take it: the command reads them with
    :func:`writer_settings`. ``per_input=False`` leaves out those that describe one input
    (``--source``), for commands that handle many runs."""

    def decorate(function: F) -> F:
        for entry in reversed(list(WRITER_SETTINGS.values())):
            if entry.per_input and not per_input:
                continue
            kind: Any = (click.Choice(entry.choices) if entry.choices
                         else click.Path(dir_okay=False, exists=True) if entry.transcript else str)
            function = click.option(entry.flag, f"setting_{entry.name}", type=kind, metavar=entry.metavar,
                                    help=entry.help, expose_value=False, callback=_remember_setting)(function)
        return function

    return decorate


def writer_settings() -> dict[str, Any]:
    """The writer settings given on this command line (``None``: not given)."""
    return dict(click.get_current_context().meta.get(_SETTINGS_KEY, {}))


def error_line(message: str) -> None:
    """One line on stderr, never a traceback; control characters shown escaped."""
    click.secho(f"error: {printable(message)}", fg="red", err=True)


@contextlib.contextmanager
def errors_exit() -> Iterator[None]:
    """A dubsubs error ends the command with one line: exit 2 for configuration (no key,
    bad base URL), 1 for everything else."""
    try:
        yield
    except ConfigurationError as error:
        error_line(str(error))
        raise SystemExit(2) from None
    except DubsubsError as error:
        error_line(str(error))
        raise SystemExit(1) from None
