"""Tests for gdanim.render: subtitle merging, joining clips, atomic outputs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gdanim import render as rd


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


def test_unknown_quality_rejected(tmp_path: Path) -> None:
    job = rd.RenderJob(file=tmp_path / "x.py", scene="X")
    with pytest.raises(rd.RenderError, match="quality"):
        rd.render_scene(job, quality="z", media_dir=tmp_path)
