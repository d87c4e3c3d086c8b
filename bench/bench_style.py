"""Benchmark: conform (segmentation, line breaking, timing) and check, at 10k and 100k items.

    python bench/bench_style.py [--sizes 10000,100000] [--repeat 3]

Prints the median time of each step per size, the growth ratio between sizes (the target
is linear: 10x the items in at most 12x the time), and the ratio against a naive peer:
``textwrap.wrap`` at 42 columns with lines paired into cues and time shared by length,
the least a script would do, with no reading-speed, gap or frame handling. No subtitle
library in Python segments or checks against a delivery spec, so that is the only peer.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import random
import statistics
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dubsubs.model import Cue, Transcript
from dubsubs.style import check, conform, get_preset

VOCABULARY = (
    "the a we you they it is was not never always here there now then time house road "
    "night morning storm garden because and but so if when with from into about after "
    "before nobody somebody everything nothing remember forget leave stay talk listen "
    "wonderful terrible quickly slowly again together alone"
)
WORDS = VOCABULARY.split(" ")


def make_transcript(n: int, seed: int = 7) -> Transcript:
    rng = random.Random(seed)
    cues = []
    at = 0
    for index in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 35))]
        for position in range(4, len(words), rng.randint(5, 9)):
            words[position] += rng.choice([",", ".", "?"])
        text = " ".join(words).capitalize() + "."
        duration = int(len(text) * 1000 / 15) + 600
        cues.append(Cue(at, at + duration, text, "AB"[index % 2]))
        at += duration + rng.randint(0, 1200)
    return Transcript(tuple(cues), language="en")


def naive_segment(transcript: Transcript) -> list[Cue]:
    out: list[Cue] = []
    for item in transcript.cues:
        lines = textwrap.wrap(item.text, 42)
        chunks = ["\n".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
        total = sum(len(c) for c in chunks) or 1
        at = float(item.start_ms)
        for chunk in chunks:
            share = item.duration_ms * len(chunk) / total
            out.append(Cue(round(at), round(at + share), chunk, item.speaker))
            at += share
    return out


def median_time(step: Callable[[], object], repeat: int) -> float:
    """Median wall time; the cyclic GC is off while timing, as ``timeit`` does, so that
    collections of the previous run's objects do not land in this one."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            began = time.perf_counter()
            step()
            times.append(time.perf_counter() - began)
        finally:
            gc.enable()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    preset = get_preset("netflix", fps="23.976")
    results: dict[int, dict[str, float]] = {}
    for n in sizes:
        transcript = make_transcript(n)
        styled, report = conform(transcript, preset)
        row = {
            "conform": median_time(lambda t=transcript: conform(t, preset), args.repeat),
            "check": median_time(lambda s=styled: check(s.cues, preset, language="en"), args.repeat),
            "naive peer": median_time(lambda t=transcript: naive_segment(t), args.repeat),
        }
        results[n] = row
        verdict = check(styled.cues, preset, language="en")
        print(f"N={n:>7}: {report.summary()}; check: {verdict.errors} errors, {verdict.warnings} warnings")
        for name, seconds in row.items():
            print(f"    {name:<11} {seconds:8.3f} s")
        print(f"    conform+check vs naive peer: {(row['conform'] + row['check']) / row['naive peer']:.1f}x")
    for small, large in itertools.pairwise(sizes):
        factor = large / small
        for name in ("conform", "check"):
            ratio = results[large][name] / results[small][name]
            limit = factor * 1.2
            mark = "ok" if ratio <= limit else "SLOWER THAN LINEAR"
            print(
                f"{name}: {large} items took {ratio:.2f}x the time of {small} "
                f"({factor:.0f}x items; limit {limit:.0f}x): {mark}"
            )


if __name__ == "__main__":
    main()
