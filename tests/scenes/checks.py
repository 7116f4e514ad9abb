"""Checks shared by the scene tests: captions readable and in order, everything inside the frame.

Each scene test module renders its scenes once per session (``rendered``) and asserts what they
say; these are the assertions every scene must pass whatever it shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Scene, VMobject, config

from scenes.pacing import READING_RATE


def captions(scene: Scene) -> list[tuple[str, float, float]]:
    """The scene's captions as ``(text, start, end)`` in seconds, in the order added."""
    writer: Any = scene.renderer.file_writer
    return [(str(s.content), s.start.total_seconds(), s.end.total_seconds())
            for s in writer.subcaptions]


def assert_captions_readable(scene: Scene, least: int = 3) -> None:
    """At least ``least`` captions; each on screen for its length at 15 characters a second;
    none overlapping the next; the last one ended by the end of the scene."""
    caps = captions(scene)
    assert len(caps) >= least
    for (text, start, end), nxt in zip(caps, [*caps[1:], None], strict=True):
        assert end - start >= len(text) / READING_RATE - 1e-6, (text, end - start)
        if nxt is not None:
            assert end <= nxt[1] + 1e-6
    assert caps[-1][2] <= scene.renderer.time + 1e-6


def assert_inside_frame(scene: Scene, pad: float = 0.02) -> None:
    """Every visible shape of the scene's last frame lies inside the frame (``pad`` units of
    slack); value trackers and fully transparent shapes are never drawn, so they do not count."""
    half_w, half_h = config.frame_width / 2 + pad, config.frame_height / 2 + pad
    for top in scene.mobjects:
        for mob in top.family_members_with_points():
            if not isinstance(mob, VMobject):
                continue
            opacities = np.concatenate([mob.get_fill_opacities(), mob.get_stroke_opacities()])
            if not np.any(opacities > 0):
                continue
            lo, hi = mob.get_corner([-1, -1, 0]), mob.get_corner([1, 1, 0])
            assert -half_w <= lo[0] and hi[0] <= half_w, f"{type(mob).__name__} leaves in x"
            assert -half_h <= lo[1] and hi[1] <= half_h, f"{type(mob).__name__} leaves in y"
