"""Tests for gdanim.app.render.assemble on synthetic clips: publishing profile, audio, failures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gdanim.app import render as rd
from gdanim.app.probe import StreamInfo


def _clip(path: Path, seconds: float, audio: bool = False) -> Path:
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
           f"testsrc2=s=320x180:r=15:d={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    cmd += ["-c:v", "libx264rgb", "-crf", "0", "-pix_fmt", "rgb24"]
    cmd += ["-c:a", "aac"] if audio else []
    subprocess.run([*cmd, str(path)], check=True)
    return path


def _result(video: Path, srt: Path | None = None) -> rd.RenderResult:
    return rd.RenderResult(rd.RenderJob(Path("x.py"), "X"), video, srt, None, 0.0)


def _streams(path: Path) -> list[StreamInfo]:
    return rd.probe_streams(path)


def test_publish_encodes_audio_as_aac_48k(tmp_path: Path) -> None:
    a = _clip(tmp_path / "a.mp4", 1.0, audio=True)
    b = _clip(tmp_path / "b.mp4", 1.5, audio=True)
    req = rd.OutputRequest(path=tmp_path / "out" / "pub.mp4", quality="l", publish=True)
    done = rd.assemble([_result(a), _result(b)], req)
    streams = {s.kind: s for s in _streams(done.video)}
    video, audio = streams["video"], streams["audio"]
    assert video.codec == "h264" and video.profile == "High"
    assert video.pix_fmt == "yuv420p" and video.color_primaries == "bt709"
    assert audio.codec == "aac" and audio.sample_rate == 48000
    assert done.duration == pytest.approx(2.5, abs=0.15)


def test_publish_without_audio_has_no_audio_stream(tmp_path: Path) -> None:
    a = _clip(tmp_path / "a.mp4", 1.0)
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,500\nHello\n", encoding="utf-8")
    req = rd.OutputRequest(path=tmp_path / "pub.mp4", quality="l", publish=True, poster=True)
    done = rd.assemble([_result(a, srt)], req)
    assert [s.kind for s in _streams(done.video)] == ["video"]
    assert done.srt is not None and "Hello" in done.srt.read_text(encoding="utf-8")
    assert done.poster is not None and done.poster.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_failed_encode_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    out = tmp_path / "out"
    req = rd.OutputRequest(path=out / "x.mp4", quality="l", publish=True, poster=True,
                           sections=True)
    with pytest.raises(rd.RenderError):
        rd.assemble([_result(bad)], req)
    assert not out.exists() or list(out.iterdir()) == []


def test_sections_index(tmp_path: Path) -> None:
    clips = tmp_path / "sections"
    clips.mkdir()
    _clip(clips / "X_0000_intro.mp4", 1.0)
    _clip(clips / "X_0001_race.mp4", 2.0)
    index = clips / "X.json"
    index.write_text(json.dumps([{"name": "Intro", "video": "X_0000_intro.mp4"},
                                 {"name": "The race", "video": "X_0001_race.mp4"}]))
    whole = _clip(tmp_path / "X.mp4", 3.0)
    res = rd.RenderResult(rd.RenderJob(Path("x.py"), "X"), whole, None, index, 0.0)
    req = rd.OutputRequest(path=tmp_path / "out" / "v.webm", fmt="webm", quality="l",
                           sections=True)
    done = rd.assemble([res], req)
    data = json.loads((tmp_path / "out" / "v.sections.json").read_text(encoding="utf-8"))
    assert [d["name"] for d in data] == ["Intro", "The race"]
    assert [d["file"] for d in data] == ["v.sections/01-intro.webm",
                                         "v.sections/02-the-race.webm"]
    assert [round(d["duration"]) for d in data] == [1, 2]
    assert all((tmp_path / "out" / d["file"]).exists() for d in data)
    assert len(done.section_files) == 2
