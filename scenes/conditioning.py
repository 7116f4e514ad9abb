r"""Conditioning: the largest curvature caps the rate, the smallest sets the speed.

Near a minimum, gradient descent multiplies the distance along each eigenvector of the Hessian
by :math:`1 - \eta\lambda` every step. The steepest curvature :math:`L` caps the rate
(:math:`\eta < 2/L`), the flattest :math:`\mu` then sets how fast the slowest direction closes,
and the condition number :math:`\kappa = L/\mu` says how far apart the two are.

* :class:`ValleyConditioning` shows it on the long valley :math:`x^2/20 + y^2`
  (:math:`\kappa = 20`): two runs from the same start, :math:`\eta = 0.5` (the steep direction
  settled in one step, the flat one crawling) and :math:`\eta = 0.95`, near the best fixed rate
  :math:`2/(\mu + L)`, with the per-direction factors measured from each run.
* :class:`LineFitConditioning` does the same for the line fit of S4: the loss Hessian
  :math:`\frac{2}{n}A^\top A` has curvatures about 0.50 and 68.5, :math:`\kappa \approx 138`,
  which is why the intercept creeps. Centring and scaling the feature makes the loss a round
  bowl (:math:`\kappa = 1`) and the same descent, at the same :math:`\eta L`, reaches the
  least-squares line in a small fraction of the steps.

Every number is computed by :mod:`gdanim.analysis` and :mod:`gdanim.regression`; the formulas
come from sympy (the objective's Hessian) or are the closed forms those functions document.

Render with::

    manim -ql scenes/conditioning.py ValleyConditioning LineFitConditioning
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    FadeIn,
    FadeOut,
    Line,
    Mobject,
    ReplacementTransform,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from gdanim.regression import (
    LINE,
    FeatureScaling,
    least_squares,
    line_dataset,
    s4_run,
    s4_scaled_run,
)
from gdanim.trajectory import Trajectory
from scenes.mobjects import ContourMap, TrajectoryPath, make_head, map_axes, to_scene
from scenes.pacing import say, wait_until
from scenes.regression import LOSS_VIEW, LineLoss, loss_levels, map_frame
from scenes.style import (
    BACKGROUND,
    GREEN,
    MUTED_TEXT,
    ORANGE,
    REGIME_COLORS,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    YELLOW,
    GDScene,
    fmt,
    make_marker,
    make_tex,
    make_text,
    title,
)

__all__ = ["LineFitConditioning", "ValleyConditioning", "ValleyRun", "sci_tex"]


def sci_tex(value: float) -> str:
    r"""A tolerance such as ``1e-6`` as LaTeX, ``10^{-6}``.

    Examples
    --------
    >>> sci_tex(1e-6)
    '10^{-6}'
    """
    exponent = int(round(np.log10(value)))
    mantissa = value / 10.0**exponent
    if abs(mantissa - 1.0) < 1e-9:
        return f"10^{{{exponent}}}"
    return rf"{mantissa:g} \times 10^{{{exponent}}}"


def _sci_words(value: float) -> str:
    """A tolerance for a caption: ``1e-6`` -> ``10⁻⁶``."""
    sup = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077"
                        "\u2078\u2079")
    return "10" + str(int(round(np.log10(value)))).translate(sup)


def _matrix_tex(h: np.ndarray, digits: int = 1) -> str:
    """A 2x2 numeric matrix in brackets, entries with ``digits`` decimals."""
    rows = [" & ".join(fmt(float(v), digits) for v in row) for row in h]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _row(*parts: VMobject, buff: float = 0.22) -> VGroup:
    """Words and formulas side by side on one line, bottoms aligned."""
    return VGroup(*parts).arrange(RIGHT, buff=buff, aligned_edge=DOWN)


def _frame_box(axes: Axes) -> Mobject:
    """The frame :func:`~scenes.regression.map_frame` draws around the view (``axes.frame_box``)."""
    frame: object = axes.frame_box
    if not isinstance(frame, Mobject):
        raise TypeError("these axes have no frame_box; make them with map_frame")
    return frame


# --------------------------------------------------------------------------------------------
# The long valley
# --------------------------------------------------------------------------------------------


@dataclass
class ValleyRun:
    """One rate on the long valley and what the scene reads off it (kept for tests)."""

    lr: float
    regime: str
    trajectory: Trajectory
    #: Per-direction factors measured from the run: ``(along, across)``.
    measured: tuple[float, float]
    #: The closed form :math:`|1 - \eta\lambda|`: ``(along, across)``.
    closed_form: tuple[float, float]
    #: First step with f <= the scene's tolerance.
    steps: int | None
    path: TrajectoryPath
    row: VGroup


class ValleyConditioning(GDScene):
    r"""Two rates on :math:`x^2/20 + y^2`: the curvatures, :math:`\kappa`, the factors per step.

    Attributes set by ``construct``: ``curvatures`` (:math:`(\mu, L)`), ``kappa``,
    ``critical_lr``, ``best_lr``, ``best_factor``, ``runs`` (one :class:`ValleyRun` per rate),
    ``readouts`` (the right-hand panel's lines).
    """

    OBJECTIVE = "long_valley"
    START = (-7.0, 2.0)
    RATES = (0.5, 0.95)
    STEPS = 100
    TOL = 1e-3
    VIEW = (-7.5, 1.5, -2.5, 2.5)
    HEADS = ("dot", "square")

    def construct(self) -> None:
        self.section("Conditioning")
        f = objectives.get(self.OBJECTIVE)
        (minimum,) = f.minima
        h = analysis.hessian_at(f, minimum)
        (mu, big), _ = analysis.hessian_eigen(h)
        kappa = analysis.condition_number(h)
        crit = analysis.critical_lr(big)
        best = analysis.best_fixed_lr(mu, big)
        best_q = analysis.best_contraction(kappa)
        self.curvatures = (float(mu), float(big))
        self.kappa, self.critical_lr, self.best_lr, self.best_factor = kappa, crit, best, best_q

        heading = title("Conditioning: one rate, two curvatures")
        axes = map_axes(self.VIEW, width=6.3, step=(2.0, 1.0), labels=("x", "y"))
        axes.move_to((-3.55, 0.0, 0.0)).align_to((0.0, 2.55, 0.0), UP)
        cmap = ContourMap(f, axes, self.VIEW, n_levels=9, fill_strength=0.45)
        start = make_marker(to_scene(axes, np.array(self.START)), START_COLOR, radius=0.09)
        start.set_z_index(3)

        # right-hand panel: the function, its Hessian, the curvatures and the limits
        hess_tex = sympy.latex(sympy.Matrix(f.hessian_exprs), mat_delim="[")
        f_line = make_tex(rf"f(x, y) = {f.latex}", font_size=36)
        h_line = make_tex(rf"\nabla^2 f = {hess_tex}", font_size=36)
        along = _row(make_text("along the valley", SMALL_SIZE, MUTED_TEXT),
                     make_tex(rf"\mu = {fmt(mu, 3)}", font_size=32))
        across = _row(make_text("across it", SMALL_SIZE, MUTED_TEXT),
                      make_tex(rf"L = {fmt(big, 3)}", font_size=32))
        k_line = make_tex(rf"\kappa = L / \mu = {fmt(kappa, 1)}", font_size=38, color=YELLOW)
        cap = _row(make_text("rate cap", SMALL_SIZE, MUTED_TEXT),
                   make_tex(rf"\eta < 2/L = {fmt(crit, 3)}", font_size=32))
        best_row = _row(make_text("best fixed rate", SMALL_SIZE, MUTED_TEXT),
                        make_tex(rf"2/(\mu + L) = {fmt(best, 3)}", font_size=32))
        bound = _row(make_text("its factor per step", SMALL_SIZE, YELLOW),
                     make_tex(rf"\frac{{\kappa - 1}}{{\kappa + 1}} = {fmt(best_q, 3)}",
                              font_size=32, color=YELLOW))
        panel = VGroup(f_line, h_line, along, across, k_line, cap, best_row, bound)
        panel.arrange(DOWN, buff=0.24, aligned_edge=LEFT)
        for line in (along, cap, bound):
            line.shift(DOWN * 0.06)
        panel.move_to((0.9, 0.0, 0.0), aligned_edge=LEFT).align_to((0.0, 2.75, 0.0), UP)
        self.readouts = panel
        self.bound = bound

        # the runs and their table, under the map
        columns = (-6.75, -4.15, -2.75, -1.0)
        heads = VGroup(
            make_text("across", SMALL_SIZE, MUTED_TEXT).move_to((columns[1], 0.0, 0.0)),
            make_text("along", SMALL_SIZE, MUTED_TEXT).move_to((columns[2], 0.0, 0.0)),
            _row(make_tex(rf"f \le {sci_tex(self.TOL)}", font_size=28, color=MUTED_TEXT),
                 make_text("at step", SMALL_SIZE, MUTED_TEXT), buff=0.12).move_to(
                (columns[3], 0.0, 0.0)),
        )
        note = VGroup(
            make_text("factor per step, from the run:", SMALL_SIZE, MUTED_TEXT),
            make_tex(r"|1 - \eta\lambda|", font_size=30, color=MUTED_TEXT),
        ).arrange(RIGHT, buff=0.2)
        note.move_to((0.0, 0.0, 0.0)).align_to((columns[0], 0.0, 0.0), LEFT)
        header = VGroup(note, heads)
        note.set_y(-1.8)
        heads.set_y(-2.3)
        self.runs: list[ValleyRun] = []
        trackers = []
        for k, lr in enumerate(self.RATES):
            run = cached_descend(f, optimizers.sgd(lr=lr), self.START, self.STEPS)
            reg = str(analysis.regime(lr, big))
            color = REGIME_COLORS.get(reg, TEXT_COLOR)
            measured = analysis.measured_contraction(run.points, minimum, h)
            closed = analysis.contraction_factors(lr, [mu, big])
            steps = analysis.steps_to_tolerance(run, float(f.value(np.array(minimum))), self.TOL)
            tracker = ValueTracker(0.0)
            trackers.append(tracker)
            path = TrajectoryPath(to_scene(axes, run.points), color, width=3.5,
                                  tracker=tracker, head=self.HEADS[k], head_size=0.17)
            path.set_z_index(2)
            swatch = VGroup(Line(LEFT * 0.25, RIGHT * 0.25, stroke_width=4).set_stroke(color),
                            make_head(self.HEADS[k], color, 0.16))
            swatch[1].move_to(swatch[0].get_right())
            label = _row(swatch, make_tex(rf"\eta = {fmt(lr, 2)}", font_size=32, color=color))
            label.move_to((columns[0], 0.0, 0.0), aligned_edge=LEFT)
            cells = VGroup(
                make_tex(fmt(measured[1], 3), font_size=32, color=color).move_to(
                    (columns[1], 0.0, 0.0)),
                make_tex(fmt(measured[0], 3), font_size=32, color=color).move_to(
                    (columns[2], 0.0, 0.0)),
                make_tex(str(steps), font_size=32, color=color).move_to((columns[3], 0.0, 0.0)),
            )
            row = VGroup(label, cells)
            row.set_y(-2.85 - 0.55 * k)
            self.runs.append(ValleyRun(
                lr, reg, run, (float(measured[0]), float(measured[1])),
                (float(closed[0]), float(closed[1])), steps, path, row,
            ))
        slow, quick = self.runs

        # ---- animate
        end = say(
            self,
            f"The long valley {_plain(f.text)} curves by L = {fmt(big, 3)} across and "
            f"μ = {fmt(mu, 3)} along: condition number κ = L/μ = {fmt(kappa, 1)}.",
        )
        self.play(FadeIn(heading), FadeIn(axes), FadeIn(cmap), run_time=1.2)
        self.play(Write(f_line), FadeIn(start), run_time=0.8)
        self.play(Write(h_line), run_time=0.8)
        self.play(FadeIn(along), FadeIn(across), run_time=0.6)
        self.play(Write(k_line), run_time=0.8)
        wait_until(self, end)

        end = say(
            self,
            f"A step scales each direction by |1 − ηλ|, so η must stay below "
            f"2/L = {fmt(crit, 3)}.",
        )
        self.play(FadeIn(cap), FadeIn(header), run_time=0.8)
        wait_until(self, end)

        end = say(
            self,
            f"At η = {fmt(slow.lr, 2)} one step settles the steep direction, but along the "
            f"floor each step keeps {fmt(slow.measured[0], 3)}: f ≤ {_sci_words(self.TOL)} "
            f"only at step {slow.steps}.",
        )
        self.add(slow.path)
        self.play(trackers[0].animate.set_value(float(self.STEPS)), FadeIn(slow.row),
                  run_time=3.5, rate_func=linear)
        wait_until(self, end)

        end = say(
            self,
            f"At η = {fmt(quick.lr, 2)}, near the best fixed rate 2/(μ+L) = {fmt(best, 3)}, "
            f"it zig-zags, keeping {fmt(quick.measured[1], 3)} across and "
            f"{fmt(quick.measured[0], 3)} along: step {quick.steps}.",
        )
        self.play(FadeIn(best_row), run_time=0.6)
        self.add(quick.path)
        self.play(trackers[1].animate.set_value(float(self.STEPS)), FadeIn(quick.row),
                  run_time=3.5, rate_func=linear)
        wait_until(self, end)
        for done in self.runs:
            done.path.clear_updaters()

        end = say(
            self,
            "The steep direction caps the rate, the flat one sets the speed: at best a step "
            f"keeps (κ−1)/(κ+1) = {fmt(best_q, 3)}.",
        )
        self.play(FadeIn(bound, shift=UP * 0.1), run_time=0.8)
        wait_until(self, end, minimum=1.0)


def _plain(text: str) -> str:
    """An objective's text for a caption: ``x^2/20 + y^2`` -> ``x²/20 + y²``."""
    return text.replace("**2", "\u00b2").replace("^2", "\u00b2")


# --------------------------------------------------------------------------------------------
# The line fit
# --------------------------------------------------------------------------------------------


class LineFitConditioning(GDScene):
    r"""The line fit's loss Hessian, its :math:`\kappa`, and the same descent on a scaled feature.

    Attributes set by ``construct`` (for tests): ``hessian``, ``curvatures`` (:math:`(\mu, L)`),
    ``kappa``, ``measured`` (the run's factors, flattest first), ``best`` (the least-squares
    ``[m, b]``), ``run`` (S4, 100 epochs), ``steps`` (to within :data:`TOL` of ``best``),
    ``scaling``, ``scaled_hessian``, ``scaled_kappa``, ``scaled_lr``, ``scaled_run``,
    ``scaled_measured``, ``scaled_steps``, ``values`` (every number shown, as shown).
    """

    LR = 0.01
    EPOCHS = 100
    TOL = 1e-6
    #: Epochs run to count the steps to the tolerance (enough for both fits).
    LONG = 4000
    SCALED_STEPS = 30

    def construct(self) -> None:
        self.section("Conditioning of the line fit")
        x, y = line_dataset()
        best = least_squares(LINE, x, y)
        h = analysis.line_fit_hessian(x)
        (mu, big), _ = analysis.hessian_eigen(h)
        kappa = analysis.condition_number(h)
        run = s4_run(epochs=self.EPOCHS, lr=self.LR)
        measured = analysis.measured_contraction(run.params, best, h)
        coords = analysis.eigen_coordinates(run.params, best, h)
        kept = float(coords[-1, 0] / coords[0, 0])
        steps = analysis.steps_to_point(s4_run(epochs=self.LONG, lr=self.LR).params, best,
                                        self.TOL)

        scaling = FeatureScaling.fit(x)
        hz = analysis.line_fit_hessian(scaling.apply(x))
        (mu_z, big_z), _ = analysis.hessian_eigen(hz)
        kappa_z = analysis.condition_number(hz)
        lr_z = analysis.equivalent_lr(self.LR, big, big_z)
        scaled, _ = s4_scaled_run(epochs=self.SCALED_STEPS, lr=lr_z)
        best_z = scaling.scaled_params(best)
        measured_z = analysis.measured_contraction(scaled.params, best_z, hz)
        scaled_steps = analysis.steps_to_point(scaling.line_params(scaled.params), best,
                                               self.TOL)

        self.hessian, self.curvatures, self.kappa = h, (float(mu), float(big)), kappa
        self.measured, self.best, self.run, self.steps = measured, best, run, steps
        self.scaling, self.scaled_hessian, self.scaled_kappa = scaling, hz, kappa_z
        self.scaled_lr, self.scaled_run = lr_z, scaled
        self.scaled_measured, self.scaled_steps = measured_z, scaled_steps
        v = {
            "mu": fmt(mu, 3), "L": fmt(big, 3), "kappa": fmt(kappa, 1),
            "lr": f"{self.LR:g}", "eta_L": fmt(self.LR * big, 3),
            "along": fmt(measured[0], 3), "across": fmt(measured[1], 3),
            "kept": fmt(kept, 3), "b": fmt(run.final_params[1], 3), "b_best": fmt(best[1], 3),
            "steps": str(steps), "mean": fmt(scaling.mean, 3), "scale": fmt(scaling.scale, 3),
            "L_z": fmt(big_z, 3), "mu_z": fmt(mu_z, 3), "kappa_z": fmt(kappa_z, 1),
            "lr_z": fmt(lr_z, 3), "factor_z": fmt(float(np.max(measured_z)), 3),
            "steps_z": str(scaled_steps), "epochs": str(self.EPOCHS),
        }
        self.values = v

        heading = title("Why the intercept creeps: conditioning")

        # ---- left: the loss over (m, b) and the 100 epochs of S4
        loss = LineLoss(x, y)
        left = map_frame(LOSS_VIEW, width=5.4, height=2.9)
        left_box = _frame_box(left)
        left.shift(np.array([-6.25, -0.55, 0.0]) - left_box.get_corner(DOWN + LEFT))
        cmap = ContourMap(loss, left, LOSS_VIEW, levels=list(loss_levels(loss, LOSS_VIEW)),
                          image_resolution=240, fill_strength=0.3)
        tracker = ValueTracker(0.0)
        path = TrajectoryPath(to_scene(left, run.params), ORANGE, width=3.5, tracker=tracker,
                              head="dot")
        target = _target(to_scene(left, best))
        left_name = make_text(f"loss over (m, b): {run.steps} epochs at \u03b7 = {v['lr']}",
                              SMALL_SIZE, MUTED_TEXT)
        left_name.next_to(left_box, UP, buff=0.12)
        self.path = path

        # ---- right: the Hessian, its curvatures, the factors
        hess = make_tex(r"\nabla^2 L = \frac{2}{n}\sum_i \begin{bmatrix} x_i^2 & x_i \\ "
                        r"x_i & 1 \end{bmatrix} = " + _matrix_tex(h), font_size=34)
        curv = make_tex(rf"\mu = {v['mu']}, \quad L = {v['L']}", font_size=34)
        k_line = make_tex(rf"\kappa = L/\mu = {v['kappa']}", font_size=40, color=YELLOW)
        factors = VGroup(
            make_text(f"per step at \u03b7 = {v['lr']}, from the run:", SMALL_SIZE, MUTED_TEXT),
            _row(make_tex(rf"\times {v['across']}", font_size=34, color=ORANGE),
                 make_text("across,", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"\times {v['along']}", font_size=34, color=ORANGE),
                 make_text("along the floor", SMALL_SIZE, MUTED_TEXT), buff=0.15),
        ).arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        panel = VGroup(hess, curv, k_line, factors).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        if panel.width > 6.3:
            panel.scale_to_fit_width(6.3)
        panel.move_to((0.75, 0.0, 0.0), aligned_edge=LEFT).align_to(left_name, UP)

        # ---- below the map: where the 100 epochs ended, and how long the rest takes
        tol = sci_tex(self.TOL)
        ended = VGroup(
            _row(make_text(f"after {v['epochs']} epochs", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"b = {v['b']}", font_size=34, color=ORANGE)),
            _row(make_text("least squares", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"b = {v['b_best']}", font_size=34, color=TEXT_COLOR)),
            _row(make_text("within", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"{tol}", font_size=32),
                 make_text("of it at step", SMALL_SIZE, MUTED_TEXT),
                 make_tex(v["steps"], font_size=36, color=ORANGE)),
        ).arrange(DOWN, buff=0.24, aligned_edge=LEFT)
        ended.move_to((0.0, 0.0, 0.0), aligned_edge=LEFT + UP).shift((-6.6, -1.3, 0.0))

        end = say(
            self,
            "Why did the intercept creep? The loss is a convex quadratic in (m, b).",
        )
        self.play(FadeIn(heading), FadeIn(left), FadeIn(cmap), FadeIn(left_name), run_time=1.2)
        self.play(Write(hess), FadeIn(target), run_time=1.4)
        wait_until(self, end)

        end = say(
            self,
            f"Its curvatures are L = {v['L']} and μ = {v['mu']}, so κ = {v['kappa']}, and the "
            "flat direction runs almost along b.",
        )
        self.play(FadeIn(curv), run_time=0.6)
        self.play(Write(k_line), run_time=0.8)
        wait_until(self, end)

        end = say(
            self,
            f"At η = {v['lr']} a step keeps {v['across']} of the distance across the valley, "
            f"{v['along']} along it: after {v['epochs']} epochs b = {v['b']}, not yet the "
            f"least-squares {v['b_best']}.",
        )
        self.add(path)
        self.play(tracker.animate.set_value(float(run.steps)), FadeIn(factors), run_time=3.0,
                  rate_func=lambda t: 1 - (1 - t) ** 3)
        path.clear_updaters()
        self.play(FadeIn(ended[0]), FadeIn(ended[1]), run_time=0.6)
        self.play(FadeIn(ended[2]), run_time=0.6)
        wait_until(self, end)

        # ---- the scaled feature: a round bowl over (w, c)
        self.section("Scaling the feature")
        loss_z = LineLoss(scaling.apply(x), y)
        view_z = _square_view(best_z, float(np.abs(scaled.params - best_z).max()) * 1.15)
        right = map_frame(view_z, width=2.9, height=2.9, labels=("w", "c"),
                          steps=(_tick(view_z), _tick(view_z)))
        right_box = _frame_box(right)
        right.shift(np.array([1.2, -0.55, 0.0]) - right_box.get_corner(DOWN + LEFT))
        cmap_z = ContourMap(loss_z, right, view_z, levels=list(loss_levels(loss_z, view_z)),
                            image_resolution=200, fill_strength=0.3)
        tracker_z = ValueTracker(0.0)
        path_z = TrajectoryPath(to_scene(right, scaled.params), GREEN, width=3.5,
                                tracker=tracker_z, head="square")
        target_z = _target(to_scene(right, best_z))
        right_name = make_text(f"loss over (w, c): \u03b7 = {v['lr_z']}", SMALL_SIZE,
                               MUTED_TEXT)
        right_name.next_to(right_box, UP, buff=0.12)
        scale_tex = VGroup(
            make_tex(r"y = w z + c", font_size=34, color=GREEN),
            make_tex(rf"z = \frac{{x - {v['mean']}}}{{{v['scale']}}}", font_size=34,
                     color=GREEN),
            make_tex(rf"\nabla^2 L = {_matrix_tex(hz)}", font_size=30, color=GREEN),
            make_tex(rf"\kappa = {v['kappa_z']}", font_size=38, color=GREEN),
        ).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        scale_tex.next_to(right_box, RIGHT, buff=0.3).align_to(right_box, UP)
        if scale_tex.get_right()[0] > 6.85:
            scale_tex.scale((6.85 - scale_tex.get_left()[0]) / scale_tex.width,
                            about_edge=LEFT + UP)
        scaled_panel = VGroup(
            _row(make_tex(rf"\eta = {v['lr_z']}", font_size=34, color=GREEN),
                 make_text("same", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"\eta L = {v['eta_L']}", font_size=32, color=MUTED_TEXT),
                 make_text("as before", SMALL_SIZE, MUTED_TEXT), buff=0.15),
            _row(make_tex(rf"\times {v['factor_z']}", font_size=34, color=GREEN),
                 make_text("a step in every direction", SMALL_SIZE, MUTED_TEXT)),
            _row(make_text("within", SMALL_SIZE, MUTED_TEXT),
                 make_tex(rf"{tol}", font_size=32),
                 make_text("of the best fit at step", SMALL_SIZE, MUTED_TEXT),
                 make_tex(v["steps_z"], font_size=36, color=GREEN)),
        ).arrange(DOWN, buff=0.24, aligned_edge=LEFT)
        scaled_panel.move_to((0.0, 0.0, 0.0), aligned_edge=LEFT + UP).shift((0.8, -1.3, 0.0))
        self.scaled_panel = scaled_panel

        end = say(
            self,
            f"Now centre and scale the feature. Over (w, c) the loss is a round bowl: both "
            f"curvatures {v['L_z']}, κ = {v['kappa_z']}.",
        )
        # kappa stays on screen under the first map, for the comparison
        kept_k = k_line.copy().scale(0.85)
        kept_k.next_to(ended, DOWN, buff=0.26, aligned_edge=LEFT)
        self.play(FadeOut(VGroup(hess, curv, factors)), ReplacementTransform(k_line, kept_k),
                  run_time=0.8)
        self.play(FadeIn(right), FadeIn(cmap_z), FadeIn(right_name), FadeIn(target_z),
                  Write(scale_tex), run_time=1.4)
        wait_until(self, end)

        end = say(
            self,
            f"At the same η L, so η = {v['lr_z']}, every direction shrinks by {v['factor_z']} "
            f"a step: within {_sci_words(self.TOL)} in {v['steps_z']} steps instead of "
            f"{v['steps']}.",
        )
        self.add(path_z)
        self.play(FadeIn(scaled_panel[0]), run_time=0.6)
        self.play(tracker_z.animate.set_value(float(scaled_steps or self.SCALED_STEPS)),
                  FadeIn(scaled_panel[1]), run_time=2.0, rate_func=linear)
        path_z.clear_updaters()
        self.play(FadeIn(scaled_panel[2]), run_time=0.6)
        wait_until(self, end, minimum=1.0)
        self.paths = (path, path_z)


def _target(point: np.ndarray) -> VGroup:
    """The least-squares point: a white ring with a dark casing."""
    ring = make_head("ring", TEXT_COLOR, 0.2).move_to(point)
    ring.set_stroke(TEXT_COLOR, width=3)
    casing = ring.copy().set_stroke(BACKGROUND, width=6)
    group = VGroup(casing, ring)
    group.set_z_index(4)
    return group


def _square_view(centre: np.ndarray, radius: float) -> tuple[float, float, float, float]:
    """A square view around ``centre`` reaching at least ``radius`` each way, on round ticks."""
    step = _nice(radius / 2)
    lo = np.floor((np.asarray(centre) - radius) / step) * step
    hi = np.ceil((np.asarray(centre) + radius) / step) * step
    side = float((hi - lo).max())
    return (float(lo[0]), float(lo[0] + side), float(lo[1]), float(lo[1] + side))


def _nice(value: float) -> float:
    """The 1-2-5 number at or above ``value``."""
    mag = 10.0 ** np.floor(np.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * mag >= value:
            return float(m * mag)
    return float(10 * mag)


def _tick(view: tuple[float, float, float, float]) -> float:
    """A tick spacing giving three or four ticks across ``view``."""
    return _nice((view[1] - view[0]) / 4)

