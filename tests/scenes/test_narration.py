"""Narrated scenes: speech sets the timing, captions follow it, the soundtrack is in sync.

The app renders a narrated scene in two passes (:mod:`gdanim.app.narrate`): a dry run collects
its lines, the app speaks them, and the scene plays the speech manifest it is given. In-process
renders (animations skipped) check the timing without speech and with the ``recorded`` voice
(one recording missing, read by espeak-ng and reported by the app); a real render through the
app's two passes with Piper, the default voice, is muxed with its soundtrack and measured:
speech inside every caption, silence in the long gaps, -16 LUFS, true peak, and audio as long
as the video.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import subprocess
import wave
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from manim import RIGHT, Dot, tempconfig
from narrated_scene import SCRIPT, NarratedDemo

from gdanim.app import narrate
from gdanim.app import render as rd
from gdanim.app.audio import (
    RATE,
    decode_audio,
    measure_file,
    media_durations,
    window_rms_dbfs,
)
from gdanim.app.narration import Narration, narrate_video
from gdanim.app.subtitles import read_srt_file
from gdanim.app.voice import VoiceSettings, read_script, write_script
from gdanim.speech import reading_time, speak_number, spoken
from scenes.narration import NarratedScene, SpeechMissing
from scenes.params import PARAMS_ENV, Line, SceneParams, SpeechClip, SpeechParams, read_lines
from scenes.style import fmt

FPS = 15
SCENE_FILE = Path(__file__).with_name("narrated_scene.py")

#: The demo's lines as written (one caption per sentence) and as said.
CAPTIONS = [
    "Gradient descent on f(x) = x², from x = 4.000.",
    "The learning rate is η = 0.25.",
    "Each step subtracts η·f'(x) from x.",
    "After 3 steps, x is 0.500.",
]
SAID = [
    "Gradient descent on f of x equals x squared, from x equals four.",
    "The learning rate is eta equals zero point two five.",
    "Each step subtracts eta times f prime of x from x.",
    "After three steps, x is zero point five.",
]


def _render(scene_cls: type[NarratedScene], tmp: Path, skip: bool = True) -> NarratedScene:
    cfg: dict[str, Any] = {
        "quality": "low_quality", "pixel_width": 854, "pixel_height": 480, "frame_rate": FPS,
        "media_dir": str(tmp), "disable_caching": True, "verbosity": "WARNING",
        "progress_bar": "none", "skip_animations": skip,
    }
    with tempconfig(cfg):
        scene = scene_cls(skip_animations=skip)
        scene.render()
    return scene


def _subcaptions(scene: NarratedScene) -> list[tuple[float, float, str]]:
    def seconds(t: datetime.timedelta) -> float:
        return t.total_seconds()

    subs = scene.renderer.file_writer.subcaptions
    return [(seconds(s.start), seconds(s.end), s.content) for s in subs]


def _on_a_frame(t: float) -> bool:
    return abs(t * FPS - round(t * FPS)) < 1e-6


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NarratedScene]:
    """The demo without speech (each line lasts its reading time), animations skipped."""
    old = os.environ.pop(PARAMS_ENV, None)
    try:
        yield _render(NarratedDemo, tmp_path_factory.mktemp("silent"))
    finally:
        if old is not None:
            os.environ[PARAMS_ENV] = old


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    """The demo's lines, from the app's first pass: manim's dry run in a subprocess."""
    media = tmp_path_factory.mktemp("dry-run")
    job = rd.RenderJob(SCENE_FILE, "NarratedDemo")
    lines = narrate.collect_lines(job, media_dir=media)
    assert not list(media.rglob("*.mp4")) and not list(media.rglob("*.png"))  # nothing drawn
    return lines


def test_the_script_is_said_as_written_to_be_heard(silent: NarratedScene) -> None:
    lines = silent.narration.lines
    assert " ".join(SCRIPT) == " ".join(CAPTIONS)
    assert [line.caption for line in lines] == CAPTIONS
    assert [line.text for line in lines] == SAID == [spoken(c) for c in CAPTIONS]
    assert [line.index for line in lines] == [0, 1, 2, 3]
    assert len({line.id for line in lines}) == 4


def test_without_a_voice_each_line_lasts_its_reading_time(silent: NarratedScene) -> None:
    lines = silent.narration.lines
    assert all(line.wav is None and line.voice == "none" for line in lines)
    assert [line.duration for line in lines] == [reading_time(c) for c in CAPTIONS]
    # the blocks: a line, a 1.5 s wait, two lines, one line
    gap, pause = NarratedScene.LINE_GAP, NarratedScene.PAUSE
    assert lines[0].start == 0.0
    assert lines[1].start == pytest.approx(lines[0].end + pause + 1.5, abs=1.5 / FPS)
    assert lines[2].start == pytest.approx(lines[1].end + gap, abs=1e-9)
    assert lines[3].start >= lines[2].end + pause - 1 / FPS
    assert all(_on_a_frame(lines[i].start) for i in (0, 1, 3))


def test_each_caption_shows_for_exactly_its_line(silent: NarratedScene) -> None:
    subs = _subcaptions(silent)
    lines = silent.narration.lines
    assert [s[2] for s in subs] == CAPTIONS
    for (start, end, _), line in zip(subs, lines, strict=True):
        assert start == pytest.approx(line.start, abs=1e-3)
        assert end == pytest.approx(line.end, abs=1e-3)
    assert all(a[1] <= b[0] for a, b in pairwise(subs))


def test_the_dry_run_collects_the_lines_the_render_says(
    silent: NarratedScene, collected: list[Line]
) -> None:
    assert collected == silent.lines
    assert [line.id for line in collected] == [line.id for line in silent.narration.lines]
    assert [(line.caption, line.text) for line in collected] == list(zip(CAPTIONS, SAID,
                                                                         strict=True))


def test_a_scene_plays_the_speech_it_is_given_and_refuses_a_line_it_lacks(
    collected: list[Line], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clips = {line.id: SpeechClip(None, 1.0 + 0.5 * k, "espeak") for k, line in
             enumerate(collected)}
    given = SceneParams(speech=SpeechParams(clips=clips, voice={"name": "espeak"}))
    monkeypatch.setenv(PARAMS_ENV, str(given.to_file(tmp_path / "given.json")))
    scene = _render(NarratedDemo, tmp_path / "given")
    lines = scene.narration.lines
    assert [line.duration for line in lines] == [1.0, 1.5, 2.0, 2.5]
    assert [line.voice for line in lines] == ["espeak"] * 4
    assert scene.narration.voice == {"name": "espeak"}
    windows = [t for sub in _subcaptions(scene) for t in sub[:2]]
    assert windows == pytest.approx([t for line in lines for t in (line.start, line.end)],
                                    abs=1e-3)

    lacking = SceneParams(speech=SpeechParams(clips=dict(list(clips.items())[:2])))
    monkeypatch.setenv(PARAMS_ENV, str(lacking.to_file(tmp_path / "lacking.json")))
    with pytest.raises(SpeechMissing, match=rf"line {collected[2].id} .* its dry run did not"):
        _render(NarratedDemo, tmp_path / "lacking")


def test_in_a_dry_run_the_scene_writes_its_lines(tmp_path: Path) -> None:
    out = tmp_path / "lines.json"

    class Collecting(NarratedDemo):
        speech_params = SpeechParams(collect_to=str(out))

    _render(Collecting, tmp_path / "media")
    assert [(line.caption, line.text) for line in read_lines(out)] == list(zip(
        CAPTIONS, SAID, strict=True))


def test_a_long_sentence_is_said_and_shown_in_clauses(tmp_path: Path) -> None:
    long = ("Colour shows the height of f(x, y) = x² + y² + y³ + xy; the lines are contours, "
            "where f stays constant, and the arrows point downhill.")

    class Long(NarratedScene):
        def construct(self) -> None:
            with self.voiceover(long):
                pass
            with self.voiceover(long, spoken="The height of f, in colour, with contours."):
                pass

    scene = _render(Long, tmp_path)
    subs = _subcaptions(scene)
    lines = scene.narration.lines
    # said clause by clause, each clause its own line and caption
    first = [line for line in lines if line.text != "The height of f, in colour, with contours."]
    assert len(first) >= 2 and " ".join(line.caption for line in first) == long
    assert all(len(line.caption) <= NarratedScene.CAPTION_CHARS for line in first)
    assert all(b.start == pytest.approx(a.end + NarratedScene.LINE_GAP)
               for a, b in pairwise(first))
    # given its own words, the sentence is one line whose window the clauses share
    last = lines[-1]
    shared = [sub for sub in subs if sub[0] >= last.start - 1e-3]
    assert len(shared) == len(first)
    assert " ".join(sub[2] for sub in shared) == long == last.caption
    assert shared[0][0] == pytest.approx(last.start, abs=1e-3)
    assert shared[-1][1] == pytest.approx(last.end, abs=1e-3)
    assert all(a[1] == pytest.approx(b[0], abs=1e-3) for a, b in pairwise(shared))
    assert all(a[1] <= b[0] + 1e-9 for a, b in pairwise(subs))


def test_blocks_check_what_they_are_given(tmp_path: Path) -> None:
    class Misused(NarratedScene):
        def construct(self) -> None:
            with self.voiceover("Two sentences. Here.", spoken=["One, two, three, four."]):
                pass

    with pytest.raises(ValueError, match="2 sentences but the spoken text has 1"):
        _render(Misused, tmp_path)

    class Nested(NarratedScene):
        def construct(self) -> None:
            with self.voiceover("Outer."), self.voiceover("Inner."):
                pass

    with pytest.raises(RuntimeError, match="cannot be nested"):
        _render(Nested, tmp_path)

    class Spoken(NarratedScene):
        def construct(self) -> None:
            with self.voiceover("f = x²/20 + y².", spoken="f is a long valley."):
                pass

    (line,) = _render(Spoken, tmp_path).narration.lines
    assert (line.caption, line.text) == ("f = x²/20 + y².", "f is a long valley.")


class _OddTimes(NarratedScene):
    """Animations and waits whose lengths are not whole frames, then a narrated block."""

    def construct(self) -> None:
        dot = Dot()
        self.add(dot)
        self.times: list[float] = []
        for run_time in (0.31, 0.52, 0.2):
            self.play(dot.animate.shift(RIGHT * 0.2), run_time=run_time)
            self.times.append(self.time)
            self.wait(0.27)
            self.times.append(self.time)
        with self.voiceover("Hello there.") as tracker:
            self.play(dot.animate.shift(RIGHT * 0.2), run_time=tracker.duration / 2)
            self.times.append(self.time)
        self.times.append(self.time)


def test_the_clock_counts_frames_whether_animations_are_drawn_or_skipped(tmp_path: Path) -> None:
    drawn = _render(_OddTimes, tmp_path / "drawn", skip=False)
    skipped = _render(_OddTimes, tmp_path / "skipped", skip=True)
    assert drawn.times == pytest.approx(skipped.times, abs=1e-9)
    assert all(_on_a_frame(t) for t in skipped.times)
    assert skipped.narration.lines == drawn.narration.lines


# -- the recorded voice -----------------------------------------------------------------------


def test_a_recorded_run_uses_the_recordings_and_reports_the_missing_line(
    collected: list[Line], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # the script to record from: the lines of the dry run, as `gdanim script` will write them
    script = write_script(collected, tmp_path / "script.tsv")
    rows = read_script(script)
    assert [r[1] for r in rows] == SAID and [r[2] for r in rows] == CAPTIONS
    takes = tmp_path / "takes"
    takes.mkdir()
    lengths = {}
    for k, (line_id, _, _) in enumerate(rows):
        if k == 2:
            continue  # this one was never recorded
        lengths[line_id] = 1.0 + 0.25 * k
        t = np.arange(int(lengths[line_id] * 44_100)) / 44_100
        tone = 0.2 * np.sin(2 * np.pi * (200 + 50 * k) * t)
        with wave.open(str(takes / f"{line_id}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(44_100)
            w.writeframes((tone * 32767).astype("<i2").tobytes())
    settings = VoiceSettings("recorded", recordings=takes, fallback="espeak")
    # the app speaks the collected lines (and says which had no recording) ...
    spoken_lines = narrate.speak_lines(collected, settings)
    assert [line.id for line in spoken_lines.missing] == [rows[2][0]]
    rd.warn(narrate.missing_report("NarratedDemo", spoken_lines) or "")
    err = capfd.readouterr().err
    assert re.search(rf"gdanim: warning: NarratedDemo: 1 line\(s\) had no recording and were "
                     rf"read by espeak: {rows[2][0]}", err)
    # ... and the scene plays the speech manifest it is given
    params = SceneParams(speech=spoken_lines.speech).to_file(tmp_path / "params.json")
    monkeypatch.setenv(PARAMS_ENV, str(params))
    scene = _render(NarratedDemo, tmp_path / "media")
    lines = scene.narration.lines
    assert [line.voice for line in lines] == ["recorded", "recorded", "espeak", "recorded"]
    assert [line.id for line in Narration.from_log(scene.narration).missing()] == [rows[2][0]]
    assert Narration.from_log(scene.narration).settings == settings
    for line in lines:
        if line.id in lengths:
            assert line.duration == pytest.approx(lengths[line.id], abs=0.02)
    assert [s[2] for s in _subcaptions(scene)] == CAPTIONS


# -- real renders with a voice, muxed with their soundtrack -------------------------------------


def _read_srt(path: Path) -> list[tuple[float, float, str]]:
    return [(c.start, c.end, c.text) for c in read_srt_file(path)]


@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo rendered at -ql by the app's two passes with the default voice (Piper), and
    muxed. It is rendered once: what differs between voices is how a line is spoken, which
    tests/test_voice.py checks for each voice, and a scene plays espeak's clips in the recorded
    run above."""
    voice = "piper"
    media = tmp_path_factory.mktemp(f"narrated-{voice}")
    job = rd.RenderJob(SCENE_FILE, "NarratedDemo", voice=VoiceSettings(voice))
    result = rd.render_scene(job, quality="l", media_dir=media, quiet=True)
    assert result.narration is not None and result.srt is not None
    narration = Narration.from_file(result.narration)
    out = media / "NarratedDemo-voiced.mp4"
    track = narrate_video(result.video, narration, out)
    return {"voice": voice, "video": result.video, "out": out, "narration": narration,
            "track": track, "srt": _read_srt(result.srt), "audio": decode_audio(out),
            "timings": result.timings}


@pytest.mark.slow
def test_both_passes_ran_and_took_their_time(narrated: dict[str, Any]) -> None:
    timings = narrated["timings"]
    assert set(timings) == {"collect", "speak", "render"}
    assert all(t > 0 for t in timings.values())
    assert narrated["narration"].settings == VoiceSettings(narrated["voice"])


@pytest.mark.slow
def test_the_voice_spoke_every_line(narrated: dict[str, Any]) -> None:
    lines = narrated["narration"].lines
    assert [line.voice for line in lines] == [narrated["voice"]] * 4
    assert [line.text for line in lines] == SAID
    assert all(line.wav is not None and line.wav.is_file() for line in lines)
    assert narrated["track"].clips == 4


@pytest.mark.slow
def test_captions_are_the_speech_windows_and_never_overlap(narrated: dict[str, Any]) -> None:
    srt, lines = narrated["srt"], narrated["narration"].lines
    assert [s[2] for s in srt] == CAPTIONS
    for (start, end, _), line in zip(srt, lines, strict=True):
        assert start == pytest.approx(line.start, abs=0.002)
        assert end == pytest.approx(line.end, abs=0.002)
    assert all(a[1] <= b[0] for a, b in pairwise(srt))


@pytest.mark.slow
def test_there_is_speech_in_every_caption_and_silence_in_long_gaps(
        narrated: dict[str, Any]) -> None:
    audio, srt = narrated["audio"], narrated["srt"]
    for start, end, text in srt:
        levels = window_rms_dbfs(audio, RATE, start, end, window=0.1)
        # speech for most of the caption (the voice pauses at commas for ~0.3 s) ...
        assert np.mean(levels > -40) >= 0.7, (text, levels.round(1).tolist())
        # ... and from its first tenths of a second to its last
        assert levels[:3].max() > -30 and levels[-3:].max() > -30, (text, levels.round(1))
    edges = [0.0, *[t for s in srt for t in s[:2]], len(audio) / RATE]
    gaps = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a > 1.0]
    assert len(gaps) >= 2  # the 1.5 s wait, and the animation that outlasts its speech
    for a, b in gaps:
        assert np.max(window_rms_dbfs(audio, RATE, a, b, window=0.1)) < -60


@pytest.mark.slow
def test_the_soundtrack_is_minus_16_lufs_aac_48k_and_as_long_as_the_video(
        narrated: dict[str, Any]) -> None:
    out = narrated["out"]
    loudness = measure_file(out)
    assert loudness.integrated == pytest.approx(-16.0, abs=1.0)
    assert loudness.true_peak <= -1.0
    durations = media_durations(out)
    assert durations["audio"] == pytest.approx(durations["video"], abs=0.1)
    # the video stream is copied: the same frames (its time base may round the last digits)
    assert durations["video"] == pytest.approx(media_durations(narrated["video"])["video"],
                                               abs=1e-3)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=codec_name,profile,sample_rate", "-of", "default=nw=1", str(out)],
        capture_output=True, text=True, check=True).stdout.split()
    assert probe == ["codec_name=aac", "profile=LC", "sample_rate=48000"]
    assert math.isclose(narrated["track"].integrated, -16.0, abs_tol=0.2)


# -- the numbers the scenes print ------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(0, 4))
def test_every_number_fmt_prints_is_read_as_its_value(value: float, digits: int) -> None:
    shown = fmt(value, digits)
    said = speak_number(shown)
    assert re.fullmatch(r"[a-z -]+", said), (shown, said)
    if shown in ("nan", "inf", "-inf"):
        assert said == {"nan": "not a number", "inf": "infinity",
                        "-inf": "minus infinity"}[shown]
    elif "e" in shown:
        mantissa, exponent = shown.split("e")
        assert said.endswith("ten to the " + speak_number(str(int(exponent))))
        if float(mantissa) not in (1.0, -1.0):
            assert said.startswith(speak_number(mantissa) + " times ")
    else:
        # the words of the value shown, whatever its trailing zeros
        assert said == speak_number(float(shown))
    # and a tick label with a true minus sign reads the same as with a hyphen
    assert speak_number(shown.replace("-", "\u2212")) == said
