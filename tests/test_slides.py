"""``gdanim slides`` and ``--publish`` on one real render, checked in a real headless Chromium.

One small TOML video (``tests/data/small_talk.toml``: a title card, a race and two descents,
about 45 s at 480p15) is rendered ONCE for the whole session by ``gdanim slides ... --video``,
which writes the browser deck and keeps the published video with its chapters, captions,
thumbnail and sections. Every test here reads that one render: the deck in Chromium (driven by
selenium with Debian's chromium and chromedriver, from file://), the PowerPoint deck made from
the kept video with ``--from`` (no second render), the upload settings, the chapters, the
WebVTT captions and the thumbnail.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gdanim.app import platform as pf

SMALL_TALK = Path(__file__).parent / "data" / "small_talk.toml"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Talk:
    deck: Path
    video: Path
    slides: list[dict[str, Any]]


def _gdanim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gdanim.app", *args], capture_output=True,
                          text=True, check=False)


@pytest.fixture(scope="session")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Talk:
    folder = tmp_path_factory.mktemp("talk")
    deck, video = folder / "deck", folder / "talk.mp4"
    proc = _gdanim("slides", str(SMALL_TALK), "-q", "l", "-j", "2", "--quiet", "-o", str(deck),
                   "--video", str(video))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == str(deck / "index.html")
    page = (deck / "index.html").read_text(encoding="utf-8")
    blob = re.search(r'<script id="deck-data" type="application/json">(.*?)</script>', page,
                     re.S)
    assert blob is not None
    return Talk(deck, video, json.loads(blob.group(1))["slides"])


# --------------------------------------------------------------------------------------------
# The deck's files
# --------------------------------------------------------------------------------------------


def test_deck_has_one_slide_per_section_and_needs_no_network(talk: Talk) -> None:
    index = json.loads(talk.video.with_name("talk.sections.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in talk.slides] == [
        "Introduction", "Two optimizers in a valley", "Two learning rates on a curve",
        "Steps on a parabola"]
    assert len(index) == len(talk.slides)
    # the TOML file's [slides] table: the title card plays once, slide 3 loops
    assert [s["loop"] for s in talk.slides] == [False, False, True, False]
    # speaker notes are the captions inside each section
    assert talk.slides[1]["notes"] == ("A valley much longer than it is wide.\n"
                                       "SGD bounces from wall to wall; Adam rolls along the floor.")
    page = (talk.deck / "index.html").read_text(encoding="utf-8")
    assert page.count('<section class="slide"') == 4
    assert page.count("<track ") == 4
    for path in talk.deck.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".vtt"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), path
    for vtt in (talk.deck / "captions").glob("*.vtt"):
        assert pf.check_vtt(vtt.read_text(encoding="utf-8")) == [], vtt
    for poster in (talk.deck / "posters").glob("*.jpg"):
        assert Image.open(poster).size == (854, 480)
    pdf = (talk.deck / "handout.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2  # three sections fit a page


# --------------------------------------------------------------------------------------------
# The deck in a real browser
# --------------------------------------------------------------------------------------------


def test_deck_plays_in_headless_chromium(talk: Talk, deck_in_browser: Any, browser: Any,
                                         deck_tools: Any) -> None:
    deck_in_browser(talk.deck / "index.html", talk.slides)
    # slide 2 shows, with its captions loaded as a text track and shown
    cues = browser.execute_script(
        "var t = document.querySelector('.slide.active video').textTracks[0];"
        "return [t.mode, t.cues ? t.cues.length : -1];")
    assert cues == ["showing", 2]
    # w: the notes in a second window, which follows the deck
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    main = browser.current_window_handle
    ActionChains(browser).send_keys("w").perform()
    assert deck_tools.wait(lambda: len(browser.window_handles) == 2)
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    speaker = next(h for h in browser.window_handles if h != main)
    browser.switch_to.window(speaker)
    try:
        title = browser.find_element("id", "notes-title")
        assert deck_tools.wait(lambda: title.text == talk.slides[2]["title"])
        assert browser.find_element("id", "notes-text").text == talk.slides[2]["notes"]
        assert deck_tools.problems(browser) == []
    finally:
        browser.close()
        browser.switch_to.window(main)


def test_a_slide_that_plays_once_holds_and_a_looping_one_loops(talk: Talk, browser: Any,
                                                               deck_tools: Any) -> None:
    _wait, _active = deck_tools.wait, deck_tools.active
    browser.get("about:blank")
    deck_tools.problems(browser)
    browser.get((talk.deck / "index.html").as_uri() + "#1")
    duration = talk.slides[0]["duration"]
    hold = talk.slides[0]["hold"] or duration
    # slide 1 plays once: it stops on its hold frame and stays there
    assert _wait(lambda: _active(browser)[2], timeout=duration + 10)
    assert _active(browser)[1] == pytest.approx(hold, abs=0.2)
    # slide 3 loops: after its length it is still playing, from the start again
    browser.get((talk.deck / "index.html").as_uri() + "#3")  # the same page: a hash change
    length = talk.slides[2]["duration"]
    assert _wait(lambda: _active(browser)[0] == "slide-3" and _active(browser)[1] > 0.2)
    time.sleep(length + 1.0)
    state = _active(browser)
    assert not state[2] and state[1] < length - 0.3
    assert deck_tools.problems(browser) == []


# --------------------------------------------------------------------------------------------
# PowerPoint
# --------------------------------------------------------------------------------------------


def test_pptx_has_one_movie_per_slide_with_notes(talk: Talk, tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    out = tmp_path / "talk.pptx"
    proc = _gdanim("slides", "--from", str(talk.video), "--format", "pptx", "--quiet",
                   "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    prs = Presentation(str(out))
    assert len(prs.slides) == len(talk.slides)
    for slide, want in zip(prs.slides, talk.slides, strict=True):
        videos = [r for r in slide.part.rels.values() if r.reltype == RT.VIDEO]
        media = [r for r in slide.part.rels.values() if r.reltype == RT.MEDIA]
        assert len(videos) == 1 and len(media) == 1
        assert videos[0].target_part.content_type == "video/mp4"
        movies = [s for s in slide.shapes if s.shape_type is not None
                  and "MEDIA" in str(s.shape_type)]
        assert len(movies) == 1
        assert slide.shapes.title is not None and slide.shapes.title.text == want["title"]
        assert slide.has_notes_slide
        assert slide.notes_slide.notes_text_frame.text == want["notes"]
    assert any(s.notes_slide.notes_text_frame.text for s in prs.slides)


# --------------------------------------------------------------------------------------------
# The published video: upload settings, chapters, captions, thumbnail
# --------------------------------------------------------------------------------------------


def _probe(path: Path, *args: str) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_published_video_meets_the_upload_settings(talk: Talk) -> None:
    assert pf.check_upload(talk.video) == []
    # the same, read back independently of check_upload
    boxes = pf.mp4_boxes(talk.video)
    top = [k for d, k in boxes if d == 0]
    assert top.index("moov") < top.index("mdat")
    assert "elst" not in [k for _, k in boxes] and "edts" not in [k for _, k in boxes]
    video = [s for s in _probe(talk.video, "-show_streams")["streams"]
             if s["codec_type"] == "video"]
    assert len(video) == 1
    v = video[0]
    assert (v["codec_name"], v["profile"], v["pix_fmt"], v["field_order"]) == (
        "h264", "High", "yuv420p", "progressive")
    assert v["has_b_frames"] <= 2
    assert (v["color_space"], v["color_primaries"], v["color_transfer"]) == ("bt709",) * 3
    fps = Fraction(v["avg_frame_rate"])
    assert fps == 15
    packets = _probe(talk.video, "-select_streams", "v:0", "-show_entries",
                     "packet=pts,flags")["packets"]
    pts = [int(p["pts"]) for p in packets]
    shown = sorted(pts)
    keys = sorted(shown.index(pts[i]) for i, p in enumerate(packets) if "K" in p["flags"])
    assert keys[0] == 0
    assert {b - a for a, b in zip(keys, keys[1:], strict=False)} == {math.ceil(fps / 2)}
    # closed GOPs: nothing after a keyframe in decoding order is shown before it
    for i, p in enumerate(packets):
        if "K" in p["flags"]:
            assert min(pts[i:]) == pts[i]
    # no B-frame runs longer than 2
    frames = _probe(talk.video, "-select_streams", "v:0", "-show_entries",
                    "frame=pict_type")["frames"]
    run = longest = 0
    for f in frames:
        run = run + 1 if f["pict_type"] == "B" else 0
        longest = max(longest, run)
    assert 1 <= longest <= 2


def test_chapters_captions_and_thumbnail(talk: Talk) -> None:
    duration = float(_probe(talk.video, "-show_format")["format"]["duration"])
    text = talk.video.with_name("talk.chapters.txt").read_text(encoding="utf-8")
    chs = pf.parse_chapters_text(text)
    assert pf.check_chapters(chs, duration) == []
    assert text.splitlines()[0].startswith("0:00 ")
    assert [c.title for c in chs] == ["Two optimizers in a valley",
                                      "Two learning rates on a curve", "Steps on a parabola"]
    embedded = _probe(talk.video, "-show_chapters")["chapters"]
    assert [(round(float(c["start_time"])), c["tags"]["title"]) for c in embedded] == [
        (c.start, c.title) for c in chs]
    # captions: WebVTT beside the .srt with the same cues
    srt = pf.read_srt(talk.video.with_suffix(".srt").read_text(encoding="utf-8"))
    vtt_text = talk.video.with_suffix(".vtt").read_text(encoding="utf-8")
    assert pf.check_vtt(vtt_text) == []
    assert vtt_text.count(" --> ") == len(srt) >= 4
    # thumbnail: 1280x720 JPEG under 2 MB, the race's title frame (not a blank one)
    thumb_path = talk.video.with_name("talk.thumb.jpg")
    thumb = Image.open(thumb_path)
    assert thumb.format == "JPEG" and thumb.size == (1280, 720)
    assert thumb_path.stat().st_size < 2 * 1024 * 1024
    assert thumb.convert("L").getextrema()[1] > 200
    index = json.loads(talk.video.with_name("talk.sections.json").read_text(encoding="utf-8"))
    race = next(e for e in index if "Race" in e["scene"])
    frame = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{race['start'] + 1.5:.3f}", "-i", str(talk.video),
         "-frames:v", "1", "-vf", "scale=160:90,format=gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True).stdout
    small = thumb.convert("L").resize((160, 90))
    diff = sum(abs(a - b) for a, b in zip(small.tobytes(), frame, strict=True)) / len(frame)
    assert diff < 8
