"""Alt-format polling and TTS streaming, library and CLI, against the sandbox."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dubsubs.camb.altformat import PollPolicy, alt_format_url, fetch_alt_format
from dubsubs.camb.client import CambClient, RetryPolicy
from dubsubs.camb.sandbox import Fault, Sandbox
from dubsubs.camb.tts import fetch_tts
from dubsubs.cli import main
from dubsubs.errors import DownloadError, TaskError
from dubsubs.languages import resolve


class FakeClock:
    """A monotonic clock that advances only when the poller sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def policy(clock: FakeClock, timeout: float = 60.0) -> PollPolicy:
    return PollPolicy(timeout=timeout, initial=1.0, factor=2.0, maximum=5.0,
                      sleep=clock.sleep, clock=clock)


def quick_client(server: Sandbox) -> CambClient:
    return CambClient(server.api_key, server.url, retry=RetryPolicy(sleep=lambda s: None))


def cli(server: Sandbox, *args: str) -> Result:
    env = {"CAMB_API_KEY": server.api_key, "CAMB_API_BASE_URL": server.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_task_polled_with_backoff_until_success(sandbox: Sandbox, client: CambClient,
                                                tmp_path: Path) -> None:
    clock = FakeClock()
    seen: list[str] = []
    got = fetch_alt_format(client, 1001, "es-ES", "WAV", tmp_path, policy(clock), seen.append)
    assert got.path == tmp_path / "1001.es-ES.wav"
    assert got.path.read_bytes() == sandbox.media_bytes("alt/alt.wav")
    assert seen == ["PENDING", "PENDING", "SUCCESS"]
    assert clock.sleeps == [1.0, 2.0]
    assert sandbox.count("POST", r"/dub-alt-format/1001/54$") == 1
    assert sandbox.count("GET", r"/dub-alt-format/") == 3


def test_language_by_camb_id(sandbox: Sandbox, client: CambClient, tmp_path: Path) -> None:
    got = fetch_alt_format(client, 1001, "54", "mp4", tmp_path, policy(FakeClock()))
    assert got.name == "1001.es-ES.mp4"


def test_success_without_url_asks_again() -> None:
    with Sandbox(alt_polls=1, alt_success_without_url=True) as server:
        url = alt_format_url(quick_client(server), 1001, resolve("fr-FR"), "mp3", policy(FakeClock()))
        assert "/media/alt/alt.mp3?" in url
        assert server.count("POST", r"/dub-alt-format/") == 2


@pytest.mark.parametrize("ending", ["ERROR", "TIMEOUT", "PAYMENT_REQUIRED"])
def test_terminal_failures(ending: str) -> None:
    with (
        Sandbox(alt_polls=1, alt_final_status=ending) as server,
        pytest.raises(TaskError, match=f"ended in {ending}: sandbox task ended"),
    ):
        alt_format_url(quick_client(server), 1001, resolve(1), "wav", policy(FakeClock()))


def test_unknown_status_keeps_polling_until_timeout() -> None:
    with Sandbox(alt_polls=1000, alt_pending_status="QUEUED_FOR_GPU") as server:
        clock = FakeClock()
        with pytest.raises(TaskError, match="still QUEUED_FOR_GPU after 20 s"):
            alt_format_url(quick_client(server), 1001, resolve(1), "wav", policy(clock, timeout=20))
        assert clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]
        assert server.count("GET", r"/dub-alt-format/") == 6


def test_alt_format_cli(sandbox: Sandbox, tmp_path: Path) -> None:
    result = cli(sandbox, "alt-format", "1002", "-l", "fr-FR", "-F", "flac", "-o", str(tmp_path),
                 "--poll-interval", "0.5")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "1002.fr-FR.flac").read_bytes()[:4] == b"fLaC"
    assert result.stderr.count("task PENDING") == 2


def test_alt_format_cli_errors(sandbox: Sandbox, tmp_path: Path) -> None:
    bad_language = cli(sandbox, "alt-format", "1001", "-l", "xx-Nope", "-F", "wav", "-o", str(tmp_path))
    assert bad_language.exit_code == 1
    assert bad_language.stderr.startswith("error: unknown language 'xx-Nope'")
    missing = cli(sandbox, "alt-format", "999", "-l", "1", "-F", "wav", "-o", str(tmp_path))
    assert missing.exit_code == 1 and "HTTP 404" in missing.stderr
    assert "Traceback" not in missing.output + bad_language.output


def test_tts_streams_flac(sandbox: Sandbox, client: CambClient, tmp_path: Path) -> None:
    got = fetch_tts(client, 2001, tmp_path / "speech.flac")
    assert got.path.read_bytes() == sandbox.media_bytes("speech.flac")
    [request] = sandbox.requests
    assert request.path == "/apis/tts-result/2001" and request.query == {"output_type": ["raw_bytes"]}


def test_tts_via_url(sandbox: Sandbox, client: CambClient, tmp_path: Path) -> None:
    got = fetch_tts(client, 2001, tmp_path / "speech.flac", via_url=True)
    assert got.path.read_bytes() == sandbox.media_bytes("speech.flac")
    assert [r.path for r in sandbox.requests] == ["/apis/tts-result/2001", "/media/speech.flac"]


def test_tts_cut_short_leaves_no_file(sandbox: Sandbox, client: CambClient, tmp_path: Path) -> None:
    sandbox.add_fault(Fault(path=r"/tts-result/", kind="drop", after_bytes=1000))
    target = tmp_path / "speech.flac"
    with pytest.raises(DownloadError, match="connection dropped after 1000 of 25726 bytes"):
        fetch_tts(client, 2001, target)
    assert list(tmp_path.iterdir()) == []


def test_tts_cli(sandbox: Sandbox, tmp_path: Path) -> None:
    ok = cli(sandbox, "tts", "2001", "-o", str(tmp_path / "a.flac"))
    assert ok.exit_code == 0 and (tmp_path / "a.flac").stat().st_size == 25726
    by_url = cli(sandbox, "tts", "2001", "--url", "-o", str(tmp_path / "b.flac"), "-q")
    assert by_url.exit_code == 0 and by_url.output == ""
    missing = cli(sandbox, "tts", "7", "-o", str(tmp_path / "c.flac"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: tts run 7: GET ") and "HTTP 404" in missing.stderr


def test_tts_bytes_are_saved_as_flac_even_if_a_gateway_would_gzip_them(
    sandbox: Sandbox, client: CambClient, tmp_path: Path
) -> None:
    """The body is written raw (decode_content=False), so the request must ask for the
    identity encoding; otherwise a compressing gateway gets a gzip file saved as .flac, of
    exactly the announced length, so no size check catches it."""
    sandbox.add_fault(Fault(path=r"/tts-result/", kind="gzip"))
    got = fetch_tts(client, 2001, tmp_path / "speech.flac")
    assert got.path.read_bytes() == sandbox.media_bytes("speech.flac")


def test_tts_via_url_resumes_after_a_drop(sandbox: Sandbox, client: CambClient, tmp_path: Path) -> None:
    """The presigned file is media like any other: a dropped connection resumes with a
    Range request instead of failing the command."""
    sandbox.add_fault(Fault(path=r"/media/speech\.flac", kind="drop", after_bytes=5000))
    target = tmp_path / "speech.flac"
    got = fetch_tts(client, 2001, target, via_url=True)
    assert got.path == target and target.read_bytes() == sandbox.media_bytes("speech.flac")
    assert [r.range for r in sandbox.matching("GET", r"/media/")] == [None, "bytes=5000-"]
    assert [p.name for p in tmp_path.iterdir()] == ["speech.flac"]


def test_poll_interval_has_a_floor_and_backs_off(sandbox: Sandbox) -> None:
    """``--poll-interval 0`` once sent 69 polls in 3 s: the waits now start at 0.5 s at
    least and grow; the CLI refuses an interval below the floor."""
    waits: list[float] = []
    sandbox.alt_polls = 4
    with CambClient(sandbox.api_key, sandbox.url) as api:
        alt_format_url(api, 1001, resolve("en-US"), "wav",
                       PollPolicy(initial=0, factor=1.0, sleep=waits.append))
    assert waits and waits[0] >= 0.5
    assert all(b > a for a, b in itertools.pairwise(waits))
    result = CliRunner().invoke(main, ["alt-format", "1001", "-l", "en-US", "-F", "wav",
                                       "-o", "x", "--poll-interval", "0", "--sandbox"])
    assert result.exit_code == 2 and "0.5" in result.output
