"""Exporter benchmark: dubsubs against other subtitle libraries and plain f-string writers.

Not a test. Run single-core, e.g.::

    python bench/bench_export.py --n 100000 --repeat 3
    python bench/bench_export.py --n 100000 --repeat 3 --scaling    # + 1,000,000 vs 100,000

Every writer gets the same work: an N-cue transcript (integer milliseconds, speakers, some
``&``/``<`` in text and names, some two-line cues) to one document string. For a library
that includes building its own cue objects from the transcript, since that is what using it
costs. The plain writers are the floor: one f-string per cue, no clean-up, no escaping (so
their VTT and TTML output is not valid for text holding ``&`` or ``<``).

pycaption and ttconv's IMSC writer take seconds per 10,000 cues, so by default they are
timed once at ``--slow-n`` cues and scaled linearly to N (marked ``~``); ttconv's SRT and
WebVTT writers grow faster than linearly and are timed at ``--slow-n / 10`` (marked ``>=``,
a lower bound). Pass ``--slow-n`` equal to ``--n`` to measure pycaption and ttconv IMSC in
full. Libraries that are not installed
are skipped with a note.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dubsubs.formats import default_formats, get_writer
from dubsubs.model import Cue, Transcript, UnitsDecision

Writer = Callable[[Transcript], str]

_VOCABULARY = """
the a we you they it is was not what where when here there now then just really think
know going right back time people look come well good never always maybe tonight tomorrow
house car money doctor captain station river city morning story listen wait please thank
sorry okay yes no hey come on let's go find tell me about
"""
WORDS = _VOCABULARY.split()
SPEAKERS = ("Alice", "Bob Smith", "Ana & Co", "Dr. <Who>", "Mary Jane Watson", None)


# --- The transcript --------------------------------------------------------------------


def make_transcript(n: int, seed: int = 1) -> Transcript:
    """N cues of dialogue: 1-3 s each, small gaps, 1 in 4 on two lines, 1 in 10 with & or <."""
    rng = random.Random(seed)
    cues = []
    t = 0
    for _ in range(n):
        start = t + rng.randrange(0, 800)
        end = start + rng.randrange(800, 3500)
        t = end
        words = rng.choices(WORDS, k=rng.randrange(3, 12))
        words[0] = words[0].capitalize()
        roll = rng.random()
        if roll < 0.05:
            words.insert(rng.randrange(len(words)), "&")
        elif roll < 0.10:
            words.insert(rng.randrange(len(words)), "<3")
        text = " ".join(words) + rng.choice(".?!")
        if rng.random() < 0.25:
            text += "\n" + " ".join(rng.choices(WORDS, k=rng.randrange(2, 8))).capitalize() + "."
        cues.append(Cue(start, end, text, rng.choice(SPEAKERS)))
    return Transcript(cues=tuple(cues), run_id="bench", language="en", units=UnitsDecision("s", "auto", 0.99))


# --- Plain f-string writers (the floor) ---------------------------------------------------


def _clock(ms: int, sep: str) -> str:
    s, f = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{f:03d}"


def plain_srt(t: Transcript) -> str:
    return "\n".join(
        f"{i}\n{_clock(c.start_ms, ',')} --> {_clock(c.end_ms, ',')}\n{c.text}\n"
        for i, c in enumerate(t.cues, 1)
    )


def plain_vtt(t: Transcript) -> str:
    return "WEBVTT\n\n" + "\n".join(
        f"{_clock(c.start_ms, '.')} --> {_clock(c.end_ms, '.')}\n"
        + (f"<v {c.speaker}>{c.text}</v>\n" if c.speaker else f"{c.text}\n")
        for c in t.cues
    )


def plain_ttml(t: Transcript) -> str:
    agents = {name: f"speaker{i}" for i, name in enumerate(t.speakers, 1)}
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" '
        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xml:lang="en"><head><metadata>'
        + "".join(
            f'<ttm:agent xml:id="{a}" type="person"><ttm:name type="full">{n}</ttm:name></ttm:agent>'
            for n, a in agents.items()
        )
        + "</metadata></head><body><div>\n"
    )
    body = "".join(
        f'<p xml:id="sub{i}" begin="{_clock(c.start_ms, ".")}" end="{_clock(c.end_ms, ".")}"'
        + (f' ttm:agent="{agents[c.speaker]}"' if c.speaker else "")
        + f"><span>{c.text.replace(chr(10), '<br/>')}</span></p>\n"
        for i, c in enumerate(t.cues, 1)
    )
    return head + body + "</div></body></tt>\n"


def _items(t: Transcript) -> list[dict[str, Any]]:
    return [
        {"start": c.start_ms / 1000, "end": c.end_ms / 1000, "speaker": c.speaker, "text": c.text}
        for c in t.cues
    ]


def plain_json_indent(t: Transcript) -> str:
    return json.dumps(
        {"run_id": t.run_id, "speakers": list(t.speakers), "cues": _items(t)},
        indent=2,
        ensure_ascii=False,
    )


def plain_json_compact(t: Transcript) -> str:
    return json.dumps(
        {"run_id": t.run_id, "speakers": list(t.speakers), "cues": _items(t)}, ensure_ascii=False
    )


# --- Libraries ---------------------------------------------------------------------------


def srt_compose(t: Transcript) -> str:
    import srt

    return str(
        srt.compose(
            srt.Subtitle(
                i,
                timedelta(milliseconds=c.start_ms),
                timedelta(milliseconds=c.end_ms),
                c.text,
            )
            for i, c in enumerate(t.cues, 1)
        )
    )


def pysrt_write(t: Transcript) -> str:
    import pysrt

    items = pysrt.SubRipFile(
        items=[
            pysrt.SubRipItem(
                i,
                start=pysrt.SubRipTime(milliseconds=c.start_ms),
                end=pysrt.SubRipTime(milliseconds=c.end_ms),
                text=c.text,
            )
            for i, c in enumerate(t.cues, 1)
        ]
    )
    buffer = io.StringIO()
    items.write_into(buffer)
    return buffer.getvalue()


def _pysubs2(fmt: str) -> Writer:
    def write(t: Transcript) -> str:
        import pysubs2

        subs = pysubs2.SSAFile()
        subs.events = [
            pysubs2.SSAEvent(
                start=c.start_ms,
                end=c.end_ms,
                text=c.text.replace("\n", "\\N"),
                name=c.speaker or "",
            )
            for c in t.cues
        ]
        return str(subs.to_string(fmt))

    return write


def webvtt_py(t: Transcript) -> str:
    import webvtt

    captions = [
        webvtt.Caption(
            _clock(c.start_ms, "."),
            _clock(c.end_ms, "."),
            f"<v {c.speaker}>{c.text}</v>" if c.speaker else c.text,
        )
        for c in t.cues
    ]
    return str(webvtt.WebVTT(captions=captions).content)


def _pycaption(writer_name: str) -> Writer:
    def write(t: Transcript) -> str:
        import pycaption

        captions = []
        for c in t.cues:
            nodes = []
            for k, line in enumerate(c.text.split("\n")):
                if k:
                    nodes.append(pycaption.CaptionNode.create_break())
                nodes.append(pycaption.CaptionNode.create_text(line))
            captions.append(pycaption.Caption(c.start_ms * 1000, c.end_ms * 1000, nodes))
        caption_set = pycaption.CaptionSet({"en": pycaption.CaptionList(captions)})
        return str(getattr(pycaption, writer_name)().write(caption_set))

    return write


def _ttconv_model(t: Transcript) -> Any:
    from ttconv import model

    doc = model.ContentDocument()
    doc.set_lang("en")
    body = model.Body(doc)
    div = model.Div(doc)
    body.push_child(div)
    for c in t.cues:
        p = model.P(doc)
        p.set_begin(Fraction(c.start_ms, 1000))
        p.set_end(Fraction(c.end_ms, 1000))
        span = model.Span(doc)
        for k, line in enumerate(c.text.split("\n")):
            if k:
                span.push_child(model.Br(doc))
            span.push_child(model.Text(doc, line))
        p.push_child(span)
        div.push_child(p)
    doc.set_body(body)
    return doc


def ttconv_imsc(t: Transcript) -> str:
    import xml.etree.ElementTree as ElementTree

    from ttconv.imsc import writer

    return ElementTree.tostring(writer.from_model(_ttconv_model(t)).getroot(), encoding="unicode")


def ttconv_srt(t: Transcript) -> str:
    from ttconv.srt import writer

    return str(writer.from_model(_ttconv_model(t)))


def ttconv_vtt(t: Transcript) -> str:
    from ttconv.vtt import writer

    return str(writer.from_model(_ttconv_model(t)))


def lxml_ttml(t: Transcript) -> str:
    """The same EBU-TT-D document as dubsubs, built with lxml's element API."""
    from lxml import etree

    tt_ns, ttm_ns = "http://www.w3.org/ns/ttml", "http://www.w3.org/ns/ttml#metadata"
    ttp_ns, tts_ns = "http://www.w3.org/ns/ttml#parameter", "http://www.w3.org/ns/ttml#styling"
    xml_ns = "http://www.w3.org/XML/1998/namespace"
    nsmap = {None: tt_ns, "ttm": ttm_ns, "ttp": ttp_ns, "tts": tts_ns}
    tt, ttm, xml = f"{{{tt_ns}}}", f"{{{ttm_ns}}}", f"{{{xml_ns}}}"
    root = etree.Element(
        f"{tt}tt",
        {
            f"{{{ttp_ns}}}timeBase": "media",
            f"{{{ttp_ns}}}cellResolution": "32 15",
            f"{xml}lang": "en",
        },
        nsmap=nsmap,  # type: ignore[arg-type]
    )
    head = etree.SubElement(root, f"{tt}head")
    metadata = etree.SubElement(head, f"{tt}metadata")
    agents: dict[str, str] = {}
    for i, name in enumerate(t.speakers, 1):
        agents[name] = f"speaker{i}"
        agent = etree.SubElement(metadata, f"{ttm}agent", {f"{xml}id": f"speaker{i}", "type": "person"})
        etree.SubElement(agent, f"{ttm}name", {"type": "full"}).text = name
    styling = etree.SubElement(head, f"{tt}styling")
    etree.SubElement(styling, f"{tt}style", {f"{xml}id": "block", f"{{{tts_ns}}}textAlign": "center"})
    etree.SubElement(styling, f"{tt}style", {f"{xml}id": "text", f"{{{tts_ns}}}color": "#FFFFFF"})
    layout = etree.SubElement(head, f"{tt}layout")
    etree.SubElement(
        layout,
        f"{tt}region",
        {f"{xml}id": "bottom", f"{{{tts_ns}}}origin": "10% 10%", f"{{{tts_ns}}}extent": "80% 80%"},
    )
    div = etree.SubElement(etree.SubElement(root, f"{tt}body"), f"{tt}div", region="bottom", style="block")
    for i, c in enumerate(t.cues, 1):
        attributes = {
            f"{xml}id": f"sub{i}",
            "begin": _clock(c.start_ms, "."),
            "end": _clock(c.end_ms, "."),
        }
        if c.speaker:
            attributes[f"{ttm}agent"] = agents[c.speaker]
        p = etree.SubElement(div, f"{tt}p", attributes)
        span = etree.SubElement(p, f"{tt}span", style="text")
        lines = c.text.split("\n")
        span.text = lines[0]
        for line in lines[1:]:
            etree.SubElement(span, f"{tt}br").tail = line
    return etree.tostring(root, encoding="utf-8", xml_declaration=True).decode("utf-8")


def _dubsubs(fmt: str) -> Writer:
    exporter = get_writer(fmt)
    options = exporter.options_type()
    return lambda t: exporter.dumps(t, options)


# How a peer is timed: in full at N; once at --slow-n and scaled linearly ("~"); or once
# at --slow-n / 10 and scaled linearly, a lower bound because its time grows faster than
# N (">=", ttconv's SRT and WebVTT writers build an intermediate document per cue change).
FULL, SLOW, SUPERLINEAR = "", "~", ">="

# (format, writer name, function, module it needs, how it is timed)
PEERS: list[tuple[str, str, Writer, str, str]] = [
    ("srt", "plain f-string", plain_srt, "", FULL),
    ("srt", "srt.compose", srt_compose, "srt", FULL),
    ("srt", "pysrt", pysrt_write, "pysrt", FULL),
    ("srt", "pysubs2", _pysubs2("srt"), "pysubs2", FULL),
    ("srt", "pycaption SRTWriter", _pycaption("SRTWriter"), "pycaption", SLOW),
    ("srt", "ttconv srt writer", ttconv_srt, "ttconv", SUPERLINEAR),
    ("vtt", "plain f-string", plain_vtt, "", FULL),
    ("vtt", "pysubs2", _pysubs2("vtt"), "pysubs2", FULL),
    ("vtt", "webvtt-py", webvtt_py, "webvtt", FULL),
    ("vtt", "pycaption WebVTTWriter", _pycaption("WebVTTWriter"), "pycaption", SLOW),
    ("vtt", "ttconv vtt writer", ttconv_vtt, "ttconv", SUPERLINEAR),
    ("ttml", "plain f-string", plain_ttml, "", FULL),
    ("ttml", "lxml builder", lxml_ttml, "lxml", FULL),
    ("ttml", "pysubs2", _pysubs2("ttml"), "pysubs2", FULL),
    ("ttml", "ttconv IMSC writer", ttconv_imsc, "ttconv", SLOW),
    ("ttml", "pycaption DFXPWriter", _pycaption("DFXPWriter"), "pycaption", SLOW),
    ("json", "json.dumps indent=2", plain_json_indent, "", FULL),
    ("json", "json.dumps compact", plain_json_compact, "", FULL),
    ("json", "pysubs2", _pysubs2("json"), "pysubs2", FULL),
]


# --- Measuring ---------------------------------------------------------------------------


def median_time(write: Writer, transcript: Transcript, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        write(transcript)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _installed(module: str) -> bool:
    if not module:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def run_table(n: int, repeat: int, slow_n: int, skip_slow: bool) -> None:
    transcript = make_transcript(n)
    reduced = {
        SLOW: make_transcript(min(slow_n, n)),
        SUPERLINEAR: make_transcript(min(max(slow_n // 10, 1), n)),
    }
    print(f"N = {n:,} cues, median of {repeat}; ratio = peer time / dubsubs time\n")
    print(f"{'format':6} {'writer':24} {'seconds':>11} {'ratio':>8}")
    marks_used = set()
    for fmt in ("srt", "vtt", "ttml", "json"):
        ours = median_time(_dubsubs(fmt), transcript, repeat)
        print(f"{fmt:6} {'dubsubs':24} {ours:11.3f} {1.0:8.2f}")
        for peer_fmt, name, write, module, timing in PEERS:
            if peer_fmt != fmt:
                continue
            if not _installed(module):
                print(f"{fmt:6} {name:24} skipped: {module} is not installed")
                continue
            if timing and skip_slow:
                print(f"{fmt:6} {name:24} skipped (--skip-slow)")
                continue
            try:
                sample = reduced.get(timing, transcript)
                if len(sample) < n:
                    seconds = median_time(write, sample, 1) * n / len(sample)
                    marks_used.add(timing)
                    label = f"{timing:>2}{seconds:9.3f}"
                else:
                    seconds = median_time(write, transcript, repeat)
                    label = f"{seconds:11.3f}"
            except Exception as exc:  # a peer failing must not end the run
                print(f"{fmt:6} {name:24} failed: {type(exc).__name__}: {exc}"[:120])
                continue
            print(f"{fmt:6} {name:24} {label} {seconds / ours:8.2f}")
        sys.stdout.flush()
    if SLOW in marks_used:
        print(f"\n~  timed once at N = {len(reduced[SLOW]):,}, scaled linearly to N = {n:,}")
    if SUPERLINEAR in marks_used:
        print(
            f">= timed once at N = {len(reduced[SUPERLINEAR]):,}, scaled linearly to N = {n:,}; "
            "its time grows faster than N, so this is a lower bound"
        )


def memory_child(n: int, trace: bool) -> None:
    """Run in a subprocess: memory of building N cues and exporting every format.

    With ``trace``, tracemalloc measures the transcript and each export's own peak (and
    inflates the process size); without, only the process's peak RSS is reported.
    """
    import tracemalloc

    if trace:
        tracemalloc.start()
    transcript = make_transcript(n)
    built = tracemalloc.get_traced_memory()[0] if trace else 0
    peaks = {}
    for fmt in default_formats():
        if trace:
            tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0] if trace else 0
        output = _dubsubs(fmt)(transcript)
        peak = tracemalloc.get_traced_memory()[1] - before if trace else 0
        peaks[fmt] = (peak, len(output.encode()))
        del output
    print(json.dumps({"transcript": built, "exports": peaks, "max_rss_kb": _peak_rss_kb()}))


def _peak_rss_kb() -> int:
    """This process's peak resident size. VmHWM where Linux has it: ru_maxrss survives
    execve, so a child started by a large parent would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _child(flag: str, n: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, flag, str(n)], capture_output=True, text=True, check=True
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def run_memory(n: int) -> None:
    mb = 1024 * 1024
    plain = _child("--rss-child", n)
    traced = _child("--memory-child", n)
    print(f"\nMemory at N = {n:,} (separate processes):")
    print(
        "  peak RSS of a process that imports dubsubs, builds the transcript and runs all "
        f"four exporters: {plain['max_rss_kb'] / 1024:.0f} MB"
    )
    print(f"  tracemalloc: transcript {traced['transcript'] / mb:.1f} MB; per export, extra peak:")
    for fmt, (peak, size) in traced["exports"].items():
        print(f"    {fmt:5} {peak / mb:6.1f} MB  (output {size / mb:.1f} MB as UTF-8)")


def run_scaling(n: int, repeat: int) -> None:
    big = 10 * n
    print(
        f"\nScaling: dubsubs at N = {big:,} vs N = {n:,} (best of {repeat}, which is the "
        "figure least disturbed by other load; linear = 10.0)"
    )
    small_t = make_transcript(n)
    big_t = make_transcript(big)
    for fmt in default_formats():
        write = _dubsubs(fmt)
        small = min(median_time(write, small_t, 1) for _ in range(repeat))
        large = min(median_time(write, big_t, 1) for _ in range(repeat))
        print(f"  {fmt:5} {small:7.3f} s -> {large:7.3f} s   ratio {large / small:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="cues in the transcript")
    parser.add_argument("--repeat", type=int, default=3, help="runs per writer; the median is shown")
    parser.add_argument("--slow-n", type=int, default=10_000, help="N for pycaption and ttconv (scaled)")
    parser.add_argument("--skip-slow", action="store_true", help="leave out pycaption and ttconv")
    parser.add_argument("--scaling", action="store_true", help="also time dubsubs at 10 x N")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child or args.rss_child:
        memory_child(args.memory_child or args.rss_child, trace=bool(args.memory_child))
        return
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        print(f"pinned to CPU {cpu}; Python {sys.version.split()[0]}")
    run_table(args.n, args.repeat, args.slow_n, args.skip_slow)
    if not args.no_memory:
        run_memory(args.n)
    if args.scaling:
        run_scaling(args.n, args.repeat)


if __name__ == "__main__":
    main()
