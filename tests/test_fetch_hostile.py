"""``fetch`` against hostile results and folders (issue 8, section 1), on the sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from dubsubs.camb.client import CambClient, RetryPolicy
from dubsubs.camb.fetch import FetchEvent, FetchOptions, fetch_runs
from dubsubs.camb.sandbox import Fault, Sandbox
from dubsubs.output import folder_lock

ITEMS = [{"start": 0, "end": 1200, "text": "Hola.", "speaker": "A"},
         {"start": 1300, "end": 2500, "text": "Adiós.", "speaker": "B"}]


def _fetch(sandbox: Sandbox, out: Path, *ids: int, **options: Any) -> list[Any]:
    with CambClient(sandbox.api_key, sandbox.url) as api:
        return fetch_runs(api, list(ids), out, FetchOptions(**options))


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text())  # type: ignore[no-any-return]


def test_colliding_language_keys_are_an_error_naming_both(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.add_run(1101, {"es-ES": {"transcript": ITEMS},
                           "ES_ES": {"transcript": [{"start": 0, "end": 900, "text": "Otro."}]}})
    [outcome] = _fetch(sandbox, tmp_path, 1101, media=False, formats=("srt",))
    assert not outcome.ok
    [error] = outcome.errors
    # Both keys as the result spelt them, not the tag they normalise to twice.
    assert error == ("run 1101: languages 'es-ES' and 'ES_ES' both map to 1101.es-ES.*; "
                     "'ES_ES' is not written")
    srt = (tmp_path / "1101" / "1101.es-ES.srt").read_text()
    assert "Hola." in srt and "Otro." not in srt
    names = [f["name"] for f in _manifest(tmp_path / "1101")["files"] if f["role"] != "review"]
    assert names == ["1101.es-ES.srt"]  # listed once


BAD_LANGUAGE_KEYS = [
    "x" * 300,  # too long, and not a tag
    "es-" + "-".join(["abcdefgh"] * 40),  # well-formed subtags, but 363 characters
    "es/ES", "../../etc", "es\\ES", "/abs",  # path separators
    "es\x1b[2J", "es\nES", "es\x00",  # control characters
    "", " ",  # empty
]


@pytest.mark.parametrize("bad", BAD_LANGUAGE_KEYS)
def test_a_bad_language_key_fails_that_language_only(sandbox: Sandbox, tmp_path: Path,
                                                     bad: str) -> None:
    """Every way a language key can be bad behaves the same: that language is an error the
    manifest lists, the run's other languages are written, no file takes the bad name."""
    sandbox.add_run(1103, {"es-ES": {"transcript": ITEMS},
                           bad: {"transcript": [{"start": 0, "end": 900, "text": "Malo."}]},
                           "fr-FR": {"transcript": [{"start": 0, "end": 900, "text": "Bon."}]}})
    [outcome] = _fetch(sandbox, tmp_path, 1103, media=False, formats=("srt",), review=False)
    [error] = outcome.errors
    assert error.startswith("run 1103: ") and "is not a language tag" in error
    assert error.isprintable() and len(error) < 200
    folder = tmp_path / "1103"
    assert sorted(p.name for p in folder.iterdir() if p.name != ".dubsubs.lock") == [
        "1103.es-ES.srt", "1103.fr-FR.srt", "manifest.json"]
    assert "Hola." in (folder / "1103.es-ES.srt").read_text()
    manifest = _manifest(folder)
    assert manifest["status"] == "failed" and manifest["errors"] == [error]
    assert [t["language"] for t in manifest["transcripts"]] == ["es-ES", "fr-FR"]


def test_video_url_ending_in_srt_never_takes_the_subtitles_name(sandbox: Sandbox,
                                                                tmp_path: Path) -> None:
    sandbox.add_media("evil.srt", b"\x00\x00\x00\x18ftypmp42", content_type="application/octet-stream")
    sandbox.add_run(1102, {"video_url": "media:evil.srt", "transcript": ITEMS})
    [outcome] = _fetch(sandbox, tmp_path, 1102, formats=("srt",))
    assert outcome.ok, outcome.errors
    folder = tmp_path / "1102"
    assert (folder / "1102.bin").read_bytes().startswith(b"\x00\x00")
    assert "Hola." in (folder / "1102.srt").read_text()


def test_subtitle_set_is_all_or_nothing_and_the_manifest_says_so(sandbox: Sandbox,
                                                                 tmp_path: Path) -> None:
    """A write that fails part-way (here a folder in the way of 1001.vtt; a full disk takes
    the same path) changes none of the run's subtitles."""
    _fetch(sandbox, tmp_path, 1001, media=False, formats=("srt", "vtt"))
    folder = tmp_path / "1001"
    before = (folder / "1001.srt").read_bytes()
    (folder / "1001.vtt").unlink()
    (folder / "1001.vtt").mkdir()
    sandbox.add_run(1001, {"transcript": [{"start": 0, "end": 1, "text": "Changed."}]})
    [outcome] = _fetch(sandbox, tmp_path, 1001, media=False, formats=("srt", "vtt"))
    assert not outcome.ok and "1001.vtt" in outcome.error
    assert (folder / "1001.srt").read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_a_second_process_on_the_same_folder_fails_clearly(sandbox: Sandbox, tmp_path: Path) -> None:
    folder = tmp_path / "1001"
    folder.mkdir()
    with folder_lock(folder):  # what another process holds while it writes
        [outcome] = _fetch(sandbox, tmp_path, 1001)
    assert outcome.errors == [f"run 1001: {folder}: another dubsubs process is writing this "
                              "folder; wait for it to finish"]
    assert sandbox.count("GET", r"^/media/") == 0
    [again] = _fetch(sandbox, tmp_path, 1001)
    assert again.ok


def test_stale_temporary_files_are_cleaned_and_download_parts_kept(sandbox: Sandbox,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "1001"
    folder.mkdir()
    stale = [folder / ".1001.srt.tmp-k3j9x0ab.part", folder / ".1001.vtt.abcd_123.part"]
    for path in stale:
        path.write_text("half")
    resumable = folder / ".other.0123456789ab.part"
    resumable.write_bytes(b"keep")
    [outcome] = _fetch(sandbox, tmp_path, 1001, media=False)
    assert outcome.ok
    assert not any(p.exists() for p in stale) and resumable.exists()


@pytest.mark.parametrize("content", [b"[" * 100_000, b"\xff\xfe", b'{"files": [{"role": 5}]}',
                                     b'{"files": "x"}', b"[]"])
def test_corrupt_manifest_is_treated_as_absent(sandbox: Sandbox, tmp_path: Path,
                                               content: bytes) -> None:
    _fetch(sandbox, tmp_path, 1001)
    folder = tmp_path / "1001"
    (folder / "manifest.json").write_bytes(content)
    [outcome] = _fetch(sandbox, tmp_path, 1001)
    assert outcome.ok, outcome.errors
    assert _manifest(folder)["status"] == "ok"


def test_manifest_is_written_when_interrupted(sandbox: Sandbox, tmp_path: Path) -> None:
    """Stopped after the first media file is complete: the manifest lists it, and the next
    fetch does not download it again."""
    cancel = threading.Event()

    def stop_after_first_file(event: FetchEvent) -> None:
        if event.kind == "file":
            cancel.set()

    with CambClient(sandbox.api_key, sandbox.url) as api:
        [outcome] = fetch_runs(api, [1001], tmp_path, FetchOptions(jobs=1),
                               stop_after_first_file, cancel=cancel)
    assert outcome.errors == ["run 1001: cancelled"]
    manifest = _manifest(tmp_path / "1001")
    assert manifest["status"] == "interrupted"
    # The stop is seen between files: the file that set it, and at most the one already
    # streaming beside it, are complete and listed; the subtitles were never written.
    done = manifest["files"]
    assert 1 <= len(done) <= 2 and {f["role"] for f in done} <= {"video", "audio"}
    sources = {f["name"]: "/media/video.mp4" if f["role"] == "video" else "/media/audio.mp3" for f in done}
    asked = {name: sandbox.count("GET", source) for name, source in sources.items()}
    [again] = _fetch(sandbox, tmp_path, 1001, jobs=1)
    assert again.ok and again.skipped == len(done) and again.downloaded == 2 - len(done)
    for name, source in sources.items():
        assert sandbox.count("GET", source) == asked[name]  # a complete file is not asked again
        assert name in {f["name"] for f in _manifest(tmp_path / "1001")["files"]}


@pytest.mark.parametrize(("location", "reason"), [
    ("http://[::1", "redirects to a malformed location"),
    ("http://127.0.0.1:99999/x", "redirects to a malformed location"),
    ("http://[::1]:x/", "redirects to a malformed location"),
    ("ftp://x/y", "redirects to a URL that is not http or https"),
])
def test_malformed_media_redirect_is_that_file_s_clear_error(sandbox: Sandbox, tmp_path: Path,
                                                             location: str, reason: str) -> None:
    """The presigned video link answers a redirect whose Location is malformed: one clear
    line for that file (never "internal error"), not retried, the run's other files kept."""
    sandbox.add_fault(Fault(path=r"^/media/video", kind="redirect", location=location, times=5))
    with CambClient(sandbox.api_key, sandbox.url, retry=RetryPolicy(attempts=3)) as api:
        [outcome] = fetch_runs(api, [1001], tmp_path, FetchOptions(formats=("srt",), review=False))
    [error] = outcome.errors
    assert error.startswith("run 1001: video: GET http://127.0.0.1:") and error.endswith(reason)
    assert "internal error" not in error and error.isprintable()
    assert sandbox.count("GET", r"^/media/video") == 1  # a malformed location is not retried
    assert sorted(f.name for f in outcome.files) == ["1001.audio.mp3", "1001.srt"]
    manifest = _manifest(tmp_path / "1001")
    assert manifest["status"] == "failed" and manifest["errors"] == [error]


def test_sigint_mid_download_writes_the_manifest_and_the_next_run_skips_complete_files(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A real ``dubsubs fetch`` process, its video dripping a byte every 0.2 s (hours for
    the file), is sent SIGINT once the audio is complete and the video has begun: it stops
    at once (the blocked read is aborted), one line and no traceback, and the manifest
    says "interrupted" and lists the audio. The next fetch does not ask for the audio."""
    sandbox.add_fault(Fault(path=r"^/media/video", kind="drip", delay=0.2, times=1))
    env = {**os.environ, "CAMB_API_BASE_URL": sandbox.url, "CAMB_API_KEY": sandbox.api_key}
    folder = tmp_path / "1001"
    process = subprocess.Popen(
        [sys.executable, "-m", "dubsubs", "fetch", "1001", "-o", str(tmp_path), "-f", "srt",
         "-j", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # up to 30 s for the process to start both downloads
            if (folder / "1001.audio.mp3").exists() and list(folder.glob(".1001.*.part")):
                break
            if process.poll() is not None:
                break
            time.sleep(0.05)
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert b"Traceback" not in err
    manifest = _manifest(folder)
    assert manifest["status"] == "interrupted"
    assert [f["name"] for f in manifest["files"]] == ["1001.audio.mp3"]
    audio_asked = sandbox.count("GET", r"^/media/audio")
    [again] = _fetch(sandbox, tmp_path, 1001, formats=("srt",))
    assert again.ok and again.skipped == 1 and again.downloaded == 1, again.errors
    assert sandbox.count("GET", r"^/media/audio") == audio_asked
    assert (folder / "1001.mp4").read_bytes() == sandbox.media_bytes("video.mp4")
    assert _manifest(folder)["status"] == "ok"


def test_one_run_keyed_by_camb_language_ids_is_read_by_language(sandbox: Sandbox, tmp_path: Path) -> None:
    # /dub-result/{run_id} answers for one run: numeric keys are language ids (54 is es-ES,
    # 1 is en-US in Camb's table), not the run ids of a bulk answer.
    sandbox.add_run(1102, {"54": {"transcript": ITEMS}, "1": {"transcript": ITEMS}})
    [outcome] = _fetch(sandbox, tmp_path, 1102, media=False, formats=("srt",))
    assert outcome.ok, outcome.errors
    names = sorted(p.name for p in (tmp_path / "1102").glob("*.srt"))
    assert names == ["1102.en-US.srt", "1102.es-ES.srt"]
