"""The byte-level progress line ``fetch`` draws on a terminal.

The text is made by pure functions (:func:`format_size`, :func:`format_rate`,
:func:`format_eta`, :func:`render_line`) so it can be checked as text; :class:`ByteProgress`
turns fetch's events into their arguments and redraws at most every ``interval`` seconds
(10 times a second by default), on one line, cleared when it is done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ..wording import printable

if TYPE_CHECKING:
    from ..camb.fetch import FetchEvent

_UNITS = (("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40))


def format_size(count: int) -> str:
    """Bytes in binary units, three significant figures or so: ``512 B``, ``1.5 KiB``,
    ``20.0 MiB``, ``1.25 GiB`` (two decimals from GiB up, where a tenth is 100 MiB)."""
    if count < 1024:
        return f"{count} B"
    for unit, scale in _UNITS:
        value = count / scale
        if value < 1023.95 or unit == "TiB":
            return f"{value:.2f} {unit}" if scale >= 1 << 30 else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_rate(bytes_per_second: float | None) -> str:
    """``1.5 MiB/s``; ``-- B/s`` before there is anything to measure."""
    if bytes_per_second is None or bytes_per_second <= 0:
        return "-- B/s"
    return f"{format_size(round(bytes_per_second))}/s"


def format_eta(seconds: float | None) -> str:
    """Time left as ``m:ss`` or ``h:mm:ss`` (rounded up: ``0:00`` only when done);
    ``--:--`` when unknown (no total, or no rate yet)."""
    if seconds is None or seconds < 0 or seconds != seconds or seconds > 100 * 3600 * 24:
        return "--:--"
    whole = int(seconds) + (seconds > int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Transfer:
    """Bytes of one file, or of all of them: ``done`` of ``total`` (None: unknown), at
    ``rate`` bytes per second (None: not measured yet)."""

    name: str
    done: int
    total: int | None
    rate: float | None


def render_transfer(transfer: Transfer) -> str:
    """``1001.mp4 3.2 MiB / 10.0 MiB 1.5 MiB/s 0:05 left``; with no total, the bytes so far
    and the rate only."""
    rate = format_rate(transfer.rate)
    if transfer.total is None:
        return f"{transfer.name} {format_size(transfer.done)} {rate}"
    left = None
    if transfer.done >= transfer.total:
        left = 0.0
    elif transfer.rate:
        left = (transfer.total - transfer.done) / transfer.rate
    return (f"{transfer.name} {format_size(transfer.done)} / {format_size(transfer.total)} "
            f"{rate} {format_eta(left)} left")


def render_line(current: Transfer | None, overall: Transfer, others: int, runs_done: int,
                runs: int, width: int) -> str:
    """The whole progress line: runs, the file most recently advanced (``+N`` more in
    flight), and all bytes; cut to ``width`` characters. File names are shown with control
    characters escaped."""
    parts = [f"runs {runs_done}/{runs}"]
    if current is not None:
        shown = Transfer(printable(current.name), current.done, current.total, current.rate)
        parts.append(render_transfer(shown) + (f" (+{others} more)" if others else ""))
    parts.append(render_transfer(overall))
    line = " | ".join(parts)
    if width > 1 and len(line) > width:
        line = line[: width - 1] + "…"
    return line


@dataclass
class _File:
    done: int
    total: int | None
    started: float
    first: int  # bytes already on disk when first seen (a resume): not part of the rate
    updated: float


class ByteProgress:
    """Draws :func:`render_line` on ``stream`` (a terminal) from fetch's events, at most
    once per ``interval`` seconds; :meth:`close` clears the line."""

    def __init__(self, runs: int, stream: TextIO, width: Callable[[], int],
                 clock: Callable[[], float] = time.monotonic, interval: float = 0.1) -> None:
        self.runs = runs
        self.runs_done = 0
        self._stream = stream
        self._width = width
        self._clock = clock
        self._interval = interval
        self._files: dict[tuple[int, str], _File] = {}
        self._active: list[tuple[int, str]] = []  # in flight, most recently advanced last
        self._began: float | None = None
        self._last_draw: float | None = None
        self.draws = 0

    def __call__(self, event: FetchEvent) -> None:
        now = self._clock()
        key = (event.run_id, event.name or "")
        if event.kind == "bytes":
            if self._began is None:
                self._began = now
            file = self._files.get(key)
            if file is None:
                # A download reports the bytes it starts from before any arrive (0, or what
                # a resume kept): those are not part of the rate.
                file = self._files[key] = _File(event.done, event.total, now, event.done, now)
            file.done, file.total, file.updated = event.done, event.total, now
            if key in self._active:
                self._active.remove(key)
            self._active.append(key)
        elif event.kind in ("file", "file-error"):
            # "file" names the file written (1001.audio.mp3), the others its base name.
            for active in [k for k in self._active if k[0] == event.run_id
                           and _same_file(k[1], event.name or "")]:
                self._active.remove(active)
        elif event.kind == "run-done":
            self.runs_done += 1
            self._active = [k for k in self._active if k[0] != event.run_id]
        else:
            return
        if self._last_draw is None or now - self._last_draw >= self._interval:
            self._draw(now)

    def _transfer(self, name: str, file: _File, now: float) -> Transfer:
        elapsed = now - file.started
        got = file.done - file.first
        return Transfer(name, file.done, file.total, got / elapsed if elapsed > 0 and got > 0 else None)

    def line(self, now: float) -> str:
        current = None
        if self._active:
            key = self._active[-1]
            current = self._transfer(key[1], self._files[key], now)
        files = list(self._files.values())
        totals = [f.total for f in files]
        total = None if not files or any(t is None for t in totals) \
            else sum(t for t in totals if t is not None)
        got = sum(f.done - f.first for f in files)
        elapsed = now - self._began if self._began is not None else 0.0
        overall = Transfer("all", sum(f.done for f in files), total,
                           got / elapsed if elapsed > 0 and got > 0 else None)
        return render_line(current, overall, max(0, len(self._active) - 1), self.runs_done,
                           self.runs, self._width())

    def _draw(self, now: float) -> None:
        self._last_draw = now
        self.draws += 1
        self._stream.write("\r" + self.line(now) + "\x1b[K")
        self._stream.flush()

    def close(self) -> None:
        """Clear the line, so what is printed next starts at its beginning."""
        if self.draws:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def _same_file(base: str, name: str) -> bool:
    return name == base or (name.startswith(base + ".") and "." not in name[len(base) + 1:])


def stream_width(stream: TextIO) -> Callable[[], int]:
    """The terminal's width, asked each time (it may be resized); 80 when unknown."""
    import os

    def width() -> int:
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError):
            return 80
        return columns if columns > 0 else 80

    return width


__all__: Sequence[str] = ["ByteProgress", "Transfer", "format_eta", "format_rate",
                          "format_size", "render_line", "render_transfer"]
