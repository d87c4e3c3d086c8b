"""Benchmark: whole-process ``dubsubs convert`` of a dub JSON against peer scripts doing
the same job (read the dub JSON, write one subtitle file), each in its own process, start-up
included, measured side by side in the same run.

Not a test. Run: python bench/bench_convert.py [--n 100000] [--repeat 5] [--rss 1000000]

Peers, per format (each the library's plainest way to do the job):

- srt: the ``srt`` package (``srt.compose``), pysrt, pysubs2;
- vtt: pysubs2, webvtt-py;
- ttml: pysubs2;
- json: the standard library (``json.dump`` of the items in seconds, ``indent=2``).

Prints, per format, the median wall time of each command and the ratio dubsubs / fastest
peer (below 1: dubsubs is faster). ``--rss N`` also converts N items to all four formats
in one process and prints its peak resident memory (``ru_maxrss`` of that child).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_normalize import make_payload

PEERS: dict[str, dict[str, str]] = {
    "srt": {
        "srt": """
import json, sys, srt
from datetime import timedelta
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
subs = [srt.Subtitle(i + 1, timedelta(seconds=it["start"]), timedelta(seconds=it["end"]), it["text"])
        for i, it in enumerate(items)]
open(sys.argv[2], "w", encoding="utf-8").write(srt.compose(subs, reindex=False))
""",
        "pysrt": """
import json, sys, pysrt
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
subs = pysrt.SubRipFile([pysrt.SubRipItem(i + 1, pysrt.SubRipTime.from_ordinal(round(it["start"] * 1000)),
                         pysrt.SubRipTime.from_ordinal(round(it["end"] * 1000)), it["text"])
                         for i, it in enumerate(items)])
subs.save(sys.argv[2], encoding="utf-8")
""",
        "pysubs2": """
import json, sys, pysubs2
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
subs = pysubs2.SSAFile()
subs.events = [pysubs2.SSAEvent(start=round(it["start"] * 1000), end=round(it["end"] * 1000),
               text=it["text"]) for it in items]
subs.save(sys.argv[2], format_="srt")
""",
    },
    "vtt": {
        "pysubs2": """
import json, sys, pysubs2
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
subs = pysubs2.SSAFile()
subs.events = [pysubs2.SSAEvent(start=round(it["start"] * 1000), end=round(it["end"] * 1000),
               text=it["text"]) for it in items]
subs.save(sys.argv[2], format_="vtt")
""",
        "webvtt-py": """
import json, sys, webvtt
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
def stamp(s):
    ms = round(s * 1000); h, ms = divmod(ms, 3600000); m, ms = divmod(ms, 60000); s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
vtt = webvtt.WebVTT(captions=[webvtt.Caption(stamp(it["start"]), stamp(it["end"]), it["text"]) for it in items])
vtt.save(sys.argv[2])
""",
    },
    "ttml": {
        "pysubs2": """
import json, sys, pysubs2
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
subs = pysubs2.SSAFile()
subs.events = [pysubs2.SSAEvent(start=round(it["start"] * 1000), end=round(it["end"] * 1000),
               text=it["text"]) for it in items]
subs.save(sys.argv[2], format_="ttml")
""",
    },
    "json": {
        "json (stdlib)": """
import json, sys
items = json.load(open(sys.argv[1], encoding="utf-8"))["transcript"]
cues = [{"start": it["start"], "end": it["end"], "speaker": it.get("speaker"), "text": it["text"]}
        for it in items]
json.dump({"units": "s", "cues": cues}, open(sys.argv[2], "w", encoding="utf-8"), indent=2, ensure_ascii=False)
""",
    },
}


def run(command: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
    return elapsed, usage.ru_maxrss


def dubsubs_command() -> list[str]:
    exe = shutil.which("dubsubs")
    return [exe] if exe else [sys.executable, "-m", "dubsubs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--formats", default="srt,vtt,ttml,json")
    parser.add_argument("--rss", type=int, default=0, help="also: peak RSS converting this many items to all formats")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    try:
        source = work / "dub.json"
        payload = make_payload(args.n, "s")
        source.write_text(payload, encoding="utf-8")
        del payload
        print(f"{args.n:,} items, {source.stat().st_size / 1e6:.1f} MB of dub JSON; median of {args.repeat}, "
              f"start-up included; {os.cpu_count()} cores")
        for fmt in args.formats.split(","):
            commands = {"dubsubs": [*dubsubs_command(), "convert", str(source), "-o", str(work / "out"),
                                    "-f", fmt, "-q"]}
            for name, script in PEERS[fmt].items():
                peer = work / f"peer_{fmt}_{name.split()[0]}.py"
                peer.write_text(script, encoding="utf-8")
                commands[name] = [sys.executable, str(peer), str(source), str(work / f"peer.{fmt}")]
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.repeat):  # interleaved, so load changes hit every command alike
                for name, command in commands.items():
                    times[name].append(run(command)[0])
            medians = {name: statistics.median(values) for name, values in times.items()}
            peers = {name: t for name, t in medians.items() if name != "dubsubs"}
            fastest = min(peers, key=peers.__getitem__)
            listing = ", ".join(f"{name} {t:.2f} s" for name, t in peers.items())
            print(f"{fmt:5s} dubsubs {medians['dubsubs']:.2f} s | {listing} | "
                  f"ratio to fastest ({fastest}) {medians['dubsubs'] / peers[fastest]:.2f}")
        if args.rss:
            # Written by a child: a parent holding the payload would lend its resident pages
            # to the measured child between fork and exec, inflating its peak RSS.
            big = work / "big.json"
            subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                            "from bench_normalize import make_payload; "
                            "open(sys.argv[2], 'w', encoding='utf-8').write(make_payload(int(sys.argv[3]), 's'))",
                            str(Path(__file__).resolve().parent), str(big), str(args.rss)], check=True)
            elapsed, rss = run([*dubsubs_command(), "convert", str(big), "-o", str(work / "big"), "-q"])
            print(f"{args.rss:,} items to srt,vtt,ttml,json in one process: {elapsed:.1f} s, "
                  f"peak RSS {rss / 1024:.0f} MiB ({big.stat().st_size / 1e6:.0f} MB input)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
