r"""Learning-rate schedules: one SGD run under four of torch's schedules.

The run is the noise-ball run of :mod:`scenes.noise`: plain SGD fitting :math:`y = m x + b` to
the tutorial's 100 noisy points, one point a step in the same shuffled order, 60 epochs (6,000
steps) from :math:`m = b = 0`, base rate :math:`\eta = 0.01`. Only the schedule changes:

* constant (no schedule);
* ``StepLR(step_size=2000, gamma=0.1)``: the rate divided by 10 every 2,000 steps;
* ``CosineAnnealingLR(T_max=6000)``: the rate down to 0 along half a cosine;
* ``LinearLR(start_factor=0.1, total_iters=600)`` then ``CosineAnnealingLR``: a warm-up from a
  tenth of the rate, then the cosine.

Each row draws the rate :math:`\eta_t` (from :func:`gdanim.schedules.from_spec`, stepped as
torch steps it), the path over :math:`(m, b)` and the loss above its minimum,
:math:`L(\theta_t) - L^\ast`, all from :func:`gdanim.regression.noise_ball_runs`. Render with::

    manim -ql scenes/schedules.py LearningRateSchedules
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    Group,
    LaggedStart,
    ValueTracker,
    VGroup,
    linear,
)

from gdanim import schedules
from gdanim.regression import (
    LINE,
    MSELoss,
    TrainingRun,
    least_squares,
    line_dataset,
    noise_ball_runs,
)
from scenes.mobjects import ContourMap, TrajectoryPath, make_head, map_axes, to_scene
from scenes.noise import GradientNoise, best_fit_ring, line_loss_levels
from scenes.pacing import say, wait_until
from scenes.plots import PlotAxes, polyline, superscript
from scenes.style import (
    BACKGROUND,
    GREEN,
    MUTED_TEXT,
    ORANGE,
    PURPLE,
    SKY,
    START_COLOR,
    GDScene,
    fmt,
    make_marker,
    make_text,
    title,
)

__all__ = ["SCHEDULES", "LearningRateSchedules", "ScheduleRow", "schedule_runs", "sci_words"]

#: The four rows: name, schedule spec (``None``: constant), colour.
SCHEDULES: tuple[tuple[str, str | None, str], ...] = (
    ("constant", None, ORANGE),
    ("StepLR", "step:step_size=2000,gamma=0.1", SKY),
    ("cosine", "cosine", GREEN),
    ("warm-up + cosine", "linear:start_factor=0.1,total_iters=600 until 600 then cosine", PURPLE),
)


def sci_words(value: float) -> str:
    """A small positive number for a caption: ``0.92``, ``2.1·10⁻⁴``.

    Examples
    --------
    >>> sci_words(0.9234), sci_words(0.000211), sci_words(3.9e-05)
    ('0.92', '2.1\u00b710\u207b\u2074', '3.9\u00b710\u207b\u2075')
    """
    if value >= 0.01:
        return fmt(value, 2)
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}\u00b710{superscript(str(int(exponent)))}"


def schedule_runs(steps: int | None = None) -> dict[str, tuple[schedules.Schedule | None,
                                                                TrainingRun]]:
    """The run of :class:`scenes.noise.GradientNoise` under each schedule of
    :data:`SCHEDULES`, by row name: ``(schedule or None, run)``.

    The constant and the cosine rows are exactly that scene's two runs.
    """
    noise = GradientNoise
    common: dict[str, Any] = dict(lr=noise.LR, epochs=noise.EPOCHS, batch_size=noise.BATCH,
                                  seed=noise.SEED)
    base = noise_ball_runs(**common)
    total = base["constant"].steps if steps is None else steps
    out: dict[str, tuple[schedules.Schedule | None, TrainingRun]] = {}
    for name, spec, _color in SCHEDULES:
        if spec is None:
            out[name] = (None, base["constant"])
            continue
        sched = schedules.from_spec(spec, steps=total)
        if sched == schedules.CosineAnnealingLR(T_max=total):
            out[name] = (sched, base["decaying"])  # noise_ball_runs' own decay
        else:
            out[name] = (sched, noise_ball_runs(**common, decay=sched)["decaying"])
    return out


@dataclass
class ScheduleRow:
    """One row of the scene: the schedule, its run and what the row shows (for tests)."""

    name: str
    schedule: schedules.Schedule | None
    run: TrainingRun
    color: str
    #: :math:`L(\theta_t) - L^\ast` at every step.
    excess: np.ndarray
    #: Its mean over the last epoch.
    last_epoch: float
    rate_plot: PlotAxes
    loss_plot: PlotAxes
    path: TrajectoryPath
    readout: Any


class LearningRateSchedules(GDScene):
    r"""The same SGD run under a constant rate, StepLR, cosine annealing and warm-up + cosine.

    Attributes set by ``construct`` (for tests): ``rows`` (one :class:`ScheduleRow` each, in
    :data:`SCHEDULES` order), ``best`` (the least-squares ``[m, b]``), ``min_loss``
    (:math:`L^\ast`), ``values`` (the numbers said) and ``said`` (the captions).
    """

    #: Steps of one epoch (the loss is averaged over the last one).
    EPOCH = 100
    MAP_VIEW = GradientNoise.MAP_VIEW

    def construct(self) -> None:
        self.section("Learning-rate schedules")
        x, y = line_dataset()
        loss = MSELoss(LINE, x, y)
        best = least_squares(LINE, x, y)
        low = float(loss.value(best))
        self.best, self.min_loss = best, low
        runs = schedule_runs()
        steps = next(iter(runs.values()))[1].steps
        lr = GradientNoise.LR
        self.said: list[str] = []

        heading = title("Learning-rate schedules")
        tops = (2.2, 0.95, -0.3, -1.55)
        height = 0.95
        levels = list(line_loss_levels(loss, self.MAP_VIEW))
        tracker = ValueTracker(0.0)
        self.rows: list[ScheduleRow] = []
        t = np.arange(steps + 1, dtype=np.float64)
        labels = VGroup()
        rate_curves = VGroup()
        maps = Group()
        loss_curves: list[tuple[Any, np.ndarray]] = []
        rate_dots = VGroup()
        for k, ((name, _spec, color), top) in enumerate(zip(SCHEDULES, tops, strict=True)):
            sched, run = runs[name]
            last = k == len(SCHEDULES) - 1
            excess = np.asarray(loss.value(run.params)) - low
            # the rate plot
            rp = PlotAxes((0.0, float(steps)), (0.0, 1.1 * lr), width=2.2, height=height,
                          x_ticks=[0, steps // 2, steps], y_ticks=[0.0, lr],
                          x_numbers=last, x_label="step" if last else None, tick_size=15)
            rp_box: Any = rp.frame_box
            rp.shift(np.array([-3.7, top, 0.0]) - rp_box.get_corner(UP + LEFT))
            rates = run.step_lr
            rate_curves.add(rp.curve(np.arange(steps, dtype=np.float64), rates, color,
                                     width=3.0))
            dot = make_marker(rp.c2p(0.0, float(rates[0])), color, radius=0.055)

            def follow(m: Any, plot: PlotAxes = rp, r: np.ndarray = rates) -> None:
                i = int(np.clip(tracker.get_value(), 0, len(r) - 1))
                m.move_to(plot.c2p(float(i), float(r[i])))

            dot.add_updater(follow)
            rate_dots.add(dot)
            # the path
            axes = map_axes(self.MAP_VIEW, width=3.2, height=height, numbers=False)
            names_xy: Any = (axes.x_label_mob, axes.y_label_mob)
            axes.remove(*names_xy)
            mbox: Any = axes.frame_box
            axes.shift(np.array([-1.1, top, 0.0]) - mbox.get_corner(UP + LEFT))
            cmap = ContourMap(loss, axes, self.MAP_VIEW, levels=levels, image_resolution=160,
                              fill_strength=0.3)
            ring = best_fit_ring(to_scene(axes, best)).scale(0.8)
            start = make_marker(to_scene(axes, np.zeros(2)), START_COLOR, radius=0.05)
            start.set_z_index(5)
            path = TrajectoryPath(to_scene(axes, run.params), color, width=1.0, casing=0.8,
                                  tracker=tracker, head="dot", head_size=0.11)
            maps.add(Group(axes, cmap, ring, start))
            # the loss above its minimum
            lp = PlotAxes((0.0, float(steps)), (1e-6, 1e3), width=3.25, height=height,
                          y_log=True, x_ticks=[0, steps // 2, steps], y_ticks=[1e-6, 1e-3, 1],
                          x_numbers=last, x_label="step" if last else None, tick_size=15)
            lp_box: Any = lp.frame_box
            lp.shift(np.array([2.85, top, 0.0]) - lp_box.get_corner(UP + LEFT))
            pts = lp.points_of(t, np.clip(excess, 1e-6, 1e3))
            lcurve = polyline(pts[:2], color, width=1.2)
            loss_curves.append((lcurve, pts))
            # the row's name, what the schedule does, and (at the end) its number
            mean_last = float(excess[-self.EPOCH:].mean())
            label = VGroup(
                make_text(name, font_size=20, color=color, weight="BOLD"),
                make_text(_describe(sched, lr), font_size=15, color=MUTED_TEXT,
                          line_spacing=0.8),
            ).arrange(DOWN, buff=0.08, aligned_edge=LEFT)
            readout = make_text(f"last epoch: {sci_words(mean_last)}", font_size=17,
                                color=color)
            readout.next_to(label, DOWN, buff=0.1, aligned_edge=LEFT)
            block = VGroup(label, readout)
            block.move_to(np.array([-6.9, top - height / 2, 0.0]), aligned_edge=LEFT)
            labels.add(label)
            self.rows.append(ScheduleRow(name, sched, run, color, excess, mean_last, rp, lp,
                                         path, readout))

        headers = VGroup(
            make_text("rate \u03b7", font_size=18, color=MUTED_TEXT).next_to(
                self.rows[0].rate_plot.frame_box, UP, buff=0.12),
            make_text("path over (m, b)", font_size=18,
                      color=MUTED_TEXT).next_to(maps[0], UP, buff=0.12),
            make_text("loss above its minimum, L \u2212 L*", font_size=18,
                      color=MUTED_TEXT).next_to(self.rows[0].loss_plot.frame_box, UP,
                                                buff=0.12),
        )
        for h in headers:
            h.set_y(2.2 + 0.25)
        note = make_text(f"the same run in every row: SGD from m = b = 0, one point a step, "
                         f"the same order, {steps:,} steps;  L* = {fmt(low, 3)}",
                         font_size=16, color=MUTED_TEXT)
        note.to_edge(DOWN, buff=0.3)
        plots = VGroup(*[r.rate_plot for r in self.rows], *[r.loss_plot for r in self.rows])

        rows = {r.name: r for r in self.rows}
        const, step_r, cos_r, warm = (rows[n] for n, _s, _c in SCHEDULES)
        assert step_r.schedule is not None and warm.schedule is not None
        step_hp = step_r.schedule.hyperparameters
        warm_first = warm.run.params[1]
        const_first = const.run.params[1]
        v = {
            "lr": f"{lr:g}", "steps": f"{steps:,}",
            "every": f"{int(str(step_hp['step_size'])):,}",
            "divide": f"{1 / float(str(step_hp['gamma'])):g}",
            "warm_lr": f"{float(warm.run.step_lr[0]):g}",
            "warm_steps": f"{_warm_steps(warm.schedule):,}",
            "m_warm": fmt(warm_first[0], 2), "m_const": fmt(const_first[0], 2),
            "m_best": fmt(best[0], 2),
            "const": sci_words(const.last_epoch), "step": sci_words(step_r.last_epoch),
            "cosine": sci_words(cos_r.last_epoch), "warm": sci_words(warm.last_epoch),
        }
        self.values = v

        # ---- animate
        end = self._say(
            "A schedule sets the rate of every step. One SGD run on the noisy line, one point "
            "a step in a fixed order, under four schedules."
        )
        self.play(FadeIn(heading), FadeIn(headers), FadeIn(labels), FadeIn(plots),
                  FadeIn(maps), FadeIn(note), run_time=1.2)
        self.play(LaggedStart(*[Create(c) for c in rate_curves], lag_ratio=0.25),
                  run_time=2.0)
        wait_until(self, end)

        end = self._say(
            f"At a constant \u03b7 = {v['lr']} it hovers. StepLR divides \u03b7 by "
            f"{v['divide']} every {v['every']} steps, and each cut shrinks the ball."
        )
        for row in self.rows:
            row.path.set_progress(0.0)
        for lcurve, pts in loss_curves:

            def grow(m: Any, p: np.ndarray = pts) -> None:
                i = int(np.clip(tracker.get_value(), 1, len(p) - 1))
                m.set_points_as_corners(p[: i + 1])

            lcurve.add_updater(grow)
        self.add(*[r.path for r in self.rows], *[c for c, _ in loss_curves], rate_dots)
        self.play(tracker.animate.set_value(float(steps)), run_time=6.5, rate_func=linear)
        wait_until(self, end)
        for row in self.rows:
            row.path.update(0)
            row.path.clear_updaters()
        for lcurve, _ in loss_curves:
            lcurve.update(0)
            lcurve.clear_updaters()
        for d in rate_dots:
            d.update(0)
            d.clear_updaters()
        end = self._say(
            f"Cosine glides \u03b7 down to 0. Warm-up starts at {v['warm_lr']} and climbs for "
            f"{v['warm_steps']} steps: its first step lands at m = {v['m_warm']}; at the full "
            f"rate the first step overshoots the fit's {v['m_best']} to {v['m_const']}."
        )
        firsts = VGroup()
        for row in (const, warm):
            p = row.path.points_scene[1]
            mark = VGroup(make_head("ring", row.color, 0.2).move_to(p),
                          make_text("step 1", font_size=15, color=row.color))
            # the constant run's first step is near the map's top edge: its label goes left
            mark[1].next_to(mark[0], LEFT if row is const else UP, buff=0.04)
            mark[1].add_background_rectangle(color=BACKGROUND, opacity=0.8, buff=0.03)
            mark.set_z_index(6)
            firsts.add(mark)
        self.first_steps = firsts
        self.play(LaggedStart(*[FadeIn(m, scale=1.5) for m in firsts], lag_ratio=0.4),
                  run_time=1.2)
        wait_until(self, end)

        end = self._say(
            f"Over the last epoch the loss sits {v['const']} above its minimum at a constant "
            f"rate; {v['step']} with StepLR, {v['cosine']} with cosine, {v['warm']} after "
            "warm-up."
        )
        self.play(LaggedStart(*[FadeIn(r.readout, shift=RIGHT * 0.1) for r in self.rows],
                              lag_ratio=0.3), run_time=1.5)
        wait_until(self, end, minimum=1.0)
        self.loss_curves = [c for c, _ in loss_curves]
        self.rate_curves = rate_curves

    def _say(self, text: str) -> float:
        """A caption (kept in ``said``), on screen for its reading time; its end time."""
        self.said.append(text)
        return say(self, text)


def _warm_steps(schedule: schedules.Schedule) -> int:
    """The steps over which a chain's first part, a LinearLR warm-up, raises the rate."""
    assert isinstance(schedule, schedules.SequentialLR)
    first = schedule.schedulers[0]
    assert isinstance(first, schedules.LinearLR)
    return int(first.total_iters)


def _describe(schedule: schedules.Schedule | None, lr: float) -> str:
    """What a schedule does to the rate, in a few words (from its hyperparameters)."""
    if schedule is None:
        return f"\u03b7 = {lr:g} throughout"
    hp = schedule.hyperparameters
    if isinstance(schedule, schedules.StepLR):
        return f"\u00f7{1 / float(str(hp['gamma'])):g} every {int(str(hp['step_size'])):,} steps"
    if isinstance(schedule, schedules.CosineAnnealingLR):
        return f"{lr:g} \u2192 0 in {int(str(hp['T_max'])):,} steps"
    if isinstance(schedule, schedules.SequentialLR):
        first = schedule.schedulers[0]
        if isinstance(first, schedules.LinearLR):
            return (f"{first.start_factor * lr:g} \u2192 {lr:g} in {first.total_iters} steps,"
                    "\nthen cosine")
    return schedule.label
