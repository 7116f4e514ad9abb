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
from typing import ClassVar

from manim import config

from scenes.params import Line, NarrationLog, SpeechParams, SpokenLine
from scenes.speaking import Narrator, SpeechMissing
from scenes.style import GDScene

__all__ = ["NarratedScene", "SpeechMissing", "Tracker"]


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
    """A scene narrated by a voice through :meth:`voiceover` blocks (see the module docstring).

    Every :class:`~scenes.style.GDScene` says its captions in a narrated render (through its
    :class:`~scenes.speaking.Narrator`); a narrated scene adds blocks whose animations are
    fitted to the speech with a :class:`Tracker`.
    """

    #: Seconds between two lines of one block.
    LINE_GAP: ClassVar[float] = Narrator.LINE_GAP
    #: Seconds of quiet after a block's speech before the scene goes on.
    PAUSE: ClassVar[float] = Narrator.PAUSE
    #: Longest caption, in characters (two subtitle lines of 42).
    CAPTION_CHARS: ClassVar[int] = Narrator.CAPTION_CHARS
    #: The clock is always frame-exact, silent or not.
    EXACT_CLOCK: ClassVar[bool] = True

    def setup(self) -> None:
        super().setup()
        self._in_block = False

    @property
    def speech(self) -> SpeechParams | None:
        """The speech parameters the scene was given (``None``: silent)."""
        return self.narrator.speech

    @property
    def collecting(self) -> bool:
        """Whether this is the dry run that collects the lines (nothing is spoken)."""
        return self.narrator.collecting

    @property
    def narration(self) -> NarrationLog:
        """Every line spoken so far, with its timing and audio."""
        return self.narrator.log

    @property
    def lines(self) -> list[Line]:
        """Every line said so far, as the app's voices take them."""
        return self.narrator.lines

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
        start = float(self.time)

        def show(line: str, seconds: float, at: float) -> None:
            self.add_subcaption(line, duration=seconds, offset=at - float(self.time))

        narrator = self.narrator
        if not narrator.speaking:
            # silent: a line lasts its caption's reading time, as in the dry run
            narrator = Narrator(narrator.scene, SpeechParams(collect_to=""))
            narrator.spoken = self.narrator.spoken
            narrator.busy_until = self.narrator.busy_until
        block, end = narrator.place(text, start, spoken, show=show)
        self.narrator.busy_until = end
        tracker = Tracker(self, block[0].start, end, block)
        self._in_block = True
        try:
            yield tracker
        finally:
            self._in_block = False
        rest = tracker.end + self.PAUSE - self.time
        if rest >= 1 / config.frame_rate:
            self.wait(rest)
