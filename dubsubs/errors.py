"""Every error dubsubs raises, as one tree.

::

    DubsubsError
    ├── InputError (ValueError)         a file, payload or item we were given is wrong;
    │   │                                 the message names the source and the JSON path
    │   └── UnknownFormatError          a format name or file type we do not know
    ├── OptionError (ValueError)        a misspelt or ill-typed option
    ├── OutputError (OSError)           a file could not be written
    ├── ConfigurationError              missing API key, bad base URL
    ├── ApiError                        the Camb.ai API said no; ``.status``, ``.url`` (redacted)
    │   ├── AuthenticationError         401 / 403
    │   ├── NotFoundError               404
    │   ├── ApiValidationError          422, with ``.detail``
    │   ├── RateLimitedError            429 after the retries, with ``.retry_after``
    │   ├── ServerError                 5xx after the retries
    │   ├── TransportError              connection failures and timeouts after the retries
    │   └── TaskError                   a task ended in ERROR / TIMEOUT / PAYMENT_REQUIRED,
    │                                     or did not end in time
    └── DownloadError                   a media download failed or came back the wrong size

Library code raises these with ``raise ... from cause``; the CLI turns any of them into a
one-line message and a non-zero exit. Messages never contain an API key or the query
string of a presigned URL.
"""

from __future__ import annotations

from typing import Any


class DubsubsError(Exception):
    """Base of every error dubsubs raises on purpose."""


class InputError(DubsubsError, ValueError):
    """Bad input. ``str(err)`` reads ``source: json.path: what is wrong``."""

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None):
        self.source = source
        self.where = where
        self.reason = message
        parts = [p for p in (source, where) if p]
        super().__init__(": ".join([*parts, message]))


class UnknownFormatError(InputError):
    """A format name (``-f``) or an input file type that dubsubs does not handle."""


class OptionError(DubsubsError, ValueError):
    """An option that does not exist or has the wrong type."""


class OutputError(DubsubsError, OSError):
    """A file could not be written."""

    @classmethod
    def cannot_write(cls, path: object, cause: OSError) -> OutputError:
        """``PATH: cannot write: REASON``: the one wording for a write that failed."""
        return cls(f"{path}: cannot write: {cause.strerror or cause}")


class ConfigurationError(DubsubsError):
    """Missing or unusable configuration, e.g. no API key."""


class ApiError(DubsubsError):
    """The API answered with an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        run_id: str | None = None,
    ):
        self.status = status
        self.url = url
        self.run_id = run_id
        super().__init__(message)


class AuthenticationError(ApiError):
    """401 or 403: the key is missing, wrong, or lacks permission."""


class NotFoundError(ApiError):
    """404: no such run or task."""


class ApiValidationError(ApiError):
    """422: the API rejected the request; ``detail`` is its list of problems."""

    def __init__(self, message: str, *, detail: Any = None, **kwargs: Any):
        self.detail = detail
        super().__init__(message, **kwargs)


class RateLimitedError(ApiError):
    """429 that persisted through every retry."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(ApiError):
    """5xx that persisted through every retry."""


class TransportError(ApiError):
    """Connection refused, reset, or timed out, through every retry."""


class TaskError(ApiError):
    """A server-side task failed, or did not finish before the deadline."""


class DownloadError(DubsubsError):
    """A download failed for good, or its size did not match what the server announced."""
