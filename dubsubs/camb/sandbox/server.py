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

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from .faults import Fault, RequestRecord
from .handlers import Handler, _invalid, _missing, _path_int, _problem, _Reply

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
        self._server = _Server((host, port), Handler)
        self._server.sandbox = self
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

    def etag(self, media: _Media) -> str:
        """A strong ETag that is the MD5 of the bytes, as storage gives a single-part
        upload (so it also serves as a checksum)."""
        return '"' + hashlib.md5(self._bytes_of(media)).hexdigest() + '"'

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
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # a client that hangs up is normal here (tests drop connections)
        super().handle_error(request, client_address)
