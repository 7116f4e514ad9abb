"""Mobjects shared by the 2D scenes: a framed map, a contour map, growing paths, legends.

Everything here draws arrays that gdanim computed; nothing here computes an optimization.

* :func:`map_axes` - axes for a 2D view box, framed, with ticks on the bottom and left edges.
* :class:`ContourMap` - the objective's heights as one rasterised image (cheap to render at any
  resolution) under contour lines traced by :func:`gdanim.contours.contour_lines`.
* :class:`TrajectoryPath` - a path that grows along trajectory points as a tracker advances,
  with a dark casing so it reads over any colour, and a head marker of a chosen shape.
* :func:`path_legend` - legend rows whose swatch repeats the path's own line and marker.
* :func:`place_labels` - put small labels next to points without overlapping each other.

Examples
--------
>>> from gdanim import objectives
>>> axes = map_axes((-2, 2, -2, 2), width=5)
>>> cmap = ContourMap(objectives.get("bowl"), axes, (-2, 2, -2, 2), n_levels=6)
>>> len(cmap.levels)
6
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Dot,
    Group,
    ImageMobject,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    Polygon,
    Rectangle,
    Square,
    Triangle,
    ValueTracker,
    VGroup,
    VMobject,
)
from manim.utils.color import ParsableManimColor
from numpy.typing import ArrayLike

from gdanim.cache import cached_contour_lines
from gdanim.contours import contour_lines, default_levels, height_grid, level_fraction
from gdanim.objectives import Objective
from scenes import patches
from scenes.style import (
    AXIS_COLOR,
    BACKGROUND,
    FONT,
    MUTED_TEXT,
    SMALL_SIZE,
    TEXT_COLOR,
    TICK_SIZE,
    LabelledAxes,
    height_color,
    make_text,
)

__all__ = [
    "StepArrow",
    "step_arrow",
    "HEAD_SHAPES",
    "tick_text",
    "tick_values",
    "plain_formula",
    "ContourMap",
    "FramedAxes",
    "LegendRow",
    "FastNumber",
    "TrajectoryPath",
    "make_head",
    "framed_axes",
    "map_axes",
    "path_legend",
    "place_label_clear",
    "place_labels",
    "to_scene",
]

View = Sequence[float]

# manim 0.22 draws ImageMobjects (the contour maps' fill) only with this under Pillow 12+
patches.apply()


_SUPERSCRIPTS = str.maketrans(
    "0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def plain_formula(text: str) -> str:
    """An objective's text as plain Unicode for captions: ``x**2 + x*y`` -> ``x\u00b2 + xy``.

    Examples
    --------
    >>> plain_formula("-x**2/2 + y**2")
    '\u2212x\u00b2/2 + y\u00b2'
    """
    out = re.sub(r"(?:\*\*|\^)(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    out = re.sub(r"(?<=[A-Za-z0-9\u00b2\u00b3])\*(?=[A-Za-z(])", "", out)
    out = out.replace("*", "\u00b7")
    return out.replace("-", "\u2212")


def tick_values(lo: float, hi: float, step: float) -> list[float]:
    """Multiples of ``step`` in ``[lo, hi]`` (the tick positions of an axis)."""
    first = np.ceil(lo / step - 1e-9) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-6, step)]


def tick_text(v: float, step: float) -> str:
    """A tick label: as many decimals as ``step`` needs, a true minus sign, never ``-0``."""
    decimals = 0 if step >= 1 else int(max(0, -np.floor(np.log10(step) + 1e-9)))
    s = f"{v:.{decimals}f}"
    return "0" if float(s) == 0.0 else s.replace("-", "\u2212")


class FramedAxes(LabelledAxes):
    """Axes from :func:`framed_axes`: invisible axis lines, a frame, axis labels once named."""

    #: The thin frame around the view (not added to the axes).
    frame_box: Rectangle


def framed_axes(
    view: Sequence[float], width: float, height: float, steps: tuple[float, float]
) -> FramedAxes:
    """Axes over ``view`` with invisible axis lines and a thin frame around the view.

    ``axes.frame_box`` is the frame; it is not added to the axes (callers add it with their own
    ticks and labels).
    """
    xmin, xmax, ymin, ymax = (float(v) for v in view)
    axes = FramedAxes(
        x_range=[xmin, xmax, steps[0]],
        y_range=[ymin, ymax, steps[1]],
        x_length=width,
        y_length=height,
        tips=False,
        axis_config={"stroke_opacity": 0.0, "include_ticks": False},
    )
    frame = Rectangle(width=width, height=height, stroke_color=AXIS_COLOR, stroke_width=1.5)
    frame.move_to(axes.c2p((xmin + xmax) / 2, (ymin + ymax) / 2))
    axes.frame_box = frame
    axes.x_label_mob = axes.y_label_mob = None
    return axes


def map_axes(
    view: View,
    *,
    width: float | None = None,
    height: float | None = None,
    step: float | tuple[float, float] = 1.0,
    labels: tuple[str, str] = ("x", "y"),
    numbers: bool = True,
) -> FramedAxes:
    """Axes for a 2D view box, equal scale on both axes, drawn as a frame with edge ticks.

    The axis lines themselves are invisible (they would cross the map); a thin frame surrounds the
    view and tick numbers sit outside its bottom and left edges. ``axes.frame_box`` is the frame.

    Parameters
    ----------
    view
        ``(xmin, xmax, ymin, ymax)``.
    width, height
        Size in scene units; give one (the other follows from the view's aspect ratio) or both.
    step
        Tick spacing (one for both axes, or ``(x_step, y_step)``).
    labels
        LaTeX for the x and y axis names.
    numbers
        Whether to number the ticks.
    """
    xmin, xmax, ymin, ymax = (float(v) for v in view)
    if width is None and height is None:
        width = 6.0
    if height is None:
        assert width is not None
        height = width * (ymax - ymin) / (xmax - xmin)
    if width is None:
        width = height * (xmax - xmin) / (ymax - ymin)
    sx, sy = step if isinstance(step, tuple) else (step, step)
    axes = framed_axes(view, width, height, (sx, sy))
    frame = axes.frame_box
    extras: list[VMobject] = [frame]
    if numbers:
        for v in tick_values(xmin, xmax, sx):
            p = axes.c2p(v, ymin)
            tick = Line(p, p + DOWN * 0.08, stroke_color=AXIS_COLOR, stroke_width=1.5)
            num = make_text(tick_text(v, sx), font_size=TICK_SIZE * 0.8, color=MUTED_TEXT)
            num.next_to(tick, DOWN, buff=0.06)
            extras += [tick, num]
        for v in tick_values(ymin, ymax, sy):
            p = axes.c2p(xmin, v)
            tick = Line(p, p + LEFT * 0.08, stroke_color=AXIS_COLOR, stroke_width=1.5)
            num = make_text(tick_text(v, sy), font_size=TICK_SIZE * 0.8, color=MUTED_TEXT)
            num.next_to(tick, LEFT, buff=0.06)
            extras += [tick, num]
    xl = MathTex(labels[0], font_size=TICK_SIZE * 1.2, color=MUTED_TEXT)
    xl.next_to(frame.get_corner(DOWN + RIGHT), RIGHT, buff=0.14)
    yl = MathTex(labels[1], font_size=TICK_SIZE * 1.2, color=MUTED_TEXT)
    yl.next_to(frame.get_corner(UP + LEFT), UP, buff=0.1)
    axes.x_label_mob = xl
    axes.y_label_mob = yl
    extras += [xl, yl]
    axes.add(*extras)
    return axes


def to_scene(axes: Axes, points: Any) -> np.ndarray:
    """Map points ``(..., 2)`` in the objective's coordinates to scene points ``(..., 3)``.

    Uses the axes' affine map (exact for linear axes) and is vectorised.
    """
    pts = np.asarray(points, dtype=np.float64)
    o = np.asarray(axes.c2p(0.0, 0.0))
    ex = np.asarray(axes.c2p(1.0, 0.0)) - o
    ey = np.asarray(axes.c2p(0.0, 1.0)) - o
    scene: np.ndarray = o + pts[..., :1] * ex + pts[..., 1:2] * ey
    return scene


def _contours(objective: Any, view: Any, levels: Any, resolution: Any) -> list[list[np.ndarray]]:
    """Contour lines from the disk cache for a parsed objective, computed for anything else."""
    if isinstance(objective, Objective):
        return cached_contour_lines(objective, view, levels, resolution)
    return contour_lines(objective, view, levels, resolution)


def _rgb(row: np.ndarray) -> tuple[float, float, float]:
    return (float(row[0]), float(row[1]), float(row[2]))


class ContourMap(Group):
    """Filled height-colour map plus contour lines of a 2D objective over ``view``.

    The fill is one :class:`~manim.ImageMobject` (heights sampled at pixel centres, coloured by
    :func:`scenes.style.height_color` through :func:`gdanim.contours.level_fraction`, so the
    colour scale follows the contour spacing) blended with the background by ``fill_strength``
    so that coloured paths stay readable on top. The contour lines are thin
    :class:`~manim.VMobject` polylines in the colour of their level.

    Attributes
    ----------
    levels : ndarray
        The contour levels.
    fill : ImageMobject
    lines : VGroup
        One ``VGroup`` per level, each holding that level's polylines.
    """

    def __init__(
        self,
        objective: Any,
        axes: Axes,
        view: View,
        *,
        levels: Sequence[float] | None = None,
        n_levels: int = 12,
        image_resolution: int = 360,
        line_resolution: int = 200,
        fill_strength: float = 0.42,
        line_width: float = 1.6,
        line_opacity: float = 0.75,
        lines_only_color: Any = None,
        clip: tuple[float, float] | None = None,
    ) -> None:
        super().__init__()
        xmin, xmax, ymin, ymax = (float(v) for v in view)
        if levels is None:
            lv = default_levels(objective, view, n_levels)
        else:
            lv = np.asarray(levels, dtype=np.float64)
        self.levels = lv
        # heights at pixel centres
        aspect = (ymax - ymin) / (xmax - xmin)
        nx = int(image_resolution)
        ny = max(2, int(round(image_resolution * aspect)))
        dx, dy = (xmax - xmin) / nx, (ymax - ymin) / ny
        _, _, z = height_grid(
            objective, (xmin + dx / 2, xmax - dx / 2, ymin + dy / 2, ymax - dy / 2), (nx, ny)
        )
        if clip is not None:
            z = np.clip(z, clip[0], clip[1])
        frac = level_fraction(z, lv)
        rgb = height_color(np.nan_to_num(frac, nan=1.0), 0.0, 1.0)
        bg = np.asarray(ManimColor(BACKGROUND).to_rgb())
        rgb = bg + (rgb - bg) * fill_strength
        pixels = np.clip(np.round(rgb[::-1] * 255.0), 0, 255).astype(np.uint8)
        alpha = np.full((*pixels.shape[:2], 1), 255, dtype=np.uint8)
        image = ImageMobject(np.concatenate([pixels, alpha], axis=-1))
        image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        lo = axes.c2p(xmin, ymin)
        hi = axes.c2p(xmax, ymax)
        image.stretch_to_fit_width(abs(hi[0] - lo[0]))
        image.stretch_to_fit_height(abs(hi[1] - lo[1]))
        image.move_to((lo + hi) / 2)
        self.fill = image

        line_colors = height_color(np.linspace(0.0, 1.0, len(lv)), 0.0, 1.0)
        groups = []
        for k, polylines in enumerate(_contours(objective, view, lv, line_resolution)):
            color = (
                ManimColor(lines_only_color)
                if lines_only_color is not None
                else ManimColor.from_rgb(_rgb(0.35 + 0.65 * line_colors[k]))
            )
            group = VGroup()
            for poly in polylines:
                if len(poly) < 2:
                    continue
                vm = VMobject(stroke_color=color, stroke_width=line_width)
                vm.set_stroke(opacity=line_opacity)
                vm.set_points_as_corners(to_scene(axes, poly))
                group.add(vm)
            groups.append(group)
        self.lines = VGroup(*groups)
        self.add(self.fill, self.lines)


# --------------------------------------------------------------------------------------------
# Paths that grow
# --------------------------------------------------------------------------------------------

#: Head marker shapes, in the order the race assigns them.
HEAD_SHAPES = ("dot", "square", "diamond", "triangle", "ring", "hexagon", "star", "dot")


def make_head(shape: str, color: Any, size: float = 0.16) -> VMobject:
    """A filled marker of the given shape with a dark outline (readable over anything)."""
    mob: VMobject
    if shape == "square":
        mob = Square(side_length=size * 0.85)
    elif shape == "diamond":
        mob = Square(side_length=size * 0.8).rotate(np.pi / 4)
    elif shape == "triangle":
        mob = Triangle().scale_to_fit_height(size * 0.95)
    elif shape == "ring":
        mob = Circle(radius=size * 0.45)
        mob.set_fill(BACKGROUND, opacity=1.0)
        mob.set_stroke(color, width=3.5)
        return mob
    elif shape == "hexagon":
        angles = np.arange(6) * np.pi / 3
        mob = Polygon(*[size * 0.52 * np.array([np.cos(a), np.sin(a), 0]) for a in angles])
    else:
        mob = Dot(radius=size * 0.5)
    mob.set_fill(color, opacity=1.0)
    mob.set_stroke(BACKGROUND, width=2.0)
    return mob


class TrajectoryPath(VGroup):
    """A path along scene points that grows as ``progress`` runs from 0 to ``len(points) - 1``.

    ``progress = t`` draws ``points[0..floor(t)]`` and a partial segment toward the next point,
    with the head marker at the tip, so a path grows smoothly even with few steps per frame.

    Parameters
    ----------
    points
        Scene points, shape ``(n, 3)`` (see :func:`to_scene`).
    color
        Stroke colour.
    width
        Stroke width; a dark casing ``casing`` wider is drawn underneath.
    tracker
        Optional :class:`~manim.ValueTracker`; when given the path follows it by an updater.
    head
        Head marker shape (see :data:`HEAD_SHAPES`) or ``None`` for no head.
    opacity
        Stroke opacity of the line.

    Attributes
    ----------
    line : VMobject
    head : VMobject or None
    color_hex : str
        The colour, as ``#RRGGBB``, for tests.
    """

    def __init__(
        self,
        points: np.ndarray,
        color: Any,
        *,
        width: float = 4.0,
        casing: float = 3.0,
        tracker: ValueTracker | None = None,
        head: str | None = "dot",
        head_size: float = 0.16,
        opacity: float = 1.0,
        progress: float | None = None,
    ) -> None:
        super().__init__()
        self.points_scene = np.asarray(points, dtype=np.float64)
        self.color_hex = ManimColor(color).to_hex().upper()
        self.line = VMobject(stroke_color=color, stroke_width=width)
        self.line.set_stroke(opacity=opacity)
        if casing > 0:
            self.line.set_stroke(BACKGROUND, width=width + casing, background=True, opacity=0.9)
        self.add(self.line)
        self.head = make_head(head, color, head_size) if head is not None else None
        if self.head is not None:
            self.add(self.head)
        self.progress = 0.0
        start = len(self.points_scene) - 1 if progress is None and tracker is None else 0.0
        self.set_progress(progress if progress is not None else start)
        if tracker is not None:
            self.tracker = tracker
            self.add_updater(lambda m: m.set_progress(m.tracker.get_value()))

    def set_progress(self, t: float) -> TrajectoryPath:
        """Draw the path up to fractional step ``t``."""
        pts = self.points_scene
        n = len(pts)
        t = float(np.clip(t, 0.0, n - 1))
        self.progress = t
        k = int(np.floor(t))
        frac = t - k
        shown = pts[: k + 1]
        if frac > 1e-9 and k + 1 < n:
            shown = np.vstack([shown, pts[k] + frac * (pts[k + 1] - pts[k])])
        if len(shown) < 2:
            shown = np.vstack([shown, shown])
        self.line.set_points_as_corners(shown)
        if self.head is not None:
            self.head.move_to(shown[-1])
        return self

    @property
    def tip(self) -> np.ndarray:
        """The scene point at the current tip."""
        return np.asarray(self.line.points[-1])


# --------------------------------------------------------------------------------------------
# Legends and labels
# --------------------------------------------------------------------------------------------


class LegendRow(VGroup):
    """A row of :func:`path_legend`: ``VGroup(swatch, words)``."""

    #: The row's words.
    label_text: str


def path_legend(
    entries: Sequence[tuple[str, Any, float, str | None]],
    *,
    font_size: float = SMALL_SIZE,
    buff: float = 0.2,
    swatch_length: float = 0.55,
) -> VGroup:
    """Legend rows ``(text, colour, stroke width, head shape)``; the swatch repeats the path.

    Returns a ``VGroup`` of rows, each ``VGroup(swatch, words)`` with ``row.label_text`` set.
    """
    rows = []
    for text, color, width, head in entries:
        line = Line(LEFT * swatch_length / 2, RIGHT * swatch_length / 2, stroke_width=width)
        line.set_stroke(color)
        line.set_stroke(BACKGROUND, width=width + 3, background=True)
        swatch = VGroup(line)
        if head is not None:
            swatch.add(make_head(head, color, 0.16).move_to(line.get_end()))
        words = make_text(text, font_size=font_size, color=TEXT_COLOR)
        words.next_to(swatch, RIGHT, buff=0.16)
        row = LegendRow(swatch, words)
        row.label_text = text
        rows.append(row)
    return VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=buff)


_DIRECTIONS = (
    UP + RIGHT,
    DOWN + RIGHT,
    UP + LEFT,
    DOWN + LEFT,
    UP,
    DOWN,
    RIGHT,
    LEFT,
)


def _overlaps(a: Mobject, b: Mobject, pad: float = 0.04) -> bool:
    al, ar = a.get_left()[0] - pad, a.get_right()[0] + pad
    ab, at = a.get_bottom()[1] - pad, a.get_top()[1] + pad
    bl, br = b.get_left()[0], b.get_right()[0]
    bb, bt = b.get_bottom()[1], b.get_top()[1]
    return bool(al < br and bl < ar and ab < bt and bb < at)


def place_labels(
    anchors: Sequence[np.ndarray],
    labels: Sequence[Mobject],
    *,
    obstacles: Sequence[Mobject] = (),
    inside: Mobject | None = None,
    buff: float = 0.12,
    directions: Sequence[np.ndarray] = _DIRECTIONS,
    score: Callable[[Mobject], float] | None = None,
) -> list[np.ndarray]:
    """Move each label next to its anchor point, avoiding earlier labels and ``obstacles``.

    Tries the ``directions`` in order, then the same at larger distances; a label that fits
    nowhere goes to its first direction. Returns the direction chosen for each label.
    """
    placed: list[Mobject] = list(obstacles)
    chosen: list[np.ndarray] = []
    for anchor, label in zip(anchors, labels, strict=True):
        best: np.ndarray | None = None
        for dist in (buff, buff + 0.25, buff + 0.55, buff + 0.9):
            for d in directions:
                label.move_to(anchor)
                label.next_to(anchor, d, buff=dist)
                if inside is not None and not _contains(inside, label):
                    continue
                if any(_overlaps(label, other) for other in placed):
                    continue
                best = d
                break
            if best is not None:
                break
        if best is None:
            best = directions[0]
            label.next_to(anchor, best, buff=buff)
        placed.append(label)
        chosen.append(best)
    return chosen


def _contains(outer: Mobject, inner: Mobject) -> bool:
    return bool(
        inner.get_left()[0] >= outer.get_left()[0]
        and inner.get_right()[0] <= outer.get_right()[0]
        and inner.get_bottom()[1] >= outer.get_bottom()[1]
        and inner.get_top()[1] <= outer.get_top()[1]
    )


def _rect_distance(label: Mobject, points: np.ndarray) -> float:
    """Smallest distance from any of ``points`` (n, 3) to the label's bounding box."""
    if len(points) == 0:
        return float("inf")
    lo = np.array([label.get_left()[0], label.get_bottom()[1]])
    hi = np.array([label.get_right()[0], label.get_top()[1]])
    p = np.asarray(points)[:, :2]
    d = np.maximum(np.maximum(lo - p, p - hi), 0.0)
    return float(np.sqrt((d**2).sum(axis=1)).min())


def place_label_clear(
    label: Mobject,
    anchor: np.ndarray,
    avoid: np.ndarray,
    *,
    inside: Mobject | None = None,
    buff: float = 0.12,
    directions: Sequence[np.ndarray] = _DIRECTIONS,
) -> np.ndarray:
    """Put ``label`` next to ``anchor`` on the side farthest from the ``avoid`` points.

    ``avoid`` is an ``(n, 3)`` array of scene points (paths, markers). Sides that would leave
    ``inside`` are skipped. Returns the chosen direction.
    """
    best_d, best_score = directions[0], -1.0
    for d in directions:
        label.next_to(anchor, d, buff=buff)
        if inside is not None and not _contains(inside, label):
            continue
        score = min(_rect_distance(label, avoid), 1.0)
        if score > best_score + 1e-6:
            best_d, best_score = d, score
    label.next_to(anchor, best_d, buff=buff)
    return best_d


# --------------------------------------------------------------------------------------------
# Numbers that change every frame
# --------------------------------------------------------------------------------------------

_GLYPHS = "0123456789+-.\u2212"
_GLYPH_CACHE: dict[tuple[str, float, str], dict[str, np.ndarray]] = {}


def _glyph_points(font_size: float, weight: str) -> dict[str, np.ndarray]:
    key = (FONT, float(font_size), weight)
    if key not in _GLYPH_CACHE:
        text = make_text(_GLYPHS, font_size=font_size, weight=weight)
        text.move_to(np.zeros(3))
        base_y = float(text[0].get_bottom()[1])  # "0" sits on the baseline
        table: dict[str, np.ndarray] = {}
        for ch, mob in zip(_GLYPHS, text.submobjects, strict=True):
            pts = np.array(mob.points)
            pts[:, 0] -= mob.get_center()[0]
            pts[:, 1] -= base_y
            table[ch] = pts
        _GLYPH_CACHE[key] = table
    return _GLYPH_CACHE[key]


class FastNumber(VGroup):
    """A live number drawn from pre-built glyph outlines, cheap to change every frame.

    :class:`~manim.DecimalNumber` re-typesets on every change (tens of milliseconds); this keeps
    one slot per character and swaps outline points, so six live losses at 60 fps cost next to
    nothing. Digits get a fixed advance (tabular figures) so the number does not jitter; the
    string is right-aligned in ``width`` slots.

    Parameters
    ----------
    value
        Initial value.
    fmt
        ``str.format`` pattern, e.g. ``"{:.3f}"`` or ``"{:d}"`` (ints are passed for ``d``).
    width
        Number of character slots: the longest string expected (longer strings lose their
        leading characters).
    font_size, color, weight
        Text style (the house font).
    """

    def __init__(
        self,
        value: float,
        fmt: str = "{:.3f}",
        width: int = 6,
        *,
        font_size: float = 30,
        color: Any = TEXT_COLOR,
        weight: str = "NORMAL",
        align: str = "right",
    ) -> None:
        super().__init__()
        self.fmt = fmt
        self.align = align
        self.n_slots = int(width)
        self.glyphs = _glyph_points(font_size, weight)
        digit_w = max(float(np.ptp(self.glyphs[d][:, 0])) for d in "0123456789")
        self.advance = digit_w * 1.12
        # a fixed-point format puts the decimal point in a fixed (narrow) slot
        decimals = re.search(r"\.(\d+)f", fmt)
        dot_slot = self.n_slots - int(decimals.group(1)) - 1 if decimals else -1
        xs = []
        x = 0.0
        for i in range(self.n_slots):
            w = self.advance * (0.45 if i == dot_slot else 1.0)
            xs.append(x + w / 2)
            x += w
        self.slot_x = np.array(xs)
        self.total_width = x
        self.slots = [VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0) for _ in xs]
        # an invisible point at the left end of the baseline travels with every transformation,
        # and the glyphs are set relative to it; a second one keeps the full width in the box
        self.anchor = VMobject(stroke_width=0, fill_opacity=0)
        self.anchor.set_points(np.zeros((4, 3)))
        self.extent = VMobject(stroke_width=0, fill_opacity=0)
        self.extent.set_points(np.tile([x, float(np.max(self.glyphs["0"][:, 1])), 0.0], (4, 1)))
        self.add(self.anchor, self.extent, *self.slots)
        self._string = ""
        self.value = float("nan")
        self.set_value(value)

    def _text(self, value: float) -> str:
        if "d}" in self.fmt:
            s = self.fmt.format(int(round(value)))
        else:
            s = self.fmt.format(float(value))
        if s.startswith("-") and float(s) == 0.0:
            s = s[1:]  # no "-0.000"
        s = s.replace("-", "\u2212")
        if self.align == "left":
            return s.ljust(self.n_slots)[: self.n_slots]
        return s.rjust(self.n_slots)[-self.n_slots :]

    def set_value(self, value: float) -> FastNumber:
        """Show ``value`` (only the slots whose character changed are touched).

        New glyphs take the number's current size: a number scaled with its group (a legend
        fitted to the frame) shows new digits at that scale, read from the distance between its
        two invisible end points.
        """
        self.value = float(value)
        s = self._text(value)
        if s == self._string:
            return self
        k = float(self.extent.points[0][0] - self.anchor.points[0][0]) / float(self.total_width)
        origin = self.origin
        for i, ch in enumerate(s):
            if i < len(self._string) and self._string[i] == ch:
                continue
            slot = self.slots[i]
            if ch == " " or ch not in self.glyphs:
                slot.clear_points()
                continue
            pts = self.glyphs[ch].copy()
            pts[:, 0] += self.slot_x[i]
            slot.set_points(origin + k * pts)
        self._string = s
        return self

    def get_value(self) -> float:
        """The value shown."""
        return self.value

    def text_right(self) -> float:
        """Scene x of the right edge of the characters shown (not of the empty slots)."""
        used = [slot for slot in self.slots if len(slot.points)]
        if not used:
            return float(self.origin[0])
        return float(max(slot.get_right()[0] for slot in used))

    @property
    def origin(self) -> np.ndarray:
        """Left end of the baseline (scene point)."""
        return np.asarray(self.anchor.points[0])

    def place(self, left_baseline: Any) -> FastNumber:
        """Move so that the baseline starts at ``left_baseline`` (scene point)."""
        self.shift(np.asarray(left_baseline, dtype=np.float64) - self.origin)
        return self


class StepArrow(Arrow):
    """An :class:`~manim.Arrow` for one optimizer step; ``zero_length`` flags a step too short
    to draw."""

    zero_length: bool = False

    @classmethod
    def between(
        cls, start: ArrayLike, end: ArrayLike, color: ParsableManimColor, stroke_width: float = 4.0
    ) -> StepArrow:
        """The arrow of the step from ``start`` to ``end`` (scene coordinates).

        A step too short to draw (under 0.002 scene units) still gets an arrow, fully
        transparent and flagged ``zero_length = True``, so that there is always one arrow per
        step.
        """
        a = np.asarray(start, dtype=np.float64)
        b = np.asarray(end, dtype=np.float64)
        zero = bool(np.linalg.norm(b - a) < 2e-3)
        if zero:
            b = a + np.array([2e-3, 0.0, 0.0])
        arrow = cls(
            a,
            b,
            buff=0,
            color=color,
            stroke_width=stroke_width,
            max_tip_length_to_length_ratio=0.3,
            max_stroke_width_to_length_ratio=14,
            tip_length=0.2,
        )
        arrow.zero_length = zero
        if zero:
            arrow.set_opacity(0.0)
        return arrow


def step_arrow(
    start: ArrayLike, end: ArrayLike, color: ParsableManimColor, stroke_width: float = 4.0
) -> Arrow:
    """An arrow for one optimizer step, from ``start`` to ``end`` (scene coordinates).

    A step too short to draw (under 0.002 scene units) still gets an arrow, fully transparent and
    flagged ``arrow.zero_length = True``, so that there is always one arrow per step. The arrow
    is a :class:`StepArrow` (:meth:`StepArrow.between`), returned as the :class:`~manim.Arrow`
    that callers keep lists of.
    """
    return StepArrow.between(start, end, color, stroke_width)
