"""The only module that knows the HTTP library (``requests``). Nothing of its types leaves
this module: callers get an :class:`HttpResponse` and, for a transport failure, a
:class:`TransportFailure` whose ``reason`` is a short fixed phrase that never quotes a URL.

Guarantees:

- **Deadline.** :meth:`HttpSession.send` takes a ``deadline`` in seconds: a watchdog shuts
  the connection's socket when it passes, whatever the server does (a slow drip of headers
  or body defeats connect and read timeouts, which restart at every byte). The request then
  fails with the reason ``"no complete answer within N s"``. A caller streaming a large
  body replaces the deadline, once the headers are in, by a floor on the body's average
  speed (:meth:`HttpResponse.bound_body`): a file may take long in proportion to its
  size, a drip cannot.
- **Abort.** :meth:`HttpSession.abort` shuts the socket of every request in flight (an
  interrupted fetch stops a blocked read at once instead of waiting for the next byte).
- **Raw bytes.** :meth:`HttpResponse.read` returns the body as sent (no decoding), so byte
  offsets are file offsets; :attr:`HttpResponse.content_encoding` says what was sent.
- **Bounded bodies.** :meth:`HttpResponse.body` refuses an answer larger than its limit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
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

    def __init__(self, reason: str, *, retryable: bool = True, deadline: bool = False,
                 too_slow: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable and not deadline and not too_slow
        #: True when the request's deadline cut it (the caller knows the figure to show).
        self.deadline = deadline
        #: True when a body fell below the floor :meth:`HttpResponse.bound_body` set.
        self.too_slow = too_slow


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
        """Expire in ``seconds`` (a timer already running is replaced)."""
        self.cancel()
        self._timer = threading.Timer(max(0.0, seconds), self.expire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def expire(self) -> None:
        """Shut the connection's socket now: a read blocked on it returns at once."""
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
                 deadline: float | None, session: HttpSession | None = None) -> None:
        self._response = response
        self._watch = watch
        self._deadline = deadline
        self._session = session
        #: (bytes per second, monotonic time the grace ends) once :meth:`bound_body` is set.
        self._floor: tuple[float, float] | None = None
        self._received = 0
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
        connection, the deadline or the speed floor raises :class:`TransportFailure`."""
        if self._floor is not None and self._watch is not None:
            rate, grace_end = self._floor
            # This read may block until ``amount`` bytes (or the rest of the body) are in:
            # it is due when they would be at the floor's speed, so the check never lags a
            # chunk behind.
            length = self.headers.get("Content-Length") or ""
            wanted = min(amount, int(length) - self._received) if length.isdigit() else amount
            due = grace_end + (self._received + max(0, wanted)) / rate
            self._watch.start(due - time.monotonic())
        try:
            block = bytes(self._response.raw.read(amount, decode_content=False))
        except _BODY_ERRORS:
            raise self._failure("connection dropped mid-answer") from None
        if self._watch is not None and self._watch.expired and len(block) < amount:
            raise self._failure("connection dropped mid-answer")  # a short read at the cut
        self._received += len(block)
        return block

    def bound_body(self, min_rate: float, grace: float) -> None:
        """Replace the deadline by a floor on the body's speed: from now, ``grace``
        seconds plus one second per ``min_rate`` bytes received. A file may take as long
        as its size needs at that speed; a server that drips stops being read, with a
        :class:`TransportFailure` whose ``too_slow`` is set."""
        self._floor = (float(min_rate), time.monotonic() + grace)
        self._received = 0
        if self._watch is not None:
            self._watch.cancel()

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
        if self._session is not None and self._session.aborted:
            return TransportFailure("stopped", retryable=False)
        if self._watch is not None and self._watch.expired:
            if self._floor is not None:
                rate, _ = self._floor
                return TransportFailure(
                    f"the body came slower than {_rate(rate)} on average", too_slow=True)
            return TransportFailure("no complete answer within the deadline", deadline=True)
        return TransportFailure(reason)

    def release_deadline(self) -> None:
        """Stop the deadline watchdog: the caller bounds a long body by other means."""
        if self._watch is not None:
            self._watch.cancel()

    def close(self) -> None:
        self.release_deadline()
        self._response.close()
        if self._session is not None and self._watch is not None:
            self._session._forget(self._watch)

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
        self._active: set[_Watch] = set()
        self._active_lock = threading.Lock()
        #: Set by :meth:`abort`: every later request and read fails with "stopped".
        self.aborted = False

    def close(self) -> None:
        self._session.close()

    def abort(self) -> None:
        """Stop every request in flight now (their sockets are shut) and refuse new ones.
        For an interrupted caller: threads blocked on a slow server return at once."""
        self.aborted = True
        with self._active_lock:
            watches = list(self._active)
        for watch in watches:
            watch.expire()

    def resume(self) -> None:
        """Accept requests again after :meth:`abort` (once the aborted ones are done)."""
        self.aborted = False

    def _forget(self, watch: _Watch) -> None:
        with self._active_lock:
            self._active.discard(watch)

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
        if self.aborted:
            raise TransportFailure("stopped", retryable=False)
        watch = _Watch()
        if deadline is not None:
            watch.start(deadline)
        with self._active_lock:
            self._active.add(watch)
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
        return HttpResponse(response, watch, deadline, self)

    def _stop(self, watch: _Watch) -> None:
        watch.cancel()
        self._forget(watch)
        if self.aborted:
            raise TransportFailure("stopped", retryable=False)


def _malformed(url: str) -> str:
    """Which URL was malformed: ours, or a redirect's ``Location`` (the HTTP library parses
    it even when told not to follow it)."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return "malformed URL"
    return "the answer redirects to a malformed location" if parts.hostname else "malformed URL"


def _rate(bytes_per_second: float) -> str:
    return f"{bytes_per_second / 1024:g} KiB/s"


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
