r"""The loss of a line over :math:`(m, b)` and the pieces the regression scenes are built from.

:mod:`scenes.regression` draws S4 (:class:`~scenes.regression.LinearRegressionFit`) and S3
(:class:`~scenes.regression.StochasticVsBatch`); this module holds what those scenes (and
:mod:`scenes.conditioning`) build on:

* the loss surface: :class:`LineLoss`, :func:`loss_levels`, :func:`map_frame` and the views
  :data:`LOSS_VIEW`, :data:`ZOOM_VIEW`;
* typed mobjects that keep the numbers they display, for the tests: :class:`Readout`,
  :class:`ValueTex`, :class:`FitLabel`, :class:`WorkedStep`, :class:`CostRow`;
* the three line fits of S3 (:data:`STOCHASTIC_SETUP`, :func:`stochastic_runs`) and their
  panels: :func:`zoom_path`, :func:`cost_table`, :func:`batch_note`.

Every number comes from :mod:`gdanim.regression`; nothing here computes a result of its own.
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
    DecimalNumber,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
)

from gdanim.optimizers import sgd
from gdanim.regression import LINE, TrainingRun, line_dataset, s4_run, train
from scenes.losscurves import GlyphCounter, GrowingPolyline
from scenes.mobjects import framed_axes, make_head, tick_text, tick_values, to_scene
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    MUTED_TEXT,
    PURPLE,
    SKY,
    SMALL_SIZE,
    TEXT_COLOR,
    YELLOW,
    make_text,
)

__all__ = [
    "LOG_LIFT",
    "LOSS_VIEW",
    "STOCHASTIC_SETUP",
    "TICK_FONT",
    "ZOOM_VIEW",
    "CostRow",
    "FitLabel",
    "LineLoss",
    "Readout",
    "ValueTex",
    "WorkedStep",
    "batch_note",
    "cost_table",
    "frame_of",
    "loss_levels",
    "lr_text",
    "map_frame",
    "number_text",
    "params_at",
    "run_lr",
    "stochastic_runs",
    "zoom_path",
]

#: The (m, b) box both scenes draw the loss over.
LOSS_VIEW = (-0.5, 3.5, -0.5, 0.9)

#: The floor of the loss valley, where the three runs of StochasticVsBatch end.
ZOOM_VIEW = (2.5, 3.2, 0.1, 0.6)

#: The log-scale loss axis starts half a decade below a loss of 1, so that a loss near 1 (the
#: noise floor of the line data) does not run along the axis line.
LOG_LIFT = 0.5

#: Smallest readable font size on these busy frames (never below 20 at 1080p).
TICK_FONT = 20


# --------------------------------------------------------------------------------------------
# the loss surface
# --------------------------------------------------------------------------------------------


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


def frame_of(axes: Axes) -> Rectangle:
    """The frame :func:`scenes.mobjects.framed_axes` keeps as ``axes.frame_box``."""
    frame: object = axes.frame_box
    if not isinstance(frame, Rectangle):
        raise TypeError(f"axes.frame_box is a {type(frame).__name__}, not a Rectangle")
    return frame


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

    ``axes.frame_box`` (also :func:`frame_of`) is the frame; the tick marks, tick numbers and
    the axis names are added to the axes.
    """
    xmin, xmax, ymin, ymax = (float(v) for v in view)
    axes = framed_axes(view, width, height, steps)
    frame = frame_of(axes)
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
    xl.move_to((frame.get_right()[0], numbers[0].get_y(), 0.0), aligned_edge=RIGHT)
    yl = MathTex(labels[1], font_size=font_size * 1.5, color=MUTED_TEXT)
    yl.move_to((numbers[n_x:].get_right()[0], frame.get_top()[1], 0.0), aligned_edge=UP + RIGHT)
    axes.add(frame, ticks, numbers, xl, yl)
    return axes


# --------------------------------------------------------------------------------------------
# numbers as displayed
# --------------------------------------------------------------------------------------------


def number_text(v: float) -> str:
    """A short exact number as typed (``0``, ``1.0`` stays ``1``)."""
    return f"{float(v):g}"


def lr_text(lr: float) -> str:
    """A learning rate as written in the optimizer's label (``0.01``, ``0.002``)."""
    return f"{lr:g}"


def run_lr(run: TrainingRun) -> float:
    """The learning rate a run was trained with (``run.hyperparameters["lr"]``)."""
    lr = run.hyperparameters["lr"]
    if not isinstance(lr, int | float):
        raise TypeError(f"the run's learning rate is a {type(lr).__name__}, not a number")
    return float(lr)


def params_at(run: TrainingRun, t: float) -> np.ndarray:
    """Parameters at fractional step ``t`` (linear between recorded steps, for motion only)."""
    p = run.params
    t = float(np.clip(t, 0.0, len(p) - 1))
    k = min(int(np.floor(t)), len(p) - 2)
    return np.asarray(p[k] + (t - k) * (p[k + 1] - p[k]))


class Readout(VGroup):
    """``label = value`` with the value a :class:`~manim.DecimalNumber` (``readout.number``).

    :meth:`set_number` changes the value, keeping its left edge and baseline in place.
    """

    def __init__(self, label: str, value: float, decimals: int = 3, size: float = 34) -> None:
        lhs = MathTex(label + "=", font_size=size, color=TEXT_COLOR)
        num = DecimalNumber(value, num_decimal_places=decimals, font_size=size, color=TEXT_COLOR)
        num.next_to(lhs, RIGHT, buff=0.15)
        num.align_to(lhs, DOWN)
        super().__init__(lhs, num)
        self.number = num

    def set_number(self, value: float) -> None:
        """Change the value, keeping its left edge and baseline in place."""
        num = self.number
        left = num.get_left()
        bottom = num.get_bottom()[1]
        num.set_value(value)
        num.move_to(left, aligned_edge=LEFT)
        num.shift(UP * (bottom - num.get_bottom()[1]))


class ValueTex(MathTex):
    """A formula ending in a number; ``value_str`` is that number as displayed."""

    def __init__(self, latex: str, value_str: str, *, font_size: float, color: Any) -> None:
        super().__init__(latex, font_size=font_size, color=color)
        self.value_str = value_str


class FitLabel(MathTex):
    """``y = m x + b`` with numbers; ``values`` holds the displayed ``(m, b)`` strings."""

    def __init__(
        self, latex: str, values: tuple[str, str], *, font_size: float, color: Any
    ) -> None:
        super().__init__(latex, font_size=font_size, color=color)
        self.values = values


class WorkedStep(VGroup):
    """Lines of an update worked out with numbers; ``values`` maps names to displayed strings."""

    def __init__(self, *lines: VMobject, values: dict[str, str]) -> None:
        super().__init__(*lines)
        self.values = values


# --------------------------------------------------------------------------------------------
# S3: the three line fits and their panels
# --------------------------------------------------------------------------------------------


#: (key, label, batch size, learning rate, epochs, colour, head shape) of the three line fits.
STOCHASTIC_SETUP: tuple[tuple[str, str, int | None, float, int, str, str], ...] = (
    ("full", "full batch", None, 0.01, 100, YELLOW, "dot"),
    ("mini", "mini-batch", 10, 0.005, 40, PURPLE, "square"),
    ("single", "one sample", 1, 0.003, 10, SKY, "diamond"),
)


def stochastic_runs(seed: int = 1) -> dict[str, TrainingRun]:
    """The three fits of the S4 line compared in :class:`~scenes.regression.StochasticVsBatch`.

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


def zoom_path(
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


class CostRow(VGroup):
    """One run's row of the cost table; ``key`` is its key in :data:`STOCHASTIC_SETUP`."""

    def __init__(self, *parts: VMobject, key: str) -> None:
        super().__init__(*parts)
        self.key = key


def cost_table(
    runs: dict[str, TrainingRun], n: int
) -> tuple[VGroup, dict[str, tuple[GlyphCounter, GlyphCounter]]]:
    """Rows ``name (batch, lr) | updates | gradient evaluations`` with live counters.

    Returns the table (a header, then one :class:`CostRow` per run) and, by run key, its two
    counters ``(updates, gradient evaluations)``.
    """
    size = SMALL_SIZE
    right_updates, right_evals = 3.7, 6.05
    header = VGroup(
        make_text("updates", font_size=size, color=MUTED_TEXT),
        make_text("gradient evals", font_size=size, color=MUTED_TEXT),
    )
    header[0].move_to((right_updates, 0.0, 0.0), aligned_edge=RIGHT)
    header[1].move_to((right_evals, 0.0, 0.0), aligned_edge=RIGHT)
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
        swatch = make_head(shape, color, 0.2).move_to((0.1, name.get_center()[1], 0.0))
        bsize = n if batch is None else batch
        per = f"all {bsize}" if batch is None else str(bsize)
        detail = make_text(
            f"{per} {'point' if bsize == 1 else 'points'} per update, \u03b7 = {lr_text(lr)}",
            font_size=size - 2,
            color=MUTED_TEXT,
        )
        detail.next_to(name, DOWN, buff=0.1).align_to(name, LEFT)
        updates = GlyphCounter(0, digits=len(f"{max_updates:,}"), font_size=size + 4)
        evals = GlyphCounter(0, digits=len(f"{max_evals:,}"), font_size=size + 4, color=color)
        updates.move_anchor_to([right_updates, baseline, 0])
        evals.move_anchor_to([right_evals, baseline, 0])
        counters[key] = (updates, evals)
        rows.add(CostRow(swatch, name, detail, updates, evals, key=key))
    return rows, counters


def batch_note() -> VGroup:
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
