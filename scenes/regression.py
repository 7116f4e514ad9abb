r"""Fitting a line by gradient descent (S3, S4), and one sample vs mini-batches vs the full batch.

* :class:`LinearRegressionFit` - S4: the scatter of :math:`Y = 3X + \varepsilon`, the line
  :math:`y = m x + b` moving with every full-batch step, the path of :math:`(m, b)` over the
  contours of the loss, the loss curve, the mean squared error with its two partial derivatives,
  and one update worked out with the numbers of the first step.
* :class:`StochasticVsBatch` - S3: the four-point example trained one sample at a time, then the
  same line fitted with the full batch, mini-batches and single samples on the same contours,
  with the cost of each (gradient evaluations) counted as the runs go.

Every number on screen comes from :mod:`gdanim.regression` (the runs, the loss and its gradient);
the scenes only animate the recorded arrays. The formulas are written to match what
:class:`gdanim.regression.LinearModel` computes: with :math:`r_i = m x_i + b - y_i`,

.. math::

    L = \frac{1}{n}\sum_i r_i^2, \qquad
    \frac{\partial L}{\partial m} = \frac{2}{n}\sum_i x_i r_i, \qquad
    \frac{\partial L}{\partial b} = \frac{2}{n}\sum_i r_i .

The loss surface, the three fits of S3 and the panels both scenes share live in
:mod:`scenes.regression_parts`.

Render with::

    manim -ql scenes/regression.py LinearRegressionFit
    manim -ql scenes/regression.py StochasticVsBatch
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Group,
    Indicate,
    Line,
    Mobject,
    Rectangle,
    SurroundingRectangle,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    Write,
    linear,
    smooth,
)

from gdanim.regression import SLOPE, line_dataset, s3_run, s4_run, tiny_dataset
from scenes.losscurves import GrowingPolyline, NumberText, counter_row, plot_axes
from scenes.mobjects import ContourMap, TrajectoryPath, make_head, to_scene
from scenes.pacing import say, wait_until
from scenes.regression_parts import (
    LOG_LIFT,
    LOSS_VIEW,
    STOCHASTIC_SETUP,
    TICK_FONT,
    ZOOM_VIEW,
    FitLabel,
    LineLoss,
    Readout,
    ValueTex,
    WorkedStep,
    batch_note,
    cost_table,
    frame_of,
    loss_levels,
    lr_text,
    map_frame,
    number_text,
    params_at,
    run_lr,
    stochastic_runs,
    zoom_path,
)
from scenes.style import (
    BACKGROUND,
    END_COLOR,
    LABEL_SIZE,
    MUTED_TEXT,
    ORANGE,
    SKY,
    SMALL_SIZE,
    TEXT_COLOR,
    YELLOW,
    GDScene,
    fmt,
    make_marker,
    make_tex,
    make_text,
    title,
)

# LOSS_VIEW, LineLoss, loss_levels and map_frame are also imported from here by
# scenes.conditioning (they live in scenes.regression_parts)
__all__ = [
    "LOSS_TEX",
    "LOSS_VIEW",
    "LineLoss",
    "LinearRegressionFit",
    "StochasticVsBatch",
    "loss_levels",
    "map_frame",
]

#: The mean squared error of the line and its partial derivatives, as ``LinearModel`` computes
#: them (``losses``, ``grad``), with the residual written out.
LOSS_TEX = (
    r"L(m, b) = \frac{1}{n}\sum_{i=1}^{n} \left(m x_i + b - y_i\right)^2",
    r"\frac{\partial L}{\partial m} = \frac{2}{n}\sum_{i=1}^{n} x_i \left(m x_i + b - y_i\right)",
    r"\frac{\partial L}{\partial b} = \frac{2}{n}\sum_{i=1}^{n} \left(m x_i + b - y_i\right)",
)


# --------------------------------------------------------------------------------------------
# S4: the line fit
# --------------------------------------------------------------------------------------------


class LinearRegressionFit(GDScene):
    r"""S4: full-batch gradient descent fits :math:`y = m x + b` to 100 noisy points.

    Attributes (for tests)
    ----------------------
    run : TrainingRun
        :func:`gdanim.regression.s4_run`.
    m_readout, b_readout, loss_readout : Readout
        ``label = value`` readouts; ``.number`` is the DecimalNumber.
    fit_label : FitLabel
        ``y = m x + b`` with the final numbers, beside the line; ``fit_label.values`` holds the
        displayed strings ``(m, b)``.
    worked : WorkedStep
        The first update worked out with numbers; ``worked.values`` holds the displayed strings
        ``{"grad_m", "grad_b", "m1", "b1"}``.
    path : TrajectoryPath
    loss_curve : GrowingPolyline
    """

    def construct(self) -> None:
        run = s4_run()
        x, y = line_dataset()
        self.run = run
        lr = run_lr(run)
        steps = run.steps
        n = len(x)
        self.section("Fitting a line")

        head = title("Fitting a line by gradient descent")

        # ---- scatter (top left)
        scatter_axes = plot_axes(
            (0, 10, 2),
            (0, 35, 10),
            x_length=5.6,
            y_length=2.95,
            x_name="x",
            y_name="y",
            font_size=TICK_FONT,
        )
        scatter_axes.shift(np.array([-6.0, -0.45, 0.0]) - scatter_axes.c2p(0, 0))
        dots = VGroup(
            *[
                make_marker(scatter_axes.c2p(xi, yi), SKY, radius=0.045)
                for xi, yi in zip(x, y, strict=True)
            ]
        )
        for d in dots:
            d.set_stroke(BACKGROUND, width=1.0, background=True)

        tracker = ValueTracker(0.0)
        x_lo, x_hi = 0.0, 10.0

        def line_points(t: float) -> tuple[np.ndarray, np.ndarray]:
            m, b = params_at(run, t)
            return scatter_axes.c2p(x_lo, m * x_lo + b), scatter_axes.c2p(x_hi, m * x_hi + b)

        fit_line = Line(*line_points(0.0), stroke_color=ORANGE, stroke_width=5)
        fit_line.set_stroke(BACKGROUND, width=8, background=True)

        def follow(line: Mobject) -> None:
            assert isinstance(line, Line)
            start, end = line_points(tracker.get_value())
            line.put_start_and_end_on(start, end)

        model_tex = make_tex(r"y = m x + b", font_size=32, color=ORANGE)
        model_tex.move_to(scatter_axes.c2p(2.6, 30.5))

        m0, b0 = run.params[0]
        m0_s, b0_s = number_text(m0), number_text(b0)
        end = say(
            self,
            f"{n} noisy points around a line. We fit y = m x + b by gradient descent, from "
            f"m = {m0_s}, b = {b0_s}.",
        )
        self.play(FadeIn(head), Create(scatter_axes), run_time=1.2)
        self.play(FadeIn(dots, lag_ratio=0.02), run_time=1.5)
        self.play(Create(fit_line), Write(model_tex), run_time=1.0)
        fit_line.add_updater(follow)
        wait_until(self, end)

        # ---- formulas (right half, before the training panels appear)
        defs = VGroup(*[make_tex(t, font_size=32) for t in LOSS_TEX]).arrange(
            DOWN, aligned_edge=LEFT, buff=0.3
        )
        defs.move_to((3.9, 1.0, 0.0))
        end = say(
            self,
            "The loss's partial derivatives say how it changes with m and with b.",
        )
        for line in defs:
            self.play(Write(line), run_time=1.0)
        wait_until(self, end)

        g_m, g_b = run.step_grad[0]
        m1, b1 = run.params[1]
        values = {
            "grad_m": fmt(g_m, 3),
            "grad_b": fmt(g_b, 3),
            "m1": fmt(m1, 3),
            "b1": fmt(b1, 3),
        }
        lr_s = lr_text(lr)
        worked = WorkedStep(
            make_text(
                f"step 1, from m = {m0_s}, b = {b0_s} with n = {n}, "
                f"learning rate \u03b7 = {lr_s}:",
                font_size=LABEL_SIZE,
                color=MUTED_TEXT,
            ),
            make_tex(
                rf"\frac{{\partial L}}{{\partial m}} = {values['grad_m']}, \qquad "
                rf"\frac{{\partial L}}{{\partial b}} = {values['grad_b']}",
                font_size=32,
            ),
            make_tex(
                rf"m \leftarrow {m0_s} - {lr_s} \cdot ({values['grad_m']}) = {values['m1']}",
                font_size=32,
            ),
            make_tex(
                rf"b \leftarrow {b0_s} - {lr_s} \cdot ({values['grad_b']}) = {values['b1']}",
                font_size=32,
            ),
            values=values,
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        worked[2][0][-len(values["m1"]) :].set_color(ORANGE)
        worked[3][0][-len(values["b1"]) :].set_color(ORANGE)
        worked.move_to((0.0, -2.45, 0.0)).align_to(scatter_axes, LEFT)
        self.worked = worked
        if g_m < 0 and g_b < 0:
            sign_note = "Both derivatives are negative, so one step"
        else:
            sign_note = f"The derivatives are {values['grad_m']} and {values['grad_b']}; one step"
        end = say(
            self,
            f"{sign_note} with learning rate {lr_s} takes m to {values['m1']} and b to "
            f"{values['b1']}.",
        )
        self.play(FadeIn(worked[0]), Write(worked[1]), run_time=1.2)
        self.wait(0.5)
        self.play(Write(worked[2]), run_time=1.0)
        self.play(Write(worked[3]), run_time=1.0)
        self.play(tracker.animate.set_value(1.0), run_time=1.5, rate_func=smooth)
        wait_until(self, end)

        # ---- training panels: loss map (top right), loss curve (bottom left), readout
        self.section("Training")
        loss = LineLoss(x, y)
        view = LOSS_VIEW
        map_axes = map_frame(view, width=5.3, height=3.0)
        map_axes.shift(np.array([1.35, -0.45, 0.0]) - map_axes.c2p(view[0], view[2]))
        levels = loss_levels(loss, view)
        cmap = ContourMap(
            loss, map_axes, view, levels=list(levels), image_resolution=300, fill_strength=0.3
        )
        map_title = make_text("loss over (m, b)", font_size=SMALL_SIZE, color=MUTED_TEXT)
        map_frame_box = frame_of(map_axes)
        map_title.next_to(map_frame_box, UP, buff=0.12).align_to(map_frame_box, RIGHT)
        path_pts = to_scene(map_axes, run.params)
        path = TrajectoryPath(path_pts, ORANGE, width=3.5, tracker=tracker, head="dot")
        self.path = path

        loss_axes = plot_axes(
            (0, steps, 20),
            (0, 3.5, 0.5),
            x_length=5.6,
            y_length=1.6,
            y_ticks={LOG_LIFT + k: f"{10**k}" for k in range(4)},
            x_name="epoch",
            y_name="loss (log scale)",
            x_name_right=True,
            font_size=TICK_FONT,
        )
        loss_axes.shift(np.array([-6.0, -3.2, 0.0]) - loss_axes.c2p(0, 0))
        epochs = np.arange(run.epochs + 1)
        log_loss = np.log10(run.train_loss) + LOG_LIFT
        loss_pts = np.array(
            [loss_axes.c2p(float(e), v) for e, v in zip(epochs, log_loss, strict=True)]
        )
        loss_curve = GrowingPolyline(
            loss_pts,
            ORANGE,
            width=3.5,
            data=np.c_[epochs, run.train_loss],
            tracker=tracker,
        )
        loss_head = make_marker(loss_curve.tip, ORANGE, radius=0.06)
        loss_head.add_updater(lambda d: d.move_to(loss_curve.tip))
        self.loss_curve = loss_curve

        # readout (bottom right)
        rule = make_tex(
            rf"m \leftarrow m - {lr_s}\,\frac{{\partial L}}{{\partial m}}, \qquad "
            rf"b \leftarrow b - {lr_s}\,\frac{{\partial L}}{{\partial b}}",
            font_size=30,
        )
        epoch_row = counter_row("epoch", 1, steps)
        m_read = Readout("m", float(run.params[1, 0]))
        b_read = Readout("b", float(run.params[1, 1]))
        l_read = Readout("L", float(run.train_loss[1]))
        values_row = VGroup(m_read, b_read, l_read).arrange(RIGHT, buff=0.55, aligned_edge=DOWN)
        readout = VGroup(rule, epoch_row, values_row).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        readout.move_to((3.95, -2.45, 0.0))
        self.m_readout, self.b_readout, self.loss_readout = m_read, b_read, l_read
        self.epoch_row = epoch_row

        shown: list[int] = []  # the epoch the readout shows, once it has been set

        def update_readout(_: Mobject) -> None:
            k = int(np.floor(tracker.get_value() + 1e-9))
            k = max(1, min(k, steps))
            if shown == [k]:
                return
            shown[:] = [k]
            m_read.set_number(float(run.params[k, 0]))
            b_read.set_number(float(run.params[k, 1]))
            l_read.set_number(float(run.train_loss[k]))
            epoch_row.counter.set_value(k)

        end = say(self, "Right, the path over the loss surface; below, the loss after each epoch.")
        self.play(FadeOut(defs), FadeOut(worked), run_time=0.8)
        self.play(
            FadeIn(cmap),
            Create(map_axes),
            FadeIn(map_title),
            Create(loss_axes),
            FadeIn(readout),
            run_time=1.4,
        )
        self.add(path, loss_curve, loss_head)
        readout.add_updater(update_readout)
        wait_until(self, end)

        early = 10
        b_early = run.params[early, 1]
        end = say(
            self,
            f"The first steps do most of the work: after {early} epochs the loss is down from "
            f"{fmt(run.train_loss[0], 1)} to {fmt(run.train_loss[early])}.",
        )
        self.play(tracker.animate.set_value(float(early)), run_time=4.5, rate_func=linear)
        wait_until(self, end)
        m_end, b_end = run.final_params
        end = say(
            self,
            f"Then the intercept creeps from {fmt(b_early)} to {fmt(b_end)} while the slope "
            "barely moves.",
        )
        self.play(tracker.animate.set_value(float(steps)), run_time=5.0, rate_func=linear)
        for mob in (fit_line, path, loss_curve, loss_head):
            mob.clear_updaters()
        readout.clear_updaters()
        update_readout(readout)

        # ---- the fit
        values_fit = (fmt(m_end, 3), fmt(b_end, 3))
        fit_label = FitLabel(
            rf"y = {values_fit[0]}\,x + {values_fit[1]}", values_fit, font_size=32, color=ORANGE
        )
        fit_label.move_to(model_tex, aligned_edge=LEFT)
        self.fit_label = fit_label
        box = SurroundingRectangle(values_row[:2], color=END_COLOR, buff=0.12, corner_radius=0.06)
        wait_until(self, end)
        end = say(
            self,
            f"After {steps} epochs: slope {values_fit[0]}, intercept {values_fit[1]}, "
            f"mean squared error {fmt(run.train_loss[-1])}.",
        )
        self.play(FadeOut(model_tex), FadeIn(fit_label), Create(box), run_time=1.0)
        self.play(Indicate(fit_line, color=ORANGE, scale_factor=1.0), run_time=1.0)
        wait_until(self, end, minimum=1.0)


# --------------------------------------------------------------------------------------------
# S3: one sample at a time; batch sizes compared
# --------------------------------------------------------------------------------------------


class StochasticVsBatch(GDScene):
    r"""S3: one sample at a time on four points, then batch sizes compared on the line of S4.

    Attributes (for tests)
    ----------------------
    tiny_run : TrainingRun
        :func:`gdanim.regression.s3_run`.
    w_readout : Readout
        ``w = ...``; ``.number`` is the DecimalNumber.
    w_exact : NumberText
        The final ``w`` in full float64 precision (``w_exact.value_str``).
    prediction : ValueTex
        The prediction at ``x = 5``; ``prediction.value_str`` the displayed number.
    runs : dict of str to TrainingRun
        :func:`scenes.regression_parts.stochastic_runs`.
    counters : dict of str to (GlyphCounter, GlyphCounter)
        ``key -> (updates, gradient evaluations)``.
    paths : dict of str to TrajectoryPath
    """

    def construct(self) -> None:
        self._tiny_example()
        self._batch_sizes()

    # ---- part 1: the four points of S3 -------------------------------------------------------

    def _tiny_example(self) -> None:
        run = s3_run()
        self.tiny_run = run
        x, y = tiny_dataset()
        lr = run_lr(run)
        lr_s = lr_text(lr)
        steps, epochs = run.steps, run.epochs
        n = len(x)
        self.section("One sample at a time")
        head = title("One sample at a time")

        axes = plot_axes(
            (0, 5, 1),
            (0, 12, 2),
            x_length=5.2,
            y_length=4.6,
            x_name="x",
            y_name="y",
            font_size=TICK_FONT,
        )
        axes.shift(np.array([-6.0, -3.3, 0.0]) - axes.c2p(0, 0))
        dots = VGroup(
            *[make_marker(axes.c2p(a, b), SKY, radius=0.09) for a, b in zip(x, y, strict=True)]
        )
        tracker = ValueTracker(0.0)
        w_at = run.params[:, 0]

        def w_of(t: float) -> float:
            return float(params_at(run, t)[0])

        line = Line(axes.c2p(0, 0), axes.c2p(5, 5 * w_at[0]), stroke_color=ORANGE, stroke_width=5)
        line.set_stroke(BACKGROUND, width=8, background=True)
        line.add_updater(
            lambda ln: ln.put_start_and_end_on(
                axes.c2p(0, 0), axes.c2p(5, 5 * w_of(tracker.get_value()))
            )
        )
        line_name = make_tex("y = w x", font_size=30, color=ORANGE).move_to(axes.c2p(1.1, 11.0))

        # which sample the current step uses: a ring around it
        ring = make_head("ring", YELLOW, size=0.42)
        sample_of_step = run.orders.reshape(-1)  # batch size 1: one index per step

        def place_ring(r: Mobject) -> None:
            k = int(np.floor(tracker.get_value() + 1e-9))
            k = min(k, steps - 1)
            i = int(sample_of_step[k])
            r.move_to(axes.c2p(x[i], y[i]))

        ring.add_updater(place_ring)

        # formulas on the right
        rule = VGroup(
            make_tex(r"L_i(w) = \left(x_i w - y_i\right)^2", font_size=34),
            make_tex(r"\frac{dL_i}{dw} = 2 x_i \left(x_i w - y_i\right)", font_size=34),
            make_tex(
                rf"w \leftarrow w - {lr_s} \cdot 2 x_i \left(x_i w - y_i\right)", font_size=34
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        rule.move_to((0.0, 0.0, 0.0)).align_to(np.array([0.45, 2.65, 0]), UP + LEFT)
        i0 = int(sample_of_step[0])
        g0 = float(run.step_grad[0, 0])
        w0, w1 = float(w_at[0]), float(w_at[1])
        first = make_tex(
            rf"w \leftarrow {fmt(w0, 1)} - {lr_s} \cdot 2 \cdot {fmt(x[i0], 0)}\,"
            rf"({fmt(x[i0], 0)} \cdot {fmt(w0, 1)} - {fmt(y[i0], 0)}) = {fmt(w1, 3)}",
            font_size=32,
        )
        first_note = make_text(
            f"step 1, sample ({fmt(x[i0], 0)}, {fmt(y[i0], 0)}):",
            font_size=LABEL_SIZE,
            color=MUTED_TEXT,
        )
        first_group = VGroup(first_note, first).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        first_group.next_to(rule, DOWN, buff=0.45).align_to(rule, LEFT)
        assert abs((w0 - lr * g0) - w1) == 0.0

        step_row = counter_row("step", 0, steps)
        self.step_row = step_row
        w_read = Readout("w", w0, decimals=3, size=38)
        status = VGroup(step_row, w_read).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        status.next_to(first_group, DOWN, buff=0.45).align_to(rule, LEFT)
        self.w_readout = w_read

        shown: list[int] = []  # the step the status shows, once it has been set

        def update_status(_: Mobject) -> None:
            k = int(np.floor(tracker.get_value() + 1e-9))
            if shown == [k]:
                return
            shown[:] = [k]
            step_row.counter.set_value(k)
            w_read.set_number(float(w_at[k]))

        # part one's runs took the exact gradient of a known function at every step: plain
        # gradient descent, even where the optimizer is torch's SGD; here the gradient comes
        # from samples of data
        so_far = make_text(
            "so far every step used the exact gradient: plain gradient descent",
            font_size=SMALL_SIZE,
            color=MUTED_TEXT,
        )
        so_far.next_to(head, DOWN, buff=0.12)
        self.so_far = so_far
        said = (
            "So far every step was plain gradient descent on the exact gradient, even under the "
            "name SGD."
        )
        self.bridge_caption = said
        end = say(self, said)
        self.play(FadeIn(head), FadeIn(so_far), run_time=1.0)
        self.play(Create(axes), FadeIn(dots, lag_ratio=0.2), run_time=1.4)
        wait_until(self, end, minimum=0.5)
        end = say(
            self,
            f"{n} points on y = 2x: stochastic gradient descent fits y = w x from "
            f"w = {fmt(w0, 1)}, one sample at a time.",
        )
        self.play(FadeOut(so_far), Create(line), FadeIn(line_name), run_time=0.8)
        self.play(Write(rule), run_time=1.8)
        wait_until(self, end)
        end = say(
            self,
            f"The first sample, ({fmt(x[i0], 0)}, {fmt(y[i0], 0)}), moves w from {fmt(w0, 1)} "
            f"to {fmt(w1, 3)} at learning rate {lr_s}; then the next, in order, for {epochs} "
            "passes.",
        )
        self.play(FadeIn(first_group), run_time=1.0)
        self.play(FadeIn(status), FadeIn(ring), run_time=0.6)
        status.add_updater(update_status)
        self.play(tracker.animate.set_value(1.0), run_time=1.0)
        self.play(tracker.animate.set_value(float(n)), run_time=2.0, rate_func=linear)
        self.play(tracker.animate.set_value(float(steps)), run_time=2.4, rate_func=smooth)
        wait_until(self, end)
        for mob in (line, ring, status):
            mob.clear_updaters()
        update_status(status)
        self.remove(ring)

        w_final = float(run.final_params[0])
        pred = float(SLOPE.predict(run.final_params, [5.0])[0])
        exact = NumberText(
            f"in float64: {w_final!r}", repr(w_final), font_size=SMALL_SIZE, color=MUTED_TEXT
        )
        exact.next_to(w_read, DOWN, buff=0.15).align_to(w_read, LEFT)
        self.w_exact = exact
        pred_s = fmt(pred, 3)
        prediction = ValueTex(rf"\hat y(5) = 5w = {pred_s}", pred_s, font_size=34, color=END_COLOR)
        prediction.next_to(exact, DOWN, buff=0.3).align_to(w_read, LEFT)
        self.prediction = prediction
        pred_dot = make_marker(axes.c2p(5, pred), END_COLOR, radius=0.1)
        end = say(
            self,
            f"After {steps} single-sample steps w = {fmt(w_final)}; the prediction at x = 5 is "
            f"{pred_s}.",
        )
        self.play(FadeIn(exact), FadeIn(prediction), FadeIn(pred_dot, scale=1.5), run_time=1.0)
        wait_until(self, end, minimum=1.0)
        self.play(*[FadeOut(m) for m in list(self.mobjects)], run_time=0.8)

    # ---- part 2: batch sizes on the line of S4 -----------------------------------------------

    def _batch_sizes(self) -> None:
        runs = stochastic_runs()
        self.runs = runs
        x, y = line_dataset()
        n = len(x)
        self.section("Batch sizes")
        head = title("Full batch, mini-batches, one sample")
        loss = LineLoss(x, y)

        # overview of the loss (top left) and the valley floor zoomed (right)
        view = LOSS_VIEW
        over = map_frame(view, width=4.9, height=2.4)
        over.shift(np.array([-6.1, 0.3, 0.0]) - over.c2p(view[0], view[2]))
        over_map = ContourMap(
            loss,
            over,
            view,
            levels=list(loss_levels(loss, view)),
            image_resolution=240,
            fill_strength=0.3,
        )
        zview = ZOOM_VIEW
        z_width = 6.0
        z_height = z_width * (zview[3] - zview[2]) / (zview[1] - zview[0])
        zoom = map_frame(zview, width=z_width, height=z_height, steps=(0.1, 0.1))
        zoom.shift(np.array([0.55, -1.7, 0.0]) - zoom.c2p(zview[0], zview[2]))
        zoom_frame = frame_of(zoom)
        zoom_frame.set_stroke(TEXT_COLOR, width=2)
        self.zoom_frame = zoom_frame
        zoom_map = ContourMap(
            loss,
            zoom,
            zview,
            levels=list(loss_levels(loss, zview)),
            image_resolution=360,
            fill_strength=0.3,
        )
        zoom_rect = Rectangle(
            width=abs(over.c2p(zview[1], 0)[0] - over.c2p(zview[0], 0)[0]),
            height=abs(over.c2p(0, zview[3])[1] - over.c2p(0, zview[2])[1]),
            stroke_color=TEXT_COLOR,
            stroke_width=2,
        ).move_to(over.c2p((zview[0] + zview[1]) / 2, (zview[2] + zview[3]) / 2))
        zoom_note = make_text("the valley floor, zoomed in", font_size=SMALL_SIZE, color=MUTED_TEXT)
        zoom_note.next_to(zoom_frame, DOWN, buff=0.5).align_to(zoom_frame, LEFT)

        tracker = ValueTracker(0.0)  # number of updates done by every run (capped at its own)
        self.paths: dict[str, TrajectoryPath] = {}
        self.zoom_paths: dict[str, GrowingPolyline] = {}
        over_paths = VGroup()
        zoom_paths = VGroup()
        for key, _label, _batch, _lr, _ep, color, shape in reversed(STOCHASTIC_SETUP):
            run = runs[key]
            thin = key == "single"
            path = TrajectoryPath(
                to_scene(over, run.params),
                color,
                width=1.6 if thin else 2.6,
                casing=2.0,
                tracker=tracker,
                head=shape,
                head_size=0.14,
            )
            self.paths[key] = path
            over_paths.add(path)
            zpath, zhead = zoom_path(
                run, zoom, zview, color, shape, tracker, width=2.0 if thin else 3.5
            )
            self.zoom_paths[key] = zpath
            zoom_paths.add(zpath, zhead)
        start_dot = make_marker(over.c2p(0, 0), TEXT_COLOR, radius=0.06)

        # the cost table (bottom left)
        table, counters = cost_table(runs, n)
        table.move_to((0.0, 0.0, 0.0)).align_to(np.array([-6.55, -0.75, 0.0]), UP + LEFT)
        self.cost_table = table
        self.counters = counters

        def update_counters(_: Mobject) -> None:
            k_all = int(np.floor(tracker.get_value() + 1e-9))
            for key, (updates, evals) in counters.items():
                run = runs[key]
                k = min(k_all, run.steps)
                updates.set_value(k)
                evals.set_value(int(run.grad_evals[k]))

        full, mini, single = runs["full"], runs["mini"], runs["single"]
        end = say(
            self,
            f"Back to the {n} points: each gradient from all of them, from {mini.batch_size}, "
            "or from one.",
        )
        self.play(FadeIn(head), FadeIn(over_map), Create(over), run_time=1.2)
        self.play(FadeIn(table, lag_ratio=0.1), FadeIn(start_dot), run_time=1.0)
        self.add(over_paths)
        table.add_updater(update_counters)
        self.play(tracker.animate.set_value(3.0), run_time=2.5, rate_func=linear)
        wait_until(self, end)
        end = say(self, "All three reach the valley fast. Zoom in on its floor.")
        self.play(Create(zoom_rect), run_time=0.6)
        grow = zoom_frame.copy()
        self.play(
            FadeIn(zoom_map),
            Create(zoom),
            TransformFromCopy(zoom_rect, grow),
            FadeIn(zoom_note),
            run_time=1.2,
        )
        self.remove(grow)
        self.add(zoom_paths)
        wait_until(self, end)
        end = say(
            self,
            f"An update costs a gradient per sample it uses; in all {int(full.grad_evals[-1]):,} "
            f"for the full batch, {int(mini.grad_evals[-1]):,} in batches of {mini.batch_size}, "
            f"{int(single.grad_evals[-1]):,} one at a time.",
        )
        self.play(tracker.animate.set_value(10.0), run_time=2.5, rate_func=linear)
        self.play(tracker.animate.set_value(float(full.steps)), run_time=2.5, rate_func=linear)
        last = max(r.steps for r in runs.values())
        self.play(tracker.animate.set_value(float(last)), run_time=3.0, rate_func=linear)
        wait_until(self, end)
        table.clear_updaters()
        update_counters(table)
        for mob in (*over_paths, *zoom_paths):
            mob.clear_updaters()

        note = batch_note()
        note.move_to((0.0, 0.0, 0.0)).align_to(np.array([-6.55, 2.75, 0.0]), UP + LEFT)
        self.note = note
        end = say(
            self,
            "One sample: cheap and noisy. Full batch: smooth and costly. Mini-batches sit "
            "between.",
        )
        self.play(FadeOut(Group(over, over_map, over_paths, zoom_rect, start_dot)), run_time=0.6)
        self.play(FadeIn(note, lag_ratio=0.15), run_time=1.5)
        wait_until(self, end, minimum=1.0)
