"""dubsubs.output: atomic writes that leave ordinary files behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dubsubs.output import atomic_path, write_text


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_022")
def test_written_file_has_the_usual_mode_not_the_temp_files_0600(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.vtt", "WEBVTT\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.usefixtures("umask_022")
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = write_text(tmp_path / "a.srt", "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("exporter failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.srt"]


def test_a_set_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from dubsubs.errors import OutputError
    from dubsubs.model import Cue, Transcript
    from dubsubs.pipeline import write_outputs

    (tmp_path / "ep1.vtt").mkdir()  # the second of the set cannot be written
    with pytest.raises(OutputError, match=r"ep1\.vtt: cannot write: Is a directory"):
        write_outputs(Transcript((Cue(0, 1000, "Hi."),)), tmp_path, "ep1", ["srt", "vtt", "json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep1.vtt"]
