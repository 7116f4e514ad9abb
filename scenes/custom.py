r"""Scenes for custom videos: a user's function, start, learning rates or optimizers.

The ``gdanim descend``, ``gdanim race`` and ``gdanim video`` commands render these classes with
parameters checked by :mod:`gdanim.config` and passed as a JSON file named by the environment
variable ``GDANIM_SCENE_PARAMS``:

``function``
    A catalog name or a formula (read by :func:`gdanim.objectives.resolve`, never evaluated).
``start``, ``steps``, ``view``
    The start point, the number of steps and the view box (every run is computed by
    :func:`gdanim.descend` with ``bound=view``, so a run that leaves it stops there and is marked
    "diverged at step N"; one that reaches a point where the function is undefined is drawn up
    to the last point where it is defined and marked the same way, with the reason, and an
    update of 0/0 is called what it is, see :func:`gdanim.trajectory.why_stopped`).
``lrs`` / ``optimizers``
    Learning rates of plain gradient descent, or optimizer specs (:func:`optimizers.from_spec`).
``title``, ``captions``
    The title (empty for the default) and the subtitles (empty for the built-in narration).

* :class:`CustomDescent1D` - arrow-traced steps on :math:`f(x)`, one panel per learning rate.
* :class:`CustomDescent2D` - paths over the contour map and the field of :math:`-\nabla f`.
* :class:`CustomRace` - optimizers racing from one start over the contour map.
* :class:`CustomRace3D` - the same on the 3D surface, with the shadows on a contour floor.
* :class:`CustomTitle` - a title card for a video of several scenes.

Without ``GDANIM_SCENE_PARAMS`` each scene plays a built-in example, so that::

    manim -ql scenes/custom.py CustomRace

works on its own.
"""

from __future__ import annotations

import json
import math
import os
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Arrow,
    Create,
    Cross,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from gdanim import Trajectory, objectives, optimizers
from gdanim.cache import cached_descend
from gdanim.objectives import Objective
from gdanim.optimizers import Optimizer
from gdanim.trajectory import Stop, why_stopped
from scenes.fastsurface import FastSurface
from scenes.field import ARROW_RAMP, arrow_lengths
from scenes.mobjects import (
    HEAD_SHAPES,
    ContourMap,
    FastNumber,
    TrajectoryPath,
    make_head,
    map_axes,
    to_scene,
)
from scenes.pacing import reading_time
from scenes.steps1d import eta_tex, step_arrow
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    BODY_SIZE,
    DIVERGED_COLOR,
    END_COLOR,
    LABEL_SIZE,
    MATH_SIZE,
    MUTED_TEXT,
    ORANGE,
    PALETTE,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    TITLE_SIZE,
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
from scenes.surface import SurfaceBox, SurfaceDescent3D, densify, interpolate_polyline

__all__ = [
    "PARAMS_ENV",
    "CustomDescent1D",
    "CustomDescent2D",
    "CustomRace",
    "CustomRace3D",
    "CustomTitle",
    "Run",
    "load_params",
    "make_runs",
    "verdict",
]

#: The environment variable naming the JSON file with the scene's parameters.
PARAMS_ENV = "GDANIM_SCENE_PARAMS"
#: Tick label size of the 1D panels.
TICK = 22
#: Colour (RGB in [0, 1]) of the 3D floor where the function is undefined.
UNDEFINED_FLOOR = (0.10, 0.10, 0.11)

FloatArray = np.ndarray

#: Colours of the runs of a descent, in order (all are plain gradient descent; the first is
#: SGD's own colour).
DESCENT_COLORS = (ORANGE, "#56B4E9", "#F0E442", "#CC79A7")

_DEMOS: dict[str, dict[str, Any]] = {
    "CustomDescent1D": {
        "function": "wavy", "start": [15.0], "steps": 10, "lrs": [0.1, 3.0],
        "view": [-20.0, 20.0],
    },
    "CustomDescent2D": {
        "function": "cubic_bowl", "start": [-1.8, 1.8], "steps": 60, "lrs": [0.05, 0.2],
        "view": [-3.0, 3.0, -3.0, 3.0],
    },
    "CustomRace": {
        "function": "long_valley", "start": [-7.0, 2.0], "steps": 100,
        "optimizers": ["sgd:lr=0.95", "adagrad:lr=1.5", "rmsprop:lr=0.05,alpha=0.9",
                       "momentum:lr=0.1", "adam:lr=0.3,betas=0.9/0.99"],
        "view": [-10.0, 10.0, -5.0, 5.0],
    },
    "CustomRace3D": {
        "function": "cubic_bowl", "start": [2.0, 3.0], "steps": 150,
        "optimizers": ["sgd:lr=0.01", "momentum:lr=0.01", "adam:lr=0.1,betas=0.9/0.99"],
        "view": [-3.0, 3.0, -3.0, 3.0],
    },
    "CustomTitle": {"title": "Gradient descent, your way", "scenes": []},
}


def load_params(scene: str) -> dict[str, Any]:
    """The scene's parameters: the JSON file named by ``GDANIM_SCENE_PARAMS``, else a demo."""
    path = os.environ.get(PARAMS_ENV)
    base: dict[str, Any] = {"title": "", "captions": [], "lrs": [], "optimizers": []}
    if path:
        base.update(json.loads(Path(path).read_text(encoding="utf-8")))
    else:
        base.update(_DEMOS[scene])
    return base


# --------------------------------------------------------------------------------------------
# Runs and what they show
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One path of a scene: its optimizer, how it is drawn, its trajectory, and (if it stopped)
    why it stopped."""

    optimizer: Optimizer
    label: str
    color: str
    head: str
    trajectory: Trajectory
    stop: Stop | None = None

    @property
    def status(self) -> str:
        """A few words for a legend: ``"diverged at step 5"``, ``"stopped at step 1: 0/0"``."""
        return "" if self.stop is None else self.stop.short()

    @property
    def last(self) -> int:
        """Index of the last point inside the view (the end, or the step before it left)."""
        t = self.trajectory
        return t.steps if t.stopped_at is None else int(t.stopped_at) - 1

    @property
    def stopped_at(self) -> int | None:
        """The step at which the run left the view or stopped being finite, if it did."""
        s = self.trajectory.stopped_at
        return None if s is None else int(s)

    @property
    def points(self) -> FloatArray:
        """The points drawn: ``points[: last + 1]``."""
        return np.asarray(self.trajectory.points[: self.last + 1])

    @property
    def values(self) -> FloatArray:
        return np.asarray(self.trajectory.values[: self.last + 1])


def _run_colors(opts: Sequence[Optimizer], descent: bool) -> list[str]:
    """One colour per run: the optimizer's own, or (for repeats) an unused palette colour."""
    if descent:
        return [DESCENT_COLORS[i % len(DESCENT_COLORS)] for i in range(len(opts))]
    colors: list[str] = []
    own = {optimizer_color(o) for o in opts}
    # a repeated optimizer takes a colour no optimizer of this race uses, the rarer ones first
    spare = [c for c in (PALETTE[6], PALETTE[7], *PALETTE) if c not in own]
    for opt in opts:
        c = optimizer_color(opt)
        if c in colors:
            c = next((p for p in spare if p not in colors), c)
        colors.append(c)
    return colors


def make_runs(
    f: Objective, opts: Sequence[Optimizer], start: Sequence[float], steps: int,
    view: Sequence[float], *, descent: bool,
) -> list[Run]:
    """Run every optimizer with ``bound=view``; label, colour and marker each run."""
    colors = _run_colors(opts, descent)
    runs = []
    for i, (opt, color) in enumerate(zip(opts, colors, strict=True)):
        traj = cached_descend(f, opt, list(start), steps, bound=list(view))
        label = eta_tex(float(str(opt.hyperparameters["lr"]))) if descent else opt.label
        runs.append(Run(opt, label, color, HEAD_SHAPES[i % len(HEAD_SHAPES)], traj,
                        why_stopped(f, opt, traj)))
    return runs


def verdict(f: Objective, run: Run, view: Sequence[float]) -> str:
    """What a run did, in a few words, from its numbers.

    "diverged at step N" when it left the view (": f is undefined at x = ..." when it reached a
    point where f is not defined; "stopped at step N: the update was 0/0 ..." when its update
    divided 0 by 0); "settled in a minimum" when its last steps are negligible and the gradient
    vanishes with positive curvature; "oscillating" (inward or outward) when its last steps flip
    direction; "converging" when they shrink in one direction; otherwise "still moving".
    """
    if run.stopped_at is not None:
        return run.stop.sentence() if run.stop is not None else \
            f"diverged at step {run.stopped_at}"
    pts = run.points
    span = max(view[2 * i + 1] - view[2 * i] for i in range(f.dim))
    where = _coords(pts[-1])
    if len(pts) < 3:
        return f"ended at {where}"
    steps = np.diff(pts[-6:], axis=0)
    lengths = np.linalg.norm(steps, axis=1)
    if lengths[-1] < 1e-4 * span:
        g = float(np.linalg.norm(f.grad(pts[-1])))
        h = np.atleast_2d(np.asarray(f.hessian(pts[-1]), dtype=np.float64))
        if g < 1e-3 * max(1.0, span) and bool(np.all(np.linalg.eigvalsh(h) > 0)):
            return f"settled in a minimum at {where}"
        return f"came to rest at {where}"
    flips = np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0
    shrinking = bool(np.all(np.diff(lengths) <= 1e-12))
    growing = bool(np.all(np.diff(lengths) > 0))
    if len(flips) and flips.all():
        if growing:
            return f"oscillating outward, now at {where}"
        if shrinking:
            return f"oscillating inward, now at {where}"
        return f"oscillating, now at {where}"
    if shrinking and not flips.any():
        return f"converging, now at {where}"
    return f"still moving, now at {where}"


def _num(v: float) -> str:
    """A value for sentences: 4 decimals, or 2 significant digits when tiny or huge."""
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        return f"{v:.1e}"
    return fmt(v, 4)


def _lr(run: Run) -> float:
    """The run's learning rate."""
    return float(str(run.optimizer.hyperparameters["lr"]))


def _coords(p: FloatArray) -> str:
    vals = [fmt(float(v), 3) for v in np.ravel(p)]
    return vals[0] if len(vals) == 1 else "(" + ", ".join(vals) + ")"


def _plain(f: Objective) -> str:
    """The function as plain text for subtitles."""
    text = f.display_text.replace("**", "^").replace("*", "\u00b7")
    return re.sub(r"\bpi\b", "\u03c0", text)


def _value_format(values: FloatArray) -> tuple[str, int]:
    """A :class:`FastNumber` format and width holding every value."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 1.0
    fmt_str = "{:.3f}" if top < 1e4 else "{:d}"
    sample = fmt_str.format(-top) if "f" in fmt_str else str(-int(round(top)))
    return fmt_str, max(len(sample), 5)


def _tick_step(lo: float, hi: float, target: int) -> float:
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


def _warp(steps: int) -> Callable[[float], float]:
    """A rate function that spends more time on the early steps when there are many."""
    a = float(np.clip(math.log(max(steps, 1) / 12.0), 0.0, 4.0))
    if a < 0.05:
        return linear
    den = math.expm1(a)
    return lambda u: math.expm1(a * u) / den


def _race_time(steps: int) -> float:
    return float(np.clip(2.5 + 1.6 * math.log2(max(steps, 1)), 4.0, 16.0))


def _decimate(points: FloatArray, tol: float) -> np.ndarray:
    """Indices of points at least ``tol`` apart along the path (first and last always kept)."""
    n = len(points)
    if n <= 600:
        return np.arange(n)
    keep = [0]
    last = points[0]
    for i in range(1, n - 1):
        if float(np.linalg.norm(points[i] - last)) >= tol:
            keep.append(i)
            last = points[i]
    keep.append(n - 1)
    return np.asarray(keep)


class _Follow:
    """Drive a :class:`TrajectoryPath` over decimated points from a step tracker."""

    def __init__(self, path: TrajectoryPath, kept: np.ndarray, tracker: ValueTracker,
                 last: int) -> None:
        self.path = path
        self.kept = kept.astype(np.float64)
        self.index = np.arange(len(kept), dtype=np.float64)
        self.tracker = tracker
        self.last = last

    def __call__(self, _mob: Mobject) -> None:
        step = min(self.tracker.get_value(), float(self.last))
        self.path.set_progress(float(np.interp(step, self.kept, self.index)))


def _step_counter(steps: int, tracker: ValueTracker) -> VGroup:
    """"step k of N" in the top-right corner, following ``tracker``."""
    word = make_text("step", font_size=24, color=MUTED_TEXT)
    num = FastNumber(0, "{:d}", len(str(steps)), font_size=32, weight="BOLD")
    num.place(word.get_corner(DOWN + RIGHT) + RIGHT * 0.16)
    total = make_text(f"of {steps}", font_size=24, color=MUTED_TEXT)
    total.next_to(num.extent, RIGHT, buff=0.16).align_to(word, DOWN)
    group = VGroup(word, num, total)
    group.to_corner(UR, buff=0.4).shift(DOWN * 0.08)
    num.add_updater(lambda m: m.set_value(int(tracker.get_value())))
    group.number = num
    return group


def _user_captions(scene: GDScene, captions: Sequence[str], total: float) -> bool:
    """Spread the user's captions over ``total`` seconds from now; ``False`` if there are none.

    Each caption gets a share of ``total`` in proportion to its reading time
    (:func:`scenes.pacing.reading_time`), so a long caption is not cut as short as a brief one.
    """
    if not captions:
        return False
    weights = [reading_time(text) for text in captions]
    at = 0.0
    for text, weight in zip(captions, weights, strict=True):
        each = total * weight / sum(weights)
        scene.caption(text, duration=max(each - 0.1, 0.5), offset=at)
        at += each
    return True


def _fit(view: Sequence[float], max_w: float, max_h: float) -> tuple[float, float]:
    """Map size in scene units: equal scales unless the view is very elongated."""
    w_data, h_data = view[1] - view[0], view[3] - view[2]
    aspect = float(np.clip(h_data / w_data, 0.55, 2.5))
    w = min(max_w, max_h / aspect)
    return w, w * aspect


def _map_steps(view: Sequence[float]) -> tuple[float, float]:
    return (nice_step(view[1] - view[0], 5), nice_step(view[3] - view[2], 5))


def _cross(point: Any, size: float = 0.13) -> VGroup:
    cross = Cross(Dot(point, radius=size), stroke_color=DIVERGED_COLOR, stroke_width=5,
                  scale_factor=1.0)
    cross.set_z_index(4)
    return cross


def _overlap(a: Mobject, b: Mobject, margin: float) -> bool:
    """Whether the bounding boxes of ``a`` and ``b``, ``b``'s grown by ``margin``, meet."""
    return bool(a.get_left()[0] <= b.get_right()[0] + margin
                and a.get_right()[0] >= b.get_left()[0] - margin
                and a.get_bottom()[1] <= b.get_top()[1] + margin
                and a.get_top()[1] >= b.get_bottom()[1] - margin)


def _fit_width(mob: Mobject, width: float) -> Mobject:
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


# --------------------------------------------------------------------------------------------
# Title card
# --------------------------------------------------------------------------------------------


class CustomTitle(GDScene):
    """A title card: the video's title and, if the scenes have titles, what comes."""

    def construct(self) -> None:
        p = load_params("CustomTitle")
        self.section("Title")
        heading = make_text(str(p["title"]), font_size=TITLE_SIZE * 1.25, weight="MEDIUM")
        _fit_width(heading, config.frame_width - 1.5)
        rule = Line(LEFT, RIGHT, stroke_color=ORANGE, stroke_width=4)
        rule.set_width(min(heading.width, 6.0))
        items = [str(s) for s in p.get("scenes", []) if s]
        agenda = VGroup(*[
            make_text(f"{i}.  {s}", font_size=BODY_SIZE * 0.9, color=MUTED_TEXT)
            for i, s in enumerate(items, start=1)
        ])
        if items:
            agenda.arrange(DOWN, aligned_edge=LEFT, buff=0.22)
            _fit_width(agenda, config.frame_width - 2.0)
        group = VGroup(heading, rule, agenda) if items else VGroup(heading, rule)
        group.arrange(DOWN, buff=0.45).move_to([0, 0.2, 0])
        self.caption(str(p["title"]), 3.0)
        self.play(Write(heading), run_time=1.2)
        self.play(Create(rule), *(FadeIn(a, shift=UP * 0.1) for a in agenda), run_time=0.8)
        self.wait(1.6 if items else 1.0)
        self.play(FadeOut(group), run_time=0.6)


# --------------------------------------------------------------------------------------------
# 1D: arrow-traced steps, one panel per learning rate
# --------------------------------------------------------------------------------------------


@dataclass
class _Panel:
    run: Run
    axes: Any
    arrows: list[Arrow]
    visits: list[Mobject]
    head: Mobject
    start_marker: Mobject
    end_marker: Mobject | None
    diverged: VGroup | None
    header: Mobject
    readout: VGroup
    verdict: Mobject


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
        p = load_params("CustomDescent1D")
        f = objectives.resolve(p["function"])
        view = tuple(float(v) for v in p["view"])
        steps = int(p["steps"])
        opts = [optimizers.from_spec(s) for s in p["optimizers"]] or [
            optimizers.sgd(lr=float(lr)) for lr in p["lrs"]
        ]
        self.runs = make_runs(f, opts, p["start"], steps, view, descent=True)
        n = len(self.runs)
        name = p["title"] or f"Gradient descent on f(x) = {_plain(f)}"
        self.section(name)

        for run in self.runs:  # every panel is plain gradient descent: SGD's colour
            run.color = optimizer_color("SGD")

        # top line: the title on the left, the legend and the step counter on the right
        tracker = ValueTracker(0.0)
        counter = _step_counter(steps, tracker)
        legend = make_legend([("start", START_COLOR), ("end", END_COLOR)], direction=RIGHT,
                             buff=0.4)
        legend.next_to(counter, LEFT, buff=0.6).match_y(counter)
        if p["title"]:
            heading = title(p["title"])
            formula = make_tex(f"f(x) = {f.latex}", font_size=MATH_SIZE * 0.85)
        else:
            heading = title("Gradient descent on", math=f"f(x) = {f.latex}")
            formula = None
        room = legend.get_left()[0] - 0.5 - (-config.frame_width / 2 + 0.5)
        _fit_width(heading, room)
        heading.to_edge(LEFT, buff=0.5)
        top_block = VGroup(heading)
        if formula is not None:
            _fit_width(formula, config.frame_width - 1.0)
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
        self.panels: list[_Panel] = []
        self.step_arrows: list[Arrow] = []
        for i, run in enumerate(self.runs):
            cx = -width_total / 2 + col * (i + 0.5)
            self.panels.append(self._panel(f, run, view, (y_lo, y_hi, y_step), cx, cy,
                                           panel_w, panel_h, n, tracker))

        # ---- play ------------------------------------------------------------------------------
        intro_time, outro_time = 2.6, 3.2
        one_by_one = min(steps, self.ONE_BY_ONE)
        step_time = float(np.clip(5.0 / max(one_by_one, 1), 0.3, 0.6))
        sweep = _race_time(steps) * 0.6 if steps > one_by_one else 0.0
        total = intro_time + one_by_one * step_time + sweep + outro_time
        rates = ", ".join(fmt(_lr(r), 3) for r in self.runs)
        x0 = fmt(float(p["start"][0]), 3)
        if not _user_captions(self, p["captions"], total):
            self.caption(
                f"Gradient descent on f(x) = {_plain(f)} from x = {x0}, learning rate"
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
                      rate_func=_warp(steps - one_by_one))
            reveal(driver)
            driver.clear_updaters()
            self.remove(driver)
        else:
            for pn in self.panels:
                if pn.diverged is not None and pn.diverged not in self.mobjects:
                    self.add(pn.diverged)

        # ---- outcome -----------------------------------------------------------------------------
        ends = [FadeIn(pn.end_marker, scale=0.4) for pn in self.panels if pn.end_marker]
        words = "; ".join(
            f"learning rate {fmt(_lr(pn.run), 3)}: {pn.verdict.text_value}"
            for pn in self.panels
        )
        if not p["captions"]:
            self.caption(f"After {steps} steps: {words}.", outro_time)
        self.play(*ends, *(FadeIn(pn.verdict, shift=UP * 0.1) for pn in self.panels),
                  run_time=0.8)
        self.wait(outro_time - 0.8)

    # -- one panel -----------------------------------------------------------------------------

    def _panel(self, f: Objective, run: Run, view: Sequence[float],
               y_range: tuple[float, float, float], cx: float, cy: float, w: float, h: float,
               n: int, tracker: ValueTracker) -> _Panel:
        x_range = (view[0], view[1], _tick_step(view[0], view[1], max(3, int(w / 0.9))))
        axes = make_axes_1d(
            x_range, (y_range[0], y_range[1]) if n > 2 else y_range,
            x_length=w, y_length=h, tick_size=TICK if n < 3 else TICK * 0.85,
        )
        axes.move_to([cx, cy, 0])
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

        eta = MathTex(eta_tex(_lr(run)), font_size=MATH_SIZE * (1.0 if n < 3 else 0.85),
                      color=run.color)
        eta.next_to(axes, UP, buff=0.22)

        # live readout under the panel: x_t and f(x_t)
        vfmt, vwidth = _value_format(np.concatenate([xs, fs]))
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
        _fit_width(readout, w + 0.4)

        def values(_m: Mobject) -> None:
            k = min(int(tracker.get_value()), run.last)
            x_num.set_value(float(xs[k]))
            f_num.set_value(float(fs[k]))

        readout.add_updater(values)

        words = verdict(f, run, view)
        color = DIVERGED_COLOR if run.stopped_at is not None else END_COLOR
        said = make_text(words, font_size=SMALL_SIZE if n > 1 else LABEL_SIZE, color=color)
        _fit_width(said, w + 0.4)
        said.next_to(readout, DOWN, buff=0.16)
        said.text_value = words

        end_marker: Mobject | None = None
        mark: VGroup | None = None
        if run.stopped_at is not None:
            mark = self._exit_mark(f, run, axes, view, y_range, pts)
            mark.step = run.stopped_at
        else:
            end_marker = make_marker(pts[run.last], END_COLOR, radius=0.1)
            end_marker.set_z_index(3)
        self.step_arrows.extend(arrows)
        return _Panel(run, axes, arrows, visits, head, start_marker, end_marker, mark, eta,
                      readout, said)

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
            return VGroup(_cross(pts[end], 0.11))
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
            if any(_overlap(dash, num, 0.04) for num in numbers):
                exit_arrow.remove(dash)
        return VGroup(exit_arrow, _cross(edge, 0.11))



# --------------------------------------------------------------------------------------------
# 2D: paths over a contour map
# --------------------------------------------------------------------------------------------


def _field_arrows(f: Objective, axes: Any, view: Sequence[float]) -> VGroup:
    """Arrows of :math:`-\\nabla f` on a grid over ``view`` (about 15 along the longer side)."""
    spacing = nice_step(max(view[1] - view[0], view[3] - view[2]), 15)
    xs = np.arange(math.ceil(view[0] / spacing + 0.5) * spacing, view[1] - spacing / 2 + 1e-9,
                   spacing)
    ys = np.arange(math.ceil(view[2] / spacing + 0.5) * spacing, view[3] - spacing / 2 + 1e-9,
                   spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    with np.errstate(all="ignore"):
        down = -np.asarray(f.grad(pts), dtype=np.float64)
    ok = np.all(np.isfinite(down), axis=1)
    pts, down = pts[ok], down[ok]
    centres = to_scene(axes, pts)
    # directions in scene space (the axes may scale x and y differently)
    o = to_scene(axes, [0.0, 0.0])
    ex = to_scene(axes, [1.0, 0.0]) - o
    ey = to_scene(axes, [0.0, 1.0]) - o
    vec = down[:, :1] * ex + down[:, 1:2] * ey
    mag = np.linalg.norm(down, axis=1)
    cell = float(min(np.linalg.norm(ex), np.linalg.norm(ey))) * spacing
    lengths = arrow_lengths(mag, 0.85 * cell) if len(mag) else mag
    top = float(mag.max()) if len(mag) else 1.0
    stops = np.array([ManimColor(c).to_rgb() for c in ARROW_RAMP])
    group = VGroup()
    for c, v, m, length in zip(centres, vec, mag, lengths, strict=True):
        t = float(np.sqrt(m / top)) if top > 0 else 0.0
        s = t * (len(stops) - 1)
        i = min(int(s), len(stops) - 2)
        rgb = stops[i] * (1 - (s - i)) + stops[i + 1] * (s - i)
        color = ManimColor.from_rgb(tuple(float(x) for x in rgb))
        norm = float(np.linalg.norm(v))
        if norm <= 1e-12 or length < 0.03:
            group.add(Dot(c, radius=0.02, color=color))
            continue
        u = v / norm
        group.add(Arrow(c - u * length / 2, c + u * length / 2, buff=0, stroke_width=2.4,
                        tip_length=0.08, max_tip_length_to_length_ratio=0.42,
                        max_stroke_width_to_length_ratio=60, color=color))
    group.set_opacity(0.85)
    return group


class _MapScene(GDScene):
    """The layout shared by the 2D scenes: a contour map on the left, a panel on the right."""

    descent = False
    show_field = False
    MAP_BOX = (6.7, 5.2)

    def params(self) -> dict[str, Any]:
        """The scene's parameters (see :func:`load_params`)."""
        return load_params(type(self).__name__)

    def construct(self) -> None:
        p = self.params()
        f = objectives.resolve(p["function"])
        view = tuple(float(v) for v in p["view"])
        steps = int(p["steps"])
        opts = [optimizers.from_spec(s) for s in p["optimizers"]]
        self.objective = f
        self.view = view
        self.runs = make_runs(f, opts, p["start"], steps, view, descent=self.descent)
        self.section(p["title"] or self.default_title(f))

        heading = title(p["title"] or self.default_title(f))
        tracker = ValueTracker(0.0)
        self.tracker = tracker
        counter = _step_counter(steps, tracker)
        self.step_counter = counter
        heading.to_edge(LEFT, buff=0.55)
        if heading.get_right()[0] > counter.get_left()[0] - 0.3:
            heading.scale_to_fit_width(counter.get_left()[0] - 0.3 - heading.get_left()[0])
            heading.to_edge(LEFT, buff=0.55)

        # the map, fitted under the title on the left
        top = heading.get_bottom()[1] - 0.45
        max_h = top - (-config.frame_height / 2 + 1.35)
        wide = (view[3] - view[2]) / (view[1] - view[0]) < 0.8
        box_w = self.MAP_BOX[0] + (1.6 if wide else 0.0)
        w, h = _fit(view, box_w, min(self.MAP_BOX[1], max_h))
        axes = map_axes(view, width=w, height=h, step=_map_steps(view),
                        labels=tuple(f.variable_names[:2]))  # type: ignore[arg-type]
        frame = axes.frame_box
        axes.shift([-config.frame_width / 2 + 1.15 - frame.get_left()[0],
                    top - frame.get_top()[1], 0])
        self.axes = axes
        cmap = ContourMap(f, axes, view, n_levels=12, fill_strength=0.45)
        field = _field_arrows(f, axes, view) if self.show_field else VGroup()

        # paths, markers, start
        paths: list[TrajectoryPath] = []
        drivers: list[_Follow] = []
        n = len(self.runs)
        for i, run in enumerate(self.runs):
            pts = to_scene(axes, run.points)
            kept = _decimate(pts, 0.008)
            width = max(3.4, 7.0 - 1.3 * i) if n > 1 else 5.0
            path = TrajectoryPath(pts[kept], run.color, width=width, casing=2.0 if i == 0 else 1.2,
                                  head=run.head, head_size=0.2)
            path.set_progress(0.0)
            if path.head is not None:
                path.head.set_z_index(3)
            follow = _Follow(path, kept, tracker, run.last)
            path.add_updater(follow)
            paths.append(path)
            drivers.append(follow)
        self.paths = paths
        start_pt = to_scene(axes, self.runs[0].points[0])
        start = make_marker(start_pt, START_COLOR, radius=0.09)
        start.set_z_index(2)

        # the panel on the right
        panel_left = frame.get_right()[0] + 0.75
        panel_w = config.frame_width / 2 - 0.35 - panel_left
        formula = make_tex(rf"f({', '.join(f.variable_names)}) = {f.latex}", font_size=34)
        blocks: list[Mobject] = [_fit_width(formula, panel_w)]
        if self.show_field:
            grad = make_tex(rf"-\nabla f = -{f.grad_latex}", font_size=30)
            blocks.append(_fit_width(grad, panel_w))
        rows = self.legend_rows(panel_w)
        table = VGroup(*rows).arrange(DOWN, buff=0.26, aligned_edge=LEFT)
        panel = VGroup(*blocks, table).arrange(DOWN, buff=0.38, aligned_edge=LEFT)
        avail = counter.get_bottom()[1] - 0.3 - (-config.frame_height / 2 + 0.35)
        if panel.height > avail:
            panel.scale(avail / panel.height)
        _fit_width(panel, panel_w)
        panel.move_to([panel_left, 0, 0], aligned_edge=LEFT)
        panel.align_to([0, counter.get_bottom()[1] - 0.3, 0], UP)
        self.legend_entries = rows

        # the end of each run: a cross where it left the view, else its end point
        finish = VGroup()
        for run in self.runs:
            end_pt = to_scene(axes, run.points[-1])
            if run.stopped_at is not None:
                finish.add(_cross(end_pt))
            else:
                m = make_marker(end_pt, END_COLOR, radius=0.07)
                m.set_z_index(4)
                finish.add(m)

        # ---- play ------------------------------------------------------------------------------
        race_time = _race_time(steps)
        intro, outro = 3.0 + (1.6 if self.show_field else 0.0), 4.5
        total = intro + race_time + outro
        if not _user_captions(self, p["captions"], total):
            self.caption(self.intro_caption(f, p), intro)
        self.play(FadeIn(heading), FadeIn(axes), FadeIn(cmap), Write(blocks[0]),
                  FadeIn(counter), run_time=1.4)
        if self.show_field:
            self.play(LaggedStart(*[GrowArrow(a) if isinstance(a, Arrow) else FadeIn(a)
                                    for a in field], lag_ratio=0.01),
                      *(Write(b) for b in blocks[1:]), run_time=1.6)
        self.play(FadeIn(start, scale=0.5),
                  LaggedStart(*[FadeIn(r, shift=LEFT * 0.2) for r in rows], lag_ratio=0.15),
                  run_time=1.2)
        self.wait(0.4)
        for path in paths:
            self.add(path)
        self.add(start)
        self.statuses(rows, tracker)
        if not p["captions"]:
            self.caption(self.race_caption(p), race_time)
        self.play(tracker.animate.set_value(steps), run_time=race_time, rate_func=_warp(steps))
        for path, follow in zip(paths, drivers, strict=True):
            follow(path)
            path.clear_updaters()

        summary = self.summary(axes)
        if not p["captions"]:
            self.caption(summary.caption, outro)
        self.play(FadeIn(finish, scale=0.6), FadeIn(summary, shift=UP * 0.1), run_time=0.8)
        self.wait(outro - 0.8)
        self.finish_marks = finish
        self.summary_note = summary

    # -- hooks -----------------------------------------------------------------------------------

    def default_title(self, f: Objective) -> str:
        raise NotImplementedError

    def intro_caption(self, f: Objective, p: dict[str, Any]) -> str:
        x0 = ", ".join(fmt(float(v), 3) for v in p["start"])
        return f"f({', '.join(f.variable_names)}) = {_plain(f)}, starting at ({x0})."

    def race_caption(self, p: dict[str, Any]) -> str:
        return f"{len(self.runs)} runs, {p['steps']} steps each."

    def legend_rows(self, width: float) -> list[VGroup]:
        """One row per run: swatch and name, the live value of f, small print, status."""
        rows = []
        n = len(self.runs)
        name_size = 25 if n <= 5 else 21
        names: list[Mobject] = []
        for i, run in enumerate(self.runs):
            line_w = max(3.4, 7.0 - 1.3 * i) if n > 1 else 5.0
            swatch_line = Line(LEFT * 0.28, RIGHT * 0.28, stroke_width=min(line_w, 7.0))
            swatch_line.set_stroke(run.color)
            swatch_line.set_stroke(BACKGROUND, width=min(line_w, 7.0) + 2.5, background=True)
            swatch = VGroup(swatch_line, make_head(run.head, run.color, 0.2)
                            .move_to(swatch_line.get_end()))
            name, small = self.row_words(run)
            if name.startswith("\\"):
                name_mob: Mobject = make_tex(name, font_size=name_size * 1.25, color=run.color)
            else:
                name_mob = make_text(name, font_size=name_size, color=run.color, weight="BOLD")
            name_mob.next_to(swatch, RIGHT, buff=0.2)
            swatch.match_y(name_mob)
            row = VGroup(swatch, name_mob)
            below = name_mob
            if small:
                small_mob = make_text(small, font_size=15, color=MUTED_TEXT)
                small_mob.next_to(below, DOWN, buff=0.08, aligned_edge=LEFT)
                row.add(small_mob)
                below = small_mob
            if run.stopped_at is not None:
                status = make_text(run.status, font_size=15, color=DIVERGED_COLOR)
                status.next_to(below, DOWN, buff=0.06, aligned_edge=LEFT)
                status.set_opacity(0.0)  # shown when the run leaves the view
                row.add(status)
                row.status = status
            row.label_text = run.label
            row.color_hex = run.color
            row.run_index = i
            names.append(name_mob)
            rows.append(row)
        # the live values in one column, right of the longest name
        column = max(nm.get_right()[0] - r[0].get_left()[0] for nm, r in zip(names, rows,
                                                                           strict=True)) + 0.45
        for row, name_mob in zip(rows, names, strict=True):
            run = self.runs[row.run_index]
            vfmt, vwidth = _value_format(run.values)
            f_word = make_tex("f =", font_size=26, color=MUTED_TEXT)
            f_word.move_to([row[0].get_left()[0] + column, 0, 0], aligned_edge=LEFT)
            value = FastNumber(float(run.values[0]), vfmt, vwidth, font_size=23)
            # digits sit on the baseline of the name: of the last digit of a formula, or of
            # the first (capital) letter of a word
            glyph = name_mob[0][-1] if isinstance(name_mob, MathTex) else name_mob[0]
            baseline = glyph.get_bottom()[1]
            value.place([f_word.get_right()[0] + 0.14, baseline, 0])
            f_word.match_y(value)
            row.add(f_word, value)
            row.value = value
        return rows

    def row_words(self, run: Run) -> tuple[str, str]:
        raise NotImplementedError

    def statuses(self, rows: Sequence[VGroup], tracker: ValueTracker) -> list[Mobject]:
        """Live values in the legend, and "diverged at step N" once a run has left the view."""
        out: list[Mobject] = []
        for row in rows:
            run: Run = self.runs[row.run_index]
            vals = run.values

            def follow(m: Mobject, vals: FloatArray = vals, last: int = run.last) -> None:
                m.set_value(float(vals[min(int(tracker.get_value()), last)]))

            row.value.add_updater(follow)
            if run.stopped_at is None:
                continue
            status = row.status
            stop = run.stopped_at

            def show(m: Mobject, stop: int = stop) -> None:
                m.set_opacity(1.0 if tracker.get_value() >= stop else 0.0)

            status.add_updater(show)
            out.append(status)
        return out

    def summary(self, axes: Any) -> VGroup:
        """A note under the map, every number read from the runs."""
        f = self.objective
        ok = [r for r in self.runs if r.stopped_at is None]
        bits: list[str] = []
        if ok:
            best = min(ok, key=lambda r: float(r.values[-1]))
            worst = max(ok, key=lambda r: float(r.values[-1]))
            who = self.short_name(best)
            if len(self.runs) > 1:
                bits.append(f"Lowest f after {best.trajectory.steps} steps: {who}, "
                            f"f = {_num(float(best.values[-1]))} at "
                            f"{_coords(best.points[-1])}.")
                if worst is not best and float(worst.values[-1]) > float(best.values[-1]):
                    bits.append(f"Highest: {self.short_name(worst)}, "
                                f"f = {_num(float(worst.values[-1]))}.")
            else:
                said = f"{who}: {verdict(f, best, self.view)}; "
                bits.append(said[0].upper() + said[1:] + f"f = {_num(float(best.values[-1]))}.")
        gone = [r for r in self.runs if r.stopped_at is not None]
        heads = {
            "left": "Left the view (diverged)",
            "undefined": "Reached a point where f is undefined or infinite (diverged)",
            "overflow": "Overflowed (diverged)",
            "zero_by_zero": "Stopped by an update of 0/0",
        }
        for reason, head in heads.items():
            these = [r for r in gone if (r.stop.reason if r.stop is not None else "left")
                     == reason]
            if not these:
                continue
            if reason == "zero_by_zero" and all(r.stop is not None and r.stop.eps_zero
                                                for r in these):
                head += " (eps = 0 where the gradient is 0)"
            parts = [f"{self.short_name(r)} at step {r.stopped_at}" for r in these]
            bits.append(f"{head}: " + ", ".join(parts) + ".")
        text = " ".join(bits)
        group = VGroup(self._note(text, axes))
        group.caption = text
        return group

    def _note(self, text: str, axes: Any) -> Mobject:
        """``text`` wrapped into the free space: under the legend if there is room, else
        under the map."""
        frame = axes.frame_box
        bottom = -config.frame_height / 2 + 0.3
        size = 20
        per_char = make_text("abcdefghij klmnopqrs tuvwxyz 0123456789", font_size=size).width / 39

        def wrapped(width: float) -> Mobject:
            lines = textwrap.wrap(text, width=max(20, int(width / per_char)))
            note = make_text("\n".join(lines), font_size=size, color=TEXT_COLOR,
                             line_spacing=0.85)
            return _fit_width(note, width)

        table = VGroup(*self.legend_entries)
        side_w = config.frame_width / 2 - 0.4 - table.get_left()[0]
        if side_w >= 3.6:
            note = wrapped(side_w)
            note.next_to(table, DOWN, buff=0.55).align_to(table, LEFT)
            if note.get_bottom()[1] >= bottom:
                return note
        note = wrapped(frame.width + 0.9)
        note.next_to(frame, DOWN, buff=0.45).align_to(frame, LEFT)
        if note.get_bottom()[1] < bottom:
            note.scale((frame.get_bottom()[1] - 0.4 - bottom) / note.height)
            note.next_to(frame, DOWN, buff=0.4).align_to(frame, LEFT)
        return note

    def short_name(self, run: Run) -> str:
        """The optimizer's name, or its label when two runs share the name."""
        name = run.optimizer.display_name
        same = sum(r.optimizer.display_name == name for r in self.runs)
        return name if same == 1 else run.optimizer.label


class CustomDescent2D(_MapScene):
    """Gradient descent on :math:`f(x, y)`: the paths over the contour map and the field of
    :math:`-\\nabla f`, one path per learning rate.

    Attributes for tests: ``runs``, ``paths`` (one :class:`TrajectoryPath` per run),
    ``legend_entries``, ``finish_marks`` (a cross for each run that diverged, else its end).
    """

    descent = True
    show_field = True
    MAP_BOX = (6.6, 5.4)

    def params(self) -> dict[str, Any]:
        p = load_params("CustomDescent2D")
        if not p["optimizers"]:
            p["optimizers"] = [f"sgd:lr={float(lr)!r}" for lr in p["lrs"]]
        return p

    def default_title(self, f: Objective) -> str:
        if len(self.runs) == 1:
            lr = fmt(_lr(self.runs[0]), 3)
            return f"Gradient descent, learning rate {lr}"
        return f"Gradient descent at {len(self.runs)} learning rates"

    def row_words(self, run: Run) -> tuple[str, str]:
        return run.label, ""

    def short_name(self, run: Run) -> str:
        return f"learning rate {fmt(_lr(run), 3)}"

    def intro_caption(self, f: Objective, p: dict[str, Any]) -> str:
        return (super().intro_caption(f, p) + " The arrows show minus the gradient, the way "
                "downhill; each step moves along it, scaled by the learning rate.")

    def race_caption(self, p: dict[str, Any]) -> str:
        rates = ", ".join(fmt(_lr(r), 3) for r in self.runs)
        return f"Learning rate{'s' if len(self.runs) > 1 else ''} {rates}, {p['steps']} steps."


class CustomRace(_MapScene):
    """Optimizers racing from one start over the contour map of :math:`f(x, y)`.

    Attributes for tests: ``runs``, ``paths``, ``legend_entries`` (``row.label_text`` is the
    optimizer's label), ``finish_marks``, ``summary_note``.
    """

    def default_title(self, f: Objective) -> str:
        n = len(self.runs)
        where = self.function_name(f)
        if n == 1:
            first = self.runs[0].optimizer.display_name
            steps = self.runs[0].trajectory.steps
            return f"{first} on {where}" if where else f"{first}, {steps} steps"
        words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight"}
        count = words.get(n, str(n))
        return f"{count} optimizers on {where}" if where else f"{count} optimizers, one start"

    @staticmethod
    def function_name(f: Objective) -> str:
        if f.name:
            return "the " + f.name.replace("_", " ") if f.name in ("long_valley", "saddle",
                                                                  "bowl", "cubic_bowl",
                                                                  "monkey_saddle") \
                else f.name.replace("_", " ").title()
        return ""

    def row_words(self, run: Run) -> tuple[str, str]:
        label = run.optimizer.label
        name = run.optimizer.display_name
        small = label[len(name):].strip().removeprefix("(").removesuffix(")")
        return name, small

    def race_caption(self, p: dict[str, Any]) -> str:
        names = ", ".join(r.optimizer.label for r in self.runs)
        return f"They start together: {names}."


# --------------------------------------------------------------------------------------------
# 3D
# --------------------------------------------------------------------------------------------


class _SurfaceData:
    """What ``SurfaceDescent3D``'s builders read: the function, the view, heights and levels."""

    def __init__(self, f: Objective, view: Sequence[float]) -> None:
        from gdanim.cache import cached_contour_lines
        from gdanim.contours import default_levels

        self.objective = f
        self.view = (float(view[0]), float(view[1]), float(view[2]), float(view[3]))
        xs = np.linspace(self.view[0], self.view[1], 121)
        ys = np.linspace(self.view[2], self.view[3], 121)
        grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
        with np.errstate(all="ignore"):
            heights = np.asarray(f.value(grid), dtype=np.float64)
        finite = heights[np.isfinite(heights)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        self.f_range = (lo, hi)
        self.levels = default_levels(f, self.view, 9)
        self.contours = cached_contour_lines(f, self.view, self.levels, resolution=160)
        self.box = SurfaceBox(self.view, self.f_range)


class _Axes3D:
    """Three plain axis lines: x and y along two edges of the floor, f at their corner."""

    def __init__(self, x_axis: Line, y_axis: Line, z_axis: Line) -> None:
        self.x_axis, self.y_axis, self.z_axis = x_axis, y_axis, z_axis


def _axes3d(data: _SurfaceData) -> tuple[_Axes3D, VGroup]:
    """Axes for any view (a tick per unit would be thousands of ticks on a wide view)."""
    box = data.box
    x0, x1, y0, y1 = data.view
    f0, f1 = data.f_range
    pad_x, pad_y = 0.06 * (x1 - x0), 0.06 * (y1 - y0)
    x_axis = Line(box.on_floor([x0, y0 - pad_y]), box.on_floor([x1, y0 - pad_y]))
    y_axis = Line(box.on_floor([x0 - pad_x, y0]), box.on_floor([x0 - pad_x, y1]))
    z_axis = Line(box.to_scene(x0 - pad_x, y0 - pad_y, f0),
                  box.to_scene(x0 - pad_x, y0 - pad_y, f1))
    z_axis.insert_n_curves(23)  # pieces, so that the surface hides exactly the part behind it
    for axis in (x_axis, y_axis, z_axis):
        axis.set_stroke(AXIS_COLOR, width=2)
    labels = VGroup(
        make_tex(data.objective.variable_names[0], LABEL_SIZE, MUTED_TEXT)
        .move_to(box.on_floor([x1 + 0.1 * (x1 - x0), y0 - pad_y])),
        make_tex(data.objective.variable_names[1], LABEL_SIZE, MUTED_TEXT)
        .move_to(box.on_floor([x0 - pad_x, y1 + 0.1 * (y1 - y0)])),
        make_tex("f", LABEL_SIZE, MUTED_TEXT)
        .move_to(box.to_scene(x0 - pad_x, y0 - pad_y, f1 + 0.12 * (f1 - f0))),
    )
    return _Axes3D(x_axis, y_axis, z_axis), labels


class CustomRace3D(SurfaceDescent3D):
    """Optimizers (or learning rates) on the 3D surface of :math:`f(x, y)`, with the paths'
    shadows on a contour map below and a slowly orbiting camera.

    Attributes for tests: ``runs``, ``paths`` (one surface path per run), ``legend_entries``,
    ``stop_marks`` (a cross where each stopped run stopped), ``surface`` (with ``defined``,
    false where f is undefined: a hole).
    """

    resolution = 40
    phi = 60 * DEGREES
    theta_start = -118 * DEGREES
    zoom = 0.7
    orbit_rate = 0.03
    #: Whether the captions of ``params()`` are spread over the pause after the race too; a
    #: subclass that narrates the end itself (in :meth:`after_race`) sets this to ``False``.
    captions_over_outro = True
    #: Seconds the race plays; ``None`` for the default, which grows with the number of steps.
    race_seconds: float | None = None
    #: Seconds held after the race.
    outro_seconds = 3.5

    def params(self) -> dict[str, Any]:
        """The scene's parameters (see :func:`load_params`); subclasses may fix their own."""
        return load_params("CustomRace3D")

    def build_surface(self, data: Any) -> FastSurface:
        """The surface, with a hole wherever f is undefined (see :class:`FastSurface`)."""
        with np.errstate(all="ignore"):
            return super().build_surface(data)

    def build_floor(self, data: Any) -> tuple[FastSurface, VGroup]:
        """The contour floor; where f is undefined (a hole in the surface) it is plain grey."""
        with np.errstate(all="ignore"):
            floor, lines = super().build_floor(data)
        x0, x1, y0, y1 = data.view
        nu, nv = floor.resolution
        ij = floor.face_ij + 0.5
        centres = np.stack([x0 + (x1 - x0) * ij[:, 0] / nu, y0 + (y1 - y0) * ij[:, 1] / nv],
                           axis=-1)
        with np.errstate(all="ignore"):
            values = np.asarray(data.objective.value(centres), dtype=np.float64)
        undefined = ~np.isfinite(values)
        if undefined.any():
            floor.face_rgbas[undefined, :3] = UNDEFINED_FLOOR
        return floor, lines

    def hud_note(self) -> Mobject | None:
        """An extra note under the title and formula, shown with the formula; none here."""
        return None

    def after_race(self, outro: float) -> None:
        """What follows the race: here a pause of ``outro`` seconds, the camera still turning."""
        self.wait(outro)

    def construct(self) -> None:
        p = self.params()
        f = objectives.resolve(p["function"])
        view = tuple(float(v) for v in p["view"])
        steps = int(p["steps"])
        descent = p.get("kind") == "descend"
        specs = p["optimizers"] or [f"sgd:lr={float(lr)!r}" for lr in p["lrs"]]
        opts = [optimizers.from_spec(s) for s in specs]
        self.runs = make_runs(f, opts, p["start"], steps, view, descent=descent)
        data = _SurfaceData(f, view)
        self.setup_data = data
        box = data.box
        n = len(self.runs)
        if p["title"]:
            name = p["title"]
        elif descent:
            name = "Gradient descent on the surface"
        elif n > 1:
            words = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven",
                     8: "Eight"}
            name = f"{words.get(n, str(n))} optimizers on the surface"
        else:
            name = f"{self.runs[0].optimizer.display_name} on the surface"
        self.section(name)
        self.set_camera_orientation(phi=self.phi, theta=self.theta_start, zoom=self.zoom)

        surface = self.build_surface(data)
        floor, contours = self.build_floor(data)
        axes, labels = _axes3d(data)
        self.surface, self.floor, self.contours, self.axes = surface, floor, contours, axes

        # heads-up display, fixed in the frame
        heading = make_text(name, TITLE_SIZE * 0.8, TEXT_COLOR, weight="MEDIUM")
        formula = make_tex(rf"f({', '.join(f.variable_names)}) = {f.latex}", BODY_SIZE * 1.05)
        hud_left = VGroup(heading, formula).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        _fit_width(hud_left, 6.0)
        hud_left.to_corner(UL, buff=0.4)
        tracker = ValueTracker(0.0)
        self.tracker = tracker
        rows = []
        for i, run in enumerate(self.runs):
            dot = make_head(run.head, run.color, 0.2)
            if descent:
                words: Mobject = make_tex(run.label, font_size=26, color=run.color)
            else:
                words = make_text(run.optimizer.label, font_size=17, color=run.color,
                                  weight="BOLD")
            words.next_to(dot, RIGHT, buff=0.15)
            row = VGroup(dot, words)
            if run.stopped_at is not None:
                status = make_text(run.status, font_size=15, color=DIVERGED_COLOR)
                status.next_to(words, DOWN, buff=0.06, aligned_edge=LEFT)
                status.set_opacity(0.0)
                row.add(status)
                row.status = status
            row.run_index = i
            row.label_text = run.label
            rows.append(row)
        self.legend_entries = rows
        table = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        col = max(r[1].get_right()[0] for r in rows) + 0.3
        for row in rows:
            run = self.runs[row.run_index]
            vfmt, vwidth = _value_format(run.values)
            value = FastNumber(float(run.values[0]), vfmt, vwidth, font_size=20)
            glyph = row[1][0][-1] if descent else row[1][0]
            value.place([col, glyph.get_bottom()[1], 0])
            row.add(value)
            row.value = value
        f_head = make_tex("f", font_size=24, color=MUTED_TEXT)
        f_head.next_to(rows[0].value.extent, UP, buff=0.12).align_to(rows[0].value.extent, RIGHT)
        legend = VGroup(f_head, table)
        _fit_width(legend, 5.0)
        legend.to_corner(UR, buff=0.4)
        counter = _step_counter(steps, tracker)
        counter.to_corner(DOWN + RIGHT, buff=0.4)
        for row in rows:
            run = self.runs[row.run_index]

            def follow(m: Mobject, vals: FloatArray = run.values, last: int = run.last) -> None:
                m.set_value(float(vals[min(int(tracker.get_value()), last)]))

            row.value.add_updater(follow)
            if run.stopped_at is None:
                continue

            def show(m: Mobject, stop: int = run.stopped_at) -> None:
                m.set_opacity(1.0 if tracker.get_value() >= stop else 0.0)

            row.status.add_updater(show)

        # the runs on the surface and on the floor
        lift = 0.03

        def on_surface(q: FloatArray) -> FloatArray:
            fv = f.value(q)
            return np.asarray(lift_onto(box.to_scene(q[..., 0], q[..., 1], fv),
                                        box.normals(f, q), lift))

        self.paths = []
        self.stop_marks: list[Mobject] = []
        overlays_on: list[Mobject] = []
        overlays_floor: list[Mobject] = []
        dots: list[Mobject] = []
        for i, run in enumerate(self.runs):
            xy = np.asarray(run.points, dtype=np.float64)
            dense_xy, dense_s = densify(xy, 0.03 * (view[1] - view[0]) / 6)
            if len(dense_xy) > 3000:
                pick = np.unique(np.linspace(0, len(dense_xy) - 1, 3000).astype(int))
                dense_xy, dense_s = dense_xy[pick], dense_s[pick]
            dense_surface = on_surface(dense_xy)
            dense_floor = box.on_floor(dense_xy) + [0, 0, 0.008 + 0.002 * i]

            def partial(points: FloatArray, floor_level: bool, xy: FloatArray = xy,
                        s: FloatArray = dense_s, last: int = run.last) -> FloatArray:
                t = min(tracker.get_value(), float(last))
                head_xy = interpolate_polyline(xy, t)
                head = box.on_floor(head_xy) + [0, 0, 0.008] if floor_level else \
                    on_surface(head_xy)
                keep = points[s < t - 1e-9]
                return np.vstack([keep, head[None, :]]) if len(keep) else np.vstack([head, head])

            width = max(3.5, 6.0 - 0.8 * i)
            path = VMobject(stroke_color=run.color, stroke_width=width)
            shadow = VMobject(stroke_color=run.color, stroke_width=2.5, stroke_opacity=0.85)
            path.add_updater(lambda m, pts=dense_surface, fn=partial:
                             m.set_points_as_corners(fn(pts, False)))
            shadow.add_updater(lambda m, pts=dense_floor, fn=partial:
                               m.set_points_as_corners(fn(pts, True)))
            dot = make_marker(on_surface(xy[0]), run.color, radius=0.08)

            def head_point(m: Mobject, xy: FloatArray = xy, last: int = run.last) -> None:
                q = interpolate_polyline(xy, min(tracker.get_value(), float(last)))
                m.move_to(on_surface(q))

            dot.add_updater(head_point)
            self.paths.append(path)
            overlays_on += [path, dot]
            overlays_floor.append(shadow)
            dots.append(dot)
            if run.stopped_at is not None:
                # where the run stopped: a cross over its last point, once it gets there
                cross = _cross(on_surface(xy[run.last]), 0.16)

                def appear(m: Mobject, stop: int = run.stopped_at) -> None:
                    m.set_opacity(1.0 if tracker.get_value() >= stop else 0.0)

                cross.set_opacity(0.0)
                cross.add_updater(appear)
                self.stop_marks.append(cross)
        start = make_marker(on_surface(np.asarray(self.runs[0].points[0])), START_COLOR,
                            radius=0.09)
        surface.add_overlay(*overlays_on, *self.stop_marks, start, mode="on")
        surface.add_overlay(axes.z_axis, labels[2], mode="depth")
        floor.add_overlay(contours, axes.x_axis, axes.y_axis, labels[:2], *overlays_floor,
                          mode="over")
        camera = self.renderer.camera
        camera.add_fixed_orientation_mobjects(*labels, *dots, *self.stop_marks, start)

        # ---- play ------------------------------------------------------------------------------
        race_time = _race_time(steps) if self.race_seconds is None else self.race_seconds
        intro, outro = 4.2, self.outro_seconds
        total = intro + race_time + (outro if self.captions_over_outro else 0.0)
        if not _user_captions(self, p["captions"], total):
            hole = (" There is no surface where f is undefined (the grey floor)."
                    if not surface.defined.all() else "")
            self.caption(f"The surface of f = {_plain(f)}, coloured by height, over its "
                         f"contour map.{hole}", intro)
        self.add_fixed_in_frame_mobjects(hud_left)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.add(floor, contours, axes.x_axis, axes.y_axis, labels[:2])
        self.play(FadeIn(surface), Create(axes.z_axis), FadeIn(labels[2]), Write(heading),
                  run_time=1.8)
        note = self.hud_note()
        if note is not None:
            note.next_to(hud_left, DOWN, buff=0.3, aligned_edge=LEFT)
            self.add_fixed_in_frame_mobjects(note)
            self.play(Write(formula), FadeIn(note), run_time=1.0)
        else:
            self.play(Write(formula), run_time=1.0)
        self.add_fixed_in_frame_mobjects(legend, counter)
        self.play(FadeIn(legend), FadeIn(counter), FadeIn(start, scale=0.5), run_time=1.0)
        self.add(*self.paths, *overlays_floor, *dots, *self.stop_marks)
        if not p["captions"]:
            names = ", ".join(r.optimizer.label for r in self.runs)
            self.caption(f"{names}: {steps} steps from the same start.", race_time)
        self.play(tracker.animate.set_value(steps), run_time=race_time, rate_func=_warp(steps))
        ok = [r for r in self.runs if r.stopped_at is None]
        if ok and not p["captions"]:
            best = min(ok, key=lambda r: float(r.values[-1]))
            self.caption(f"Lowest after {steps} steps: {best.optimizer.label}, "
                         f"f = {fmt(float(best.values[-1]), 4)}.", outro)
        self.after_race(outro)
        self.stop_ambient_camera_rotation()


def lift_onto(points: FloatArray, normals: FloatArray, height: float) -> FloatArray:
    """Points moved ``height`` along their unit normals (see :mod:`scenes.fastsurface`)."""
    from scenes.fastsurface import lift_onto as _lift

    return np.asarray(_lift(points, normals, height))

