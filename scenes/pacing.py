"""Pacing: captions that stay on screen long enough to be read aloud.

Every scene of the lecture times its captions with this module, and only with it. A caption is
on screen for :func:`reading_time` of its text: its length at :data:`READING_RATE` characters a
second (:data:`gdanim.speech.READING_RATE`, the pace of speech, the same rate a silent narrated
line is given) plus a short :data:`PAUSE`. :func:`say` starts a caption and returns the scene time
at which it ends; the animations under it play, and :func:`wait_until` holds the frame for
whatever reading time is left, so that the next caption never cuts the last one short::

    end = say(self, "The minus sign turns the step around.")
    self.play(Create(box), run_time=0.8)
    wait_until(self, end)

Each caption is one sentence or a few whole ones, so that it could be spoken as it is.

Examples
--------
>>> reading_time("x" * 30)
2.05
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from manim import config

from gdanim.speech import READING_RATE

if TYPE_CHECKING:  # scenes.style needs nothing from here; the import is for the annotations
    from scenes.style import GDScene

__all__ = ["PAUSE", "READING_RATE", "reading_time", "say", "wait_until"]

#: Seconds added to every caption (a breath between sentences).
PAUSE = 0.05


def reading_time(text: str) -> float:
    """Seconds needed to read ``text`` aloud: ``len(text) / READING_RATE + PAUSE``, rounded up
    to the hundredth.

    Examples
    --------
    >>> reading_time("Part two: learning from data.")
    1.99
    """
    # rounded up to the hundredth, so that rounding never takes a caption below the rate
    return math.ceil(round((len(text) / READING_RATE + PAUSE) * 100, 6)) / 100


def say(scene: GDScene, text: str, at_least: float = 0.0) -> float:
    """Show ``text`` as a caption for its reading time (or ``at_least``); return its end time.

    In a narrated render the text is said (see :mod:`scenes.speaking`): the end is when its
    speech ends plus the narrator's pause, or ``at_least`` seconds from now if that is later.
    """
    duration = max(reading_time(text), at_least)
    start = float(scene.time)
    end = scene.caption(text, duration)
    if scene.narrator.speaking:
        return max(end + scene.narrator.PAUSE, start + at_least)
    return start + duration


def wait_until(scene: GDScene, end: float, minimum: float = 0.0) -> None:
    """Hold the frame until scene time ``end`` (and for at least ``minimum`` seconds).

    The scene clock moves in whole frames (a wait is rounded to the nearest frame), so the hold
    is rounded up to a whole number of frames: the clock never stops short of ``end``.
    """
    rest = max(end - float(scene.time), minimum)
    frames = math.ceil(rest * config.frame_rate - 1e-6)
    if frames > 0:
        scene.wait(frames / config.frame_rate)
