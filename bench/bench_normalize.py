"""Benchmark: parse + normalise N dialogue items, and how time grows with N.

Not a test. Run: python bench/bench_normalize.py [--n 100000] [--scale 10]
Prints the median time per stage at N and at scale*N, their ratio (linear is ~scale;
the target is under 1.2 * scale), and the peak memory of one run at N.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dubsubs.camb.results import iter_results as iter_json
from dubsubs.normalize import normalize

WORDS = ("we need the second reel before noon and the dub has to match every cut "
         "so check the levels again then send it over").split()


def make_payload(n: int, unit: str, seed: int = 7) -> str:
    rng = random.Random(seed)
    now = 0.0
    items = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))
        start = now + rng.uniform(0.05, 3.0)
        end = start + len(text) / rng.uniform(11, 18)
        now = end
        if unit == "ms":
            items.append({"start": round(start * 1000), "end": round(end * 1000), "text": text,
                          "speaker": f"Speaker {i % 4 + 1}"})
        else:
            items.append({"start": round(start, 3), "end": round(end, 3), "text": text,
                          "speaker": f"Speaker {i % 4 + 1}"})
    return json.dumps({"video_url": None, "audio_url": None, "transcript": items})


def run_once(payload: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    (raw,) = list(iter_json(json.loads(payload), "bench"))
    t1 = time.perf_counter()
    transcript, report = normalize(raw)  # type: ignore[arg-type]
    t2 = time.perf_counter()
    assert len(transcript.cues) == len(raw.items)  # type: ignore[union-attr]
    return t1 - t0, t2 - t1


def median_times(n: int, unit: str, repeat: int) -> tuple[float, float]:
    payload = make_payload(n, unit)
    runs = [run_once(payload) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"{'unit':>4} {'items':>9} {'parse s':>9} {'normalise s':>12}")
    for unit in ("s", "ms"):
        small = median_times(args.n, unit, args.repeat)
        big = median_times(args.n * args.scale, unit, max(1, args.repeat - 2))
        print(f"{unit:>4} {args.n:>9} {small[0]:>9.3f} {small[1]:>12.3f}")
        print(f"{unit:>4} {args.n * args.scale:>9} {big[0]:>9.3f} {big[1]:>12.3f}")
        print(f"     ratio at {args.scale}x items: parse {big[0] / small[0]:.1f}x, "
              f"normalise {big[1] / small[1]:.1f}x (linear = {args.scale}x)")

    payload = make_payload(args.n, "s")
    tracemalloc.start()
    run_once(payload)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory, parse + normalise of {args.n} items: {peak / 2**20:.0f} MiB "
          f"(the JSON text itself: {len(payload) / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
