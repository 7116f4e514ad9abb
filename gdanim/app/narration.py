"""What a narrated scene said and when, and the soundtrack made from it.

A narrated scene (``scenes.narration.NarratedScene``) writes its log next to its video
(:func:`manifest_path`; the format is :class:`scenes.params.NarrationLog`'s): every line with
its caption, its spoken text, its id, when it starts, how long it lasts and the audio file
that speaks it. :class:`Narration` reads it with the voice settings it was spoken with.
:func:`soundtrack` turns that into the scene's track (the clips placed at their start times on
a track as long as the video, normalised to -16 LUFS with true peaks at or below -2 dBTP), and
:func:`narrate_video` muxes it into the video as AAC-LC 48 kHz.

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
from scenes.params import NARRATION_SUFFIX, NarrationLog, ParamsError, SpokenLine, narration_path

__all__ = [
    "MANIFEST_SUFFIX",
    "Narration",
    "Soundtrack",
    "SpokenLine",
    "manifest_path",
    "joined_soundtrack",
    "narrate_video",
    "soundtrack",
]

#: What a scene's narration file adds to its video's stem.
MANIFEST_SUFFIX = NARRATION_SUFFIX


def manifest_path(video: Path | str) -> Path:
    """Where the narration of ``video`` is written: beside it, ``<stem>.narration.json``."""
    return narration_path(video)


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

    def log(self) -> NarrationLog:
        """The narration as the scene writes it."""
        return NarrationLog(self.scene, json.loads(self.settings.to_json()), self.lines)

    @classmethod
    def from_log(cls, log: NarrationLog) -> Narration:
        """The narration a scene wrote, with its voice settings read."""
        settings = VoiceSettings.from_json(json.dumps(dict(log.voice))) if log.voice \
            else VoiceSettings()
        return cls(log.scene, settings, log.lines)

    def to_json(self) -> str:
        """The narration as JSON."""
        return self.log().to_json()

    @classmethod
    def from_json(cls, text: str) -> Narration:
        """Read :meth:`to_json`'s output; another file raises ``VoiceError``."""
        try:
            return cls.from_log(NarrationLog.from_json(text))
        except ParamsError as exc:
            raise VoiceError(str(exc)) from None

    def to_file(self, path: Path | str) -> Path:
        """Write the narration to ``path``, whole or not at all."""
        return self.log().to_file(path)

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


def joined_soundtrack(parts: Sequence[tuple[Narration | None, float]],
                      duration: float) -> FloatArray:
    """The soundtrack of scenes joined one after the other, normalised once as a whole.

    ``parts`` holds each scene's narration (``None``: a silent scene) and the time at which the
    scene starts in the joined video; every line with audio is placed at that offset plus its
    start. The track has exactly ``round(duration * 48000)`` samples and is brought to -16 LUFS
    integrated with true peaks at or below -2 dBTP (:func:`gdanim.app.audio.normalize_loudness`),
    so that the loudness is the same from the first scene to the last and muxing it once onto
    the joined video keeps every scene boundary in step.

    Examples
    --------
    >>> from gdanim.app.voice import VoiceSettings
    >>> track = joined_soundtrack([(Narration("A", VoiceSettings("none"), ()), 0.0),
    ...                            (None, 1.5)], duration=2.0)
    >>> len(track), float(abs(track).max())
    (96000, 0.0)
    """
    clips = [(offset + line.start, read_audio(line.wav, RATE))
             for narration, offset in parts if narration is not None
             for line in narration.lines if line.wav is not None]
    return normalize_loudness(place_clips(clips, duration, RATE), RATE)
