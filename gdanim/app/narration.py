"""What a narrated scene said and when, and the soundtrack made from it.

A narrated scene (``scenes.narration.NarratedScene``) writes a :class:`Narration` next to its
video (:func:`manifest_path`): every line with its caption, its spoken text, its id, when it
starts, how long it lasts and the audio file that speaks it. :func:`soundtrack` turns that
into the scene's track (the clips placed at their start times on a track as long as the video,
normalised to -16 LUFS with true peaks at or below -2 dBTP), and :func:`narrate_video` muxes
it into the video as AAC-LC 48 kHz.

The same file tells the app which recorded lines were missing (:meth:`Narration.missing`) and
what the scene says (:meth:`Narration.script_lines`, for a script to record from).

Examples
--------
>>> from gdanim.app.voice import VoiceSettings
>>> n = Narration("Demo", VoiceSettings("none"), (
...     SpokenLine("Demo-000-aaaaaaaa", "Demo", 0, "η = 0.05.", "eta equals zero point zero five.",
...                start=0.5, duration=1.0, wav=None, voice="none"),))
>>> Narration.from_json(n.to_json()) == n
True
>>> manifest_path(Path("media/Demo.mp4")).name
'Demo.narration.json'
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gdanim._typing import FloatArray
from gdanim.app.audio import (
    RATE,
    integrated_loudness,
    media_durations,
    mux_audio,
    normalize_loudness,
    place_clips,
    read_audio,
    true_peak,
)
from gdanim.app.voice import Line, VoiceError, VoiceSettings

__all__ = [
    "MANIFEST_SUFFIX",
    "Narration",
    "Soundtrack",
    "SpokenLine",
    "manifest_path",
    "narrate_video",
    "soundtrack",
]

#: What a scene's narration file adds to its video's stem.
MANIFEST_SUFFIX = ".narration.json"
_FORMAT = 1


def manifest_path(video: Path | str) -> Path:
    """Where the narration of ``video`` is written: beside it, ``<stem>.narration.json``."""
    video = Path(video)
    return video.with_name(video.stem + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class SpokenLine:
    """One line as it was spoken in a scene: the caption is shown, and the audio plays, from
    ``start`` for ``duration`` seconds (scene time)."""

    id: str
    scene: str
    index: int
    caption: str
    text: str
    start: float
    duration: float
    wav: Path | None
    voice: str
    fallback: bool = False
    """A recorded line that was missing and was read by a text-to-speech voice instead."""

    @property
    def end(self) -> float:
        """When the line ends."""
        return self.start + self.duration

    def to_dict(self) -> dict[str, Any]:
        """The line as plain JSON data."""
        return {"id": self.id, "scene": self.scene, "index": self.index,
                "caption": self.caption, "text": self.text, "start": self.start,
                "duration": self.duration, "wav": None if self.wav is None else str(self.wav),
                "voice": self.voice, "fallback": self.fallback}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpokenLine:
        """Read :meth:`to_dict`'s output."""
        return cls(
            id=str(data["id"]), scene=str(data["scene"]), index=int(data["index"]),
            caption=str(data["caption"]), text=str(data["text"]),
            start=float(data["start"]), duration=float(data["duration"]),
            wav=None if data["wav"] is None else Path(data["wav"]),
            voice=str(data["voice"]), fallback=bool(data.get("fallback", False)),
        )


@dataclass(frozen=True)
class Narration:
    """Everything a scene said, in order."""

    scene: str
    settings: VoiceSettings
    lines: tuple[SpokenLine, ...]

    def missing(self) -> list[SpokenLine]:
        """Recorded lines that had no recording (and were read by a text-to-speech voice)."""
        return [line for line in self.lines if line.fallback]

    def script_lines(self) -> list[Line]:
        """The lines to record, with the ids a recording must be named by."""
        return [Line(s.scene, s.index, s.caption, s.text) for s in self.lines]

    def to_json(self) -> str:
        """The narration as JSON."""
        return json.dumps({"format": _FORMAT, "scene": self.scene,
                           "voice": json.loads(self.settings.to_json()),
                           "lines": [line.to_dict() for line in self.lines]}, indent=1,
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Narration:
        """Read :meth:`to_json`'s output; a file of another format raises ``VoiceError``."""
        try:
            data = json.loads(text)
            if data.get("format") != _FORMAT:
                raise VoiceError(f"narration format {data.get('format')!r} is not {_FORMAT}")
            return cls(str(data["scene"]), VoiceSettings.from_json(json.dumps(data["voice"])),
                       tuple(SpokenLine.from_dict(d) for d in data["lines"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, VoiceError):
                raise
            raise VoiceError(f"not a gdanim narration file ({exc})") from None

    def to_file(self, path: Path | str) -> Path:
        """Write the narration to ``path``, whole or not at all."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def from_file(cls, path: Path | str) -> Narration:
        """Read a narration file."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Soundtrack:
    """What :func:`narrate_video` wrote: the file, the track's length and its loudness as
    measured on the PCM track before AAC encoding."""

    path: Path
    duration: float
    integrated: float
    true_peak: float
    clips: int


def soundtrack(narration: Narration, duration: float) -> FloatArray:
    """The narration's speech on a mono 48 kHz track of ``duration`` seconds, normalised.

    Every line with audio starts at its start time; the track is brought to -16 LUFS with true
    peaks at or below -2 dBTP (:func:`gdanim.app.audio.normalize_loudness`). Without audio
    (the ``none`` voice) the track is silent. It has exactly ``round(duration * 48000)``
    samples, so the tracks of scenes joined one after the other stay in step with their videos
    at every boundary: to join scenes, concatenate their tracks and mux once onto the joined
    video (:func:`gdanim.app.audio.mux_audio`) rather than joining AAC streams, whose frames
    of 1024 samples would shift each boundary by a few milliseconds.
    """
    clips = [(line.start, read_audio(line.wav, RATE)) for line in narration.lines
             if line.wav is not None]
    return normalize_loudness(place_clips(clips, duration, RATE), RATE)


def narrate_video(video: Path | str, narration: Narration, out: Path | str) -> Soundtrack:
    """Write ``out``: ``video`` with the narration's :func:`soundtrack` as its audio.

    The track is as long as the video stream and muxed as AAC-LC 48 kHz
    (:func:`gdanim.app.audio.mux_audio`). A narration without audio (the ``none`` voice) gives
    a silent track, so that every clip of a lecture has an audio stream. ``out`` may be
    ``video`` itself; it is replaced only when complete.
    """
    video = Path(video)
    durations = media_durations(video)
    if "video" not in durations:
        raise VoiceError(f"{video} has no video stream")
    track = soundtrack(narration, durations["video"])
    path = mux_audio(video, track, out, RATE)
    spoken = sum(line.wav is not None for line in narration.lines)
    loudness = integrated_loudness(track, RATE) if spoken else -math.inf
    return Soundtrack(path, len(track) / RATE, loudness, true_peak(track, RATE), spoken)
