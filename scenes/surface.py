r"""Gradient descent on a 3D surface, with its shadow on a contour map below (scenarios S2, S6).

The bowl :math:`f(x, y) = x^2 + y^2` on :math:`[-3, 3]^2` is drawn as a shaded surface coloured
by height (cool to warm), over a floor that carries the same function as a contour map. Plain
gradient descent, :math:`x_{t+1} = x_t - \eta \nabla f(x_t)` with :math:`\eta = 0.1`, runs 100
steps from :math:`(2, 2)`; the path grows on the surface behind a moving dot while its shadow is
traced over the contour map, and the camera orbits all along.

The surface is a :class:`~scenes.fastsurface.FastSurface` (one vectorised mobject instead of one
``VMobject`` per face), and the path, the dot and the vertical axis are its *overlays*: the
surface draws them between its faces in depth order, so a path on the visible side of the
surface is never hidden inside it, while the near rim of the bowl still covers what lies behind
it. Every number is computed by :mod:`gdanim` (the run by :func:`gdanim.descend`, the contours by
:mod:`gdanim.contours`, the contraction factor by :mod:`gdanim.analysis`) and the formula on
screen is ``objective.latex``.

Render with::

    manim -ql scenes/surface.py SurfaceDescent3D
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UR,
    Create,
    DecimalNumber,
    FadeIn,
    Integer,
    Mobject,
    ThreeDAxes,
    ThreeDCamera,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from gdanim import Trajectory, objectives, optimizers
from gdanim.analysis import curvature
from gdanim.cache import cached_contour_lines, cached_descend
from gdanim.contours import default_levels
from gdanim.objectives import Objective
from scenes.fastsurface import FastSurface, FastThreeDScene, lift_onto
from scenes.pacing import say, wait_until
from scenes.patches import drop_axis_shading
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    BODY_SIZE,
    LABEL_SIZE,
    MUTED_TEXT,
    SMALL_SIZE,
    TEXT_COLOR,
    TITLE_SIZE,
    GDScene,
    fmt,
    height_color,
    make_marker,
    make_tex,
    make_text,
    optimizer_color,
)

__all__ = [
    "SurfaceBox",
    "SurfaceDescent3D",
    "SurfaceDescentSetup",
    "dashes",
    "densify",
    "interpolate_polyline",
    "resample",
]

FloatArray = np.ndarray


@dataclass(frozen=True)
class SurfaceBox:
    """An affine map from data ``(x, y, f)`` to scene coordinates, plus the floor height.

    ``x`` and ``y`` in ``view`` map to a square of side ``side`` centred on ``center``; ``f`` in
    ``[f_min, f_max]`` maps to heights ``center_z .. center_z + height``; the floor is the plane
    ``z = center_z - floor_gap``.
    """

    view: tuple[float, float, float, float]
    f_range: tuple[float, float]
    side: float = 4.4
    height: float = 2.4
    floor_gap: float = 3.0
    center_z: float = 0.15

    @property
    def sx(self) -> float:
        return self.side / (self.view[1] - self.view[0])

    @property
    def sy(self) -> float:
        return self.side / (self.view[3] - self.view[2])

    @property
    def sz(self) -> float:
        return self.height / (self.f_range[1] - self.f_range[0])

    @property
    def floor_z(self) -> float:
        return self.center_z - self.floor_gap

    def to_scene(self, x: Any, y: Any, f: Any) -> FloatArray:
        """Data coordinates (arrays of one shape) to scene points (that shape + ``(3,)``)."""
        cx = 0.5 * (self.view[0] + self.view[1])
        cy = 0.5 * (self.view[2] + self.view[3])
        return np.stack(
            np.broadcast_arrays(
                (np.asarray(x, dtype=float) - cx) * self.sx,
                (np.asarray(y, dtype=float) - cy) * self.sy,
                (np.asarray(f, dtype=float) - self.f_range[0]) * self.sz + self.center_z,
            ),
            axis=-1,
        )

    def on_floor(self, xy: Any) -> FloatArray:
        """``(..., 2)`` data points to scene points on the floor."""
        p = np.asarray(xy, dtype=float)
        return self.to_scene(p[..., 0], p[..., 1], self.f_range[0]) + [
            0.0,
            0.0,
            self.floor_z - self.center_z,
        ]

    def normals(self, objective: Objective, xy: Any) -> FloatArray:
        """Upward unit normals of the drawn graph at ``(..., 2)`` data points."""
        g = np.asarray(objective.grad(np.asarray(xy, dtype=float)), dtype=float)
        n = np.stack(
            [
                -g[..., 0] * self.sz / self.sx,
                -g[..., 1] * self.sz / self.sy,
                np.ones(g.shape[:-1]),
            ],
            axis=-1,
        )
        unit: FloatArray = n / np.linalg.norm(n, axis=-1, keepdims=True)
        return unit


def densify(points: FloatArray, max_step: float) -> tuple[FloatArray, FloatArray]:
    """Resample a polyline so no piece is longer than ``max_step``.

    Returns the new ``(m, d)`` points and, for each, its fractional index into ``points``
    (``2.5`` is halfway from point 2 to point 3). Every original point is kept.

    Examples
    --------
    >>> pts, s = densify(np.array([[0.0, 0.0], [1.0, 0.0]]), 0.3)
    >>> s.tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    p = np.asarray(points, dtype=float)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    pieces = np.maximum(1, np.ceil(seg / max_step)).astype(int)
    params = [np.arange(k) / k + i for i, k in enumerate(pieces)] + [np.array([len(p) - 1.0])]
    s = np.concatenate(params)
    return interpolate_polyline(p, s), s


def resample(points: FloatArray, spacing: float) -> FloatArray:
    """The polyline ``points`` resampled at about equal arc length ``spacing`` (ends kept).

    Examples
    --------
    >>> resample(np.array([[0.0, 0.0], [1.0, 0.0]]), 0.3).round(2).tolist()
    [[0.0, 0.0], [0.25, 0.0], [0.5, 0.0], [0.75, 0.0], [1.0, 0.0]]
    """
    p = np.asarray(points, dtype=float)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
    n = max(2, int(np.ceil(arc[-1] / spacing)) + 1)
    s = np.linspace(0.0, arc[-1], n)
    return np.stack([np.interp(s, arc, p[:, k]) for k in range(p.shape[1])], axis=1)


def interpolate_polyline(points: FloatArray, s: Any) -> FloatArray:
    """Points at fractional indices ``s`` along the polyline ``points``."""
    p = np.asarray(points, dtype=float)
    s = np.clip(np.asarray(s, dtype=float), 0.0, len(p) - 1.0)
    i = np.minimum(np.floor(s).astype(int), len(p) - 2)
    frac = (s - i)[..., None]
    points_at: FloatArray = p[i] * (1 - frac) + p[i + 1] * frac
    return points_at


def dashes(mob: VMobject, start: FloatArray, end: FloatArray, dash: float = 0.06) -> VMobject:
    """Make ``mob`` a dashed line from ``start`` to ``end``: one mobject, one subpath a dash.

    (Manim's ``DashedLine`` is a group of one mobject per dash.)
    """
    length = float(np.linalg.norm(end - start))
    n = max(1, int(length / (2 * dash)))
    t = np.arange(n)[:, None] / n  # dash starts; each dash is half a period long
    third = np.array([0.0, 1.0, 2.0, 3.0])[None, :] / (6 * n)
    along = (t + third).reshape(-1, 1)  # (4n, 1): straight cubic pieces
    return mob.set_points(start + along * (end - start))


class SurfaceDescentSetup:
    """The numbers behind the scene (no drawing): objective, run, levels and geometry."""

    def __init__(
        self,
        objective: Objective,
        optimizer: optimizers.Optimizer,
        start: tuple[float, float],
        steps: int,
        n_levels: int = 9,
    ) -> None:
        self.objective = objective
        self.optimizer = optimizer
        view = objective.view
        assert view is not None and len(view) == 4
        self.view: tuple[float, float, float, float] = (
            float(view[0]),
            float(view[1]),
            float(view[2]),
            float(view[3]),
        )
        self.trajectory: Trajectory = cached_descend(objective, optimizer, list(start), steps)
        xs = np.linspace(self.view[0], self.view[1], 121)
        ys = np.linspace(self.view[2], self.view[3], 121)
        grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1)
        heights = objective.value(grid)
        self.f_range = (float(np.nanmin(heights)), float(np.nanmax(heights)))
        self.levels = default_levels(objective, self.view, n_levels)
        # 120 samples a side is ample: the floor redraws each line smoothly through fewer points
        self.contours = cached_contour_lines(objective, self.view, self.levels, resolution=120)
        self.box = SurfaceBox(self.view, self.f_range)


class SurfaceDescent3D(GDScene, FastThreeDScene):
    """S2/S6: descent on the bowl in 3D, its shadow on a contour map, an orbiting camera.

    Attributes for tests: ``setup_data`` (:class:`SurfaceDescentSetup`), ``surface``, ``floor``,
    ``path`` (the path on the surface), ``shadow`` (its trace on the floor), ``dot``,
    ``shadow_dot``, ``tracker`` (fractional step), ``path_xy`` (the 101 trajectory points).
    """

    objective_name = "bowl"
    start = (2.0, 2.0)
    lr = 0.1
    steps = 100
    resolution = 40
    phi = 52 * DEGREES
    theta_start = -118 * DEGREES
    zoom = 0.86
    orbit_rate = 0.03  # rad per second
    #: Seconds the descent takes to play.
    DESCENT_TIME = 6.6

    # -- building blocks ------------------------------------------------------------------------

    def build_surface(self, data: SurfaceDescentSetup) -> FastSurface:
        obj, box = data.objective, data.box
        x0, x1, y0, y1 = data.view

        def graph(u: FloatArray, v: FloatArray) -> FloatArray:
            f = obj.value(np.stack([u, v], axis=-1))
            return box.to_scene(u, v, f)

        surface = FastSurface(
            graph, (x0, x1), (y0, y1), self.resolution, vectorized=True, shading=0.55
        )
        # colour each face by the exact height at its centre (not the mean of its corners)
        ij = surface.face_ij + 0.5
        fx = x0 + (x1 - x0) * ij[:, 0] / self.resolution
        fy = y0 + (y1 - y0) * ij[:, 1] / self.resolution
        values = obj.value(np.stack([fx, fy], axis=-1))
        surface.set_face_colors(height_color(values, *data.f_range))
        return surface

    def build_floor(self, data: SurfaceDescentSetup) -> tuple[FastSurface, VGroup]:
        obj, box = data.objective, data.box
        x0, x1, y0, y1 = data.view
        res = 20

        def plane(u: FloatArray, v: FloatArray) -> FloatArray:
            return box.on_floor(np.stack([u, v], axis=-1))

        floor = FastSurface(plane, (x0, x1), (y0, y1), res, vectorized=True, shade_in_3d=False)
        ij = floor.face_ij + 0.5
        fx = x0 + (x1 - x0) * ij[:, 0] / res
        fy = y0 + (y1 - y0) * ij[:, 1] / res
        values = obj.value(np.stack([fx, fy], axis=-1))
        # a dimmed copy of the surface colours, so the lines drawn on it stand out
        floor.set_face_colors(0.32 * height_color(values, *data.f_range) + 0.02)
        lines = VGroup()
        for level, polylines in zip(data.levels, data.contours, strict=True):
            rgb = height_color([level], *data.f_range)[0]
            color = [float(c) for c in 0.2 + 0.8 * rgb]
            # one mobject per level; each polyline resampled to chords of about 16 px at 1080p and
            # drawn as a smooth curve (a third of the marching-squares points, the same look)
            line = VMobject(stroke_width=1.6, stroke_color=_rgb_to_hex(color))
            for poly in polylines:
                if len(poly) < 2:
                    continue
                pts = box.on_floor(resample(poly, 0.03 * (x1 - x0))) + [0, 0, 0.004]
                piece = VMobject().set_points_smoothly(pts) if len(pts) > 2 else None
                if piece is None:
                    piece = VMobject().set_points_as_corners(pts)
                line.append_points(piece.points)
            lines.add(line)
        return floor, lines

    def build_axes(self, data: SurfaceDescentSetup) -> tuple[ThreeDAxes, VGroup]:
        box = data.box
        x0, x1, y0, y1 = data.view
        f0, f1 = data.f_range
        axes = ThreeDAxes(
            x_range=[x0, x1, 1],
            y_range=[y0, y1, 1],
            z_range=[f0, f1, (f1 - f0) / 3],
            x_length=box.side,
            y_length=box.side,
            z_length=box.height,
            axis_config={"color": AXIS_COLOR, "stroke_width": 2, "tick_size": 0.05},
            tips=False,  # type: ignore[arg-type]  # manim types **kwargs as dict[str, Any] values
        )
        # Plain lines instead of ThreeDAxes' shaded pieces: their depth order is handled by the
        # surfaces here, and their sheen recomputes the whole axis' bounding box for every piece
        # on every frame (most of a frame's time).
        for axis in axes.axes:
            axis.remove(cast(VGroup, axis.pieces))  # set by ThreeDAxes._add_3d_pieces
            for mob in axis.get_family():
                drop_axis_shading(mob)
            axis.set_sheen(0.0)
            axis.set_shade_in_3d(False)
            for piece in axis.family_members_with_points():
                mob = cast(VMobject, piece)  # an axis is made of VMobjects only
                # one colour instead of the two-stop sheen gradient (set_stroke keeps two stops)
                mob.stroke_rgbas = mob.stroke_rgbas[:1].copy()
                mob.fill_rgbas = mob.fill_rgbas[:1].copy()
                mob.set_stroke(AXIS_COLOR, family=False)
            axis.set_stroke(width=2, family=False)
        # 24 pieces along the vertical axis, so that the bowl can hide exactly the part behind it
        axes.z_axis.insert_n_curves(23)
        # put the axes' origin where the box puts (0, 0, f_min), then drop x and y to the floor
        axes.shift(box.to_scene(0.0, 0.0, f0) - axes.c2p(0, 0, f0))
        for axis in (axes.x_axis, axes.y_axis):
            axis.shift(np.array([0.0, 0.0, box.floor_z - box.center_z]))
        labels = VGroup(
            make_tex("x", LABEL_SIZE, MUTED_TEXT).move_to(box.on_floor([x1 + 0.45, 0.0])),
            make_tex("y", LABEL_SIZE, MUTED_TEXT).move_to(box.on_floor([0.0, y1 + 0.45])),
            make_tex("f", LABEL_SIZE, MUTED_TEXT).move_to(
                box.to_scene(0.0, 0.0, f1 + 0.12 * (f1 - f0))
            ),
        )
        return axes, labels

    # -- the scene ------------------------------------------------------------------------------

    def construct(self) -> None:
        self.section("surface")
        data = SurfaceDescentSetup(
            objectives.get(self.objective_name),
            optimizers.sgd(lr=self.lr),
            self.start,
            self.steps,
        )
        self.setup_data = data
        obj, box, traj = data.objective, data.box, data.trajectory
        self.set_camera_orientation(phi=self.phi, theta=self.theta_start, zoom=self.zoom)

        surface = self.build_surface(data)
        floor, contours = self.build_floor(data)
        axes, labels = self.build_axes(data)
        self.surface, self.floor, self.contours, self.axes = surface, floor, contours, axes

        # -- heads-up display (fixed in frame) --
        heading = make_text("Gradient descent on a surface", TITLE_SIZE * 0.8, TEXT_COLOR)
        formula = make_tex(rf"f(x, y) = {obj.latex}", BODY_SIZE * 1.15)
        hud_left = VGroup(heading, formula).arrange(DOWN, aligned_edge=LEFT, buff=0.22)
        hud_left.to_corner(UL, buff=0.4)
        color = optimizer_color(data.optimizer)
        name = make_text(data.optimizer.display_name, BODY_SIZE, color, weight="BOLD")
        rate = make_tex(rf"\eta = {fmt(self.lr, 1)}", BODY_SIZE * 1.1)
        rate.next_to(name, RIGHT, buff=0.25)
        step_label = make_tex("t =", SMALL_SIZE * 1.45, MUTED_TEXT)
        step_num = Integer(0, font_size=SMALL_SIZE * 1.45, color=TEXT_COLOR)
        loss_label = make_tex(r"f(x_t) =", SMALL_SIZE * 1.45, MUTED_TEXT)
        loss_num = DecimalNumber(
            float(traj.values[0]), num_decimal_places=4, font_size=SMALL_SIZE * 1.45
        )
        step_row = VGroup(step_label, step_num).arrange(RIGHT, buff=0.15)
        loss_row = VGroup(loss_label, loss_num).arrange(RIGHT, buff=0.15)
        hud_right = VGroup(VGroup(name, rate), step_row, loss_row)
        hud_right.arrange(DOWN, aligned_edge=LEFT, buff=0.22).to_corner(UR, buff=0.4)
        # keep the numbers' slots fixed while their digits change
        step_anchor = step_num.get_left()
        loss_anchor = loss_num.get_left()

        # -- the run, drawn on the surface and on the floor --
        xy = np.asarray(traj.points, dtype=float)
        self.path_xy = xy
        dense_xy, dense_s = densify(xy, 0.04 * (data.view[1] - data.view[0]) / 6)
        lift = 0.025

        def on_surface(p: FloatArray) -> FloatArray:
            f = obj.value(p)
            return lift_onto(box.to_scene(p[..., 0], p[..., 1], f), box.normals(obj, p), lift)

        dense_surface = on_surface(dense_xy)
        dense_floor = box.on_floor(dense_xy) + [0, 0, 0.008]
        tracker = ValueTracker(0.0)
        self.tracker = tracker

        def partial(points: FloatArray, floor_level: bool) -> FloatArray:
            t = tracker.get_value()
            head_xy = interpolate_polyline(xy, t)
            head = box.on_floor(head_xy) + [0, 0, 0.008] if floor_level else on_surface(head_xy)
            keep = points[dense_s < t - 1e-9]
            return np.vstack([keep, head[None, :]]) if len(keep) else np.vstack([head, head])

        # a dark casing (background stroke) sets the path off the warm colours of the surface
        path = VMobject(stroke_color=color, stroke_width=5)
        path.set_stroke(BACKGROUND, width=9, background=True)
        shadow = VMobject(stroke_color=color, stroke_width=3.5)
        shadow.set_stroke(BACKGROUND, width=6.5, background=True)
        path.add_updater(lambda m: m.set_points_as_corners(partial(dense_surface, False)))
        shadow.add_updater(lambda m: m.set_points_as_corners(partial(dense_floor, True)))
        dot = make_marker(on_surface(xy[0]), color, radius=0.085)
        shadow_dot = make_marker(box.on_floor(xy[0]), color, radius=0.06)

        def head_point(floor_level: bool) -> FloatArray:
            p = interpolate_polyline(xy, tracker.get_value())
            return box.on_floor(p) if floor_level else on_surface(p)

        dot.add_updater(lambda m: m.move_to(head_point(False)))
        shadow_dot.add_updater(lambda m: m.move_to(head_point(True)))
        drop = VMobject(stroke_color=MUTED_TEXT, stroke_width=1.5)
        dashes(drop, head_point(False), head_point(True))
        drop.add_updater(lambda m: dashes(m, head_point(False), head_point(True)))
        self.path, self.shadow, self.dot, self.shadow_dot, self.drop = (
            path,
            shadow,
            dot,
            shadow_dot,
            drop,
        )

        shown: dict[str, Any] = {"step": 0, "loss": fmt(traj.values[0], 4)}

        def readout(_: Mobject) -> None:
            # rebuilding digits is costly: only when the text shown changes
            k = int(np.floor(tracker.get_value() + 1e-9))
            k = min(max(k, 0), len(xy) - 1)
            if k != shown["step"]:
                shown["step"] = k
                step_num.set_value(k)
                step_num.move_to(step_anchor, aligned_edge=LEFT)
            loss = fmt(traj.values[k], 4)
            if loss != shown["loss"]:
                shown["loss"] = loss
                loss_num.set_value(float(traj.values[k]))
                loss_num.move_to(loss_anchor, aligned_edge=LEFT)
            # digits are new submobjects after set_value: keep them fixed in frame
            cast(ThreeDCamera, self.renderer.camera).add_fixed_in_frame_mobjects(step_num, loss_num)

        hud_right.add_updater(readout)

        # marks the surfaces draw in their own turn: the path and the dot between the bowl's
        # faces (never hidden by the faces they lie on), the vertical axis and the drop line in
        # depth order, and everything on the floor after the floor's faces
        surface.add_overlay(path, dot, mode="on")
        surface.add_overlay(axes.z_axis, labels[2], drop, mode="depth")
        floor.add_overlay(
            contours, axes.x_axis, axes.y_axis, labels[:2], shadow, shadow_dot, mode="over"
        )
        # registered with the camera only: each appears when its animation adds it to the scene
        camera = cast(ThreeDCamera, self.renderer.camera)
        camera.add_fixed_orientation_mobjects(*labels, dot, shadow_dot)
        camera.add_fixed_in_frame_mobjects(hud_left, hud_right)

        # -- 1. the surface --
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.add(floor, contours, axes.x_axis, axes.y_axis, labels[:2])
        end = say(
            self,
            f"The surface of f(x, y) = {_plain(obj.text)}, coloured by height, over its contour "
            "map.",
        )
        self.play(
            FadeIn(surface), Create(axes.z_axis), FadeIn(labels[2]), Write(heading), run_time=2.0
        )
        self.play(Write(formula), run_time=1.5)
        wait_until(self, end)

        # -- 2. the start --
        self.section("start")
        self.add(path, shadow, drop)
        end = say(
            self,
            f"Start at ({fmt(xy[0, 0], 0)}, {fmt(xy[0, 1], 0)}), where f = "
            f"{fmt(traj.values[0], 0)}; {data.optimizer.display_name} with learning rate "
            f"η = {fmt(self.lr, 1)}.",
        )
        self.play(
            FadeIn(dot, scale=0.5),
            FadeIn(shadow_dot, scale=0.5),
            FadeIn(hud_right),
            run_time=1.2,
        )
        wait_until(self, end)

        # -- 3. the descent --
        self.section("descent")
        lipschitz = curvature(obj, xy[-1])
        factor = abs(1.0 - self.lr * lipschitz)
        end = say(
            self,
            f"The curvature is {fmt(lipschitz, 0)} everywhere, so every step scales the distance "
            f"to the minimum by 1 − η·{fmt(lipschitz, 0)} = {fmt(factor, 1)}.",
        )
        self.play(
            tracker.animate.set_value(float(len(xy) - 1)),
            run_time=self.DESCENT_TIME,
            rate_func=_ease_steps,
        )
        wait_until(self, end)

        # -- 4. the result --
        self.section("result")
        end = xy[-1]
        done = say(
            self,
            f"After {len(xy) - 1} steps f = {traj.values[-1]:.1e}: the run sits at the minimum "
            f"({fmt(end[0], 2)}, {fmt(end[1], 2)}).",
        )
        wait_until(self, done)
        self.stop_ambient_camera_rotation()  # type: ignore[no-untyped-call]  # unannotated in manim


def _plain(text: str) -> str:
    """Objective text for subtitles: ``x^2`` becomes ``x²``."""
    return text.replace("^2", "²").replace("^3", "³").replace("*", "·")


def _ease_steps(alpha: float) -> float:
    """Spend the animation's time on the early, long steps: ``alpha**2.2`` of the run."""
    return float(linear(alpha) ** 2.2)


def _rgb_to_hex(rgb: Any) -> str:
    """``[r, g, b]`` floats in ``[0, 1]`` to ``#RRGGBB``."""
    r, g, b = (int(round(255 * min(max(float(c), 0.0), 1.0))) for c in rgb)
    return f"#{r:02X}{g:02X}{b:02X}"
