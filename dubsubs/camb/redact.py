"""The one place that makes text safe to show: presigned URLs lose their query string and
any known secret (the API key, a signature) is masked.

A presigned media URL carries its credential in the query string, and ``requests``
exceptions quote the URL they failed on, sometimes as a bare path
(``Max retries exceeded with url: /media/x.mp4?X-Amz-Signature=...``). So this module
redacts by shape as well as by value: any ``?key=value...`` run is cut, and any exact
secret the caller knows is masked wherever it appears.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
QUERY_MASK = "?<redacted>"

# A query string inside free text: "?" then at least one name=value, up to whitespace or a
# quote/bracket that would end a URL in a message.
_QUERY_IN_TEXT = re.compile(r"\?[^\s'\"<>()\[\]{}?]*=[^\s'\"<>()\[\]{}]*")
# Userinfo in a URL ("https://user:pass@host").
_USERINFO = re.compile(r"(?<=://)[^/\s@'\"]+@")


def redact_url(url: str) -> str:
    """``url`` without its query string, fragment or user info: safe to print and store."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every URL query string cut and every exact ``secrets`` value masked.

    Secrets are masked first (longest first, so a secret that contains another is masked
    whole), then anything shaped like a query string or user info is cut.
    """
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _QUERY_IN_TEXT.sub(QUERY_MASK, text)
    return _USERINFO.sub("", text)


def query_secrets(url: str) -> list[str]:
    """The pieces of ``url`` that are credentials: its whole query string and each value
    in it, so a caller can mask them even where they appear out of URL shape."""
    query = urlsplit(url).query
    if not query:
        return []
    values = [pair.partition("=")[2] for pair in query.split("&")]
    return [query, *(v for v in values if len(v) >= 8)]


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's final message. Attach it to loggers of
    libraries that quote URLs (urllib3 logs every request line at DEBUG)."""

    def __init__(self, redact: Callable[[str], str] = redact_text) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


#: Loggers outside dubsubs that print request URLs.
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "requests")


@contextlib.contextmanager
def redacted_logging(redact: Callable[[str], str] = redact_text) -> Iterator[None]:
    """Within the block, records from the dubsubs and HTTP-library loggers are redacted."""
    log_filter = RedactingFilter(redact)
    names = (*URL_LOGGERS, "dubsubs", "dubsubs.camb.client", "dubsubs.camb.fetch",
             "dubsubs.camb.download", "dubsubs.media")
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addFilter(log_filter)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(log_filter)
