"""Dubbed output in another file format: ask, wait for the task, download.

``POST /dub-alt-format/{run_id}/{language}`` answers with the file's URL when it exists
already, else with a task id to poll. A task can end in SUCCESS without a URL; asking again
then returns the cached one. Unknown statuses are treated as "not done yet" until the
deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, TaskError
from ..languages import Language, resolve
from ..wording import printable, shorten
from .api import ALT_FORMATS
from .client import CambClient
from .download import Downloaded, download

TERMINAL_FAILURES = ("ERROR", "TIMEOUT", "PAYMENT_REQUIRED")
#: The shortest wait between two status polls, in seconds.
MIN_POLL_INTERVAL = 0.5


@dataclass(frozen=True)
class PollPolicy:
    """Waits between status polls: ``initial`` seconds, times ``factor`` each poll, at most
    ``maximum``; give up after ``timeout`` seconds in all. ``sleep``/``clock`` injectable."""

    timeout: float = 600.0
    initial: float = 1.0
    factor: float = 1.5
    maximum: float = 15.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def __post_init__(self) -> None:
        # A zero interval sent 69 polls in 3 s: the waits never go below MIN_POLL_INTERVAL
        # and always grow.
        for name in ("timeout", "initial", "factor", "maximum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        object.__setattr__(self, "initial", max(MIN_POLL_INTERVAL, float(self.initial)))
        object.__setattr__(self, "factor", max(1.2, float(self.factor)))
        object.__setattr__(self, "maximum", max(self.initial, float(self.maximum)))


def alt_format_url(
    client: CambClient,
    run_id: int,
    language: Language,
    output_format: str,
    poll: PollPolicy | None = None,
    on_status: Callable[[str], None] | None = None,
) -> str:
    """The presigned URL of run ``run_id``'s dub in ``language`` as ``output_format``."""
    poll = poll or PollPolicy()
    what = f"run {run_id}"
    answer = client.alt_format(run_id, language.id, output_format)
    url = answer.get("output_url")
    if isinstance(url, str) and url:
        return url
    task_id = answer.get("task_id")
    if not isinstance(task_id, str | int) or not str(task_id):
        raise InputError("alt-format answer has neither output_url nor task_id", source=what)
    task_id = printable(shorten(str(task_id), 80))
    deadline = poll.clock() + poll.timeout
    delay = poll.initial
    while True:
        state = client.alt_format_status(str(task_id))
        status = printable(shorten(str(state.get("status") or ""), 40)).upper()
        if on_status is not None:
            on_status(status or "?")
        if status == "SUCCESS":
            url = state.get("output_url")
            if isinstance(url, str) and url:
                return url
            again = client.alt_format(run_id, language.id, output_format).get("output_url")
            if isinstance(again, str) and again:
                return again
            raise TaskError(
                f"{what}: alt-format task {task_id} succeeded but no URL came back", run_id=str(run_id)
            )
        if status in TERMINAL_FAILURES:
            reason = state.get("exception_reason") or state.get("message")
            detail = f": {client.redact(str(reason))}" if reason else ""
            raise TaskError(
                f"{what}: alt-format task {task_id} ended in {status}{detail}", run_id=str(run_id)
            )
        if poll.clock() + delay > deadline:
            raise TaskError(
                f"{what}: alt-format task {task_id} still {status or 'without a status'} after "
                f"{poll.timeout:g} s; try again later or raise --timeout",
                run_id=str(run_id),
            )
        poll.sleep(delay)
        delay = min(poll.maximum, delay * poll.factor)


def fetch_alt_format(
    client: CambClient,
    run_id: int,
    language: int | str,
    output_format: str,
    directory: Path,
    poll: PollPolicy | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Downloaded:
    """Download the alt-format file to ``directory/<run_id>.<tag>.<ext>``: the same base
    name ``fetch`` gives that language's subtitles, so players pair them."""
    fmt = output_format.strip().lower()
    if fmt not in ALT_FORMATS:
        raise InputError(f"unknown output format {output_format!r}; choose from {', '.join(ALT_FORMATS)}")
    lang = resolve(language)
    url = alt_format_url(client, run_id, lang, fmt, poll, on_status)
    return download(client, url, directory, f"{run_id}.{lang.tag}", what=f"run {run_id}")
