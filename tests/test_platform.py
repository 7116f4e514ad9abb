"""Chapters, WebVTT, thumbnails, upload checks and deck rules, on synthetic clips (no manim)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gdanim.app import platform as pf
from gdanim.app import render as rd
from gdanim.app.deck import DeckError, SlideRules, choose_hold, load_slides, write_html_deck


def _clip(path: Path, seconds: float, *, audio: bool = False, source: str | None = None,
          lossless: bool = True) -> Path:
    src = source or f"testsrc2=s=320x180:r=15:d={seconds}"
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    if lossless:
        cmd += ["-c:v", "libx264rgb", "-crf", "0", "-pix_fmt", "rgb24"]
    else:
        cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    cmd += ["-c:a", "aac"] if audio else []
    subprocess.run([*cmd, str(path)], check=True)
    return path


def _sections(folder: Path, scene: str, names_and_seconds: list[tuple[str, float]]) -> Path:
    """A manim-like sections folder and index for one scene."""
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for i, (name, seconds) in enumerate(names_and_seconds):
        video = f"{scene}_{i:04d}.mp4"
        _clip(folder / video, seconds)
        index.append({"name": name, "type": "default.normal", "video": video,
                      "duration": f"{seconds:.6f}"})
    path = folder / f"{scene}.json"
    path.write_text(json.dumps(index), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Chapters
# --------------------------------------------------------------------------------------------


def _sec(name: str, scene: str, start: float, duration: float) -> pf.Section:
    return pf.Section(name, scene, start, duration)


def test_short_sections_merge_into_chapters_named_after_the_longest() -> None:
    secs = [_sec("Title", "TitleCard", 0, 7.5), _sec("tangent", "TangentSlope", 7.5, 30),
            _sec("Optimizer race on a saddle", "OptimizerRace", 37.5, 4),
            _sec("What the paths show", "OptimizerRace", 41.5, 25),
            _sec("Summary", "Outro", 66.5, 12), _sec("Credits", "Outro", 78.5, 3)]
    chs = pf.chapters(secs, 81.5)
    assert chs == [pf.Chapter(0, "The derivative as the slope of the tangent"),
                   pf.Chapter(37, "What the paths show"), pf.Chapter(66, "Summary")]
    assert pf.check_chapters(chs, 81.5) == []
    assert pf.parse_chapters_text(pf.chapters_text(chs)) == chs
    first = pf.chapters_text(chs).splitlines()[0]
    assert first == "0:00 The derivative as the slope of the tangent"


def test_chapter_rules_are_checked() -> None:
    ok = [pf.Chapter(0, "A"), pf.Chapter(10, "B"), pf.Chapter(20, "C")]
    assert pf.check_chapters(ok, 30.0) == []
    assert any("0:00" in p for p in pf.check_chapters([pf.Chapter(1, "A"), *ok[1:]], 30.0))
    assert any("3 on" in p for p in pf.check_chapters(ok[:2], 30.0))
    assert any("lasts 9 s" in p for p in pf.check_chapters(ok, 29.9))
    assert any("lasts 5 s" in p for p in
               pf.check_chapters([ok[0], pf.Chapter(5, "B"), pf.Chapter(20, "C")], 40.0))
    with pytest.raises(ValueError):
        pf.parse_chapters_text("0:00 A\nlater B\n")


def test_ffmetadata_escapes_titles() -> None:
    text = pf.ffmetadata([pf.Chapter(0, "a=b; c#d"), pf.Chapter(12, "End")], 30.5)
    assert text.startswith(";FFMETADATA1\n")
    assert "title=a\\=b\\; c\\#d" in text
    assert "START=12000" in text and "END=30500" in text


def test_readable_names() -> None:
    assert pf.readable_name("steps1d", "GradientSteps1D").startswith("Arrow-traced gradient")
    assert pf.readable_name("result", "SurfaceDescent3D") == (
        "Descent on a 3D surface with its shadow on the floor: result")
    assert pf.readable_name("surface", "SurfaceDescent3D") == (
        "Descent on a 3D surface with its shadow on the floor")
    assert pf.readable_name("Six optimizers race off the saddle", "X") == (
        "Six optimizers race off the saddle")
    assert "(S6" not in pf.readable_name("race", "OptimizerRace")


# --------------------------------------------------------------------------------------------
# Captions
# --------------------------------------------------------------------------------------------


def test_srt_to_vtt_is_valid_and_keeps_every_cue() -> None:
    srt = ("1\n00:00:00,500 --> 00:00:02,000\nFirst line\n\n"
           "2\n00:01:02,250 --> 00:01:04,000\nSecond --> cue\non two lines\n")
    vtt = pf.srt_to_vtt(srt)
    assert pf.check_vtt(vtt) == []
    assert "00:01:02.250 --> 00:01:04.000" in vtt
    assert "Second -> cue\non two lines" in vtt
    assert pf.check_vtt("1\n00:00:00.000 --> 00:00:01.000\nx\n") != []
    assert pf.check_vtt("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n") != []
    assert pf.check_vtt("WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nx\n\n"
                        "00:00:01.000 --> 00:00:04.000\ny\n") != []


def test_cues_between_uses_the_middle_of_each_cue() -> None:
    cues = [pf.Cue(0.0, 2.0, "a"), pf.Cue(9.0, 12.0, "b"), pf.Cue(11.0, 15.0, "c")]
    inside = pf.cues_between(cues, 10.0, 20.0)
    assert [c.text for c in inside] == ["b", "c"]
    assert inside[0].start == 0.0 and inside[0].end == pytest.approx(2.0)


# --------------------------------------------------------------------------------------------
# Publishing: encoder settings, chapters in the MP4, the thumbnail
# --------------------------------------------------------------------------------------------


def test_publish_meets_upload_settings_with_chapters_and_thumbnail(tmp_path: Path) -> None:
    a = _clip(tmp_path / "a.mp4", 14.0, audio=True)
    b = _clip(tmp_path / "b.mp4", 22.0, audio=True)
    secs_b = _sections(tmp_path / "b_sections", "B", [("Warm-up", 11.0), ("the_end", 11.0)])
    results = [rd.RenderResult(rd.RenderJob(Path("x.py"), "TitleCard"), a, None, None, 0.0),
               rd.RenderResult(rd.RenderJob(Path("x.py"), "CustomRace"), b, None, secs_b, 0.0)]
    req = rd.OutputRequest(path=tmp_path / "out" / "pub.mp4", quality="l", publish=True)
    done = rd.assemble(results, req)
    assert pf.check_upload(done.video) == []
    assert done.chapters is not None and done.thumbnail is not None
    chs = pf.parse_chapters_text(done.chapters.read_text(encoding="utf-8"))
    assert [c.start for c in chs] == [0, 14, 25]
    assert [c.title for c in chs] == ["Title card of the lecture", "Warm-up", "The end"]
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(done.video)],
        capture_output=True, text=True, check=True).stdout)
    assert [c["tags"]["title"] for c in probe["chapters"]] == [c.title for c in chs]
    assert [round(float(c["start_time"])) for c in probe["chapters"]] == [0, 14, 25]
    thumb = Image.open(done.thumbnail)
    assert thumb.size == (1280, 720) and thumb.format == "JPEG"
    assert done.thumbnail.stat().st_size < 2 * 1024 * 1024


def test_check_upload_finds_what_a_default_encode_gets_wrong(tmp_path: Path) -> None:
    src = _clip(tmp_path / "src.mp4", 3.0, lossless=False)
    plain = tmp_path / "plain.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c:v", "libx264",
                    "-bf", "3", "-g", "250", "-pix_fmt", "yuv444p", str(plain)], check=True)
    problems = " | ".join(pf.check_upload(plain))
    assert "edit list" in problems
    assert "moov is not before mdat" in problems
    assert "yuv444p" in problems
    assert "keyframes" in problems or "bt709" in problems


def test_thumbnail_is_the_frame_asked_for(tmp_path: Path) -> None:
    clip = tmp_path / "rb.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=red:s=640x360:r=15:d=2", "-f", "lavfi", "-i",
                    "color=c=blue:s=640x360:r=15:d=2", "-filter_complex",
                    "[0][1]concat=n=2:v=1[v]", "-map", "[v]", "-pix_fmt", "yuv420p",
                    str(clip)], check=True)
    out = pf.write_thumbnail(clip, 3.0, tmp_path / "t.jpg")
    r, g, b = Image.open(out).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert b > 200 and r < 40
    out = pf.write_thumbnail(clip, 0.5, tmp_path / "t.jpg")
    r, g, b = Image.open(out).convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert r > 200 and b < 40


def test_default_thumbnail_is_the_first_race_title_frame() -> None:
    secs = [_sec("Title", "TitleCard", 0, 8), _sec("tangent", "TangentSlope", 8, 40),
            _sec("Optimizer race on a saddle", "OptimizerRace", 48, 30)]
    assert pf.default_thumbnail_time(secs) == pytest.approx(49.5)
    assert pf.default_thumbnail_time(secs[:2]) == pytest.approx(9.5)


# --------------------------------------------------------------------------------------------
# Deck rules and the hold frame
# --------------------------------------------------------------------------------------------


def test_slide_rules_order() -> None:
    rules = SlideRules()
    assert rules.loops(1, "Title", "Introduction", "default.normal")
    assert not rules.loops(2, "Optimizer race on a saddle", "x", "default.normal")
    assert rules.loops(2, "race", "x", "loop")
    rules = SlideRules(loop=(2,), once=("introduction",))
    assert not rules.loops(1, "Title", "Introduction", "default.normal")
    assert rules.loops(2, "race", "x", "once")
    with pytest.raises(DeckError, match="both"):
        SlideRules.from_dict({"loop": ["A"], "once": ["a"]})
    with pytest.raises(DeckError, match="slide numbers"):
        SlideRules.from_dict({"loop": [0]})
    with pytest.raises(DeckError, match="no section is called"):
        SlideRules(loop=("Nope",)).check(2, [("Title", "Introduction"), ("race", "Race")])


def test_a_clip_that_fades_out_holds_its_fullest_late_frame(tmp_path: Path) -> None:
    clip = tmp_path / "fade.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=320x180:r=15:d=4", "-vf", "fade=t=out:st=2.5:d=1",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    hold, poster = choose_hold(clip, 4.0)
    # held before the picture is gone (the fade ends at 3.5 s), not at the black end
    assert hold is not None and 2.0 <= hold <= 3.25 and poster == hold
    full = _clip(tmp_path / "full.mp4", 3.0, lossless=False)
    assert choose_hold(full, 3.0)[0] is None  # plays to its end


def test_deck_from_a_synthetic_output_set_is_offline(tmp_path: Path, browser: Any,
                                                     deck_tools: Any) -> None:
    sec = tmp_path / "talk.sections"
    sec.mkdir()
    _clip(sec / "01-title.mp4", 1.0, lossless=False)
    _clip(sec / "02-race.mp4", 2.0, lossless=False, audio=True)
    (tmp_path / "talk.sections.json").write_text(json.dumps([
        {"name": "Title", "file": "talk.sections/01-title.mp4", "duration": 1.0},
        {"name": "The race", "file": "talk.sections/02-race.mp4", "duration": 2.0,
         "notes": "Narrated words </script> here."},
    ]), encoding="utf-8")
    (tmp_path / "talk.srt").write_text(
        "1\n00:00:00,100 --> 00:00:00,900\nHello <b>there</b>\n\n"
        "2\n00:00:01,200 --> 00:00:02,800\nThe race starts.\n", encoding="utf-8")
    slides = load_slides(tmp_path / "talk.mp4")
    assert [s.loop for s in slides] == [True, False]  # title cards loop
    assert slides[0].notes == "Hello <b>there</b>"
    assert slides[1].notes == "Narrated words </script> here."  # narration wins
    assert [s.audio for s in slides] == [False, True]
    deck = tmp_path / "deck"
    index = write_html_deck(slides, deck, "Talk <1>")
    page = index.read_text(encoding="utf-8")
    assert "<title>Talk &lt;1&gt;</title>" in page
    assert "</script> here" not in page  # the notes cannot close the data block
    for path in deck.rglob("*"):
        if path.suffix in (".html", ".css", ".js", ".vtt"):
            text = path.read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text and "//cdn" not in text
    assert pf.check_vtt((deck / "captions" / "01-title.vtt").read_text(encoding="utf-8")) == []
    assert (deck / "handout.pdf").read_bytes()[:5] == b"%PDF-"
    # in the browser: the clip with sound plays with sound, the silent one muted
    browser.get("about:blank")
    deck_tools.problems(browser)
    browser.get(index.as_uri() + "#2")
    assert deck_tools.wait(lambda: deck_tools.active(browser)[1] > 0.2)
    state = browser.execute_script(
        "var v = document.querySelector('.slide.active video');"
        "return [v.muted, v.paused, v.loop, document.getElementById('notes-text').textContent];")
    assert state == [False, False, False, "Narrated words </script> here."]
    assert deck_tools.problems(browser) == []


# --------------------------------------------------------------------------------------------
# Bad input to the slides and publishing options: one line, status 2, nothing written
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, words", [
    (["slides", "--from", "{tmp}/missing.mp4"], "--from"),
    (["slides", "--from", "{tmp}/plain.mp4"], "no sections index"),
    (["slides", "--from", "{tmp}/plain.mp4", "--video", "{tmp}/v.mp4"], "--video"),
    (["slides", "--from", "{tmp}/plain.mp4", "OptimizerRace"], "--from"),
    (["slides", "NoSuchScene", "-o", "{tmp}/deck"], "unknown scene"),
    (["slides", "OptimizerRace", "-o", "{tmp}/full"], "other files"),
    (["slides", "OptimizerRace", "-o", "{tmp}/plain.mp4"], "is a file"),
    (["slides", "OptimizerRace", "--format", "pptx", "-o", "{tmp}/deck"], ".pptx"),
    (["slides", "OptimizerRace", "-o", "{tmp}/d.pptx", "--format", "html"], "PowerPoint"),
    (["slides", "OptimizerRace", "--loop", "Title", "--once", "title"], "both"),
    (["slides", "OptimizerRace", "--thumbnail-at", "3", "-o", "{tmp}/deck"], "--video"),
    (["slides", "OptimizerRace", "--video", "{tmp}/v.webm", "-o", "{tmp}/deck"], ".mp4"),
    (["slides", "{tmp}/bad_slides.toml", "-o", "{tmp}/deck"], "[slides]"),
    (["video", "{tmp}/bad_slides.toml"], "[slides]"),
    (["lecture", "--thumbnail-at", "5", "-o", "{tmp}/l.mp4"], "--publish"),
    (["lecture", "--publish", "--thumbnail-at", "-1", "-o", "{tmp}/l.mp4"], "--thumbnail-at"),
    (["render", "TangentSlope", "--thumbnail-at", "2", "-o", "{tmp}/r"], "--publish"),
])
def test_bad_slides_and_publish_input(argv: list[str], words: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from gdanim.app.cli import main

    _clip(tmp_path / "plain.mp4", 0.5, lossless=False)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "bad_slides.toml").write_text(
        '[slides]\nloop = [0]\n\n[[scene]]\ntype = "descend"\nfunction = "x**2"\nstart = 3\n'
        'lr = 0.1\nsteps = 3\n', encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.startswith("gdanim: error: ") and len(err.strip().splitlines()) == 1, err
    assert words in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "full" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_poster_is_the_hold_frame_not_the_end(tmp_path: Path) -> None:
    from gdanim.app.deck import Slide, write_poster

    clip = tmp_path / "rb.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=red:s=320x180:r=15:d=2", "-f", "lavfi", "-i",
                    "color=c=blue:s=320x180:r=15:d=2", "-filter_complex",
                    "[0][1]concat=n=2:v=1[v]", "-map", "[v]", "-pix_fmt", "yuv420p",
                    str(clip)], check=True)
    colours = []
    for at in (1.0, 3.99):
        slide = Slide(1, "A", "A", "S", clip, 0.0, 4.0, False, at, at, "")
        out = write_poster(slide, tmp_path / f"p{at}.jpg")
        colours.append(Image.open(out).convert("RGB").resize((1, 1)).getpixel((0, 0)))
    assert colours[0][0] > 200 and colours[0][2] < 40  # red, not the last (blue) frame
    assert colours[1][2] > 200 and colours[1][0] < 40


def test_one_word_sections_are_named_with_their_scene() -> None:
    secs = [_sec("Six optimizers, six characters", "OptimizerTraits", 0, 1.5),
            _sec("SGD", "OptimizerTraits", 1.5, 7.5), _sec("AdaGrad", "OptimizerTraits", 9, 8),
            _sec("Adam", "OptimizerTraits", 17, 12), _sec("Fitting a line", "Fit", 29, 20),
            _sec("Training", "Fit", 49, 20)]
    assert [c.title for c in pf.chapters(secs, 69.0)] == [
        "Six optimizers, six characters: SGD, AdaGrad",
        "Six optimizers, six characters: Adam", "Fitting a line", "Fitting a line: Training"]


def test_slides_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    from gdanim.app.cli import main

    assert main(["slides", "--help"]) == 0
    out = capsys.readouterr().out
    for opt in ("--from", "--format", "--output", "--quality", "--loop", "--once", "--video",
                "--thumbnail-at", "--title", "--jobs", "--quiet", "Examples", "handout.pdf"):
        assert opt in out, opt
    assert main(["lecture", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--thumbnail-at" in out and "chapters" in out
