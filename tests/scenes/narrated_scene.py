"""A small narrated scene for the tests (not part of the lecture).

Three narrated blocks over a few steps of gradient descent on a parabola: one whose animation
lasts as long as its speech, one whose animation is shorter (the block waits for the speech),
and one whose animation outlasts its speech by two seconds; with a plain wait of 1.5 s between
the first two, so the soundtrack has gaps longer than a second to check for silence.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Create, FadeIn, Write

from gdanim import objectives, optimizers
from gdanim.cache import cached_descend
from scenes.narration import NarratedScene
from scenes.style import (
    CURVE_COLOR,
    START_COLOR,
    TITLE_SIZE,
    make_axes_1d,
    make_marker,
    make_text,
)

__all__ = ["NarratedDemo", "SCRIPT"]

#: What the scene says, block by block (the captions, as written).
SCRIPT = (
    "Gradient descent on f(x) = x², from x = 4.000.",
    "The learning rate is η = 0.25. Each step subtracts η·f'(x) from x.",
    "After 3 steps, x is 0.500.",
)


class NarratedDemo(NarratedScene):
    """Three narrated blocks over three steps of gradient descent on x² (learning rate 0.25)."""

    def construct(self) -> None:
        self.section("Demo")
        f = objectives.get("parabola")
        run = cached_descend(f, optimizers.sgd(lr=0.25), [4.0], 3)
        xs = run.points[:, 0]
        axes = make_axes_1d((-5, 5, 1), (0, 25, 5), x_length=8.0, y_length=4.0)
        axes.to_edge(DOWN, buff=0.5)
        curve = axes.plot(lambda x: float(x) ** 2, x_range=[-5, 5], color=CURVE_COLOR)
        heading = make_text("A narrated test", font_size=TITLE_SIZE).to_edge(UP, buff=0.4)
        dot = make_marker(axes.c2p(xs[0], xs[0] ** 2), START_COLOR, radius=0.12)

        with self.voiceover(SCRIPT[0]) as tracker:
            self.play(Write(heading), Create(axes), Create(curve), run_time=tracker.duration)
        self.wait(1.5)
        with self.voiceover(SCRIPT[1]):
            self.play(FadeIn(dot), run_time=1.0)
        with self.voiceover(SCRIPT[2]) as tracker:
            per_step = (tracker.duration + 2.0) / 3
            for x in xs[1:]:
                self.play(dot.animate.move_to(axes.c2p(float(x), float(x) ** 2)),
                          run_time=per_step)
        self.wait(0.5)
        assert np.isclose(xs[-1], 0.5)
