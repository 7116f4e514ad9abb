"""The title card of a custom video of several scenes.

::

    manim -ql scenes/custom/title.py CustomTitle
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Line, VGroup, Write, config

from scenes.custom.common import custom_params, fit_width
from scenes.params import TitleParams
from scenes.style import BODY_SIZE, MUTED_TEXT, ORANGE, TITLE_SIZE, GDScene, make_text

__all__ = ["DEMO", "CustomTitle"]

#: What the card shows when rendered on its own.
DEMO = TitleParams(title="Gradient descent, your way")


class CustomTitle(GDScene):
    """A title card: the video's title and, if the scenes have titles, what comes."""

    def construct(self) -> None:
        p = custom_params(self, TitleParams, demo=DEMO)
        self.section("Title")
        heading = make_text(p.title, font_size=TITLE_SIZE * 1.25, weight="MEDIUM")
        fit_width(heading, config.frame_width - 1.5)
        rule = Line(LEFT, RIGHT, stroke_color=ORANGE, stroke_width=4)
        rule.set_width(min(heading.width, 6.0))
        items = [s for s in p.scenes if s]
        agenda = VGroup(*[
            make_text(f"{i}.  {s}", font_size=BODY_SIZE * 0.9, color=MUTED_TEXT)
            for i, s in enumerate(items, start=1)
        ])
        if items:
            agenda.arrange(DOWN, aligned_edge=LEFT, buff=0.22)
            fit_width(agenda, config.frame_width - 2.0)
        group = VGroup(heading, rule, agenda) if items else VGroup(heading, rule)
        group.arrange(DOWN, buff=0.45).move_to(np.array([0.0, 0.2, 0.0]))
        self.caption(p.title, 3.0)
        self.play(Write(heading), run_time=1.2)
        self.play(Create(rule), *(FadeIn(a, shift=UP * 0.1) for a in agenda), run_time=0.8)
        self.wait(1.6 if items else 1.0)
        self.play(FadeOut(group), run_time=0.6)
