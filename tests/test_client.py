"""CambClient against the sandbox over loopback: retries, typed errors, bulk batching."""

from __future__ import annotations

import email.utils
import socket
import string
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dubsubs.camb.client import (
    CambClient,
    RetryPolicy,
    parse_retry_after,
    plan_bulk_chunks,
    unique_run_ids,
)
from dubsubs.camb.redact import QUERY_MASK, redact_text, redact_url
from dubsubs.camb.sandbox import Fault, Sandbox
from dubsubs.errors import (
    ApiError,
    ApiValidationError,
    AuthenticationError,
    InputError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)

# ------------------------------------------------------------------ bulk planning


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (0, []),
        (1, [1]),
        (2, [2]),
        (5, [5]),
        (6, [3, 3]),
        (7, [4, 3]),
        (10, [5, 5]),
        (11, [4, 4, 3]),
        (16, [4, 4, 4, 4]),
        (26, [5, 5, 4, 4, 4, 4]),
    ],
)
def test_plan_bulk_chunks_uses_fewest_calls_of_two_to_five(count: int, sizes: list[int]) -> None:
    ids = list(range(1, count + 1))
    chunks = plan_bulk_chunks(ids)
    assert [len(c) for c in chunks] == sizes
    assert [i for c in chunks for i in c] == ids


@pytest.mark.parametrize("count", range(2, 60))
def test_plan_bulk_chunks_never_one_never_six(count: int) -> None:
    chunks = plan_bulk_chunks(range(count))
    assert all(2 <= len(c) <= 5 for c in chunks)
    assert len(chunks) == -(-count // 5)


def test_unique_run_ids_dedups_and_rejects_bad_ids() -> None:
    assert unique_run_ids([3, "1", 3, " 2 ", 1]) == [3, 1, 2]
    with pytest.raises(InputError, match="'abc'"):
        unique_run_ids([1, "abc"])
    with pytest.raises(InputError, match="'0'"):
        unique_run_ids(["0"])


# ------------------------------------------------------------------ bulk at the server


@pytest.mark.parametrize(
    ("count", "bulk_sizes", "singles"),
    [(1, [], 1), (2, [2], 0), (5, [5], 0), (6, [3, 3], 0), (7, [4, 3], 0), (11, [4, 4, 3], 0)],
)
def test_dub_results_call_pattern_seen_by_server(
    sandbox: Sandbox, client: CambClient, count: int, bulk_sizes: list[int], singles: int
) -> None:
    ids = list(range(5001, 5001 + count))
    for run_id in ids:
        sandbox.clone_run(1001, run_id)
    results = client.dub_results(ids)
    assert list(results) == ids
    assert all(isinstance(r, dict) and "transcript" in r for r in results.values())
    calls = sandbox.bulk_calls()
    assert [len(c) for c in calls] == bulk_sizes
    assert sorted(i for c in calls for i in c) == (ids if bulk_sizes else [])
    assert sandbox.count("GET", r"/dub-result/") == singles
    assert sandbox.count(None, r"/dubbing-results") == len(bulk_sizes)


def test_dub_results_dedups_before_batching(sandbox: Sandbox, client: CambClient) -> None:
    results = client.dub_results([1001, 1002, 1001, "1002"])
    assert list(results) == [1001, 1002]
    assert sandbox.bulk_calls() == [[1001, 1002]]


def test_unknown_run_fails_alone_among_good_ones(sandbox: Sandbox, client: CambClient) -> None:
    results = client.dub_results([1001, 424242, 1002])
    assert isinstance(results[1001], dict) and isinstance(results[1002], dict)
    error = results[424242]
    assert isinstance(error, NotFoundError)
    assert "run 424242" in str(error)
    # The id was absent from the bulk answer, so it was asked for alone once.
    assert sandbox.count("GET", r"/dub-result/424242$") == 1


def test_id_missing_from_bulk_answer_is_fetched_alone() -> None:
    with Sandbox(bulk_omit={1002}) as server:
        api = CambClient(server.api_key, server.url, retry=RetryPolicy(sleep=lambda s: None))
        results = api.dub_results([1001, 1002, 1003])
        assert all(isinstance(r, dict) for r in results.values())
        assert server.count("GET", r"/dub-result/1002$") == 1
        assert server.count("GET", r"/dub-result/100[13]$") == 0


def test_malformed_bulk_entry_fails_that_run_only() -> None:
    with Sandbox(bulk_malformed={1003}) as server:
        api = CambClient(server.api_key, server.url, retry=RetryPolicy(sleep=lambda s: None))
        results = api.dub_results([1001, 1003])
        assert isinstance(results[1001], dict)
        assert isinstance(results[1003], InputError)
        assert "run 1003" in str(results[1003]) and "not an object" in str(results[1003])


def test_failed_bulk_call_fails_its_runs_only(sandbox: Sandbox, client: CambClient) -> None:
    for run_id in range(6001, 6007):
        sandbox.clone_run(1001, run_id)
    # The first bulk call (3 ids) fails every attempt; the second succeeds.
    sandbox.add_fault(Fault(path=r"/dubbing-results$", kind="status", status=500, times=4))
    results = client.dub_results(range(6001, 6007))
    assert [type(results[i]).__name__ for i in range(6001, 6004)] == ["ServerError"] * 3
    assert all(isinstance(results[i], dict) for i in range(6004, 6007))


def test_single_endpoint_for_a_lone_id(sandbox: Sandbox, client: CambClient) -> None:
    assert client.dub_result(1003)["output_audio_url"].startswith(sandbox.origin)
    assert sandbox.count("GET", r"/dub-result/1003$") == 1


# ------------------------------------------------------------------ errors


def test_bad_key_is_authentication_error(sandbox: Sandbox) -> None:
    api = CambClient("wrong-key-123456", sandbox.url, retry=RetryPolicy(sleep=lambda s: None))
    with pytest.raises(AuthenticationError) as caught:
        api.dub_result(1001)
    assert caught.value.status == 401
    assert "CAMB_API_KEY" in str(caught.value)
    assert "wrong-key-123456" not in str(caught.value)
    assert sandbox.count() == 1  # 401 is not retried


def test_validation_error_shows_detail(client: CambClient) -> None:
    with pytest.raises(ApiValidationError) as caught:
        client.alt_format(1001, 54, "ogg")
    assert caught.value.status == 422
    assert "body.output_format: Input should be" in str(caught.value)
    assert caught.value.detail[0]["loc"] == ["body", "output_format"]


def test_bulk_endpoint_rejects_wrong_sizes_itself(sandbox: Sandbox, client: CambClient) -> None:
    with pytest.raises(ValueError, match="2 to 5"):
        client.dub_results_bulk([1001])
    with pytest.raises(ValueError, match="2 to 5"):
        client.dub_results_bulk([1, 2, 3, 4, 5, 6])
    assert sandbox.count() == 0


def test_not_found_is_not_retried(sandbox: Sandbox, client: CambClient, sleeps) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError):
        client.dub_result(31337)
    assert sandbox.count() == 1
    assert sleeps.calls == []


# ------------------------------------------------------------------ retries


@pytest.mark.parametrize("status", [408, 409, 500, 502, 503, 504])
def test_transient_status_is_retried_with_backoff(
    sandbox: Sandbox,
    client: CambClient,
    sleeps,
    status: int,  # type: ignore[no-untyped-def]
) -> None:
    sandbox.add_fault(Fault(path=r"/dub-result/1001", status=status, times=2))
    assert "transcript" in client.dub_result(1001)
    assert sandbox.count("GET", r"/dub-result/1001") == 3
    # base 0.5 s doubling, jitter fixed at +25 % by rng=0.5 and jitter=0.25
    assert sleeps.calls == pytest.approx([0.5 * 1.125, 1.0 * 1.125])


def test_backoff_is_capped(sandbox: Sandbox, sleeps) -> None:  # type: ignore[no-untyped-def]
    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=3.0, sleep=sleeps, rng=lambda: 1.0)
    api = CambClient(sandbox.api_key, sandbox.url, retry=policy)
    sandbox.add_fault(Fault(path=r"/dub-result/", status=503, times=5))
    api.dub_result(1001)
    assert sleeps.calls == pytest.approx([1.25, 2.5, 3.0, 3.0, 3.0])
    assert sandbox.count() == 6


def test_persistent_5xx_becomes_server_error(sandbox: Sandbox, client: CambClient) -> None:
    sandbox.add_fault(Fault(path=r"/dub-result/", status=503, times=100))
    with pytest.raises(ServerError, match="after 4 attempts"):
        client.dub_result(1001)
    assert sandbox.count() == 4


def test_retry_after_seconds_is_honoured(sandbox: Sandbox, client: CambClient, sleeps) -> None:  # type: ignore[no-untyped-def]
    sandbox.add_fault(Fault(path=r"/dubbing-results", status=429, retry_after="3", times=1))
    client.dub_results([1001, 1002])
    assert sleeps.calls == [3.0]
    assert sandbox.count("POST", r"/dubbing-results") == 2


def test_retry_after_http_date_is_honoured_and_capped(sandbox: Sandbox, sleeps) -> None:  # type: ignore[no-untyped-def]
    policy = RetryPolicy(attempts=3, max_retry_after=7.0, sleep=sleeps)
    api = CambClient(sandbox.api_key, sandbox.url, retry=policy)
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    sandbox.add_fault(Fault(path=r"/dub-result/", status=429, retry_after=later, times=1))
    api.dub_result(1001)
    assert sleeps.calls == [7.0]


def test_persistent_429_becomes_rate_limited(sandbox: Sandbox, client: CambClient) -> None:
    sandbox.add_fault(Fault(path=r"/dub-result/", status=429, retry_after="1", times=100))
    with pytest.raises(RateLimitedError) as caught:
        client.dub_result(1001)
    assert caught.value.retry_after == 1.0
    assert sandbox.count() == 4


def test_read_timeout_is_retried_then_transport_error(sandbox: Sandbox, sleeps) -> None:  # type: ignore[no-untyped-def]
    api = CambClient(
        sandbox.api_key,
        sandbox.url,
        timeout=(2.0, 0.2),
        retry=RetryPolicy(attempts=2, sleep=sleeps),
    )
    sandbox.add_fault(Fault(path=r"/dub-result/", kind="slow", delay=0.6, times=2))
    with pytest.raises(TransportError, match="read timed out") as caught:
        api.dub_result(1001)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert len(sleeps.calls) == 1


def test_slow_answer_within_timeout_succeeds(sandbox: Sandbox, client: CambClient, sleeps) -> None:  # type: ignore[no-untyped-def]
    sandbox.add_fault(Fault(path=r"/dub-result/", kind="slow", delay=0.1, times=1))
    assert "transcript" in client.dub_result(1001)
    assert sleeps.calls == []


def test_connection_refused_is_transport_error(sleeps) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = CambClient(
        "k" * 20, f"http://127.0.0.1:{port}/apis", retry=RetryPolicy(attempts=3, sleep=sleeps)
    )
    with pytest.raises(TransportError, match=r"connection failed \(after 3 attempts"):
        api.dub_result(1)
    assert len(sleeps.calls) == 2


# ------------------------------------------------------------------ redaction


def test_transport_error_on_presigned_url_is_redacted(sandbox: Sandbox, client: CambClient) -> None:
    url = client.dub_result(1001)["video_url"]
    signature = url.split("X-Amz-Signature=")[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    # Nothing listens there: requests' own message quotes the path and query.
    dead_url = url.replace(f"{sandbox.host}:{sandbox.port}", closed)
    with pytest.raises(TransportError) as caught:
        client.open_media(dead_url)
    text = str(caught.value) + repr(caught.value) + str(caught.value.url)
    assert signature not in text and "X-Amz" not in text
    assert "/media/video.mp4" in text


def test_redact_helpers() -> None:
    url = "https://u:p@cdn.example/v/a.mp4?X-Amz-Signature=abcdef0123456789&X-Amz-Expires=60#x"
    assert redact_url(url) == "https://cdn.example/v/a.mp4"
    message = "Max retries exceeded with url: /v/a.mp4?X-Amz-Signature=abcdef0123456789 (x)"
    assert "abcdef0123456789" not in redact_text(message)
    assert redact_text("key sk-123456 in text", ["sk-123456"]) == "key *** in text"
    assert redact_text("no secrets here? none") == "no secrets here? none"


def test_client_repr_hides_key(client: CambClient) -> None:
    assert "test-key" not in repr(client)


def test_parse_retry_after() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30, abs=1.5)


@settings(max_examples=200, deadline=None)
@given(
    signature=st.text(alphabet=string.ascii_uppercase + string.digits + "%+=_", min_size=8,
                      max_size=64),
    path=st.text(alphabet=string.ascii_lowercase + "/.-", min_size=1, max_size=30),
    framing=st.sampled_from(["{}", "url: {} (Caused by x)", "'{}'", "<{}>", "GET {} HTTP/1.1"]),
)
def test_redact_text_removes_any_signature(signature: str, path: str, framing: str) -> None:
    url = f"https://bucket.example/{path}?X-Amz-Expires=600&X-Amz-Signature={signature}"
    for shown in (url, url.split("://", 1)[1].split("/", 1)[1]):  # full URL or bare path
        text = redact_text(framing.format(shown))
        assert signature not in text.replace(QUERY_MASK, "")
        assert "X-Amz" not in text


@pytest.mark.parametrize("status", [422, 404])
def test_refused_bulk_call_falls_back_to_single_calls(
    sandbox: Sandbox, client: CambClient, status: int
) -> None:
    sandbox.add_fault(Fault(path=r"/dubbing-results$", status=status))
    results = client.dub_results([1001, 1002, 4444])
    assert isinstance(results[1001], dict) and isinstance(results[1002], dict)
    assert isinstance(results[4444], NotFoundError)
    assert sandbox.count("POST", r"/dubbing-results$") == 1
    assert sandbox.count("GET", r"/dub-result/") == 3


# ------------------------------------------------------------------ redirects


def test_api_key_is_not_forwarded_to_another_origin_on_redirect(
    sandbox: Sandbox, client: CambClient, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A redirect from the API to storage elsewhere (e.g. TTS bytes on a CDN) must not
    carry the x-api-key header there; requests only strips Authorization by itself."""
    from dubsubs.camb.tts import fetch_tts

    with Sandbox(host="localhost") as cdn:
        target = cdn.presign("speech.flac").replace("127.0.0.1", "localhost")
        sandbox.add_fault(Fault(path=r"/tts-result/", kind="redirect", location=target))
        got = fetch_tts(client, 2001, tmp_path / "speech.flac")
        assert got.path.read_bytes() == cdn.media_bytes("speech.flac")
        assert [r.key_sent for r in sandbox.requests] == [True]
        assert [(r.path, r.key_sent) for r in cdn.requests] == [("/media/speech.flac", False)]


def test_same_origin_redirect_keeps_the_key(sandbox: Sandbox, client: CambClient) -> None:
    sandbox.add_fault(Fault(path=r"/dub-result/1$", kind="redirect", status=307,
                            location=f"{sandbox.url}/dub-result/1001"))
    assert "transcript" in client.dub_result(1)
    assert [(r.path, r.key_sent) for r in sandbox.requests] == [
        ("/apis/dub-result/1", True), ("/apis/dub-result/1001", True)]


def test_endless_redirects_stop(sandbox: Sandbox, client: CambClient) -> None:
    sandbox.add_fault(Fault(path=r"/dub-result/1$", kind="redirect", times=1000,
                            location=f"{sandbox.url}/dub-result/1"))
    with pytest.raises(ApiError, match="redirect"):
        client.dub_result(1)
    assert sandbox.count() <= 12


def test_redact_is_safe_while_other_threads_learn_secrets() -> None:
    """fetch runs downloads in threads: one thread remembers a new URL's signature while
    another redacts an error or a log line. Iterating the live set raised 'Set changed
    size during iteration' inside redact (or inside the logging filter)."""
    import threading

    api = CambClient("k" * 20, "http://127.0.0.1:9/apis")
    stop = threading.Event()

    def learn() -> None:
        for index in range(40_000):
            if stop.is_set():
                return
            api._remember_secrets(f"http://127.0.0.1:9/m?X-Amz-Signature={index:012d}")

    worker = threading.Thread(target=learn, daemon=True)
    worker.start()
    try:
        for _ in range(150):
            assert "0007" not in api.redact("GET /m?X-Amz-Signature=000000000007")
    finally:
        stop.set()
        worker.join(timeout=30)


def test_api_answer_cut_mid_body_is_retried(sandbox: Sandbox, client: CambClient, sleeps) -> None:  # type: ignore[no-untyped-def]
    """A connection that drops inside a JSON answer is a transport failure like any other:
    retried with backoff, then the run comes back whole."""
    sandbox.add_fault(Fault(path=r"/dub-result/1001$", kind="drop", after_bytes=40, times=2))
    assert "transcript" in client.dub_result(1001)
    assert [r.fault for r in sandbox.matching("GET", r"/dub-result/")] == ["drop", "drop", None]
    assert len(sleeps.calls) == 2


def test_api_answer_cut_every_time_is_a_transport_error(sandbox: Sandbox, client: CambClient) -> None:
    sandbox.add_fault(Fault(path=r"/dubbing-results$", kind="drop", after_bytes=10, times=100))
    results = client.dub_results([1001, 1002])
    assert all(isinstance(r, TransportError) for r in results.values()), results
    assert "X-Amz" not in str(results[1001]) and sandbox.count("POST") == 4
