"""Narrated videos from the command line: a voice reads every caption, the soundtrack is in step.

One TOML video (a title card and a descent, so two scenes joined) is rendered at ``-q l`` with
Piper and with section clips; its soundtrack is decoded and measured against its captions:
speech inside every caption, near-silence in the gaps longer than a second, -16 LUFS, AAC-LC
48 kHz as long as the video, and every section clip with its own part of the speech. The same
video read from recordings (made in the test, one line left out) reports the missing line and
still speaks it with the stand-in voice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdanim.app.audio import RATE, decode_audio, measure_file, media_durations, window_rms_dbfs
from gdanim.app.probe import streams
from gdanim.app.subtitles import read_srt_file
from gdanim.app.voice import read_script

GDANIM = [sys.executable, "-m", "gdanim.app"]

VIDEO_TOML = """\
title = "Down a parabola"

[[scene]]
type = "descend"
title = "Small steps"
function = "x**2"
start = 3
lr = [0.1]
steps = 6
captions = [
    "Each step moves against the slope, by η = 0.1 times f'(x).",
    "The steps shrink as the slope flattens near x = 0.",
]
"""


def _gdanim(*args: str, cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GDANIM, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900, check=False)


@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The TOML video narrated by Piper, with section clips."""
    root = tmp_path_factory.mktemp("narrated")
    (root / "video.toml").write_text(VIDEO_TOML, encoding="utf-8")
    out = root / "out" / "video.mp4"
    proc = _gdanim("video", "video.toml", "--voice", "piper", "-q", "l", "--sections",
                   "-o", str(out), cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {"root": root, "video": out, "stderr": proc.stderr,
            "cues": read_srt_file(out.with_suffix(".srt")),
            "samples": decode_audio(out, RATE)}


@pytest.mark.slow
def test_the_video_has_an_aac_48k_track_as_long_as_the_picture(narrated: dict[str, Any]
                                                                 ) -> None:
    audio = [s for s in streams(narrated["video"]) if s.kind == "audio"]
    assert len(audio) == 1
    assert audio[0].codec == "aac" and audio[0].sample_rate == 48_000
    d = media_durations(narrated["video"])
    assert abs(d["audio"] - d["video"]) <= 0.1, d
    assert "narrated by piper" in narrated["stderr"]


@pytest.mark.slow
def test_captions_are_spoken_and_never_overlap(narrated: dict[str, Any]) -> None:
    cues, x = narrated["cues"], narrated["samples"]
    # the title card's line and the scene's two captions
    assert [c.text for c in cues] == [
        "Down a parabola", "Each step moves against the slope, by η = 0.1 times f'(x).",
        "The steps shrink as the slope flattens near x = 0."]
    for a, b in pairwise(cues):
        assert a.end <= b.start, (a, b)
    for cue in cues:
        levels = window_rms_dbfs(x, RATE, cue.start, cue.end)
        assert np.mean(levels > -40) >= 0.7, (cue.text, levels.round(1).tolist())
    gaps = [(a.end, b.start) for a, b in pairwise(cues) if b.start - a.end > 1.0]
    gaps.append((cues[-1].end, len(x) / RATE))
    for start, end in gaps:
        if end - start > 1.0:
            # the gap, less the last 50 ms of a decaying word at its start
            quiet = window_rms_dbfs(x, RATE, start + 0.05, end)
            assert quiet.max() < -50, (start, end, quiet.round(1).tolist())


@pytest.mark.slow
def test_the_soundtrack_is_minus_16_lufs(narrated: dict[str, Any]) -> None:
    loudness = measure_file(narrated["video"])
    assert abs(loudness.integrated - (-16.0)) <= 1.0, loudness
    assert loudness.true_peak <= -1.0, loudness


@pytest.mark.slow
def test_every_section_clip_carries_its_speech(narrated: dict[str, Any]) -> None:
    video: Path = narrated["video"]
    index = json.loads(video.with_name(f"{video.stem}.sections.json").read_text())
    assert len(index) >= 2
    whole = narrated["samples"]
    for entry in index:
        clip = video.parent / entry["file"]
        d = media_durations(clip)
        assert abs(d["audio"] - d["video"]) <= 0.1, (entry, d)
        # a clip cut in the middle of a sentence is checked for peaks like the whole video
        assert measure_file(clip).true_peak <= -1.0, entry
        # the clip's speech is the joined video's speech over the same seconds
        mine = decode_audio(clip, RATE)
        start = int(round(entry["start"] * RATE))
        theirs = whole[start: start + len(mine)]
        n = min(len(mine), len(theirs))
        energy = float(np.sqrt(np.mean(theirs[:n] ** 2)))
        if energy > 1e-3:
            assert float(np.sqrt(np.mean(mine[:n] ** 2))) == pytest.approx(energy, rel=0.15)


@pytest.mark.slow
def test_recordings_are_used_and_a_missing_one_is_reported(narrated: dict[str, Any]) -> None:
    root: Path = narrated["root"]
    script = root / "script.tsv"
    proc = _gdanim("script", "video.toml", "-o", str(script), cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = read_script(script)
    assert len(rows) == len(narrated["cues"])
    takes = root / "takes"
    takes.mkdir()
    # our "recordings": espeak-ng reading each line into <id>.wav, all but the last one
    for line_id, text, _caption in rows[:-1]:
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(takes / f"{line_id}.wav"), text],
                       check=True)
    out = root / "recorded.mp4"
    proc = _gdanim("video", "video.toml", "--voice", "recorded", "--recordings", str(takes),
                   "-q", "l", "-o", str(out), cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    missing = rows[-1][0]
    reported = [line for line in proc.stderr.splitlines() if "had no recording" in line]
    assert len(reported) == 1 and missing in reported[0], proc.stderr[-2000:]
    assert all(row[0] not in reported[0] for row in rows[:-1])
    # every caption is spoken, the missing line by the stand-in voice
    x = decode_audio(out, RATE)
    for cue in read_srt_file(out.with_suffix(".srt")):
        assert np.mean(window_rms_dbfs(x, RATE, cue.start, cue.end) > -40) >= 0.7, cue.text


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--voice", "recorded"], {}, "--voice recorded: give the folder of recordings"),
    (["--voice", "piper", "--voice-model", "nowhere.onnx"], {},
     "--voice-model: nowhere.onnx is not a Piper voice"),
    (["--voice", "espeak", "--voice-model", "voice.onnx"], {},
     "a Piper model is for the piper voice"),
    (["--recordings", "no-such-folder"], {}, "--recordings: no-such-folder is not a folder"),
    ([], {"GDANIM_VOICE": "robot"}, "$GDANIM_VOICE: 'robot' is not a voice"),
])
def test_bad_voice_options_are_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                                   env: dict[str, str], message: str) -> None:
    (tmp_path / "voice.onnx").write_bytes(b"not a model")
    (tmp_path / "voice.onnx.json").write_text("{}")
    proc = _gdanim("descend", "-f", "x**2", "--start", "1", "--lr", "0.1", "-n", "3",
                   "-q", "l", "-o", "out.mp4", *args, cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not (tmp_path / "out.mp4").exists()
