"""Take docs/review.png: the review page of sandbox run 1002, checked against netflix,
with the second cue playing, in headless Chromium.

    python docs/screenshot.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from dubsubs.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def shoot() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = CliRunner().invoke(main, ["fetch", "1002", "--sandbox", "-q", "-o", tmp])
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(main, ["review", f"{tmp}/1002", "--preset", "netflix", "-q"])
        assert result.exit_code == 0, result.output
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto((Path(tmp) / "1002" / "review.html").as_uri(), timeout=10_000)
            page.wait_for_selector("html[data-complete]", state="attached", timeout=10_000)
            page.wait_for_function("document.getElementById('player').readyState >= 2", timeout=10_000)
            page.locator("#cue-list li.cue").nth(1).click()
            page.wait_for_function("document.getElementById('player').readyState >= 2", timeout=10_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(ROOT / "docs" / "review.png"))
            browser.close()


if __name__ == "__main__":
    shoot()
