r"""Convexity: on a convex function every start ends at the same minimum; on a wavy one, not.

:class:`Convexity` runs gradient descent from six starts at once (one batched
:func:`gdanim.descend`) on :math:`f(x) = x^2` and on :math:`f(x) = x \cos(0.15 \pi x)` (the
catalog's ``wavy``), with the same rate and number of steps. On the parabola all six end at its
minimum; on the wavy curve they settle in three different valleys, named by
:func:`gdanim.analysis.nearest_minimum` against the catalog's minima, at three different heights.

Then why: a convex function lies above each of its tangent lines,
:math:`f(y) \ge f(x) + f'(x)(y - x)`, so where the tangent is flat, :math:`f'(x) = 0`, nothing
is lower and every flat spot is a global minimum. The wavy curve's flat tangent at its middle
valley cuts through the curve, with lower valleys beyond it.

Render with::

    manim -ql scenes/convexity.py Convexity
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Axes,
    Create,
    DashedLine,
    FadeIn,
    MathTex,
    Text,
    ValueTracker,
    VGroup,
    Write,
)

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from gdanim.trajectory import Trajectory
from scenes.mobjects import TrajectoryPath, to_scene
from scenes.pacing import say, wait_until
from scenes.style import (
    BACKGROUND,
    BODY_SIZE,
    END_COLOR,
    GREEN,
    LABEL_SIZE,
    MATH_SIZE,
    SKY,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    VERMILLION,
    GDScene,
    fmt,
    make_axes_1d,
    make_marker,
    make_tex,
    make_text,
    optimizer_color,
    plot_objective_1d,
    title,
)

__all__ = ["Convexity", "PanelSpec", "PanelView"]


@dataclass(frozen=True)
class PanelSpec:
    """One function of the comparison: catalog name, starts, axes ranges, tangent point."""

    objective: str
    starts: tuple[float, ...]
    x_range: tuple[float, float, float]
    y_range: tuple[float, float, float]
    #: Where the tangent line of the explanation touches the curve.
    tangent_at: float


@dataclass
class PanelView:
    """What a panel drew and computed, kept for tests."""

    spec: PanelSpec
    objective: objectives.Objective
    run: Trajectory
    #: Index into ``objective.minima`` of the valley each run ended in (-1: none).
    valleys: list[int]
    axes: Axes
    paths: list[TrajectoryPath]
    start_markers: VGroup
    end_markers: VGroup
    labels: VGroup
    tangent: DashedLine
    header: VGroup
    verdict: Text
    group: VGroup


class Convexity(GDScene):
    """Six starts on x^2 and six on the wavy curve: one minimum against three valleys.

    Attributes set by ``construct``: ``panels`` (the convex panel, then the wavy one, each a
    :class:`PanelView`) and ``convex_rule`` (the tangent inequality on screen).
    """

    LR = 0.2
    STEPS = 40
    #: Tolerance within which a run's end counts as at a minimum of the catalog.
    TOL = 1e-2
    PANELS: tuple[PanelSpec, PanelSpec] = (
        PanelSpec("parabola", (-4.5, -3.0, -1.5, 1.0, 2.5, 4.0), (-5.0, 5.0, 1.0),
                  (0.0, 25.0, 5.0), -3.0),
        PanelSpec("wavy", (-18.0, -10.0, -5.0, 0.0, 4.0, 11.0), (-20.0, 20.0, 5.0),
                  (-20.0, 20.0, 10.0), 7.269388146311475),
    )
    PANEL_SIZE = (5.9, 3.5)
    #: Scene y of the top of both panels' y-axes.
    AXES_TOP = 1.95
    #: Seconds the runs take to play.
    RUN_TIME = 3.0

    def construct(self) -> None:
        self.section("Convexity")
        heading = title("Where does descent end?")
        self.panels = [self._panel(spec, cx) for spec, cx in zip(self.PANELS, (-3.45, 3.45),
                                                                 strict=True)]
        convex, wavy = self.panels

        tracker = ValueTracker(0.0)
        for view in self.panels:
            for path in view.paths:
                path.tracker = tracker
                path.add_updater(lambda m: m.set_progress(m.tracker.get_value()))

        # ---- the runs
        n = len(convex.spec.starts)
        if len(wavy.spec.starts) == n:
            where = f"{_count(n).capitalize()} starts on each curve"
        else:
            where = (f"{_count(n).capitalize()} starts on x², {_count(len(wavy.spec.starts))} on "
                     f"{_spoken(wavy.objective.text)}")
        end = say(
            self,
            f"Does the start matter? {where}, {self.STEPS} steps each at η = {fmt(self.LR, 1)}.",
        )
        self.play(Write(heading), run_time=1.0)
        self.play(*(Create(v.axes) for v in self.panels),
                  *(FadeIn(v.header) for v in self.panels), run_time=1.2)
        self.play(*(FadeIn(v.start_markers, scale=0.5) for v in self.panels), run_time=0.6)
        self.add(*(p for v in self.panels for p in v.paths))
        self.play(tracker.animate.set_value(float(self.STEPS)), run_time=self.RUN_TIME,
                  rate_func=lambda t: 1 - (1 - t) ** 2)
        self.play(*(FadeIn(v.end_markers, scale=0.5) for v in self.panels), run_time=0.5)
        for view in self.panels:
            for path in view.paths:
                path.clear_updaters()
        wait_until(self, end)

        x_end = fmt(float(np.abs(convex.run.points[-1, :, 0]).max()), 3)
        end = say(self, f"On x² all {_count(n)} end at the same point, x = {x_end}.")
        self.play(FadeIn(convex.labels, shift=UP * 0.1), run_time=0.6)
        wait_until(self, end)

        heights = [h for _, h in self._valley_heights(wavy)]
        end = say(
            self,
            f"On the wavy curve they end in {_count(len(heights))} different valleys, at "
            f"f = {', '.join(heights)}: the start decides.",
        )
        self.play(FadeIn(wavy.labels, shift=UP * 0.1), run_time=0.6)
        wait_until(self, end)

        # ---- why: the tangent inequality
        rule = VGroup(
            make_text("convex:", font_size=BODY_SIZE, color=TEXT_COLOR),
            make_tex(r"f(y) \ge f(x) + f'(x)\,(y - x)", font_size=MATH_SIZE),
            make_text("for every x and y", font_size=BODY_SIZE, color=TEXT_COLOR),
        ).arrange(RIGHT, buff=0.3)
        flat = VGroup(
            make_tex(r"f'(x) = 0 \;\Rightarrow\; f(y) \ge f(x)", font_size=MATH_SIZE,
                     color=GREEN),
            make_text("for every y: a global minimum", font_size=BODY_SIZE, color=GREEN),
        ).arrange(RIGHT, buff=0.3)
        words = VGroup(rule, flat).arrange(DOWN, buff=0.28)
        words.to_edge(DOWN, buff=0.35)
        self.convex_rule = words
        end = say(
            self,
            "x² is convex: it never dips below its tangent lines, so every flat spot is a global "
            "minimum.",
        )
        self.play(Create(convex.tangent), Write(rule), FadeIn(convex.verdict), run_time=1.4)
        self.wait(1.5)
        self.play(Write(flat), run_time=1.2)
        wait_until(self, end)

        flat_height = _signed(float(wavy.objective.value(np.array([wavy.spec.tangent_at]))))
        lowest = _signed(float(wavy.run.values[-1].min()))
        end = say(
            self,
            f"The wavy curve is not convex: its flat tangent at f = {flat_height} cuts it, and "
            f"the valley at f = {lowest} lies lower.",
        )
        self.play(Create(wavy.tangent), FadeIn(wavy.verdict), run_time=1.2)
        wait_until(self, end, minimum=1.0)

    # ---- building blocks ---------------------------------------------------------------------

    def _panel(self, spec: PanelSpec, cx: float) -> PanelView:
        obj = objectives.get(spec.objective)
        starts = np.array(spec.starts)[:, None]
        opt = optimizers.sgd(lr=self.LR)
        run = cached_descend(obj, opt, starts, self.STEPS)
        valleys = analysis.nearest_minimum(run.points[-1], obj.minima, tol=self.TOL)

        axes = make_axes_1d(spec.x_range, spec.y_range, x_length=self.PANEL_SIZE[0],
                            y_length=self.PANEL_SIZE[1], numbers=False, x_label="x",
                            y_label=None)
        axes.move_to((cx, 0.0, 0.0))
        axes.shift(UP * (self.AXES_TOP - axes.y_axis.get_top()[1]))
        curve = plot_objective_1d(axes, obj, stroke_width=3)
        axes.add(curve)

        f_tex = MathTex("f(x) = " + obj.latex, font_size=LABEL_SIZE + 4, color=TEXT_COLOR)
        is_convex = spec.objective == "parabola"
        verdict = make_text("convex" if is_convex else "not convex", font_size=BODY_SIZE,
                            color=GREEN if is_convex else VERMILLION, weight="MEDIUM")
        row = VGroup(f_tex.copy(), verdict).arrange(RIGHT, buff=0.4)
        row.move_to((cx, self.AXES_TOP + 0.55, 0.0))
        f_tex.move_to(row[0])
        header = VGroup(f_tex)

        color = optimizer_color(opt)
        paths: list[TrajectoryPath] = []
        starts_v, ends_v = VGroup(), VGroup()
        for k in range(starts.shape[0]):
            pts = to_scene(axes, np.c_[run.points[:, k, 0], run.values[:, k]])
            path = TrajectoryPath(pts, color, width=3.0, casing=2.0, head="dot",
                                  head_size=0.13, progress=0.0)
            path.set_z_index(1)
            paths.append(path)
            starts_v.add(make_marker(pts[0], START_COLOR, radius=0.08).set_z_index(2))
            ends_v.add(make_marker(pts[-1], END_COLOR, radius=0.09).set_z_index(3))

        labels = VGroup()
        if spec.objective == "parabola":
            x_shown = fmt(float(np.abs(run.points[-1, :, 0]).max()), 3)
            label = make_text(f"all {starts.shape[0]} end at x = {x_shown}", font_size=SMALL_SIZE,
                              color=END_COLOR)
            label.next_to(axes.x_axis, DOWN, buff=0.2)
            labels.add(label)
        tangent = self._tangent(axes, obj, spec)
        if spec.objective != "parabola":
            # each valley's height under it, with a halo where it crosses an axis line
            for k, (_, text) in self._heights(obj, run, valleys):
                x_end = float(run.points[-1, k, 0])
                label = make_text(f"f = {text}", font_size=SMALL_SIZE, color=END_COLOR)
                label.set_stroke(BACKGROUND, width=5, background=True)
                label.next_to(axes.c2p(x_end, float(run.values[-1, k])), DOWN, buff=0.24)
                labels.add(label)
        labels.set_z_index(4)
        group = VGroup(axes, header, *paths, starts_v, ends_v, labels, tangent, verdict)
        return PanelView(spec, obj, run, valleys, axes, paths, starts_v, ends_v, labels,
                         tangent, header, verdict, group)

    def _heights(
        self, obj: objectives.Objective, run: Trajectory, valleys: list[int]
    ) -> list[tuple[int, tuple[int, str]]]:
        """One run per valley reached (the first), with the valley's height as shown."""
        seen: dict[int, int] = {}
        for k, v in enumerate(valleys):
            if v >= 0 and v not in seen:
                seen[v] = k
        return [(k, (v, _signed(float(run.values[-1, k]))))
                for v, k in sorted(seen.items())]

    def _valley_heights(self, view: PanelView) -> list[tuple[int, str]]:
        """``(valley index, height as shown)`` for every valley the runs reached, left to right."""
        return [h for _, h in self._heights(view.objective, view.run, view.valleys)]

    def _tangent(self, axes: Axes, obj: objectives.Objective, spec: PanelSpec) -> DashedLine:
        """The tangent line at ``spec.tangent_at``, cut to the axes' box."""
        x0 = spec.tangent_at
        y0 = float(obj.value(np.array([x0])))
        slope = float(obj.grad(np.array([x0]))[0])
        lo, hi = spec.x_range[0], spec.x_range[1]
        ylo, yhi = spec.y_range[0], spec.y_range[1]
        xs = [lo, hi]
        if slope != 0.0:
            # where the line leaves the box through its bottom or top edge
            cuts = [(ylo - y0) / slope + x0, (yhi - y0) / slope + x0]
            xs = [max(lo, min(cuts)), min(hi, max(cuts))]
        a = axes.c2p(xs[0], y0 + slope * (xs[0] - x0))
        b = axes.c2p(xs[1], y0 + slope * (xs[1] - x0))
        line = DashedLine(a, b, color=SKY, stroke_width=3, dash_length=0.1)
        line.set_z_index(0)
        return line


def _signed(value: float) -> str:
    """A height as shown: two decimals and a true minus sign."""
    return fmt(value, 2).replace("-", "\u2212")


def _spoken(text: str) -> str:
    """An objective's text for a caption: ``x*cos(0.15*pi*x)`` -> ``x cos(0.15πx)``."""
    return text.replace("*pi*", "\u03c0").replace("**2", "\u00b2").replace("*", " ")


def _count(n: int) -> str:
    """A small count in words (``3`` -> ``three``)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
    return words[n] if 0 <= n < len(words) else str(n)

