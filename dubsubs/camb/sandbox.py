"""A local stand-in for the Camb.ai API: a real HTTP server on 127.0.0.1.

It serves the sample runs in ``dubsubs/data/sandbox`` the way the real API does, quirks
included: the ``x-api-key`` check (401), the 2-to-5 rule of the bulk endpoint with
FastAPI-shaped 422 bodies, presigned media URLs whose query string is required (403
without a valid signature), Range requests (206), alt-format tasks that go PENDING ->
SUCCESS, and TTS answers as raw FLAC bytes or a URL. Tests inject faults (429 with
Retry-After, 5xx, a connection dropped mid-body, slow answers, Range ignored) and read the
request log to count what the client really sent.

::

    with Sandbox() as sandbox:
        client = CambClient(sandbox.api_key, sandbox.url)
        sandbox.add_fault(Fault(path=r"/dub-result/", kind="status", status=503, times=2))
        client.dub_result(1001)
        assert sandbox.count("GET", r"/dub-result/1001") == 3
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import json
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

__all__ = ["DEFAULT_DATA_DIR", "Fault", "RequestRecord", "Sandbox", "default_data_dir"]

ALT_FORMATS = ("flac", "wav", "mp3", "aac", "m4a", "mkv", "mp4", "mov", "mxf")
MAX_LANGUAGE_ID = 151

CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
    ".aac": "audio/aac",
    ".m4a": "audio/mp4",
    ".mkv": "video/x-matroska",
    ".mov": "video/quicktime",
    ".mxf": "application/mxf",
}

FaultKind = Literal["status", "drop", "slow", "ignore_range", "redirect", "gzip"]


@dataclass
class Fault:
    """A misbehaviour applied to the next ``times`` requests whose path matches ``path``
    (a regex searched in the path, query excluded) and, if given, ``method``.

    - ``status``: answer ``status`` (JSON body), with ``Retry-After: retry_after`` if set.
    - ``drop``: send the headers with the full Content-Length, ``after_bytes`` of the body
      (default: half), then close the connection. Media and JSON answers alike.
    - ``slow``: wait ``delay`` seconds before answering normally.
    - ``ignore_range``: answer 200 with the whole body even to a Range request.
    - ``redirect``: answer ``status`` (302 unless a 3xx is given) with ``Location: location``.
    - ``gzip``: a media or TTS answer to a client that accepts gzip comes gzipped, whole
      (``Content-Encoding: gzip``), as a gateway that compresses everything would send it.
    """

    path: str
    kind: FaultKind = "status"
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    after_bytes: int | None = None
    delay: float = 0.0
    method: str | None = None
    location: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.path, path) is not None


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox saw it. ``path`` excludes the query; ``query`` holds it."""

    method: str
    path: str
    query: dict[str, list[str]]
    range: str | None
    body: Any
    status: int
    fault: str | None = None
    key_sent: bool = False

    @property
    def run_ids(self) -> list[Any]:
        """The ``run_ids`` of a bulk call, else an empty list."""
        if isinstance(self.body, dict) and isinstance(self.body.get("run_ids"), list):
            return list(self.body["run_ids"])
        return []


@dataclass
class _Task:
    run_id: int
    language: int
    output_format: str
    polls: int = 0


@dataclass
class _Media:
    path: Path | None
    data: bytes | None
    content_type: str

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size


def default_data_dir() -> Path:
    """The sample runs and media shipped inside the package."""
    with as_file(files("dubsubs").joinpath("data/sandbox")) as path:
        return Path(path)


DEFAULT_DATA_DIR = "dubsubs/data/sandbox"


class _Reply(Exception):
    """Raised inside a handler to answer with a JSON error."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _problem(loc: list[Any], msg: str, kind: str) -> dict[str, Any]:
    """One entry of a FastAPI 422 ``detail`` list."""
    return {"loc": loc, "msg": msg, "type": kind}


def _missing(loc: list[Any]) -> dict[str, Any]:
    return _problem(loc, "Field required", "missing")


def _invalid(loc: list[Any], msg: str, kind: str) -> _Reply:
    """A 422 answer in FastAPI's shape with one problem."""
    return _Reply(422, {"detail": [_problem(loc, msg, kind)]})


@dataclass
class _State:
    runs: dict[int, Any] = field(default_factory=dict)
    tts: dict[int, str] = field(default_factory=dict)
    media: dict[str, _Media] = field(default_factory=dict)
    tasks: dict[str, _Task] = field(default_factory=dict)
    alt_cache: dict[tuple[int, int, str], str] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    log: list[RequestRecord] = field(default_factory=list)


class Sandbox:
    """The sandbox server. Use as a context manager (serves from a daemon thread) or call
    :meth:`serve_forever` in the foreground.

    ``alt_polls`` is how many polls a new alt-format task answers ``alt_pending_status``
    before ``alt_final_status``; ``alt_success_without_url`` makes SUCCESS carry no URL (the
    client must POST again for the cached one). ``bulk_omit`` ids are left out of bulk
    answers (the single endpoint still knows them); ``bulk_malformed`` ids come back as a
    string instead of an object.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | str | None = None,
        alt_polls: int = 2,
        alt_pending_status: str = "PENDING",
        alt_final_status: str = "SUCCESS",
        alt_success_without_url: bool = False,
        bulk_omit: Iterable[int] = (),
        bulk_malformed: Iterable[int] = (),
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox only listens on loopback addresses")
        self.api_key = api_key or f"sandbox-{secrets.token_hex(12)}"
        self.alt_polls = alt_polls
        self.alt_pending_status = alt_pending_status
        self.alt_final_status = alt_final_status
        self.alt_success_without_url = alt_success_without_url
        self.bulk_omit = set(bulk_omit)
        self.bulk_malformed = set(bulk_malformed)
        self._signing_key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._in_flight = 0
        #: The most requests the sandbox was answering at the same moment.
        self.max_in_flight = 0
        self._state = _State()
        self._server = _Server((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._load(Path(data_dir) if data_dir is not None else default_data_dir())
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, to give to ``CambClient`` or ``--base-url``."""
        return f"{self.origin}/apis"

    def start(self) -> Sandbox:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                args=(0.05,),
                name="dubsubs-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- data

    def _load(self, data_dir: Path) -> None:
        media_dir = data_dir / "media"
        if media_dir.is_dir():
            for path in sorted(media_dir.rglob("*")):
                if path.is_file():
                    name = path.relative_to(media_dir).as_posix()
                    self.add_media(name, path)
        runs_dir = data_dir / "runs"
        if runs_dir.is_dir():
            for path in sorted(runs_dir.glob("*.json")):
                self.add_run(int(path.stem), json.loads(path.read_text(encoding="utf-8")))
        tts = data_dir / "tts.json"
        if tts.is_file():
            for key, name in json.loads(tts.read_text(encoding="utf-8")).items():
                self._state.tts[int(key)] = name

    def add_run(self, run_id: int, body: Any) -> None:
        """Serve ``body`` for ``run_id``; strings ``media:<name>`` become presigned URLs."""
        with self._lock:
            self._state.runs[run_id] = body

    def clone_run(self, source: int, run_id: int) -> None:
        with self._lock:
            self._state.runs[run_id] = self._state.runs[source]

    def remove_run(self, run_id: int) -> None:
        with self._lock:
            self._state.runs.pop(run_id, None)

    @property
    def run_ids(self) -> list[int]:
        with self._lock:
            return sorted(self._state.runs)

    def add_media(self, name: str, source: Path | bytes, content_type: str | None = None) -> str:
        """Serve ``source`` at ``/media/<name>``; returns its presigned URL."""
        if content_type is None:
            content_type = CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
        media = (
            _Media(None, bytes(source), content_type)
            if isinstance(source, bytes | bytearray)
            else _Media(Path(source), None, content_type)
        )
        with self._lock:
            self._state.media[name] = media
        return self.presign(name)

    def media_bytes(self, name: str) -> bytes:
        return self._bytes_of(self._state.media[name])

    @staticmethod
    def _bytes_of(media: _Media) -> bytes:
        if media.data is not None:
            return media.data
        assert media.path is not None
        return media.path.read_bytes()

    def add_tts(self, run_id: int, media_name: str) -> None:
        with self._lock:
            self._state.tts[run_id] = media_name

    def _signature(self, path: str, expires: str) -> str:
        message = f"{path}\n{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()

    def presign(self, name: str, expires: int = 3600) -> str:
        """A presigned-style URL for media ``name``: without its query it is refused."""
        path = f"/media/{name}"
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        return (
            f"{self.origin}{path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}"
            f"&X-Amz-Expires={expires}&X-Amz-Signature={self._signature(path, str(expires))}"
        )

    def _materialize(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("media:"):
            return self.presign(value[len("media:") :])
        if isinstance(value, dict):
            return {k: self._materialize(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._materialize(v) for v in value]
        return value

    # ----------------------------------------------------------------- faults and log

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self._state.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._state.log.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._state.log)

    def matching(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """Logged requests with this method and whose path matches the regex ``path``."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path is None or re.search(path, r.path))
        ]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.matching(method, path))

    def bulk_calls(self) -> list[list[Any]]:
        """The ``run_ids`` of every bulk call, in order."""
        return [r.run_ids for r in self.matching("POST", r"/dubbing-results$")]

    def reset_log(self) -> None:
        with self._lock:
            self._state.log.clear()

    # ----------------------------------------------------------------- API logic

    def _check_key(self, key: str | None) -> None:
        if key is None:
            raise _Reply(401, {"detail": "Missing API key: send it in the x-api-key header"})
        if not hmac.compare_digest(key.encode(), self.api_key.encode()):
            raise _Reply(401, {"detail": "Invalid API key"})

    def _run(self, run_id: int) -> Any:
        with self._lock:
            if run_id not in self._state.runs:
                raise _Reply(404, {"detail": f"Run {run_id} not found"})
            body = self._state.runs[run_id]
        return self._materialize(body)

    def api_dub_result(self, run_id: str) -> Any:
        return self._run(_path_int(run_id, "run_id"))

    def api_bulk(self, body: Any) -> Any:
        if not isinstance(body, dict) or "run_ids" not in body:
            raise _Reply(422, {"detail": [_missing(["body", "run_ids"])]})
        ids = body["run_ids"]
        loc: list[Any] = ["body", "run_ids"]
        if not isinstance(ids, list):
            raise _invalid(loc, "Input should be a valid list", "list_type")
        problems: list[dict[str, Any]] = []
        if len(ids) < 2:
            problems.append(_problem(
                loc, f"List should have at least 2 items after validation, not {len(ids)}", "too_short"))
        if len(ids) > 5:
            problems.append(_problem(
                loc, f"List should have at most 5 items after validation, not {len(ids)}", "too_long"))
        for index, value in enumerate(ids):
            if type(value) is not int:
                problems.append(_problem([*loc, index], "Input should be a valid integer", "int_type"))
            elif value <= 0:
                problems.append(_problem([*loc, index], "Input should be greater than 0", "greater_than"))
        if len({repr(v) for v in ids}) != len(ids):
            problems.append(_problem(loc, "List items should be unique", "unique_items"))
        if problems:
            raise _Reply(422, {"detail": problems})
        answer: dict[str, Any] = {}
        for run_id in ids:
            if run_id in self.bulk_omit:
                continue
            if run_id in self.bulk_malformed:
                answer[str(run_id)] = "run not finished"
                continue
            try:
                answer[str(run_id)] = self._run(run_id)
            except _Reply:
                continue
        return answer

    def api_alt_format_create(self, run_id: str, language: str, body: Any) -> Any:
        run = _path_int(run_id, "run_id")
        lang = _path_int(language, "language")
        if not 1 <= lang <= MAX_LANGUAGE_ID:
            raise _invalid(["path", "language"], "Input should be a valid language id", "enum")
        if not isinstance(body, dict) or "output_format" not in body:
            raise _Reply(422, {"detail": [_missing(["body", "output_format"])]})
        fmt = body["output_format"]
        if fmt not in ALT_FORMATS:
            raise _invalid(["body", "output_format"],
                           "Input should be " + ", ".join(repr(f) for f in ALT_FORMATS), "enum")
        self._run(run)
        key = (run, lang, str(fmt))
        with self._lock:
            cached = self._state.alt_cache.get(key)
            if cached is None:
                task_id = str(uuid.uuid4())
                self._state.tasks[task_id] = _Task(run, lang, str(fmt))
        if cached is not None:
            return {"output_url": self.presign(cached)}
        return {"task_id": task_id}

    def api_alt_format_status(self, task_id: str) -> Any:
        with self._lock:
            task = self._state.tasks.get(task_id)
            if task is None:
                raise _Reply(404, {"detail": f"Task {task_id} not found"})
            task.polls += 1
            polls = task.polls
        if polls <= self.alt_polls:
            return {"status": self.alt_pending_status}
        status = self.alt_final_status
        if status != "SUCCESS":
            return {"status": status, "exception_reason": f"sandbox task ended in {status}"}
        name = f"alt/alt.{task.output_format}"
        with self._lock:
            self._state.alt_cache[(task.run_id, task.language, task.output_format)] = name
        if self.alt_success_without_url:
            return {"status": "SUCCESS"}
        return {"status": "SUCCESS", "output_url": self.presign(name)}

    def tts_media(self, run_id: str, output_type: str) -> tuple[str | None, Any]:
        run = _path_int(run_id, "run_id")
        if output_type not in ("raw_bytes", "file_url"):
            raise _invalid(["query", "output_type"], "Input should be 'raw_bytes' or 'file_url'", "enum")
        with self._lock:
            name = self._state.tts.get(run)
        if name is None:
            raise _Reply(404, {"detail": f"TTS run {run} not found"})
        if output_type == "file_url":
            return None, {"output_url": self.presign(name)}
        return name, None

    def check_signature(self, path: str, query: dict[str, list[str]]) -> None:
        expires = (query.get("X-Amz-Expires") or [""])[0]
        signature = (query.get("X-Amz-Signature") or [""])[0]
        expected = self._signature(path, expires)
        if not signature or not hmac.compare_digest(signature, expected):
            raise _Reply(403, {"detail": "Request has expired or the signature does not match"})

    def media(self, name: str) -> _Media:
        with self._lock:
            media = self._state.media.get(name)
        if media is None:
            raise _Reply(404, {"detail": "NoSuchKey"})
        return media


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client that hangs up is normal here (tests drop connections)
        super().handle_error(request, client_address)


def _path_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _invalid(["path", name], "Input should be a valid integer, unable to parse "
                       "string as an integer", "int_parsing") from None


_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_SEND_CHUNK = 1 << 20


def _make_handler(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls
        server_version = "dubsubs-sandbox"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the request log is kept in memory; nothing goes to stderr

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            sandbox._enter()
            try:
                self._handle_counted(method)
            finally:
                sandbox._leave()

        def _handle_counted(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            query = parse_qs(parts.query)
            self._pending: dict[str, Any] | None = {
                "method": method,
                "path": path,
                "query": query,
                "range": self.headers.get("Range"),
                "body": None,
                "fault": None,
                "key_sent": self.headers.get("x-api-key") is not None,
            }
            try:
                self._pending["body"] = self._read_body()
                body = self._pending["body"]
                if path.startswith("/media/"):
                    sandbox.check_signature(path, query)
                    fault = sandbox._take_fault(method, path)
                    self._note_fault(fault)
                    self._apply_fault(fault)
                    media = sandbox.media(path[len("/media/") :])
                    self._send_media(media, fault)
                elif path.startswith("/apis/"):
                    sandbox._check_key(self.headers.get("x-api-key"))
                    fault = sandbox._take_fault(method, path)
                    self._note_fault(fault)
                    self._apply_fault(fault)
                    self._route(method, path[len("/apis") :], query, body, fault)
                else:
                    raise _Reply(404, {"detail": "Not Found"})
            except _Reply as reply:
                self._send_json(reply.status, reply.body, reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                self._log(499)
                self.close_connection = True
            finally:
                self._log(500)  # only if nothing was answered

        def _note_fault(self, fault: Fault | None) -> None:
            if self._pending is not None and fault is not None:
                self._pending["fault"] = fault.kind

        def _log(self, status: int) -> None:
            # Logged before the answer is written, so a client that has its answer can
            # count on the request being in the log already.
            pending, self._pending = self._pending, None
            if pending is not None:
                sandbox._record(RequestRecord(status=status, **pending))

        def _read_body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            if not length:
                return None
            raw = self.rfile.read(length)
            try:
                return json.loads(raw)
            except ValueError:
                raise _invalid(["body"], "JSON decode error", "json_invalid") from None

        def _apply_fault(self, fault: Fault | None) -> None:
            if fault is None:
                return
            if fault.kind == "slow":
                time.sleep(max(0.0, min(fault.delay, 30.0)))
            elif fault.kind == "redirect":
                status = fault.status if 300 <= fault.status <= 399 else 302
                raise _Reply(status, {"detail": "moved"}, {"Location": fault.location or "/"})
            elif fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                raise _Reply(
                    fault.status, {"detail": f"sandbox fault: HTTP {fault.status}"}, headers
                )

        def _route(
            self,
            method: str,
            path: str,
            query: dict[str, list[str]],
            body: Any,
            fault: Fault | None,
        ) -> int:
            segments = [s for s in path.split("/") if s]
            if method == "GET" and len(segments) == 2 and segments[0] == "dub-result":
                return self._send_json(200, sandbox.api_dub_result(segments[1]), fault=fault)
            if method == "POST" and segments == ["dubbing-results"]:
                return self._send_json(200, sandbox.api_bulk(body), fault=fault)
            if segments and segments[0] == "dub-alt-format":
                if method == "POST" and len(segments) == 3:
                    answer = sandbox.api_alt_format_create(segments[1], segments[2], body)
                    return self._send_json(200, answer, fault=fault)
                if method == "GET" and len(segments) == 2:
                    return self._send_json(200, sandbox.api_alt_format_status(segments[1]), fault=fault)
            if method == "GET" and len(segments) == 2 and segments[0] == "tts-result":
                output_type = (query.get("output_type") or ["raw_bytes"])[0]
                name, answer = sandbox.tts_media(segments[1], output_type)
                if name is None:
                    return self._send_json(200, answer, fault=fault)
                return self._send_media(sandbox.media(name), fault, ranges=False)
            raise _Reply(404 if method == "GET" else 405, {"detail": "Not Found"})

        def _send_json(
            self,
            status: int,
            body: Any,
            headers: dict[str, str] | None = None,
            fault: Fault | None = None,
        ) -> int:
            data = json.dumps(body).encode()
            self._log(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if fault is not None and fault.kind == "drop":
                cut = fault.after_bytes if fault.after_bytes is not None else len(data) // 2
                self.wfile.write(data[: max(0, min(len(data) - 1, cut))])
                self._cut_short()
                return status
            self.wfile.write(data)
            return status

        def _cut_short(self) -> None:
            # The promised body is cut short: close so the client sees a short read.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _send_media(self, media: _Media, fault: Fault | None, ranges: bool = True) -> int:
            accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
            if fault is not None and fault.kind == "gzip" and accepts_gzip:
                return self._send_gzipped(media)
            total = media.size
            start, end = 0, total - 1
            status = 200
            range_header = self.headers.get("Range")
            honour_range = ranges and not (fault and fault.kind == "ignore_range")
            if range_header and honour_range:
                match = _RANGE.match(range_header.strip())
                if match is not None and match.group(2) and int(match.group(2)) < int(match.group(1)):
                    range_header = None  # invalid, so ignored (RFC 9110 14.1.1)
            if range_header and honour_range:
                if match is None or int(match.group(1)) >= total:
                    self._log(416)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{total}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return 416
                start = int(match.group(1))
                if match.group(2):
                    end = min(total - 1, int(match.group(2)))
                status = 206
            length = end - start + 1
            self._log(status)
            self.send_response(status)
            self.send_header("Content-Type", media.content_type)
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes" if ranges else "none")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
            self.end_headers()
            send = length
            if fault is not None and fault.kind == "drop":
                send = min(
                    length - 1, fault.after_bytes if fault.after_bytes is not None else length // 2
                )
                send = max(0, send)
            self._write_body(media, start, send)
            if send < length:
                self._cut_short()
            return status

        def _send_gzipped(self, media: _Media) -> int:
            data = gzip.compress(sandbox._bytes_of(media))
            self._log(200)
            self.send_response(200)
            self.send_header("Content-Type", media.content_type)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return 200

        def _write_body(self, media: _Media, start: int, count: int) -> None:
            if count <= 0:
                return
            if media.data is not None:
                self.wfile.write(media.data[start : start + count])
                return
            assert media.path is not None
            with open(media.path, "rb") as handle:
                self.connection.sendfile(handle, start, count)

    return Handler


def iter_faults(specs: Iterable[str]) -> Iterator[Fault]:
    """Faults from command-line specs ``KIND:PATH_REGEX[:VALUE[:TIMES]]``, e.g.
    ``status:/dub-result/:503:2``, ``status:/dubbing-results:429:1`` (Retry-After 1),
    ``drop:/media/::3``, ``slow:/apis/:2.5:10``, ``ignore_range:/media/``."""
    for spec in specs:
        kind, _, rest = spec.partition(":")
        path, _, rest = rest.partition(":")
        value, _, times_text = rest.partition(":")
        if kind not in ("status", "drop", "slow", "ignore_range") or not path:
            raise ValueError(f"bad fault {spec!r}: use KIND:PATH_REGEX[:VALUE[:TIMES]]")
        try:
            re.compile(path)
        except re.error as exc:
            raise ValueError(f"bad fault {spec!r}: PATH_REGEX: {exc}") from None
        try:
            times = int(times_text) if times_text else 1
            fault = Fault(path=path, kind=kind, times=times)  # type: ignore[arg-type]
            if kind == "status" and value:
                fault.status = int(value)
                if fault.status == 429:
                    fault.retry_after = "1"
            elif kind == "slow" and value:
                fault.delay = float(value)
            elif kind == "drop" and value:
                fault.after_bytes = int(value)
        except ValueError:
            raise ValueError(f"bad fault {spec!r}: VALUE and TIMES must be numbers") from None
        yield fault
