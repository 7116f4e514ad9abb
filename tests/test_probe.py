"""PyAV reads what ffprobe reads: durations, streams and their encoding, video packets; and
subtitles read and written with the srt package keep every millisecond."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from gdanim.app import probe
from gdanim.app.subtitles import Cue, compose_srt, merged_srt, read_cues


def _ffprobe(path: Path, *args: str) -> dict[str, object]:
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    data: dict[str, object] = json.loads(out)
    return data


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("probe")
    out = {"mp4": root / "a.mp4", "webm": root / "b.webm", "rgb": root / "c.mp4"}
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=15:d=2.4",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
         "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-bf", "2", "-g", "8",
         "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
         "-c:a", "aac", str(out["mp4"])], check=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=30:d=1.5",
         "-c:v", "libvpx-vp9", "-deadline", "realtime", str(out["webm"])], check=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=15:d=1",
         "-c:v", "libx264rgb", "-crf", "0", "-pix_fmt", "rgb24", str(out["rgb"])], check=True)
    return out


@pytest.mark.parametrize("name", ["mp4", "webm", "rgb"])
def test_durations_and_streams_are_ffprobes(clips: dict[str, Path], name: str) -> None:
    path = clips[name]
    info = _ffprobe(path, "-show_streams", "-show_format")
    fmt = info["format"]
    assert isinstance(fmt, dict)
    assert probe.duration(path) == pytest.approx(float(fmt["duration"]), abs=1e-6)
    streams = info["streams"]
    assert isinstance(streams, list)
    ours = probe.streams(path)
    assert [s.kind for s in ours] == [s["codec_type"] for s in streams]
    want_durations: dict[str, float] = {}
    for mine, theirs in zip(ours, streams, strict=True):
        assert mine.codec == theirs["codec_name"]
        assert mine.profile == theirs.get("profile")
        if "duration" in theirs:
            assert mine.duration == pytest.approx(float(theirs["duration"]), abs=1e-6)
            want_durations.setdefault(mine.kind, float(theirs["duration"]))
        else:
            assert mine.duration is None
        if mine.kind == "video":
            assert (mine.width, mine.height, mine.pix_fmt) == (
                theirs["width"], theirs["height"], theirs["pix_fmt"])
            assert mine.frame_rate == float(Fraction(str(theirs["avg_frame_rate"])))
            assert mine.reorder_depth == theirs.get("has_b_frames", 0)
            for key in ("color_primaries", "color_space", "field_order"):
                assert getattr(mine, key) == theirs.get(key, "unknown"), key
            assert mine.color_transfer == theirs.get("color_transfer", "unknown")
        if mine.kind == "audio":
            assert str(mine.sample_rate) == theirs["sample_rate"]
    assert probe.stream_durations(path) == pytest.approx(want_durations, abs=1e-6)
    assert probe.has_audio(path) == ("audio" in want_durations or name == "mp4")


def test_video_packets_are_ffprobes(clips: dict[str, Path]) -> None:
    info = _ffprobe(clips["mp4"], "-select_streams", "v:0", "-show_entries",
                    "packet=pts,flags")
    packets = info["packets"]
    assert isinstance(packets, list)
    want = [(int(p["pts"]), "K" in p["flags"]) for p in packets]
    assert probe.video_packets(clips["mp4"]) == want
    assert sum(key for _, key in want) == 5  # 36 frames, a keyframe every 8


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 100)
    for read in (probe.duration, probe.streams, probe.video_packets):
        with pytest.raises(probe.ProbeError, match=r"^cannot read .*bad\.mp4: ") as err:
            read(bad)
        assert "\n" not in str(err.value)


def test_subtitles_round_trip_and_merge_to_the_millisecond(tmp_path: Path) -> None:
    cues = [Cue(0.5, 2.0, "Hello"), Cue(3.0, 4.25, "Second line\nwraps")]
    text = compose_srt(cues)
    assert text == ("1\n00:00:00,500 --> 00:00:02,000\nHello\n\n"
                    "2\n00:00:03,000 --> 00:00:04,250\nSecond line\nwraps\n\n")
    assert read_cues(text) == cues
    a = tmp_path / "a.srt"
    a.write_text(text, encoding="utf-8")
    # an offset that is not a whole millisecond is rounded, not cut (12.3456 -> 12.346)
    merged = read_cues(merged_srt([(a, 12.3456), (None, 1.0), (a, 0.0)]))
    assert [(c.start, c.end) for c in merged] == [(0.5, 2.0), (3.0, 4.25), (12.846, 14.346),
                                                   (15.346, 16.596)]
    # blocks that are not cues (a stray line, a bad time) are skipped, not fatal
    assert read_cues("garbage\n\n" + text) == cues
