r"""The tuned race: the saddle and the long valley again, every optimizer at its tuned rate.

The lecture's races ran at hand-picked rates (Nesterov at a fifth of the others' on the saddle).
Here every optimizer keeps its other hyperparameters and gets its rate from
:func:`gdanim.tuning.tune_race`: 48 rates from :math:`10^{-4}` to 10, evenly spaced in
:math:`\log\eta`, each optimizer one batched run of all 48.

"Best" has to mean something on both functions. The saddle
:math:`-x^2/2 + y^2` has no lowest point (with the view as the bound the lowest final loss
belongs to a run that ends just inside the box), so both races rank by **steps to a target**:
the fewest steps to get to :math:`f \le` the target and stay there, inside the view; a tie
goes to the lower final loss, then to the smaller rate. The saddle's target is
:math:`f \le -0.5` (so :math:`x \ge 1`: well past the saddle), the valley's :math:`f \le 10^{-3}`,
the tolerance of race B's table. The hand-picked races are ranked by the same rule.

For each race: one small panel per optimizer with the steps to the target against the rate
(the best rate ringed, the hand-picked one marked), then the race at the tuned rates beside a
table of both races' steps and ranks, and, in words, what changed in the ranking
(:meth:`gdanim.tuning.RaceTuning.overtakes`, :meth:`~gdanim.tuning.RaceTuning.ties`).
Render with::

    manim -ql scenes/tuned.py TunedRace
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    Group,
    LaggedStart,
    Line,
    Mobject,
    Rectangle,
    Transform,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from gdanim import objectives
from gdanim.tuning import RaceTuning, TunedEntry, tune_race
from scenes.mobjects import (
    HEAD_SHAPES,
    ContourMap,
    TrajectoryPath,
    make_head,
    map_axes,
    place_label_clear,
    plain_formula,
    to_scene,
)
from scenes.pacing import say, wait_until
from scenes.plots import PlotAxes, tick_label
from scenes.race import RACE_C
from scenes.races3d import RACE_B, RACE_B_TOL
from scenes.style import (
    DIVERGED_COLOR,
    GREY,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    START_COLOR,
    TEXT_COLOR,
    GDScene,
    make_marker,
    make_text,
    title,
)

__all__ = ["SADDLE", "SHAPES", "VALLEY", "TunedRace", "TunedRaceSpec", "fmt_rate", "ranking_words",
           "run_tuned"]


@dataclass(frozen=True)
class TunedRaceSpec:
    """A race to tune: the lecture's race (function, start, steps, view, optimizers as
    specs) and the target of the criterion."""

    name: str
    objective: str
    start: tuple[float, ...]
    steps: int
    view: tuple[float, float, float, float]
    specs: tuple[str, ...]
    target: float


#: The saddle race of :mod:`scenes.race` (S6 race C), ranked by steps to f <= -0.5.
SADDLE = TunedRaceSpec("the saddle", RACE_C.objective, tuple(RACE_C.start), RACE_C.steps,
                       RACE_C.view, tuple(RACE_C.specs), -0.5)
#: The long-valley race of :mod:`scenes.races3d` (S6 race B), ranked by steps to f <= 1e-3.
VALLEY = TunedRaceSpec("the long valley", str(RACE_B["function"]),
                       tuple(float(v) for v in RACE_B["start"]), int(RACE_B["steps"]),
                       tuple(float(v) for v in RACE_B["view"]),  # type: ignore[arg-type]
                       tuple(RACE_B["optimizers"]), RACE_B_TOL)


#: Head marker of each optimizer's path (as in the saddle race of :mod:`scenes.race`).
SHAPES = {"SGD": "dot", "Momentum": "square", "Nesterov": "diamond", "AdaGrad": "triangle",
          "RMSprop": "hexagon", "Adam": "ring"}


def _shape(name: str, index: int) -> str:
    return SHAPES.get(name, HEAD_SHAPES[index % len(HEAD_SHAPES)])


def run_tuned(spec: TunedRaceSpec) -> RaceTuning:
    """Tune every optimizer of ``spec`` (default grid, view as bound, its target)."""
    f = objectives.resolve(spec.objective)
    return tune_race(f, spec.specs, spec.start, spec.steps, bound=spec.view,
                     target=spec.target)


def fmt_rate(lr: float) -> str:
    """A rate with three significant digits: ``0.863``, ``1.41``, ``0.0357``, ``0.05``.

    Examples
    --------
    >>> fmt_rate(0.8633168407011583), fmt_rate(0.05), fmt_rate(6.12680004658734)
    ('0.863', '0.05', '6.13')
    """
    return f"{lr:.3g}"


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def ranking_words(race: RaceTuning) -> str:
    """What changed in the ranking, from :meth:`~gdanim.tuning.RaceTuning.overtakes` and
    :meth:`~gdanim.tuning.RaceTuning.ties`: who overtook whom, ties formed, or neither.

    Examples
    --------
    >>> ranking_words(run_tuned(SADDLE))
    'No one overtakes anyone; AdaGrad, RMSprop and Adam now tie.'
    """
    over = race.overtakes()
    parts = []
    if over:
        parts.append(_join([f"{a} overtakes {b}" for a, b in over]))
    else:
        parts.append("No one overtakes anyone")
    new_ties = [t for t in race.ties("tuned") if t not in race.ties("given")]
    if new_ties:
        parts.append(_join([f"{_join(list(t))} now tie" for t in new_ties]))
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _steps_text(steps: int | None, total: int) -> str:
    return f"{steps} steps" if steps is not None else f"not in {total}"


class TunedRace(GDScene):
    r"""The saddle race and the long-valley race at tuned rates, after the tuning curves.

    Attributes set by ``construct`` (for tests): ``races`` (by :attr:`TunedRaceSpec.name`, the
    :class:`~gdanim.tuning.RaceTuning`), ``panels`` (by race, by optimizer: ``(plot, best
    ring, hand-picked mark)``), ``tables`` (by race: the rows of words and numbers, by
    optimizer), ``paths`` (by race, by optimizer), ``criteria`` (by race: the words saying
    what "best" means), ``changes`` (by race: :func:`ranking_words`) and ``said`` (the
    captions).
    """

    RACES = (SADDLE, VALLEY)
    #: Seconds the tuned race takes on screen.
    RACE_TIME = 3.5

    def construct(self) -> None:
        self.said: list[str] = []
        self.races: dict[str, RaceTuning] = {}
        self.panels: dict[str, dict[str, tuple[PlotAxes, Mobject, Mobject]]] = {}
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.paths: dict[str, dict[str, TrajectoryPath]] = {}
        self.criteria: dict[str, str] = {}
        self.changes: dict[str, str] = {}
        heading: Mobject | None = None
        for spec in self.RACES:
            heading = self._one(spec, heading)

    # ------------------------------------------------------------------------------------
    def _say(self, text: str) -> float:
        self.said.append(text)
        return say(self, text)

    def _one(self, spec: TunedRaceSpec, heading: Mobject | None) -> Mobject:
        """Tuning curves, then the race and its table, for one race; returns the title."""
        first = heading is None
        self.section(f"Tuned: {spec.name}")
        f = objectives.resolve(spec.objective)
        race = run_tuned(spec)
        self.races[spec.name] = race
        grid = race.grid
        target = tick_label(spec.target)
        head: Mobject = title(f"Tuned race: {spec.name}")
        criterion = (f"best rate: fewest steps to reach f \u2264 {target} and stay there, "
                     "inside the view (a tie: the lower final loss)")
        self.criteria[spec.name] = criterion
        sub = VGroup(
            make_text(f"f = {plain_formula(f.text)} from ({_coord(spec.start)}), "
                      f"{spec.steps} steps  \u00b7  each optimizer: {len(grid)} rates from "
                      f"{tick_label(float(grid[0]))} to {tick_label(float(grid[-1]))}, "
                      "other settings as raced", font_size=17, color=MUTED_TEXT),
            make_text(criterion, font_size=17, color=TEXT_COLOR),
        ).arrange(DOWN, buff=0.08)
        sub.next_to(head, DOWN, buff=0.14)
        if sub.width > 13.6:
            sub.scale_to_fit_width(13.6)

        panels = self._panels(spec, race)
        legend = self._legend(spec)

        if first:
            end = self._say(
                f"The lecture's saddle and long-valley races ran at hand-picked rates. Now "
                f"each optimizer tries "
                f"{len(grid)} rates from {float(grid[0]):g} to {float(grid[-1]):g}, all in "
                "one batched run."
            )
            self.play(FadeIn(head), FadeIn(sub), run_time=0.8)
        else:
            end = self._say(f"The long valley: best means fewest steps to f \u2264 {target}, "
                            "and staying there.")
            assert heading is not None
            self.play(Transform(heading, head), FadeIn(sub), run_time=0.8)
            head = heading
        self.play(LaggedStart(*[FadeIn(p[0]) for p in panels.values()], lag_ratio=0.15),
                  FadeIn(legend), run_time=1.4)
        self.play(LaggedStart(*[Create(p[1]) for p in panels.values()], lag_ratio=0.15),
                  run_time=1.6)
        if first:
            wait_until(self, end)
            end = self._say(f"On the saddle, best means fewest steps to f \u2264 {target}, "
                            "and staying there, inside the view.")
        self.play(*[FadeIn(p[2]) for p in panels.values()],
                  *[FadeIn(p[3]) for p in panels.values()], run_time=0.8)
        wait_until(self, end)

        # ---- the race at the tuned rates, and the table
        words = ranking_words(race)
        self.changes[spec.name] = words
        board = self._board(spec, race, f)
        table = self._table(spec, race, board["right"] + 0.75)
        note = make_text("\n".join(textwrap.wrap(words, 42)), font_size=19, color=TEXT_COLOR,
                         line_spacing=0.9)
        note.next_to(table, DOWN, buff=0.3).align_to(table, LEFT)
        said = self._race_words(spec, race)
        end = self._say(said[0])
        everything = VGroup(*[p[0] for p in panels.values()], *[p[1] for p in panels.values()],
                            *[p[2] for p in panels.values()], *[p[3] for p in panels.values()],
                            legend)
        self.play(FadeOut(everything), run_time=0.6)
        self.play(FadeIn(board["static"]), FadeIn(table), run_time=0.8)
        tracker: ValueTracker = board["tracker"]
        self.add(*board["paths"].values())
        self.play(tracker.animate.set_value(float(board["last"])), run_time=self.RACE_TIME,
                  rate_func=linear)
        for path in board["paths"].values():
            path.update(0)
            path.clear_updaters()
        self.play(FadeIn(note), run_time=0.5)
        wait_until(self, end)
        for text in said[1:]:
            end = self._say(text)
            wait_until(self, end)
        wait_until(self, end, minimum=0.8 if spec is self.RACES[-1] else 0.0)
        if spec is not self.RACES[-1]:
            self.play(FadeOut(VGroup(table, note, sub)), FadeOut(board["static"]),
                      FadeOut(VGroup(*board["paths"].values())), run_time=0.6)
        return head

    # ------------------------------------------------------------------------------------
    def _panels(self, spec: TunedRaceSpec, race: RaceTuning) -> dict[str, Any]:
        """One plot per optimizer: steps to the target against the rate."""
        out: dict[str, Any] = {}
        self.panels[spec.name] = {}
        width, height, pitch = 3.55, 1.75, 4.55
        cap = float(spec.steps)
        band = cap * 3.0
        y_top = cap * 6.0
        y_ticks = [v for v in (1.0, 10.0, 100.0) if v < cap] + [cap]
        n = len(race.entries)
        per_row = 3
        for i, entry in enumerate(race.entries):
            row, col = divmod(i, per_row)
            in_row = min(per_row, n - row * per_row)
            left = -6.15 + col * pitch + (per_row - in_row) * pitch / 2
            top = 1.75 - row * 2.75
            r = entry.result
            color = OPTIMIZER_COLORS[entry.name]
            plot = PlotAxes((float(race.grid[0]) / 1.6, float(race.grid[-1]) * 1.6),
                            (0.8, y_top), width=width, height=height, x_log=True, y_log=True,
                            x_ticks=[1e-4, 1e-2, 1.0], y_ticks=[*y_ticks, band],
                            y_labels=[tick_label(v) for v in y_ticks] + ["never"],
                            x_label="rate \u03b7" if row == (n - 1) // per_row else None,
                            tick_size=15)
            box: Any = plot.frame_box
            plot.shift(np.array([left, top, 0.0]) - box.get_corner(UP + LEFT))
            cap_line = DashedLine(plot.c2p(float(race.grid[0]) / 1.6, cap),
                                  plot.c2p(float(race.grid[-1]) * 1.6, cap),
                                  dash_length=0.06, stroke_width=1.2, color=MUTED_TEXT)
            header = make_text(entry.name, font_size=20, color=color, weight="BOLD")
            header.next_to(box, UP, buff=0.08).align_to(box, LEFT)
            frame = VGroup(plot, cap_line, header)
            # the curve: every rate that reached the target, joined; the others in the band
            reached = np.flatnonzero(r.reached)
            steps = r.steps_to_tol.astype(np.float64)
            marks = VGroup()
            dots = VGroup()
            for k in reached:
                dots.add(make_marker(plot.c2p(float(r.grid[k]), max(steps[k], 1.0)), color,
                                     radius=0.035))
            runs_ = [list(g) for g in _runs_of(reached)]
            lines = VGroup(*[
                plot.curve(r.grid[g], np.maximum(steps[g], 1.0), color, width=2.0)
                for g in runs_ if len(g) > 1
            ])
            for k in np.flatnonzero(~r.reached):
                p = plot.c2p(float(r.grid[k]), band)
                if r.diverged[k]:
                    marks.add(_small_cross(p, DIVERGED_COLOR))
                else:
                    marks.add(Line(p + DOWN * 0.07, p + UP * 0.07, stroke_width=2.5,
                                   color=GREY))
            curve = VGroup(lines, dots, marks)
            # the best rate, ringed, and the hand-picked one
            best = VGroup()
            if r.best_index is not None and r.best_steps is not None:
                bp = plot.c2p(float(r.grid[r.best_index]), max(float(r.best_steps), 1.0))
                ring = make_head("ring", TEXT_COLOR, 0.24).move_to(bp)
                ring.set_fill(opacity=0.0)
                ring.set_stroke(TEXT_COLOR, width=2.5)
                label = make_text(f"{fmt_rate(float(r.grid[r.best_index]))}: "
                                  f"{r.best_steps} steps", font_size=15, color=TEXT_COLOR)
                label.add_background_rectangle(color="#0F1117", opacity=0.8, buff=0.03)
                avoid = np.vstack([_along(plot.points_of(r.grid[g], np.maximum(steps[g], 1.0)))
                                   for g in runs_]
                                  + [d.get_center() for d in dots]
                                  + [m.get_center() for m in marks] + [bp])
                below_band = Rectangle(width=box.width, height=box.height - 0.42).align_to(
                    box, DOWN + LEFT)
                _place_best_label(label, bp, avoid, below_band)
                best = VGroup(ring, label)
            gs = entry.given_steps
            gy = band if gs is None else max(float(gs), 1.0)
            hand = make_head("diamond", TEXT_COLOR, 0.2).move_to(plot.c2p(entry.given_lr, gy))
            hand.set_fill(opacity=0.0).set_stroke(TEXT_COLOR, width=2.0)
            hand_label = VGroup(
                make_head("diamond", TEXT_COLOR, 0.17).set_fill(opacity=0.0).set_stroke(
                    TEXT_COLOR, width=1.8),
                make_text(f"{entry.given_lr:g}: {_steps_text(gs, spec.steps)}", font_size=15,
                          color=MUTED_TEXT),
            ).arrange(RIGHT, buff=0.08)
            hand_label.next_to(box, UP, buff=0.08).align_to(box, RIGHT)
            hand_label.align_to(header, DOWN)
            handpicked = VGroup(hand, hand_label)
            out[entry.name] = (frame, curve, best, handpicked)
            self.panels[spec.name][entry.name] = (plot, best, handpicked)
        return out

    def _legend(self, spec: TunedRaceSpec) -> VGroup:
        target = tick_label(spec.target)
        ring = make_head("ring", TEXT_COLOR, 0.22).set_fill(opacity=0.0).set_stroke(
            TEXT_COLOR, width=2.5)
        diamond = make_head("diamond", TEXT_COLOR, 0.2).set_fill(opacity=0.0).set_stroke(
            TEXT_COLOR, width=2.0)
        items = [
            (make_marker(np.zeros(3), GREY, radius=0.05), f"steps to f \u2264 {target}"),
            (ring, "best rate"),
            (diamond, "hand-picked rate"),
            (_small_cross(np.zeros(3), DIVERGED_COLOR), "left the view first"),
            (Line(DOWN * 0.07, UP * 0.07, stroke_width=2.5, color=GREY),
             f"not there in {spec.steps} steps"),
        ]
        legend = VGroup(*[
            VGroup(mark, make_text(words, font_size=15, color=MUTED_TEXT)).arrange(
                RIGHT, buff=0.1)
            for mark, words in items
        ]).arrange(RIGHT, buff=0.4)
        legend.to_edge(DOWN, buff=0.3)
        return legend

    # ------------------------------------------------------------------------------------
    def _board(self, spec: TunedRaceSpec, race: RaceTuning, f: Any) -> dict[str, Any]:
        """The map with the tuned runs, as paths that grow with one tracker."""
        view = spec.view
        aspect = (view[3] - view[2]) / (view[1] - view[0])
        width = min(6.9, 4.2 / aspect)
        axes = map_axes(view, width=width, step=_map_step(view))
        box: Any = axes.frame_box
        axes.shift(np.array([-6.45, 1.8, 0.0]) - box.get_corner(UP + LEFT))
        cmap = ContourMap(f, axes, view, n_levels=11, fill_strength=0.42)
        start = make_marker(to_scene(axes, np.array(spec.start)), START_COLOR, radius=0.08)
        start.set_z_index(5)
        caption = make_text(f"the race at the tuned rates, {spec.steps} steps",
                            font_size=17, color=MUTED_TEXT)
        caption.next_to(box, UP, buff=0.1).align_to(box, RIGHT)
        tracker = ValueTracker(0.0)
        paths: dict[str, TrajectoryPath] = {}
        last = 0
        for i, entry in enumerate(race.entries):
            run = entry.tuned_run
            if run is None:
                continue
            stop = run.steps if run.stopped_at is None else int(run.stopped_at) - 1
            pts = to_scene(axes, run.points[: stop + 1])
            shape = _shape(entry.name, i)
            paths[entry.name] = TrajectoryPath(pts, OPTIMIZER_COLORS[entry.name], width=3.0,
                                               casing=2.0, tracker=tracker, head=shape,
                                               head_size=0.2)
            paths[entry.name].head.set_z_index(4)  # type: ignore[union-attr]
            last = max(last, _settled(entry, stop))
        self.paths[spec.name] = paths
        return {"static": Group(axes, cmap, start, caption), "paths": paths,
                "tracker": tracker, "last": min(last, spec.steps),
                "right": float(box.get_right()[0])}

    def _table(self, spec: TunedRaceSpec, race: RaceTuning, left: float) -> VGroup:
        """Both races' steps to the target and ranks, ordered by the tuned race."""
        given, tuned = race.ranks("given"), race.ranks("tuned")
        order = sorted(range(len(race.entries)), key=lambda i: (tuned[i], i))
        size = 17
        head_top = ["", "hand-picked", "", "tuned", ""]
        head = ["", "\u03b7", "steps (rank)", "\u03b7", "steps (rank)"]
        rows: list[list[VMobject]] = [
            [make_text(t, size, MUTED_TEXT) for t in head_top],
            [make_text(t, size, MUTED_TEXT) for t in head],
        ]
        texts: dict[str, list[str]] = {}
        for i in order:
            e = race.entries[i]
            color = OPTIMIZER_COLORS[e.name]
            cells = [
                e.name,
                f"{e.given_lr:g}",
                f"{_steps_short(e.given_steps, spec.steps)} (#{given[i]})",
                fmt_rate(e.tuned_lr) if e.tuned_lr is not None else "\u2013",
                f"{_steps_short(e.tuned_steps, spec.steps)} (#{tuned[i]})",
            ]
            texts[e.name] = cells
            shape = _shape(e.name, i)
            rows.append([
                VGroup(make_head(shape, color, 0.17),
                       make_text(cells[0], size, color, weight="BOLD")).arrange(RIGHT, buff=0.1),
                make_text(cells[1], size, TEXT_COLOR),
                make_text(cells[2], size, TEXT_COLOR),
                make_text(cells[3], size, color),
                make_text(cells[4], size, color, weight="BOLD"),
            ])
        self.tables[spec.name] = texts
        widths = [max(r[c].width for r in rows[1:]) for c in range(5)]
        gaps = (0.35, 0.3, 0.55, 0.3)
        table = VGroup()
        for j, mobs in enumerate(rows):
            x = 0.0
            line = VGroup()
            for c, cell in enumerate(mobs):
                if j == 0 and c in (1, 3):  # the group names span their two columns
                    cell.move_to(np.array([x, -0.38 * j, 0.0]), aligned_edge=LEFT)
                else:
                    cell.move_to(np.array([x + (0 if c == 0 else widths[c] - cell.width),
                                           -0.38 * j, 0.0]), aligned_edge=LEFT)
                if c < 4:
                    x += widths[c] + gaps[c]
                line.add(cell)
            table.add(line)
        table.move_to(np.array([left, 1.75, 0.0]), aligned_edge=LEFT + UP)
        if table.get_right()[0] > 6.95:
            table.scale_to_fit_width(6.95 - left)
            table.move_to(np.array([left, 1.75, 0.0]), aligned_edge=LEFT + UP)
        return table

    def _race_words(self, spec: TunedRaceSpec, race: RaceTuning) -> list[str]:
        """The captions over the race, from the numbers."""
        e = {x.name: x for x in race.entries}
        over = race.overtakes()
        overtaking = (_join([f"{x} overtakes {y}" for x, y in over]) + "." if over
                      else "No one overtakes anyone.")
        if spec.name == SADDLE.name:
            sgd = e["SGD"]
            ties = [t for t in race.ties("tuned") if t not in race.ties("given")]
            tied = "".join(f" {_join(list(t))} tie at {e[t[0]].tuned_steps}." for t in ties)
            return [f"Tuned, plain gradient descent takes {sgd.tuned_steps} steps, not "
                    f"{sgd.given_steps}.{tied} {overtaking}"]
        ada, rms, sgd = e["AdaGrad"], e["RMSprop"], e["SGD"]
        first = (f"AdaGrad at \u03b7 = {fmt_rate(ada.tuned_lr or 0.0)} gets there in "
                 f"{ada.tuned_steps} steps; RMSprop, "
                 + ("never there" if rms.given_steps is None
                    else f"{rms.given_steps} steps")
                 + f" at {rms.given_lr:g}, in {rms.tuned_steps}. {overtaking}")
        better = sgd.tuned_steps is not None and sgd.given_steps is not None
        if better and sgd.tuned_steps > sgd.given_steps:  # type: ignore[operator]
            second = (f"SGD's {sgd.given_lr:g} lies between two grid rates: the grid's best, "
                      f"{fmt_rate(sgd.tuned_lr or 0.0)}, takes {sgd.tuned_steps} steps, "
                      f"not {sgd.given_steps}.")
        else:
            second = (f"SGD: {_steps_text(sgd.tuned_steps, spec.steps)} at "
                      f"{fmt_rate(sgd.tuned_lr or 0.0)}, against "
                      f"{_steps_text(sgd.given_steps, spec.steps)} at {sgd.given_lr:g}.")
        return [first, second]


def _along(points: np.ndarray, per_segment: int = 8) -> np.ndarray:
    """Points along a polyline through scene points ``(n, 3)``, ``per_segment`` per segment
    (so that a label kept clear of them is clear of the line, not only of its dots)."""
    if len(points) < 2:
        return np.asarray(points, dtype=np.float64).reshape(-1, 3)
    s = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None, None]
    inner = points[:-1][None] * (1 - s) + points[1:][None] * s
    out: np.ndarray = np.vstack([inner.reshape(-1, 3), points[-1:]])
    return out


def _place_best_label(label: Mobject, anchor: np.ndarray, avoid: np.ndarray,
                      inside: Mobject) -> None:
    """Beside the best rate's ring if a side is clear of the curve, else in the plot's empty
    lower-left corner (low rates never reach the target in few steps)."""
    place_label_clear(label, anchor, avoid, inside=inside, buff=0.1)
    if _clearance(label, avoid) >= 0.06:
        return
    label.move_to(inside.get_corner(DOWN + LEFT) + np.array([0.12, 0.1, 0.0]),
                  aligned_edge=DOWN + LEFT)


def _clearance(label: Mobject, points: np.ndarray) -> float:
    """Smallest distance from ``points`` to the label's box."""
    lo = np.array([label.get_left()[0], label.get_bottom()[1]])
    hi = np.array([label.get_right()[0], label.get_top()[1]])
    p = np.asarray(points)[:, :2]
    d = np.maximum(np.maximum(lo - p, p - hi), 0.0)
    return float(np.sqrt((d**2).sum(axis=1)).min())


def _settled(entry: TunedEntry, stop: int) -> int:
    """The step the race animation runs to for this run: a few steps past its target (or
    where it stopped)."""
    steps = entry.tuned_steps
    return stop if steps is None else min(stop, max(steps + 6, 2 * steps))


def _runs_of(index: np.ndarray) -> list[np.ndarray]:
    """Consecutive stretches of an increasing index array: [1, 2, 3, 7, 8] -> [1..3], [7, 8]."""
    if index.size == 0:
        return []
    cut = np.flatnonzero(np.diff(index) != 1) + 1
    return list(np.split(index, cut))


def _small_cross(point: np.ndarray, color: Any, size: float = 0.06) -> VGroup:
    arms = VGroup(
        Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
        Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
    )
    arms.set_stroke(color, width=2.5)
    return arms


def _steps_short(steps: int | None, total: int) -> str:
    return str(steps) if steps is not None else f"> {total}"


def _coord(point: Sequence[float]) -> str:
    """Coordinates without exponents: ``0.00001, 0.5``."""
    return ", ".join(f"{v:.10f}".rstrip("0").rstrip(".") for v in point)


def _map_step(view: Sequence[float]) -> tuple[float, float]:
    span = max(view[1] - view[0], view[3] - view[2])
    step = 0.5 if span <= 4 else 5.0 if span > 12 else 1.0
    return (step, step)
