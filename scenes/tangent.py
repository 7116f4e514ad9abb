r"""The derivative as the slope of the tangent line.

A point travels along :math:`f(x) = x \cos(0.15 \pi x)` (the catalog objective ``wavy``). The
tangent line follows it, its slope :math:`f'(x)` is read out live, and an arrow on the x-axis
shows the downhill direction :math:`-f'(x)`, its length proportional to :math:`|f'(x)|`. At every
flat spot, where :math:`f'(x) = 0`, the scene stops and says whether it is a local minimum or
maximum (the sign of :func:`gdanim.analysis.curvature`). A step from exactly a flat spot does
not move, but only a minimum (and only for a small enough rate) holds the runs that start near it:
at the maximum the scene runs gradient descent from just beside it and shows it sliding away,
each step multiplying the distance by :math:`|1 - \eta f''| > 1`
(:func:`gdanim.analysis.distance_factor`).

Every number comes from gdanim: values and slopes are the objective's own ``value`` and ``grad``,
the flat spots are roots of its sympy derivative (``sympy.nsolve``), and both formulas are
``sympy.latex`` of the objective and its derivative (``Objective.latex`` / ``grad_latex``).

Render with::

    manim -ql scenes/tangent.py TangentSlope
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    Flash,
    GrowArrow,
    Line,
    MathTex,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    config,
    linear,
    smooth,
)

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from scenes.mobjects import step_arrow
from scenes.pacing import say, wait_until
from scenes.style import (
    BODY_SIZE,
    GREEN,
    MATH_SIZE,
    MUTED_TEXT,
    ORANGE,
    SKY,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    VERMILLION,
    YELLOW,
    GDScene,
    fmt,
    make_axes_1d,
    make_marker,
    make_readout,
    make_text,
    math_on_baseline,
    optimizer_color,
    plot_objective_1d,
    stack_readouts,
    text_baseline,
    title,
)

__all__ = ["FlatSpotNote", "TangentSlope", "flat_spots"]


def flat_spots(objective: objectives.Objective, lo: float, hi: float) -> list[float]:
    r"""The points of ``[lo, hi]`` where :math:`f'(x) = 0`, ordered from left to right.

    Sign changes of the objective's gradient on a fine grid bracket the roots, and
    ``sympy.nsolve`` (bisection on the sympy derivative, 30 digits) pins each one down.

    Examples
    --------
    >>> from gdanim import analysis, objectives
    >>> [round(x, 6) for x in flat_spots(objectives.get("parabola"), -5, 5)]
    [0.0]
    """
    (var,) = objective.variables
    (deriv,) = objective.grad_exprs
    xs = np.linspace(lo, hi, 2001)
    g = np.asarray(objective.grad(xs[:, None]), dtype=np.float64)[:, 0]
    roots: list[float] = []
    for i in range(len(xs) - 1):
        if g[i] == 0.0:
            roots.append(float(xs[i]))
        elif g[i] * g[i + 1] < 0.0:
            root = sympy.nsolve(
                deriv, var, (float(xs[i]), float(xs[i + 1])), solver="bisect", prec=30
            )
            roots.append(float(root))
    return roots


class FlatSpotNote(VGroup):
    """The note at a flat spot: "f'(x) = 0", "a flat spot", its ``kind`` and what runs do there."""

    #: "a local minimum", "a local maximum" or "flat" (from the sign of the curvature).
    kind: str


class TangentSlope(GDScene):
    """A point slides along f(x); the tangent's slope f'(x) is read out and drawn as -f'(x)."""

    #: Catalog name of the objective.
    OBJECTIVE = "wavy"
    #: Plotted x-range and the stretch the point travels.
    X_RANGE = (-10.0, 10.0)
    TRAVEL = (-5.5, 8.5)
    Y_RANGE = (-8.0, 8.0, 4.0)
    #: Arrow length on the x-axis per unit of slope (in x units).
    ARROW_SCALE = 1.3
    #: Half-length of the drawn tangent segment, in scene units.
    TANGENT_HALF = 1.5
    #: At a maximum: a short gradient descent run from this far beside it, at this rate.
    NEAR_OFFSET = 0.2
    NEAR_LR = 0.5
    NEAR_STEPS = 6

    def construct(self) -> None:
        obj = objectives.get(self.OBJECTIVE)
        self.objective = obj
        self.section("tangent")

        heading = title("The derivative is the slope of the tangent")
        f_tex = MathTex("f(x) = " + obj.latex, font_size=MATH_SIZE * 0.9, color=TEXT_COLOR)
        df_tex = MathTex("f'(x) = " + obj.grad_latex, font_size=MATH_SIZE * 0.9, color=SKY)
        formulas = VGroup(f_tex, df_tex).arrange(RIGHT, buff=0.9)
        if formulas.width > 13.0:
            formulas.arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        formulas.next_to(heading, DOWN, buff=0.35)
        self.formulas = formulas

        # the axes fill the room left under the formulas (sympy's fractions can be tall)
        bottom = -config.frame_height / 2 + 0.45
        room = formulas.get_bottom()[1] - 0.45 - bottom
        axes = make_axes_1d(self.X_RANGE, self.Y_RANGE, x_length=8.2, y_length=min(4.9, room))
        axes.to_edge(LEFT, buff=0.55).to_edge(DOWN, buff=0.45)
        curve = plot_objective_1d(axes, obj)
        self.axes = axes

        end = say(self, "The slope f'(x) tells how fast f rises as x moves right.")
        self.play(Write(heading), run_time=1.2)
        self.play(Create(axes), run_time=1.0)
        self.play(Create(curve), FadeIn(formulas, shift=DOWN * 0.2), run_time=1.6)
        wait_until(self, end)

        x = ValueTracker(self.TRAVEL[0])
        self.x_tracker = x

        def value(t: float) -> float:
            return float(obj.value(np.array([t])))

        def slope(t: float) -> float:
            return float(obj.grad(np.array([t]))[0])

        def shown(v: float, digits: int = 3) -> float:
            # the value as displayed, so a flat spot reads 0.000 and never -0.000
            return float(fmt(v, digits))

        lo_corner = axes.c2p(self.X_RANGE[0], self.Y_RANGE[0])
        hi_corner = axes.c2p(self.X_RANGE[1], self.Y_RANGE[1])

        def reach(p: np.ndarray, u: np.ndarray) -> float:
            # how far from p along u before leaving the axes' rectangle (capped at TANGENT_HALF)
            out = self.TANGENT_HALF
            for k in (0, 1):
                if u[k] > 1e-9:
                    out = min(out, (hi_corner[k] - p[k]) / u[k])
                elif u[k] < -1e-9:
                    out = min(out, (lo_corner[k] - p[k]) / u[k])
            return max(out, 0.0)

        def tangent() -> Line:
            t = x.get_value()
            p = axes.c2p(t, value(t))
            q = axes.c2p(t + 1.0, value(t) + slope(t))
            u = (q - p) / np.linalg.norm(q - p)
            return Line(p - reach(p, -u) * u, p + reach(p, u) * u, color=SKY, stroke_width=5)

        def point() -> Any:
            t = x.get_value()
            return make_marker(axes.c2p(t, value(t)), YELLOW, radius=0.1)

        def drop() -> DashedLine:
            t = x.get_value()
            return DashedLine(
                axes.c2p(t, value(t)),
                axes.c2p(t, 0.0),
                color=MUTED_TEXT,
                stroke_width=2,
                dash_length=0.07,
            )

        def downhill() -> Any:
            t = x.get_value()
            d = -self.ARROW_SCALE * slope(t)
            start = axes.c2p(t, 0.0)
            end = axes.c2p(t + d, 0.0)
            if abs(end[0] - start[0]) < 0.02:
                return make_marker(start, ORANGE, radius=0.06)
            return Arrow(
                start,
                end,
                buff=0,
                color=ORANGE,
                stroke_width=7,
                max_tip_length_to_length_ratio=0.35,
                max_stroke_width_to_length_ratio=12,
            )

        tangent_line = always_redraw(tangent)
        drop_line = always_redraw(drop)
        arrow = always_redraw(downhill)
        dot = always_redraw(point)

        # live readouts, right of the axes
        def readout(label: str, color: Any, getter: Any) -> VGroup:
            row = make_readout(label, shown(getter()), digits=3, color=color)

            def refresh(m: Any) -> None:
                v = shown(getter())
                if v != m.get_value():  # rebuild the digits only when the shown value changes
                    m.set_value(v)

            number: object = row.number
            if not isinstance(number, Mobject):
                raise TypeError("make_readout returned a row without its number")
            number.add_updater(refresh)
            return row

        rx = readout("x =", YELLOW, lambda: x.get_value())
        rf = readout("f(x) =", TEXT_COLOR, lambda: value(x.get_value()))
        rs = readout("f'(x) =", SKY, lambda: slope(x.get_value()))
        readouts = stack_readouts([rx, rf, rs], buff=0.32)
        slope_caption = make_text("slope of the tangent", SMALL_SIZE, SKY)
        slope_caption.next_to(rs, DOWN, buff=0.15).align_to(rs, LEFT)
        step_key = VGroup(
            Arrow(
                LEFT * 0.35,
                RIGHT * 0.35,
                buff=0,
                color=ORANGE,
                stroke_width=6,
                max_tip_length_to_length_ratio=0.4,
            ),
            MathTex("-f'(x)", font_size=MATH_SIZE, color=ORANGE),
            make_text("downhill", SMALL_SIZE, ORANGE),
        ).arrange(RIGHT, buff=0.18)
        panel = VGroup(readouts, slope_caption, step_key)
        step_key.next_to(slope_caption, DOWN, buff=0.45).align_to(readouts, LEFT)
        panel.next_to(axes, RIGHT, buff=0.5).align_to(axes, UP).shift(DOWN * 0.3)
        self.readouts = {"x": rx[1], "f": rf[1], "slope": rs[1]}

        self.play(
            FadeIn(dot, scale=0.5),
            Create(tangent_line),
            FadeIn(readouts),
            FadeIn(slope_caption),
            run_time=1.0,
        )
        end = say(
            self,
            "The orange arrow is minus the slope: downhill, and longer where the curve is steeper.",
        )
        self.play(FadeIn(drop_line), FadeIn(arrow), FadeIn(step_key), run_time=0.8)
        wait_until(self, end)

        # travel from flat spot to flat spot; the last one stays on screen
        spots = flat_spots(obj, *self.TRAVEL)
        self.flat_spots = spots
        self.notes: list[FlatSpotNote] = []
        self.near_runs: list[dict[str, Any]] = []
        note_anchor = step_key.get_bottom() + DOWN * 0.55
        said_flat = False
        end = 0.0
        for i, stop in enumerate(spots):
            last = i == len(spots) - 1
            if last:
                end = say(self, "Gradient descent follows this arrow, one step at a time.")
            run = max(0.8, 0.22 * abs(stop - x.get_value()))
            self.play(x.animate.set_value(stop), run_time=run, rate_func=smooth)
            # the kind of flat spot, from the sign of the curvature f''(x)
            bend = analysis.curvature(obj, [stop])
            kind = "a local minimum" if bend > 0 else "a local maximum" if bend < 0 else "flat"
            words = make_text("a flat spot", BODY_SIZE, GREEN)
            head: object = math_on_baseline(
                "f'(x) = 0",
                text_baseline(words),
                words.get_left()[0],
                font_size=MATH_SIZE,
                color=GREEN,
            )
            if not isinstance(head, VMobject):
                raise TypeError("math_on_baseline returned no VMobject")
            words.shift(RIGHT * (head.width + 0.22))
            what = (
                "a run can settle here" if bend > 0
                else "unstable: nearby runs leave" if bend < 0
                else "a step from here does not move"
            )
            note = FlatSpotNote(
                head,
                words,
                make_text(f"({kind})", SMALL_SIZE, MUTED_TEXT),
                make_text(what, SMALL_SIZE, TEXT_COLOR if bend >= 0 else VERMILLION),
            )
            note[2].next_to(note[0], DOWN, buff=0.16).align_to(note[0], LEFT)
            note[3].next_to(note[2], DOWN, buff=0.12).align_to(note[0], LEFT)
            note.kind = kind
            note.move_to(note_anchor, aligned_edge=UP + LEFT).align_to(readouts, LEFT)
            self.notes.append(note)
            sub: str | None = None
            if not said_flat:
                sub = (
                    "Where the tangent is flat, f'(x) = 0, the arrow vanishes: a step from "
                    "exactly there does not move."
                )
                said_flat = True
            elif bend < 0:
                sub = "A maximum is flat too, but unstable: only an exact landing stays there."
            if sub is not None:
                end = say(self, sub)
            self.play(
                FadeIn(note, shift=UP * 0.15),
                Flash(dot.copy().clear_updaters(), color=GREEN, line_length=0.2, flash_radius=0.3),
                run_time=0.7,
            )
            wait_until(self, end, minimum=1.2 if last else 0.5)
            if bend < 0:
                self._slide_away(obj, axes, stop)
            if not last:
                self.play(FadeOut(note), run_time=0.4)

        # freeze the final frame
        for mob in (tangent_line, drop_line, arrow, dot):
            mob.clear_updaters()
        for r in (rx, rf, rs):
            r[1].clear_updaters()

    def _slide_away(
        self, obj: objectives.Objective, axes: Any, top: float
    ) -> None:
        r"""Gradient descent from just beside the maximum ``top``: each step moves it further.

        The run is :func:`gdanim.descend` from ``top + NEAR_OFFSET`` at rate ``NEAR_LR``; the
        factor shown is :func:`gdanim.analysis.distance_factor` at the maximum,
        :math:`|1 - \eta f''(x^*)|`, and the distances are read from the run.
        """
        lr = self.NEAR_LR
        opt = optimizers.sgd(lr=lr)
        traj = cached_descend(obj, opt, [top + self.NEAR_OFFSET], self.NEAR_STEPS)
        xs = traj.points[:, 0]
        dist = np.abs(xs - top)
        factor = analysis.distance_factor(obj, [top], lr)
        bend = analysis.curvature(obj, [top])
        color = optimizer_color(opt)
        pts = [axes.c2p(float(v), float(f)) for v, f in zip(xs, traj.values, strict=True)]
        arrows = [step_arrow(pts[t], pts[t + 1], color, stroke_width=4) for t in range(len(xs) - 1)]
        for a in arrows:
            a.set_z_index(2)
        start = make_marker(pts[0], START_COLOR, radius=0.07).set_z_index(3)
        visits = [make_marker(p, color, radius=0.045).set_z_index(3) for p in pts[1:]]
        rule = MathTex(
            rf"\eta = {fmt(lr, 1)}:\ \ |1 - \eta f''| = {fmt(factor, 2)}",
            font_size=MATH_SIZE * 0.75,
            color=VERMILLION,
        )
        growth = make_text(
            f"distance to the maximum\n{fmt(dist[0], 2)} \u2192 {fmt(dist[-1], 2)} in "
            f"{len(xs) - 1} steps",
            SMALL_SIZE, MUTED_TEXT,
        )
        # in the empty top right of the plot, above the stretch the run slides down
        VGroup(rule, growth).arrange(DOWN, buff=0.14, aligned_edge=RIGHT)
        corner = axes.c2p(self.X_RANGE[1], self.Y_RANGE[1])
        VGroup(rule, growth).move_to(corner, aligned_edge=UP + RIGHT).shift(DOWN * 0.45)
        said = (
            f"Started {fmt(self.NEAR_OFFSET, 1)} beside it, each step multiplies the distance by "
            f"about |1 \u2212 \u03b7 f''| = {fmt(factor, 2)}: the run slides away."
        )
        self.near_runs.append({
            "maximum": top, "lr": lr, "offset": self.NEAR_OFFSET, "trajectory": traj,
            "factor": factor, "curvature": bend, "distances": dist, "arrows": arrows,
            "rule": rule, "growth": growth, "caption": said,
        })
        end = say(self, said)
        self.play(FadeIn(start, scale=0.5), FadeIn(rule), run_time=0.6)
        for t, arrow in enumerate(arrows):
            self.play(GrowArrow(arrow), FadeIn(visits[t], scale=0.5), run_time=0.4,
                      rate_func=linear)
        self.play(FadeIn(growth), run_time=0.5)
        wait_until(self, end, minimum=0.5)
        self.play(FadeOut(VGroup(start, *arrows, *visits, rule, growth)), run_time=0.4)
