"""The review page in a real browser: headless Chromium (the system's) driven by
Playwright, on pages of sandbox runs opened from ``file://``.

These tests never rely on the media playing: they set ``currentTime`` and read the text
tracks through JS. They skip only when Chromium or Playwright is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dubsubs.camb.sandbox import Sandbox
from dubsubs.cli import main
from dubsubs.review import REVIEW_NAME, write_review
from dubsubs.style import get_preset

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000
HOSTILE_RUN = 4242
HOSTILE_TEXT = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & done'
HOSTILE_SPEAKER = '<b onmouseover="window.__pwned = 3">Mallory</b>'

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (CI installs it: apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dubsubs fetch 1001 1002 1003 4242 --sandbox``-style folders; 4242 is hostile, and
    ``1001-netflix`` is 1001 with its page rebuilt for the netflix preset."""
    out = tmp_path_factory.mktemp("runs")
    with Sandbox() as sandbox:
        sandbox.add_run(HOSTILE_RUN, {
            "video_url": "media:video.mp4",
            "transcript": [
                {"start": 0.0, "end": 1.5, "text": "An honest first line.", "speaker": HOSTILE_SPEAKER},
                {"start": 1.6, "end": 3.5, "text": HOSTILE_TEXT, "speaker": HOSTILE_SPEAKER},
            ],
        })
        env = {"CAMB_API_KEY": sandbox.api_key, "CAMB_API_BASE_URL": sandbox.url}
        result = CliRunner().invoke(main, ["fetch", "1001", "1002", "1003", str(HOSTILE_RUN), "-o", str(out)],
                                    env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shutil.copytree(out / "1001", out / "1001-netflix")
    write_review(out / "1001-netflix", preset=get_preset("netflix"))
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                                              timeout=TIMEOUT_MS)
        try:
            yield launched
        finally:
            launched.close()


class Opened:
    """A page opened from ``file://``, with every console error and page error it logged."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri(), timeout=TIMEOUT_MS)
        self.page.wait_for_selector("html[data-complete]", state="attached", timeout=TIMEOUT_MS)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    opened: list[Opened] = []

    def go(path: Path) -> Opened:
        page = Opened(browser, path)
        opened.append(page)
        return page

    yield go
    for page in opened:
        page.context.close()


TRACKS = """() => Array.from(document.getElementById('player').textTracks).map(t => ({
    label: t.label, mode: t.mode, cues: t.cues ? t.cues.length : null,
    first: t.cues && t.cues.length ? t.cues[0].text : null}))"""
ROW_TEXTS = "() => Array.from(document.querySelectorAll('#cue-list li.cue .txt')).map(e => e.textContent)"


def srt_cue_count(path: Path) -> int:
    import srt

    return len(list(srt.parse(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("run", ["1001", "1002", "1003", "1001-netflix"])
def test_page_opens_from_file_without_console_errors(runs: Path, open_page: Any, run: str) -> None:
    page = open_page(runs / run / REVIEW_NAME)
    assert page.js("() => document.querySelectorAll('#cue-list li.cue').length") > 0
    assert page.errors == []


def test_text_tracks_hold_as_many_cues_as_the_subtitle_files(runs: Path, open_page: Any) -> None:
    page = open_page(runs / "1002" / REVIEW_NAME)
    tracks = page.js(TRACKS)
    assert [t["label"] for t in tracks] == ["es-ES", "fr-FR"]
    assert [t["cues"] for t in tracks] == [srt_cue_count(runs / "1002" / f"1002.{tag}.srt")
                                           for tag in ("es-ES", "fr-FR")]
    assert [t["mode"] for t in tracks] == ["showing", "hidden"]
    # The speaker's name is on the picture with the text.
    assert tracks[0]["first"] == "<c.s0>SPEAKER_0:</c> Hola y bienvenidos."
    audio_only = open_page(runs / "1003" / REVIEW_NAME)
    assert [t["cues"] for t in audio_only.js(TRACKS)] == [srt_cue_count(runs / "1003" / "1003.srt")]
    assert audio_only.js("() => document.getElementById('player').getAttribute('src')") == "./1003.audio.mp3"


def test_clicking_the_third_cue_seeks_to_its_start(runs: Path, open_page: Any) -> None:
    page = open_page(runs / "1001" / REVIEW_NAME)
    page.page.locator("#cue-list li.cue").nth(2).click()
    assert page.js("() => document.getElementById('player').currentTime") == pytest.approx(2.7, abs=0.001)
    assert page.js("() => document.querySelector('#cue-list li.cue.active').dataset.i") == "2"
    assert page.errors == []


def test_switching_language_changes_the_cues_shown(runs: Path, open_page: Any) -> None:
    page = open_page(runs / "1002" / REVIEW_NAME)
    assert page.js(ROW_TEXTS)[0] == "Hola y bienvenidos."
    page.page.select_option("#language", "1")
    page.page.wait_for_function("() => document.querySelector('#cue-list li.cue .txt').textContent"
                                " === 'Bonjour et bienvenue.'", timeout=TIMEOUT_MS)
    assert page.js(ROW_TEXTS) == ["Bonjour et bienvenue.", "Aujourd'hui, nous testons le bac à sable.",
                                  "Tout reste sur cette machine."]
    assert [(t["label"], t["mode"]) for t in page.js(TRACKS)] == [("es-ES", "hidden"), ("fr-FR", "showing")]
    # Each language of 1002 has its own dubbed video.
    assert page.js("() => document.getElementById('player').getAttribute('src')") == "./1002.fr-FR.mp4"
    assert page.errors == []


def test_a_finding_of_check_is_marked_on_its_cue(runs: Path, open_page: Any) -> None:
    page = open_page(runs / "1001-netflix" / REVIEW_NAME)
    rows = page.page.locator("#cue-list li.cue")
    third = rows.nth(2)
    assert "flagged" in (third.get_attribute("class") or "")
    assert "reading-speed: 27.5 cps > 17 cps" in third.inner_text()
    assert "flagged" not in (rows.nth(0).get_attribute("class") or "")
    page.page.select_option("#filter", "flagged")
    assert page.js("() => Array.from(document.querySelectorAll('#cue-list li.cue'))"
                   ".filter(r => r.offsetParent !== null).map(r => r.dataset.i)") == ["1", "2"]
    assert page.errors == []


def test_keyboard_steps_through_cues_and_plays(runs: Path, open_page: Any) -> None:
    page = open_page(runs / "1001" / REVIEW_NAME)
    current = "() => document.getElementById('player').currentTime"
    page.page.keyboard.press("ArrowRight")
    assert page.js(current) == pytest.approx(1.35, abs=0.001)
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowLeft")
    assert page.js(current) == pytest.approx(1.35, abs=0.001)
    page.page.keyboard.press(" ")
    page.page.wait_for_function("() => !document.getElementById('player').paused", timeout=TIMEOUT_MS)
    page.page.keyboard.press(" ")
    page.page.wait_for_function("() => document.getElementById('player').paused", timeout=TIMEOUT_MS)
    assert page.errors == []


def test_a_hostile_transcript_runs_no_script(runs: Path, open_page: Any) -> None:
    page = open_page(runs / str(HOSTILE_RUN) / REVIEW_NAME)
    page.page.locator("#cue-list li.cue").nth(1).hover()  # the speaker's onmouseover, were it markup
    assert page.js("() => window.__pwned === undefined")
    assert page.js("() => document.scripts.length") == 2
    assert page.js("() => document.querySelectorAll('img, b').length") == 0
    assert page.js(ROW_TEXTS)[1] == HOSTILE_TEXT
    assert page.js("() => document.querySelectorAll('#cue-list .spk')[1].textContent") == HOSTILE_SPEAKER
    assert page.js(TRACKS)[0]["cues"] == 2
    assert page.errors == []
