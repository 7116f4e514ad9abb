"""Tests for gdanim.app.render: subtitle merging, joining clips, atomic output sets, stale files,
locks and the build folder."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from gdanim.app import render as rd
from gdanim.app.render import manim as rd_manim
from gdanim.app.render import outputs as rd_outputs

REPO = Path(__file__).resolve().parent.parent


def _clip(path: Path, seconds: float, color: str = "red") -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"color=c={color}:s=128x72:r=15:d={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p",
         str(path)],
        check=True,
    )
    return path


def test_concat_joins_without_reencoding(tmp_path: Path) -> None:
    a = _clip(tmp_path / "a.mp4", 1.0)
    b = _clip(tmp_path / "b.mp4", 2.0, "blue")
    out = rd.concat_videos([a, b], tmp_path / "out" / "joined.mp4")
    assert out.exists()
    assert rd.probe_duration(out) == pytest.approx(3.0, abs=0.1)
    assert not list((tmp_path / "out").glob("*.part*"))


def test_concat_failure_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    target = tmp_path / "joined.mp4"
    with pytest.raises(rd.RenderError):
        rd.concat_videos([bad], target)
    assert list(tmp_path.iterdir()) == [bad]


def test_atomic_output_removes_partial_file_on_interrupt(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    with pytest.raises(KeyboardInterrupt), rd.atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_merge_srt_shifts_and_renumbers(tmp_path: Path) -> None:
    a = tmp_path / "a.srt"
    a.write_text("1\n00:00:00,500 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,250\n"
                 "Second line\nwraps\n", encoding="utf-8")
    b = tmp_path / "b.srt"
    b.write_text("1\n00:00:01,000 --> 00:00:02,000\nWorld\n", encoding="utf-8")
    out = rd.merge_srt([(a, 0.0), (None, 5.0), (b, 61.5)], tmp_path / "all.srt")
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["1", "00:00:00,500 --> 00:00:02,000", "Hello"]
    assert "2\n00:00:03,000 --> 00:00:04,250\nSecond line\nwraps\n" in text
    assert "3\n00:01:02,500 --> 00:01:03,500\nWorld\n" in text


def test_merged_captions_never_outlast_their_clip(tmp_path: Path) -> None:
    a = tmp_path / "a.srt"
    a.write_text("1\n00:00:01,000 --> 00:00:05,300\nLast words of the clip\n\n"
                 "2\n00:00:05,100 --> 00:00:06,000\nAfter the clip's end\n", encoding="utf-8")
    b = tmp_path / "b.srt"
    b.write_text("1\n00:00:00,000 --> 00:00:02,000\nNext clip\n", encoding="utf-8")
    text = rd.merge_srt([(a, 0.0), (b, 5.0)], tmp_path / "all.srt").read_text(encoding="utf-8")
    assert text == ("1\n00:00:01,000 --> 00:00:05,000\nLast words of the clip\n\n"
                    "2\n00:00:05,000 --> 00:00:07,000\nNext clip\n\n")


def test_unknown_quality_rejected(tmp_path: Path) -> None:
    job = rd.RenderJob(file=tmp_path / "x.py", scene="X")
    with pytest.raises(rd.RenderError, match="quality"):
        rd.render_scene(job, quality="z", media_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# Output sets: replaced together or not at all
# --------------------------------------------------------------------------------------------


def _old_set(root: Path) -> dict[str, bytes]:
    """A previous good output set: video, subtitles, poster, section clips and their index."""
    files = {"out.mp4": b"old video", "out.srt": b"old srt", "out.png": b"old poster",
             "out.sections.json": b"old index", "out.sections/01-a.mp4": b"old clip"}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _stage_new_set(root: Path) -> rd.OutputSet:
    outputs = rd.OutputSet()
    outputs.file(root / "out.mp4").write_bytes(b"new video")
    outputs.file(root / "out.srt").write_bytes(b"new srt")
    outputs.file(root / "out.png").write_bytes(b"new poster")
    clips = outputs.folder(root / "out.sections")
    (clips / "01-b.mp4").write_bytes(b"new clip")
    outputs.file(root / "out.sections.json").write_bytes(b"new index")
    return outputs


def test_output_set_replaces_the_whole_previous_set(tmp_path: Path) -> None:
    _old_set(tmp_path)
    _stage_new_set(tmp_path).commit()
    assert _snapshot(tmp_path) == {
        "out.mp4": b"new video", "out.srt": b"new srt", "out.png": b"new poster",
        "out.sections.json": b"new index", "out.sections/01-b.mp4": b"new clip",
    }


@pytest.mark.parametrize("fail_on", ["out.mp4", "out.png", "out.sections", "out.sections.json"])
def test_output_set_failing_midway_leaves_the_previous_set_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    before = _old_set(tmp_path)
    outputs = _stage_new_set(tmp_path)
    real = os.replace

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)).name == fail_on and ".part" in Path(str(src)).name:
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(rd_outputs.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        outputs.commit()
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.mp4", "out.srt", "out.png", "out.sections", "out.sections.json"])


def test_output_set_never_replaces_a_folder_by_a_file(tmp_path: Path) -> None:
    before = _old_set(tmp_path)
    (tmp_path / "out.srt").unlink()
    (tmp_path / "out.srt").mkdir()
    (tmp_path / "out.srt" / "mine.txt").write_bytes(b"a folder of the user's")
    before.pop("out.srt")
    before["out.srt/mine.txt"] = b"a folder of the user's"
    with pytest.raises(IsADirectoryError):
        _stage_new_set(tmp_path).commit()
    assert _snapshot(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------------------------
# What killed runs leave behind
# --------------------------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_clean_stale_removes_only_gdanim_names_of_dead_processes(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    stale = [f".out.mp4.{dead}-abcd1234.part.mp4", f"gdanim-params-{dead}-x1y2z3w4.json",
             f"gdanim-{dead}-q1w2e3r4", f".run-{dead}-a1b2c3d4"]
    kept = [f".out.mp4.{alive}-abcd1234.part.mp4", "out.mp4", ".out.mp4.part.mp4",
            f"gdanim-params-{alive}-x1y2z3w4.json", "notes.part"]
    for name in stale + kept:
        if name.startswith(("gdanim-", ".run-")) and not name.endswith(".json"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "parts.txt").write_text("x")
        else:
            (tmp_path / name).write_text("x")
    # a previous output kept aside by a run killed before it put the new one in place
    (tmp_path / f".lost.png.{dead}-zzzz9999.old.png").write_bytes(b"previous poster")
    removed = rd.clean_stale(tmp_path)
    assert sorted(p.name for p in removed) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "lost.png"])
    assert (tmp_path / "lost.png").read_bytes() == b"previous poster"


# --------------------------------------------------------------------------------------------
# Identical jobs take turns; build files under the cache folder
# --------------------------------------------------------------------------------------------


def test_identical_jobs_take_turns_on_a_lock(tmp_path: Path) -> None:
    lock = tmp_path / ".config" / "Scene.lock"
    order: list[str] = []
    waited = threading.Event()
    first_in = threading.Event()

    def first() -> None:
        with rd_manim._exclusive(lock, lambda: order.append("never")):
            order.append("first in")
            first_in.set()
            waited.wait(10)
            order.append("first out")

    def second() -> None:
        first_in.wait(10)
        with rd_manim._exclusive(lock, waited.set):
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert order == ["first in", "first out", "second in"]


def test_build_files_go_under_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GDANIM_CACHE_DIR", str(tmp_path / "cache"))
    with rd.build_root() as build:
        assert build == tmp_path / "cache" / "build" and build.is_dir()
        assert REPO not in build.parents
    monkeypatch.setenv("GDANIM_CACHE_DIR", "off")
    with rd.build_root() as build:
        scratch = build
        assert build.is_dir() and REPO not in build.parents
    assert not scratch.exists()  # no cache: a temporary folder, removed afterwards


# --------------------------------------------------------------------------------------------
# A finished scene is reused while its stamp holds
# --------------------------------------------------------------------------------------------


def test_a_finished_scene_is_reused_until_its_code_or_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes import catalog

    job = rd.RenderJob.of(catalog.SCENES["TitleCard"])
    build = tmp_path / "build"

    def render(name: str, **kw: object) -> rd.RenderResult:
        work = tmp_path / name
        work.mkdir()
        return rd.render_scene(job, quality="l", media_dir=build, quiet=True, workdir=work,
                               **kw)  # type: ignore[arg-type]

    first = render("first")
    assert first.seconds > 0 and "reused" not in first.timings
    # manim's per-animation cache is off: its partial movies are numbered, not hashed
    partials = list(build.glob("videos/*/480p15/partial_movie_files/TitleCard/*.mp4"))
    assert partials and all(p.name.startswith("uncached_") for p in partials)

    again = render("again")
    assert again.timings["reused"] == pytest.approx(first.seconds, abs=1e-6)
    assert again.seconds == 0.0
    assert again.video != first.video and again.video.read_bytes() == first.video.read_bytes()
    assert again.srt is not None and first.srt is not None
    assert again.srt.read_text() == first.srt.read_text()

    # other settings, or other code, render anew
    with_sections = render("sections", sections=True)
    assert "reused" not in with_sections.timings and with_sections.sections is not None
    assert "reused" in render("sections-again", sections=True).timings
    monkeypatch.setattr(rd_manim, "code_digest", lambda: "edited")
    assert "reused" not in render("edited", sections=True).timings
    # the new render wrote new files: what the first run took out is untouched
    built = next(build.glob("videos/*/480p15/TitleCard.mp4"))
    assert built.stat().st_ino != first.video.stat().st_ino
    assert first.video.read_bytes() == again.video.read_bytes()
    # a stamp whose files are gone is not trusted
    stamped = render("edited-again", sections=True)
    assert "reused" in stamped.timings
    for clip in build.glob("videos/*/480p15/sections/*.mp4"):
        clip.unlink()
    assert "reused" not in render("clips-gone", sections=True).timings
