"""The lecture's pacing: every caption on screen long enough to be read aloud, and the whole
lecture within its length budget.

The timings come from the shared dry run of the lecture (:func:`lecture_timing`), the same
scene times and captions a real render has, without drawing a frame.
"""

from __future__ import annotations

from typing import Any

from scenes import catalog
from scenes.pacing import READING_RATE

Caption = tuple[float, float, str]

#: The longest the lecture may run without its mini-batch noise scene, in seconds: the first
#: lecture ran 442.6 s, and steepest descent, convexity and conditioning may add three minutes.
LECTURE_BUDGET = 630.0
#: The scene of mini-batch noise, added before the optimizers, has its own budget.
NOISE_SCENE = "GradientNoise"
NOISE_BUDGET = 50.0


def _shown(duration: float, caps: tuple[Caption, ...]) -> list[tuple[float, str]]:
    """Seconds each caption ``(start, end, text)`` of a scene ``duration`` seconds long is
    actually readable: until its end, the next caption's start or the end of the scene,
    whichever comes first."""
    shown = []
    for i, (start, end, text) in enumerate(caps):
        stop = min(end, duration)
        if i + 1 < len(caps):
            stop = min(stop, caps[i + 1][0])
        shown.append((stop - start, text))
    return shown


def test_the_dry_run_covers_the_whole_lecture(lecture_timing: list[Any]) -> None:
    assert [s.name for s in lecture_timing] == list(catalog.LECTURE)
    for scene in lecture_timing:
        assert scene.duration > 3.0, scene.name
        assert scene.captions, scene.name  # narrated throughout


def test_every_caption_is_shown_long_enough_to_read_aloud(
    lecture_timing: list[Any],
) -> None:
    too_fast = [
        (scene.name, round(len(text) / seconds, 1), text)
        for scene in lecture_timing
        for seconds, text in _shown(scene.duration, scene.captions)
        if seconds < len(text) / READING_RATE - 1e-6
    ]
    assert not too_fast, too_fast


def test_the_lecture_fits_its_length_budget(lecture_timing: list[Any]) -> None:
    total = sum(scene.duration for scene in lecture_timing if scene.name != NOISE_SCENE)
    assert total <= LECTURE_BUDGET, {s.name: round(s.duration, 1) for s in lecture_timing}
    noise = [scene.duration for scene in lecture_timing if scene.name == NOISE_SCENE]
    assert noise and noise[0] <= NOISE_BUDGET, noise


def test_the_readable_time_check_catches_a_caption_cut_short() -> None:
    text = "x" * 30  # needs 2 s at 15 characters a second
    need = len(text) / READING_RATE
    assert _shown(5.0, ((0.0, 2.1, text), (2.1, 4.0, "next")))[0][0] >= need
    # the next caption replaces it too early, or the scene ends under it
    assert _shown(5.0, ((0.0, 2.1, text), (1.5, 4.0, "next")))[0][0] < need
    assert _shown(1.8, ((0.0, 2.1, text),))[0][0] < need
