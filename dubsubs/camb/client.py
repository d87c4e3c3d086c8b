"""HTTP access to the Camb.ai API: endpoints in, plain dicts out.

:class:`CambClient` owns an :class:`~dubsubs.camb.http.HttpSession` (given or its own),
connect/read timeouts, an overall deadline per call and a :class:`RetryPolicy`; nothing here
is global. Errors come out as the typed tree in :mod:`dubsubs.errors`, with messages built
from redacted URLs and sanitised server strings: the API key and the query string of a
presigned URL never reach an exception message (the HTTP library's exceptions, which quote
the full URL, never leave :mod:`.http`), and a server's text carries no control character
into one.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import (
    ApiError,
    ApiValidationError,
    AuthenticationError,
    DubsubsError,
    InputError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from ..wording import printable, shorten
from .api import ALT_FORMATS as ALT_FORMATS
from .api import API_KEY_ENV, BULK_MAX, BULK_MIN, DEFAULT_BASE_URL
from .api import BASE_URL_ENV as BASE_URL_ENV
from .api import DEFAULT_DEADLINE as DEFAULT_DEADLINE
from .api import DEFAULT_MEDIA_MIN_RATE as DEFAULT_MEDIA_MIN_RATE
from .http import BodyTooLarge, HttpResponse, HttpSession, TransportFailure
from .redact import query_secrets, redact_text, redact_url

MAX_REDIRECTS = 10

log = logging.getLogger("dubsubs.camb.client")

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before trying again.

    ``attempts`` counts every try, the first included. The n-th retry waits
    ``min(max_delay, base_delay * 2**n)`` plus up to ``jitter`` of that again, unless the
    server sent ``Retry-After``, which is honoured up to ``max_retry_after``. ``sleep`` is
    injectable so tests can observe the waits without spending them.
    """

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    jitter: float = 0.25
    retry_statuses: frozenset[int] = frozenset({408, 409, 429})
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def should_retry_status(self, status: int) -> bool:
        return status in self.retry_statuses or 500 <= status <= 599

    def delay(self, retry_index: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry_index`` (0 for the first retry)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_retry_after))
        backoff = min(self.max_delay, self.base_delay * 2.0 ** min(retry_index, 60))
        return float(min(self.max_delay, backoff * (1.0 + self.jitter * self.rng())))


NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` if absent
    or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def plan_bulk_chunks(run_ids: Iterable[int]) -> list[list[int]]:
    """Split ids (already unique) into the fewest bulk calls of 2 to 5 ids, sizes as even
    as possible, so no call carries a lone id. One id gives ``[[id]]``: the caller sends
    that through the single-run endpoint."""
    ids = list(run_ids)
    if len(ids) <= 1:
        return [ids] if ids else []
    calls = math.ceil(len(ids) / BULK_MAX)
    size, extra = divmod(len(ids), calls)
    chunks: list[list[int]] = []
    start = 0
    for index in range(calls):
        end = start + size + (1 if index < extra else 0)
        chunks.append(ids[start:end])
        start = end
    return chunks


def unique_run_ids(run_ids: Iterable[int | str]) -> list[int]:
    """Positive integer run ids, first occurrence kept; a bad id raises InputError."""
    seen: dict[int, None] = {}
    for raw in run_ids:
        text = str(raw).strip()
        if not is_run_id(text):
            shown = raw if len(text) <= 30 else shorten(text, 30)
            raise InputError(f"run id {shown!r} is not a positive integer")
        seen.setdefault(int(text), None)
    return list(seen)


def is_run_id(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes superscripts and other scripts'
    digits, which ``int`` may refuse), at most 19 of them, and not zero."""
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) > 0


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port, the default port filled in: what must match to keep the key."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _decode_json(data: bytes) -> Any:
    """JSON from UTF-8 bytes, strictly: invalid UTF-8 raises UnicodeDecodeError (never
    replaced silently), deep nesting RecursionError."""
    return json.loads(data.decode("utf-8-sig"))


def _validation_detail_text(detail: Any) -> str:
    """FastAPI's ``[{"loc": [...], "msg": ..., "type": ...}]`` as ``body.run_ids: msg``."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                loc = ".".join(str(p) for p in item.get("loc") or [])
                msg = str(item.get("msg", "invalid"))
                parts.append(f"{loc}: {msg}" if loc else msg)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    if detail is None:
        return "request rejected"
    return str(detail)


class CambClient:
    """The Camb.ai endpoints dubsubs uses. Thread-safe for concurrent calls.

    ``deadline`` bounds every API call in seconds, retries and their waits included: a
    server that drips its answer a byte at a time cannot hold a call longer. For a media
    or TTS download it bounds the wait for the answer's headers; the body, which may
    rightly take long, must then keep an average of at least ``media_min_rate`` bytes per
    second after a grace of ``deadline`` seconds: it may take ``deadline + size /
    media_min_rate`` seconds in all, and a drip is cut (``TransportFailure.too_slow``).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        session: HttpSession | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy | None = None,
        deadline: float = DEFAULT_DEADLINE,
        media_min_rate: float = DEFAULT_MEDIA_MIN_RATE,
    ) -> None:
        if not api_key:
            raise ValueError("api_key is required")
        for name, value in (("deadline", deadline), ("media_min_rate", media_min_rate)):
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        self.media_min_rate = float(media_min_rate)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.deadline = float(deadline)
        self.retry = retry if retry is not None else RetryPolicy()
        self._api_key = api_key
        self._secrets: set[str] = {api_key}
        # Download threads add secrets while others redact: never iterate the live set.
        self._secrets_lock = threading.Lock()
        self._owns_session = session is None
        # Enough pooled connections for a bounded pool of download threads.
        self.session = session if session is not None else HttpSession(pool_maxsize=32)

    def __repr__(self) -> str:  # never show the key
        return f"CambClient(base_url={self.base_url!r})"

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def abort(self) -> None:
        """Stop every request in flight at once (an interrupt: threads blocked on a slow
        server return) and refuse new ones until :meth:`resume`."""
        self.session.abort()

    def resume(self) -> None:
        self.session.resume()

    def __enter__(self) -> CambClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- redaction

    def redact(self, text: str) -> str:
        """``text`` with the key, known signatures and any query string removed, and any
        control character shown escaped (see :func:`dubsubs.wording.printable`)."""
        with self._secrets_lock:
            known = tuple(self._secrets)
        return printable(redact_text(text, known))

    def _remember_secrets(self, url: str) -> None:
        found = query_secrets(url)
        if found:
            with self._secrets_lock:
                self._secrets.update(found)

    # ----------------------------------------------------------------- transport

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        api: bool = True,
        what: str | None = None,
        read_body: bool = False,
    ) -> HttpResponse:
        """Send a request with retries and return a 2xx response (206 included). With
        ``read_body`` its body is read (within the deadline, and an answer cut short is
        retried like any transport failure), else it is left unread: close the response.

        ``api=False`` is for presigned media URLs: the key is not sent to them. ``what``
        names the thing for messages (``"run 1001"``). Raises the typed errors.

        Redirects from the API are followed here, not by the HTTP library: it would forward
        the ``x-api-key`` header to any host (it strips only ``Authorization``), so the key
        goes along only while the target stays on the API's own origin. A malformed
        ``Location`` is an :class:`~dubsubs.errors.ApiError`.
        """
        end = time.monotonic() + self.deadline
        send_key = api
        label = f"{what}: " if what else ""
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send(
                method, url, json=json, params=params, headers=headers, api=send_key,
                follow=not api, what=what, end=end, read_body=read_body,
            )
            if not (api and response.is_redirect):
                return response
            location = response.headers["Location"]
            status = response.status
            response.close()
            self._remember_secrets(url)
            where = f"{label}{method} {redact_url(url)}: HTTP {status} redirects to"
            try:
                target = urljoin(response.url, location)
                parts = urlsplit(target)
                _ = parts.port  # raises on a malformed port
            except ValueError:
                raise ApiError(
                    f"{where} a malformed location {self.redact(shorten(location, 60))!r}",
                    status=status, url=redact_url(url),
                ) from None
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ApiError(
                    f"{where} {self.redact(shorten(redact_url(target), 60))!r}, "
                    "not an http(s) URL", status=status, url=redact_url(url),
                )
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, json = "GET", None  # what browsers and requests do
            params = None  # the Location carries its own query
            send_key = send_key and _origin(target) == _origin(self.base_url)
            url = target
        self._remember_secrets(url)
        raise ApiError(
            f"{label}{method} {redact_url(url)}: more than {MAX_REDIRECTS} redirects",
            url=redact_url(url),
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        json: Any,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        api: bool,
        follow: bool,
        what: str | None,
        end: float,
        read_body: bool = False,
    ) -> HttpResponse:
        """One request with retries, all before ``end`` (a monotonic time); a redirect
        comes back as is unless ``follow``."""
        self._remember_secrets(url)
        shown = redact_url(url)
        label = f"{what}: " if what else ""
        send_headers: dict[str, str] = {}
        if api:
            send_headers["x-api-key"] = self._api_key
            send_headers["Accept"] = "application/json"
        if headers:
            send_headers.update(headers)
        policy = self.retry
        attempts = max(1, policy.attempts)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            left = end - time.monotonic()
            if left <= 0:
                raise TransportError(
                    f"{label}{method} {shown}: no complete answer within {self.deadline:g} s"
                    f" (after {attempt} attempts)", url=shown,
                )
            try:
                response = self.session.send(
                    method, url, json=json, params=params, headers=send_headers,
                    timeout=self.timeout, deadline=left, follow_redirects=follow,
                )
                if read_body and 200 <= response.status < 300:
                    response.body()
            except BodyTooLarge as exc:
                raise ApiError(f"{label}{method} {shown}: {exc}", url=shown) from None
            except TransportFailure as exc:
                if last or not exc.retryable:
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise TransportError(f"{label}{method} {shown}: {self._reason(exc)}{tries}",
                                         url=shown) from None
                delay = policy.delay(attempt)
                log.info("%s%s %s: %s; retrying in %.2fs", label, method, shown, exc.reason, delay)
                self._wait(delay, end, f"{label}{method} {shown}: {exc.reason}", shown)
                continue
            status = response.status
            if 200 <= status < 300 or (not follow and response.is_redirect):
                return response
            if policy.should_retry_status(status) and not last:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = policy.delay(attempt, retry_after)
                response.close()
                log.info("%s%s %s: HTTP %d; retrying in %.2fs", label, method, shown, status, delay)
                self._wait(delay, end, f"{label}{method} {shown}: HTTP {status}", shown)
                continue
            raise self._status_error(response, method, shown, label, attempt + 1, api)
        raise AssertionError("unreachable")  # pragma: no cover

    def _reason(self, failure: TransportFailure) -> str:
        if failure.deadline:
            return f"no complete answer within {self.deadline:g} s"
        return failure.reason

    def _wait(self, delay: float, end: float, what_failed: str, shown: str) -> None:
        """Sleep before a retry, unless the wait would pass the call's deadline."""
        if time.monotonic() + delay > end:
            raise TransportError(
                f"{what_failed}; no time left to retry within {self.deadline:g} s", url=shown
            )
        self.retry.sleep(delay)

    def _status_error(
        self,
        response: HttpResponse,
        method: str,
        shown: str,
        label: str,
        attempts: int,
        api: bool = True,
    ) -> ApiError:
        status = response.status
        body: Any = None
        try:
            if "json" in response.headers.get("Content-Type", ""):
                body = _decode_json(response.body(limit=1 << 20))
        except (ValueError, RecursionError, TransportFailure, BodyTooLarge):
            body = None  # the status says enough
        finally:
            response.close()
        detail = body.get("detail") if isinstance(body, dict) else None
        where = f"{label}{method} {shown}: HTTP {status}"
        common: dict[str, Any] = {"status": status, "url": shown}
        if status in (401, 403) and not api:
            return AuthenticationError(
                f"{where}: the media link was refused (expired or incomplete presigned URL);"
                " fetch the run again for a fresh link",
                **common,
            )
        if status in (401, 403):
            hint = (
                f"the API key was refused; check {API_KEY_ENV} or --api-key"
                if status == 401
                else "the API key lacks permission for this"
            )
            return AuthenticationError(f"{where}: {hint}", **common)
        if status == 404:
            return NotFoundError(f"{where}: not found", **common)
        if status == 422:
            text = self.redact(_validation_detail_text(detail))
            return ApiValidationError(f"{where}: {text}", detail=detail, **common)
        retried = f" (after {attempts} attempts)" if attempts > 1 else ""
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitedError(
                f"{where}: rate limited{retried}", retry_after=retry_after, **common
            )
        if 500 <= status <= 599:
            return ServerError(f"{where}: server error{retried}", **common)
        extra = f": {self.redact(str(detail))}" if detail else ""
        return ApiError(f"{where}{extra}", **common)

    def _json(self, response: HttpResponse, method: str, url: str, what: str) -> Any:
        """The answer's JSON. Refused, with one line, when it is not UTF-8 (as ``convert``
        refuses such a file), not JSON, nested too deeply, too large, or not complete
        within the deadline."""
        where = f"{what}: {method} {redact_url(url)}"
        common: dict[str, Any] = {"status": response.status, "url": redact_url(url)}
        try:
            data = response.body()
        except TransportFailure as exc:
            raise TransportError(f"{where}: {self._reason(exc)}", url=redact_url(url)) from None
        except BodyTooLarge as exc:
            raise ApiError(f"{where}: {exc}", **common) from None
        try:
            return _decode_json(data)
        except UnicodeDecodeError as exc:
            raise ApiError(f"{where}: answer is not UTF-8 (byte {exc.start})", **common) from None
        except RecursionError:
            raise ApiError(f"{where}: answer is JSON nested too deeply", **common) from None
        except ValueError:
            raise ApiError(f"{where}: answer is not JSON", **common) from None

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    # ----------------------------------------------------------------- dub results

    def dub_result(self, run_id: int) -> JsonDict:
        """``GET /dub-result/{run_id}``: the result object (or one keyed by language)."""
        what = f"run {run_id}"
        url = self._url(f"dub-result/{run_id}")
        try:
            body = self._json(self.request("GET", url, what=what, read_body=True), "GET", url, what)
        except NotFoundError as exc:
            raise NotFoundError(
                f"run {run_id}: no such dubbing run (HTTP 404)",
                status=404,
                url=exc.url,
                run_id=str(run_id),
            ) from None
        if not isinstance(body, dict):
            raise InputError(f"answer is a {type(body).__name__}, not an object", source=what)
        return body

    def dub_results_bulk(self, run_ids: list[int]) -> JsonDict:
        """``POST /dubbing-results`` with 2 to 5 ids: the raw answer, keyed by id string."""
        if not BULK_MIN <= len(run_ids) <= BULK_MAX:
            raise ValueError(f"bulk calls take {BULK_MIN} to {BULK_MAX} ids, got {len(run_ids)}")
        url = self._url("dubbing-results")
        what = "runs " + ", ".join(map(str, run_ids))
        body = self._json(
            self.request("POST", url, json={"run_ids": run_ids}, what=what, read_body=True), "POST", url, what
        )
        if not isinstance(body, dict):
            raise InputError(f"bulk answer is a {type(body).__name__}, not an object", source=what)
        return body

    def dub_results(self, run_ids: Iterable[int | str]) -> dict[int, JsonDict | DubsubsError]:
        """Results for many runs, each on its own: a dict for a run that came back, the
        error for one that did not. Ids are de-duplicated; they go to the bulk endpoint in
        calls of 2 to 5, a single id to the single endpoint. An id the bulk answer leaves
        out is asked for alone, and so is every id of a bulk call refused with 422 or 404;
        a bulk call that fails otherwise (5xx, transport) fails its runs only."""
        ids = unique_run_ids(run_ids)
        outcome: dict[int, JsonDict | DubsubsError] = {}
        for chunk in plan_bulk_chunks(ids):
            if len(chunk) == 1:
                outcome[chunk[0]] = self._single_outcome(chunk[0])
                continue
            try:
                body = self.dub_results_bulk(chunk)
            except (ApiValidationError, NotFoundError) as exc:
                # The bulk call refused the set as a whole (e.g. runs of different types,
                # or one unknown id): ask for each run alone so each fails on its own.
                log.info("bulk call refused (%s); asking for %d runs one by one", exc, len(chunk))
                for run_id in chunk:
                    outcome[run_id] = self._single_outcome(run_id)
                continue
            except DubsubsError as exc:
                for run_id in chunk:
                    outcome[run_id] = exc
                continue
            for run_id in chunk:
                entry = body.get(str(run_id))
                if entry is None:
                    log.info("run %d missing from the bulk answer; asking for it alone", run_id)
                    outcome[run_id] = self._single_outcome(run_id)
                elif not isinstance(entry, dict):
                    outcome[run_id] = InputError(
                        f"bulk answer entry is a {type(entry).__name__}, not an object",
                        source=f"run {run_id}",
                    )
                else:
                    outcome[run_id] = entry
        return {run_id: outcome[run_id] for run_id in ids}

    def _single_outcome(self, run_id: int) -> JsonDict | DubsubsError:
        try:
            return self.dub_result(run_id)
        except DubsubsError as exc:
            return exc

    # ----------------------------------------------------------------- alt format

    def alt_format(self, run_id: int, language_id: int, output_format: str) -> JsonDict:
        """``POST /dub-alt-format/{run_id}/{language}``: ``{output_url}`` or ``{task_id}``."""
        what = f"run {run_id}"
        url = self._url(f"dub-alt-format/{run_id}/{language_id}")
        body = self._json(
            self.request("POST", url, json={"output_format": output_format}, what=what,
                         read_body=True),
            "POST",
            url,
            what,
        )
        if not isinstance(body, dict):
            raise InputError(f"alt-format answer is a {type(body).__name__}", source=what)
        return body

    def alt_format_status(self, task_id: str) -> JsonDict:
        """``GET /dub-alt-format/{task_id}``: ``{status, output_url?, ...}``."""
        what = f"task {task_id}"
        url = self._url(f"dub-alt-format/{task_id}")
        body = self._json(self.request("GET", url, what=what, read_body=True), "GET", url, what)
        if not isinstance(body, dict):
            raise InputError(f"task status is a {type(body).__name__}", source=what)
        return body

    # ----------------------------------------------------------------- tts

    def tts_result_stream(self, run_id: int) -> HttpResponse:
        """``GET /tts-result/{run_id}`` as a streaming response of FLAC bytes; close it.
        The deadline bounds the wait for the headers; the body keeps the media floor."""
        url = self._url(f"tts-result/{run_id}")
        response = self.request(
            "GET",
            url,
            params={"output_type": "raw_bytes"},
            # Saved raw (not decoded): ask for the bytes as they are.
            headers={"Accept": "audio/flac, */*", "Accept-Encoding": "identity"},
            what=f"tts run {run_id}",
        )
        response.bound_body(self.media_min_rate, self.deadline)
        return response

    def tts_result_url(self, run_id: int) -> str:
        """``GET /tts-result/{run_id}?output_type=file_url``: the presigned URL."""
        what = f"tts run {run_id}"
        url = self._url(f"tts-result/{run_id}")
        body = self._json(
            self.request("GET", url, params={"output_type": "file_url"}, what=what,
                         read_body=True),
            "GET",
            url,
            what,
        )
        output_url = body.get("output_url") if isinstance(body, dict) else None
        if not isinstance(output_url, str) or not output_url:
            raise InputError("answer has no output_url", source=what)
        self._remember_secrets(output_url)
        return output_url

    # ----------------------------------------------------------------- media

    def open_media(self, url: str, *, start: int = 0, if_range: str | None = None,
                   what: str | None = None) -> HttpResponse:
        """Open a presigned media URL for streaming, from byte ``start`` (a Range request
        when non-zero, with ``If-Range: if_range`` when given, so that a changed object
        comes back whole with 200 instead of its tail). The key is not sent; content
        encoding is refused so byte offsets mean file offsets. The deadline bounds the wait
        for the headers; the body keeps the ``media_min_rate`` floor (see the class)."""
        headers = {"Accept-Encoding": "identity"}
        if start:
            headers["Range"] = f"bytes={start}-"
            if if_range:
                headers["If-Range"] = if_range
        response = self.request("GET", url, headers=headers, api=False, what=what)
        response.bound_body(self.media_min_rate, self.deadline)
        return response
