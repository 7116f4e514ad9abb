"""The gradient as a field of arrows, and a descent that follows it (scenario S2).

On a contour map of :math:`f`, an arrow of :math:`-\\nabla f` stands at every point of the grid
:math:`[-4, 4)^2` with spacing 0.25 that lies in the view :math:`[-2, 2]^2` (the map frame is
padded by half a grid cell so every arrow sits inside it). Arrow lengths grow with the square
root of :math:`\\lVert \\nabla f \\rVert` (capped below the grid spacing) and their colour shows
the magnitude. The gradient formula is sympy's, the arrows are :meth:`Objective.grad` at the grid
points, and the descent paths are :func:`gdanim.descend` runs of SGD.

Two parts: the bowl :math:`x^2 + y^2`, then the cubic bowl :math:`x^2 + xy + y^3 + y^2`, whose
field bends around a saddle; one start reaches the minimum, another slides past the saddle and
leaves the view.

Render with::

    manim -ql scenes/field.py GradientField
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    LaggedStart,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
    rate_functions,
)

from gdanim import Trajectory, objectives, optimizers
from gdanim.cache import cached_descend
from gdanim.objectives import Objective
from scenes.mobjects import (
    ContourMap,
    TrajectoryPath,
    map_axes,
    place_label_clear,
    plain_formula,
    to_scene,
)
from scenes.pacing import say, wait_until
from scenes.style import (
    BACKGROUND,
    END_COLOR,
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    SMALL_SIZE,
    START_COLOR,
    TEXT_COLOR,
    GDScene,
    fmt,
    fmt_tex,
    make_diverged_mark,
    make_marker,
    make_tex,
    make_text,
    title,
)

__all__ = [
    "FIELD_PARTS",
    "FIELD_VIEW",
    "GRID_SPACING",
    "FieldPart",
    "GradientField",
    "field_grid",
    "arrow_lengths",
]

#: The view of S2, ``[-2, 2]^2``.
FIELD_VIEW = (-2.0, 2.0, -2.0, 2.0)
#: The arrow grid of S2: ``[-4, 4)^2`` with spacing 0.25.
GRID_RANGE = (-4.0, 4.0)
GRID_SPACING = 0.25
#: The drawn map: the view padded by half a grid cell so arrows centred on the grid fit inside.
MAP_VIEW = (
    FIELD_VIEW[0] - GRID_SPACING / 2,
    FIELD_VIEW[1] + GRID_SPACING / 2,
    FIELD_VIEW[2] - GRID_SPACING / 2,
    FIELD_VIEW[3] + GRID_SPACING / 2,
)
#: Colour ramp of arrow magnitude: slate blue (gentle) -> pale -> yellow (steep).
ARROW_RAMP = ("#6F86A8", "#D7DEE8", "#F0E442")


@dataclass(frozen=True)
class FieldPart:
    """One objective of the scene with the SGD runs drawn over its field."""

    objective: str
    starts: tuple[tuple[float, float], ...]
    lr: float = 0.1
    steps: int = 100


FIELD_PARTS: tuple[FieldPart, ...] = (
    FieldPart("bowl", ((1.6, 1.8),)),
    FieldPart("cubic_bowl", ((-1.8, 1.8), (1.8, -0.2))),
)


def field_grid(view: tuple[float, float, float, float] = FIELD_VIEW) -> np.ndarray:
    """Points of the S2 grid (``[-4, 4)^2``, spacing 0.25) inside ``view``, shape ``(n, 2)``."""
    ticks = np.arange(GRID_RANGE[0], GRID_RANGE[1], GRID_SPACING)
    gx, gy = np.meshgrid(ticks, ticks)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    eps = 1e-9
    inside = (
        (pts[:, 0] >= view[0] - eps)
        & (pts[:, 0] <= view[1] + eps)
        & (pts[:, 1] >= view[2] - eps)
        & (pts[:, 1] <= view[3] + eps)
    )
    return np.asarray(pts[inside])


def arrow_lengths(magnitudes: np.ndarray, max_length: float) -> np.ndarray:
    """Lengths growing like the square root of the magnitude, the largest ``max_length``."""
    m = np.asarray(magnitudes, dtype=np.float64)
    top = float(m.max()) if m.size and np.isfinite(m).all() else 1.0
    if top <= 0:
        return np.zeros_like(m)
    return np.asarray(max_length * np.sqrt(m / top))


def _ramp(t: np.ndarray) -> list[ManimColor]:
    stops = np.array([ManimColor(c).to_rgb() for c in ARROW_RAMP])
    s = np.clip(t, 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(np.floor(s).astype(int), len(stops) - 2)
    f = (s - i)[:, None]
    rgb = stops[i] * (1 - f) + stops[i + 1] * f
    return [ManimColor.from_rgb((float(row[0]), float(row[1]), float(row[2]))) for row in rgb]


def _frame_box(axes: Axes) -> Mobject:
    """The frame :func:`~scenes.mobjects.map_axes` draws around the view (``axes.frame_box``)."""
    frame: object = axes.frame_box
    if not isinstance(frame, Mobject):
        raise TypeError("these axes have no frame_box; make them with map_axes")
    return frame


class _RunRow(VGroup):
    """A run's line in the panel: the optimizer and start (``head``) above its outcome
    (``result``)."""

    def __init__(self, head: VGroup, result: VMobject) -> None:
        super().__init__(head, result)
        self.head = head
        self.result = result


@dataclass(frozen=True)
class _PartShown:
    """What a part leaves on screen, for the next part to take away."""

    axes: Axes
    cmap: ContourMap
    arrows: VGroup
    formulas: VGroup
    key: VGroup
    runs: VGroup
    extras: VGroup


class GradientField(GDScene):
    """S2: the field of :math:`-\\nabla f` over a contour map, and SGD following it.

    Attributes (for tests, after ``construct``)
    ---------------------------------------------
    arrows : VGroup
        The arrows of the last part, one per grid point in the view.
    arrow_points : ndarray
        Their grid points, shape ``(n, 2)``.
    trajectories : dict of str to list of Trajectory
        The SGD runs of every part, by objective name.
    paths : dict of str to list of TrajectoryPath
    """

    parts: tuple[FieldPart, ...] = FIELD_PARTS

    def construct(self) -> None:
        self.trajectories: dict[str, list[Trajectory]] = {}
        self.paths: dict[str, list[TrajectoryPath]] = {}
        self.arrows_by_part: dict[str, VGroup] = {}
        self.field_axes: dict[str, Axes] = {}
        self.formulas: dict[str, tuple[MathTex, MathTex]] = {}
        self.exit_marks: dict[str, dict[int, VGroup]] = {}
        self._said_descent = False
        head = title("The gradient field")
        self.add(head)
        previous: _PartShown | None = None
        for index, part in enumerate(self.parts):
            objective = objectives.get(part.objective)
            self.section(f"Gradient field: {objective.name or part.objective}")
            previous = self._play_part(part, objective, index, previous)
        self.wait(0.5)

    # ------------------------------------------------------------------------------------
    def _play_part(
        self, part: FieldPart, f: Objective, index: int, previous: _PartShown | None
    ) -> _PartShown:
        axes = map_axes(MAP_VIEW, height=6.0, step=1.0)
        axes.move_to(np.array([-3.1, -0.45, 0.0]))
        cmap = ContourMap(f, axes, MAP_VIEW, n_levels=11, fill_strength=0.5)
        arrows, points, max_magnitude = self._arrows(f, axes)
        self.arrows = arrows
        self.arrow_points = points
        self.arrows_by_part[part.objective] = arrows

        # right-hand panel: formulas, arrow key, runs
        panel_left = 0.75
        f_tex = make_tex(rf"f(x, y) = {f.latex}", font_size=38)
        g_tex = make_tex(rf"\nabla f(x, y) = {f.grad_latex}", font_size=38)
        g_tex.next_to(f_tex, DOWN, buff=0.35, aligned_edge=LEFT)
        formulas = VGroup(f_tex, g_tex)
        self.field_axes[part.objective] = axes
        self.formulas[part.objective] = (f_tex, g_tex)
        formulas.next_to(_frame_box(axes), RIGHT, buff=0.85).align_to(_frame_box(axes), UP)
        formulas.shift(RIGHT * (panel_left - formulas.get_left()[0]))
        key = self._arrow_key(max_magnitude)
        key.next_to(formulas, DOWN, buff=0.45, aligned_edge=LEFT)

        runs = [
            cached_descend(f, optimizers.sgd(lr=part.lr), start, part.steps, bound=MAP_VIEW)
            for start in part.starts
        ]
        self.trajectories[part.objective] = runs

        arrows_in = LaggedStart(
            *[GrowArrow(a) if isinstance(a, Arrow) else FadeIn(a) for a in arrows],
            lag_ratio=0.004,
        )
        extras = self._critical_points(f, axes, runs) if (f.minima or f.saddles) else VGroup()
        if previous is None:
            end = say(
                self,
                f"Colour shows the height of f(x, y) = {plain_formula(f.text)}; the lines are "
                "its contours.",
            )
            self.play(FadeIn(axes), FadeIn(cmap), run_time=1.2)
            self.play(Write(f_tex), run_time=1.0)
            wait_until(self, end)
            end = say(self, "Each arrow is minus the gradient, longer where the slope is steeper.")
            self.play(arrows_in, run_time=2.2)
            self.play(Write(g_tex), FadeIn(key), run_time=1.2)
            wait_until(self, end)
            end = say(self, "Every arrow crosses its contour at a right angle.")
            self.play(FadeIn(extras), run_time=0.8)
            wait_until(self, end)
        else:
            where = self._critical_caption(f)
            end = say(self, f"A harder landscape, {plain_formula(f.text)}: "
                            f"{where[0].lower()}{where[1:]}")
            self.play(
                FadeOut(previous.arrows),
                FadeOut(previous.runs),
                FadeOut(previous.formulas),
                FadeOut(previous.key),
                FadeOut(previous.extras),
                run_time=0.8,
            )
            self.play(
                FadeOut(previous.cmap),
                FadeIn(cmap),
                FadeIn(axes),
                FadeOut(previous.axes),
                Write(f_tex),
                run_time=1.4,
            )
            self.play(arrows_in, run_time=2.2)
            self.play(Write(g_tex), FadeIn(key), run_time=1.2)
            self.play(FadeIn(extras), run_time=0.8)
            wait_until(self, end)

        rows = [self._run_row(traj, part) for traj in runs]
        run_rows = VGroup(*rows).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        run_rows.next_to(key, DOWN, buff=0.5, aligned_edge=LEFT)
        run_mobs = VGroup()
        paths: list[TrajectoryPath] = []
        for k, (traj, row) in enumerate(zip(runs, rows, strict=True)):
            path, finish = self._play_run(traj, axes, part, k, row)
            paths.append(path)
            run_mobs.add(path, row, *finish)
        self.paths[part.objective] = paths
        self.wait(0.5)
        return _PartShown(
            axes=axes,
            cmap=cmap,
            arrows=arrows,
            formulas=formulas,
            key=key,
            runs=run_mobs,
            extras=extras,
        )

    # ------------------------------------------------------------------------------------
    def _arrows(self, f: Objective, axes: Axes) -> tuple[VGroup, np.ndarray, float]:
        """The arrows of :math:`-\\nabla f` at the grid points in view, those points, and the
        largest gradient norm among them (the top of the arrow key)."""
        points = field_grid(FIELD_VIEW)
        down = -np.asarray(f.grad(points))
        mag = np.linalg.norm(down, axis=-1)
        unit_scene = float(np.linalg.norm(to_scene(axes, [1.0, 0.0]) - to_scene(axes, [0.0, 0.0])))
        max_len = 0.88 * GRID_SPACING * unit_scene
        lengths = arrow_lengths(mag, max_len)
        top = float(mag.max()) if mag.size else 1.0
        colors = _ramp(np.sqrt(mag / top) if top > 0 else np.zeros_like(mag))
        centres = to_scene(axes, points)
        arrows = VGroup()
        for c, d, m, length, color in zip(centres, down, mag, lengths, colors, strict=True):
            if m <= 1e-12 or length < 0.02:
                arrows.add(Dot(c, radius=0.025, color=color))
                continue
            u = np.array([d[0], d[1], 0.0]) / m
            arrow = Arrow(
                c - u * length / 2,
                c + u * length / 2,
                buff=0,
                stroke_width=2.6,
                tip_length=0.09,
                max_tip_length_to_length_ratio=0.42,
                max_stroke_width_to_length_ratio=60,
                color=color,
            )
            arrows.add(arrow)
        return arrows, points, top

    def _arrow_key(self, max_magnitude: float) -> VGroup:
        sample = Arrow(LEFT * 0.3, RIGHT * 0.3, buff=0, stroke_width=3, tip_length=0.12,
                       color=ARROW_RAMP[-1])
        words = make_tex(r"-\nabla f", font_size=32)
        words.next_to(sample, RIGHT, buff=0.2)
        bar_w = 2.4
        n = 40
        cells = VGroup(
            *[
                Rectangle(width=bar_w / n, height=0.14, stroke_width=0).set_fill(c, 1.0)
                for c in _ramp(np.linspace(0.0, 1.0, n))
            ]
        ).arrange(RIGHT, buff=0)
        cells.next_to(words, RIGHT, buff=0.45)
        lo = make_text("0", font_size=SMALL_SIZE * 0.85, color=MUTED_TEXT)
        lo.next_to(cells, DOWN, buff=0.08).align_to(cells, LEFT)
        hi = make_tex(
            rf"\lVert \nabla f \rVert = {fmt_tex(max_magnitude, 1)}",
            font_size=SMALL_SIZE * 1.15,
            color=MUTED_TEXT,
        )
        hi.next_to(cells, DOWN, buff=0.08).align_to(cells, RIGHT)
        return VGroup(sample, words, cells, lo, hi)

    def _critical_points(self, f: Objective, axes: Axes, runs: list[Trajectory]) -> VGroup:
        group = VGroup()
        for kind, pts in (("minimum", f.minima), ("saddle", f.saddles)):
            for p in pts:
                if not _in_view(p, FIELD_VIEW):
                    continue
                c = to_scene(axes, p)
                mark: VMobject = Dot(c, radius=0.07, color=TEXT_COLOR).set_stroke(BACKGROUND, 2.5)
                if kind == "saddle":
                    mark = VGroup(
                        Line(c + LEFT * 0.09 + UP * 0.09, c + RIGHT * 0.09 + DOWN * 0.09),
                        Line(c + LEFT * 0.09 + DOWN * 0.09, c + RIGHT * 0.09 + UP * 0.09),
                    ).set_stroke(TEXT_COLOR, 4)
                words = make_text(
                    f"{kind} ({_coord(p[0])}, {_coord(p[1])})",
                    font_size=SMALL_SIZE * 0.85,
                    color=TEXT_COLOR,
                )
                words.add_background_rectangle(color=BACKGROUND, opacity=0.75, buff=0.05)
                avoid = np.vstack([to_scene(axes, t.points) for t in runs]) if runs else np.zeros(
                    (0, 3)
                )
                place_label_clear(words, c, avoid, inside=_frame_box(axes), buff=0.14)
                group.add(VGroup(mark, words))
        return group

    @staticmethod
    def _critical_caption(f: Objective) -> str:
        mins = [p for p in f.minima if _in_view(p, FIELD_VIEW)]
        saddles = [p for p in f.saddles if _in_view(p, FIELD_VIEW)]
        where = [f"a minimum at ({_coord(p[0])}, {_coord(p[1])})" for p in mins]
        where += [f"a saddle at ({_coord(p[0])}, {_coord(p[1])})" for p in saddles]
        if not where:
            return "No critical point lies in view."
        if not saddles and len(mins) == 1:
            return f"All of them point toward the minimum at ({_coord(mins[0][0])}, " \
                f"{_coord(mins[0][1])})."
        return "The field bends around " + " and ".join(where) + "."

    def _run_row(self, traj: Trajectory, part: FieldPart) -> _RunRow:
        color = OPTIMIZER_COLORS["SGD"]
        x0 = traj.points[0]
        row_head = VGroup(
            make_marker([0, 0, 0], color, radius=0.08),
            make_text(
                f"SGD (lr={fmt(part.lr, 1)}) from ({fmt(x0[0], 1)}, {fmt(x0[1], 1)})",
                font_size=SMALL_SIZE,
                color=TEXT_COLOR,
            ),
        ).arrange(RIGHT, buff=0.15)
        result: VMobject
        if traj.stopped_at is None:
            end = traj.points[-1]
            words = make_text(
                f"after {traj.steps} steps: ({fmt(end[0], 3)}, {fmt(end[1], 3)}), ",
                font_size=SMALL_SIZE * 0.85,
                color=MUTED_TEXT,
            )
            value = make_tex(
                rf"f = {_sci_tex(float(traj.values[-1]))}",
                font_size=SMALL_SIZE * 1.1,
                color=MUTED_TEXT,
            )
            value.next_to(words, RIGHT, buff=0.12)
            result = VGroup(words, value)
        else:
            result = make_text(
                f"left the view at step {int(traj.stopped_at)}",
                font_size=SMALL_SIZE * 0.95,
                color=START_COLOR,
            )
        result.next_to(row_head, DOWN, buff=0.12, aligned_edge=LEFT).shift(RIGHT * 0.31)
        return _RunRow(row_head, result)

    def _play_run(
        self, traj: Trajectory, axes: Axes, part: FieldPart, k: int, row: _RunRow
    ) -> tuple[TrajectoryPath, list[VMobject]]:
        color = OPTIMIZER_COLORS["SGD"]
        pts = to_scene(axes, traj.points)
        last = traj.steps if traj.stopped_at is None else int(traj.stopped_at) - 1
        tracker = ValueTracker(0.0)
        path = TrajectoryPath(pts[: last + 1], color, width=4.0, tracker=tracker, head="dot",
                              head_size=0.2)
        start = make_marker(pts[0], START_COLOR, radius=0.085)
        x0 = traj.points[0]
        row_head, result = row.head, row.result
        here = f"({fmt(x0[0], 1)}, {fmt(x0[1], 1)})"
        if traj.stopped_at is not None:
            text = (
                f"From {here} they lead past the saddle and off the map: out of view at step "
                f"{int(traj.stopped_at)}."
            )
        elif not self._said_descent:
            text = (
                f"From {here}, gradient descent at \u03b7 = {fmt(part.lr, 1)} follows "
                "the arrows to the minimum."
            )
        else:
            text = f"From {here}, too, the arrows lead it to the minimum."
        self._said_descent = True
        end = say(self, text)
        self.play(FadeIn(start), FadeIn(row_head), run_time=0.4)
        self.add(path)
        # the early steps are the long ones: spend more time on them
        early = min(last, 12)
        self.play(tracker.animate.set_value(early), run_time=2.0, rate_func=linear)
        if last > early:
            self.play(
                tracker.animate.set_value(last),
                run_time=0.8,
                rate_func=rate_functions.ease_out_cubic,
            )
        path.clear_updaters()
        path.set_progress(last)
        finish: list[VMobject] = [start]
        if traj.stopped_at is not None:
            mark = make_diverged_mark(pts[last], int(traj.stopped_at), font_size=SMALL_SIZE * 0.85)
            mark[1].become(
                make_text(f"left the view at step {int(traj.stopped_at)}",
                          font_size=SMALL_SIZE * 0.85, color=START_COLOR)
            )
            mark[1].add_background_rectangle(color=BACKGROUND, opacity=0.75, buff=0.05)
            mark[1].next_to(mark[0], UP + LEFT * 0.5, buff=0.1)
            finish.append(mark)
            self.exit_marks.setdefault(part.objective, {})[k] = mark
            self.play(FadeIn(mark), FadeIn(result), run_time=0.6)
        else:
            endmark = make_marker(pts[last], END_COLOR, radius=0.085)
            finish.append(endmark)
            self.play(FadeIn(endmark), FadeIn(result), run_time=0.6)
        wait_until(self, end, minimum=0.4)
        return path, finish


def _sci_tex(v: float) -> str:
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return fmt_tex(v, 3)
    exp = int(np.floor(np.log10(abs(v))))
    mant = v / 10.0**exp
    return rf"{mant:.1f} \times 10^{{{exp}}}"


def _in_view(p: tuple[float, ...], view: tuple[float, float, float, float]) -> bool:
    return view[0] <= p[0] <= view[1] and view[2] <= p[1] <= view[3]


def _coord(v: float) -> str:
    """A coordinate with as few decimals as it needs (0, 0.25, -0.5)."""
    s = f"{v:.2f}".rstrip("0").rstrip(".") if v % 1 else f"{v:.0f}"
    return "0" if s in ("-0", "0") else s.replace("-", "\u2212")
