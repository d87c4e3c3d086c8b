"""Resumable streaming downloads against the sandbox's presigned media URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dubsubs.camb.client import CambClient
from dubsubs.camb.download import download, extension_for, is_complete, part_path
from dubsubs.camb.sandbox import Fault, Sandbox
from dubsubs.errors import DownloadError


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def video(sandbox: Sandbox) -> tuple[str, bytes]:
    return sandbox.presign("video.mp4"), sandbox.media_bytes("video.mp4")


def test_download_names_by_content_type_and_hashes(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    got = download(client, url, tmp_path, "1001")
    assert got.path == tmp_path / "1001.mp4"
    assert got.path.read_bytes() == data
    assert (got.size, got.sha256) == (len(data), sha(data))
    assert got.content_type == "video/mp4"
    assert "?" not in got.source_url and got.source_url.endswith("/media/video.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1001.mp4"]  # no .part left
    assert [r.range for r in sandbox.matching("GET", r"/media/")] == [None]


def test_dropped_connection_resumes_with_range(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    sandbox.add_fault(Fault(path=r"/media/video\.mp4", kind="drop", after_bytes=5000))
    got = download(client, url, tmp_path, "1001", chunk_size=4096)
    assert got.resumes == 1
    assert got.path.read_bytes() == data and got.sha256 == sha(data)
    media = sandbox.matching("GET", r"/media/")
    assert [(r.range, r.status, r.fault) for r in media] == [
        (None, 200, "drop"),
        ("bytes=5000-", 206, None),
    ]


def test_several_drops_resume_each_time(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    sandbox.add_fault(Fault(path=r"/media/", kind="drop", times=3))
    got = download(client, url, tmp_path, "clip")
    assert got.resumes == 3 and got.sha256 == sha(data)
    ranges = [r.range for r in sandbox.matching("GET", r"/media/")]
    assert ranges[0] is None and all(r and r.startswith("bytes=") for r in ranges[1:])
    starts = [int(r[6:-1]) for r in ranges[1:] if r]
    assert starts == sorted(starts) and 0 < starts[0] < len(data)


def test_server_ignoring_range_restarts_from_zero(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    sandbox.add_fault(Fault(path=r"/media/", kind="drop", after_bytes=7000))
    sandbox.add_fault(Fault(path=r"/media/", kind="ignore_range"))
    got = download(client, url, tmp_path, "clip")
    assert got.path.read_bytes() == data and got.sha256 == sha(data)
    media = sandbox.matching("GET", r"/media/")
    assert [(r.range, r.status) for r in media] == [(None, 200), ("bytes=7000-", 200)]


def test_endless_drops_give_up_with_redacted_error_and_keep_part(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, _ = video
    sandbox.add_fault(Fault(path=r"/media/", kind="drop", after_bytes=1000, times=1000))
    with pytest.raises(DownloadError, match="kept dropping") as caught:
        download(client, url, tmp_path, "clip", max_resumes=2)
    assert "X-Amz" not in str(caught.value) and url.split("?")[1] not in str(caught.value)
    assert sandbox.count("GET", r"/media/") == 3
    # The first 1000 bytes arrived before the first drop; later answers were cut before
    # sending anything new (after_bytes counts from the start of each answer).
    assert part_path(tmp_path, "clip", url).exists()
    assert [p.name for p in tmp_path.iterdir()] == [part_path(tmp_path, "clip", url).name]


def test_part_left_by_an_earlier_run_is_resumed(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    part_path(tmp_path, "1001", url).write_bytes(data[:3000])
    got = download(client, url, tmp_path, "1001")
    assert got.sha256 == sha(data) and got.path.read_bytes() == data
    assert [r.range for r in sandbox.matching("GET", r"/media/")] == ["bytes=3000-"]


def test_complete_file_is_not_downloaded_again(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    first = download(client, url, tmp_path, "1001")
    entry = {"name": first.name, "size": first.size, "sha256": first.sha256}
    again = download(client, url, tmp_path, "1001", previous=entry)
    assert again.skipped and again.sha256 == first.sha256
    assert sandbox.count("GET", r"/media/") == 1
    # A damaged file no longer matches its manifest entry: fetched again.
    first.path.write_bytes(b"x" * len(data))
    assert is_complete(tmp_path, entry) is None
    repaired = download(client, url, tmp_path, "1001", previous=entry)
    assert not repaired.skipped and repaired.path.read_bytes() == data
    assert sandbox.count("GET", r"/media/") == 2


def test_extension_from_content_type_else_url_path(
    client: CambClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    typed = sandbox.add_media("opaque-key", b"fLaC-bytes", content_type="audio/flac")
    by_path = sandbox.add_media("clip.mkv", b"mkv-bytes", content_type="application/octet-stream")
    unknown = sandbox.add_media("blob", b"???", content_type="application/octet-stream")
    assert download(client, typed, tmp_path, "a").name == "a.flac"
    assert download(client, by_path, tmp_path, "b").name == "b.mkv"
    assert download(client, unknown, tmp_path, "c").name == "c.bin"


@pytest.mark.parametrize(
    ("content_type", "url", "ext"),
    [
        ("video/mp4", "https://x/a.bin", ".mp4"),
        ("audio/mpeg; charset=binary", "https://x/a", ".mp3"),
        ("audio/mp4", "https://x/a", ".m4a"),
        (None, "https://x/dir/file.WAV?sig=1", ".wav"),
        ("application/octet-stream", "https://x/file.tar.gz", ".gz"),
        ("", "https://x/noext", ".bin"),
        (None, "https://x/evil.../", ".bin"),
    ],
)
def test_extension_for(content_type: str | None, url: str, ext: str) -> None:
    assert extension_for(content_type, url) == ext


def test_unsigned_media_url_is_refused(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, _ = video
    bare = url.split("?")[0]
    with pytest.raises(DownloadError, match=r"HTTP 403.*presigned"):
        download(client, bare, tmp_path, "1001")
    tampered = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    with pytest.raises(DownloadError, match="HTTP 403"):
        download(client, tampered, tmp_path, "1001")
    assert not any(tmp_path.iterdir())


def test_media_download_does_not_send_the_api_key(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, _ = video
    client.dub_result(1001)
    download(client, url, tmp_path, "1001")
    assert [r.key_sent for r in sandbox.requests] == [True, False]


def test_large_file_streams_in_chunks(client: CambClient, sandbox: Sandbox, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40000  # ~10 MB
    url = sandbox.add_media("big.mp4", data)
    seen: list[int] = []
    got = download(
        client, url, tmp_path, "big", chunk_size=1 << 20, progress=lambda n, t: seen.append(n)
    )
    assert got.sha256 == sha(data)
    assert seen[-1] == len(data) and len(seen) >= 9


def test_file_that_changes_between_resumes_is_fetched_whole_again(
    client: CambClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """A resume whose Content-Range announces another total than the first answer is a
    different file: splicing the two would give a file of the right size but wrong bytes."""
    old = bytes(range(256)) * 100
    new = bytes(reversed(range(256))) * 120
    url = sandbox.add_media("clip.mp4", old)
    sandbox.add_fault(Fault(path=r"/media/clip", kind="drop", after_bytes=5000))
    swapped: list[int] = []

    def swap_once(done: int, total: int | None) -> None:
        if not swapped:
            sandbox.add_media("clip.mp4", new)  # the in-flight answer keeps the old bytes
            swapped.append(done)

    got = download(client, url, tmp_path, "clip", chunk_size=4096, progress=swap_once)
    assert got.path.read_bytes() == new and got.sha256 == sha(new)
    assert [r.range for r in sandbox.matching("GET", r"/media/")] == [None, "bytes=5000-", None]


def test_part_of_another_file_is_not_resumed_into_this_one(
    client: CambClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """fetch's video and alt-format's file share a base name (1002.es-ES) in one folder;
    the bytes an interrupted video left behind must not become the head of the WAV."""
    sandbox.add_fault(Fault(path=r"/media/video", kind="drop", after_bytes=3000))
    with pytest.raises(DownloadError):
        download(client, sandbox.presign("video.mp4"), tmp_path, "1002.es-ES", max_resumes=0)
    wav = sandbox.media_bytes("alt/alt.wav")
    assert len(wav) > 3000
    got = download(client, sandbox.presign("alt/alt.wav"), tmp_path, "1002.es-ES")
    assert got.path.read_bytes() == wav and got.sha256 == sha(wav)
    # ...while the video, asked for again, still resumes from its own bytes.
    again = download(client, sandbox.presign("video.mp4"), tmp_path, "1002.es-ES")
    assert again.path.read_bytes() == sandbox.media_bytes("video.mp4")
    assert sandbox.matching("GET", r"/media/video")[-1].range == "bytes=3000-"


def test_complete_part_is_finished_without_fetching_it_again(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    """A .part that already holds every byte (stopped after its last chunk, e.g. by
    Ctrl-C) gets 416 for the rest; one byte's Range tells the total, so it is renamed
    instead of downloaded again from zero."""
    url, data = video
    part_path(tmp_path, "1001", url).write_bytes(data)
    got = download(client, url, tmp_path, "1001")
    assert got.path == tmp_path / "1001.mp4" and got.sha256 == sha(data) and got.size == len(data)
    assert got.path.read_bytes() == data
    assert [(r.range, r.status) for r in sandbox.matching("GET", r"/media/")] == [
        (f"bytes={len(data)}-", 416), ("bytes=0-0", 206)]


def test_longer_stale_part_still_starts_over(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    part_path(tmp_path, "1001", url).write_bytes(data + b"junk")
    got = download(client, url, tmp_path, "1001")
    assert got.path.read_bytes() == data and got.sha256 == sha(data)
    assert [r.range for r in sandbox.matching("GET", r"/media/")][-1] is None
