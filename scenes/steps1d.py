r"""Gradient descent in one dimension, one arrow per step (scenario S1).

* :class:`GradientSteps1D` plots :math:`f(x)` and draws, step by step, an arrow from
  :math:`(x_t, f(x_t))` to :math:`(x_{t+1}, f(x_{t+1}))`, with the start in red, the end in green,
  the learning rate in the title and the step, :math:`x_t` and :math:`f(x_t)` read out live. It
  plays four runs: :math:`x^2` from 4 with :math:`\eta = 0.1`, then :math:`x \cos(0.15 \pi x)`
  with :math:`\eta = 0.1` from 15, :math:`\eta = 0.2` from -8 and :math:`\eta = 3` from 15.
  What each run did is :func:`gdanim.analysis.verdict` of it (still moving, converged, bouncing
  without settling, diverged), with the numbers behind it: the last step's length, the nearest
  flat spot (:func:`gdanim.analysis.nearest_flat_spot`) and, for a run that bounces, the factor
  :math:`|1 - \eta f''|` by which a step multiplies the distance to that minimum.
* :class:`LearningRateRegimes` puts four runs on :math:`x^2` side by side (:math:`\eta` = 0.1,
  0.5, 0.9, 1.1), names each one's regime as :func:`gdanim.analysis.regime` computes it, says
  what each run did after its ten steps (:func:`gdanim.analysis.verdict`) and marks the critical
  rate :math:`\eta_c = 2 / L`. The diverging run is stopped by ``descend`` at the edge of its
  axes and marked "diverged at step N".

The scenes never iterate an optimizer themselves: every run is a :func:`gdanim.descend`
trajectory, every number on screen is read from it or from :mod:`gdanim.analysis`, and every
formula is ``Objective.latex`` or ``Optimizer.update_rule_latex``.

Render with::

    manim -ql scenes/steps1d.py GradientSteps1D LearningRateRegimes
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Arrow,
    Axes,
    Create,
    DashedLine,
    DashedVMobject,
    DecimalNumber,
    FadeIn,
    FadeOut,
    GrowArrow,
    Integer,
    MathTex,
    Mobject,
    NumberLine,
    Rectangle,
    ReplacementTransform,
    Text,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)
from manim.utils.color import ParsableManimColor

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from gdanim.trajectory import Trajectory
from scenes.mobjects import StepArrow, step_arrow
from scenes.pacing import say, wait_until
from scenes.style import (
    AXIS_COLOR,
    BODY_SIZE,
    END_COLOR,
    FONT,
    GREEN,
    LABEL_SIZE,
    MATH_SIZE,
    MUTED_TEXT,
    PURPLE,
    REGIME_COLORS,
    SKY,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    VERMILLION,
    GDScene,
    fmt,
    make_axes_1d,
    make_diverged_mark,
    make_legend,
    make_marker,
    make_readout,
    make_text,
    math_on_baseline,
    nice_range,
    optimizer_color,
    plot_objective_1d,
    stack_readouts,
    symmetric_range,
    tick_decimals,
    title,
)

if TYPE_CHECKING:
    from manim.mobject.mobject import _AnimationBuilder

    #: What ``Scene.play`` takes: an animation, a mobject, or ``mobject.animate.<method>(...)``
    #: (which manim annotates as ``_AnimationBuilder | Self``).
    Playable = Animation | Mobject | _AnimationBuilder

_Number = TypeVar("_Number", bound=DecimalNumber)

__all__ = [
    "TOL",
    "VERDICT_COLORS",
    "GradientSteps1D",
    "LearningRateRegimes",
    "Outcome",
    "Panel",
    "RegimeLabel",
    "RunSpec",
    "RunView",
    "StepArrow",
    "eta_tex",
    "outcome",
    "step_arrow",
]

#: Decimals of every number read out on screen.
DIGITS = 3
#: Tolerance of the verdicts: a run has converged when its last step and its slope are both
#: within it (a change the three-decimal readouts would barely show).
TOL = 1e-3
#: Colour of each verdict.
VERDICT_COLORS: dict[str, str] = {
    str(analysis.Verdict.CONVERGED): GREEN,
    str(analysis.Verdict.STILL_MOVING): SKY,
    str(analysis.Verdict.BOUNCING): PURPLE,
    str(analysis.Verdict.DIVERGED): VERMILLION,
}


def eta_tex(lr: float) -> str:
    r"""The learning rate as shown in titles, e.g. ``\eta = 0.100``.

    Examples
    --------
    >>> eta_tex(0.1)
    '\\eta = 0.100'
    """
    return rf"\eta = {fmt(lr, DIGITS)}"


def _readout_number(row: VGroup, kind: type[_Number]) -> _Number:
    """The live number of a readout from :func:`~scenes.style.make_readout` (``row.number``)."""
    number: object = row.number
    if not isinstance(number, kind):
        raise TypeError(f"the readout's number is not a {kind.__name__}")
    return number


class RegimeLabel(Text):
    """A regime's name over a panel, as :func:`~scenes.style.make_text` writes it; ``regime``
    is the name as :func:`gdanim.analysis.regime` gives it (``Text.text`` drops its spaces)."""

    def __init__(self, regime: str, font_size: float, color: ParsableManimColor,
                 weight: str) -> None:
        super().__init__(regime, font=FONT, font_size=font_size, color=color, weight=weight)
        self.regime = regime


def _y_range(
    objective: objectives.Objective, x_range: Sequence[float], ticks: int = 5
) -> tuple[float, float, float]:
    """A rounded y-range holding the curve over ``x_range``."""
    xs = np.linspace(x_range[0], x_range[1], 801)
    ys = np.asarray(objective.value(xs[:, None]), dtype=np.float64)
    ys = ys[np.isfinite(ys)]
    return nice_range(float(ys.min()), float(ys.max()), target_ticks=ticks)


def _plain(objective: objectives.Objective) -> str:
    """The objective as readable plain text for subtitles (``x^2``, not ``x**2``)."""
    return objective.text.replace("**", "^").replace("*", " ")


def _last_index(traj: Trajectory) -> int:
    """Index of the last valid point (the run's end, or the point before it stopped)."""
    return traj.steps if traj.stopped_at is None else int(traj.stopped_at) - 1


@dataclass(frozen=True)
class Outcome:
    r"""What a 1D gradient descent run did, and the numbers that say so, all from gdanim.

    ``verdict`` is :func:`gdanim.analysis.verdict` of the run (tolerance :data:`TOL`); ``spot`` is
    the flat spot Newton's method reaches from the run's last point and ``spot_kind`` whether it
    is a minimum or a maximum (the sign of :func:`gdanim.analysis.curvature`); ``spot_factor`` is
    :func:`gdanim.analysis.distance_factor` there, :math:`|1 - \eta f''|`. ``words`` is the line
    shown on screen, ``detail`` the smaller lines under it.
    """

    verdict: analysis.RunVerdict
    spot: float | None
    spot_kind: str
    spot_curvature: float | None
    spot_factor: float | None
    words: str
    detail: tuple[str, ...]

    @property
    def color(self) -> str:
        """The verdict's colour."""
        return VERDICT_COLORS[str(self.verdict.verdict)]


def outcome(objective: objectives.Objective, traj: Trajectory, lr: float) -> Outcome:
    """The verdict of a plain gradient descent run in 1D, and the words that state it."""
    v = analysis.verdict(traj, tol=TOL, objective=objective)
    end = _last_index(traj)
    spot: float | None = None
    bend: float | None = None
    factor: float | None = None
    kind = "flat spot"
    if v.verdict is not analysis.Verdict.DIVERGED:
        try:
            found = analysis.nearest_flat_spot(objective, traj.points[end])
        except ValueError:
            found = None
        if found is not None:
            spot = float(found[0])
            bend = analysis.curvature(objective, found)
            kind = "minimum" if bend > 0 else "maximum" if bend < 0 else "flat spot"
            factor = analysis.distance_factor(objective, found, lr)
    Verdict = analysis.Verdict
    if v.verdict is Verdict.DIVERGED:
        words = f"diverged at step {v.stopped_at}" if v.stopped_at else "diverged"
        detail: tuple[str, ...] = ()
    elif v.verdict is Verdict.CONVERGED:
        words = "converged"
        detail = (f"last step and slope within {fmt(TOL, DIGITS)}",)
    elif v.verdict is Verdict.STILL_MOVING:
        words = f"still moving, {fmt(v.last_step, DIGITS)} a step"
        detail = () if spot is None else (f"the {kind} is at x = {fmt(spot, DIGITS)}",)
    else:
        words = "bouncing without settling"
        if kind == "minimum" and spot is not None and bend is not None and lr * bend > 2.0:
            detail = (
                f"nearest minimum: x = {fmt(spot, DIGITS)}",
                f"\u03b7 f'' there = {fmt(lr * bend, 2)} > 2",
            )
        else:
            detail = ("its steps do not shrink",)
    return Outcome(v, spot, kind, bend, factor, words, detail)


# --------------------------------------------------------------------------------------------
# GradientSteps1D
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    """One arrow-traced run: objective (catalog name), learning rate, start and steps."""

    objective: str
    lr: float
    x0: float
    steps: int


@dataclass
class RunView:
    """What a run drew, kept for tests and for subclasses."""

    spec: RunSpec
    objective: objectives.Objective
    trajectory: Trajectory
    axes: Axes
    title: VGroup
    arrows: list[StepArrow] = field(default_factory=list)
    start_marker: Mobject | None = None
    end_marker: Mobject | None = None
    step_readout: Integer | None = None
    x_readout: DecimalNumber | None = None
    f_readout: DecimalNumber | None = None
    verdict: Mobject | None = None
    outcome: Outcome | None = None
    captions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _RunShown:
    """What a run leaves on screen: what the next run morphs, and what it fades out."""

    heading: VGroup
    axes: Axes
    curve: VMobject
    panel: VGroup
    transient: list[Mobject]


class GradientSteps1D(GDScene):
    """Gradient descent traced with one arrow per step, on x^2 and on x cos(0.15 pi x) (S1).

    Attributes set by ``construct``:

    ``runs``
        One :class:`RunView` per run, in order.
    ``step_arrows``
        Every step arrow drawn, all runs in order (one per step: ``sum(spec.steps)``).

    Each run's verdict is :func:`outcome` of its trajectory (``RunView.outcome``): the words on
    screen and the numbers in the subcaptions are read from it.
    """

    RUNS: tuple[RunSpec, ...] = (
        RunSpec("parabola", 0.1, 4.0, 10),
        RunSpec("wavy", 0.1, 15.0, 10),
        RunSpec("wavy", 0.2, -8.0, 10),
        RunSpec("wavy", 3.0, 15.0, 10),
    )
    #: Seconds per step arrow (a whole number of frames at 15 and 60 frames a second).
    STEP_TIME = 4 / 15
    AXES_SIZE = (8.4, 5.7)

    def construct(self) -> None:
        self.runs: list[RunView] = []
        self.step_arrows: list[StepArrow] = []
        self.section("steps1d")
        previous: _RunShown | None = None
        for i, spec in enumerate(self.RUNS):
            previous = self.play_run(spec, previous, first=i == 0, last=i == len(self.RUNS) - 1)

    # ---- one run -----------------------------------------------------------------------------

    def play_run(
        self, spec: RunSpec, previous: _RunShown | None, *, first: bool, last: bool
    ) -> _RunShown:
        obj = objectives.get(spec.objective)
        opt = optimizers.sgd(lr=spec.lr)
        traj = cached_descend(obj, opt, [spec.x0], spec.steps)
        xs = traj.points[:, 0]
        fs = traj.values
        color = optimizer_color(opt)

        x_range = symmetric_range(xs, margin=0.1, target_ticks=10)
        y_range = _y_range(obj, x_range)
        axes = make_axes_1d(
            x_range, y_range, x_length=self.AXES_SIZE[0], y_length=self.AXES_SIZE[1]
        )
        axes.to_edge(LEFT, buff=0.6).to_edge(DOWN, buff=0.45)
        curve = plot_objective_1d(axes, obj)

        heading = title("Gradient descent with", math=eta_tex(spec.lr))

        # side panel: formula, update rule, live readouts, legend
        f_tex = MathTex("f(x) = " + obj.latex, font_size=MATH_SIZE, color=TEXT_COLOR)
        # torch writes parameters as theta; here the parameter is x
        rule = MathTex(
            r"\begin{aligned}" + opt.update_rule_latex.replace(r"\theta", "x") + r"\end{aligned}",
            font_size=LABEL_SIZE,
            color=MUTED_TEXT,
        )
        rule_head = make_text(opt.display_name + " update", SMALL_SIZE, color)
        rule_block = VGroup(rule_head, rule).arrange(DOWN, buff=0.14, aligned_edge=LEFT)

        t_row = make_readout("t =", 0, integer=True)
        x_row = make_readout("x_t =", float(fmt(xs[0], DIGITS)), digits=DIGITS)
        f_row = make_readout("f(x_t) =", float(fmt(fs[0], DIGITS)), digits=DIGITS)
        readouts = stack_readouts([t_row, x_row, f_row])
        t_num = _readout_number(t_row, Integer)
        x_num = _readout_number(x_row, DecimalNumber)
        f_num = _readout_number(f_row, DecimalNumber)
        t_of = math_on_baseline(
            rf"/\ {spec.steps}",
            t_num.get_bottom()[1],
            t_num.get_right()[0] + 0.12,
            font_size=MATH_SIZE,
            color=MUTED_TEXT,
        )
        assert isinstance(t_of, VMobject), "math_on_baseline gives a formula"
        readouts.add(t_of)
        legend = make_legend(
            [("start", START_COLOR), ("end", END_COLOR)], direction=RIGHT, buff=0.5
        )

        # the verdict, computed from the run, is shown at the end, but laid out now so that
        # everything fits
        result = outcome(obj, traj, spec.lr)
        panel_left = axes.get_right()[0] + 0.45
        max_w = config.frame_width / 2 - 0.45 - panel_left
        verdict = VGroup(make_text(result.words, LABEL_SIZE, result.color))
        for line in result.detail:
            verdict.add(make_text(line, SMALL_SIZE, MUTED_TEXT))
        verdict.arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        if verdict.width > max_w:
            verdict.scale(max_w / verdict.width)
        panel = VGroup(f_tex, rule_block, readouts, legend)
        layout = VGroup(*panel, verdict).arrange(DOWN, buff=0.45, aligned_edge=LEFT)
        top = axes.get_top()[1] - 0.1
        max_h = top - (-config.frame_height / 2 + 0.4)
        shrink = min(1.0, max_w / layout.width, max_h / layout.height)
        layout.scale(shrink)
        layout.move_to(np.array([panel_left, 0.0, 0.0]), aligned_edge=LEFT)
        layout.shift(UP * (top - layout.get_top()[1]))

        # the run's arrows and markers, all read from the trajectory
        pts = [axes.c2p(float(x), float(f)) for x, f in zip(xs, fs, strict=True)]
        end = _last_index(traj)
        arrows = [
            StepArrow.between(pts[t], pts[t + 1], color, stroke_width=5) for t in range(end)
        ]
        visits = [make_marker(p, color, radius=0.05) for p in pts[1 : end + 1]]
        start_marker = make_marker(pts[0], START_COLOR, radius=0.11)
        end_marker: Mobject = make_marker(pts[end], END_COLOR, radius=0.11)
        if traj.stopped_at is not None:
            # a run that went non-finite ends with a mark, not with a green dot
            end_marker = make_diverged_mark(pts[end], int(traj.stopped_at))
        for a in arrows:
            a.set_z_index(1)
        for m in visits:
            m.set_z_index(2)
        start_marker.set_z_index(3)
        end_marker.set_z_index(3)

        view = RunView(
            spec, obj, traj, axes, heading, arrows, start_marker, end_marker, t_num, x_num, f_num,
            outcome=result,
        )
        self.runs.append(view)
        self.step_arrows.extend(arrows)

        # ---- animate ----
        if previous is None:
            intro = (
                f"Each arrow is one step, from x to x \u2212 \u03b7 f'(x): here on "
                f"f(x) = {_plain(obj)} from x0 = {fmt(spec.x0, 1)}."
            )
        else:
            intro = (
                f"Now f(x) = {_plain(obj)} from x0 = {fmt(spec.x0, 1)}, "
                f"\u03b7 = {fmt(spec.lr, DIGITS)}."
            )
        view.captions.append(intro)
        said_until = say(self, intro)
        if previous is None:
            self.play(Write(heading), run_time=1.0)
            self.play(Create(axes), run_time=0.6)
            self.play(Create(curve), FadeIn(panel, shift=LEFT * 0.2), run_time=1.0)
        else:
            # morph copies, so that the previous run's mobjects keep their own geometry
            olds = [previous.heading, previous.axes, previous.curve, previous.panel]
            copies = [m.copy() for m in olds]
            self.remove(*olds)
            self.add(*copies)
            self.play(
                *(FadeOut(m) for m in previous.transient),
                *(
                    ReplacementTransform(c, n)
                    for c, n in zip(copies, (heading, axes, curve, panel), strict=True)
                ),
                run_time=0.7,
            )
        self.play(FadeIn(start_marker, scale=0.4), run_time=0.3)

        for t, arrow in enumerate(arrows):
            anims: list[Playable] = [
                GrowArrow(arrow),
                FadeIn(visits[t], scale=0.5),
            ]
            if t > 0:
                anims.append(
                    arrows[t - 1].animate.set_opacity(0.0 if arrows[t - 1].zero_length else 0.6)
                )
            self.play(*anims, run_time=self.STEP_TIME, rate_func=linear)
            # the readouts switch as the arrow lands: only the trajectory's numbers are shown,
            # never values interpolated between two steps
            t_num.set_value(t + 1)
            t_of.set_x(t_num.get_right()[0] + 0.12 + t_of.width / 2)
            x_num.set_value(float(fmt(xs[t + 1], DIGITS)))
            f_num.set_value(float(fmt(fs[t + 1], DIGITS)))
        self.play(FadeIn(end_marker, scale=0.4), run_time=0.4)
        wait_until(self, said_until)

        said = self._outcome_caption(spec, traj, result)
        view.captions.append(said)
        said_end = say(self, said)
        self.play(FadeIn(verdict, shift=UP * 0.1), run_time=0.5)
        wait_until(self, said_end, minimum=1.5)
        view.verdict = verdict
        transient = [*arrows, *visits, start_marker, end_marker, verdict]
        return _RunShown(heading, axes, curve, panel, transient)


    @staticmethod
    def _outcome_caption(spec: RunSpec, traj: Trajectory, result: Outcome) -> str:
        """What the run did, said with its numbers (all read from ``traj`` and ``result``)."""
        end = _last_index(traj)
        v = result.verdict
        head = f"At x = {fmt(traj.points[end, 0], DIGITS)}"
        Verdict = analysis.Verdict
        if v.verdict is Verdict.STILL_MOVING:
            where = "" if result.spot is None else (
                f"; the {result.spot_kind} is at {fmt(result.spot, DIGITS)}"
            )
            return f"{head}: still moving, {fmt(v.last_step, DIGITS)} a step{where}."
        if v.verdict is Verdict.BOUNCING:
            if result.spot_kind == "minimum" and result.spot_factor and result.spot_factor > 1:
                return (
                    f"{head}: bouncing without settling; at the nearest minimum, "
                    f"{fmt(result.spot or 0.0, DIGITS)}, \u03b7 f'' = "
                    f"{fmt(spec.lr * (result.spot_curvature or 0.0), 2)} > 2."
                )
            return f"{head}: bouncing without settling."
        if v.verdict is Verdict.CONVERGED:
            return f"{head}: converged, its last step and slope within {fmt(TOL, DIGITS)}."
        return f"{head}: {result.words}."


# --------------------------------------------------------------------------------------------
# LearningRateRegimes
# --------------------------------------------------------------------------------------------


@dataclass
class Panel:
    """One learning rate's panel, kept for tests."""

    eta: float
    regime: str
    trajectory: Trajectory
    axes: Axes
    header: Mobject
    regime_label: RegimeLabel
    arrows: list[StepArrow]
    start_marker: Mobject
    end_marker: Mobject | None
    diverged_mark: VGroup | None
    exit_arrow: VMobject | None
    #: What the run did, from :func:`outcome`, and its words under the panel (the diverged
    #: mark's words for a run that diverged).
    outcome: Outcome
    verdict_label: Mobject


class LearningRateRegimes(GDScene):
    r"""Four learning rates on x^2 from the same start, each named by its regime.

    The regime is :func:`gdanim.analysis.regime` of :math:`\eta L` (what the rate does on a
    parabola); under each panel, what the run did in its ten steps is
    :func:`gdanim.analysis.verdict` of the run.

    Attributes set by ``construct``: ``panels`` (one :class:`Panel` per rate), ``curvature``
    (:math:`L`), ``critical_lr`` (:math:`2/L`) and ``verdict_caption``.
    """

    OBJECTIVE = "parabola"
    X0 = 4.0
    STEPS = 10
    RATES: tuple[float, ...] = (0.1, 0.5, 0.9, 1.1)
    #: x-range of a panel whose rate converges, and of one past the critical rate (wide enough
    #: to watch a few growing jumps before the run leaves it).
    VIEW = (-5.0, 5.0)
    DIVERGING_VIEW = (-10.0, 10.0)
    STEP_TIME = 4 / 15
    PANEL_SIZE = (2.7, 2.3)

    def construct(self) -> None:
        obj = objectives.get(self.OBJECTIVE)
        self.section("regimes")
        L = analysis.curvature(obj, [self.X0])
        eta_c = analysis.critical_lr(L)
        self.curvature = L
        self.critical_lr = eta_c

        heading = title("Four learning rates on", math="f(x) = " + obj.latex)
        self.panels: list[Panel] = []
        n = len(self.RATES)
        spacing = (config.frame_width - 0.6) / n
        columns = [-(n - 1) / 2 * spacing + i * spacing for i in range(n)]

        for lr, cx in zip(self.RATES, columns, strict=True):
            self.panels.append(self._panel(obj, lr, cx, eta_c))

        # eta line with the critical rate
        eta_line, eta_marks, critical = self._eta_line(eta_c, L)

        # ---- animate ----
        end = say(
            self,
            f"The same start x0 = {fmt(self.X0, 1)} and {self.STEPS} steps of gradient descent "
            "for each rate.",
        )
        self.play(Write(heading), run_time=1.0)
        self.play(
            *(AnimationGroup(Create(p.axes), FadeIn(p.header)) for p in self.panels),
            run_time=1.2,
        )
        self.play(*(FadeIn(p.start_marker, scale=0.4) for p in self.panels), run_time=0.4)
        for t in range(self.STEPS):
            anims: list[Animation] = []
            for p in self.panels:
                if t < len(p.arrows):
                    anims.append(GrowArrow(p.arrows[t]))
                elif (p.diverged_mark is not None and p.exit_arrow is not None
                      and t == len(p.arrows)):
                    anims.append(Create(p.exit_arrow))
                    anims.append(FadeIn(p.diverged_mark, scale=0.6))
            if anims:
                self.play(*anims, run_time=self.STEP_TIME, rate_func=linear)
        self.play(
            *(FadeIn(p.end_marker, scale=0.4) for p in self.panels if p.end_marker is not None),
            run_time=0.4,
        )
        wait_until(self, end)
        self.verdict_caption = f"After {self.STEPS} steps: " + "; ".join(
            self._said(p) for p in self.panels) + "."
        end = say(self, self.verdict_caption)
        self.play(*(FadeIn(p.regime_label, shift=DOWN * 0.1) for p in self.panels), run_time=0.8)
        self.play(
            *(FadeIn(p.verdict_label, shift=UP * 0.1) for p in self.panels
              if p.diverged_mark is None),
            run_time=0.6,
        )
        wait_until(self, end)
        end = say(
            self,
            f"L = f'' = {fmt(L, 1)}: below the critical rate 2/L = {fmt(eta_c, DIGITS)} steps "
            "shrink, above it each jump grows.",
        )
        self.play(Create(eta_line), FadeIn(eta_marks), run_time=1.0)
        self.play(FadeIn(critical), run_time=0.8)
        wait_until(self, end, minimum=1.0)
        self.eta_line = eta_line
        self.critical_mark = critical

    # ---- building blocks ---------------------------------------------------------------------

    @staticmethod
    def _said(panel: Panel) -> str:
        """A panel's rate, its regime and what its run did: ``0.5 one step, converged``."""
        eta = fmt(panel.eta, 1)
        if panel.outcome.verdict.verdict is analysis.Verdict.DIVERGED:
            return f"{eta} {panel.outcome.words}"
        return f"{eta} {panel.regime}, {panel.outcome.words}"

    def _panel(self, obj: objectives.Objective, lr: float, cx: float, eta_c: float) -> Panel:
        opt = optimizers.sgd(lr=lr)
        color = optimizer_color(opt)
        view = self.DIVERGING_VIEW if lr > eta_c else self.VIEW
        # the run is stopped by gdanim as soon as it leaves the panel's x-range
        traj = cached_descend(obj, opt, [self.X0], self.STEPS, bound=view)
        reg = str(analysis.regime(lr, analysis.curvature(obj, [self.X0])))
        result = outcome(obj, traj, lr)

        x_step = (view[1] - view[0]) / 2
        y_range = _y_range(obj, view, ticks=1)
        axes = make_axes_1d(
            (view[0], view[1], x_step),
            (y_range[0], y_range[1], y_range[1] - y_range[0]),
            x_length=self.PANEL_SIZE[0],
            y_length=self.PANEL_SIZE[1],
            tick_size=18,
            x_label=None,
            y_label=None,
            y_numbers=False,
        )
        axes.move_to(np.array([cx, 0.35, 0.0]))
        curve = plot_objective_1d(axes, obj, stroke_width=3)
        axes.add(curve)

        header = MathTex(eta_tex(lr), font_size=MATH_SIZE, color=TEXT_COLOR)
        header.next_to(axes, UP, buff=0.7)
        label = RegimeLabel(reg, BODY_SIZE, REGIME_COLORS.get(reg, TEXT_COLOR), weight="MEDIUM")
        label.next_to(header, DOWN, buff=0.14)

        xs = traj.points[:, 0]
        pts = [axes.c2p(float(x), float(f)) for x, f in zip(xs, traj.values, strict=True)]
        end = _last_index(traj)
        arrows = [
            StepArrow.between(pts[t], pts[t + 1], color, stroke_width=4) for t in range(end)
        ]
        start_marker = make_marker(pts[0], START_COLOR, radius=0.09)
        for a in arrows:
            a.set_z_index(1)
        start_marker.set_z_index(3)
        end_marker: Mobject | None = None
        mark: VGroup | None = None
        exit_arrow: VMobject | None = None
        if traj.stopped_at is not None:
            # the step that left the view: from the last point downhill (-f'), to the axes' edge
            step = int(traj.stopped_at)
            direction = -np.sign(traj.grads[end, 0])
            edge_x = view[1] if direction > 0 else view[0]
            edge = axes.c2p(edge_x, float(obj.value(np.array([edge_x]))))
            exit_arrow = DashedVMobject(
                Arrow(
                    pts[end],
                    edge,
                    buff=0.1,
                    color=VERMILLION,
                    stroke_width=3,
                    max_tip_length_to_length_ratio=0.08,
                    tip_length=0.18,
                ),
                num_dashes=18,
            )
            # the verdict of a run that stopped is "diverged at step N", at the same step
            assert result.verdict.verdict is analysis.Verdict.DIVERGED
            assert result.verdict.stopped_at == step
            mark = make_diverged_mark(edge, step, font_size=SMALL_SIZE, direction=DOWN)
            mark[0].set_z_index(3)
            # the words go under the panel, clear of the curve and the arrows
            mark[1].next_to(axes, DOWN, buff=0.2)
            verdict_label: Mobject = mark[1]
        else:
            end_marker = make_marker(pts[end], END_COLOR, radius=0.09)
            end_marker.set_z_index(3)
            words = result.words.split(", ")
            verdict_label = VGroup(make_text(words[0], SMALL_SIZE, result.color))
            if len(words) > 1:
                verdict_label.add(make_text(", ".join(words[1:]), SMALL_SIZE * 0.8, MUTED_TEXT))
            verdict_label.arrange(DOWN, buff=0.08)
            verdict_label.next_to(axes, DOWN, buff=0.2)
        return Panel(
            lr, reg, traj, axes, header, label, arrows, start_marker, end_marker, mark,
            exit_arrow, result, verdict_label,
        )

    def _eta_line(self, eta_c: float, L: float) -> tuple[VGroup, VGroup, VGroup]:
        top = max(max(self.RATES), eta_c) * 1.2
        lo, hi, step = nice_range(0.0, top, target_ticks=7)
        line = NumberLine(
            x_range=[lo, hi, step],
            length=9.0,
            color=AXIS_COLOR,
            stroke_width=2,
            include_numbers=True,
            font_size=20,
            decimal_number_config={"num_decimal_places": tick_decimals(step), "color": MUTED_TEXT},
        )
        line.to_edge(DOWN, buff=0.8)
        eta_sym = MathTex(r"\eta", font_size=MATH_SIZE, color=TEXT_COLOR)
        eta_sym.next_to(line, RIGHT, buff=0.3)
        # the diverging side of the line, shaded
        x0, x1 = line.n2p(eta_c)[0], line.n2p(hi)[0]
        band = Rectangle(
            width=x1 - x0, height=0.34, stroke_width=0, fill_color=VERMILLION, fill_opacity=0.3
        )
        band.move_to(np.array([(x0 + x1) / 2, line.get_center()[1], 0.0]))
        group = VGroup(band, line, eta_sym)

        marks = VGroup()
        for p in self.panels:
            c = REGIME_COLORS.get(p.regime, TEXT_COLOR)
            dot = make_marker(line.n2p(p.eta), c, radius=0.08)
            marks.add(dot)

        tick = DashedLine(
            line.n2p(eta_c) + DOWN * 0.17,
            line.n2p(eta_c) + UP * 0.5,
            color=VERMILLION,
            stroke_width=3,
            dash_length=0.06,
        )
        crit_tex = MathTex(
            rf"\eta_c = 2/L = {fmt(eta_c, DIGITS)}", font_size=LABEL_SIZE + 2, color=VERMILLION
        )
        crit_tex.next_to(tick, UP, buff=0.1)
        l_tex = MathTex(rf"L = f''(x) = {fmt(L, DIGITS)}", font_size=LABEL_SIZE, color=MUTED_TEXT)
        l_tex.align_to(line, LEFT).match_y(crit_tex)
        diverges = make_text("diverges", SMALL_SIZE, VERMILLION)
        diverges.next_to(band, DOWN, buff=0.32)
        critical = VGroup(tick, crit_tex, l_tex, diverges)
        return group, marks, critical
