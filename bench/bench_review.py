"""How fast the review page is for a feature film: time to interactive and scrolling for
2,000 and 20,000 cues, in headless Chromium (the system's, driven by Playwright).

    python bench/bench_review.py [--sizes 2000,20000] [--repeat 3]

For each size a folder gets N cues by three speakers as dubsubs JSON and SRT (some too
fast to read or too close to the next, so the netflix check flags part of them), the
sandbox video beside them, and its review.html.
Figures, median of the repeats:

- build: gather + render + write in Python;
- interactive: from navigation start until the page is usable (first rows listed, the
  text track built, handlers attached: ``window.dubsubsReview.readyAt``);
- complete: until every row is in the list (rendered in slices after that);
- wheel scroll: 120 frames of 100 px each from the middle of the list, median and worst
  frame interval (16.7 ms is one frame at 60 Hz);
- fling: the whole list, top to bottom, in 60 frames (a block of rows is built on every
  frame), median and worst frame interval and the frames over 50 ms;
- seek: a click on a cue near the end until it is the active, highlighted cue and the
  next frame is drawn.

Timings only; nothing is asserted. Tests never time anything.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from dubsubs import Cue, Transcript, write_outputs
from dubsubs.review import REVIEW_NAME, write_review
from dubsubs.style import get_preset

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT / "dubsubs" / "data" / "sandbox" / "media" / "video.mp4"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WORDS = ("we", "should", "go", "back", "to", "the", "harbour", "before", "the", "tide", "turns", "tonight",
         "and", "nobody", "will", "ask", "where", "the", "boat", "went")


def make_folder(root: Path, n: int) -> Path:
    """``film.json`` and ``film.srt`` with n cues by three speakers, and ``film.mp4``."""
    folder = root / f"film-{n}"
    cues = []
    start = 0
    for i in range(n):
        words = 3 + (i * 7) % 10
        text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(words)).capitalize() + "."
        if len(text) > 42:  # two lines, as a subtitler would
            cut = text.rfind(" ", 0, len(text) // 2 + 4)
            text = text[:cut] + "\n" + text[cut + 1:]
        duration = 1400 + (i * 37) % 2600
        cues.append(Cue(start, start + duration, text, ("ANNA", "BORIS", "CHLOE")[i % 3]))
        start += duration + 200 + (i * 53) % 900
    write_outputs(Transcript(tuple(cues), language="en"), folder, "film", ["json", "srt"])
    shutil.copy(VIDEO, folder / "film.mp4")
    return folder


SCROLL = """async ([steps, pixels]) => {
  // pixels 0: top to bottom in `steps` frames (a fling); else `pixels` per frame (a wheel).
  const list = document.getElementById('cue-list');
  const frames = [];
  const from = pixels ? (list.scrollHeight - list.clientHeight) / 2 : 0;
  list.scrollTop = from;
  await new Promise(r => requestAnimationFrame(r));
  let last = performance.now();
  for (let k = 1; k <= steps; k++) {
    await new Promise(r => requestAnimationFrame(r));
    list.scrollTop = pixels ? from + pixels * k : (list.scrollHeight - list.clientHeight) * k / steps;
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  await new Promise(r => requestAnimationFrame(r));
  frames.sort((a, b) => a - b);
  return {median: frames[frames.length >> 1], worst: frames[frames.length - 1],
          slow: frames.filter(f => f > 50).length};
}"""

SEEK = """async (i) => {
  const row = document.querySelector(`#cue-list li.cue[data-i="${i}"]`);
  const began = performance.now();
  row.click();
  // Read at once: the sandbox video is 4 s long, so the media clamps the seek right after.
  const active = row.classList.contains('active');
  await new Promise(r => requestAnimationFrame(r));
  return {ms: performance.now() - began, active};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        print(f"Chromium {browser.version}, headless; median of {args.repeat}")
        for n in (int(s) for s in args.sizes.split(",")):
            folder = make_folder(Path(tmp), n)
            began = time.perf_counter()
            _, data = write_review(folder, preset=get_preset("netflix"))
            build = time.perf_counter() - began
            flagged = len({v.cue for v in data.tracks[0].check.violations})
            size = (folder / REVIEW_NAME).stat().st_size
            figures: dict[str, list[float]] = {k: [] for k in (
                "ready", "complete", "median", "worst", "slow", "wheel", "wheel_worst", "seek")}
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.goto((folder / REVIEW_NAME).as_uri(), timeout=60_000)
                page.wait_for_selector("html[data-ready]", state="attached", timeout=60_000)
                page.wait_for_selector("html[data-complete]", state="attached", timeout=120_000)
                marks = page.evaluate("() => window.dubsubsReview")
                figures["ready"].append(marks["readyAt"])
                figures["complete"].append(marks["completeAt"])
                wheel = page.evaluate(SCROLL, [120, 100])
                figures["wheel"].append(wheel["median"])
                figures["wheel_worst"].append(wheel["worst"])
                scroll = page.evaluate(SCROLL, [60, 0])
                for key in ("median", "worst", "slow"):
                    figures[key].append(scroll[key])
                seek = page.evaluate(SEEK, n - 5)
                assert seek["active"], "the clicked cue did not become active"
                figures["seek"].append(seek["ms"])
                if errors:
                    print("  console errors:", errors[:3])
                context.close()
            med = {k: statistics.median(v) for k, v in figures.items()}
            print(f"{n:>6} cues ({flagged} flagged), page {size / 1e6:.2f} MB: build {build:.2f} s, "
                  f"interactive {med['ready']:.0f} ms, complete {med['complete']:.0f} ms, "
                  f"wheel-scroll frame median {med['wheel']:.1f} ms / worst {med['wheel_worst']:.1f} ms, "
                  f"fling frame median {med['median']:.1f} ms / worst {med['worst']:.1f} ms "
                  f"({med['slow']:.0f} of 60 over 50 ms), seek {med['seek']:.1f} ms")
        browser.close()


if __name__ == "__main__":
    main()
