"""Narrated scenes: the speech sets the clock, the animation follows, the captions show it.

:class:`NarratedScene` is a :class:`~scenes.style.GDScene` with one more way to say something::

    with self.voiceover("The learning rate is η = 0.05.") as tracker:
        self.play(Create(curve), run_time=tracker.duration)

The text is the caption, written to be read (symbols, formulas, numbers as printed). The block:

1. cuts the text into lines, one per sentence (a sentence longer than two subtitle lines is cut
   at its clauses), and turns each into what is said (:func:`gdanim.speech.spoken`), unless
   ``spoken`` gives the words;
2. plays each line's speech from the speech manifest the app gave the scene
   (:class:`scenes.params.SpeechParams`), one after the other with
   :attr:`NarratedScene.LINE_GAP` seconds between them;
3. shows each line's caption for exactly the time its speech plays;
4. gives the body a :class:`Tracker` (``tracker.duration``, ``tracker.remaining``...) to fit
   its animations to the speech;
5. after the body, waits for whatever is left of the speech plus :attr:`NarratedScene.PAUSE`,
   so no speech is cut off or overlaps the next block. Animations longer than the speech just
   run on, in silence.

Voices belong to the app (:mod:`gdanim.app.voice`); a scene never speaks itself. The app
renders a narrated scene in two passes (:mod:`gdanim.app.narrate`):

1. a dry run (manim's ``--dry_run``, nothing drawn or written) with
   ``SpeechParams(collect_to=...)``: the scene writes the lines it would say, each with its id,
   spoken text and caption (:func:`scenes.params.write_lines`), which is also the script to
   record from;
2. the app synthesises those lines (in parallel, cached) and renders the scene for real with
   ``SpeechParams(clips=...)``: line id -> audio file and duration. A line the manifest does
   not hold is an error (:class:`SpeechMissing`).

Without speech parameters (a plain ``manim`` run, or a test) nothing is spoken and a line lasts
its caption's reading time (:data:`gdanim.speech.READING_RATE` characters a second), so a
silent render keeps today's pace; :attr:`NarratedScene.speech_params` lets a scene fix its own.

Every line is recorded (start, duration, audio file) in :attr:`NarratedScene.narration`, and
written after the render next to the video (:func:`scenes.params.narration_path`), where
:func:`gdanim.app.narration.narrate_video` turns it into the soundtrack.

The scene clock is kept frame-exact: an animation taken from manim's partial-movie cache (or
skipped) advances it by the frames it holds, as rendering it does, so speech and captions
land on the same frames whether a scene is rendered afresh or from the cache.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from manim import config

from gdanim.speech import caption_chunks, reading_time, split_sentences, spoken
from scenes.params import (
    Line,
    NarrationLog,
    SceneParams,
    SpeechClip,
    SpeechParams,
    SpokenLine,
    narration_path,
    write_lines,
)
from scenes.style import GDScene

__all__ = ["NarratedScene", "SpeechMissing", "Tracker"]


class SpeechMissing(RuntimeError):
    """A narrated line that the app's speech manifest does not hold."""


class Tracker:
    """The clock of one narrated block, in the scene's time (seconds).

    Attributes
    ----------
    start, end
        When the first line starts and the last one ends.
    lines
        The block's lines as spoken.
    """

    def __init__(self, scene: NarratedScene, start: float, end: float,
                 lines: Sequence[SpokenLine]) -> None:
        self.scene = scene
        self.start = start
        self.end = end
        self.lines = tuple(lines)

    @property
    def duration(self) -> float:
        """Seconds from the first word to the last: the time an animation should take to last
        as long as the speech."""
        return self.end - self.start

    @property
    def remaining(self) -> float:
        """Seconds of speech still to come (0 once it has ended)."""
        return max(self.end - self.scene.time, 0.0)

    def time_until_line(self, index: int) -> float:
        """Seconds from now until the block's line ``index`` starts (0 if it has)."""
        return max(self.lines[index].start - self.scene.time, 0.0)


class NarratedScene(GDScene):
    """A scene narrated by a voice through :meth:`voiceover` blocks (see the module docstring)."""

    #: Seconds between two lines of one block.
    LINE_GAP: ClassVar[float] = 0.25
    #: Seconds of quiet after a block's speech before the scene goes on.
    PAUSE: ClassVar[float] = 0.4
    #: Longest caption, in characters (two subtitle lines of 42).
    CAPTION_CHARS: ClassVar[int] = 84
    #: The speech, for a scene that fixes its own; ``None`` reads the app's parameters.
    speech_params: ClassVar[SpeechParams | None] = None

    def setup(self) -> None:
        super().setup()
        given = self.speech_params
        self.speech: SpeechParams | None = given if given is not None else \
            SceneParams.from_env().speech
        self._spoken: list[SpokenLine] = []
        self._in_block = False

    @property
    def collecting(self) -> bool:
        """Whether this is the dry run that collects the lines (nothing is spoken)."""
        return self.speech is not None and self.speech.collect_to is not None

    def _clip(self, line: Line) -> SpeechClip:
        """The speech of ``line``: from the manifest, or its reading time when there is none."""
        if self.speech is None or self.speech.collect_to is not None:
            return SpeechClip(None, reading_time(line.caption), "none")
        clip = self.speech.clips.get(line.id)
        if clip is None:
            raise SpeechMissing(
                f"{type(self).__name__}: line {line.id} ({line.caption!r}) has no speech in "
                "the manifest; the scene said something its dry run did not")
        return clip

    # -- the clock ------------------------------------------------------------------------------

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Play, keeping the clock frame-exact when the animation is skipped or cached."""
        start = self.renderer.time
        super().play(*args, **kwargs)
        if self.renderer.skip_animations:
            dt = 1 / config.frame_rate
            duration = float(self.duration)
            if self.is_current_animation_frozen_frame():
                frames = int(duration / dt)
            else:
                frames = len(np.arange(0, duration, dt))
            self.renderer.time = start + frames * dt

    # -- narration ------------------------------------------------------------------------------

    @property
    def narration(self) -> NarrationLog:
        """Every line spoken so far, with its timing and audio."""
        voice = {} if self.speech is None else dict(self.speech.voice)
        return NarrationLog(type(self).__name__, voice, tuple(self._spoken))

    @property
    def lines(self) -> list[Line]:
        """Every line said so far, as the app's voices take them."""
        return [Line(s.scene, s.index, s.caption, s.text) for s in self._spoken]

    def _units(self, text: str, said: str | Sequence[str] | None) -> list[tuple[list[str], str]]:
        """The block's lines: (the captions that show it, what is said)."""
        sentences = split_sentences(text)
        if not sentences:
            raise ValueError("a voiceover needs something to say")
        if said is None:
            return [([chunk], spoken(chunk)) for sentence in sentences
                    for chunk in caption_chunks(sentence, self.CAPTION_CHARS)]
        words = split_sentences(said) if isinstance(said, str) else [str(s) for s in said]
        if len(words) != len(sentences):
            raise ValueError(f"the caption has {len(sentences)} sentences but the spoken text "
                             f"has {len(words)}: give one spoken sentence per written one")
        return [(caption_chunks(sentence, self.CAPTION_CHARS), w)
                for sentence, w in zip(sentences, words, strict=True)]

    @contextmanager
    def voiceover(self, text: str, spoken: str | Sequence[str] | None = None
                  ) -> Iterator[Tracker]:
        """Say ``text`` (shown as captions) over the animations played inside the block.

        Parameters
        ----------
        text
            The caption, written to be read; also what is said, through
            :func:`gdanim.speech.spoken`, unless ``spoken`` is given.
        spoken
            What to say instead: one sentence per sentence of ``text`` (a string, cut into
            sentences, or a sequence).

        Yields
        ------
        Tracker
            The block's clock: ``duration``, ``remaining``, ``time_until_line``.
        """
        if self._in_block:
            raise RuntimeError("voiceover blocks cannot be nested")
        t = start = self.time
        block: list[SpokenLine] = []
        for captions, said in self._units(text, spoken):
            line = Line(type(self).__name__, len(self._spoken), " ".join(captions), said)
            speech = self._clip(line)
            placed = SpokenLine(line.id, line.scene, line.index, line.caption, line.text,
                                start=t, duration=speech.duration,
                                wav=None if speech.wav is None else Path(speech.wav),
                                voice=speech.voice, fallback=speech.fallback)
            self._spoken.append(placed)
            block.append(placed)
            weights = np.array([len(c) for c in captions], dtype=float)
            bounds = t + speech.duration * np.concatenate([[0.0], np.cumsum(weights)]) / \
                weights.sum()
            for caption, a, b in zip(captions, bounds[:-1], bounds[1:], strict=True):
                self.add_subcaption(caption, duration=float(b - a), offset=float(a) - self.time)
            t = placed.end + self.LINE_GAP
        tracker = Tracker(self, start, block[-1].end, block)
        self._in_block = True
        try:
            yield tracker
        finally:
            self._in_block = False
        rest = tracker.end + self.PAUSE - self.time
        if rest >= 1 / config.frame_rate:
            self.wait(rest)

    # -- after the render -------------------------------------------------------------------------

    def render(self, preview: bool = False) -> bool:
        """Render; then write the collected lines (a dry run), or the narration beside the
        video."""
        result = super().render(preview)
        if self.speech is not None and self.speech.collect_to is not None:
            write_lines(self.lines, self.speech.collect_to)
            return result
        try:
            video = Path(self.renderer.file_writer.movie_file_path)
        except AttributeError:  # rendering to images only
            video = None
        if video is not None and video.exists():
            self.narration.to_file(narration_path(video))
        return result
