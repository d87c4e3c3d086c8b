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
    kept = part_path(tmp_path, "clip", url).name
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept, kept + ".meta"]


def test_part_left_by_an_earlier_run_is_resumed(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    _interrupted_at(client, sandbox, url, tmp_path, 3000)
    got = download(client, url, tmp_path, "1001")
    assert got.sha256 == sha(data) and got.path.read_bytes() == data
    resumed = sandbox.matching("GET", r"/media/")[-1]
    assert resumed.range == "bytes=3000-" and resumed.status == 206


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
        ("application/octet-stream", "https://x/file.tar.gz", ".bin"),
        (None, "https://x/video.srt?sig=1", ".bin"),  # a subtitle format's name: never
        (None, "https://x/video.VTT", ".bin"),
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
    # If-Range carried the first answer's ETag: the server sent the new object whole.
    assert [(r.range, r.status) for r in sandbox.matching("GET", r"/media/")] == [
        (None, 200), ("bytes=5000-", 200)]


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
    _interrupted_at(client, sandbox, url, tmp_path, 3000)
    with part_path(tmp_path, "1001", url).open("ab") as handle:
        handle.write(data[3000:])  # as if stopped after the last chunk, before the rename
    sandbox.reset_log()
    got = download(client, url, tmp_path, "1001")
    assert got.path == tmp_path / "1001.mp4" and got.sha256 == sha(data) and got.size == len(data)
    assert got.path.read_bytes() == data
    assert [(r.range, r.status) for r in sandbox.matching("GET", r"/media/")] == [
        (f"bytes={len(data)}-", 416), ("bytes=0-0", 206)]


def test_longer_stale_part_still_starts_over(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    _interrupted_at(client, sandbox, url, tmp_path, 3000)
    part_path(tmp_path, "1001", url).write_bytes(data + b"junk")
    got = download(client, url, tmp_path, "1001")
    assert got.path.read_bytes() == data and got.sha256 == sha(data)
    assert [r.range for r in sandbox.matching("GET", r"/media/")][-1] is None


def _interrupted_at(client: CambClient, sandbox: Sandbox, url: str, directory: Path,
                    cut: int) -> None:
    """Leave a ``.part`` of ``cut`` bytes (and its recorded validator), as a download
    stopped by a dropped connection leaves it."""
    sandbox.add_fault(Fault(path=r"/media/", kind="drop", after_bytes=cut, times=1))
    with pytest.raises(DownloadError):
        download(client, url, directory, "1001", max_resumes=0)
    assert part_path(directory, "1001", url).stat().st_size == cut


def test_part_of_an_older_object_of_the_same_size_is_not_spliced(
    client: CambClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """Issue 8: a .part from an earlier version, resumed against a new version of the same
    size, used to give old head + new tail with exit 0. If-Range with the recorded ETag
    makes the server send the new object whole."""
    old = b"A" * 20000
    new = b"B" * 20000
    url = sandbox.add_media("1001.mp4", old)
    _interrupted_at(client, sandbox, url, tmp_path, 3000)
    sandbox.add_media("1001.mp4", new)  # the object changed between two processes
    sandbox.reset_log()
    got = download(client, url, tmp_path, "1001")
    assert got.path.read_bytes() == new and got.sha256 == sha(new)
    [resumed] = sandbox.matching("GET", r"/media/")
    assert resumed.range == "bytes=3000-" and resumed.status == 200


def test_part_without_a_recorded_validator_starts_over(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path
) -> None:
    url, data = video
    part_path(tmp_path, "1001", url).write_bytes(b"X" * 3000)  # nothing proves what it is
    got = download(client, url, tmp_path, "1001")
    assert got.path.read_bytes() == data
    assert [r.range for r in sandbox.matching("GET", r"/media/")] == [None]


def test_checksum_from_the_server_is_verified(
    client: CambClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """The sandbox's ETag is the MD5 of its bytes, as for a single-part upload: bytes that
    arrive changed in transit with the right size are refused."""
    url = sandbox.add_media("1001.mp4", b"V" * 5000)
    sandbox.add_fault(Fault(path=r"/media/", kind="corrupt", times=1))
    with pytest.raises(DownloadError, match="md5 checksum does not match"):
        download(client, url, tmp_path, "1001")
    assert not (tmp_path / "1001.mp4").exists()
    assert [p.name for p in tmp_path.iterdir()] == []
    got = download(client, url, tmp_path, "1001")  # the next attempt is clean
    assert got.path.read_bytes() == b"V" * 5000


def test_content_encoding_not_asked_for_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A gateway that gzips media although identity was asked for: the bytes saved would
    not be the media. Refused, and nothing is left named 1001.mp4."""
    url = sandbox.add_media("1001.mp4", b"V" * 5000)
    sandbox.add_fault(Fault(path=r"/media/", kind="gzip", times=1, force=True))
    with CambClient(sandbox.api_key, sandbox.url) as api, \
            pytest.raises(DownloadError, match="'gzip'-encoded bytes .* refused"):
        download(api, url, tmp_path, "1001")
    assert not (tmp_path / "1001.mp4").exists()


@pytest.mark.parametrize("dangling", [False, True])
def test_part_that_is_a_symlink_is_never_followed(
    client: CambClient, sandbox: Sandbox, video: tuple[str, bytes], tmp_path: Path,
    dangling: bool,
) -> None:
    url, data = video
    outside = tmp_path / "outside.bin"
    if not dangling:
        outside.write_bytes(b"precious")
    folder = tmp_path / "run"
    folder.mkdir()
    part = part_path(folder, "1001", url)
    part.symlink_to(outside)
    part.with_name(part.name + ".meta").symlink_to(tmp_path / "outside.meta")
    got = download(client, url, folder, "1001")
    assert got.path.read_bytes() == data and not got.path.is_symlink()
    if dangling:
        assert not outside.exists()
    else:
        assert outside.read_bytes() == b"precious"
    assert not (tmp_path / "outside.meta").exists()
