"""The sandbox itself, spoken to with plain requests: it must behave like the API."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from dubsubs.camb.sandbox import Fault, Sandbox, iter_faults


def api(
    sandbox: Sandbox, method: str, path: str, key: str | None = "", **kw: Any
) -> requests.Response:
    headers = {} if key is None else {"x-api-key": key or sandbox.api_key}
    return requests.request(method, sandbox.url + path, headers=headers, timeout=5, **kw)


def test_key_is_checked(sandbox: Sandbox) -> None:
    assert api(sandbox, "GET", "/dub-result/1001", key=None).status_code == 401
    bad = api(sandbox, "GET", "/dub-result/1001", key="nope")
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid API key"}
    assert api(sandbox, "GET", "/dub-result/1001").status_code == 200


def test_sample_runs(sandbox: Sandbox) -> None:
    one = api(sandbox, "GET", "/dub-result/1001").json()
    assert set(one) == {"video_url", "audio_url", "transcript"}
    assert one["transcript"][0]["end"] == 1.2
    two = api(sandbox, "GET", "/dub-result/1002").json()
    assert set(two) == {"es-ES", "fr-FR"} and two["es-ES"]["transcript"][1]["start"] == 1350
    three = api(sandbox, "GET", "/dub-result/1003").json()
    assert three["video_url"] is None and "X-Amz-Signature=" in three["output_audio_url"]
    assert api(sandbox, "GET", "/dub-result/999").status_code == 404
    assert api(sandbox, "GET", "/dub-result/abc").json()["detail"][0]["loc"] == ["path", "run_id"]


@pytest.mark.parametrize(
    ("ids", "kinds"),
    [
        ([1001], ["too_short"]),
        ([1, 2, 3, 4, 5, 6], ["too_long"]),
        ([1001, 0], ["greater_than"]),
        ([1001, -4], ["greater_than"]),
        ([1001, 1001], ["unique_items"]),
        ([1001, "x"], ["int_type"]),
    ],
)
def test_bulk_rule_gives_fastapi_422(sandbox: Sandbox, ids: list[Any], kinds: list[str]) -> None:
    answer = api(sandbox, "POST", "/dubbing-results", json={"run_ids": ids})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert [d["type"] for d in detail] == kinds
    assert all(d["loc"][:2] == ["body", "run_ids"] and d["msg"] for d in detail)


def test_bulk_answer_keyed_by_id_string_without_unknown_ids(sandbox: Sandbox) -> None:
    answer = api(sandbox, "POST", "/dubbing-results", json={"run_ids": [1001, 77, 1003]})
    assert answer.status_code == 200 and sorted(answer.json()) == ["1001", "1003"]


def test_media_needs_its_signature_and_honours_range(sandbox: Sandbox) -> None:
    url = api(sandbox, "GET", "/dub-result/1001").json()["video_url"]
    data = sandbox.media_bytes("video.mp4")
    assert requests.get(url.split("?")[0], timeout=5).status_code == 403
    assert (
        requests.get(url.replace("X-Amz-Expires=3600", "X-Amz-Expires=9999"), timeout=5).status_code
        == 403
    )
    full = requests.get(url, timeout=5)
    assert full.status_code == 200 and full.content == data
    assert full.headers["Content-Type"] == "video/mp4"
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=5)
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = requests.get(url, headers={"Range": "bytes=100-"}, timeout=5)
    assert tail.content == data[100:]
    assert requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=5).status_code == 416


def test_drop_fault_cuts_the_body(sandbox: Sandbox) -> None:
    url = sandbox.presign("video.mp4")
    sandbox.add_fault(Fault(path=r"/media/", kind="drop", after_bytes=100))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=5).content  # noqa: B018
    assert requests.get(url, timeout=5).status_code == 200  # fault used up


def test_status_fault_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.add_fault(
        Fault(path=r"/dub-result/", status=429, retry_after="7", times=2, method="GET")
    )
    for _ in range(2):
        answer = api(sandbox, "GET", "/dub-result/1001")
        assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    assert api(sandbox, "GET", "/dub-result/1001").status_code == 200
    assert [r.fault for r in sandbox.requests] == ["status", "status", None]


def test_alt_format_task_goes_pending_then_success(sandbox: Sandbox) -> None:
    task = api(sandbox, "POST", "/dub-alt-format/1001/54", json={"output_format": "wav"}).json()
    statuses = [api(sandbox, "GET", f"/dub-alt-format/{task['task_id']}").json() for _ in range(3)]
    assert [s["status"] for s in statuses] == ["PENDING", "PENDING", "SUCCESS"]
    output = requests.get(statuses[2]["output_url"], timeout=5)
    assert output.headers["Content-Type"] == "audio/wav" and output.content[:4] == b"RIFF"
    # Done once: the same request now answers with the cached URL at once.
    again = api(sandbox, "POST", "/dub-alt-format/1001/54", json={"output_format": "wav"}).json()
    assert set(again) == {"output_url"}


def test_alt_format_validation(sandbox: Sandbox) -> None:
    bad_format = api(sandbox, "POST", "/dub-alt-format/1001/54", json={"output_format": "ogg"})
    assert bad_format.status_code == 422
    assert bad_format.json()["detail"][0]["loc"] == ["body", "output_format"]
    assert (
        api(sandbox, "POST", "/dub-alt-format/1001/999", json={"output_format": "wav"}).status_code
        == 422
    )
    assert (
        api(sandbox, "POST", "/dub-alt-format/5/54", json={"output_format": "wav"}).status_code
        == 404
    )
    assert api(sandbox, "GET", "/dub-alt-format/no-such-task").status_code == 404


def test_alt_format_success_without_url_and_other_endings() -> None:
    with Sandbox(alt_polls=0, alt_success_without_url=True) as server:
        task = api(server, "POST", "/dub-alt-format/1001/1", json={"output_format": "mp3"}).json()
        assert api(server, "GET", f"/dub-alt-format/{task['task_id']}").json() == {
            "status": "SUCCESS"
        }
    with Sandbox(alt_polls=1, alt_final_status="PAYMENT_REQUIRED") as server:
        task = api(server, "POST", "/dub-alt-format/1001/1", json={"output_format": "mp3"}).json()
        polls = [
            api(server, "GET", f"/dub-alt-format/{task['task_id']}").json()["status"]
            for _ in range(2)
        ]
        assert polls == ["PENDING", "PAYMENT_REQUIRED"]


def test_tts_bytes_and_url(sandbox: Sandbox) -> None:
    raw = api(sandbox, "GET", "/tts-result/2001")
    assert raw.headers["Content-Type"] == "audio/flac" and raw.content[:4] == b"fLaC"
    url = api(sandbox, "GET", "/tts-result/2001", params={"output_type": "file_url"}).json()[
        "output_url"
    ]
    assert requests.get(url, timeout=5).content == raw.content
    assert api(sandbox, "GET", "/tts-result/2001", params={"output_type": "xml"}).status_code == 422
    assert api(sandbox, "GET", "/tts-result/1").status_code == 404


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Sandbox(host="0.0.0.0")


def test_fault_specs() -> None:
    faults = list(iter_faults(["status:/dub-result/:429:3", "drop:/media/:100", "slow:/apis/:1.5"]))
    assert (faults[0].kind, faults[0].status, faults[0].retry_after, faults[0].times) == (
        "status",
        429,
        "1",
        3,
    )
    assert faults[1].after_bytes == 100 and faults[2].delay == 1.5
    with pytest.raises(ValueError, match="bad fault"):
        list(iter_faults(["explode:/x"]))
    with pytest.raises(ValueError, match="numbers"):
        list(iter_faults(["slow:/x:fast"]))


def test_fault_spec_with_a_broken_regex_is_refused_up_front() -> None:
    """Otherwise the sandbox starts, and every request's handler dies on re.error."""
    with pytest.raises(ValueError, match="bad fault"):
        list(iter_faults(["status:/dub-result/(:503"]))


def test_drop_fault_cuts_json_answers_too(sandbox: Sandbox) -> None:
    """It used to be used up on an API path without cutting anything."""
    sandbox.add_fault(Fault(path=r"/dub-result/", kind="drop", after_bytes=20))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api(sandbox, "GET", "/dub-result/1001").content  # noqa: B018
    assert api(sandbox, "GET", "/dub-result/1001").status_code == 200
    assert [r.fault for r in sandbox.requests] == ["drop", None]


def test_gzip_fault_compresses_for_clients_that_accept_it(sandbox: Sandbox) -> None:
    import gzip

    sandbox.add_fault(Fault(path=r"/tts-result/", kind="gzip", times=2))
    url = f"{sandbox.url}/tts-result/2001"
    plain = requests.get(url, headers={"x-api-key": sandbox.api_key, "Accept-Encoding": "identity"},
                         timeout=5)
    assert "Content-Encoding" not in plain.headers
    raw = requests.get(url, headers={"x-api-key": sandbox.api_key}, stream=True, timeout=5)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw.raw.read()) == sandbox.media_bytes("speech.flac")


def test_backwards_range_is_ignored_like_a_real_server_does(sandbox: Sandbox) -> None:
    """RFC 9110: a range whose last byte comes before its first is invalid and the header
    is ignored (200, whole body); it used to announce a negative Content-Length."""
    url = sandbox.presign("video.mp4")
    answer = requests.get(url, headers={"Range": "bytes=500-100"}, timeout=5)
    assert answer.status_code == 200 and answer.content == sandbox.media_bytes("video.mp4")
