"""Six optimizers race off a saddle (scenario S6, race C) with commentary from the runs (S7).

On :math:`f(x, y) = -x^2/2 + y^2` every optimizer starts at :math:`(10^{-5}, 0.5)`, a hair off
the ridge line :math:`x = 0`, and runs 500 steps: SGD, Momentum, AdaGrad, RMSprop and Adam at
lr 0.05, Nesterov at lr 0.01 (torch.optim's algorithms, from :mod:`gdanim.optimizers`). The
runs are computed with the view as their bound, so a run that leaves the view is held at its last
point inside, and its exit step is recorded. Every number on screen (losses, the step at which
each run leaves the saddle region, exit steps) is read from the trajectories or from
:func:`gdanim.analysis.saddle_escape_step`.

Nesterov is a momentum method; it is late here only because it is raced at a five times smaller
rate (the scenario's numbers). :func:`saddle_facts` says so with numbers: the ratio of the rates,
Nesterov's escape step when it is run again at Momentum's rate, how much plain gradient descent's
x grows per step, and the runs started exactly on the ridge :math:`x = 0`, where the x-gradient
is zero and every method stays.

The race is one animation of a step tracker with a time warp (slow at first, when the adaptive
methods make their move, faster later, while SGD crawls); the paths, live losses, marks and notes
follow the tracker through updaters, so nothing is rebuilt but six polylines per frame.

This module holds the scene; the runs and the facts (:data:`RACE_C`, :func:`run_race`,
:func:`saddle_facts`) are in :mod:`scenes.racedata` and re-exported here, and the label placement
it shares with :mod:`scenes.traits` is in :mod:`scenes.mapmarks`.

Render with::

    manim -ql scenes/race.py OptimizerRace
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Circle,
    DashedVMobject,
    FadeIn,
    LaggedStart,
    Line,
    MathTex,
    Mobject,
    Text,
    ValueTracker,
    VGroup,
    Write,
)

from gdanim import objectives
from gdanim.objectives import Objective
from scenes.mapmarks import cross_mark, frame_of, place_callout
from scenes.mobjects import (
    ContourMap,
    FastNumber,
    TrajectoryPath,
    make_head,
    map_axes,
    plain_formula,
    to_scene,
)
from scenes.pacing import reading_time, say, wait_until
from scenes.racedata import (
    RACE_C,
    RaceResult,
    RaceSpec,
    SaddleFacts,
    count_word,
    fmt_lr,
    fraction_word,
    join_words,
    run_race,
    saddle_facts,
    times_word,
)
from scenes.style import (
    BACKGROUND,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    GDScene,
    fmt,
    make_marker,
    make_tex,
    make_text,
    title,
)

#: Left edge of the legend panel and the x offset of its loss column (scene units).
PANEL_LEFT = 1.65
LOSS_COLUMN = 3.55

# RACE_C, RaceResult, RaceSpec, SaddleFacts, run_race and saddle_facts live in scenes.racedata
# and are re-exported here, where the lecture, the tuned race and the tests import them.
__all__ = [
    "RACE_C",
    "LegendEntry",
    "OptimizerRace",
    "RaceNote",
    "RaceResult",
    "RaceSpec",
    "RaceSummary",
    "SaddleFacts",
    "StepMark",
    "run_race",
    "saddle_facts",
]


class LegendEntry(VGroup):
    """A legend row of the race: ``VGroup(swatch, name, hyperparameters, "f =", live loss)``."""

    #: The optimizer's label (name and hyperparameters) and its colour.
    label_text: str
    color_hex: str
    name_text: Text
    param_text: Text
    loss: FastNumber
    #: "left saddle: N", once the run has left the saddle region (``None`` if it never does).
    status: Text | None = None


class StepMark(VGroup):
    """A mark of the step at which an optimizer's run did something (left the saddle or view)."""

    step: int
    optimizer: str


class RaceNote(VGroup):
    """A commentary note under the map; ``step`` is the race step at which it comes in."""

    step: int | None = None


@dataclass(frozen=True)
class RaceSummary:
    """The notes shown after the race, one at a time, with their captions and the footnote."""

    notes: list[RaceNote]
    captions: list[str]
    texts: list[str]
    footnote: Mobject


@dataclass(frozen=True)
class RacePanel:
    """The right of the race: the formula, the step counter and the legend rows."""

    formula: MathTex
    counter: VGroup
    rows: list[LegendEntry]
    table: VGroup


# How each path is drawn: stroke width, casing, head shape; bottom to top in this order. SGD,
# Momentum and Nesterov run down the same line x = 0 for their first steps, so they are drawn as
# one cable: SGD widest at the bottom (with a dark casing), Momentum narrower on top of it and
# Nesterov thinnest on top, without casings between them, so all three colours show where they
# overlap. The adaptive methods split off at once and are drawn above with their own casings.
_DRAW_ORDER = ("SGD", "Momentum", "Nesterov", "AdaGrad", "Adam", "RMSprop")
_STYLE: dict[str, tuple[float, float, str]] = {
    "SGD": (11.0, 3.0, "dot"),
    "Momentum": (6.8, 0.0, "square"),
    "Nesterov": (3.0, 0.0, "diamond"),
    "AdaGrad": (4.0, 2.0, "triangle"),
    "Adam": (4.0, 2.0, "ring"),
    "RMSprop": (4.0, 2.0, "hexagon"),
}
_DEFAULT_STYLE = (4.0, 2.0, "dot")


def _style(name: str) -> tuple[float, float, str]:
    return _STYLE.get(name, _DEFAULT_STYLE)


def _order(names: Sequence[str]) -> list[str]:
    known = [n for n in _DRAW_ORDER if n in names]
    return known + [n for n in names if n not in known]


class _TimeWarp:
    r"""Steps as a function of time: :math:`s(u) = S\,(e^{a u} - 1) / (e^{a} - 1)`.

    Slow at the start (the first 25 steps take about a third of the time) and quick at the end.
    """

    def __init__(self, steps: int, run_time: float, a: float = 3.4) -> None:
        self.steps = steps
        self.run_time = run_time
        self.a = a
        self._den = math.expm1(a)

    def rate(self, u: float) -> float:
        """The tracker's rate function (progress ``u`` in [0, 1] to fraction of steps)."""
        return math.expm1(self.a * u) / self._den

    def time_of(self, step: float) -> float:
        """Seconds into the race at which the tracker passes ``step``."""
        frac = max(0.0, min(1.0, step / self.steps))
        return self.run_time * math.log1p(frac * self._den) / self.a


class _Reveal:
    """Fade a mobject in when the race reaches ``start`` steps and out at ``end``.

    ``start=None`` means shown from the beginning, ``end=None`` shown to the end; after ``end``
    the mobject keeps ``floor`` of its opacity.
    """

    def __init__(
        self,
        mob: Mobject,
        warp: _TimeWarp,
        start: float | None,
        end: float | None = None,
        fade: float = 0.35,
        floor: float = 0.0,
    ) -> None:
        self.mob = mob
        self.t0 = None if start is None else warp.time_of(start)
        self.t1 = None if end is None else warp.time_of(end)
        self.fade = fade
        self.floor = floor
        self.warp = warp
        self.base = [
            (m, m.get_fill_opacity(), m.get_stroke_opacity(), m.get_stroke_opacity(background=True))
            for m in mob.get_family()
        ]
        self.shown = -1.0

    def factor(self, step: float) -> float:
        t = self.warp.time_of(step)
        k = 1.0 if self.t0 is None else min(1.0, max(0.0, (t - self.t0) / self.fade))
        if self.t1 is not None:
            k = min(k, max(self.floor, 1.0 - (t - self.t1) / self.fade))
        return k

    def apply(self, step: float) -> None:
        k = self.factor(step)
        if k == self.shown:
            return
        self.shown = k
        for m, fill, stroke, bg in self.base:
            m.set_fill(opacity=fill * k, family=False)
            m.set_stroke(opacity=stroke * k, family=False)
            m.set_stroke(opacity=bg * k, background=True, family=False)


class OptimizerRace(GDScene):
    """S6 race C on the saddle :math:`-x^2/2 + y^2`, with S7 commentary.

    Attributes (after ``construct``, for tests)
    ---------------------------------------------
    results : dict of str to RaceResult
    paths : dict of str to TrajectoryPath
        One growing path per optimizer, by display name.
    legend_entries : dict of str to LegendEntry
        Legend row per optimizer; ``row.label_text`` is the optimizer's label.
    escape_marks : dict of str to StepMark
        Mark where each run left the saddle region; ``mark.step`` is the step.
    exit_marks : dict of str to StepMark
        Mark for each run that left the view; ``mark.step`` is the step.
    loss_numbers : dict of str to FastNumber
        The live loss of each run.
    step_counter : FastNumber
    notes_shown : list of RaceNote
        The commentary notes, in order (the last is the summary).
    note_facts : list of (str, int)
        ``(optimizer, step)`` pairs quoted by the notes.
    """

    spec: RaceSpec = RACE_C
    race_time: float = 15.0

    def construct(self) -> None:
        spec = self.spec
        f = objectives.get(spec.objective)
        self.results = run_race(spec)
        self.facts = saddle_facts(spec, self.results)
        names = _order(list(self.results))
        self.section("Optimizer race on a saddle")

        head = title("Six optimizers on a saddle")
        axes = map_axes(spec.view, width=6.6, step=(0.5, 0.5))
        axes.move_to(ORIGIN)
        frame = frame_of(axes)
        axes.shift(
            np.array([-6.45, 2.45, 0])
            - np.array([frame.get_left()[0], frame.get_top()[1], 0])
        )
        self.axes = axes
        head.align_to(frame, LEFT)
        cmap = ContourMap(f, axes, spec.view, n_levels=12, fill_strength=0.45)

        # the saddle region and the start
        centre = to_scene(axes, spec.saddle)
        radius = float(
            np.linalg.norm(to_scene(axes, [spec.saddle_radius, 0.0]) - to_scene(axes, [0.0, 0.0]))
        )
        region = DashedVMobject(
            Circle(radius=radius, stroke_color=TEXT_COLOR, stroke_width=2.0).move_to(centre),
            num_dashes=48,
        )
        region.set_stroke(opacity=0.8)
        region_label = make_text(
            f"saddle region (radius {fmt(spec.saddle_radius, 1)})",
            font_size=SMALL_SIZE * 0.8,
            color=TEXT_COLOR,
        )
        region_label.add_background_rectangle(color=BACKGROUND, opacity=0.7, buff=0.05)
        region_label.move_to(centre + radius * np.array([-0.2, -1.0, 0]) + DOWN * 0.2)
        saddle_mark = cross_mark(centre, 0.08, 3)
        start_pt = to_scene(axes, spec.start)
        start = make_marker(start_pt, START_COLOR, radius=0.08)
        start_label = make_text(
            f"start ({fmt(spec.start[0], 5)}, {fmt(spec.start[1], 1)})",
            font_size=SMALL_SIZE * 0.8,
            color=TEXT_COLOR,
        )
        start_label.add_background_rectangle(color=BACKGROUND, opacity=0.7, buff=0.05)
        start_label.next_to(start, UP, buff=0.14)

        # race machinery
        warp = _TimeWarp(spec.steps, self.race_time)
        tracker = ValueTracker(0.0)
        self.tracker = tracker
        self.paths: dict[str, TrajectoryPath] = {}
        for name in names:
            res = self.results[name]
            width, casing, shape = _style(name)
            pts = to_scene(axes, res.trajectory.points[: res.last_drawn + 1])
            self.paths[name] = TrajectoryPath(
                pts,
                OPTIMIZER_COLORS[name],
                width=width,
                casing=casing,
                tracker=tracker,
                head=shape,
                head_size=0.2 if name != "SGD" else 0.24,
            )
        paths = VGroup(*[self.paths[n] for n in names])
        for path in self.paths.values():
            if path.head is not None:
                path.head.set_z_index(3)

        panel = self._panel(names, tracker, f)
        reveals = self._marks(names, warp, axes)
        for r in reveals:
            r.mob.set_z_index(2)
        # a run that has left the view keeps a dimmed head, so the runs still racing show on top
        # (the heads stay inside their paths: they are faded, never added to the scene apart)
        dims = [
            _Reveal(path.head, warp, None, self.results[name].exit_step, fade=0.5, floor=0.35)
            for name, path in self.paths.items()
            if path.head is not None and self.results[name].exit_step is not None
        ]
        notes = self._notes(names, warp, axes)
        counter = panel.counter

        # ---- intro ------------------------------------------------------------------------
        end = say(
            self,
            f"A saddle, f = {plain_formula(f.text)}: downhill along x, uphill along y; flat at "
            "(0, 0), but not a minimum.",
        )
        self.play(FadeIn(head), FadeIn(axes), FadeIn(cmap), Write(panel.formula),
                  run_time=1.5)
        self.play(FadeIn(saddle_mark), Write(region), FadeIn(region_label), run_time=1.2)
        wait_until(self, end)
        end = say(
            self,
            f"{count_word(len(names))} optimizers start just off the ridge x = 0; SGD here is "
            "plain gradient descent.",
        )
        self.play(FadeIn(start), FadeIn(start_label), run_time=0.6)
        self.play(
            LaggedStart(*[FadeIn(r, shift=LEFT * 0.2) for r in panel.rows], lag_ratio=0.15),
            FadeIn(counter),
            run_time=1.8,
        )
        wait_until(self, end, minimum=0.5)

        # ---- the race ---------------------------------------------------------------------
        # paths under the marks (z-index 2) and the heads (z-index 3)
        self.add(paths)
        for r in reveals:
            r.apply(0.0)
            self.add(r.mob)
        for r in notes:
            r.apply(0.0)
            self.add(r.mob)

        def refresh(_mob: Mobject) -> None:
            step = tracker.get_value()
            for r in (*reveals, *notes, *dims):
                r.apply(step)

        driver = VGroup()
        driver.add_updater(refresh)
        self.add(driver)
        for line, start_step, duration in self._race_captions(warp):
            self.caption(line, duration, offset=warp.time_of(start_step))
        self.play(
            tracker.animate.set_value(spec.steps),
            run_time=self.race_time,
            rate_func=warp.rate,
        )
        refresh(driver)
        driver.clear_updaters()

        # ---- summary ----------------------------------------------------------------------
        self.section("What the paths show")
        summary = self._summary(names, axes)
        last_note = notes[-1].mob if notes else VGroup()
        shown: list[Mobject] = []
        previous: Mobject = last_note
        for i, (note, said) in enumerate(zip(summary.notes, summary.captions, strict=True)):
            end = say(self, said)
            shown_now: list[Any] = [FadeIn(note, shift=UP * 0.15),
                                    previous.animate.set_opacity(0.0)]
            if i + 1 == len(summary.notes):
                # torch's conventions stay on screen as a footnote, without a caption of their own
                shown_now.append(FadeIn(summary.footnote))
            self.play(*shown_now, run_time=0.8)
            wait_until(self, end, minimum=1.0)
            shown.append(note)
            if i + 1 < len(summary.notes):
                previous = note
        self.wait(0.5)
        self.notes_shown = [*[r.mob for r in notes], *shown]

    # ------------------------------------------------------------------------------------
    def _panel(self, names: list[str], tracker: ValueTracker, f: Objective) -> RacePanel:
        """Formula, step counter and legend rows (name, hyperparameters, live loss)."""
        left = PANEL_LEFT
        formula = make_tex(rf"f(x, y) = {f.latex}", font_size=38)
        formula.move_to(np.array([left, 2.55, 0.0]), aligned_edge=LEFT)
        step_word = make_text("step", font_size=26, color=MUTED_TEXT)
        step_num = FastNumber(0, "{:d}", len(str(self.spec.steps)), font_size=34,
                              weight="BOLD", align="left")
        total = make_text(f"of {self.spec.steps}", font_size=26, color=MUTED_TEXT)
        step_num.place(step_word.get_corner(DOWN + RIGHT) + RIGHT * 0.18)
        total.next_to(step_num, RIGHT, buff=0.18).align_to(step_word, DOWN)
        # the race clock sits in the top-right corner, level with the title
        step_num.set_value(self.spec.steps)
        total.next_to(step_num, RIGHT, buff=0.18).align_to(step_word, DOWN)
        VGroup(step_word, step_num, total).to_corner(UP + RIGHT, buff=0.45).shift(DOWN * 0.12)
        step_num.set_value(0)
        step_num.add_updater(lambda m: m.set_value(int(tracker.get_value())))
        counter = VGroup(step_word, step_num, total)
        def keep_total(m: Mobject) -> None:
            m.shift(RIGHT * (step_num.text_right() + 0.18 - m.get_left()[0]))

        keep_total(total)
        total.add_updater(keep_total)
        self.step_counter = step_num

        rows: list[LegendEntry] = []
        self.legend_entries: dict[str, LegendEntry] = {}
        self.loss_numbers: dict[str, FastNumber] = {}
        for name in names:
            res = self.results[name]
            color = OPTIMIZER_COLORS[name]
            width, _casing, shape = _style(name)
            swatch_line = Line(LEFT * 0.3, RIGHT * 0.3, stroke_width=min(width, 7.0))
            swatch_line.set_stroke(color)
            swatch_line.set_stroke(BACKGROUND, width=min(width, 7.0) + 2.5, background=True)
            marker = make_head(shape, color, 0.2).move_to(swatch_line.get_end())
            swatch = VGroup(swatch_line, marker)
            label = res.optimizer.label
            display = res.optimizer.display_name
            params = label[len(display):].strip().removeprefix("(").removesuffix(")")
            name_text = make_text(display, font_size=25, color=color, weight="BOLD")
            param_text = make_text(params, font_size=15, color=MUTED_TEXT)
            name_text.next_to(swatch, RIGHT, buff=0.2)
            param_text.next_to(name_text, DOWN, buff=0.09, aligned_edge=LEFT)
            swatch.align_to(name_text, DOWN).shift(UP * 0.03)
            f_word = make_tex("f =", font_size=26, color=MUTED_TEXT)
            f_word.move_to(np.array([swatch.get_left()[0] + LOSS_COLUMN, 0.0, 0.0]),
                           aligned_edge=LEFT)
            f_word.align_to(name_text, DOWN)
            values = res.trajectory.values
            loss = FastNumber(float(values[0]), "{:.3f}", 6, font_size=24)
            loss.place([f_word.get_right()[0] + 0.14, name_text.get_bottom()[1], 0])

            def follow(m: Mobject, vals: np.ndarray = values, last: int = res.last_drawn) -> None:
                t = min(int(tracker.get_value()), last)
                m.set_value(float(vals[t]))

            loss.add_updater(follow)
            row = LegendEntry(swatch, name_text, param_text, f_word, loss)
            row.label_text = label
            row.color_hex = color
            row.name_text = name_text
            row.param_text = param_text
            row.loss = loss
            rows.append(row)
            self.legend_entries[name] = row
            self.loss_numbers[name] = loss
        table = VGroup(*rows).arrange(DOWN, buff=0.28, aligned_edge=LEFT)
        table.next_to(formula, DOWN, buff=0.45).align_to(np.array([left, 0.0, 0.0]), LEFT)
        return RacePanel(formula, counter, rows, table)

    # ------------------------------------------------------------------------------------
    def _marks(self, names: list[str], warp: _TimeWarp, axes: Axes) -> list[_Reveal]:
        """Escape marks on the map, exit flags beside it, statuses in the legend."""
        reveals: list[_Reveal] = []
        self.escape_marks: dict[str, StepMark] = {}
        self.exit_marks: dict[str, StepMark] = {}
        frame = frame_of(axes)

        # escape marks: ring at the point, step number in a label placed clear of the paths
        escapes = sorted(
            (r.escape_step, n) for n, r in self.results.items() if r.escape_step is not None
        )
        avoid = np.vstack([p.points_scene for p in self.paths.values()])
        placed: list[Mobject] = []
        for step, name in escapes:
            res = self.results[name]
            color = OPTIMIZER_COLORS[name]
            p = to_scene(axes, res.trajectory.points[step])
            ring = Circle(radius=0.075, stroke_color=color, stroke_width=3.0).move_to(p)
            ring.set_stroke(BACKGROUND, width=5.5, background=True)
            label = make_text(str(step), font_size=SMALL_SIZE * 0.85, color=color,
                              weight="BOLD")
            label.add_background_rectangle(color=BACKGROUND, opacity=0.85, buff=0.05)
            place_callout(label, p, avoid, placed, frame)
            placed.append(label)
            leader = Line(p, label.get_center(), stroke_color=color, stroke_width=1.5)
            leader.set_stroke(opacity=0.9)
            # trim the leader to run from the ring to the label's edge
            d = label.get_center() - p
            dist = float(np.linalg.norm(d))
            if dist > 0.2:
                u = d / dist
                half = 0.5 * min(
                    label.width / max(abs(u[0]), 1e-6), label.height / max(abs(u[1]), 1e-6)
                )
                leader.put_start_and_end_on(p + u * 0.08, label.get_center() - u * (half + 0.02))
            else:
                leader.set_stroke(opacity=0.0)
            mark = StepMark(leader, ring, label)
            mark.step = step
            mark.optimizer = name
            self.escape_marks[name] = mark
            reveals.append(_Reveal(mark, warp, step))

        # legend statuses: "left the saddle: N"
        for name in names:
            res = self.results[name]
            row = self.legend_entries[name]
            if res.escape_step is None:
                continue
            status = make_text(
                f"left saddle: {res.escape_step}", font_size=15,
                color=OPTIMIZER_COLORS[name],
            )
            status.align_to(row.loss.extent, RIGHT)
            status.align_to(row.param_text, DOWN)
            row.status = status
            reveals.append(_Reveal(status, warp, res.escape_step))

        # exit flags: stacked to the right of the frame, in the order the runs left
        exits = sorted((r.exit_step, n) for n, r in self.results.items() if r.exit_step is not None)
        if exits:
            header = VGroup(
                make_text("left the view", font_size=15, color=MUTED_TEXT),
                make_text("at step", font_size=15, color=MUTED_TEXT),
            ).arrange(DOWN, buff=0.05, aligned_edge=LEFT)
            flags: list[StepMark] = []
            for step, name in exits:
                color = OPTIMIZER_COLORS[name]
                _w, _c, shape = _style(name)
                flag = StepMark(
                    make_head(shape, color, 0.17),
                    make_text(str(step), font_size=19, color=color, weight="BOLD"),
                ).arrange(RIGHT, buff=0.1)
                flag.step = step
                flag.optimizer = name
                flags.append(flag)
            stack = VGroup(*flags).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
            mean_exit_y = float(
                np.mean([
                    to_scene(axes, self.results[n].trajectory.points[s - 1])[1] for s, n in exits
                ])
            )
            stack.next_to(frame, RIGHT, buff=0.2)
            stack.set_y(mean_exit_y - 0.1)
            header.next_to(stack, UP, buff=0.15, aligned_edge=LEFT)
            # a small tick on the frame where the runs cross it
            for (step, name), flag in zip(exits, flags, strict=True):
                self.exit_marks[name] = flag
                reveals.append(_Reveal(flag, warp, step))
            reveals.append(_Reveal(header, warp, exits[0][0]))
            self.exit_header = header
        return reveals

    # ------------------------------------------------------------------------------------
    def _note(self, text: str, axes: Axes) -> RaceNote:
        """A commentary note under the map, wrapped to the map's width."""
        frame = frame_of(axes)
        max_w = PANEL_LEFT - 0.2 - frame.get_left()[0]
        size = 17
        per_char = make_text("abcdefghij klmnopqrs tuvwxyz 0123456789", font_size=size).width / 39
        lines = textwrap.wrap(text, width=max(20, int(max_w / per_char)))
        if len(lines) > 3:
            size = 15
            lines = textwrap.wrap(text, width=max(20, int(max_w / (per_char * 15 / 17))))
        note = make_text("\n".join(lines), font_size=size, color=TEXT_COLOR, line_spacing=0.85)
        if note.width > max_w:
            note.scale_to_fit_width(max_w)
        note.next_to(frame, DOWN, buff=0.55).align_to(frame, LEFT)
        return RaceNote(note)

    def _notes(self, names: list[str], warp: _TimeWarp, axes: Axes) -> list[_Reveal]:
        """Commentary during the race, each line backed by the run's numbers."""
        res = self.results
        notes: list[tuple[str, float, float | None]] = []
        adaptive = [n for n in ("RMSprop", "Adam", "AdaGrad") if n in res and res[n].escape_step]
        adaptive.sort(key=lambda n: res[n].escape_step or 0)
        momentum = [n for n in ("Momentum",) if n in res and res[n].escape_step]
        late = [n for n in ("Nesterov", "SGD") if n in res and res[n].escape_step]
        self.note_facts: list[tuple[str, int]] = []
        notes.append(
            (
                "A ring marks where a run leaves the saddle region, with the step number; a run "
                "that reaches the edge of the view stops there, and its step is listed at the "
                "right edge.",
                0.0,
                None,
            )
        )
        if adaptive:
            steps = [res[n].escape_step or 0 for n in adaptive]
            text = (
                f"{join_words(adaptive)} scale each coordinate by its own gradient history, so the "
                "tiny slope along x gets a full-size step. Out of the saddle at steps "
                f"{join_words([str(s) for s in steps])}."
            )
            notes.append((text, max(steps), None))
            self.note_facts += [(n, s) for n, s in zip(adaptive, steps, strict=True)]
        if momentum:
            s = res["Momentum"].escape_step or 0
            text = (
                "Momentum overshoots along y and swings, but it builds up speed along x: "
                f"out at step {s}."
            )
            notes.append((text, s, None))
            self.note_facts.append(("Momentum", s))
        if late:
            facts = self.facts
            parts = []
            if "Nesterov" in late:
                parts.append(
                    f"Nesterov, at a {fraction_word(facts.rate_ratio)} of the others' rate, is "
                    f"out at step {res['Nesterov'].escape_step}."
                )
            if "SGD" in late:
                parts.append(
                    "Plain gradient descent (SGD) crawls, the slope along x, \u2212x, almost zero "
                    f"near x = 0: out at step {res['SGD'].escape_step}."
                )
            first = min(res[n].escape_step or 0 for n in late)
            notes.append((" ".join(parts), first, None))
            self.note_facts += [(n, res[n].escape_step or 0) for n in late]
        # each note stays until the next one comes in
        reveals: list[_Reveal] = []
        for i, (text, at, _end) in enumerate(notes):
            end = notes[i + 1][1] if i + 1 < len(notes) else None
            mob = self._note(text, axes)
            mob.step = int(at)
            reveals.append(_Reveal(mob, warp, at, end))
        return reveals

    def _race_captions(self, warp: _TimeWarp) -> list[tuple[str, float, float]]:
        """Narration during the race: ``(text, step at which it starts, seconds)``."""
        res = self.results
        order = sorted((r.escape_step, n) for n, r in res.items() if r.escape_step is not None)
        events: list[tuple[float, str]] = []
        if order:
            s, n = order[0]
            events.append((0.0, f"{n} leaves the saddle region first, at step {s}."))
        adaptive = sorted(
            (r.escape_step, n)
            for n, r in res.items()
            if n in ("Adam", "AdaGrad") and r.escape_step is not None
        )
        if adaptive:
            events.append(
                (
                    float(adaptive[-1][0]),
                    "Then " + join_words([f"{n} at step {s}" for s, n in adaptive]) + ".",
                )
            )
        if "Momentum" in res and res["Momentum"].escape_step is not None:
            s = res["Momentum"].escape_step
            events.append((float(s), f"Momentum follows at step {s}."))
        slow = sorted(
            (r.escape_step, n)
            for n, r in res.items()
            if n in ("Nesterov", "SGD") and r.escape_step is not None
        )
        if slow:
            names = {"SGD": "plain gradient descent", "Nesterov": "Nesterov"}
            parts = [f"{names[n]} at {'step ' if i == 0 else ''}{s}"
                     for i, (s, n) in enumerate(slow)]
            text = "Late: " + join_words(parts) + "."
            events.append((float(slow[0][0]), text))
        # each caption lasts until the next one starts (at most its reading time, at least
        # 1.5 s); the last one until the race ends
        out: list[tuple[str, float, float]] = []
        for i, (step, text) in enumerate(events):
            t0 = warp.time_of(step)
            t1 = warp.time_of(events[i + 1][0]) if i + 1 < len(events) else warp.run_time
            out.append((text, step, max(1.5, min(reading_time(text), t1 - t0 - 0.1))))
        return out

    # ------------------------------------------------------------------------------------
    def _summary(self, names: list[str], axes: Axes) -> RaceSummary:
        """Notes after the race, one at a time, each with its caption.

        Why Nesterov is late (its rate, not its method); plain gradient descent slowed, not
        trapped, and what happens exactly on the ridge. (AdaGrad against RMSprop is the subject
        of their cards in :class:`scenes.traits.OptimizerTraits`, next.)
        """
        facts = self.facts
        texts: list[str] = []
        captions: list[str] = []
        if facts.nesterov_step is not None and facts.nesterov_same_rate_step is not None:
            ratio = times_word(facts.rate_ratio)
            texts.append(
                f"Nesterov is a momentum method. It is late only because it is raced at lr "
                f"{fmt_lr(facts.nesterov_lr)}, {ratio} times smaller than the others' "
                f"{fmt_lr(facts.momentum_lr)}: the rate, not the method. At lr "
                f"{fmt_lr(facts.momentum_lr)} it leaves at step "
                f"{facts.nesterov_same_rate_step}, before Momentum (step {facts.momentum_step})."
            )
            captions.append(
                f"Nesterov, a momentum method, is late only for its {ratio} times smaller rate: "
                f"at lr {fmt_lr(facts.momentum_lr)} it leaves at step "
                f"{facts.nesterov_same_rate_step}, before Momentum's {facts.momentum_step}."
            )
        if facts.sgd_step is not None:
            everyone = "every method" if len(facts.ridge_x) > 2 else "both methods"
            stays = "Adam" in facts.ridge_x and all(v == 0.0 for v in facts.ridge_x.values())
            ridge = (
                f" Started exactly on the ridge x = 0, where the x-gradient is 0, {everyone} "
                "stays on it, Adam included."
                if stays
                else ""
            )
            texts.append(
                "Plain gradient descent is slowed, not trapped: x grows about "
                f"\u00d7{fmt(facts.sgd_growth, 2)} a step, and it leaves at step "
                f"{facts.sgd_step}.{ridge}"
            )
            captions.append(
                f"Plain gradient descent is slowed, not trapped: x grows \u00d7"
                f"{fmt(facts.sgd_growth, 2)} a step, out at step {facts.sgd_step}."
                + (" Exactly on the ridge x = 0 every method stays." if ridge else "")
            )
        if not texts:
            texts.append("Every run left the saddle region.")
            captions.append(texts[0])
        foot = make_text(
            "Update rules as in torch.optim: epsilon outside the square root; Nesterov in "
            "torch's form.",
            font_size=14,
            color=MUTED_TEXT,
        )
        notes = [self._note(t, axes) for t in texts]
        foot.to_edge(DOWN, buff=0.15).align_to(notes[0], LEFT)
        return RaceSummary(notes, captions, texts, foot)
