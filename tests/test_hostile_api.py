"""The API side against a hostile server (issue 8): each answer here came from a real HTTP
server on 127.0.0.1, the sandbox with a bounded fault or a small server of the test's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dubsubs.camb.client import CambClient, RetryPolicy
from dubsubs.camb.sandbox import Fault, Sandbox
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
