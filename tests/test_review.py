"""The review page: builder unit tests, the folder reader, and ``dubsubs review`` / ``fetch``
through click's CliRunner. The browser side is in test_review_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from dubsubs import review
from dubsubs.camb import fetch as fetch_module
from dubsubs.camb.sandbox import Sandbox
from dubsubs.cli import main
from dubsubs.review import (
    REVIEW_NAME,
    ReviewCue,
    ReviewData,
    ReviewTrack,
    gather,
    json_for_script,
    render,
    write_review,
)
from dubsubs.style import check, get_preset

HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">&amp; \u2028'


def fetch(sandbox: Sandbox, out: Path, *args: str) -> Result:
    env = {"CAMB_API_KEY": sandbox.api_key, "CAMB_API_BASE_URL": sandbox.url}
    return CliRunner().invoke(main, ["fetch", *args, "-o", str(out)], env=env, catch_exceptions=False)


def review_cli(*args: str) -> Result:
    return CliRunner().invoke(main, ["review", *args], catch_exceptions=False)


def embedded(page: str) -> dict[str, Any]:
    """The JSON the page embeds, as the browser's JSON.parse would read it."""
    match = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def one_track(cues: list[ReviewCue], preset: str = "none") -> ReviewData:
    report = check(cues, get_preset(preset))
    track = ReviewTrack(stem="x", label="x", language=None, subtitle_file="x.srt", cues=tuple(cues),
                        check=report, preset_description=preset)
    return ReviewData(title="t", tracks=(track,))


# --------------------------------------------------------------------------- pure builder


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20))
def test_json_for_script_round_trips_and_cannot_close_the_script(value: Any) -> None:
    text = json_for_script(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    text.encode("utf-8")  # lone surrogates are escaped, so the page can be written


def test_hostile_text_is_data_not_markup() -> None:
    page = render(one_track([ReviewCue(0, 1000, HOSTILE, speaker=HOSTILE)]))
    # Our two script elements (the data block and the page's code), nothing else.
    assert page.count("<script") == 2
    assert "window.__pwned" in page  # present, but only inside the escaped JSON
    assert "<img" not in page and "</script><script>" not in page
    data = embedded(page)
    assert data["tracks"][0]["cues"][0][3] == HOSTILE
    assert data["speakers"] == [HOSTILE]


def test_title_is_escaped() -> None:
    data = one_track([ReviewCue(0, 1000, "a")])
    page = render(ReviewData(title="<b>x</b>", tracks=data.tracks))
    assert "<title>&lt;b&gt;x&lt;/b&gt; · dubsubs review</title>" in page


def test_csp_allows_only_the_page_script() -> None:
    page = render(one_track([ReviewCue(0, 1000, "a")]))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(script) == 1
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert "default-src 'none'" in csp.group(1) and "connect-src" not in csp.group(1)
    assert "http://" not in page and "https://" not in page  # no CDN, nothing fetched


def test_placeholders_in_data_are_not_expanded() -> None:
    page = render(one_track([ReviewCue(0, 1000, "{{SCRIPT}} {{DATA}}")]))
    assert embedded(page)["tracks"][0]["cues"][0][3] == "{{SCRIPT}} {{DATA}}"


def test_findings_are_embedded_with_rule_value_and_limit() -> None:
    cues = [ReviewCue(0, 1000, "This line is far too long to be read in one short second.")]
    data = embedded(render(one_track(cues, "netflix")))
    [track] = data["tracks"]
    rules = {f[1]: f for f in track["findings"]}
    cue, rule, measured, limit, unit, severity = rules["reading-speed"]
    assert (cue, rule, limit, unit, severity) == (0, "reading-speed", 17.0, "cps", "error")  # no language
    assert measured > 50
    assert "chars-per-line" in rules
    assert track["check"]["errors"] == len([f for f in track["findings"] if f[5] == "error"])


def test_repairs_are_linked_to_the_cues_they_became() -> None:
    cues = [ReviewCue(0, 1000, "a"), ReviewCue(1000, 2000, "b"), ReviewCue(2000, 3000, "c")]
    repairs = [{"index": 1, "kind": "dropped_empty", "detail": "no text"},
               {"index": 2, "kind": "rescaled", "detail": "2000-3000 read as ms"},
               {"index": 3, "kind": "swapped", "detail": "end was before start"}]
    notes, why = review._link_repairs(repairs, cues, None)
    assert [(n.item, n.cue) for n in notes] == [(1, None), (2, 2), (3, 3)] and why is None
    # Cues re-cut by a preset: through the dialogue line's time.
    notes, _ = review._link_repairs(repairs[1:2], cues, [(0, 900), (500, 1500), (2100, 2900)])
    assert notes[0].cue == 3
    notes, why = review._link_repairs([*repairs, {"index": 0, "kind": "reordered", "detail": ""}], cues, None)
    assert all(n.cue is None for n in notes) and why is not None and "reordered" in why


def test_manifest_name_is_the_one_fetch_writes() -> None:
    assert review.MANIFEST_NAME == fetch_module.MANIFEST


# --------------------------------------------------------------------------- folders


@pytest.fixture
def fetched(sandbox: Sandbox, tmp_path: Path) -> Path:
    result = fetch(sandbox, tmp_path, "1001", "1002", "1003")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_fetch_writes_a_page_per_run_and_lists_it(fetched: Path) -> None:
    for run in ("1001", "1002", "1003"):
        page = fetched / run / REVIEW_NAME
        assert page.is_file()
        manifest = json.loads((fetched / run / "manifest.json").read_text(encoding="utf-8"))
        [entry] = [f for f in manifest["files"] if f["role"] == "review"]
        assert entry["name"] == REVIEW_NAME and entry["size"] == page.stat().st_size
        assert entry["sha256"] == hashlib.sha256(page.read_bytes()).hexdigest()


def test_page_data_of_a_fetched_run(fetched: Path, sandbox: Sandbox) -> None:
    import srt

    page = (fetched / "1002" / REVIEW_NAME).read_text(encoding="utf-8")
    data = embedded(page)
    assert [t["label"] for t in data["tracks"]] == ["es-ES", "fr-FR"]
    assert [t["media"]["src"] for t in data["tracks"]] == ["./1002.es-ES.mp4", "./1002.fr-FR.mp4"]
    assert data["speakers"] == ["SPEAKER_0", "SPEAKER_1"]
    for track in data["tracks"]:
        subs = list(srt.parse((fetched / "1002" / f"{track['stem']}.srt").read_text(encoding="utf-8")))
        assert len(track["cues"]) == len(subs)
        assert [c[0] for c in track["cues"]] == [round(s.start.total_seconds() * 1000) for s in subs]
        assert track["timing"]["units"] == "ms" and track["timing"]["method"] == "auto"
    names = {f["name"] for f in data["files"]}
    assert {"1002.es-ES.mp4", "1002.fr-FR.srt"} <= names and REVIEW_NAME not in names
    # Nothing of the API side: no key, no host, no signature; file names only.
    assert sandbox.api_key not in page
    assert "127.0.0.1" not in page and "X-Amz" not in page and "source_url" not in page
    # A run without video plays its audio.
    audio = embedded((fetched / "1003" / REVIEW_NAME).read_text(encoding="utf-8"))
    assert audio["tracks"][0]["media"] == {"name": "1003.audio.mp3", "src": "./1003.audio.mp3", "kind": "audio"}
    assert audio["warnings"] == ["1003: the result has no video URL"]


def test_the_preset_that_wrote_the_files_is_the_default(sandbox: Sandbox, tmp_path: Path) -> None:
    assert fetch(sandbox, tmp_path, "1001", "--preset", "bbc", "--no-media").exit_code == 0
    data = gather(tmp_path / "1001")
    assert data.preset == "bbc" and data.tracks[0].check.preset == "bbc"
    assert data.tracks[0].style_summary is not None and data.tracks[0].style_summary.startswith("style bbc")
    assert gather(tmp_path / "1001", preset=get_preset("netflix")).preset == "netflix"


def test_review_rebuilds_pages_and_refreshes_the_manifest(fetched: Path) -> None:
    result = review_cli(str(fetched / "1001"), str(fetched / "1002"), "--preset", "netflix")
    assert result.exit_code == 0, result.output
    assert "1001/review.html: 1001: 3 cues, 2 errors, 2 warnings (netflix)" in result.stdout
    page = fetched / "1001" / REVIEW_NAME
    data = embedded(page.read_text(encoding="utf-8"))
    assert "manifest.json" in {f["name"] for f in data["files"]}  # written by now: listed
    assert {(f[0], f[1]) for f in data["tracks"][0]["findings"]} >= {(1, "reading-speed"), (2, "reading-speed")}
    manifest = json.loads((fetched / "1001" / "manifest.json").read_text(encoding="utf-8"))
    [entry] = [f for f in manifest["files"] if f["role"] == "review"]
    assert entry["sha256"] == hashlib.sha256(page.read_bytes()).hexdigest()


def test_bad_folders_get_one_line_each_and_the_others_complete(fetched: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken"
    shutil.copytree(fetched / "1001", broken)
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    (fetched / "1001" / REVIEW_NAME).unlink()
    result = review_cli(str(empty), str(broken), str(tmp_path / "missing"), str(fetched / "1001"))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in result.output
    assert lines[0].startswith(f"error: {empty}: no subtitles to review")
    assert lines[1].startswith(f"error: {broken}: manifest.json is not valid JSON")
    assert lines[2] == f"error: {tmp_path / 'missing'}: not a folder"
    assert (fetched / "1001" / REVIEW_NAME).is_file()


def test_unreadable_subtitles_fall_back_to_another_format(fetched: Path) -> None:
    folder = fetched / "1001"
    (folder / "1001.json").write_text("{broken", encoding="utf-8")
    data = gather(folder)
    assert data.tracks[0].subtitle_file == "1001.vtt" and len(data.tracks[0].cues) == 3
    assert any("1001.json" in note for note in data.notes)
    assert str(folder) not in " ".join(data.notes)  # file names only


def test_a_converted_folder_with_media_beside(tmp_path: Path, fixtures_dir: Path) -> None:
    out = tmp_path / "subs"
    result = CliRunner().invoke(main, ["convert", str(fixtures_dir / "samples" / "episode3.json"),
                                       "-o", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shutil.copy(Path(review.__file__).parent / "data" / "sandbox" / "media" / "video.mp4", out / "episode3.mp4")
    path, data = write_review(out)
    assert path == out / REVIEW_NAME
    [track] = data.tracks
    assert track.media is not None and track.media.name == "episode3.mp4"
    assert track.subtitle_file == "episode3.json" and track.timing is not None
    assert track.timing["units"] in ("s", "ms")
    assert {f.name for f in data.files} >= {"episode3.srt", "episode3.mp4"}
    page = path.read_text(encoding="utf-8")
    assert "X-Amz" not in page and "media.example.invalid" not in page


def test_media_named_by_a_dotted_prefix(tmp_path: Path) -> None:
    for tag in ("es-ES", "fr-FR"):
        (tmp_path / f"ep.{tag}.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHola\n", encoding="utf-8")
    (tmp_path / "ep.mp4").write_bytes(b"")
    data = gather(tmp_path)
    assert [t.media.name if t.media else None for t in data.tracks] == ["ep.mp4", "ep.mp4"]
    assert [t.label for t in data.tracks] == ["ep.es-ES", "ep.fr-FR"]


def test_fetch_no_review(sandbox: Sandbox, tmp_path: Path) -> None:
    assert fetch(sandbox, tmp_path, "1001", "--no-review", "--no-media").exit_code == 0
    assert not (tmp_path / "1001" / REVIEW_NAME).exists()
    manifest = json.loads((tmp_path / "1001" / "manifest.json").read_text(encoding="utf-8"))
    assert all(f["role"] != "review" for f in manifest["files"])


def test_a_page_that_fails_is_a_warning_not_a_lost_run(sandbox: Sandbox, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_data: ReviewData) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(review, "render", broken)
    result = fetch(sandbox, tmp_path, "1001", "--no-media")
    assert result.exit_code == 0, result.output
    assert "warning: review.html not written: internal error, please report: RuntimeError: template exploded" \
        in result.stdout
    manifest = json.loads((tmp_path / "1001" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and any("review.html not written" in w for w in manifest["warnings"])
    assert (tmp_path / "1001" / "1001.srt").is_file() and not (tmp_path / "1001" / REVIEW_NAME).exists()


def test_review_fps_needs_a_preset(fetched: Path) -> None:
    result = review_cli(str(fetched / "1001"), "--fps", "25")
    assert result.exit_code == 2 and "--fps needs --preset" in result.stderr


def test_review_reads_a_legacy_code_page_with_encoding(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "film.srt").write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["review", str(folder)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    result = CliRunner().invoke(main, ["review", str(folder), "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    assert "Caf\\u00e9" in (folder / "review.html").read_text() or "Café" in (folder / "review.html").read_text()
