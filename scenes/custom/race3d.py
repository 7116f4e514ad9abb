r"""Optimizers (or learning rates) on the 3D surface of a function of x and y.

:class:`CustomRace3D` is what ``gdanim race --3d`` and ``gdanim descend --3d`` render: the
surface coloured by height with a hole where f is undefined, each run's path on it and its
shadow on a contour floor, a legend with live values, and a slowly orbiting camera. The
lecture's 3D races (:mod:`scenes.races3d`) are subclasses that fix their own parameters.
Rendered on its own it plays :data:`DEMO`::

    manim -ql scenes/custom/race3d.py CustomRace3D
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    Create,
    FadeIn,
    Line,
    Mobject,
    ThreeDCamera,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
)

from gdanim import objectives
from gdanim._typing import FloatArray
from gdanim.objectives import Objective
from scenes.custom.common import (
    LegendRow,
    cross,
    custom_params,
    fit_width,
    make_runs,
    plain,
    race_time,
    step_counter,
    user_captions,
    value_format,
    warp,
)
from scenes.fastsurface import FastSurface, lift_onto
from scenes.mobjects import FastNumber, make_head
from scenes.pacing import wait_until
from scenes.params import DescentParams, OptimizerParams, RaceParams
from scenes.style import (
    AXIS_COLOR,
    BODY_SIZE,
    DIVERGED_COLOR,
    LABEL_SIZE,
    MUTED_TEXT,
    START_COLOR,
    TEXT_COLOR,
    TITLE_SIZE,
    fmt,
    make_marker,
    make_tex,
    make_text,
)
from scenes.surface import SurfaceBox, SurfaceDescent3D, densify, interpolate_polyline

__all__ = ["DEMO", "UNDEFINED_FLOOR", "Axes3D", "CustomRace3D", "SurfaceData", "axes3d"]

#: Colour (RGB in [0, 1]) of the 3D floor where the function is undefined.
UNDEFINED_FLOOR = (0.10, 0.10, 0.11)
#: The race shown when the scene is rendered on its own.
DEMO = RaceParams(
    function="cubic_bowl", start=(2.0, 3.0), steps=150, view=(-3.0, 3.0, -3.0, 3.0),
    optimizers=(
        OptimizerParams("sgd", {"lr": 0.01}),
        OptimizerParams("sgd", {"lr": 0.01, "momentum": 0.9}),
        OptimizerParams("adam", {"lr": 0.1, "betas": (0.9, 0.99)}),
    ),
)


class SurfaceData:
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


class Axes3D:
    """Three plain axis lines: x and y along two edges of the floor, f at their corner."""

    def __init__(self, x_axis: Line, y_axis: Line, z_axis: Line) -> None:
        self.x_axis, self.y_axis, self.z_axis = x_axis, y_axis, z_axis


def axes3d(data: SurfaceData) -> tuple[Axes3D, VGroup]:
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
    return Axes3D(x_axis, y_axis, z_axis), labels


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

    def params(self) -> DescentParams | RaceParams | Mapping[str, Any]:
        """The scene's parameters (read once, see :func:`~scenes.custom.common.custom_params`).

        A subclass may fix its own: typed, or as a table with optimizer spec strings (see
        :meth:`scenes.params.RaceParams.from_specs`), as the lecture's races do.
        """
        return custom_params(self, DescentParams, RaceParams, demo=DEMO)

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
        given = self.params()
        p = RaceParams.from_specs(given) if isinstance(given, Mapping) else given
        f = objectives.resolve(p.function)
        view = tuple(float(v) for v in p.view)
        steps = int(p.steps)
        descent = isinstance(p, DescentParams)
        self.runs = make_runs(f, p.optimizer_params(), p.start, steps, view, descent=descent)
        data = SurfaceData(f, view)
        # what SurfaceDescent3D's builders read, with the same fields as its own setup
        self.setup_data = data  # type: ignore[assignment]
        box = data.box
        n = len(self.runs)
        if p.title:
            name = p.title
        elif descent:
            name = "Gradient descent on the surface"
        elif n > 1:
            counts = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven",
                      8: "Eight"}
            name = f"{counts.get(n, str(n))} optimizers on the surface"
        else:
            name = f"{self.runs[0].optimizer.display_name} on the surface"
        self.section(name)
        self.set_camera_orientation(phi=self.phi, theta=self.theta_start, zoom=self.zoom)

        surface = self.build_surface(data)
        floor, contours = self.build_floor(data)
        axes, labels = axes3d(data)
        self.surface, self.floor, self.contours = surface, floor, contours
        self.axes = axes  # type: ignore[assignment]  # three plain lines, not ThreeDAxes

        # heads-up display, fixed in the frame
        heading = make_text(name, TITLE_SIZE * 0.8, TEXT_COLOR, weight="MEDIUM")
        formula = make_tex(rf"f({', '.join(f.variable_names)}) = {f.latex}", BODY_SIZE * 1.05)
        hud_left = VGroup(heading, formula).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(hud_left, 6.0)
        hud_left.to_corner(UL, buff=0.4)
        tracker = ValueTracker(0.0)
        self.tracker = tracker
        rows: list[LegendRow] = []
        for i, run in enumerate(self.runs):
            dot = make_head(run.head, run.color, 0.2)
            if descent:
                words: VMobject = make_tex(run.label, font_size=26, color=run.color)
            else:
                words = make_text(run.label, font_size=17, color=run.color, weight="BOLD")
            words.next_to(dot, RIGHT, buff=0.15)
            row = LegendRow(dot, words, run_index=i, label_text=run.label)
            if run.stopped_at is not None:
                status = make_text(run.status, font_size=15, color=DIVERGED_COLOR)
                status.next_to(words, DOWN, buff=0.06, aligned_edge=LEFT)
                status.set_opacity(0.0)
                row.add(status)
                row.status = status
            rows.append(row)
        self.legend_entries = rows
        table = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        col = max(r[1].get_right()[0] for r in rows) + 0.3
        values: list[FastNumber] = []
        for row in rows:
            run = self.runs[row.run_index]
            vfmt, vwidth = value_format(run.values)
            value = FastNumber(float(run.values[0]), vfmt, vwidth, font_size=20)
            glyph = row[1][0][-1] if descent else row[1][0]
            value.place([col, glyph.get_bottom()[1], 0])
            row.add(value)
            row.value = value
            values.append(value)
        f_head = make_tex("f", font_size=24, color=MUTED_TEXT)
        f_head.next_to(values[0].extent, UP, buff=0.12).align_to(values[0].extent, RIGHT)
        legend = VGroup(f_head, table)
        fit_width(legend, 5.0)
        legend.to_corner(UR, buff=0.4)
        counter = step_counter(steps, tracker)
        counter.to_corner(DOWN + RIGHT, buff=0.4)
        for row, value in zip(rows, values, strict=True):
            run = self.runs[row.run_index]

            def follow(m: Mobject, vals: FloatArray = run.values, last: int = run.last) -> None:
                m.set_value(float(vals[min(int(tracker.get_value()), last)]))

            value.add_updater(follow)
            if run.stopped_at is None or row.status is None:
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
                mark = cross(on_surface(xy[run.last]), 0.16)

                def appear(m: Mobject, stop: int = run.stopped_at) -> None:
                    m.set_opacity(1.0 if tracker.get_value() >= stop else 0.0)

                mark.set_opacity(0.0)
                mark.add_updater(appear)
                self.stop_marks.append(mark)
        start = make_marker(on_surface(np.asarray(self.runs[0].points[0])), START_COLOR,
                            radius=0.09)
        surface.add_overlay(*overlays_on, *self.stop_marks, start, mode="on")
        surface.add_overlay(axes.z_axis, labels[2], mode="depth")
        floor.add_overlay(contours, axes.x_axis, axes.y_axis, labels[:2], *overlays_floor,
                          mode="over")
        camera = self.renderer.camera
        assert isinstance(camera, ThreeDCamera)
        camera.add_fixed_orientation_mobjects(*labels, *dots, *self.stop_marks, start)

        # ---- play ------------------------------------------------------------------------------
        run_time = race_time(steps) if self.race_seconds is None else self.race_seconds
        intro, outro = 4.2, self.outro_seconds
        total = intro + run_time + (outro if self.captions_over_outro else 0.0)
        captions_end = float(self.time) + total
        if not user_captions(self, p.captions, total):
            hole = (" There is no surface where f is undefined (the grey floor)."
                    if not surface.defined.all() else "")
            self.caption(f"The surface of f = {plain(f)}, coloured by height, over its "
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
        if not p.captions:
            names = ", ".join(r.label for r in self.runs)
            tuning = p.tuning if isinstance(p, RaceParams) else ""
            self.caption(f"{tuning}: {names}." if tuning
                         else f"{names}: {steps} steps from the same start.", run_time)
        self.play(tracker.animate.set_value(steps), run_time=run_time, rate_func=warp(steps))
        ok = [r for r in self.runs if r.stopped_at is None]
        if ok and not p.captions:
            best = min(ok, key=lambda r: float(r.values[-1]))
            self.caption(f"Lowest after {steps} steps: {best.label}, "
                         f"f = {fmt(float(best.values[-1]), 4)}.", outro)
        self.after_race(outro)
        self.stop_ambient_camera_rotation()  # type: ignore[no-untyped-call]
        if p.captions:
            # the intro's animations take a little less than ``intro``: hold the last frame
            # until the last of the given captions has had its time
            wait_until(self, captions_end)

