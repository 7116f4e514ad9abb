r"""Stochastic gradients: the noise of a mini-batch, and the noise ball it leaves SGD in.

On the tutorial's noisy line (numpy seed 0, :math:`X` = 100 points from 0 to 10,
:math:`Y = 3X + N(0, 1)`), the gradient of the mean squared error of :math:`y = m x + b` over a
random batch of :math:`B` points is only an estimate of the full gradient.

* At :math:`m = b = 0`, 4,000 random batches of each size :math:`B = 1, 4, 16, 64` (distinct
  points, as one batch of a shuffled epoch) scatter around the full gradient; their RMS
  distance to it, the *spread*, follows the law of sampling without replacement,

  .. math::
      \sqrt{\mathbb{E}\lVert g_B - g\rVert^2} = \frac{\sigma}{\sqrt B}
      \sqrt{\frac{N - B}{N - 1}},

  with :math:`\sigma` the spread of single points and :math:`N = 100`: a 4 times larger batch
  about halves it, and at :math:`B = 64` the last factor (0.60) shows.
  (:func:`gdanim.regression.gradient_spread` measures it and computes the law.)
* SGD at a constant rate, one point per step, reaches the least-squares fit's neighbourhood and
  then hovers in a *noise ball* around it; the same run with the rate annealed to 0 along a
  cosine settles (:func:`gdanim.regression.noise_ball_runs`, the same shuffled batches).

Every number shown and said is computed by :mod:`gdanim.regression`. Render with::

    manim -ql scenes/noise.py GradientNoise
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    DashedVMobject,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    Line,
    Transform,
    ValueTracker,
    VGroup,
    linear,
)

from gdanim.regression import (
    LINE,
    GradientSpread,
    MSELoss,
    TrainingRun,
    distance_to,
    gradient_spread,
    least_squares,
    line_dataset,
    noise_ball_runs,
)
from scenes.mobjects import ContourMap, TrajectoryPath, make_head, map_axes, to_scene
from scenes.pacing import say, wait_until
from scenes.plots import PlotAxes, polyline
from scenes.style import (
    BACKGROUND,
    GREEN,
    MUTED_TEXT,
    ORANGE,
    SKY,
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

__all__ = ["NOISE_COLORS", "GradientNoise", "best_fit_ring", "line_loss_levels"]

#: Colours of the constant-rate and the annealed run (shared with the schedules scene).
NOISE_COLORS = {"constant": ORANGE, "decaying": GREEN}


def line_loss_levels(loss: MSELoss, view: tuple[float, float, float, float],
                     n: int = 9) -> np.ndarray:
    """Contour levels of the line's loss over ``view``: geometric above its minimum.

    The loss is a long, narrow bowl over :math:`(m, b)`; geometric spacing shows its steep walls
    and its flat floor alike.
    """
    gm, gb = np.meshgrid(np.linspace(view[0], view[1], 121), np.linspace(view[2], view[3], 121))
    z = np.asarray(loss.value(np.stack([gm, gb], axis=-1)))
    low = float(loss.value(loss.minimum))
    return np.asarray(low + np.geomspace(0.02, 0.5 * (float(z.max()) - low), n))


def best_fit_ring(point: np.ndarray) -> VGroup:
    """The least-squares point: a white ring with a dark casing."""
    ring = make_head("ring", TEXT_COLOR, 0.2).move_to(point)
    ring.set_stroke(TEXT_COLOR, width=3)
    casing = ring.copy().set_stroke(BACKGROUND, width=6)
    group = VGroup(casing, ring)
    group.set_z_index(4)
    return group


def _cross(point: np.ndarray, color: Any, size: float = 0.11) -> VGroup:
    """An x-shaped mark with a dark casing."""
    arms = VGroup(
        Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
        Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
    )
    arms.set_stroke(color, width=3)
    arms.set_stroke(BACKGROUND, width=6, background=True)
    return arms


class GradientNoise(GDScene):
    r"""Mini-batch gradient clouds at :math:`B = 1, 4, 16, 64`, the law of their spread, and
    SGD's noise ball with a constant and a decaying rate.

    Attributes set by ``construct`` (for tests): ``spreads`` (the
    :class:`~gdanim.regression.GradientSpread` rows), ``sigma``, ``clouds`` (one ``VGroup`` of
    dots per batch size), ``law_dots``, ``runs`` (``"constant"``, ``"decaying"``), ``best``
    (the least-squares ``[m, b]``), ``hover`` (mean distance to it over the last
    :data:`HOVER` steps, per run), ``paths``, ``values`` (every number shown, as shown) and
    ``said`` (the captions).
    """

    BATCHES = (1, 4, 16, 64)
    DRAWS = 4000
    #: Batches drawn per cloud (the spread is measured over all of :data:`DRAWS`).
    SHOWN = 300
    AT = (0.0, 0.0)
    LR = 0.01
    EPOCHS = 60
    BATCH = 1
    SEED = 0
    #: The last steps over which the distance to the fit is averaged.
    HOVER = 1000
    CLOUD_VIEW = (-700.0, 100.0, -75.0, 10.0)
    MAP_VIEW = (-0.25, 4.5, -0.1, 0.6)

    def construct(self) -> None:
        self.section("Mini-batch gradients")
        x, y = line_dataset()
        n = len(x)
        rows = gradient_spread(self.AT, self.BATCHES, draws=self.DRAWS, seed=self.SEED)
        sigma = rows[0].predicted  # the law at B = 1: no correction, sqrt(tr Sigma)
        self.spreads, self.sigma = rows, sigma
        v: dict[str, str] = {f"s{r.batch_size}": fmt(r.spread, 1) for r in rows}
        v |= {f"law{r.batch_size}": fmt(r.predicted, 1) for r in rows}
        last = rows[-1]
        v |= {
            "sigma": fmt(sigma, 1), "n": str(n), "draws": f"{self.DRAWS:,}",
            "plain_last": fmt(sigma / np.sqrt(last.batch_size), 1),
            "root_last": str(int(round(np.sqrt(last.batch_size)))),
            "fpc_last": fmt(np.sqrt(last.correction), 2), "B_last": str(last.batch_size),
        }
        self.values = v
        self.said: list[str] = []

        heading = title("Mini-batch gradients are noisy")
        sub = make_text(f"y = m x + b on {n} points, Y = 3X + N(0, 1)  \u00b7  gradient of the "
                        "mean squared error over a batch of B points, at m = b = 0",
                        font_size=18, color=MUTED_TEXT)
        sub.next_to(heading, DOWN, buff=0.16)
        if sub.width > 13.4:
            sub.scale_to_fit_width(13.4)

        # ---- the four clouds, same axes
        panels = VGroup()
        self.clouds: list[VGroup] = []
        crosses = VGroup()
        spread_words = VGroup()
        corners = [(-6.25, 2.2), (-2.85, 2.2), (-6.25, -0.3), (-2.85, -0.3)]
        for r, (left, top) in zip(rows, corners, strict=True):
            axes = map_axes(self.CLOUD_VIEW, width=2.75, height=1.6, step=(300.0, 25.0),
                            labels=("g_m", "g_b"))
            names_xy: Any = (axes.x_label_mob, axes.y_label_mob)
            axes.remove(*names_xy)
            box: Any = axes.frame_box
            axes.shift(np.array([left, top, 0.0]) - box.get_corner(UP + LEFT))
            pts = to_scene(axes, r.grads[: self.SHOWN])
            cloud = VGroup(*[Dot(p, radius=0.022, color=SKY, fill_opacity=0.75) for p in pts])
            cloud.set_z_index(2)
            cross = _cross(to_scene(axes, r.full_grad), YELLOW, 0.09)
            head = VGroup(
                make_tex(f"B = {r.batch_size}", font_size=28),
                make_text(f"spread {fmt(r.spread, 1)}", font_size=SMALL_SIZE, color=SKY),
            ).arrange(RIGHT, buff=0.25, aligned_edge=DOWN)
            head.next_to(box, UP, buff=0.1).align_to(box, RIGHT)
            panels.add(VGroup(axes, head[0]))
            spread_words.add(head[1])
            self.clouds.append(cloud)
            crosses.add(cross)
        legend = VGroup(
            VGroup(_cross(np.zeros(3), YELLOW, 0.08),
                   make_text(f"the full gradient, all {n} points", font_size=18,
                             color=MUTED_TEXT)).arrange(RIGHT, buff=0.15),
            VGroup(Dot(radius=0.04, color=SKY),
                   make_text(f"one random batch: {self.SHOWN} of the {self.DRAWS:,} drawn",
                             font_size=18, color=MUTED_TEXT)).arrange(RIGHT, buff=0.15),
            make_text("\u2202L/\u2202m across, \u2202L/\u2202b up, the same axes in all four",
                      font_size=18, color=MUTED_TEXT),
        ).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        legend.next_to(panels, DOWN, buff=0.4).align_to(panels, LEFT)

        # ---- the law
        law = PlotAxes((0.8, 100.0), (8.0, 300.0), width=4.6, height=3.0, x_log=True,
                       y_log=True, x_ticks=[1, 4, 16, 64], y_ticks=[10, 30, 100, 300],
                       x_label="batch size B", y_label="spread: RMS distance to the full gradient")
        law_box: Any = law.frame_box
        law.shift(np.array([1.45, 1.95, 0.0]) - law_box.get_corner(UP + LEFT))
        bs = np.arange(1, 81, dtype=np.float64)
        corr = np.sqrt((n - bs) / (n - 1))
        plain = law.curve(bs, sigma / np.sqrt(bs), MUTED_TEXT, width=2.5, dashed=True)
        curve = law.curve(bs, sigma / np.sqrt(bs) * corr, TEXT_COLOR, width=3.0)
        self.law_dots = VGroup(*[
            make_marker(law.c2p(r.batch_size, r.spread), SKY, radius=0.07) for r in rows
        ])
        key = VGroup(
            VGroup(make_marker(np.zeros(3), SKY, radius=0.07),
                   make_text(f"measured, {self.DRAWS:,} batches each", font_size=18,
                             color=MUTED_TEXT)).arrange(RIGHT, buff=0.15),
            VGroup(Line(LEFT * 0.3, RIGHT * 0.3, stroke_width=3, color=TEXT_COLOR),
                   make_tex(r"\tfrac{\sigma}{\sqrt{B}}\sqrt{\tfrac{N - B}{N - 1}}",
                            font_size=30),
                   make_text("B distinct points", font_size=18, color=MUTED_TEXT)
                   ).arrange(RIGHT, buff=0.15),
            VGroup(DashedVMobject(Line(LEFT * 0.3, RIGHT * 0.3), num_dashes=4).set_stroke(
                       MUTED_TEXT, width=2.5),
                   make_tex(r"\tfrac{\sigma}{\sqrt{B}}", font_size=30, color=MUTED_TEXT),
                   make_text("with replacement", font_size=18, color=MUTED_TEXT)
                   ).arrange(RIGHT, buff=0.15),
        ).arrange(DOWN, buff=0.1, aligned_edge=LEFT)
        sigma_note = make_text(f"\u03c3 = {v['sigma']} (single points),  N = {n}",
                               font_size=18, color=MUTED_TEXT)
        key.next_to(law_box, DOWN, buff=0.6).align_to(law_box, LEFT)
        sigma_note.next_to(key, DOWN, buff=0.12).align_to(key, LEFT)
        self.sigma_note = sigma_note
        self.law_plot = law

        # ---- animate part 1
        said = (f"A batch of B of the {n} noisy points around y = 3x gives only an estimate of "
                "the gradient of the loss.")
        end = self._say(said)
        self.play(FadeIn(heading), FadeIn(sub), FadeIn(panels), FadeIn(legend), run_time=1.2)
        wait_until(self, end)

        end = self._say(f"At m = b = 0, {v['draws']} random batches of each size scatter "
                        "around the full gradient, the cross.")
        self.play(FadeIn(crosses), run_time=0.5)
        self.play(LaggedStart(*[FadeIn(c, lag_ratio=0.01) for c in self.clouds],
                              lag_ratio=0.35), run_time=2.6)
        wait_until(self, end)

        end = self._say(f"Their spread: {v['s1']} at B = 1, {v['s4']} at 4, {v['s16']} at 16. "
                        "Each 4\u00d7 larger batch about halves it, \u03c3/\u221aB.")
        self.play(FadeIn(law), FadeIn(spread_words), run_time=0.8)
        self.play(FadeIn(plain), FadeIn(key[0]), FadeIn(key[2]),
                  LaggedStart(*[FadeIn(d, scale=0.5) for d in self.law_dots[:-1]],
                              lag_ratio=0.3), run_time=1.6)
        wait_until(self, end)

        end = self._say(
            f"At B = {v['B_last']} it is {v['s64']}, below \u03c3/{v['root_last']} = "
            f"{v['plain_last']}: {v['B_last']} distinct points of {n} add a factor "
            f"\u221a((N\u2212B)/(N\u22121)) = {v['fpc_last']}."
        )
        self.play(FadeIn(self.law_dots[-1], scale=0.5), FadeIn(curve), FadeIn(key[1]),
                  FadeIn(sigma_note), run_time=1.4)
        wait_until(self, end)

        # ---- part 2: the noise ball
        self.section("The noise ball")
        runs = noise_ball_runs(lr=self.LR, epochs=self.EPOCHS, batch_size=self.BATCH,
                               seed=self.SEED)
        best = least_squares(LINE, x, y)
        self.runs, self.best = runs, best
        dist = {k: distance_to(run, best) for k, run in runs.items()}
        self.hover = {k: float(d[-self.HOVER:].mean()) for k, d in dist.items()}
        steps = runs["constant"].steps
        v |= {
            "lr": f"{self.LR:g}", "hover_c": fmt(self.hover["constant"], 3),
            "hover_d": fmt(self.hover["decaying"], 3), "steps": f"{steps:,}",
            "epochs": str(self.EPOCHS), "last": f"{self.HOVER:,}",
        }
        heading2 = title("SGD at a constant rate hovers in a noise ball")
        loss = MSELoss(LINE, x, y)
        levels = list(line_loss_levels(loss, self.MAP_VIEW))
        tracker = ValueTracker(0.0)
        names = {"constant": f"constant \u03b7 = {v['lr']}",
                 "decaying": f"\u03b7 from {v['lr']} to 0 along a cosine"}
        hover = {"constant": v["hover_c"], "decaying": v["hover_d"]}
        self.paths: dict[str, TrajectoryPath] = {}
        self.tails: dict[str, VGroup] = {}
        maps: dict[str, Group] = {}
        self.readouts = VGroup()
        for k, left in (("constant", -6.2), ("decaying", 0.95)):
            axes = map_axes(self.MAP_VIEW, width=5.5, height=2.45, step=(1.0, 0.2),
                            labels=("m", "b"))
            mbox: Any = axes.frame_box
            axes.shift(np.array([left, 2.2, 0.0]) - mbox.get_corner(UP + LEFT))
            cmap = ContourMap(loss, axes, self.MAP_VIEW, levels=levels, image_resolution=200,
                              fill_strength=0.3)
            ring = best_fit_ring(to_scene(axes, best))
            start = make_marker(to_scene(axes, np.zeros(2)), START_COLOR, radius=0.07)
            start.set_z_index(5)
            self.paths[k] = TrajectoryPath(to_scene(axes, runs[k].params), NOISE_COLORS[k],
                                           width=1.3, casing=1.0, tracker=tracker, head="dot",
                                           head_size=0.14)
            name = make_text(names[k], font_size=20, color=NOISE_COLORS[k])
            name.next_to(mbox, UP, buff=0.1).align_to(mbox, RIGHT)
            readout = make_text(f"dots: the last {v['last']} steps, mean distance {hover[k]}",
                                font_size=19, color=NOISE_COLORS[k])
            readout.next_to(mbox, DOWN, buff=0.42).align_to(mbox, LEFT)
            self.readouts.add(readout)
            maps[k] = Group(axes, cmap, ring, start, name)

        dplot = PlotAxes((0.0, float(steps)), (1e-4, 10.0), width=11.4, height=1.55,
                         y_log=True, x_ticks=[0, 1000, 2000, 3000, 4000, 5000, 6000],
                         y_ticks=[1e-4, 0.01, 1],
                         x_label="step", y_label="distance to the least-squares fit")
        dplot_box: Any = dplot.frame_box
        dplot.shift(np.array([-5.45, -1.65, 0.0]) - dplot_box.get_corner(UP + LEFT))
        t = np.arange(steps + 1, dtype=np.float64)
        dpts = {k: dplot.points_of(t, np.maximum(d, 1e-4)) for k, d in dist.items()}
        dcurves = {k: polyline(p[:2], NOISE_COLORS[k], width=1.2) for k, p in dpts.items()}
        self.dist_curves = dcurves

        def grow(key: str) -> Any:
            pts = dpts[key]

            def update(mob: Any) -> None:
                k = int(np.clip(tracker.get_value(), 1, len(pts) - 1))
                mob.set_points_as_corners(pts[: k + 1])

            return update

        said = (f"SGD at a constant \u03b7 = {v['lr']}, one point a step: it finds the valley, "
                f"then hovers, {v['hover_c']} from the best fit on average over the last "
                f"{v['last']} steps.")
        end = self._say(said)
        self.play(FadeOut(VGroup(panels, spread_words, legend, crosses, *self.clouds, law,
                                 plain, curve,
                                 self.law_dots, key, sigma_note, sub)),
                  Transform(heading, heading2), run_time=0.8)
        self.play(FadeIn(maps["constant"]), FadeIn(maps["decaying"]), FadeIn(dplot),
                  run_time=0.8)
        for k in ("constant", "decaying"):
            if k == "decaying":
                end = self._say(
                    f"Let \u03b7 decay to 0 along a cosine, and the kicks shrink with it: on "
                    f"the same batches it ends {v['hover_d']} from the fit on average."
                )
                tracker.set_value(0.0)
            path, dcurve = self.paths[k], dcurves[k]
            path.set_progress(0.0)
            dcurve.add_updater(grow(k))
            self.add(path, dcurve)
            self.play(tracker.animate.set_value(float(steps)), run_time=4.0, rate_func=linear)
            path.update(0)
            path.clear_updaters()
            dcurve.update(0)
            dcurve.clear_updaters()
            tail = VGroup(*[Dot(p, radius=0.016, color=NOISE_COLORS[k], fill_opacity=0.9)
                            for p in path.points_scene[-self.HOVER:]])
            tail.set_z_index(5)
            self.tails[k] = tail
            self.play(FadeIn(self.readouts[0 if k == "constant" else 1]), FadeIn(tail),
                      path.line.animate.set_stroke(opacity=0.25), run_time=0.6)
            wait_until(self, end, minimum=1.0 if k == "decaying" else 0.0)

    def _say(self, text: str) -> float:
        """A caption (kept in ``said``), on screen for its reading time; its end time."""
        self.said.append(text)
        return say(self, text)

    @staticmethod
    def spread_rows() -> tuple[GradientSpread, ...]:
        """The clouds' measurements, as the scene computes them."""
        cls = GradientNoise
        return gradient_spread(cls.AT, cls.BATCHES, draws=cls.DRAWS, seed=cls.SEED)

    @staticmethod
    def noise_runs() -> dict[str, TrainingRun]:
        """The two runs of the noise ball, as the scene computes them."""
        cls = GradientNoise
        return noise_ball_runs(lr=cls.LR, epochs=cls.EPOCHS, batch_size=cls.BATCH,
                               seed=cls.SEED)
