"""Gradient descent on a function of x: one panel of arrow-traced steps per learning rate.

:class:`CustomDescent1D` is what ``gdanim descend`` renders for a function of one variable
(a function of two variables gets :class:`scenes.custom.maps.CustomDescent2D`). Rendered on its
own it plays :data:`DEMO`::

    manim -ql scenes/custom/descend.py CustomDescent1D
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedVMobject,
    FadeIn,
    GrowArrow,
    MathTex,
    Mobject,
    ValueTracker,
    VGroup,
    Write,
    config,
    linear,
)

from gdanim import objectives
from gdanim.objectives import Objective
from scenes.custom.common import (
    cross,
    custom_params,
    fit_width,
    make_runs,
    plain,
    race_time,
    step_counter,
    user_captions,
    value_format,
    warp,
)
from scenes.custom.maps import MapScene
from scenes.layout import overlap
from scenes.mobjects import FastNumber, step_arrow
from scenes.params import DescentParams, PathParams
from scenes.runs import Run, verdict
from scenes.steps1d import eta_tex
from scenes.style import (
    DIVERGED_COLOR,
    END_COLOR,
    LABEL_SIZE,
    MATH_SIZE,
    MUTED_TEXT,
    SMALL_SIZE,
    START_COLOR,
    GDScene,
    fmt,
    make_axes_1d,
    make_legend,
    make_marker,
    make_tex,
    make_text,
    nice_range,
    nice_step,
    optimizer_color,
    plot_objective_1d,
    title,
)

__all__ = ["DEMO", "DEMO_2D", "TICK", "CustomDescent1D", "CustomDescent2D", "Panel", "tick_step"]

#: Tick label size of the panels.
TICK = 22
#: What the scene shows when rendered on its own.
DEMO = DescentParams(function="wavy", start=(15.0,), steps=10, lrs=(0.1, 3.0),
                     view=(-20.0, 20.0))
#: What :class:`CustomDescent2D` shows when rendered on its own.
DEMO_2D = DescentParams(function="cubic_bowl", start=(-1.8, 1.8), steps=60, lrs=(0.05, 0.2),
                        view=(-3.0, 3.0, -3.0, 3.0))


def tick_step(lo: float, hi: float, target: int) -> float:
    """A 1-2-2.5-5 tick step of which ``lo`` is a multiple, giving about ``target`` ticks."""
    span = hi - lo
    best: tuple[float, float] | None = None
    mag = 10.0 ** math.floor(math.log10(span))
    for scale in (mag / 100, mag / 10, mag, mag * 10):
        for m in (1.0, 2.0, 2.5, 5.0):
            step = m * scale
            if abs(lo / step - round(lo / step)) > 1e-9:
                continue
            score = abs(math.log((span / step) / target))
            if best is None or score < best[0]:
                best = (score, step)
    return best[1] if best is not None else nice_step(span, target)


@dataclass
class Panel:
    """One learning rate's panel: its run, axes, arrows, marks and words."""

    run: Run
    axes: Any
    arrows: list[Arrow]
    visits: Sequence[Mobject]
    head: Mobject
    start_marker: Mobject
    end_marker: Mobject | None
    diverged: VGroup | None
    header: Mobject
    readout: VGroup
    verdict: Mobject
    verdict_text: str


class CustomDescent1D(GDScene):
    """Gradient descent on :math:`f(x)`: one arrow per step, a panel per learning rate.

    Attributes for tests: ``runs`` (one :class:`Run` per rate), ``panels`` and
    ``step_arrows`` (every arrow drawn, one per step up to :attr:`ARROW_CAP` per run).
    """

    #: Steps drawn as arrows per run; later steps only move the marker.
    ARROW_CAP = 200
    #: Steps played one by one before the rest play in one sweep.
    ONE_BY_ONE = 12

    def construct(self) -> None:
        p = custom_params(self, DescentParams, demo=DEMO)
        f = objectives.resolve(p.function)
        view = tuple(float(v) for v in p.view)
        steps = int(p.steps)
        self.runs = make_runs(f, p.optimizer_params(), p.start, steps, view, descent=True)
        n = len(self.runs)
        name = p.title or f"Gradient descent on f(x) = {plain(f)}"
        self.section(name)

        for run in self.runs:  # every panel is plain gradient descent: SGD's colour
            run.color = optimizer_color("SGD")

        # top line: the title on the left, the legend and the step counter on the right
        tracker = ValueTracker(0.0)
        counter = step_counter(steps, tracker)
        legend = make_legend([("start", START_COLOR), ("end", END_COLOR)], direction=RIGHT,
                             buff=0.4)
        legend.next_to(counter, LEFT, buff=0.6).match_y(counter)
        if p.title:
            heading = title(p.title)
            formula = make_tex(f"f(x) = {f.latex}", font_size=MATH_SIZE * 0.85)
        else:
            heading = title("Gradient descent on", math=f"f(x) = {f.latex}")
            formula = None
        room = legend.get_left()[0] - 0.5 - (-config.frame_width / 2 + 0.5)
        fit_width(heading, room)
        heading.to_edge(LEFT, buff=0.5)
        top_block = VGroup(heading)
        if formula is not None:
            fit_width(formula, config.frame_width - 1.0)
            formula.next_to(heading, DOWN, buff=0.2, aligned_edge=LEFT)
            top_block.add(formula)

        ys = np.linspace(view[0], view[1], 801)
        with np.errstate(all="ignore"):
            fv = np.asarray(f.value(ys[:, None]), dtype=np.float64)
        # the curve where f is defined, and every value a run reached (f may fall away steeply
        # between two samples, as log(x) does near 0)
        fv = np.concatenate([fv, *(r.values for r in self.runs)])
        fv = fv[np.isfinite(fv)]
        y_lo, y_hi, y_step = nice_range(float(fv.min()), float(fv.max()), target_ticks=5)
        top = top_block.get_bottom()[1] - 0.35
        bottom = -config.frame_height / 2 + 1.5  # room for the readout and the verdict
        width_total = config.frame_width - 0.9
        col = width_total / n
        panel_w = min(col - 0.75, 9.5 if n == 1 else 6.0)
        axes_top = top - 0.75  # room for the learning rate above each panel
        panel_h = min(axes_top - bottom, 4.8)
        cy = axes_top - panel_h / 2
        self.panels: list[Panel] = []
        self.step_arrows: list[Arrow] = []
        for i, run in enumerate(self.runs):
            cx = -width_total / 2 + col * (i + 0.5)
            self.panels.append(self._panel(f, run, view, (y_lo, y_hi, y_step), cx, cy,
                                           panel_w, panel_h, n, tracker))

        # ---- play ------------------------------------------------------------------------------
        intro_time, outro_time = 2.6, 3.2
        one_by_one = min(steps, self.ONE_BY_ONE)
        step_time = float(np.clip(5.0 / max(one_by_one, 1), 0.3, 0.6))
        sweep = race_time(steps) * 0.6 if steps > one_by_one else 0.0
        total = intro_time + one_by_one * step_time + sweep + outro_time
        rates = ", ".join(fmt(r.lr, 3) for r in self.runs)
        x0 = fmt(float(p.start[0]), 3)
        if not user_captions(self, p.captions, total):
            self.caption(
                f"Gradient descent on f(x) = {plain(f)} from x = {x0}, learning rate"
                f"{'s' if n > 1 else ''} {rates}: each arrow is one step, x minus eta times "
                "f'(x).", intro_time + 2.0,
            )
        self.play(Write(heading), *(Write(m) for m in top_block[1:]), run_time=1.0)
        self.play(
            *(Create(pn.axes) for pn in self.panels),
            *(FadeIn(pn.header) for pn in self.panels),
            FadeIn(legend), FadeIn(counter),
            run_time=1.0,
        )
        self.play(*(FadeIn(pn.start_marker, scale=0.4) for pn in self.panels),
                  *(FadeIn(pn.readout) for pn in self.panels), run_time=0.6)
        for pn in self.panels:
            self.add(pn.head)

        for t in range(one_by_one):
            anims: list[Any] = [tracker.animate.set_value(t + 1)]
            for pn in self.panels:
                if t < len(pn.arrows):
                    anims.append(GrowArrow(pn.arrows[t]))
                    anims.append(FadeIn(pn.visits[t], scale=0.5))
                    if t > 0 and not getattr(pn.arrows[t - 1], "zero_length", False):
                        anims.append(pn.arrows[t - 1].animate.set_opacity(0.55))
                elif pn.diverged is not None and t == len(pn.arrows):
                    anims.append(FadeIn(pn.diverged, scale=0.7))
            self.play(*anims, run_time=step_time, rate_func=linear)
        if steps > one_by_one:
            later = [(pn, k) for pn in self.panels for k in range(one_by_one, len(pn.arrows))]
            for pn, k in later:
                pn.arrows[k].set_opacity(0.0)
                pn.visits[k].set_opacity(0.0)
                self.add(pn.arrows[k], pn.visits[k])
            shown: set[tuple[int, int]] = set()

            def reveal(_m: Mobject) -> None:
                now = tracker.get_value()
                for j, pn in enumerate(self.panels):
                    for k in range(one_by_one, len(pn.arrows)):
                        if now >= k + 1 and (j, k) not in shown:
                            shown.add((j, k))
                            if not getattr(pn.arrows[k], "zero_length", False):
                                pn.arrows[k].set_opacity(0.55)
                            pn.visits[k].set_opacity(1.0)
                    if pn.diverged is not None and now >= len(pn.arrows) + 1 \
                            and (j, -1) not in shown:
                        shown.add((j, -1))
                        self.add(pn.diverged)

            driver = VGroup()
            driver.add_updater(reveal)
            self.add(driver)
            self.play(tracker.animate.set_value(steps), run_time=sweep,
                      rate_func=warp(steps - one_by_one))
            reveal(driver)
            driver.clear_updaters()
            self.remove(driver)
        else:
            for pn in self.panels:
                if pn.diverged is not None and pn.diverged not in self.mobjects:
                    self.add(pn.diverged)

        # ---- outcome -----------------------------------------------------------------------------
        self.let_speech_finish()
        ends = [FadeIn(pn.end_marker, scale=0.4) for pn in self.panels if pn.end_marker]
        words = "; ".join(
            f"learning rate {fmt(pn.run.lr, 3)}: {pn.verdict_text}"
            for pn in self.panels
        )
        if not p.captions:
            self.caption(f"After {steps} steps: {words}.", outro_time)
        self.play(*ends, *(FadeIn(pn.verdict, shift=UP * 0.1) for pn in self.panels),
                  run_time=0.8)
        self.wait(outro_time - 0.8)

    # -- one panel -----------------------------------------------------------------------------

    def _panel(self, f: Objective, run: Run, view: Sequence[float],
               y_range: tuple[float, float, float], cx: float, cy: float, w: float, h: float,
               n: int, tracker: ValueTracker) -> Panel:
        x_range = (view[0], view[1], tick_step(view[0], view[1], max(3, int(w / 0.9))))
        axes = make_axes_1d(
            x_range, (y_range[0], y_range[1]) if n > 2 else y_range,
            x_length=w, y_length=h, tick_size=TICK if n < 3 else TICK * 0.85,
        )
        axes.move_to(np.array([cx, cy, 0.0]))
        curve = plot_objective_1d(axes, f, stroke_width=3.5 if n == 1 else 3.0)
        axes.add(curve)
        xs = run.points[:, 0]
        fs = run.values
        pts = [np.asarray(axes.c2p(float(x), float(v))) for x, v in zip(xs, fs, strict=True)]
        cap = min(run.last, self.ARROW_CAP)
        width = 5.0 if n == 1 else 4.0
        arrows = [step_arrow(pts[t], pts[t + 1], run.color, stroke_width=width)
                  for t in range(cap)]
        visits = [make_marker(pts[t + 1], run.color, radius=0.045) for t in range(cap)]
        for a in arrows:
            a.set_z_index(1)
        for m in visits:
            m.set_z_index(2)
        start_marker = make_marker(pts[0], START_COLOR, radius=0.1)
        start_marker.set_z_index(3)
        head = make_marker(pts[0], run.color, radius=0.075)
        head.set_z_index(3)
        pts_arr = np.asarray(pts)

        def follow(m: Mobject) -> None:
            s = min(tracker.get_value(), float(run.last))
            k = int(math.floor(s))
            frac = s - k
            q = pts_arr[k]
            if k + 1 <= run.last:
                q = q + frac * (pts_arr[k + 1] - pts_arr[k])
            m.move_to(q)

        head.add_updater(follow)

        eta = MathTex(eta_tex(run.lr), font_size=MATH_SIZE * (1.0 if n < 3 else 0.85),
                      color=run.color)
        eta.next_to(axes, UP, buff=0.22)

        # live readout under the panel: x_t and f(x_t)
        vfmt, vwidth = value_format(np.concatenate([xs, fs]))
        size = 24 if n < 4 else 21
        x_lab = make_tex("x_t =", font_size=size * 1.15, color=MUTED_TEXT)
        x_num = FastNumber(float(xs[0]), vfmt, vwidth, font_size=size)
        f_lab = make_tex("f(x_t) =", font_size=size * 1.15, color=MUTED_TEXT)
        f_num = FastNumber(float(fs[0]), vfmt, vwidth, font_size=size)
        x_num.place(x_lab.get_corner(DOWN + RIGHT) + RIGHT * 0.12)
        f_lab.next_to(x_num.extent, RIGHT, buff=0.35).align_to(x_lab, DOWN)
        f_num.place(f_lab.get_corner(DOWN + RIGHT) + RIGHT * 0.12)
        readout = VGroup(x_lab, x_num, f_lab, f_num)
        readout.next_to(axes, DOWN, buff=0.4)
        fit_width(readout, w + 0.4)

        def values(_m: Mobject) -> None:
            k = min(int(tracker.get_value()), run.last)
            x_num.set_value(float(xs[k]))
            f_num.set_value(float(fs[k]))

        readout.add_updater(values)

        words = verdict(f, run, view)
        color = DIVERGED_COLOR if run.stopped_at is not None else END_COLOR
        said = make_text(words, font_size=SMALL_SIZE if n > 1 else LABEL_SIZE, color=color)
        fit_width(said, w + 0.4)
        said.next_to(readout, DOWN, buff=0.16)

        end_marker: Mobject | None = None
        mark: VGroup | None = None
        if run.stopped_at is not None:
            mark = self._exit_mark(f, run, axes, view, y_range, pts)
        else:
            end_marker = make_marker(pts[run.last], END_COLOR, radius=0.1)
            end_marker.set_z_index(3)
        self.step_arrows.extend(arrows)
        return Panel(run, axes, arrows, visits, head, start_marker, end_marker, mark, eta,
                     readout, said, words)

    @staticmethod
    def _exit_mark(f: Objective, run: Run, axes: Any, view: Sequence[float],
                   y_range: tuple[float, float, float], pts: Sequence[Any]) -> VGroup:
        """Where a stopped run went: a dashed arrow from its last point to a cross.

        A run that left the view points to the edge it left by, on the curve if f is defined
        there, else level with its last point; one that reached a point where f is undefined
        points there, level with its last point (there is no curve to land on); one whose
        update was not a number (0/0, overflow) is crossed out where it stands.
        """
        end = run.last
        stop = run.stop
        x_last = float(run.points[end, 0])
        y_last = float(np.clip(run.values[end], y_range[0], y_range[1]))
        target: float | None = None
        if stop is not None and stop.reason in ("left", "undefined") \
                and bool(np.all(np.isfinite(stop.point))):
            target = float(np.clip(stop.point[0], view[0], view[1]))
        elif stop is None:  # no reason known: the way downhill, to the edge
            target = view[1] if -np.sign(run.trajectory.grads[end, 0]) > 0 else view[0]
        if target is None or abs(target - x_last) < 1e-12 * (view[1] - view[0]):
            return VGroup(cross(pts[end], 0.11))
        with np.errstate(all="ignore"):
            at = float(np.asarray(f.value(np.array([target]))).ravel()[0])
        on_curve = stop is None or stop.reason == "left"
        y = float(np.clip(at, y_range[0], y_range[1])) if on_curve and math.isfinite(at) \
            else y_last
        edge = axes.c2p(target, y)
        exit_arrow = DashedVMobject(
            Arrow(pts[end], edge, buff=0.1, color=DIVERGED_COLOR, stroke_width=3,
                  max_tip_length_to_length_ratio=0.08, tip_length=0.18),
            num_dashes=18,
        )
        # a gap wherever it would cross a tick label
        numbers = [*getattr(axes.x_axis, "numbers", []), *getattr(axes.y_axis, "numbers", [])]
        for dash in list(exit_arrow.submobjects[:-1]):
            if any(overlap(dash, num, 0.04) for num in numbers):
                exit_arrow.remove(dash)
        return VGroup(exit_arrow, cross(edge, 0.11))


class CustomDescent2D(MapScene):
    """Gradient descent on :math:`f(x, y)`: the paths over the contour map and the field of
    :math:`-\\nabla f`, one path per learning rate.

    Attributes for tests: ``runs``, ``paths`` (one :class:`TrajectoryPath` per run),
    ``legend_entries``, ``finish_marks`` (a cross for each run that diverged, else its end).
    """

    descent = True
    show_field = True
    MAP_BOX = (6.6, 5.4)

    def params(self) -> PathParams:
        return custom_params(self, DescentParams, demo=DEMO_2D)

    def default_title(self, f: Objective) -> str:
        if len(self.runs) == 1:
            lr = fmt(self.runs[0].lr, 3)
            return f"Gradient descent, learning rate {lr}"
        return f"Gradient descent at {len(self.runs)} learning rates"

    def row_words(self, run: Run) -> tuple[str, str]:
        return run.label, ""

    def short_name(self, run: Run) -> str:
        return f"learning rate {fmt(run.lr, 3)}"

    def intro_caption(self, f: Objective, p: PathParams) -> str:
        return (super().intro_caption(f, p) + " The arrows show minus the gradient, the way "
                "downhill; each step moves along it, scaled by the learning rate.")

    def race_caption(self, p: PathParams) -> str:
        rates = ", ".join(fmt(r.lr, 3) for r in self.runs)
        return f"Learning rate{'s' if len(self.runs) > 1 else ''} {rates}, {p.steps} steps."
