"""Pacing: captions that stay on screen long enough to be read aloud.

A caption is on screen for :func:`reading_time` of its text: about 15 characters a second, the
pace of speech, plus a short pause. :func:`say` starts one and returns the scene time at which it
ends; the animations under it play, and :func:`wait_until` holds the frame for whatever reading
time is left, so that the next caption never cuts the last one short.

Examples
--------
>>> reading_time("x" * 30)
2.3
"""

from __future__ import annotations

from typing import Any

__all__ = ["PAUSE", "READING_RATE", "reading_time", "say", "wait_until"]

#: Characters read aloud per second.
READING_RATE = 15.0
#: Seconds added to every caption (a breath between sentences).
PAUSE = 0.3


def reading_time(text: str) -> float:
    """Seconds needed to read ``text`` aloud: ``len(text) / READING_RATE + PAUSE``."""
    return round(len(text) / READING_RATE + PAUSE, 2)


def say(scene: Any, text: str, at_least: float = 0.0) -> float:
    """Show ``text`` as a caption for its reading time (or ``at_least``); return its end time."""
    duration = max(reading_time(text), at_least)
    scene.caption(text, duration)
    return float(scene.time) + duration


def wait_until(scene: Any, end: float, minimum: float = 0.0) -> None:
    """Hold the frame until scene time ``end`` (and for at least ``minimum`` seconds)."""
    rest = max(end - float(scene.time), minimum)
    if rest > 1e-3:
        scene.wait(rest)
