"""Marks and labels on a 2D contour map, shared by the saddle race and the optimizer cards.

* :func:`frame_of` and :func:`y_label_of`: the frame and the y-axis name that
  :func:`scenes.mobjects.map_axes` draws, read with a type check.
* :func:`cross_mark`: the small x that marks a saddle point or a minimum.
* :func:`inside_box`: whether a label sits inside a frame, clear of its edges.
* :func:`place_callout` and :func:`place_near`: put a label near a point of a path, inside the
  map's frame, off the paths and off the labels already placed. The race's callouts
  (:mod:`scenes.race`) search circles and stop at the first good ring; the cards' labels
  (:mod:`scenes.traits`) search flattened ellipses (1.6 times wider than high) and keep the best
  of them all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Line, Mobject, VGroup

from scenes.layout import clearance, overlap
from scenes.style import TEXT_COLOR

__all__ = [
    "cross_mark",
    "frame_of",
    "inside_box",
    "place_callout",
    "place_near",
    "y_label_of",
]


def frame_of(axes: Axes) -> Mobject:
    """The frame around the view of axes made by :func:`scenes.mobjects.map_axes`."""
    frame: object = axes.frame_box
    if not isinstance(frame, Mobject):
        raise TypeError("these axes have no frame_box; make them with scenes.mobjects.map_axes")
    return frame


def y_label_of(axes: Axes) -> Mobject:
    """The y-axis name of axes made by :func:`scenes.mobjects.map_axes`."""
    label: object = axes.y_label_mob
    if not isinstance(label, Mobject):
        raise TypeError("these axes have no y_label_mob; make them with scenes.mobjects.map_axes")
    return label


def cross_mark(centre: np.ndarray, half: float, width: float) -> VGroup:
    """An x of two strokes through ``centre``, each reaching ``half`` along both axes."""
    return VGroup(
        Line(centre + half * (LEFT + UP), centre + half * (RIGHT + DOWN)),
        Line(centre + half * (LEFT + DOWN), centre + half * (RIGHT + UP)),
    ).set_stroke(TEXT_COLOR, width)


def inside_box(label: Mobject, box: Mobject, margin: float = 0.05) -> bool:
    """Whether ``label`` lies inside ``box``, at least ``margin`` from each of its edges."""
    return bool(
        label.get_left()[0] > box.get_left()[0] + margin
        and label.get_right()[0] < box.get_right()[0] - margin
        and label.get_bottom()[1] > box.get_bottom()[1] + margin
        and label.get_top()[1] < box.get_top()[1] - margin
    )


def place_callout(
    label: Mobject, anchor: np.ndarray, avoid: np.ndarray, placed: list[Mobject], frame: Mobject
) -> None:
    """Put a callout label near ``anchor``: inside ``frame``, off the paths, off other labels.

    Candidates lie on circles of growing radius around ``anchor``, every 20 degrees; each scores
    ``10 min(c, 0.12) - r``, with ``c`` the label's clearance from the ``avoid`` points and ``r``
    the radius. The search stops at the first radius whose best score reaches ``1.2 - r``.
    """
    best: tuple[float, np.ndarray] | None = None
    for dist in (0.3, 0.45, 0.6, 0.8, 1.0, 1.25):
        for angle in np.deg2rad(np.arange(0, 360, 20)):
            pos = anchor + dist * np.array([math.cos(angle), math.sin(angle), 0.0])
            label.move_to(pos)
            if not inside_box(label, frame):
                continue
            if any(overlap(label, other) for other in placed):
                continue
            clear = min(clearance(label, avoid), 0.12)
            score = clear * 10 - dist
            if best is None or score > best[0] + 1e-9:
                best = (score, pos)
        if best is not None and best[0] >= 1.2 - dist:
            break
    label.move_to(best[1] if best is not None else anchor + UP * 0.3)


def place_near(
    label: Mobject, anchor: np.ndarray, avoid: np.ndarray, box: Mobject,
    others: Sequence[Mobject], distances: Sequence[float] = (0.25, 0.35, 0.5, 0.7, 0.9),
) -> None:
    """Put a label near ``anchor``, inside ``box``, clear of paths and other labels.

    Candidates lie on ellipses ``anchor + d (1.6 cos a, sin a)`` for each of ``distances``,
    every 15 degrees; each scores ``10 min(c, 0.25) - d``, with ``c`` the label's clearance from
    the ``avoid`` points. The best candidate of all wins.
    """
    best: tuple[float, np.ndarray] | None = None
    for dist in distances:
        for angle in np.deg2rad(np.arange(0, 360, 15)):
            pos = anchor + dist * np.array([np.cos(angle) * 1.6, np.sin(angle), 0.0])
            label.move_to(pos)
            if not inside_box(label, box) or any(overlap(label, o) for o in others):
                continue
            score = min(clearance(label, avoid), 0.25) * 10 - dist
            if best is None or score > best[0] + 1e-9:
                best = (score, pos)
    label.move_to(best[1] if best is not None else anchor + UP * 0.3)
