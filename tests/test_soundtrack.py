"""Narration files and soundtracks: what a scene said, placed on a track that joins in step."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from gdanim.app.audio import RATE, decode_audio, media_durations, window_rms_dbfs, write_wav
from gdanim.app.narration import (
    Narration,
    SpokenLine,
    manifest_path,
    narrate_video,
    soundtrack,
)
from gdanim.app.voice import Line, VoiceError, VoiceSettings


def _tone(path: Path, seconds: float) -> Path:
    t = np.arange(int(seconds * RATE)) / RATE
    return write_wav(path, 0.3 * np.sin(2 * np.pi * 300 * t), RATE)


def _line(index: int, start: float, duration: float, wav: Path | None,
          fallback: bool = False) -> SpokenLine:
    line = Line("Demo", index, f"Line {index}.", f"Line {index}.")
    return SpokenLine(line.id, "Demo", index, line.caption, line.text, start, duration, wav,
                      "none" if wav is None else "espeak", fallback)


def test_a_narration_file_round_trips_and_lists_missing_lines(tmp_path: Path) -> None:
    n = Narration("Demo", VoiceSettings("recorded", recordings=tmp_path, fallback="espeak"), (
        _line(0, 0.0, 1.5, tmp_path / "a.wav"), _line(1, 2.0, 1.0, tmp_path / "b.wav", True)))
    path = n.to_file(manifest_path(tmp_path / "media" / "Demo.mp4"))
    assert path.name == "Demo.narration.json"
    assert Narration.from_file(path) == n
    assert [line.index for line in n.missing()] == [1]
    assert [line.id for line in n.script_lines()] == [line.id for line in n.lines]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize("text", ["", "{}", '{"format": 99}', '{"format": 1, "scene": "x"}',
                                  "[]"])
def test_a_damaged_narration_file_is_a_voice_error(text: str) -> None:
    with pytest.raises(VoiceError):
        Narration.from_json(text)


def test_scene_tracks_join_in_step_with_their_videos(tmp_path: Path) -> None:
    clip = _tone(tmp_path / "clip.wav", 0.5)
    first = Narration("A", VoiceSettings("espeak"), (_line(0, 0.4, 0.5, clip),))
    second = Narration("B", VoiceSettings("espeak"), (_line(0, 1.2, 0.5, clip),))
    # 15 fps video lengths that are not whole milliseconds
    d1, d2 = 47 / 15, 32 / 15
    a, b = soundtrack(first, d1), soundtrack(second, d2)
    assert (len(a), len(b)) == (round(d1 * RATE), round(d2 * RATE))
    joined = np.concatenate([a, b])
    onsets = np.flatnonzero(np.abs(joined) > 1e-4)
    second_onset = onsets[onsets > len(a)][0] / RATE
    assert onsets[0] / RATE == pytest.approx(0.4, abs=2e-3)
    assert second_onset == pytest.approx(d1 + 1.2, abs=2e-3)


def test_a_narration_without_audio_gives_a_silent_stream(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=160x90:rate=15:duration=2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    silent = Narration("Demo", VoiceSettings("none"), (_line(0, 0.5, 1.0, None),))
    track = narrate_video(video, silent, video)  # in place
    assert track.clips == 0 and track.integrated == -np.inf
    durations = media_durations(video)
    assert durations["audio"] == pytest.approx(durations["video"], abs=0.05)
    audio = decode_audio(video)
    assert np.all(window_rms_dbfs(audio, RATE, 0.0, 2.0) < -90)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]
