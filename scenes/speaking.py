"""The voice of a scene: lines placed on the scene's clock, captions timed to their speech.

Every :class:`~scenes.style.GDScene` has a :class:`Narrator`. Without speech parameters (a
plain ``manim`` run, a test, the app's silent ``none`` voice) it is silent and the scene does
exactly what it did before narration existed: a caption lasts the time it was given. With the
app's speech parameters (:class:`scenes.params.SpeechParams`) every caption is said:

1. the text is cut into lines, one per sentence (a sentence longer than two subtitle lines is
   cut at its clauses), and each is turned into what is said
   (:func:`gdanim.speech.spoken`: "η = 0.05" is read "eta equals zero point zero five");
2. each line's speech is looked up in the speech manifest by the line's id (scene, index,
   spoken text); a line starts when it was asked for, or :attr:`Narrator.LINE_GAP` seconds
   after the previous line's speech ends if that is later, so that no two lines overlap;
3. each line's caption is shown for exactly the time its speech plays;
4. :meth:`Narrator.say` returns when the speech ends, and the scene holds its frame until
   then (:func:`scenes.pacing.wait_until`); at the end of the scene
   (:meth:`~scenes.style.GDScene.tear_down`) it waits for any speech still playing, plus
   :attr:`Narrator.PAUSE`, so nothing is cut off.

In the app's dry run (``SpeechParams.collect_to``) a line lasts its caption's reading time and
the lines are written to the file the app reads (:func:`scenes.params.write_lines`); after a
real render the narration log (every line with its start, duration and audio file) is written
beside the video (:func:`scenes.params.narration_path`), from which the app makes the
soundtrack.

Examples
--------
>>> silent = Narrator("Demo", None)
>>> silent.speaking
False
>>> n = Narrator("Demo", SpeechParams(collect_to="/tmp/lines.json"))
>>> lines, end = n.place("The rate is η = 0.05. It is small.", at=2.0)
>>> [(line.text, line.start) for line in lines]
[('The rate is eta equals zero point zero five.', 2.0), ('It is small.', 3.65)]
>>> round(end, 2)
4.65
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from gdanim.speech import caption_chunks, reading_time, split_sentences, spoken
from scenes.params import (
    Line,
    NarrationLog,
    SpeechClip,
    SpeechParams,
    SpokenLine,
    narration_path,
    write_lines,
)

__all__ = ["Narrator", "SpeechMissing"]

#: ``add_subcaption(text, duration, start)``: shows a caption from scene time ``start``.
ShowCaption = Callable[[str, float, float], None]


class SpeechMissing(RuntimeError):
    """A narrated line that the app's speech manifest does not hold."""


class Narrator:
    """The lines a scene says and when (see the module docstring).

    Parameters
    ----------
    scene
        The scene's class name (part of every line's id).
    speech
        The app's speech parameters, or ``None``: silent.
    """

    #: Seconds between two lines.
    LINE_GAP: ClassVar[float] = 0.25
    #: Seconds of quiet after a block of speech before the scene goes on.
    PAUSE: ClassVar[float] = 0.4
    #: Longest caption, in characters (two subtitle lines of 42).
    CAPTION_CHARS: ClassVar[int] = 84

    def __init__(self, scene: str, speech: SpeechParams | None) -> None:
        self.scene = scene
        self.speech = speech
        self.spoken: list[SpokenLine] = []
        #: Scene time at which the last line's speech ends (0 before any).
        self.busy_until = 0.0

    @property
    def speaking(self) -> bool:
        """Whether captions are said (a real narrated render, or the dry run collecting)."""
        return self.speech is not None

    @property
    def collecting(self) -> bool:
        """Whether this is the dry run that collects the lines (nothing is spoken)."""
        return self.speech is not None and self.speech.collect_to is not None

    def clip(self, line: Line) -> SpeechClip:
        """The speech of ``line``: from the manifest, or its reading time when there is none."""
        if self.speech is None or self.speech.collect_to is not None:
            return SpeechClip(None, reading_time(line.caption), "none")
        clip = self.speech.clips.get(line.id)
        if clip is None:
            raise SpeechMissing(
                f"{self.scene}: line {line.id} ({line.caption!r}) has no speech in the "
                "manifest; the scene said something its dry run did not")
        return clip

    def units(self, text: str, said: str | Sequence[str] | None = None
              ) -> list[tuple[list[str], str]]:
        """The lines of ``text``: (the captions that show each, what is said)."""
        sentences = split_sentences(text)
        if not sentences:
            raise ValueError("a narrated caption needs something to say")
        if said is None:
            return [([chunk], spoken(chunk)) for sentence in sentences
                    for chunk in caption_chunks(sentence, self.CAPTION_CHARS)]
        words = split_sentences(said) if isinstance(said, str) else [str(s) for s in said]
        if len(words) != len(sentences):
            raise ValueError(f"the caption has {len(sentences)} sentences but the spoken text "
                             f"has {len(words)}: give one spoken sentence per written one")
        return [(caption_chunks(sentence, self.CAPTION_CHARS), w)
                for sentence, w in zip(sentences, words, strict=True)]

    def place(self, text: str, at: float, said: str | Sequence[str] | None = None,
              show: ShowCaption | None = None) -> tuple[list[SpokenLine], float]:
        """Say ``text`` from scene time ``at`` (or as soon after as the last line allows).

        Each line's captions are shown through ``show`` (caption, duration, start) for as long
        as its speech plays. Returns the lines placed and the time their speech ends.
        """
        t = at if not self.spoken else max(at, self.busy_until + self.LINE_GAP)
        block: list[SpokenLine] = []
        for captions, words in self.units(text, said):
            line = Line(self.scene, len(self.spoken), " ".join(captions), words)
            speech = self.clip(line)
            placed = SpokenLine(line.id, line.scene, line.index, line.caption, line.text,
                                start=t, duration=speech.duration,
                                wav=None if speech.wav is None else Path(speech.wav),
                                voice=speech.voice, fallback=speech.fallback)
            self.spoken.append(placed)
            block.append(placed)
            if show is not None:
                weights = np.array([len(c) for c in captions], dtype=float)
                bounds = t + speech.duration * np.concatenate(
                    [[0.0], np.cumsum(weights)]) / weights.sum()
                for caption, a, b in zip(captions, bounds[:-1], bounds[1:], strict=True):
                    show(caption, float(b - a), float(a))
            t = placed.end + self.LINE_GAP
        self.busy_until = block[-1].end
        return block, self.busy_until

    @property
    def log(self) -> NarrationLog:
        """Every line spoken so far, with its timing and audio."""
        voice = {} if self.speech is None else dict(self.speech.voice)
        return NarrationLog(self.scene, voice, tuple(self.spoken))

    @property
    def lines(self) -> list[Line]:
        """Every line said so far, as the app's voices take them."""
        return [Line(s.scene, s.index, s.caption, s.text) for s in self.spoken]

    def finish(self, video: Path | None) -> None:
        """After the render: write the collected lines (dry run) or the log beside ``video``."""
        if self.speech is None:
            return
        if self.speech.collect_to is not None:
            write_lines(self.lines, self.speech.collect_to)
        elif video is not None and video.exists():
            self.log.to_file(narration_path(video))
