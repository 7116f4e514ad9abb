"""Loss curves that grow as training proceeds, and the six-optimizer comparison of S5.

* :class:`GrowingPolyline` - a polyline through data points that is revealed up to a fractional
  index, solid or dashed, rebuilt from numpy arrays in one call per frame (one ``VMobject``
  whatever the number of dashes, so it stays cheap at 1080p60).
* :class:`GlyphCounter` - a number that changes every frame at the cost of copying a few
  arrays (the digits are shaped once, then reused), for live counters; :func:`counter_row`
  (a :class:`CounterRow`) puts one in a line of words.
* :func:`plot_axes` (a :class:`PlotAxes`) - plain axes for data plots; :class:`NumberText` -
  words showing a number, which keep the number as displayed.
* :class:`OptimizerLossCurves` - S5: train (solid) and test (dashed) loss per epoch for SGD,
  Momentum, AdaGrad, RMSprop, Adadelta and Adam training ``Linear(2 -> 1)``, drawn as the epochs
  pass, then the final losses ranked.

Every number on screen comes from :func:`gdanim.regression.s5_runs`.

Render with::

    manim -ql scenes/losscurves.py OptimizerLossCurves
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    FadeIn,
    FadeOut,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    Rectangle,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from gdanim.regression import PLANE, TrainingRun, s5_runs
from scenes.mobjects import tick_text, tick_values
from scenes.pacing import say, wait_until
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    FONT,
    GRID_COLOR,
    LABEL_SIZE,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    SMALL_SIZE,
    TEXT_COLOR,
    GDScene,
    fmt,
    make_marker,
    make_text,
    title,
)

__all__ = [
    "CounterRow",
    "GlyphCounter",
    "GrowingPolyline",
    "LegendRow",
    "NumberText",
    "OptimizerLossCurves",
    "PlotAxes",
    "RankingRow",
    "counter_row",
    "plot_axes",
    "polyline_quads",
]


class NumberText(Text):
    """Words showing a number, in the house font; ``value_str`` is the number as displayed.

    Set like :func:`scenes.style.make_text` (same font, size, colour and weight).
    """

    def __init__(
        self,
        text: str,
        value_str: str,
        *,
        font_size: float,
        color: Any = TEXT_COLOR,
        weight: str = "NORMAL",
    ) -> None:
        super().__init__(text, font=FONT, font_size=font_size, color=color, weight=weight)
        self.value_str = value_str


class PlotAxes(Axes):
    """:class:`~manim.Axes` with the tick numbers and axis names :func:`plot_axes` adds.

    Attributes
    ----------
    x_numbers, y_numbers : VGroup
        The tick numbers (Text).
    x_label_mob, y_label_mob : VMobject or None
        The axis names, when given.
    """

    x_numbers: VGroup
    y_numbers: VGroup
    x_label_mob: VMobject | None
    y_label_mob: VMobject | None


def plot_axes(
    x_range: Sequence[float],
    y_range: Sequence[float],
    *,
    x_length: float,
    y_length: float,
    x_ticks: dict[float, str] | None = None,
    y_ticks: dict[float, str] | None = None,
    x_name: str | None = None,
    y_name: str | None = None,
    x_name_right: bool = False,
    font_size: float = 20,
) -> PlotAxes:
    """Plain axes for data plots: tick numbers in the house font, names at the axis ends.

    Parameters
    ----------
    x_range, y_range
        ``(min, max, step)``; a tick at every multiple of ``step``.
    x_length, y_length
        Size in scene units.
    x_ticks, y_ticks
        Optional ``{value: text}`` replacing the numbers (e.g. ``{2: "100"}`` on a log axis).
    x_name, y_name
        Axis names: one letter is set as maths (italic), longer names as words.
    x_name_right
        Put a long x name after the axis end instead of under the numbers.
    font_size
        Size of the tick numbers and names.

    Returns
    -------
    PlotAxes
        With ``axes.x_numbers``, ``axes.y_numbers`` (VGroups of Text) and ``axes.x_label_mob``,
        ``axes.y_label_mob`` added as submobjects.
    """
    xr, yr = list(x_range), list(y_range)
    axes = PlotAxes(
        x_range=xr,
        y_range=yr,
        x_length=x_length,
        y_length=y_length,
        tips=False,
        axis_config={
            "color": AXIS_COLOR,
            "stroke_width": 2,
            "include_ticks": True,
            "tick_size": 0.05,
        },
        # custom labels get their own tick marks (the axis would put one at every step)
        x_axis_config={"include_ticks": x_ticks is None},
        y_axis_config={"include_ticks": y_ticks is None},
    )
    # where each axis crosses the other one
    x_at = float(axes.p2c(axes.x_axis.get_start())[1])
    y_at = float(axes.p2c(axes.y_axis.get_start())[0])
    xt = x_ticks if x_ticks is not None else {v: tick_text(v, xr[2]) for v in tick_values(*xr)}
    yt = y_ticks if y_ticks is not None else {v: tick_text(v, yr[2]) for v in tick_values(*yr)}
    x_numbers = VGroup()
    for v, text in xt.items():
        num = make_text(text, font_size=font_size, color=MUTED_TEXT)
        num.next_to(axes.c2p(v, x_at), DOWN, buff=0.14)
        x_numbers.add(num)
    y_numbers = VGroup()
    for v, text in yt.items():
        if y_ticks is None and v == 0.0 and x_at == 0.0 and y_at == 0.0 and 0.0 in xt:
            continue  # the origin is already numbered on the x-axis
        num = make_text(text, font_size=font_size, color=MUTED_TEXT)
        num.next_to(axes.c2p(y_at, v), LEFT, buff=0.14)
        y_numbers.add(num)
    marks = VGroup()
    if x_ticks is not None:
        for v in x_ticks:
            p = axes.c2p(v, x_at)
            marks.add(Line(p + DOWN * 0.05, p + UP * 0.05, stroke_color=AXIS_COLOR, stroke_width=2))
    if y_ticks is not None:
        for v in y_ticks:
            p = axes.c2p(y_at, v)
            marks.add(
                Line(p + LEFT * 0.05, p + RIGHT * 0.05, stroke_color=AXIS_COLOR, stroke_width=2)
            )
    axes.x_numbers, axes.y_numbers = x_numbers, y_numbers
    axes.add(marks, x_numbers, y_numbers)
    axes.x_label_mob = None
    axes.y_label_mob = None
    if x_name is not None:
        if len(x_name) == 1 or x_name_right:
            xl: VMobject = (
                MathTex(x_name, font_size=font_size * 1.5, color=MUTED_TEXT)
                if len(x_name) == 1
                else make_text(x_name, font_size=font_size, color=MUTED_TEXT)
            )
            xl.next_to(axes.x_axis.get_end(), RIGHT, buff=0.15)
        else:
            xl = make_text(x_name, font_size=font_size, color=MUTED_TEXT)
            xl.next_to(x_numbers, DOWN, buff=0.1).align_to(axes.x_axis, RIGHT)
        axes.x_label_mob = xl
        axes.add(xl)
    if y_name is not None:
        if len(y_name) == 1:
            yl: VMobject = MathTex(y_name, font_size=font_size * 1.5, color=MUTED_TEXT)
            yl.next_to(axes.y_axis.get_end(), UP, buff=0.12)
        else:
            yl = make_text(y_name, font_size=font_size, color=MUTED_TEXT)
            yl.next_to(axes.y_axis.get_end(), UP, buff=0.18).align_to(axes.y_axis, LEFT)
        axes.y_label_mob = yl
        axes.add(yl)
    return axes


def polyline_quads(points: np.ndarray) -> np.ndarray:
    """Cubic Bezier control points (``4 (n - 1)`` rows) for straight segments through ``points``.

    Parameters
    ----------
    points
        Shape ``(n, 3)``, ``n >= 2``.

    Returns
    -------
    numpy.ndarray
        Shape ``(4 (n - 1), 3)``: for each segment ``a -> b`` the points ``a``, ``a + (b - a) / 3``,
        ``a + 2 (b - a) / 3``, ``b``.

    Examples
    --------
    >>> polyline_quads(np.array([[0.0, 0, 0], [3.0, 0, 0]]))[:, 0].tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    a = points[:-1]
    d = points[1:] - a
    quads = np.stack([a, a + d / 3.0, a + 2.0 * d / 3.0, points[1:]], axis=1)
    return quads.reshape(-1, 3)


class GrowingPolyline(VMobject):
    """A polyline through ``points`` drawn up to a fractional index, solid or dashed.

    ``set_progress(t)`` shows the polyline from ``points[0]`` to the point a fraction
    ``t - floor(t)`` of the way from ``points[floor(t)]`` to the next one. A dashed polyline keeps
    its dash pattern fixed along the full curve (the dashes do not crawl as it grows) and is one
    ``VMobject`` with one subpath per dash.

    Parameters
    ----------
    points
        Scene points, shape ``(n, 3)``.
    color, width
        Stroke colour and width.
    dash
        ``None`` for a solid line, else ``(on, off)`` lengths in scene units.
    data
        The data the points show (for tests), shape ``(n, k)``; defaults to ``points``.
    tracker, progress_of
        Optional tracker; when given the polyline follows ``progress_of(tracker.get_value())``
        (identity by default) through an updater.

    Attributes
    ----------
    data : numpy.ndarray
        The plotted values, one row per point.
    dashed : bool
    n_points : int
        Number of data points (vertices) of the full polyline.
    progress : float
    """

    def __init__(
        self,
        points: np.ndarray,
        color: Any,
        *,
        width: float = 4.0,
        dash: tuple[float, float] | None = None,
        data: np.ndarray | None = None,
        tracker: ValueTracker | None = None,
        progress_of: Callable[[float], float] | None = None,
        progress: float | None = None,
    ) -> None:
        super().__init__(stroke_color=color, stroke_width=width)
        self.set_fill(opacity=0.0)
        self.points_scene = np.asarray(points, dtype=np.float64)
        self.data = np.asarray(data if data is not None else points, dtype=np.float64)
        self.n_points = int(len(self.points_scene))
        self.dashed = dash is not None
        self.dash = dash
        seg = np.linalg.norm(np.diff(self.points_scene, axis=0), axis=1)
        self.arc = np.concatenate([[0.0], np.cumsum(seg)])
        self.progress = 0.0
        self.tracker = tracker
        self._progress_of = progress_of if progress_of is not None else (lambda v: v)
        start = self.n_points - 1 if progress is None and tracker is None else 0.0
        self.set_progress(progress if progress is not None else start)
        if tracker is not None:
            self.add_updater(lambda m: m.set_progress(m._progress_of(m.tracker.get_value())))

    def point_at(self, t: float) -> np.ndarray:
        """The scene point at fractional index ``t``."""
        pts = self.points_scene
        t = float(np.clip(t, 0.0, self.n_points - 1))
        k = min(int(np.floor(t)), self.n_points - 2)
        return np.asarray(pts[k] + (t - k) * (pts[k + 1] - pts[k]))

    def _at_length(self, s: np.ndarray) -> np.ndarray:
        """Scene points at arc lengths ``s`` along the full polyline."""
        pts = self.points_scene
        return np.stack([np.interp(s, self.arc, pts[:, i]) for i in range(3)], axis=-1)

    def set_progress(self, t: float) -> GrowingPolyline:
        """Reveal the polyline up to fractional index ``t`` (clipped to ``[0, n - 1]``)."""
        n = self.n_points
        t = float(np.clip(t, 0.0, n - 1))
        self.progress = t
        k = min(int(np.floor(t)), n - 2)
        tip = self.point_at(t)
        if t <= 1e-9:
            self.clear_points()
            return self
        if self.dash is None:
            shown = np.vstack([self.points_scene[: k + 1], tip])
            self.set_points(polyline_quads(shown))
            return self
        on, off = self.dash
        length = self.arc[k] + float(np.linalg.norm(tip - self.points_scene[k]))
        starts = np.arange(0.0, length, on + off)
        quads = []
        for a in starts:
            b = min(a + on, length)
            if b - a < 1e-6:
                continue
            inner = self.arc[(self.arc > a) & (self.arc < b)]
            s = np.concatenate([[a], inner, [b]])
            quads.append(polyline_quads(self._at_length(s)))
        if quads:
            self.set_points(np.vstack(quads))
        else:
            self.clear_points()
        return self

    @property
    def tip(self) -> np.ndarray:
        """The scene point where the shown part ends."""
        return self.point_at(self.progress)


class GlyphCounter(VGroup):
    """A right-aligned number in the house font that can change every frame cheaply.

    The characters ``0-9 , . - +`` are shaped once (one :class:`~manim.Text`); each update only
    copies their outlines into a fixed set of slots, so a counter ticking at 60 frames per second
    costs no text layout. Digits sit in equal-width slots (tabular figures), so a counter does not
    jitter as it counts.

    Parameters
    ----------
    value
        Initial value.
    digits
        The most characters the counter will show (slots reserved).
    fmt_value
        Turns the value into the string shown; thousands separators by default.
    font_size, color
        As for :func:`scenes.style.make_text`.

    Attributes
    ----------
    value : float
    text : str
        The string shown now.
    """

    _CHARS = "0123456789,.-+"

    def __init__(
        self,
        value: float = 0,
        *,
        digits: int = 6,
        fmt_value: Callable[[float], str] | None = None,
        font_size: float = SMALL_SIZE,
        color: Any = TEXT_COLOR,
    ) -> None:
        super().__init__()
        template = make_text(self._CHARS, font_size=font_size, color=color)
        base = template[1].get_bottom()[1]  # "1" sits on the baseline
        self._glyphs: dict[str, tuple[np.ndarray, float]] = {}
        for ch, glyph in zip(self._CHARS, template, strict=True):
            pts = glyph.points - np.array([glyph.get_left()[0], base, 0.0])
            self._glyphs[ch] = (pts, float(glyph.width))
        self._advance = max(w for ch, (_, w) in self._glyphs.items() if ch.isdigit())
        self._advance += font_size / 48 * 0.06
        self._narrow = self._glyphs[","][1] + font_size / 48 * 0.08
        self._fmt = fmt_value if fmt_value is not None else (lambda v: f"{int(round(v)):,}")
        self.slots = [
            VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0) for _ in range(digits)
        ]
        # an invisible point marks the right edge and baseline the digits are laid out from; it
        # is part of the family, so it follows the counter when a parent group moves
        self._strut = VMobject(fill_opacity=0.0, stroke_opacity=0.0, stroke_width=0)
        self._strut.set_points(np.zeros((4, 3)))
        self.add(self._strut, *self.slots)
        self.text = ""
        self.value = float("nan")
        self.set_value(value)

    def _width_of(self, ch: str) -> float:
        return self._advance if ch.isdigit() else self._narrow

    def set_value(self, value: float) -> GlyphCounter:
        """Show ``value`` (right edge and baseline stay where they are)."""
        text = self._fmt(value)
        self.value = float(value)
        if text == self.text:
            return self
        if len(text) > len(self.slots):
            raise ValueError(f"GlyphCounter: {text!r} needs more than {len(self.slots)} slots")
        self.text = text
        anchor = self.anchor
        x = anchor[0]
        chars = list(reversed(text))
        for i, slot in enumerate(self.slots):
            if i >= len(chars):
                slot.clear_points()
                continue
            ch = chars[i]
            pts, width = self._glyphs[ch]
            box = self._width_of(ch)
            x -= box
            offset = np.array([x + (box - width) / 2, anchor[1], 0.0])
            slot.set_points(pts + offset)
        return self

    def move_anchor_to(self, point: Any) -> GlyphCounter:
        """Put the right edge and baseline of the number at ``point``."""
        self._strut.set_points(np.tile(np.asarray(point, dtype=np.float64), (4, 1)))
        self.text = ""
        self.set_value(self.value)
        return self

    @property
    def anchor(self) -> np.ndarray:
        """Right edge and baseline of the number."""
        return np.asarray(self._strut.points[0]).copy()


class CounterRow(VGroup):
    """A row of words around a live :class:`GlyphCounter` (``row.counter``) out of ``row.total``."""

    def __init__(self, *parts: VMobject, counter: GlyphCounter, total: int) -> None:
        super().__init__(*parts)
        self.counter = counter
        self.total = total


def counter_row(word: str, value: int, total: int, size: float = LABEL_SIZE) -> CounterRow:
    """``word  value / total`` with a live :class:`GlyphCounter` (``row.counter``).

    Words and digits share one baseline; the counter is right-aligned in a slot wide enough for
    ``total``, so the row never moves as the count grows.
    """
    ref = make_text(f"{word} 0", font_size=size, color=MUTED_TEXT)
    baseline = ref[-1].get_bottom()[1]
    label = VGroup(*ref[:-1])
    counter = GlyphCounter(value, digits=len(f"{total:,}"), font_size=size, color=TEXT_COLOR)
    slot = counter._advance * len(str(total))
    slot += counter._narrow * (len(f"{total:,}") - len(str(total)))
    counter.move_anchor_to([label.get_right()[0] + 0.2 + slot, baseline, 0])
    tail_ref = make_text(f"0 / {total:,}", font_size=size, color=MUTED_TEXT)
    tail_ref.shift(UP * (baseline - tail_ref[0].get_bottom()[1]))
    tail = VGroup(*tail_ref[1:])
    tail.shift(RIGHT * (counter.anchor[0] + 0.18 - tail.get_left()[0]))
    return CounterRow(label, counter, tail, counter=counter, total=total)


def _follow_tip(curve: GrowingPolyline) -> Callable[[Mobject], object]:
    """An updater that keeps a marker on the end of the shown part of ``curve``."""

    def follow(marker: Mobject) -> None:
        marker.move_to(curve.tip)

    return follow


class LegendRow(VGroup):
    """A legend row: ``name`` is the optimizer's display name, ``label_text`` the words shown."""

    def __init__(self, *parts: VMobject, name: str, label_text: str) -> None:
        super().__init__(*parts)
        self.name = name
        self.label_text = label_text


class RankingRow(VGroup):
    """A row of the ranking table: ``name``, and the cells ``train_text`` and ``test_text``."""

    def __init__(
        self, *cells: VMobject, name: str, train_text: NumberText, test_text: NumberText
    ) -> None:
        super().__init__(*cells)
        self.name = name
        self.train_text = train_text
        self.test_text = test_text


def _label_lr(run: TrainingRun) -> str:
    """The optimizer's label as gdanim writes it (``"Adam (lr=0.01)"``)."""
    return run.optimizer_label


class OptimizerLossCurves(GDScene):
    """S5: six optimizers train the same ``Linear(2 -> 1)``; train and test loss per epoch.

    Both curves are the mean squared error over a whole set after each epoch
    (:attr:`~gdanim.regression.TrainingRun.train_loss` and ``test_loss``, epochs 1 to 50), so
    train and test are measured the same way; the running average of batch losses a training
    loop prints (``epoch_train_loss``) is not drawn. The loss axis is linear: every loss lies
    between 0.9 and 1.5, where a log scale would look the same.

    Attributes (for tests)
    ----------------------
    runs : dict of str to TrainingRun
        :func:`gdanim.regression.s5_runs`, keyed by display name.
    curves : dict of str to (GrowingPolyline, GrowingPolyline)
        ``display_name -> (train_curve, test_curve)``; the test curve is dashed.
    points_per_curve : int
        Number of points per curve (one per epoch: 50).
    ranking : list of str
        Display names in the order of the final table (ascending final test loss).
    table_rows : list of VGroup
        The table's rows, top to bottom; ``row.name``, ``row.train_text``, ``row.test_text``.
    legend : VGroup
    """

    #: Epoch range drawn: the losses after epochs 1..50.
    FIRST_EPOCH = 1

    def construct(self) -> None:
        runs = dict(s5_runs())
        self.runs = runs
        names = list(runs)
        any_run = runs[names[0]]
        epochs = any_run.epochs
        ep = np.arange(self.FIRST_EPOCH, epochs + 1)
        self.points_per_curve = int(len(ep))

        self.section("Optimizers compared")
        head = title("Six optimizers train the same model")
        n_train = int(any_run.orders.shape[1])
        sub = make_text(
            f"{PLANE.name} on z = x\u00b2 + y\u00b2 + noise  \u00b7  {n_train} training points  "
            f"\u00b7  batches of {any_run.batch_size}  \u00b7  {epochs} epochs",
            font_size=SMALL_SIZE,
            color=MUTED_TEXT,
        )
        sub.next_to(head, DOWN, buff=0.18)

        # ---- axes: loss after each epoch, linear (the losses span less than a factor of 2)
        all_losses = np.concatenate(
            [
                np.r_[r.train_loss[ep], r.test_loss[ep]]
                for r in runs.values()
                if r.test_loss is not None
            ]
        )
        # tick labels have one decimal, so the range ends on multiples of 0.1
        lo = np.floor(all_losses.min() * 10 - 0.5) / 10
        hi = np.ceil(all_losses.max() * 10 + 0.05) / 10
        axes = plot_axes(
            (0, epochs, 10),
            (lo, hi, 0.1),
            x_length=6.4,
            y_length=4.8,
            x_name="epoch",
            y_name="loss (MSE)",
            font_size=SMALL_SIZE,
        )
        axes.shift(np.array([-5.8, -3.0, 0.0]) - axes.c2p(0, lo))
        grid = VGroup()
        for v in np.arange(lo + 0.1, hi + 0.05, 0.1):
            grid.add(
                Line(axes.c2p(0, v), axes.c2p(epochs, v), stroke_color=GRID_COLOR, stroke_width=1)
            )
        self.axes = axes

        # ---- curves
        tracker = ValueTracker(float(self.FIRST_EPOCH))
        self.epoch_tracker = tracker

        def progress_of(v: float) -> float:
            return v - self.FIRST_EPOCH

        self.curves: dict[str, tuple[GrowingPolyline, GrowingPolyline]] = {}
        heads = VGroup()
        for name, run in runs.items():
            assert run.test_loss is not None
            color = OPTIMIZER_COLORS[name]
            train_data = np.c_[ep, run.train_loss[ep]]
            test_data = np.c_[ep, run.test_loss[ep]]
            train_pts = np.array([axes.c2p(e, v) for e, v in train_data])
            test_pts = np.array([axes.c2p(e, v) for e, v in test_data])
            train_curve = GrowingPolyline(
                train_pts,
                color,
                width=3.5,
                data=train_data,
                tracker=tracker,
                progress_of=progress_of,
            )
            test_curve = GrowingPolyline(
                test_pts,
                color,
                width=3.0,
                dash=(0.11, 0.075),
                data=test_data,
                tracker=tracker,
                progress_of=progress_of,
            )
            for curve in (train_curve, test_curve):
                curve.set_stroke(BACKGROUND, width=curve.stroke_width + 2.5, background=True)
                head_dot = make_marker(curve.tip, color, radius=0.055)
                head_dot.add_updater(_follow_tip(curve))
                heads.add(head_dot)
            self.curves[name] = (train_curve, test_curve)

        # ---- legend: swatch in the optimizer's colour + its label (with lr)
        rows = []
        for name, run in runs.items():
            color = OPTIMIZER_COLORS[name]
            swatch = Line(LEFT * 0.25, RIGHT * 0.25, stroke_color=color, stroke_width=5)
            words = make_text(_label_lr(run), font_size=SMALL_SIZE, color=TEXT_COLOR)
            words.next_to(swatch, RIGHT, buff=0.15)
            rows.append(LegendRow(swatch, words, name=name, label_text=_label_lr(run)))
        legend_rows = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        solid = Line(LEFT * 0.25, RIGHT * 0.25, stroke_color=TEXT_COLOR, stroke_width=3.5)
        dashed = GrowingPolyline(
            np.array([LEFT * 0.25, RIGHT * 0.25]), TEXT_COLOR, width=3.0, dash=(0.11, 0.075)
        )
        key = VGroup(
            VGroup(solid, make_text("train loss", font_size=SMALL_SIZE, color=MUTED_TEXT)),
            VGroup(dashed, make_text("test loss", font_size=SMALL_SIZE, color=MUTED_TEXT)),
        )
        for pair in key:
            pair[1].next_to(pair[0], RIGHT, buff=0.15)
        key.arrange(RIGHT, buff=0.45)
        legend = VGroup(legend_rows, key).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        legend.next_to(axes, RIGHT, buff=0.45).align_to(axes, UP)
        if legend.get_right()[0] > 6.6:
            legend.shift(LEFT * (legend.get_right()[0] - 6.6))
        self.legend = legend

        epoch_box = counter_row("epoch", self.FIRST_EPOCH, epochs)
        # top right inside the plot: the curves are far below there once the epochs get there
        epoch_box.move_to(axes.c2p(epochs, hi), aligned_edge=UP + RIGHT).shift(LEFT * 0.2)

        # ---- build up
        end = say(self, "All six train one small linear model: same data, same start, same "
                        "mini-batches.")
        self.play(FadeIn(head), FadeIn(sub, shift=DOWN * 0.1), run_time=1.0)
        self.play(Create(axes), FadeIn(grid), run_time=1.2)
        self.play(FadeIn(legend, lag_ratio=0.1), run_time=1.2)
        wait_until(self, end)

        end = say(self, "Solid lines are the training loss, dashed ones the loss on held-out data.")
        for train_curve, test_curve in self.curves.values():
            self.add(train_curve, test_curve)
        self.add(heads, epoch_box)
        self.epoch_box = epoch_box

        def update_epoch(_: Mobject) -> None:
            epoch_box.counter.set_value(int(np.floor(tracker.get_value() + 1e-9)))

        epoch_box.add_updater(update_epoch)

        # data-backed narration
        first_train = {n: float(r.train_loss[self.FIRST_EPOCH]) for n, r in runs.items()}
        fastest = sorted(first_train, key=first_train.__getitem__)
        final_train = {n: float(r.train_loss[-1]) for n, r in runs.items()}
        slowest_final = max(final_train, key=final_train.__getitem__)
        self.play(tracker.animate.set_value(6.0), run_time=4.0, rate_func=linear)
        wait_until(self, end)
        end = say(
            self,
            f"After one epoch {fastest[0]} and {fastest[1]} are near the floor; "
            f"{fastest[-2]} and {fastest[-1]} start slowly.",
        )
        self.play(tracker.animate.set_value(26.0), run_time=5.0, rate_func=linear)
        wait_until(self, end)
        end = say(
            self,
            f"{slowest_final}'s steps keep shrinking: it is still the highest after {epochs} "
            "epochs.",
        )
        self.play(tracker.animate.set_value(float(epochs)), run_time=4.0, rate_func=linear)
        epoch_box.clear_updaters()
        update_epoch(epoch_box)
        for mob in (*[c for pair in self.curves.values() for c in pair], *heads):
            mob.clear_updaters()
        wait_until(self, end, minimum=0.5)

        # ---- ranking: the legend becomes a table sorted by final test loss
        self.section("Ranking")
        final_test: dict[str, float] = {}
        for run_name, run in runs.items():
            assert run.test_loss is not None
            final_test[run_name] = float(run.test_loss[-1])
        ranking = sorted(names, key=final_test.__getitem__)
        self.ranking = ranking
        table = self._ranking_table(ranking, final_train, final_test, epochs)
        table.next_to(axes, RIGHT, buff=0.45).align_to(axes, UP).shift(DOWN * 0.05)
        if table.get_right()[0] > 6.7:
            table.shift(LEFT * (table.get_right()[0] - 6.7))
        self.table = table
        top_spread = final_test[ranking[2]] - final_test[ranking[0]]
        end = say(
            self,
            f"Ranked by final test loss: {ranking[0]} first, {ranking[-1]} last; the top three "
            f"within {fmt(top_spread, 3)}.",
        )
        self.play(FadeOut(legend[0], shift=LEFT * 0.2), FadeOut(epoch_box), run_time=0.6)
        self.play(FadeIn(table, lag_ratio=0.15), run_time=1.6)
        self.play(legend[1].animate.next_to(table, DOWN, buff=0.4).align_to(table, LEFT))
        wait_until(self, end, minimum=1.0)

    def _ranking_table(
        self,
        ranking: Sequence[str],
        final_train: dict[str, float],
        final_test: dict[str, float],
        epochs: int,
    ) -> VGroup:
        """Rows ``rank  name  train  test``, sorted by final test loss, with a header."""
        size = SMALL_SIZE
        col_x = (0.0, 0.45, 2.45, 3.6)  # left edges of the columns
        heading = make_text(f"after {epochs} epochs", font_size=LABEL_SIZE, color=TEXT_COLOR)
        header = VGroup(
            make_text("#", font_size=size, color=MUTED_TEXT),
            make_text("optimizer", font_size=size, color=MUTED_TEXT),
            make_text("train", font_size=size, color=MUTED_TEXT),
            make_text("test \u25bc", font_size=size, color=MUTED_TEXT),
        )
        rows: list[RankingRow] = []
        for i, name in enumerate(ranking):
            color = OPTIMIZER_COLORS[name]
            train_s, test_s = fmt(final_train[name], 4), fmt(final_test[name], 4)
            train_text = NumberText(train_s, train_s, font_size=size, color=TEXT_COLOR)
            test_text = NumberText(test_s, test_s, font_size=size, color=TEXT_COLOR)
            row = RankingRow(
                make_text(f"{i + 1}", font_size=size, color=MUTED_TEXT),
                make_text(name, font_size=size, color=color, weight="MEDIUM"),
                train_text,
                test_text,
                name=name,
                train_text=train_text,
                test_text=test_text,
            )
            rows.append(row)
        row_h = 0.46
        for j, cells in enumerate([header, *rows]):
            y = -j * row_h
            for x, cell in zip(col_x, cells, strict=True):
                cell.move_to((x, y, 0.0), aligned_edge=LEFT)
                cell.set_y(y)
        rule = Line(
            (col_x[0], -row_h / 2, 0.0),
            (col_x[-1] + 1.05, -row_h / 2, 0.0),
            stroke_color=MUTED_TEXT,
            stroke_width=1.5,
        )
        body = VGroup(header, rule, *rows)
        heading.next_to(body, UP, buff=0.25).align_to(body, LEFT)
        best = Rectangle(
            width=body.width + 0.3,
            height=row_h,
            stroke_width=0,
            fill_color=ManimColor(OPTIMIZER_COLORS[ranking[0]]),
            fill_opacity=0.14,
        )
        best.move_to((body.get_center()[0], rows[0].get_y(), 0.0))
        self.table_rows = rows
        return VGroup(heading, best, body)
