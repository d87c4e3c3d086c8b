"""The sandbox's misbehaviours on purpose: what a fault is, and how to write one on the
command line. Every fault applies a bounded number of ``times`` and then stops by itself."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["status", "drop", "slow", "ignore_range", "redirect", "gzip", "corrupt",
                    "drip"]


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
      (``Content-Encoding: gzip``), as a gateway that compresses everything would send it;
      with ``force``, even to a client that asked for identity.
    - ``corrupt``: a media answer of the right size whose bytes are changed (the ETag
      still names the true bytes), as a corruption in transit looks.
    - ``drip``: a JSON or media answer sent one byte every ``delay`` seconds (headers
      first); the drip ends when the body does or the client hangs up.
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
    force: bool = False
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



def iter_faults(specs: Iterable[str]) -> Iterator[Fault]:
    """Faults from command-line specs ``KIND:PATH_REGEX[:VALUE[:TIMES]]``, e.g.
    ``status:/dub-result/:503:2``, ``status:/dubbing-results:429:1`` (Retry-After 1),
    ``drop:/media/::3``, ``slow:/apis/:2.5:10``, ``drip:/media/video:0.5`` (a byte every
    0.5 s), ``ignore_range:/media/``."""
    for spec in specs:
        kind, _, rest = spec.partition(":")
        path, _, rest = rest.partition(":")
        value, _, times_text = rest.partition(":")
        if kind not in ("status", "drop", "slow", "drip", "ignore_range") or not path:
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
            elif kind in ("slow", "drip") and value:
                fault.delay = float(value)
            elif kind == "drop" and value:
                fault.after_bytes = int(value)
        except ValueError:
            raise ValueError(f"bad fault {spec!r}: VALUE and TIMES must be numbers") from None
        yield fault
