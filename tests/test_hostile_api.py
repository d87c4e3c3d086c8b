"""The API side against a hostile server (issue 8): each answer here came from a real HTTP
server on 127.0.0.1, the sandbox with a bounded fault or a small server of the test's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from dubsubs.camb.client import CambClient, RetryPolicy
from dubsubs.camb.fetch import FetchOptions, fetch_runs
from dubsubs.camb.sandbox import Fault, Sandbox
from dubsubs.cli import main
from dubsubs.errors import ApiError, TransportError
from dubsubs.wording import printable

Answer = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def hostile() -> Iterator[Callable[[Answer], str]]:
    """Start a threaded server on 127.0.0.1 (port 0) whose every GET/POST is ``answer``;
    yields a function that takes the answer and returns the base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Answer) -> str:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                answer(self)

            do_POST = do_GET

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/apis"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _json_answer(body: bytes, status: int = 200, **headers: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def _client(url: str, **kw: object) -> CambClient:
    return CambClient("k-secret-123456", url, retry=RetryPolicy(attempts=1), **kw)  # type: ignore[arg-type]


def test_slow_drip_answer_ends_at_the_deadline(sandbox: Sandbox) -> None:
    """One byte every 0.2 s would take minutes for a dub result: the deadline (0.6 s here)
    ends the call, though every byte arrives well within the read timeout."""
    sandbox.add_fault(Fault(path=r"/dub-result/", kind="drip", delay=0.2, times=1))
    with CambClient(sandbox.api_key, sandbox.url, retry=RetryPolicy(attempts=1),
                    deadline=0.6) as api:
        began = time.monotonic()
        with pytest.raises(TransportError, match="no complete answer within 0.6 s"):
            api.dub_result(1001)
        assert time.monotonic() - began < 10  # bounded, not a timing claim on the drip
        assert api.dub_result(1001)  # the fault is spent; the next call is answered


def test_deadline_must_be_positive() -> None:
    for bad in (0, -1, float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="deadline"):
            CambClient("k", "http://127.0.0.1:9/apis", deadline=bad)  # type: ignore[arg-type]


def test_deeply_nested_json_is_one_clear_error(hostile: Callable[[Answer], str]) -> None:
    url = hostile(_json_answer(b"[" * 100_000 + b"]" * 100_000))
    with _client(url) as api, pytest.raises(ApiError, match="nested too deeply"):
        api.dub_result(1001)


def test_invalid_utf8_is_refused_as_convert_refuses_it(hostile: Callable[[Answer], str]) -> None:
    url = hostile(_json_answer(b'{"transcript": [{"start": 0, "end": 1, "text": "caf\xe9"}]}'))
    with _client(url) as api, pytest.raises(ApiError, match=r"not UTF-8 \(byte \d+\)"):
        api.dub_result(1001)


@pytest.mark.parametrize("location", ["http://[::1", "http://127.0.0.1:99999/x", "ftp://x/y"])
def test_malformed_redirect_location_is_a_clear_error(hostile: Callable[[Answer], str],
                                                      location: str) -> None:
    url = hostile(_json_answer(b"{}", 302, Location=location))
    with _client(url) as api, pytest.raises(ApiError, match="redirects to") as caught:
        api.dub_result(1001)
    assert "\n" not in str(caught.value)


def test_server_strings_cannot_reach_the_terminal_raw(hostile: Callable[[Answer], str]) -> None:
    """An HTTP 4xx detail with an escape sequence and CR/LF would rewrite the terminal and
    forge lines: the message shows them escaped, on one line."""
    evil = b'{"detail": "\\u001b[2J\\r\\nerror: forged line\\u202e"}'
    url = hostile(_json_answer(evil, 400))
    with _client(url) as api, pytest.raises(ApiError) as caught:
        api.dub_result(1001)
    message = str(caught.value)
    assert "\x1b" not in message and "\r" not in message and "\n" not in message
    assert "\u202e" not in message
    assert "\\x1b[2J\\x0d\\x0aerror: forged line\\u202e" in message


def test_printable_escapes_every_control_and_is_idempotent() -> None:
    text = "ok\x00\x07\x1b]0;title\x07\x7f\x85\x9b\u2028\u2066é→"
    shown = printable(text)
    assert shown.isprintable() and printable(shown) == shown
    assert shown.endswith("é→") and shown.startswith("ok\\x00")


# --- the deadline on the command line, and the floor on a media body ------------------


@pytest.mark.parametrize("command", [["fetch", "1001", "-o", "out"],
                                     ["alt-format", "1001", "-l", "54", "-F", "wav", "-o", "out"],
                                     ["tts", "2001", "-o", "out.flac"]])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_deadline_option_must_be_positive(command: list[str], value: str) -> None:
    result = CliRunner().invoke(main, [*command, "--sandbox", "--deadline", value])
    assert result.exit_code == 2
    assert "Invalid value for '--deadline': must be a positive number of seconds" in result.output


def _env(sandbox: Sandbox) -> dict[str, str]:
    return {"CAMB_API_BASE_URL": sandbox.url, "CAMB_API_KEY": sandbox.api_key}


def test_deadline_option_cuts_a_dripping_api_answer(sandbox: Sandbox, tmp_path: Path) -> None:
    """``--deadline 0.5`` reaches the client: a dub result dripped a byte every 0.2 s ends
    in one line naming the deadline, though every byte beats the read timeout."""
    sandbox.add_fault(Fault(path=r"/dub-result/", kind="drip", delay=0.2, times=5))
    result = CliRunner().invoke(main, ["fetch", "1001", "-o", str(tmp_path), "--deadline", "0.5"],
                                env=_env(sandbox))
    assert result.exit_code == 1
    assert "no complete answer within 0.5 s" in result.output
    assert "Traceback" not in result.output


def test_dripping_tts_body_is_cut_by_the_floor(sandbox: Sandbox, tmp_path: Path) -> None:
    """TTS bytes dripped a byte every 0.05 s would take about a quarter of an hour: with
    ``--deadline 0.5`` they must come at 16 KiB/s on average after 0.5 s, so the download
    stops within a few seconds, one clear line, and no file is left at the target."""
    sandbox.add_fault(Fault(path=r"/tts-result/", kind="drip", delay=0.05, times=1))
    target = tmp_path / "tts.flac"
    result = CliRunner().invoke(main, ["tts", "2001", "-o", str(target), "--deadline", "0.5"],
                                env=_env(sandbox))
    assert result.exit_code == 1, result.output
    assert "the body came slower than 16 KiB/s on average" in result.output
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_dripping_media_is_cut_kept_and_resumed_next_time(sandbox: Sandbox, tmp_path: Path) -> None:
    """A video dripped a byte every 0.05 s: the floor (here 1 MiB/s after a 0.5 s grace,
    so the 18 KiB file may take about 0.52 s) stops it as that file's error, the run's
    other files are written, and the next fetch (the drip spent) completes it."""
    sandbox.add_fault(Fault(path=r"^/media/video", kind="drip", delay=0.05, times=1))
    with CambClient(sandbox.api_key, sandbox.url, retry=RetryPolicy(attempts=1), deadline=0.5,
                    media_min_rate=1 << 20) as api:
        [outcome] = fetch_runs(api, [1001], tmp_path, FetchOptions(formats=("srt",), review=False))
        [error] = outcome.errors
        assert error.startswith("run 1001: video: http://127.0.0.1:")
        assert "the body came slower than 1024 KiB/s on average; stopped after" in error
        assert error.endswith(f"of {len(sandbox.media_bytes('video.mp4'))} bytes (kept for a later resume)")
        assert sorted(f.name for f in outcome.files) == ["1001.audio.mp3", "1001.srt"]
        assert sandbox.count("GET", r"^/media/video") == 1  # too slow is not retried at once
        [again] = fetch_runs(api, [1001], tmp_path, FetchOptions(formats=("srt",), review=False))
    assert again.ok, again.errors
    assert (tmp_path / "1001" / "1001.mp4").read_bytes() == sandbox.media_bytes("video.mp4")


def test_media_min_rate_must_be_positive() -> None:
    for bad in (0, -1, float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="media_min_rate"):
            CambClient("k", "http://127.0.0.1:9/apis", media_min_rate=bad)  # type: ignore[arg-type]
