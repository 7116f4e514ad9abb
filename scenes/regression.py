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

Render with::

    manim -ql scenes/regression.py LinearRegressionFit
    manim -ql scenes/regression.py StochasticVsBatch
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    DecimalNumber,
    FadeIn,
    FadeOut,
    Group,
    Indicate,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    SurroundingRectangle,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
    smooth,
)

from gdanim.optimizers import sgd
from gdanim.regression import (
    LINE,
    SLOPE,
    TrainingRun,
    line_dataset,
    s3_run,
    s4_run,
    tiny_dataset,
    train,
)
from scenes.losscurves import GlyphCounter, GrowingPolyline, counter_row, plot_axes
from scenes.mobjects import (
    ContourMap,
    TrajectoryPath,
    framed_axes,
    make_head,
    tick_text,
    tick_values,
    to_scene,
)
from scenes.pacing import say, wait_until
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    END_COLOR,
    LABEL_SIZE,
    MUTED_TEXT,
    ORANGE,
    PURPLE,
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

__all__ = [
    "LOG_LIFT",
    "LOSS_TEX",
    "LOSS_VIEW",
    "STOCHASTIC_SETUP",
    "ZOOM_VIEW",
    "LineLoss",
    "LinearRegressionFit",
    "StochasticVsBatch",
    "loss_levels",
    "map_frame",
    "stochastic_runs",
]

#: The mean squared error of the line and its partial derivatives, as ``LinearModel`` computes
#: them (``losses``, ``grad``), with the residual written out.
LOSS_TEX = (
    r"L(m, b) = \frac{1}{n}\sum_{i=1}^{n} \left(m x_i + b - y_i\right)^2",
    r"\frac{\partial L}{\partial m} = \frac{2}{n}\sum_{i=1}^{n} x_i \left(m x_i + b - y_i\right)",
    r"\frac{\partial L}{\partial b} = \frac{2}{n}\sum_{i=1}^{n} \left(m x_i + b - y_i\right)",
)

#: The (m, b) box both scenes draw the loss over.
LOSS_VIEW = (-0.5, 3.5, -0.5, 0.9)

#: The floor of the loss valley, where the three runs of StochasticVsBatch end.
ZOOM_VIEW = (2.5, 3.2, 0.1, 0.6)

#: The log-scale loss axis starts half a decade below a loss of 1, so that a loss near 1 (the
#: noise floor of the line data) does not run along the axis line.
LOG_LIFT = 0.5

#: Smallest readable font size on these busy frames (never below 20 at 1080p).
TICK_FONT = 20


class LineLoss:
    """The mean squared error of ``y = m x + b`` on fixed data, as a 2D surface over ``(m, b)``.

    ``value(p)`` takes points of shape ``(..., 2)`` (``[m, b]``) and returns
    :meth:`gdanim.regression.LinearModel.losses` of :data:`gdanim.regression.LINE`, so the
    contour map draws exactly the loss gdanim trains on.

    Examples
    --------
    >>> loss = LineLoss([0.0, 1.0], [1.0, 3.0])
    >>> loss.value(np.array([[2.0, 1.0], [0.0, 0.0]])).tolist()
    [0.0, 5.0]
    """

    def __init__(self, x: Any, y: Any) -> None:
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)

    def value(self, p: np.ndarray) -> np.ndarray:
        """Loss at every ``[m, b]`` of ``p``."""
        return np.asarray(LINE.losses(np.asarray(p, dtype=np.float64), self.x, self.y))


def loss_levels(loss: LineLoss, view: Sequence[float], n: int = 9) -> np.ndarray:
    """Contour levels spaced geometrically above the smallest loss in ``view``.

    The loss of a line is a long, narrow bowl in ``(m, b)``; geometric spacing shows both its
    steep walls and its flat floor.
    """
    xmin, xmax, ymin, ymax = view
    gm, gb = np.meshgrid(np.linspace(xmin, xmax, 241), np.linspace(ymin, ymax, 241))
    z = loss.value(np.stack([gm, gb], axis=-1))
    low = float(z.min())
    high = float(np.percentile(z, 90)) - low
    return np.asarray(low + np.geomspace(0.03, high, n))


def map_frame(
    view: Sequence[float],
    *,
    width: float,
    height: float,
    steps: tuple[float, float] = (1.0, 0.5),
    labels: tuple[str, str] = ("m", "b"),
    font_size: float = TICK_FONT,
) -> Axes:
    """Axes for a loss map over ``view``: invisible axis lines, a thin frame, ticks outside.

    ``axes.frame_box`` is the frame; ``axes.tick_labels`` the tick numbers (Text).
    """
    xmin, xmax, ymin, ymax = (float(v) for v in view)
    axes = framed_axes(view, width, height, steps)
    frame = axes.frame_box
    ticks = VGroup()
    numbers = VGroup()
    # the axis names take the place of the last number on each axis when a tick sits there
    for v in tick_values(xmin, xmax, steps[0]):
        p = axes.c2p(v, ymin)
        ticks.add(Line(p, p + DOWN * 0.08, stroke_color=AXIS_COLOR, stroke_width=1.5))
        if xmax - v > 0.3 * steps[0]:
            numbers.add(make_text(tick_text(v, steps[0]), font_size=font_size, color=MUTED_TEXT))
            numbers[-1].next_to(ticks[-1], DOWN, buff=0.06)
    n_x = len(numbers)
    for v in tick_values(ymin, ymax, steps[1]):
        p = axes.c2p(xmin, v)
        ticks.add(Line(p, p + LEFT * 0.08, stroke_color=AXIS_COLOR, stroke_width=1.5))
        if ymax - v > 0.3 * steps[1]:
            numbers.add(make_text(tick_text(v, steps[1]), font_size=font_size, color=MUTED_TEXT))
            numbers[-1].next_to(ticks[-1], LEFT, buff=0.06)
    xl = MathTex(labels[0], font_size=font_size * 1.5, color=MUTED_TEXT)
    xl.move_to([frame.get_right()[0], numbers[0].get_y(), 0], aligned_edge=RIGHT)
    yl = MathTex(labels[1], font_size=font_size * 1.5, color=MUTED_TEXT)
    yl.move_to([numbers[n_x:].get_right()[0], frame.get_top()[1], 0], aligned_edge=UP + RIGHT)
    axes.tick_labels = numbers
    axes.x_label_mob = xl
    axes.y_label_mob = yl
    axes.add(frame, ticks, numbers, xl, yl)
    return axes


def _g(v: float) -> str:
    """A short exact number as typed (``0``, ``1.0`` stays ``1``)."""
    return f"{float(v):g}"


def _lr_text(lr: float) -> str:
    """A learning rate as written in the optimizer's label (``0.01``, ``0.002``)."""
    return f"{lr:g}"


def _params_at(run: TrainingRun, t: float) -> np.ndarray:
    """Parameters at fractional step ``t`` (linear between recorded steps, for motion only)."""
    p = run.params
    t = float(np.clip(t, 0.0, len(p) - 1))
    k = min(int(np.floor(t)), len(p) - 2)
    return np.asarray(p[k] + (t - k) * (p[k + 1] - p[k]))


def _readout(label: str, value: float, decimals: int = 3, size: float = 34) -> VGroup:
    """``label = value`` with the value a :class:`~manim.DecimalNumber` (``group.number``)."""
    lhs = MathTex(label + "=", font_size=size, color=TEXT_COLOR)
    num = DecimalNumber(value, num_decimal_places=decimals, font_size=size, color=TEXT_COLOR)
    num.next_to(lhs, RIGHT, buff=0.15)
    num.align_to(lhs, DOWN)
    group = VGroup(lhs, num)
    group.number = num
    return group


def _set_number(group: VGroup, value: float) -> None:
    """Change a readout's value, keeping its left edge and baseline in place."""
    num = group.number
    left = num.get_left()
    bottom = num.get_bottom()[1]
    num.set_value(value)
    num.move_to(left, aligned_edge=LEFT)
    num.shift(UP * (bottom - num.get_bottom()[1]))


def _set_counter(group: VGroup, value: int) -> None:
    """Show ``value`` in a :func:`scenes.losscurves.counter_row`."""
    group.counter.set_value(value)


# --------------------------------------------------------------------------------------------
# S4: the line fit
# --------------------------------------------------------------------------------------------


class LinearRegressionFit(GDScene):
    r"""S4: full-batch gradient descent fits :math:`y = m x + b` to 100 noisy points.

    Attributes (for tests)
    ----------------------
    run : TrainingRun
        :func:`gdanim.regression.s4_run`.
    m_readout, b_readout, loss_readout : VGroup
        ``label = value`` readouts; ``.number`` is the DecimalNumber.
    fit_label : MathTex
        ``y = m x + b`` with the final numbers, beside the line; ``fit_label.values`` holds the
        displayed strings ``(m, b)``.
    worked : VGroup
        The first update worked out with numbers; ``worked.values`` holds the displayed strings
        ``{"grad_m", "grad_b", "m1", "b1"}``.
    path : TrajectoryPath
    loss_curve : GrowingPolyline
    """

    def construct(self) -> None:
        run = s4_run()
        x, y = line_dataset()
        self.run = run
        lr = float(run.hyperparameters["lr"])  # type: ignore[arg-type]
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
            m, b = _params_at(run, t)
            return scatter_axes.c2p(x_lo, m * x_lo + b), scatter_axes.c2p(x_hi, m * x_hi + b)

        fit_line = Line(*line_points(0.0), stroke_color=ORANGE, stroke_width=5)
        fit_line.set_stroke(BACKGROUND, width=8, background=True)

        def follow(line: Line) -> None:
            start, end = line_points(tracker.get_value())
            line.put_start_and_end_on(start, end)

        model_tex = make_tex(r"y = m x + b", font_size=32, color=ORANGE)
        model_tex.move_to(scatter_axes.c2p(2.6, 30.5))

        m0, b0 = run.params[0]
        end = say(
            self,
            f"{n} noisy points around a line. We fit y = m x + b by gradient descent, from "
            f"m = {_g(m0)}, b = {_g(b0)}.",
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
        defs.move_to([3.9, 1.0, 0])
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
        lr_s = _lr_text(lr)
        worked = VGroup(
            make_text(
                f"step 1, from m = {_g(m0)}, b = {_g(b0)} with n = {n}, "
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
                rf"m \leftarrow {_g(m0)} - {lr_s} \cdot ({values['grad_m']}) = {values['m1']}",
                font_size=32,
            ),
            make_tex(
                rf"b \leftarrow {_g(b0)} - {lr_s} \cdot ({values['grad_b']}) = {values['b1']}",
                font_size=32,
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        worked[2][0][-len(values["m1"]) :].set_color(ORANGE)
        worked[3][0][-len(values["b1"]) :].set_color(ORANGE)
        worked.move_to([0, -2.45, 0]).align_to(scatter_axes, LEFT)
        worked.values = values
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
            loss, map_axes, view, levels=levels, image_resolution=300, fill_strength=0.3
        )
        map_title = make_text("loss over (m, b)", font_size=SMALL_SIZE, color=MUTED_TEXT)
        map_title.next_to(map_axes.frame_box, UP, buff=0.12).align_to(map_axes.frame_box, RIGHT)
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
        loss_pts = np.array([loss_axes.c2p(e, v) for e, v in zip(epochs, log_loss, strict=True)])
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
        m_read = _readout("m", float(run.params[1, 0]))
        b_read = _readout("b", float(run.params[1, 1]))
        l_read = _readout("L", float(run.train_loss[1]))
        values_row = VGroup(m_read, b_read, l_read).arrange(RIGHT, buff=0.55, aligned_edge=DOWN)
        readout = VGroup(rule, epoch_row, values_row).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        readout.move_to([3.95, -2.45, 0])
        self.m_readout, self.b_readout, self.loss_readout = m_read, b_read, l_read
        self.epoch_row = epoch_row

        def update_readout(group: VGroup) -> None:
            k = int(np.floor(tracker.get_value() + 1e-9))
            k = max(1, min(k, steps))
            if getattr(group, "shown", None) == k:
                return
            group.shown = k
            _set_number(m_read, float(run.params[k, 0]))
            _set_number(b_read, float(run.params[k, 1]))
            _set_number(l_read, float(run.train_loss[k]))
            _set_counter(epoch_row, k)

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
        fit_label = make_tex(
            rf"y = {values_fit[0]}\,x + {values_fit[1]}", font_size=32, color=ORANGE
        )
        fit_label.move_to(model_tex, aligned_edge=LEFT)
        fit_label.values = values_fit
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


#: (key, label, batch size, learning rate, epochs, colour, head shape) of the three line fits.
STOCHASTIC_SETUP: tuple[tuple[str, str, int | None, float, int, str, str], ...] = (
    ("full", "full batch", None, 0.01, 100, YELLOW, "dot"),
    ("mini", "mini-batch", 10, 0.005, 40, PURPLE, "square"),
    ("single", "one sample", 1, 0.003, 10, SKY, "diamond"),
)


def stochastic_runs(seed: int = 1) -> dict[str, TrainingRun]:
    """The three fits of the S4 line compared in :class:`StochasticVsBatch`.

    Full batch is :func:`gdanim.regression.s4_run` (lr 0.01, 100 epochs); mini-batches of 10
    (lr 0.005, 40 epochs) and single samples (lr 0.003, 10 epochs) visit the points in a fresh
    random order every epoch. All three start from ``m = b = 0``. The noisier the gradient
    estimate, the smaller the learning rate, so that all three settle on the valley floor; the
    mini-batch sits between the other two in noise, in updates and in cost.

    Examples
    --------
    >>> runs = stochastic_runs()
    >>> [(k, r.steps, int(r.grad_evals[-1])) for k, r in runs.items()]
    [('full', 100, 10000), ('mini', 400, 4000), ('single', 1000, 1000)]
    """
    x, y = line_dataset()
    runs: dict[str, TrainingRun] = {}
    for key, _label, batch, lr, epochs, _color, _head in STOCHASTIC_SETUP:
        if batch is None:
            runs[key] = s4_run(lr=lr, epochs=epochs)
        else:
            runs[key] = train(
                LINE,
                sgd(lr=lr),
                x,
                y,
                [0.0, 0.0],
                epochs=epochs,
                batch_size=batch,
                shuffle=True,
                seed=seed,
            )
    return runs


class StochasticVsBatch(GDScene):
    r"""S3: one sample at a time on four points, then batch sizes compared on the line of S4.

    Attributes (for tests)
    ----------------------
    tiny_run : TrainingRun
        :func:`gdanim.regression.s3_run`.
    w_readout : VGroup
        ``w = ...``; ``.number`` is the DecimalNumber.
    w_exact : Text
        The final ``w`` in full float64 precision (``w_exact.value_str``).
    prediction : MathTex
        The prediction at ``x = 5``; ``prediction.value_str`` the displayed number.
    runs : dict of str to TrainingRun
        :func:`stochastic_runs`.
    counters : dict of str to (DecimalNumber, DecimalNumber)
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
        lr = float(run.hyperparameters["lr"])  # type: ignore[arg-type]
        lr_s = _lr_text(lr)
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
            return float(_params_at(run, t)[0])

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
        rule.move_to([0, 0, 0]).align_to(np.array([0.45, 2.65, 0]), UP + LEFT)
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
        w_read = _readout("w", w0, decimals=3, size=38)
        status = VGroup(step_row, w_read).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        status.next_to(first_group, DOWN, buff=0.45).align_to(rule, LEFT)
        self.w_readout = w_read

        def update_status(group: VGroup) -> None:
            k = int(np.floor(tracker.get_value() + 1e-9))
            if getattr(group, "shown", None) == k:
                return
            group.shown = k
            _set_counter(step_row, k)
            _set_number(w_read, float(w_at[k]))

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
        exact = make_text(f"in float64: {w_final!r}", font_size=SMALL_SIZE, color=MUTED_TEXT)
        exact.value_str = repr(w_final)
        exact.next_to(w_read, DOWN, buff=0.15).align_to(w_read, LEFT)
        self.w_exact = exact
        pred_s = fmt(pred, 3)
        prediction = make_tex(rf"\hat y(5) = 5w = {pred_s}", font_size=34, color=END_COLOR)
        prediction.value_str = pred_s
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
            levels=loss_levels(loss, view),
            image_resolution=240,
            fill_strength=0.3,
        )
        zview = ZOOM_VIEW
        z_width = 6.0
        z_height = z_width * (zview[3] - zview[2]) / (zview[1] - zview[0])
        zoom = map_frame(zview, width=z_width, height=z_height, steps=(0.1, 0.1))
        zoom.shift(np.array([0.55, -1.7, 0.0]) - zoom.c2p(zview[0], zview[2]))
        zoom.frame_box.set_stroke(TEXT_COLOR, width=2)
        self.zoom_frame = zoom.frame_box
        zoom_map = ContourMap(
            loss,
            zoom,
            zview,
            levels=loss_levels(loss, zview),
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
        zoom_note.next_to(zoom.frame_box, DOWN, buff=0.5).align_to(zoom.frame_box, LEFT)

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
            zpath, zhead = _zoom_path(
                run, zoom, zview, color, shape, tracker, width=2.0 if thin else 3.5
            )
            self.zoom_paths[key] = zpath
            zoom_paths.add(zpath, zhead)
        start_dot = make_marker(over.c2p(0, 0), TEXT_COLOR, radius=0.06)

        # the cost table (bottom left)
        table, counters = _cost_table(runs, n)
        table.move_to([0, 0, 0]).align_to(np.array([-6.55, -0.75, 0.0]), UP + LEFT)
        self.cost_table = table
        self.counters = counters

        def update_counters(group: VGroup) -> None:
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
        grow = zoom.frame_box.copy()
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

        note = _batch_note()
        note.move_to([0, 0, 0]).align_to(np.array([-6.55, 2.75, 0.0]), UP + LEFT)
        self.note = note
        end = say(
            self,
            "One sample: cheap and noisy. Full batch: smooth and costly. Mini-batches sit "
            "between.",
        )
        self.play(FadeOut(Group(over, over_map, over_paths, zoom_rect, start_dot)), run_time=0.6)
        self.play(FadeIn(note, lag_ratio=0.15), run_time=1.5)
        wait_until(self, end, minimum=1.0)


def _zoom_path(
    run: TrainingRun,
    axes: Axes,
    view: Sequence[float],
    color: Any,
    shape: str,
    tracker: ValueTracker,
    *,
    width: float,
) -> tuple[GrowingPolyline, VMobject]:
    """A run's path clipped to a zoomed view: it enters at the box edge, then stays inside.

    The path starts where the step that enters ``view`` for good crosses the box edge, so
    nothing is drawn outside the frame; it grows in step with ``tracker`` (steps done).
    """
    p = run.params
    xmin, xmax, ymin, ymax = view
    inside = (p[:, 0] >= xmin) & (p[:, 0] <= xmax) & (p[:, 1] >= ymin) & (p[:, 1] <= ymax)
    outside = np.flatnonzero(~inside)
    k0 = int(outside[-1]) + 1 if len(outside) else 0
    if k0 >= len(p):
        raise ValueError("the run ends outside the zoomed view")
    if k0 == 0:
        pts, t_enter, alpha = p, 0.0, 0.0
    else:
        a, b = p[k0 - 1], p[k0]
        d = b - a
        t_in = 0.0
        for i, (lo, hi) in enumerate(((xmin, xmax), (ymin, ymax))):
            if d[i] != 0:
                t_in = max(t_in, min((lo - a[i]) / d[i], (hi - a[i]) / d[i]))
        alpha = float(np.clip(t_in, 0.0, 1.0))
        pts = np.vstack([a + alpha * d, p[k0:]])
        t_enter = k0 - 1 + alpha

    def progress_of(t: float) -> float:
        if k0 == 0:
            return t
        if t <= t_enter:
            return 0.0
        if t < k0:
            return (t - t_enter) / max(1.0 - alpha, 1e-12)
        return 1.0 + (t - k0)

    curve = GrowingPolyline(
        to_scene(axes, pts),
        color,
        width=width,
        data=pts,
        tracker=tracker,
        progress_of=progress_of,
    )
    curve.set_stroke(BACKGROUND, width=width + 2.5, background=True, opacity=0.9)
    head = make_head(shape, color, 0.22)

    def follow(h: Mobject) -> None:
        shown = curve.progress > 0
        h.set_opacity(1.0 if shown else 0.0)
        h.move_to(curve.tip)

    head.add_updater(follow)
    follow(head)
    return curve, head


def _cost_table(
    runs: dict[str, TrainingRun], n: int
) -> tuple[VGroup, dict[str, tuple[GlyphCounter, GlyphCounter]]]:
    """Rows ``name (batch, lr) | updates | gradient evaluations`` with live counters."""
    size = SMALL_SIZE
    right_updates, right_evals = 3.7, 6.05
    header = VGroup(
        make_text("updates", font_size=size, color=MUTED_TEXT),
        make_text("gradient evals", font_size=size, color=MUTED_TEXT),
    )
    header[0].move_to([right_updates, 0, 0], aligned_edge=RIGHT)
    header[1].move_to([right_evals, 0, 0], aligned_edge=RIGHT)
    rows = VGroup(header)
    counters: dict[str, tuple[GlyphCounter, GlyphCounter]] = {}
    max_updates = max(r.steps for r in runs.values())
    max_evals = max(int(r.grad_evals[-1]) for r in runs.values())
    for j, (key, label, batch, lr, _ep, color, shape) in enumerate(STOCHASTIC_SETUP):
        y0 = -0.6 - 0.85 * j
        ref = make_text(f"{label} 0", font_size=size + 2, color=color, weight="MEDIUM")
        baseline = ref[-1].get_bottom()[1]
        name = VGroup(*ref[:-1])
        shift = np.array([0.32, y0 - baseline, 0.0]) - np.array([name.get_left()[0], 0, 0])
        name.shift(shift)
        baseline = y0
        swatch = make_head(shape, color, 0.2).move_to([0.1, name.get_center()[1], 0])
        bsize = n if batch is None else batch
        per = f"all {bsize}" if batch is None else str(bsize)
        detail = make_text(
            f"{per} {'point' if bsize == 1 else 'points'} per update, \u03b7 = {_lr_text(lr)}",
            font_size=size - 2,
            color=MUTED_TEXT,
        )
        detail.next_to(name, DOWN, buff=0.1).align_to(name, LEFT)
        updates = GlyphCounter(0, digits=len(f"{max_updates:,}"), font_size=size + 4)
        evals = GlyphCounter(0, digits=len(f"{max_evals:,}"), font_size=size + 4, color=color)
        updates.move_anchor_to([right_updates, baseline, 0])
        evals.move_anchor_to([right_evals, baseline, 0])
        counters[key] = (updates, evals)
        row = VGroup(swatch, name, detail, updates, evals)
        row.key = key
        rows.add(row)
    return rows, counters


def _batch_note() -> VGroup:
    """Why mini-batches: three short, coloured statements."""
    size = SMALL_SIZE
    items = (
        ("One sample:", SKY, ("cheap, noisy updates,", "one strictly after another")),
        ("Full batch:", YELLOW, ("smooth, but every update", "needs all n gradients")),
        (
            "Mini-batches:",
            PURPLE,
            ("parallel within an update,", "less noisy than one sample"),
        ),
    )
    blocks = VGroup()
    for name, color, lines in items:
        head = make_text(name, font_size=size, color=color, weight="MEDIUM")
        body = VGroup(*[make_text(t, font_size=size, color=TEXT_COLOR) for t in lines])
        body.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        body.next_to(head, RIGHT, buff=0.15).align_to(head, UP)
        blocks.add(VGroup(head, body))
    blocks.arrange(DOWN, aligned_edge=LEFT, buff=0.24)
    # align the bodies in one column
    col = max(b[0].get_right()[0] for b in blocks) + 0.2
    for b in blocks:
        b[1].shift(RIGHT * (col - b[1].get_left()[0]))
    return blocks
