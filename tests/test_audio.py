"""Soundtracks: placing clips, BS.1770 loudness against ffmpeg's scanner, limiting, muxing."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from gdanim.app.audio import (
    CEILING_DBTP,
    RATE,
    AudioError,
    decode_audio,
    integrated_loudness,
    limit_true_peak,
    measure_file,
    media_durations,
    mux_audio,
    normalize_loudness,
    place_clips,
    read_audio,
    trim_silence,
    true_peak,
    window_rms_dbfs,
    write_wav,
)


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise below 4 kHz (where speech is) shaped into syllables (8 Hz bursts), with short loud
    clicks: a crest factor well above speech's, so that normalising to -16 LUFS needs the
    limiter."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2
    noise = sosfilt(butter(6, 4000, fs=RATE, output="sos"), rng.standard_normal(n))
    x = 0.1 * noise * envelope
    clicks = rng.choice(n, size=int(seconds * 3), replace=False)
    x[clicks] = rng.choice([-0.9, 0.9], size=len(clicks))
    return x


def _wav(tmp_path: Path, name: str, x: np.ndarray) -> Path:
    return write_wav(tmp_path / name, x, RATE)


def test_clips_are_placed_at_their_start_and_mixed() -> None:
    track = place_clips([(0.25, np.full(200, 0.1)), (0.3, np.full(100, 0.2)),
                         (0.95, np.ones(500))], duration=1.0, rate=1000)
    assert len(track) == 1000
    assert track[249] == 0 and track[250] == pytest.approx(0.1)
    assert track[320] == pytest.approx(0.3)  # both clips sound here
    assert track[400] == pytest.approx(0.1) and track[450] == 0
    assert track[-1] == 1.0  # the last clip is cut at the end
    with pytest.raises(AudioError, match="before the video"):
        place_clips([(-0.1, np.ones(3))], 1.0)


def test_loudness_agrees_with_ffmpegs_ebur128(tmp_path: Path) -> None:
    t = np.arange(RATE * 4) / RATE
    tone = 0.25 * np.sin(2 * np.pi * 1000 * t)
    quiet_and_loud = np.concatenate([np.zeros(RATE * 3), _speechlike(4.0), 1e-5 * tone])
    for name, x in (("tone", tone), ("gated", quiet_and_loud), ("speech", _speechlike(6.0, 1))):
        ours = integrated_loudness(x)
        theirs = measure_file(_wav(tmp_path, f"{name}.wav", x))
        assert ours == pytest.approx(theirs.integrated, abs=0.15), name
    # a full-scale 1 kHz sine is -3.01 LUFS by definition; this one is 12 dB lower
    assert integrated_loudness(tone) == pytest.approx(-3.01 - 20 * math.log10(4), abs=0.05)
    assert integrated_loudness(np.zeros(RATE)) == -math.inf


def test_true_peak_finds_peaks_between_samples(tmp_path: Path) -> None:
    t = np.arange(RATE * 2) / RATE
    # a quarter of the sample rate, 45 degrees off: every sample is at 0.707 of the peak
    x = 0.5 * np.sin(2 * np.pi * RATE / 4 * t + np.pi / 4)
    sample_peak = 20 * math.log10(float(np.abs(x).max()))
    assert sample_peak == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.01)
    assert true_peak(x) == pytest.approx(20 * math.log10(0.5), abs=0.2)
    # ffmpeg's scanner reads this extreme case (a quarter of the sample rate) 0.5 dB high
    assert measure_file(_wav(tmp_path, "x.wav", x)).true_peak == pytest.approx(
        true_peak(x), abs=0.75)
    speech = _speechlike(4.0, 4)
    assert true_peak(speech) == pytest.approx(
        measure_file(_wav(tmp_path, "s.wav", speech)).true_peak, abs=0.2)


def test_the_limiter_takes_peaks_down_and_leaves_the_rest() -> None:
    x = _speechlike(5.0) * 4
    y = limit_true_peak(x, RATE, -1.5)
    assert true_peak(y) <= -1.5 + 1e-6
    touched = np.abs(y - x) > 1e-12
    assert touched.mean() < 0.15  # only around the clicks and the loudest syllables
    assert np.all(np.abs(y) <= np.abs(x) + 1e-12)  # a limiter never adds gain


def test_normalising_reaches_minus_16_lufs_under_the_ceiling(tmp_path: Path) -> None:
    for gain in (0.05, 1.0, 3.0):
        y = normalize_loudness(_speechlike(8.0, 2) * gain)
        assert integrated_loudness(y) == pytest.approx(-16.0, abs=0.2)
        assert true_peak(y) <= CEILING_DBTP + 1e-6
        check = measure_file(_wav(tmp_path, f"n{gain}.wav", y))
        assert check.integrated == pytest.approx(-16.0, abs=0.3)
        assert check.true_peak <= -1.0
    silence = np.zeros(RATE)
    assert np.array_equal(normalize_loudness(silence), silence)


def test_window_rms_in_dbfs() -> None:
    x = np.concatenate([np.zeros(RATE), 0.1 * np.ones(RATE)])
    levels = window_rms_dbfs(x, RATE, 0.5, 2.0, window=0.25)
    assert len(levels) == 6
    assert np.all(np.isneginf(levels[:2]))
    assert levels[2:] == pytest.approx([-20.0] * 4)


def test_trim_keeps_the_sound_and_a_margin() -> None:
    sound = _speechlike(1.0, 3)
    x = np.concatenate([np.zeros(RATE // 2), sound, np.zeros(RATE)])
    y = trim_silence(x, RATE, margin=0.05)
    assert 0.9 <= len(y) / RATE <= 1.12  # the first and last syllable fade in and out
    assert np.abs(y).max() == np.abs(sound).max()


def test_any_audio_file_is_read_as_mono_48k(tmp_path: Path) -> None:
    src = tmp_path / "stereo44k.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:sample_rate=44100:duration=1.5", "-ac", "2",
                    "-c:a", "pcm_s24le", str(src)], check=True)
    x = read_audio(src)
    assert len(x) == pytest.approx(1.5 * RATE, abs=5)
    assert 0.05 < float(np.sqrt(np.mean(x**2))) < 0.1  # ffmpeg's sine: amplitude 1/8
    pcm16 = _wav(tmp_path, "mono.wav", x)
    assert np.allclose(read_audio(pcm16), x, atol=1e-4)
    bad = tmp_path / "not-audio.wav"
    bad.write_text("hello")
    with pytest.raises(AudioError, match="cannot read audio"):
        decode_audio(bad)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3.4 s silent H.264 clip at 15 fps, like a -ql manim render."""
    out = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=15:duration=3.4", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def test_muxed_audio_is_aac_lc_48k_as_long_as_the_video(video: Path, tmp_path: Path) -> None:
    duration = media_durations(video)["video"]
    assert duration == pytest.approx(3.4, abs=0.01)
    track = normalize_loudness(place_clips([(0.5, _speechlike(2.0))], duration))
    out = mux_audio(video, track, tmp_path / "out.mp4")
    durations = media_durations(out)
    assert durations["audio"] == pytest.approx(durations["video"], abs=0.05)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=codec_name,profile,sample_rate", "-of", "default=nw=1", str(out)],
        capture_output=True, text=True, check=True).stdout.split()
    assert probe == ["codec_name=aac", "profile=LC", "sample_rate=48000"]
    measured = measure_file(out)
    assert measured.integrated == pytest.approx(-16.0, abs=0.5)
    assert measured.true_peak <= -1.0
    decoded = decode_audio(out)
    assert np.all(window_rms_dbfs(decoded, RATE, 0.0, 0.45) < -80)  # silent before the clip
    assert list(tmp_path.iterdir()) == [out]  # no temporary files left


def test_the_encoded_peak_is_measured_and_kept_under_minus_1_dbtp(video: Path,
                                                                  tmp_path: Path) -> None:
    # a square wave just under the ceiling: AAC's ringing lifts its peak above 0 dBTP
    t = np.arange(int(3.4 * RATE)) / RATE
    square = np.where((t > 1) & (t < 2), np.sign(np.sin(2 * np.pi * 440 * t)), 0.0)
    x = limit_true_peak(square * 10 ** (-1.6 / 20), RATE, -1.5)
    unchecked = mux_audio(video, x, tmp_path / "unchecked.mp4", peak_limit=None)
    assert measure_file(unchecked).true_peak > 0.0
    checked = mux_audio(video, x, tmp_path / "checked.mp4")
    assert measure_file(checked).true_peak <= -1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checked.mp4", "unchecked.mp4"]


def test_an_overshoot_is_limited_where_it_is_and_nowhere_else(video: Path,
                                                              tmp_path: Path) -> None:
    # speech-like sound under the -2 dBTP ceiling, then a square burst that AAC lifts above
    # 0 dBTP: only the burst may be turned down, the speech keeps its peaks and its level
    t = np.arange(int(3.4 * RATE)) / RATE
    speech = place_clips([(0.2, _speechlike(1.4))], 3.4)
    speech = limit_true_peak(speech * 0.9 / np.abs(speech).max(), RATE, -2.0)
    square = np.where((t > 2) & (t < 3), np.sign(np.sin(2 * np.pi * 440 * t)), 0.0)
    x = speech + limit_true_peak(square * 10 ** (-1.6 / 20), RATE, -1.5)
    assert true_peak(x[: int(1.7 * RATE)], RATE) > -2.3
    unchecked = decode_audio(mux_audio(video, x, tmp_path / "unchecked.mp4", peak_limit=None))
    checked = decode_audio(mux_audio(video, x, tmp_path / "checked.mp4"))
    assert true_peak(checked, RATE) <= -1.0
    part = slice(int(0.1 * RATE), int(1.7 * RATE))
    assert true_peak(checked[part], RATE) == pytest.approx(true_peak(unchecked[part], RATE),
                                                           abs=0.1)
    assert np.sqrt(np.mean(checked[part] ** 2)) == pytest.approx(
        np.sqrt(np.mean(unchecked[part] ** 2)), rel=0.01)


def test_a_failed_mux_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="muxing audio"):
        mux_audio(tmp_path / "missing.mp4", np.zeros(RATE), tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []
