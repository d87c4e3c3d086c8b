"""Options shared by the commands that talk to the API: key, base URL, the sandbox."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..camb.api import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_DEADLINE, DEFAULT_MEDIA_MIN_RATE
from ..camb.redact import redacted_logging
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ..camb.client import CambClient

F = TypeVar("F", bound=Callable[..., Any])

NO_KEY = (
    f"no API key: set {API_KEY_ENV} (export {API_KEY_ENV}=...) or pass --api-key; "
    "--sandbox runs against a local sandbox without one"
)


def _deadline(_ctx: click.Context | None, _param: click.Parameter | None,
              value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"must be a positive number of seconds, got {value:g}")
    return value


def api_options(function: F) -> F:
    """``--api-key``, ``--base-url``, ``--sandbox`` and ``--deadline``."""
    function = click.option(
        "--deadline", type=float, default=DEFAULT_DEADLINE, show_default=True,
        callback=_deadline, metavar="SECONDS",
        help="Longest an API call may take, retries included (a server that drips its "
             "answer is cut). Media then has the same grace and must average at least "
             f"{DEFAULT_MEDIA_MIN_RATE // 1024} KiB/s: a file may take SECONDS + size / "
             f"{DEFAULT_MEDIA_MIN_RATE // 1024} KiB/s.",
    )(function)
    function = click.option(
        "--sandbox", is_flag=True,
        help="Start the built-in sandbox API on 127.0.0.1 and use it: no key, no network.",
    )(function)
    function = click.option(
        "--base-url", metavar="URL", default=None,
        help=f"API base URL [env {BASE_URL_ENV}; default {DEFAULT_BASE_URL}].",
    )(function)
    function = click.option(
        "--api-key", metavar="KEY", default=None,
        help=f"Camb.ai API key [env {API_KEY_ENV}]. Prefer the variable: "
        "a key on the command line lands in shell history.",
    )(function)
    return function


@contextlib.contextmanager
def open_client(api_key: str | None, base_url: str | None, sandbox: bool,
                deadline: float = DEFAULT_DEADLINE) -> Iterator[CambClient]:
    """A client on the real API, or on a sandbox started for the duration of the block."""
    from ..camb.client import CambClient  # here, not at the top: requests is slow to import

    if sandbox:
        from ..camb.sandbox import Sandbox

        with Sandbox() as server, CambClient(server.api_key, server.url, deadline=deadline) as client, \
                redacted_logging(client.redact):
            yield client
        return
    key = api_key or os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise ConfigurationError(NO_KEY)
    url = base_url or os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base URL {url!r} must start with http:// or https://")
    with CambClient(key, url, deadline=deadline) as client, redacted_logging(client.redact):
        yield client
