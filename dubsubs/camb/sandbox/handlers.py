"""The sandbox's HTTP side: one request handler that routes to the :class:`Sandbox`'s API
logic, applies faults, answers JSON and media (Range requests included), and logs every
request before answering it."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .faults import Fault, RequestRecord

if TYPE_CHECKING:
    from .server import Sandbox, _Media

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



def _path_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _invalid(["path", name], "Input should be a valid integer, unable to parse "
                       "string as an integer", "int_parsing") from None


_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests for the :class:`Sandbox` its server carries."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls
    server_version = "dubsubs-sandbox"
    sys_version = ""

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox  # type: ignore[attr-defined, no-any-return]  # a _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is kept in memory; nothing goes to stderr

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        self.sandbox._enter()
        try:
            self._handle_counted(method)
        finally:
            self.sandbox._leave()

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
                self.sandbox.check_signature(path, query)
                fault = self.sandbox._take_fault(method, path)
                self._note_fault(fault)
                self._apply_fault(fault)
                media = self.sandbox.media(path[len("/media/") :])
                self._send_media(media, fault)
            elif path.startswith("/apis/"):
                self.sandbox._check_key(self.headers.get("x-api-key"))
                fault = self.sandbox._take_fault(method, path)
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
            self.sandbox._record(RequestRecord(status=status, **pending))

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
            return self._send_json(200, self.sandbox.api_dub_result(segments[1]), fault=fault)
        if method == "POST" and segments == ["dubbing-results"]:
            return self._send_json(200, self.sandbox.api_bulk(body), fault=fault)
        if segments and segments[0] == "dub-alt-format":
            if method == "POST" and len(segments) == 3:
                answer = self.sandbox.api_alt_format_create(segments[1], segments[2], body)
                return self._send_json(200, answer, fault=fault)
            if method == "GET" and len(segments) == 2:
                return self._send_json(200, self.sandbox.api_alt_format_status(segments[1]), fault=fault)
        if method == "GET" and len(segments) == 2 and segments[0] == "tts-result":
            output_type = (query.get("output_type") or ["raw_bytes"])[0]
            name, answer = self.sandbox.tts_media(segments[1], output_type)
            if name is None:
                return self._send_json(200, answer, fault=fault)
            return self._send_media(self.sandbox.media(name), fault, ranges=False)
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
        if fault is not None and fault.kind == "drip":
            self._drip(data, fault.delay)
            return status
        if fault is not None and fault.kind == "drop":
            cut = fault.after_bytes if fault.after_bytes is not None else len(data) // 2
            self.wfile.write(data[: max(0, min(len(data) - 1, cut))])
            self._cut_short()
            return status
        self.wfile.write(data)
        return status

    def _drip(self, data: bytes, delay: float) -> None:
        """One byte every ``delay`` seconds (at most 5), until the body ends or the client
        hangs up (the write then fails and the handler ends)."""
        for index in range(len(data)):
            time.sleep(max(0.0, min(delay, 5.0)))
            self.wfile.write(data[index : index + 1])
            self.wfile.flush()

    def _cut_short(self) -> None:
        # The promised body is cut short: close so the client sees a short read.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_media(self, media: _Media, fault: Fault | None, ranges: bool = True) -> int:
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if fault is not None and fault.kind == "gzip" and (accepts_gzip or fault.force):
            return self._send_gzipped(media)
        total = media.size
        start, end = 0, total - 1
        status = 200
        range_header = self.headers.get("Range")
        honour_range = ranges and not (fault and fault.kind == "ignore_range")
        etag = self.sandbox.etag(media)
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range.strip() != etag:
            range_header = None  # another object than the client holds: send it whole
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
        self.send_header("ETag", etag)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{total}")
        self.end_headers()
        send = length
        if fault is not None and fault.kind == "drop":
            send = min(
                length - 1, fault.after_bytes if fault.after_bytes is not None else length // 2
            )
            send = max(0, send)
        if fault is not None and fault.kind == "drip":
            self._drip(self.sandbox._bytes_of(media)[start : start + send], fault.delay)
            return status
        self._write_body(media, start, send,
                         corrupt=fault is not None and fault.kind == "corrupt")
        if send < length:
            self._cut_short()
        return status

    def _send_gzipped(self, media: _Media) -> int:
        data = gzip.compress(self.sandbox._bytes_of(media))
        self._log(200)
        self.send_response(200)
        self.send_header("Content-Type", media.content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return 200

    def _write_body(self, media: _Media, start: int, count: int,
                    corrupt: bool = False) -> None:
        if count <= 0:
            return
        if corrupt:
            body = self.sandbox._bytes_of(media)[start : start + count]
            self.wfile.write(bytes(b ^ 0xFF for b in body))
            return
        if media.data is not None:
            self.wfile.write(media.data[start : start + count])
            return
        assert media.path is not None
        with open(media.path, "rb") as handle:
            self.connection.sendfile(handle, start, count)

