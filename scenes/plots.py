"""Small framed plots for the noise, schedule and tuning scenes: linear or log axes, curves.

A :class:`PlotAxes` is a thin frame with ticks on its bottom and left edges (the look of
:func:`scenes.mobjects.map_axes`), whose coordinates may be logarithmic on either axis: points
are given in data units and mapped through ``log10`` where the axis is logarithmic. Everything
here draws arrays that gdanim computed.

Examples
--------
>>> axes = PlotAxes((1e-4, 10.0), (1.0, 500.0), width=3.0, height=2.0, x_log=True, y_log=True,
...                 x_ticks=[1e-4, 1e-2, 1.0], y_ticks=[1.0, 10.0, 100.0])
>>> [tick_label(v) for v in (1e-4, 0.01, 1.0, 10.0, 500.0)]
['10\u207b\u2074', '0.01', '1', '10', '500']
>>> bool(abs(axes.c2p(1.0, 10.0)[0] - axes.c2p(1e-4, 10.0)[0] - 3.0 * 4 / 5) < 1e-9)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, DashedVMobject, Line, Mobject, VGroup, VMobject

from scenes.mobjects import framed_axes
from scenes.style import AXIS_COLOR, BACKGROUND, MUTED_TEXT, TICK_SIZE, make_text

__all__ = ["PlotAxes", "growing", "polyline", "superscript", "tick_label"]

_SUPERSCRIPTS = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                                             "\u2077\u2078\u2079")


def superscript(text: str) -> str:
    """Digits and minus signs as Unicode superscripts: ``"-4"`` -> ``"⁻⁴"``."""
    return text.translate(_SUPERSCRIPTS)


def tick_label(value: float) -> str:
    """A tick number: ``10⁻⁴`` below 0.001, else as short as it is exact (``0.01``, ``500``).

    A true minus sign for negative numbers.
    """
    v = float(value)
    if v != 0 and abs(v) < 1e-3:
        exponent = int(round(np.log10(abs(v))))
        if np.isclose(abs(v), 10.0**exponent):
            return ("\u2212" if v < 0 else "") + "10" + superscript(str(exponent))
    text = f"{v:,.6g}" if abs(v) >= 1e4 else f"{v:.6g}"
    return text.replace("-", "\u2212")


class PlotAxes(VGroup):
    """A framed plot over ``x_range`` x ``y_range`` (data units), linear or log per axis.

    Parameters
    ----------
    x_range, y_range
        ``(low, high)`` in data units (positive for a log axis).
    width, height
        Size of the frame in scene units.
    x_ticks, y_ticks
        Tick positions in data units (numbered with :func:`tick_label` unless ``*_labels``).
    x_log, y_log
        Logarithmic axes.
    x_label, y_label
        Axis names (plain text): ``x_label`` under the right end of the bottom edge, below the
        tick numbers; ``y_label`` above the left edge.
    x_labels, y_labels
        Tick texts replacing the numbers.
    tick_size
        Font size of the tick numbers.
    x_numbers, y_numbers
        Whether to number the ticks (the tick marks are drawn either way).

    Attributes
    ----------
    axes : Axes
        The underlying axes, in transformed (``log10``) coordinates.
    frame_box : Rectangle
        The frame.
    """

    def __init__(
        self,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        *,
        width: float,
        height: float,
        x_ticks: Sequence[float] = (),
        y_ticks: Sequence[float] = (),
        x_log: bool = False,
        y_log: bool = False,
        x_label: str | None = None,
        y_label: str | None = None,
        x_labels: Sequence[str] | None = None,
        y_labels: Sequence[str] | None = None,
        tick_size: float = TICK_SIZE * 0.8,
        x_numbers: bool = True,
        y_numbers: bool = True,
    ) -> None:
        super().__init__()
        self.x_log, self.y_log = x_log, y_log
        x0, x1 = (self._tx(v) for v in x_range)
        y0, y1 = (self._ty(v) for v in y_range)
        self.axes: Axes = framed_axes((x0, x1, y0, y1), width, height,
                                      (max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)))
        frame: Any = self.axes.frame_box
        self.frame_box: Any = frame
        self.add(self.axes, frame)
        self.x_tick_labels = VGroup()
        self.y_tick_labels = VGroup()
        for i, v in enumerate(x_ticks):
            p = self.c2p(v, y_range[0])
            tick = Line(p, p + DOWN * 0.07, stroke_color=AXIS_COLOR, stroke_width=1.5)
            self.add(tick)
            if not x_numbers:
                continue
            text = x_labels[i] if x_labels is not None else tick_label(v)
            num = make_text(text, font_size=tick_size, color=MUTED_TEXT)
            num.next_to(tick, DOWN, buff=0.05)
            self.x_tick_labels.add(num)
        for i, v in enumerate(y_ticks):
            p = self.c2p(x_range[0], v)
            tick = Line(p, p + LEFT * 0.07, stroke_color=AXIS_COLOR, stroke_width=1.5)
            self.add(tick)
            if not y_numbers:
                continue
            text = y_labels[i] if y_labels is not None else tick_label(v)
            num = make_text(text, font_size=tick_size, color=MUTED_TEXT)
            num.next_to(tick, LEFT, buff=0.05)
            self.y_tick_labels.add(num)
        self.add(self.x_tick_labels, self.y_tick_labels)
        self.x_label: Mobject | None = None
        self.y_label: Mobject | None = None
        if x_label is not None:
            xl = make_text(x_label, font_size=tick_size, color=MUTED_TEXT)
            below: Any = self.x_tick_labels if len(self.x_tick_labels) else frame
            xl.next_to(below, DOWN, buff=0.06).align_to(frame, RIGHT)
            self.x_label = xl
            self.add(xl)
        if y_label is not None:
            yl = make_text(y_label, font_size=tick_size, color=MUTED_TEXT)
            yl.next_to(frame, UP, buff=0.08).align_to(frame, LEFT)
            self.y_label = yl
            self.add(yl)

    def _tx(self, v: Any) -> Any:
        return np.log10(v) if self.x_log else v

    def _ty(self, v: Any) -> Any:
        return np.log10(v) if self.y_log else v

    def c2p(self, x: float, y: float) -> np.ndarray:
        """The scene point of one data point."""
        point: np.ndarray = self.points_of(np.array([x]), np.array([y]))[0]
        return point

    def points_of(self, xs: Any, ys: Any) -> np.ndarray:
        """Scene points ``(n, 3)`` of data points (vectorised; the axes' affine map)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            tx = np.asarray(self._tx(np.asarray(xs, dtype=np.float64)), dtype=np.float64)
            ty = np.asarray(self._ty(np.asarray(ys, dtype=np.float64)), dtype=np.float64)
        o = np.asarray(self.axes.c2p(0.0, 0.0))
        ex = np.asarray(self.axes.c2p(1.0, 0.0)) - o
        ey = np.asarray(self.axes.c2p(0.0, 1.0)) - o
        out: np.ndarray = o + tx[:, None] * ex + ty[:, None] * ey
        return out

    def curve(
        self,
        xs: Any,
        ys: Any,
        color: Any,
        *,
        width: float = 3.0,
        opacity: float = 1.0,
        clip: bool = True,
        dashed: bool = False,
    ) -> VMobject:
        """A polyline through the data points (non-finite ones dropped, values clipped to the
        frame when ``clip``)."""
        pts = self.points_of(xs, ys)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        if clip and len(pts):
            frame = self.frame_box
            pts[:, 0] = np.clip(pts[:, 0], frame.get_left()[0], frame.get_right()[0])
            pts[:, 1] = np.clip(pts[:, 1], frame.get_bottom()[1], frame.get_top()[1])
        line = polyline(pts, color, width=width, opacity=opacity)
        if dashed:
            dashes = DashedVMobject(line, num_dashes=max(8, int(line.get_arc_length() / 0.12)))
            dashes.set_stroke(color, width=width, opacity=opacity)
            return dashes
        return line


def polyline(
    points: np.ndarray, color: Any, *, width: float = 3.0, opacity: float = 1.0,
    casing: float = 0.0,
) -> VMobject:
    """Straight segments through scene points ``(n, 3)``; a dark casing underneath if asked."""
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 2:
        pts = np.vstack([pts, pts]) if len(pts) else np.zeros((2, 3))
    line = VMobject(stroke_color=color, stroke_width=width)
    line.set_points_as_corners(pts)
    line.set_stroke(opacity=opacity)
    if casing > 0:
        line.set_stroke(BACKGROUND, width=width + casing, background=True, opacity=0.9)
    return line


def growing(line_points: np.ndarray, fraction: Callable[[], float]) -> Callable[[Mobject], None]:
    """An updater drawing the first ``fraction()`` of a polyline's points (for live curves)."""
    pts = np.asarray(line_points, dtype=np.float64)

    def update(mob: Mobject) -> None:
        k = int(np.clip(round(fraction() * (len(pts) - 1)), 1, len(pts) - 1))
        mob.set_points_as_corners(pts[: k + 1])

    return update
