"""The layered 2D camera draws the frames manim would draw, with less drawing.

A small scene puts a live dot (an updater) before a long run of labels, so that manim redraws
the labels on every frame; it also changes one label from the dot's updater (behind manim's
back), takes a label out of its group halfway, and plays a scene-level updater for a while.
Every frame of it is compared with the same scene drawn by manim's own capture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Create,
    Dot,
    Mobject,
    Square,
    Text,
    VGroup,
)
from manim.renderer.cairo_renderer import CairoRenderer

from scenes import layers
from scenes.layers import LayeredCamera, fingerprint, live_mobjects
from scenes.style import GDScene


class _Busy(GDScene):
    def construct(self) -> None:
        backdrop = VGroup(*(Square(0.4).shift(0.5 * k * RIGHT + 3 * LEFT) for k in range(12)))
        dot = Dot(2 * LEFT + UP)
        labels = VGroup(*(Text(f"row {k}", font_size=20).shift(0.35 * k * DOWN + 2 * RIGHT)
                          for k in range(12)))
        moved = labels[3]

        def drift(m: Mobject, dt: float) -> None:
            m.shift(1.2 * dt * RIGHT)
            if m.get_x() > -1:  # another mobject, changed from this updater
                moved.set_color("#e69f00")

        dot.add_updater(drift)
        self.add(backdrop, dot, labels)
        self.wait(0.6)  # a wait with an updater: every frame redrawn
        self.play(Create(Circle(0.5).shift(DOWN)), run_time=0.8)
        labels.remove(labels[-1])  # a label leaves its group: the layer must follow
        self.play(labels[0].animate.shift(0.3 * UP), run_time=0.5)
        self.add_updater(lambda dt: None)  # a scene updater may change anything: no layers
        self.wait(0.3)


Render = Callable[..., tuple[Any, np.ndarray]]


def _frames(render_scene: Render, layered: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[
        list[np.ndarray], int]:
    """Every frame of ``_Busy`` at 320x180, and how many VMobjects were drawn directly."""
    frames: list[np.ndarray] = []
    drawn = [0]

    real_add = CairoRenderer.add_frame

    def add_frame(self: CairoRenderer, frame: np.ndarray, num_frames: int = 1) -> None:
        frames.extend([frame[..., :3].copy()] * num_frames)
        real_add(self, frame, num_frames)

    real_display = LayeredCamera.display_vectorized

    def counting(self: LayeredCamera, vmobject: Any, ctx: Any) -> Any:
        drawn[0] += 1
        return real_display(self, vmobject, ctx)

    with monkeypatch.context() as patch:
        patch.setattr(CairoRenderer, "add_frame", add_frame)
        patch.setattr(LayeredCamera, "display_vectorized", counting)
        if not layered:
            patch.setattr(LayeredCamera, "plan", lambda self, moving, live: None)
        scene, _ = render_scene(_Busy, skip_animations=False, pixel_width=320,
                                pixel_height=180)
        assert isinstance(scene.renderer.camera, LayeredCamera)
    return frames, drawn[0]


def test_layered_frames_are_manims_frames_with_less_drawing(
        render_scene: Render, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, ours_drawn = _frames(render_scene, True, monkeypatch)
    theirs, theirs_drawn = _frames(render_scene, False, monkeypatch)
    assert len(ours) == len(theirs) > 20
    worst = max(int(np.abs(a.astype(np.int16) - b).max()) for a, b in zip(ours, theirs,
                                                                          strict=True))
    assert worst <= 2, f"a layered frame differs from manim's by {worst} levels"
    # the scene does change what the layers hold (the recoloured label, the label taken out)
    assert not np.array_equal(theirs[0], theirs[-1])
    assert ours_drawn < 0.5 * theirs_drawn, (ours_drawn, theirs_drawn)


def test_live_mobjects_are_the_animated_the_updated_and_the_foreground() -> None:
    from manim import AnimationGroup, FadeIn

    a, b, c, d = Square(), Circle(), Dot(), Dot()
    group = VGroup(a, b)
    c.add_updater(lambda m: None)
    live = live_mobjects([AnimationGroup(FadeIn(group))], [group, a, b, c, d], [])
    assert {id(group), id(a), id(b), id(c)} <= live and id(d) not in live
    assert id(d) in live_mobjects([], [d], [d])


def test_the_fingerprint_sees_every_change_that_changes_pixels() -> None:
    base = Square()
    changes: list[Callable[[Square], object]] = [
        lambda m: m.shift(0.001 * UP),
        lambda m: m.set_fill(opacity=0.5),
        lambda m: m.set_stroke(width=7),
        lambda m: m.set_stroke(color="#ff0000"),
        lambda m: m.set_stroke(width=9, background=True),
        lambda m: m.set_sheen(0.3),
    ]
    for change in changes:
        other = Square()
        change(other)
        assert fingerprint(other) != fingerprint(base)
    assert fingerprint(Square()) == fingerprint(base)


def test_only_the_planned_list_is_layered() -> None:
    assert layers.LayeredCamera.MIN_RUN > 1
    camera = LayeredCamera()
    squares: list[Mobject] = [Square().shift(0.1 * k * RIGHT) for k in range(20)]
    camera.plan(list(squares), set())
    camera.capture_mobjects(list(squares))  # a list of its own: drawn as manim draws it
    assert camera._layers == {}
