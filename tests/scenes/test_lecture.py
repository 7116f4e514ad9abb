"""A real low-quality render of the whole lecture, checked with ffprobe.

This renders every lecture scene with manim at 480p15 through ``gdanim lecture`` (two processes
at once), joins them, and checks the result: H.264, yuv420p, the expected duration, and a
non-empty ``.srt`` beside it whose captions lie inside the video. The same render is made with
``--sections`` (stream copies, a few seconds more), and ``gdanim slides --from`` turns it into the
lecture's browser deck without rendering again; the deck is checked in headless Chromium.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scenes import catalog


def _ffprobe(path: Path) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_lecture_renders_at_low_quality(
    tmp_path: Path, deck_in_browser: Any, lecture_timing: list[Any]
) -> None:
    out = tmp_path / "lecture.mp4"
    proc = subprocess.run(
        [sys.executable, "-m", "gdanim.app", "lecture", "-q", "l", "-j", "2", "--quiet",
         "--sections", "-o", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    info = _ffprobe(out)
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert len(video) == 1
    assert video[0]["codec_name"] == "h264"
    assert video[0]["pix_fmt"] == "yuv420p"
    assert (video[0]["width"], video[0]["height"]) == (854, 480)
    duration = float(info["format"]["duration"])
    expected = sum(scene.duration for scene in lecture_timing)  # the shared dry run
    assert duration == pytest.approx(expected, abs=0.15 * len(catalog.LECTURE))
    assert duration > 120

    srt = out.with_suffix(".srt")
    assert srt.exists()
    text = srt.read_text(encoding="utf-8")
    times = re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> ", text)
    assert len(times) >= 2 * len(catalog.LECTURE)  # narration throughout
    starts = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in times]
    assert starts == sorted(starts) and starts[-1] < duration
    assert not list(tmp_path.glob("*.part*"))

    # the lecture's deck, from the sections of this render (no second render)
    deck = tmp_path / "deck"
    proc = subprocess.run(
        [sys.executable, "-m", "gdanim.app", "slides", "--from", str(out), "--quiet", "-o",
         str(deck)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (deck / "index.html").read_text(encoding="utf-8")
    blob = re.search(r'<script id="deck-data" type="application/json">(.*?)</script>', page,
                     re.S)
    assert blob is not None
    slides = json.loads(blob.group(1))["slides"]
    index = json.loads(out.with_name("lecture.sections.json").read_text(encoding="utf-8"))
    assert len(slides) == len(index) >= len(catalog.LECTURE)
    assert sum(1 for s in slides if s["notes"]) >= len(catalog.LECTURE)
    deck_in_browser(deck / "index.html", slides)
