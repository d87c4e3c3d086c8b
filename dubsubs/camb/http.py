"""The only module that knows the HTTP library (``requests``). Nothing of its types leaves
this module: callers get an :class:`HttpResponse` and, for a transport failure, a
:class:`TransportFailure` whose ``reason`` is a short fixed phrase that never quotes a URL.

Guarantees:

- **Deadline.** :meth:`HttpSession.send` takes a ``deadline`` in seconds: a watchdog shuts
  the connection's socket when it passes, whatever the server does (a slow drip of headers
  or body defeats connect and read timeouts, which restart at every byte). The request then
  fails with the reason ``"no complete answer within N s"``. A caller streaming a large
  body calls :meth:`HttpResponse.release_deadline` once the headers are in.
- **Raw bytes.** :meth:`HttpResponse.read` returns the body as sent (no decoding), so byte
  offsets are file offsets; :attr:`HttpResponse.content_encoding` says what was sent.
- **Bounded bodies.** :meth:`HttpResponse.body` refuses an answer larger than its limit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["HttpResponse", "HttpSession", "TransportFailure"]

#: The largest JSON answer read into memory (the bulk endpoint's 5 runs stay far below).
MAX_BODY = 64 << 20


class TransportFailure(Exception):
    """The request got no usable answer. ``reason`` is safe to print; ``retryable`` says
    whether trying again may help (a malformed URL will not get better)."""

    def __init__(self, reason: str, *, retryable: bool = True, deadline: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable and not deadline
        #: True when the request's deadline cut it (the caller knows the figure to show).
        self.deadline = deadline


class BodyTooLarge(Exception):
    """An answer body over the caller's limit."""


# --- the deadline watchdog ------------------------------------------------------------

_current = threading.local()


class _Watch:
    """The connection a request in this thread is using, and whether its deadline passed."""

    def __init__(self) -> None:
        self.connection: HTTPConnection | None = None
        self.expired = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def start(self, seconds: float) -> None:
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch: _Watch | None = getattr(_current, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch: _Watch | None = getattr(_current, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool, "https": _WatchedHTTPSPool,
        }


# --- responses ------------------------------------------------------------------------

_BODY_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


class HttpResponse:
    """An answer whose body has not been read yet. Close it (or use ``with``)."""

    def __init__(self, response: requests.Response, watch: _Watch | None,
                 deadline: float | None) -> None:
        self._response = response
        self._watch = watch
        self._deadline = deadline
        self.status: int = response.status_code
        self.url: str = response.url
        #: Header names are case-insensitive.
        self.headers: Mapping[str, str] = response.headers
        self._content: bytes | None = None

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and "Location" in self.headers

    @property
    def content_encoding(self) -> str:
        """The ``Content-Encoding`` the server applied, lower case; ``identity`` if none."""
        return (self.headers.get("Content-Encoding") or "identity").strip().lower() or "identity"

    def read(self, amount: int) -> bytes:
        """Up to ``amount`` bytes of the body as sent; ``b""`` at its end. A broken
        connection (or the deadline) raises :class:`TransportFailure`."""
        try:
            return bytes(self._response.raw.read(amount, decode_content=False))
        except _BODY_ERRORS:
            raise self._failure("connection dropped mid-answer") from None

    def body(self, limit: int = MAX_BODY) -> bytes:
        """The whole body, decoded from a gzip or deflate the server applied, at most
        ``limit`` bytes (else :class:`BodyTooLarge`). Read once, then kept."""
        if self._content is not None:
            return self._content
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                block = self._response.raw.read(1 << 16, decode_content=True)
                if not block:
                    break
                size += len(block)
                if size > limit:
                    raise BodyTooLarge(f"answer larger than {limit} bytes")
                chunks.append(block)
        except _BODY_ERRORS:
            raise self._failure("connection dropped mid-answer") from None
        finally:
            self.close()
        if self._watch is not None and self._watch.expired:
            raise self._failure("")
        self._content = b"".join(chunks)
        return self._content

    def _failure(self, reason: str) -> TransportFailure:
        if self._watch is not None and self._watch.expired:
            return TransportFailure("no complete answer within the deadline", deadline=True)
        return TransportFailure(reason)

    def release_deadline(self) -> None:
        """Stop the deadline watchdog: the caller bounds a long body by other means."""
        if self._watch is not None:
            self._watch.cancel()

    def close(self) -> None:
        self.release_deadline()
        self._response.close()

    def __enter__(self) -> HttpResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- the session ----------------------------------------------------------------------


class HttpSession:
    """A pool of connections. Thread-safe for concurrent :meth:`send` calls."""

    def __init__(self, pool_maxsize: int = 32) -> None:
        self._session = requests.Session()
        adapter = _WatchedAdapter(pool_connections=4, pool_maxsize=pool_maxsize)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        deadline: float | None = None,
        follow_redirects: bool = False,
    ) -> HttpResponse:
        """Send one request and return once the headers are in. The body stays unread
        (the deadline, if any, keeps running until it is read or released)."""
        watch = _Watch() if deadline is not None else None
        if watch is not None and deadline is not None:
            watch.start(deadline)
        _current.watch = watch
        try:
            response = self._session.request(
                method, url, json=json, params=params, headers=dict(headers or {}),
                timeout=timeout, stream=True, allow_redirects=follow_redirects,
            )
        except requests.exceptions.InvalidURL:
            self._stop(watch)
            raise TransportFailure(_malformed(url), retryable=False) from None
        except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
            self._stop(watch)
            ours = urlsplit(url).scheme.lower() in ("http", "https")
            raise TransportFailure("the answer redirects to a URL that is not http or https"
                                   if ours else "URL is not http or https",
                                   retryable=False) from None
        except requests.TooManyRedirects:
            self._stop(watch)
            raise TransportFailure("too many redirects", retryable=False) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            self._stop(watch)
            if watch is not None and watch.expired:
                raise TransportFailure("no complete answer within the deadline",
                                       deadline=True) from None
            raise TransportFailure(_reason(exc)) from None
        except ValueError:  # urllib's parsers on a malformed host (``http://[::1``)
            self._stop(watch)
            raise TransportFailure(_malformed(url), retryable=False) from None
        finally:
            _current.watch = None
        return HttpResponse(response, watch, deadline)

    @staticmethod
    def _stop(watch: _Watch | None) -> None:
        if watch is not None:
            watch.cancel()


def _malformed(url: str) -> str:
    """Which URL was malformed: ours, or a redirect's ``Location`` (the HTTP library parses
    it even when told not to follow it)."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return "malformed URL"
    return "the answer redirects to a malformed location" if parts.hostname else "malformed URL"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "read timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection dropped mid-answer"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return f"request failed ({type(exc).__name__})"
