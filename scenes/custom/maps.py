r"""The layout the custom scenes of a function of x and y share: a contour map on the left,
a panel on the right.

:class:`MapScene` draws the map (with the field of :math:`-\nabla f` when asked), grows each
run's path over it as a step tracker advances, keeps a legend with each run's live value of f
and, at the end, writes a note whose every number is read from the runs. Its subclasses
(:class:`scenes.custom.descend.CustomDescent2D`, :class:`scenes.custom.race.CustomRace`) give
the words.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Dot,
    FadeIn,
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
)

from gdanim import objectives
from gdanim._typing import FloatArray
from gdanim.objectives import Objective
from scenes.custom.common import (
    LegendRow,
    Note,
    cross,
    fit_width,
    make_runs,
    plain,
    race_time,
    sentence_number,
    step_counter,
    user_captions,
    value_format,
    warp,
)
from scenes.field import ARROW_RAMP, arrow_lengths
from scenes.mobjects import (
    ContourMap,
    FastNumber,
    TrajectoryPath,
    make_head,
    map_axes,
    to_scene,
)
from scenes.params import PathParams
from scenes.runs import Run, point_text, verdict
from scenes.style import (
    BACKGROUND,
    DIVERGED_COLOR,
    END_COLOR,
    MUTED_TEXT,
    START_COLOR,
    TEXT_COLOR,
    GDScene,
    fmt,
    make_marker,
    make_tex,
    make_text,
    nice_step,
    title,
)

__all__ = ["Follow", "MapScene", "decimate", "field_arrows", "fit_map", "map_steps"]


def decimate(points: FloatArray, tol: float) -> np.ndarray:
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


class Follow:
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



def fit_map(view: Sequence[float], max_w: float, max_h: float) -> tuple[float, float]:
    """Map size in scene units: equal scales unless the view is very elongated."""
    w_data, h_data = view[1] - view[0], view[3] - view[2]
    aspect = float(np.clip(h_data / w_data, 0.55, 2.5))
    w = min(max_w, max_h / aspect)
    return w, w * aspect


def map_steps(view: Sequence[float]) -> tuple[float, float]:
    return (nice_step(view[1] - view[0], 5), nice_step(view[3] - view[2], 5))


def field_arrows(f: Objective, axes: Any, view: Sequence[float]) -> VGroup:
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
        color = ManimColor.from_rgb((float(rgb[0]), float(rgb[1]), float(rgb[2])))
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


class MapScene(GDScene):
    """The layout shared by the 2D scenes: a contour map on the left, a panel on the right."""

    descent = False
    show_field = False
    MAP_BOX = (6.7, 5.2)

    def params(self) -> PathParams:
        """The scene's parameters (read once, see :func:`~scenes.custom.common.custom_params`)."""
        raise NotImplementedError

    def construct(self) -> None:
        p = self.params()
        f = objectives.resolve(p.function)
        view = tuple(float(v) for v in p.view)
        steps = int(p.steps)
        self.objective = f
        self.view = view
        self.runs = make_runs(f, p.optimizer_params(), p.start, steps, view,
                              descent=self.descent)
        self.section(p.title or self.default_title(f))

        heading = title(p.title or self.default_title(f))
        tracker = ValueTracker(0.0)
        self.tracker = tracker
        counter = step_counter(steps, tracker)
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
        w, h = fit_map(view, box_w, min(self.MAP_BOX[1], max_h))
        axes = map_axes(view, width=w, height=h, step=map_steps(view),
                        labels=tuple(f.variable_names[:2]))  # type: ignore[arg-type]
        frame = cast(Mobject, axes.frame_box)
        axes.shift(np.array([-config.frame_width / 2 + 1.15 - frame.get_left()[0],
                             top - frame.get_top()[1], 0.0]))
        self.axes = axes
        cmap = ContourMap(f, axes, view, n_levels=12, fill_strength=0.45)
        field = field_arrows(f, axes, view) if self.show_field else VGroup()

        # paths, markers, start
        paths: list[TrajectoryPath] = []
        drivers: list[Follow] = []
        n = len(self.runs)
        for i, run in enumerate(self.runs):
            pts = to_scene(axes, run.points)
            kept = decimate(pts, 0.008)
            width = max(3.4, 7.0 - 1.3 * i) if n > 1 else 5.0
            path = TrajectoryPath(pts[kept], run.color, width=width, casing=2.0 if i == 0 else 1.2,
                                  head=run.head, head_size=0.2)
            path.set_progress(0.0)
            if path.head is not None:
                path.head.set_z_index(3)
            follow = Follow(path, kept, tracker, run.last)
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
        blocks: list[VMobject] = [fit_width(formula, panel_w)]
        if self.show_field:
            grad = make_tex(rf"-\nabla f = -{f.grad_latex}", font_size=30)
            blocks.append(fit_width(grad, panel_w))
        rows = self.legend_rows(panel_w)
        table = VGroup(*rows).arrange(DOWN, buff=0.26, aligned_edge=LEFT)
        panel = VGroup(*blocks, table).arrange(DOWN, buff=0.38, aligned_edge=LEFT)
        avail = counter.get_bottom()[1] - 0.3 - (-config.frame_height / 2 + 0.35)
        if panel.height > avail:
            panel.scale(avail / panel.height)
        fit_width(panel, panel_w)
        panel.move_to(np.array([panel_left, 0.0, 0.0]), aligned_edge=LEFT)
        panel.align_to(np.array([0.0, counter.get_bottom()[1] - 0.3, 0.0]), UP)
        self.legend_entries = rows

        # the end of each run: a cross where it left the view, else its end point
        finish = VGroup()
        for run in self.runs:
            end_pt = to_scene(axes, run.points[-1])
            if run.stopped_at is not None:
                finish.add(cross(end_pt))
            else:
                m = make_marker(end_pt, END_COLOR, radius=0.07)
                m.set_z_index(4)
                finish.add(m)

        # ---- play ------------------------------------------------------------------------------
        run_time = race_time(steps)
        intro, outro = 3.0 + (1.6 if self.show_field else 0.0), 4.5
        total = intro + run_time + outro
        if not user_captions(self, p.captions, total):
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
        self.let_speech_finish()
        for path in paths:
            self.add(path)
        self.add(start)
        self.statuses(rows, tracker)
        if not p.captions:
            self.caption(self.race_caption(p), run_time)
        self.play(tracker.animate.set_value(steps), run_time=run_time, rate_func=warp(steps))
        for path, follow in zip(paths, drivers, strict=True):
            follow(path)
            path.clear_updaters()

        self.let_speech_finish()
        summary = self.summary(axes)
        if not p.captions:
            self.caption(summary.caption, outro)
        self.play(FadeIn(finish, scale=0.6), FadeIn(summary, shift=UP * 0.1), run_time=0.8)
        self.wait(outro - 0.8)
        self.finish_marks = finish
        self.summary_note = summary

    # -- hooks -----------------------------------------------------------------------------------

    def default_title(self, f: Objective) -> str:
        raise NotImplementedError

    def intro_caption(self, f: Objective, p: PathParams) -> str:
        x0 = ", ".join(fmt(float(v), 3) for v in p.start)
        return f"f({', '.join(f.variable_names)}) = {plain(f)}, starting at ({x0})."

    def race_caption(self, p: PathParams) -> str:
        return f"{len(self.runs)} runs, {p.steps} steps each."

    def legend_rows(self, width: float) -> list[LegendRow]:
        """One row per run: swatch and name, the live value of f, small print, status."""
        rows = []
        n = len(self.runs)
        name_size = 25 if n <= 5 else 21
        names: list[VMobject] = []
        for i, run in enumerate(self.runs):
            line_w = max(3.4, 7.0 - 1.3 * i) if n > 1 else 5.0
            swatch_line = Line(LEFT * 0.28, RIGHT * 0.28, stroke_width=min(line_w, 7.0))
            swatch_line.set_stroke(run.color)
            swatch_line.set_stroke(BACKGROUND, width=min(line_w, 7.0) + 2.5, background=True)
            swatch = VGroup(swatch_line, make_head(run.head, run.color, 0.2)
                            .move_to(swatch_line.get_end()))
            name, small = self.row_words(run)
            if name.startswith("\\"):
                name_mob: VMobject = make_tex(name, font_size=name_size * 1.25,
                                              color=run.color)
            else:
                name_mob = make_text(name, font_size=name_size, color=run.color, weight="BOLD")
            name_mob.next_to(swatch, RIGHT, buff=0.2)
            swatch.match_y(name_mob)
            row = LegendRow(swatch, name_mob, run_index=i, label_text=run.label,
                            color_hex=run.color)
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
            names.append(name_mob)
            rows.append(row)
        # the live values in one column, right of the longest name
        column = max(nm.get_right()[0] - r[0].get_left()[0] for nm, r in zip(names, rows,
                                                                           strict=True)) + 0.45
        for row, name_mob in zip(rows, names, strict=True):
            run = self.runs[row.run_index]
            vfmt, vwidth = value_format(run.values)
            f_word = make_tex("f =", font_size=26, color=MUTED_TEXT)
            f_word.move_to(np.array([row[0].get_left()[0] + column, 0.0, 0.0]),
                           aligned_edge=LEFT)
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

    def statuses(self, rows: Sequence[LegendRow], tracker: ValueTracker) -> list[Mobject]:
        """Live values in the legend, and "diverged at step N" once a run has left the view."""
        out: list[Mobject] = []
        for row in rows:
            run: Run = self.runs[row.run_index]
            vals = run.values

            def follow(m: Mobject, vals: FloatArray = vals, last: int = run.last) -> None:
                m.set_value(float(vals[min(int(tracker.get_value()), last)]))

            if row.value is not None:
                row.value.add_updater(follow)
            status = row.status
            if run.stopped_at is None or status is None:
                continue
            stop = run.stopped_at

            def show(m: Mobject, stop: int = stop) -> None:
                m.set_opacity(1.0 if tracker.get_value() >= stop else 0.0)

            status.add_updater(show)
            out.append(status)
        return out

    def summary(self, axes: Any) -> Note:
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
                            f"f = {sentence_number(float(best.values[-1]))} at "
                            f"{point_text(best.points[-1])}.")
                if worst is not best and float(worst.values[-1]) > float(best.values[-1]):
                    bits.append(f"Highest: {self.short_name(worst)}, "
                                f"f = {sentence_number(float(worst.values[-1]))}.")
            else:
                said = f"{who}: {verdict(f, best, self.view)}; "
                bits.append(said[0].upper() + said[1:]
                            + f"f = {sentence_number(float(best.values[-1]))}.")
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
        return Note(self._note(text, axes), text)

    def _note(self, text: str, axes: Any) -> VMobject:
        """``text`` wrapped into the free space: under the legend if there is room, else
        under the map."""
        frame = axes.frame_box
        bottom = -config.frame_height / 2 + 0.3
        size = 20
        per_char = make_text("abcdefghij klmnopqrs tuvwxyz 0123456789", font_size=size).width / 39

        def wrapped(width: float) -> VMobject:
            lines = textwrap.wrap(text, width=max(20, int(width / per_char)))
            note = make_text("\n".join(lines), font_size=size, color=TEXT_COLOR,
                             line_spacing=0.85)
            return fit_width(note, width)

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
