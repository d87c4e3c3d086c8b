"""Chromium's own WebVTT parser as the oracle for the WebVTT reader.

Each fixture in fixtures/vtt/ (and, in a Hypothesis test, generated documents) is served
from a threaded HTTP server on 127.0.0.1 and loaded by a ``<track>`` of a ``<video>`` in
headless Chromium. Every cue's ``startTime``, ``endTime``, ``id``, ``text`` and
``getCueAsHTML()`` is read through Playwright and compared with what dubsubs reads: the
same cues, the same times to the millisecond, the same identifiers and raw cue text, and
the same words credited to the same voices (a voice is a ``<span title=...>`` in the
fragment; ``<rt>`` text is put in parentheses, as dubsubs documents).

Every disagreement is listed in DIFFERENCES with its reason, and asserted to still be
one, so none goes unnoticed in either direction.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dubsubs.errors import InputError
from dubsubs.formats import vtt
from dubsubs.formats.base import DEFAULT_READ
from dubsubs.model import RawItem

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vtt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

#: Fixtures where dubsubs deliberately differs from Chromium: why, and how it shows.
DIFFERENCES = {
    "bad_utf8.vtt": (
        "a browser decodes bad UTF-8 as U+FFFD; dubsubs refuses the file, naming the line, and "
        "--encoding reads a legacy code page", "dubsubs refused (fixture.vtt: not UTF-8 text (line 4"),
    "beyond_100_days.vtt": (
        "the model holds at most 100 days; dubsubs refuses the file, naming the cue's line",
        "dubsubs refused (fixture.vtt: line 6: cue time 2401:00:01.000 is beyond 100 days"),
    "header_line_then_cue.vtt": (
        "the spec ends the header block at a line with '-->' (the cue has no identifier); "
        "Chromium takes the header line before it for the cue's identifier. dubsubs follows "
        "the spec, and the model has no identifiers anyway", "cue 1: id 'Kind: captions' vs ''"),
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not at /usr/bin/chromium")

_LOAD_TRACK = """
async (url) => {
  const video = document.createElement('video');
  const element = document.createElement('track');
  element.kind = 'subtitles';
  element.default = true;
  element.src = url;
  video.appendChild(element);
  document.body.appendChild(video);
  element.track.mode = 'hidden';
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 10000);
    element.addEventListener('load', () => { clearTimeout(timer); resolve('load'); });
    element.addEventListener('error', () => { clearTimeout(timer); resolve('error'); });
  });
  function walk(node, voice, out) {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        out.push([voice, child.data]);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.localName === 'rt') {
          const inner = [];
          walk(child, voice, inner);
          if (inner.length) {
            inner[0][1] = '(' + inner[0][1];
            inner.push([voice, ')']);
          }
          out.push(...inner);
        } else {
          const named = child.localName === 'span' && child.hasAttribute('title');
          walk(child, named ? child.getAttribute('title') : voice, out);
        }
      }
    }
    return out;
  }
  const cues = [];
  if (outcome === 'load') {
    for (const cue of element.track.cues) {
      cues.push({start: Math.round(cue.startTime * 1000), end: Math.round(cue.endTime * 1000),
                 id: cue.id, text: cue.text, segments: walk(cue.getCueAsHTML(), null, [])});
    }
  }
  video.remove();
  return {outcome, cues};
}
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        if self.path == "/":
            body, kind = b"<!doctype html><html><body></body></html>", "text/html"
        elif self.path in self.documents:
            body, kind = self.documents[self.path], "text/vtt"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Browser:
    """One Chromium page and one local server; :meth:`cues` loads a document as a track."""

    def __init__(self, page: Any, server: http.server.ThreadingHTTPServer) -> None:
        self.page = page
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.count = 0

    def cues(self, data: bytes) -> dict[str, Any]:
        self.count += 1
        path = f"/doc{self.count}.vtt"
        _Handler.documents[path] = data
        try:
            result: dict[str, Any] = self.page.evaluate(_LOAD_TRACK, self.base + path)
        finally:
            del _Handler.documents[path]
        assert result["outcome"] != "timeout", "the track neither loaded nor failed in 10 s"
        return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            try:
                page = chromium.new_page()
                page.set_default_timeout(20_000)
                helper = Browser(page, server)
                page.goto(helper.base + "/")
                yield helper
            finally:
                chromium.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- comparison


def _spec_name(title: str | None) -> str | None:
    """A voice name as the spec makes it from the annotation: ASCII white space trimmed and
    collapsed. Chromium skips that step (test_chromium_keeps_voice_white_space)."""
    if title is None:
        return None
    return re.sub("[\t\n\f\r ]+", " ", title).strip("\t\n\f\r ") or None


def _browser_runs(segments: list[list[Any]]) -> list[tuple[str | None, str]]:
    """The browser's text nodes, neighbours of one voice joined."""
    runs: list[tuple[str | None, str]] = []
    for title, text in segments:
        voice = _spec_name(title)
        if runs and runs[-1][0] == voice:
            runs[-1] = (voice, runs[-1][1] + text)
        else:
            runs.append((voice, text))
    return runs


def _credited(voice: str | None, word: str) -> tuple[str | None, str]:
    # Punctuation alone ("-" of a dialogue dash) is no one's words: dubsubs may move it to
    # a neighbouring voice (see vtt.cue_content), so only words with a letter or digit
    # are held to their voice.
    return (voice if any(char.isalnum() for char in word) else None, word)


def _browser_words(segments: list[list[Any]]) -> list[tuple[str | None, str]]:
    """Every word the browser shows, with the voice it is under."""
    return [_credited(voice, word) for voice, text in _browser_runs(segments) for word in text.split()]


def _dubsubs_words(item: RawItem) -> list[tuple[str | None, str]]:
    runs = [(v.speaker, v.text) for v in item.voices] if item.voices else [(item.speaker, item.text)]
    return [_credited(speaker, word) for speaker, text in runs for word in text.split()]


def _dubsubs(data: bytes) -> tuple[list[vtt.VttCue], list[RawItem]] | InputError:
    try:
        (raw,) = vtt.read(data, "fixture.vtt", DEFAULT_READ)
    except InputError as exc:
        return exc
    assert not isinstance(raw, InputError)
    cues, _ = vtt.parse(data.decode("utf-8-sig"))
    return cues, raw.items


def disagreements(result: dict[str, Any], ours: tuple[list[vtt.VttCue], list[RawItem]] | InputError
                  ) -> list[str]:
    """What differs between Chromium's reading and dubsubs' (empty when they agree)."""
    if isinstance(ours, InputError):
        return [] if result["outcome"] == "error" else [f"dubsubs refused ({ours}), Chromium loaded"]
    if result["outcome"] == "error":
        return ["Chromium refused the file, dubsubs read it"]
    cues, items = ours
    # A TextTrackCueList is in "text track cue order": by start, then by end, later first.
    order = sorted(range(len(cues)), key=lambda i: (cues[i].start_ms, -cues[i].end_ms))
    cues, items = [cues[i] for i in order], [items[i] for i in order]
    found = result["cues"]
    if len(found) != len(items):
        return [f"{len(found)} cues in Chromium, {len(items)} in dubsubs: "
                f"{[c['text'] for c in found]} vs {[c.text for c in cues]}"]
    problems = []
    for number, (theirs, cue, item) in enumerate(zip(found, cues, items, strict=True), 1):
        if (theirs["start"], theirs["end"]) != (item.start, item.end):
            problems.append(f"cue {number}: times {theirs['start']}-{theirs['end']} vs {item.start}-{item.end}")
        if theirs["id"] != cue.identifier:
            problems.append(f"cue {number}: id {theirs['id']!r} vs {cue.identifier!r}")
        if theirs["text"] != cue.text:
            problems.append(f"cue {number}: raw text {theirs['text']!r} vs {cue.text!r}")
        if _browser_words(theirs["segments"]) != _dubsubs_words(item):
            problems.append(f"cue {number}: words {_browser_words(theirs['segments'])} vs {_dubsubs_words(item)}")
        shown = "".join(text for _, text in theirs["segments"])
        if not item.voices and item.text != shown.strip():
            problems.append(f"cue {number}: text {shown.strip()!r} vs {item.text!r}")
    return problems


FIXTURE_NAMES = sorted(path.name for path in FIXTURES.glob("*.vtt"))


def test_every_fixture_is_compared() -> None:
    assert len(FIXTURE_NAMES) >= 25
    assert set(DIFFERENCES) <= set(FIXTURE_NAMES)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_reads_as_chromium_reads_it(browser: Browser, name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    problems = disagreements(browser.cues(data), _dubsubs(data))
    if name in DIFFERENCES:
        reason, shows = DIFFERENCES[name]
        assert len(problems) == 1 and problems[0].startswith(shows), (reason, problems)
    else:
        assert problems == []


def test_chromium_keeps_voice_white_space(browser: Browser) -> None:
    """The one spec step Chromium leaves out: it does not trim and collapse the white space
    of a voice annotation (the spec does, and so does dubsubs; the comparison above applies
    the step to Chromium's names). If Chromium starts doing it, this test says so."""
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v   Mary   Jane\tWatson >hi</v>\n"
    (cue,) = browser.cues(data)["cues"]
    assert cue["segments"] == [["  Mary   Jane\tWatson ", "hi"]]
    (raw,) = vtt.read(data, "x.vtt", DEFAULT_READ)
    assert not isinstance(raw, InputError)
    assert raw.items[0].speaker == "Mary Jane Watson"


def test_refused_fixtures_fail_in_chromium_too(browser: Browser) -> None:
    refused = [name for name in FIXTURE_NAMES if name.startswith("refused_")]
    assert refused
    for name in refused:
        assert browser.cues((FIXTURES / name).read_bytes())["outcome"] == "error", name


# --------------------------------------------------------------------------- generated

_PIECES = st.sampled_from([
    "WEBVTT", "WEBVTT ", "\n", "\n", "\n", "\n\n", "\r\n", "\r", " ", "\t", "-->", " --> ",
    "00:01.000", "00:00:02.500", "01:02:03.004", "00:08.7890", "99:59.999", "00:60.000", "1:00.000",
    "NOTE", "STYLE", "REGION", "id", "<v Fred>", "<v Bill>", "</v>", "<v>", "<i>", "</i>", "<b",
    "<c.x>", "</c>", "<ruby>", "<rt>", "</rt>", "</ruby>", "<lang en>", "</lang>", "<00:01.500>",
    "<", ">", "&amp;", "&lt", "&#65;", "&#x0;", "&hearts;", "&", "text", "two words", "é",
    "\x00", "align:start", "line:0", "<v Fred", "<v  Ana\n B >", "&#x80;", "&notin", "&amp", "</v >",
    "00:00:00.000abc", "\f", "\u3000", "\xa0", "<v &lt;X&gt;>", "<c.a.b x>",
])  # fmt: skip
_STARTS = st.sampled_from(["WEBVTT\n\n", "WEBVTT\n", "WEBVTT", "", "\ufeffWEBVTT\n\n", "WEBVTT -- x\n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_STARTS, st.lists(_PIECES, min_size=1, max_size=40).map("".join))
def test_generated_documents_read_as_chromium_reads_them(browser: Browser, start: str, document: str) -> None:
    data = (start + document).encode("utf-8")
    assert disagreements(browser.cues(data), _dubsubs(data)) == []
