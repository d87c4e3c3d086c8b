"""The byte-level progress line of ``fetch``: its text from pure functions, its redraw
rate from an injected clock, silence when stderr is no terminal or with -q, and the line
itself on a real pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dubsubs.camb.fetch import FetchEvent
from dubsubs.cli import main
from dubsubs.cli._progress import (
    ByteProgress,
    Transfer,
    format_eta,
    format_rate,
    format_size,
    render_line,
    render_transfer,
)

MiB = 1 << 20


@pytest.mark.parametrize(("count", "text"), [
    (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
    (MiB - 1, "1.0 MiB"), (10 * MiB, "10.0 MiB"), (int(1.25 * (1 << 30)), "1.25 GiB"),
    (5 << 40, "5.00 TiB"),
])
def test_sizes_in_binary_units(count: int, text: str) -> None:
    assert format_size(count) == text


def test_rate_and_time_left() -> None:
    assert format_rate(None) == "-- B/s" and format_rate(0) == "-- B/s"
    assert format_rate(1.5 * MiB) == "1.5 MiB/s" and format_rate(100) == "100 B/s"
    assert [format_eta(s) for s in (0, 4.2, 59.5, 60, 3725, None, float("nan"), -1)] == [
        "0:00", "0:05", "1:00", "1:00", "1:02:05", "--:--", "--:--", "--:--"]


def test_a_transfer_with_and_without_a_total() -> None:
    assert render_transfer(Transfer("1001", 3 * MiB, 10 * MiB, MiB)) == \
        "1001 3.0 MiB / 10.0 MiB 1.0 MiB/s 0:07 left"
    assert render_transfer(Transfer("1001", 3 * MiB, None, MiB)) == "1001 3.0 MiB 1.0 MiB/s"
    assert render_transfer(Transfer("1001", 0, 10 * MiB, None)) == \
        "1001 0 B / 10.0 MiB -- B/s --:-- left"
    assert render_transfer(Transfer("x", 5, 5, None)).endswith("0:00 left")


def test_the_line_holds_runs_file_and_total_and_fits_the_width() -> None:
    current = Transfer("1002.es-ES\x1b[2J", 2 * MiB, 4 * MiB, 512 * 1024)
    overall = Transfer("all", 3 * MiB, None, MiB)
    line = render_line(current, overall, 1, 1, 3, 200)
    assert line == ("runs 1/3 | 1002.es-ES\\x1b[2J 2.0 MiB / 4.0 MiB 512.0 KiB/s 0:04 left "
                    "(+1 more) | all 3.0 MiB 1.0 MiB/s")
    short = render_line(current, overall, 1, 1, 3, 30)
    assert len(short) == 30 and short.endswith("…")


def test_redrawn_at_most_ten_times_a_second() -> None:
    """A thousand events in one (simulated) second draw at most 11 times; the last
    drawn line shows the file, its rate and the total."""
    now = [0.0]
    out = io.StringIO()
    progress = ByteProgress(1, out, lambda: 200, clock=lambda: now[0])
    for step in range(1000):
        now[0] = step / 1000
        progress(FetchEvent("bytes", 1001, name="1001", done=(step + 1) * 1024, total=1000 * 1024))
    assert 1 <= progress.draws <= 11
    last = out.getvalue().split("\r")[-1]
    assert last.startswith("runs 0/1 | 1001 ") and "KiB/s" in last and last.endswith("\x1b[K")
    progress(FetchEvent("file", 1001, name="1001.mp4", done=1000 * 1024, total=1000 * 1024))
    now[0] = 2.0
    progress(FetchEvent("run-done", 1001))
    assert out.getvalue().split("\r")[-1].startswith("runs 1/1 | all 1000.0 KiB / 1000.0 KiB")
    progress.close()
    assert out.getvalue().endswith("\r\x1b[K")


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_nothing_extra_when_stderr_is_not_a_terminal(tmp_path: Path, quiet: list[str]) -> None:
    result = CliRunner().invoke(main, ["fetch", "1001", "--sandbox", "-o", str(tmp_path), *quiet])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "B/s" not in result.output
    assert (result.output == "") == bool(quiet)


def _run_on_a_terminal(args: list[str], timeout: float = 60) -> tuple[int, bytes]:
    """Run ``dubsubs ARGS`` with stderr on a pseudo-terminal; its exit code and what it
    wrote there, read until it ends (bounded by ``timeout``)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "dubsubs", *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    seen = b""
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    block = os.read(primary, 65536)
                except OSError:  # the process closed its side
                    break
                if not block:
                    break
                seen += block
            elif process.poll() is not None:
                break
        code = process.wait(timeout=max(1.0, end - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(primary)
    return code, seen


def test_the_line_on_a_real_terminal(tmp_path: Path) -> None:
    code, seen = _run_on_a_terminal(["fetch", "1001", "--sandbox", "-o", str(tmp_path / "a"),
                                     "-f", "srt", "--no-review"])
    assert code == 0, seen
    text = seen.decode()
    assert "\rruns 0/1 | " in text and "B/s" in text
    assert re.search(r"\| 1001(\.audio)? [\d.]+ (B|KiB) / [\d.]+ KiB ", text), text
    quiet_code, quiet_seen = _run_on_a_terminal(["fetch", "1001", "--sandbox", "-q",
                                                 "-o", str(tmp_path / "b"), "-f", "srt"])
    assert quiet_code == 0 and quiet_seen == b""
