"""Download benchmark: dubsubs vs curl on a 1 GiB file, and fetch --jobs 8 vs --jobs 1.

Everything is local: the sandbox serves on 127.0.0.1; the 1 GiB file is created sparse in a
temporary directory and deleted afterwards. Usage::

    python bench/bench_download.py [--size-mib 1024] [--repeat 3] [--runs 200]

Part 1 streams the same presigned URL with ``curl -s -o``, with
``curl | tee | sha256sum`` (the same work dubsubs does) and with
``dubsubs.camb.download.download`` (in a child process, which reports its own peak RSS,
VmHWM), interleaved, best of ``--repeat`` each, and prints the throughput ratios. Part 2 fetches
``--runs`` sandbox runs (each with a 4 s video and audio, four subtitle formats) with a
pool of 1 and of 8, with and without a simulated 20 ms latency on each media request.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dubsubs.camb.client import CambClient
from dubsubs.camb.fetch import FetchOptions, fetch_runs
from dubsubs.camb.sandbox import Fault, Sandbox

CHILD = """
import sys
import time
from pathlib import Path
sys.path.insert(0, {root!r})
from dubsubs.camb.client import CambClient
from dubsubs.camb.download import download
client = CambClient("unused-key", "http://127.0.0.1:1/apis")
start = time.perf_counter()
got = download(client, sys.argv[1], Path(sys.argv[2]), "big")
elapsed = time.perf_counter() - start
# This process's own peak: wait4's ru_maxrss would also count the parent's, kept across exec.
status = Path("/proc/self/status").read_text()
hwm_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
print(got.size, elapsed, hwm_kib * 1024)
"""


def run_child(argv: list[str]) -> tuple[float, int, str]:
    """Wall time, peak RSS (bytes) and stdout of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err.strip()[:500]}")
    return elapsed, usage.ru_maxrss * 1024, out


def bench_big_file(size_mib: int, repeat: int, workdir: str | None) -> None:
    curl = shutil.which("curl")
    with tempfile.TemporaryDirectory(prefix="dubsubs-bench-", dir=workdir) as tmp:
        source = Path(tmp) / "big.bin"
        with open(source, "wb") as handle:
            handle.truncate(size_mib << 20)  # sparse: no disk used, reads as zeros
        size = source.stat().st_size
        with Sandbox() as server:
            url = server.add_media("big.bin", source, content_type="application/octet-stream")
            tools: dict[str, list[str]] = {}
            if curl:
                tools["curl -o"] = [curl, "-s", "-o", f"{tmp}/out.bin", url]
                # The same work dubsubs does: save and sha256 while receiving.
                tools["curl | tee | sha256sum"] = [
                    "bash", "-c", f"{curl} -s '{url}' | tee {tmp}/out.bin | sha256sum",
                ]
            tools["dubsubs"] = [
                sys.executable, "-c", CHILD.format(root=str(ROOT)), url, f"{tmp}/dubsubs",
            ]
            results: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
            in_call: list[float] = []
            for _ in range(repeat):
                for name, argv in tools.items():
                    elapsed, rss, out = run_child(argv)
                    if name == "dubsubs":
                        got_size, call_seconds, own_peak = out.split()
                        assert int(got_size) == size
                        in_call.append(float(call_seconds))
                        rss = int(own_peak)
                        shutil.rmtree(f"{tmp}/dubsubs")
                    else:
                        assert Path(f"{tmp}/out.bin").stat().st_size == size
                        os.unlink(f"{tmp}/out.bin")
                    results[name].append((elapsed, rss))
    where = workdir or tempfile.gettempdir()
    print(f"\n1. One {size_mib} MiB file over loopback into {where} (best of {repeat};"
          " dubsubs computes sha256 while streaming)")
    print(f"{'tool':<26}{'best s':>8}{'median s':>10}{'MiB/s':>8}{'vs curl -o':>12}"
          f"{'peak RSS MiB':>14}")
    best = {name: min(r[0] for r in rows) for name, rows in results.items()}
    median = {name: statistics.median(r[0] for r in rows) for name, rows in results.items()}
    for name, rows in results.items():
        ratio = "-"
        if "curl -o" in best:
            ratio = f"{best['curl -o'] / best[name]:.2f}x"
        # Only dubsubs reports its own peak (VmHWM); a curl child's ru_maxrss starts at
        # this benchmark process's peak, so it would not measure curl.
        rss = f"{max(r[1] for r in rows) / 2**20:.1f}" if name == "dubsubs" else "-"
        print(f"{name:<26}{best[name]:>8.2f}{median[name]:>10.2f}{size_mib / best[name]:>8.0f}"
              f"{ratio:>12}{rss:>14}")
    if "curl -o" in median:
        print(f"median ratio dubsubs / curl -o: {median['curl -o'] / median['dubsubs']:.2f}x")
        print(f"inside the dubsubs process, download() itself took {min(in_call):.2f} s best, "
              f"{statistics.median(in_call):.2f} s median (the rest is interpreter start-up "
              f"and imports): {best['curl -o'] / min(in_call):.2f}x curl -o")
    if "curl | tee | sha256sum" in best:
        peer = best["curl | tee | sha256sum"]
        print(f"dubsubs vs curl | tee | sha256sum (same work): {peer / best['dubsubs']:.2f}x")


def bench_fetch(runs: int) -> None:
    rows = []
    for latency in (0.0, 0.02):
        for jobs in (1, 8):
            with Sandbox() as server, tempfile.TemporaryDirectory() as tmp:
                ids = list(range(100_001, 100_001 + runs))
                for run_id in ids:
                    server.clone_run(1001, run_id)
                if latency:
                    server.add_fault(Fault(path=r"^/media/", kind="slow", delay=latency, times=10**9))
                client = CambClient(server.api_key, server.url)
                start = time.perf_counter()
                outcomes = fetch_runs(client, ids, Path(tmp), FetchOptions(jobs=jobs))
                elapsed = time.perf_counter() - start
                client.close()
                assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
                assert server.count("GET", r"^/media/") == 2 * runs
                rows.append((latency, jobs, elapsed))
    print(f"\n2. fetch of {runs} sandbox runs (2 media files + subtitles each)")
    print(f"{'media latency':<15}{'jobs':>6}{'seconds':>10}{'runs/s':>10}{'speed-up':>10}")
    for latency, jobs, elapsed in rows:
        single = next(e for lat, j, e in rows if lat == latency and j == 1)
        print(f"{latency * 1000:>10.0f} ms {jobs:>6}{elapsed:>10.2f}{runs / elapsed:>10.1f}"
              f"{single / elapsed:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
        help="Where the big file and the copies go (default /dev/shm, so the disk's write "
        "speed does not decide the race)",
    )
    args = parser.parse_args()
    bench_big_file(args.size_mib, args.repeat, args.dir)
    bench_fetch(args.runs)


if __name__ == "__main__":
    main()
