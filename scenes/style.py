"""The look shared by every gdanim scene: palette, fonts, axes, markers and the scene base class.

Every scene imports its colours, font sizes and layout helpers from here, so that a colour means
the same thing everywhere (one colour per optimizer, red start, green end) and the videos read as
one lecture.

The palette is Okabe-Ito, which stays distinguishable under the common colour-vision
deficiencies. On the dark slate background the dark Okabe-Ito blue (#0072B2) is too dim for thin
lines, so the palette carries a lighter tint of it (used for AdamW, the optimizer that appears
least).

Examples
--------
>>> from scenes.style import OPTIMIZER_COLORS, fmt, optimizer_color
>>> optimizer_color("Adam") == OPTIMIZER_COLORS["Adam"]
True
>>> fmt(-0.00001, 3)
'0.000'
"""

from __future__ import annotations

import datetime
import gc
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

import manimpango
import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Axes,
    Camera,
    Cross,
    DecimalNumber,
    Dot,
    Integer,
    Line,
    ManimColor,
    MathTex,
    Scene,
    Text,
    ThreeDScene,
    VGroup,
    VMobject,
    config,
)

from gdanim import optimizers
from scenes import patches
from scenes.formatting import (
    fitting_step,
    fmt,
    fmt_sci,
    fmt_tex,
    nice_range,
    nice_step,
    symmetric_range,
    tick_decimals,
)
from scenes.layers import LayeredCamera, live_mobjects
from scenes.params import SceneParams, SpeechParams
from scenes.patches import CachedGlyphs
from scenes.speaking import Narrator

# manim and Pillow as gdanim needs them (the partial-movie key, the number glyphs, ...)
patches.apply()

__all__ = [
    "AXIS_COLOR",
    "BACKGROUND",
    "BLUE",
    "BLUE_LIGHT",
    "BODY_SIZE",
    "CAPTION_SIZE",
    "CURVE_COLOR",
    "DivergedMark",
    "DIVERGED_COLOR",
    "END_COLOR",
    "FONT",
    "FastDecimalNumber",
    "FastInteger",
    "GDScene",
    "GREEN",
    "GREY",
    "GRID_COLOR",
    "LABEL_SIZE",
    "LabelledAxes",
    "MATH_SIZE",
    "MUTED_TEXT",
    "OPTIMIZER_COLORS",
    "ORANGE",
    "PALETTE",
    "PURPLE",
    "REGIME_COLORS",
    "Readout",
    "SKY",
    "SMALL_SIZE",
    "START_COLOR",
    "TEXT_COLOR",
    "TICK_SIZE",
    "TITLE_SIZE",
    "TitleGroup",
    "VERMILLION",
    "YELLOW",
    "fmt",
    "fmt_sci",
    "fmt_tex",
    "height_color",
    "height_manim_colors",
    "make_axes_1d",
    "make_diverged_mark",
    "make_legend",
    "make_marker",
    "make_tex",
    "make_text",
    "nice_range",
    "nice_step",
    "optimizer_color",
    "plot_objective_1d",
    "symmetric_range",
    "make_readout",
    "math_on_baseline",
    "stack_readouts",
    "text_baseline",
    "tick_decimals",
    "title",
]

# --------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------

#: Frame background: a dark slate, dark enough for the Okabe-Ito colours to read at full strength.
BACKGROUND = "#0F1117"
#: Main text colour (a soft white, easier on the eye than pure white).
TEXT_COLOR = "#ECEFF4"
#: Secondary text: axis labels, legends, small print.
MUTED_TEXT = "#A7ADBA"
#: Axis lines and tick marks.
AXIS_COLOR = "#8A919E"
#: Background grid lines.
GRID_COLOR = "#2A2F3A"
#: The plotted objective curve.
CURVE_COLOR = "#CDD3DD"

# Okabe-Ito palette.
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#BBBBBB"
#: Okabe-Ito blue lightened for a dark background (same hue, contrast 5.4:1 instead of 3.6:1).
BLUE_LIGHT = "#2F8FD8"

PALETTE: tuple[str, ...] = (ORANGE, SKY, GREEN, YELLOW, BLUE_LIGHT, VERMILLION, PURPLE, GREY)

#: Start of a run (red-ish) and its end (green), as in the S1 figures.
START_COLOR = VERMILLION
END_COLOR = GREEN
#: A diverged run's mark.
DIVERGED_COLOR = VERMILLION

#: One fixed colour per optimizer, keyed by ``Optimizer.display_name``: the colours of the
#: optimizers' records (:func:`gdanim.optimizers.colors`). The six optimizers that race
#: together (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam) get the six most distinct
#: Okabe-Ito hues; the lightened blue, too close to Momentum's sky blue, goes to AdamW.
OPTIMIZER_COLORS: dict[str, str] = optimizers.colors()

#: One colour per learning-rate regime (the strings of ``gdanim.analysis.Regime``).
REGIME_COLORS: dict[str, str] = {
    "slow": SKY,
    "monotone": BLUE_LIGHT,
    "one step": GREEN,
    "oscillating": YELLOW,
    "bouncing": PURPLE,
    "diverging": VERMILLION,
    "concave": GREY,
}

# Factory names and common spellings mapped to display names.
def optimizer_color(opt_or_name: Any) -> str:
    """Return the fixed colour of an optimizer.

    Parameters
    ----------
    opt_or_name
        An ``Optimizer`` (its ``display_name`` is used), a display name such as ``"Momentum"``,
        a factory name such as ``"rmsprop"``, or a spec such as ``"adam:lr=0.1"``.

    Returns
    -------
    str
        A hex colour, from the optimizer's record (:func:`gdanim.optimizers.color`).

    Raises
    ------
    KeyError
        If the name is no registered optimizer's.

    Examples
    --------
    >>> optimizer_color("rmsprop") == optimizer_color("RMSprop")
    True
    >>> optimizer_color("sgd:lr=0.1")
    '#E69F00'
    """
    name = getattr(opt_or_name, "display_name", opt_or_name)
    if not isinstance(name, str):
        raise KeyError(f"not an optimizer or optimizer name: {opt_or_name!r}")
    return optimizers.color(name)


# Sequential cool-to-warm map for heights: deep blue (low) -> sky -> pale sand -> orange ->
# vermillion (high). It runs along the blue-orange axis, which colour-blind viewers keep.
_HEIGHT_STOPS = np.array(
    [
        [0.055, 0.165, 0.318],  # #0E2A51
        [0.000, 0.447, 0.698],  # #0072B2
        [0.337, 0.706, 0.914],  # #56B4E9
        [0.914, 0.871, 0.737],  # #E9DEBC
        [0.902, 0.624, 0.000],  # #E69F00
        [0.835, 0.369, 0.000],  # #D55E00
    ]
)


def height_color(values: Any, vmin: float, vmax: float) -> np.ndarray:
    """Map heights to RGB colours, cool (low) to warm (high).

    Parameters
    ----------
    values
        Array-like of heights, any shape. Non-finite values map to the warmest colour.
    vmin, vmax
        Heights mapped to the two ends of the map; values outside are clipped.

    Returns
    -------
    numpy.ndarray
        Float RGB in ``[0, 1]`` of shape ``values.shape + (3,)``.

    Examples
    --------
    >>> height_color([0.0, 1.0], 0.0, 1.0).round(3).tolist()
    [[0.055, 0.165, 0.318], [0.835, 0.369, 0.0]]
    """
    v = np.asarray(values, dtype=np.float64)
    span = vmax - vmin if vmax > vmin else 1.0
    t = np.where(np.isfinite(v), (v - vmin) / span, 1.0)
    t = np.clip(t, 0.0, 1.0) * (len(_HEIGHT_STOPS) - 1)
    i = np.minimum(np.floor(t).astype(int), len(_HEIGHT_STOPS) - 2)
    frac = (t - i)[..., None]
    return np.asarray(_HEIGHT_STOPS[i] * (1.0 - frac) + _HEIGHT_STOPS[i + 1] * frac)


def height_manim_colors(values: Any, vmin: float, vmax: float) -> list[ManimColor]:
    """:func:`height_color` as a flat list of ``ManimColor`` (for ``set_fill`` and friends)."""
    rgb = height_color(values, vmin, vmax).reshape(-1, 3)
    return [ManimColor.from_rgb((float(r), float(g), float(b))) for r, g, b in rgb]


# --------------------------------------------------------------------------------------------
# Fonts and text
# --------------------------------------------------------------------------------------------


def _pick_font(preferred: Sequence[str]) -> str:
    available = set(manimpango.list_fonts())
    for name in preferred:
        if name in available:
            return name
    return "sans-serif"


#: Font for words; Inter (Debian package ``fonts-inter``) if installed, else DejaVu Sans.
FONT = _pick_font(("Inter", "DejaVu Sans", "Nimbus Sans"))

TITLE_SIZE = 40
BODY_SIZE = 30
LABEL_SIZE = 26
SMALL_SIZE = 22
TICK_SIZE = 22
CAPTION_SIZE = 26
MATH_SIZE = 36


def make_text(
    text: str,
    font_size: float = BODY_SIZE,
    color: Any = TEXT_COLOR,
    weight: str = "NORMAL",
    **kwargs: Any,
) -> Text:
    """Words on screen, always in :data:`FONT`."""
    return Text(text, font=FONT, font_size=font_size, color=color, weight=weight, **kwargs)


def make_tex(
    latex: str, font_size: float = MATH_SIZE, color: Any = TEXT_COLOR, **kwargs: Any
) -> MathTex:
    """A formula (math mode, no ``$``)."""
    return MathTex(latex, font_size=font_size, color=color, **kwargs)


def text_baseline(words: Text) -> float:
    """The y of the baseline of a :class:`Text` (the median bottom of its glyphs)."""
    bottoms = [glyph.get_bottom()[1] for glyph in words.submobjects] or [words.get_bottom()[1]]
    return float(np.median(bottoms))


def math_on_baseline(latex: str, baseline: float, left: float, **kwargs: Any) -> VMobject:
    """A formula whose baseline sits at ``baseline`` and whose left edge is at ``left``.

    Centring a formula on a line of text makes it float when it has descenders or subscripts;
    this puts the formula's baseline on the text's instead.
    """
    tex = MathTex("x", latex, **kwargs)
    ref, formula = tex[0], cast(VMobject, tex[1])  # a MathTex holds SingleStringMathTex parts
    tex.shift(np.array([left - formula.get_left()[0], baseline - ref.get_bottom()[1], 0.0]))
    return formula


class TitleGroup(VGroup):
    """A title from :func:`title`: ``VGroup(words)`` or ``VGroup(words, formula)``."""

    #: The words and the LaTeX after them (``None`` for none).
    text: str
    math: str | None


def title(
    text: str,
    *,
    math: str | None = None,
    font_size: float = TITLE_SIZE,
    color: Any = TEXT_COLOR,
) -> TitleGroup:
    r"""A scene title at the top edge of the frame.

    Parameters
    ----------
    text
        The words (set in :data:`FONT`).
    math
        Optional LaTeX shown after the words, on the same baseline, e.g. ``r"\eta = 0.100"``.

    Returns
    -------
    TitleGroup
        ``VGroup(words)`` or ``VGroup(words, formula)``, centred at the top; its ``text`` and
        ``math`` attributes hold the two strings.
    """
    words = make_text(text, font_size=font_size, color=color, weight="MEDIUM")
    parts: list[VMobject] = [words]
    if math is not None:
        formula = math_on_baseline(
            math,
            text_baseline(words),
            words.get_right()[0] + 0.25 * font_size / TITLE_SIZE,
            font_size=font_size * 1.05,
            color=color,
        )
        parts.append(formula)
    group = TitleGroup(*parts)
    if group.width > config.frame_width - 1.0:
        group.scale_to_fit_width(config.frame_width - 1.0)
    group.move_to(ORIGIN).to_edge(UP, buff=0.35)
    group.text = text
    group.math = math
    return group


class FastDecimalNumber(CachedGlyphs):
    """``DecimalNumber`` that is cheap to update every frame (same look, same API)."""


class FastInteger(CachedGlyphs, Integer):
    """``Integer`` that is cheap to update every frame (same look, same API)."""


class Readout(VGroup):
    """A live readout from :func:`make_readout`: ``VGroup(label, number)``."""

    label: VMobject
    number: DecimalNumber


def make_readout(
    label: str,
    value: float,
    *,
    digits: int = 3,
    font_size: float = MATH_SIZE,
    color: Any = TEXT_COLOR,
    number_color: Any = None,
    integer: bool = False,
) -> Readout:
    """A live readout: a formula label such as ``"x_t ="`` and a number on its baseline.

    Returns ``VGroup(label, number)`` with ``.label`` and ``.number`` attributes; the number is a
    ``DecimalNumber`` (or ``Integer``) whose value scenes update with ``set_value`` or
    ``ChangeDecimalToValue``. Stack several with :func:`stack_readouts` to align their ``=``.
    """
    tex = MathTex("x", label, font_size=font_size, color=color)
    ref, lab = tex[0], cast(VMobject, tex[1])  # a MathTex holds SingleStringMathTex parts
    ncolor = color if number_color is None else number_color
    if integer:
        number: DecimalNumber = FastInteger(int(round(value)), font_size=font_size, color=ncolor)
    else:
        number = FastDecimalNumber(
            value, num_decimal_places=digits, font_size=font_size, color=ncolor
        )
    number.next_to(lab, RIGHT, buff=0.2)
    number.shift(UP * (ref.get_bottom()[1] - number.get_bottom()[1]))
    row = Readout(lab, number)
    row.label = lab
    row.number = number
    return row


def stack_readouts(rows: Sequence[VGroup], buff: float = 0.34) -> VGroup:
    """Stack readouts from :func:`make_readout` so that their labels end at the same x."""
    group = VGroup(*rows).arrange(DOWN, buff=buff)
    labels = [_readout_label(r) for r in rows]
    right = max(label.get_right()[0] for label in labels)
    for r, label in zip(rows, labels, strict=True):
        r.shift(RIGHT * (right - label.get_right()[0]))
    return group


def _readout_label(row: VGroup) -> VMobject:
    if not isinstance(row, Readout):
        raise TypeError(f"stack_readouts: {row!r} is not a readout from make_readout")
    return row.label


# --------------------------------------------------------------------------------------------
# Axes, markers, legends
# --------------------------------------------------------------------------------------------


class LabelledAxes(Axes):
    """Axes that keep their axis labels (``None`` for an axis without one)."""

    x_label_mob: MathTex | None
    y_label_mob: MathTex | None


def make_axes_1d(
    x_range: Sequence[float],
    y_range: Sequence[float],
    *,
    x_length: float = 10.0,
    y_length: float = 5.0,
    numbers: bool = True,
    y_numbers: bool | None = None,
    tick_size: float = TICK_SIZE,
    x_label: str | None = "x",
    y_label: str | None = "f(x)",
) -> LabelledAxes:
    """Axes for a 1D objective in the house style.

    Parameters
    ----------
    x_range, y_range
        ``(min, max)`` or ``(min, max, step)``; a missing step is chosen by :func:`nice_step`.
    x_length, y_length
        Size in scene units.
    numbers
        Whether to number the ticks.
    y_numbers
        Whether to number the y ticks (defaults to ``numbers``).
    x_label, y_label
        LaTeX for the axis labels (``None`` for none). The labels are kept in
        ``axes.x_label_mob`` / ``axes.y_label_mob`` and added to the axes.

    Returns
    -------
    LabelledAxes
    """
    xr = list(x_range)
    if len(xr) != 3:
        xr.append(fitting_step(xr[0], xr[1], 9))
    yr = list(y_range)
    if len(yr) != 3:
        yr.append(fitting_step(yr[0], yr[1], 5))
    axis_config: dict[str, Any] = {
        "color": AXIS_COLOR,
        "stroke_width": 2,
        "include_ticks": True,
        "tick_size": 0.05,
        "font_size": tick_size,
    }
    axes = LabelledAxes(
        x_range=xr,
        y_range=yr,
        x_length=x_length,
        y_length=y_length,
        tips=False,
        axis_config=axis_config,
        x_axis_config={
            "decimal_number_config": {
                "num_decimal_places": tick_decimals(xr[2]),
                "color": MUTED_TEXT,
            },
        },
        y_axis_config={
            "decimal_number_config": {
                "num_decimal_places": tick_decimals(yr[2]),
                "color": MUTED_TEXT,
            },
        },
    )
    if numbers:
        x_nums = [v for v in np.arange(xr[0], xr[1] + xr[2] / 2, xr[2]) if abs(v) > 1e-12]
        y_nums = [v for v in np.arange(yr[0], yr[1] + yr[2] / 2, yr[2]) if abs(v) > 1e-12]
        axes.x_axis.add_numbers(x_nums, font_size=tick_size)
        numbered = [*axes.x_axis.numbers]
        if y_numbers is None or y_numbers:
            axes.y_axis.add_numbers(y_nums, font_size=tick_size)
            numbered += [*axes.y_axis.numbers]
        for mob in numbered:
            mob.set_color(MUTED_TEXT)
            # a halo in the background colour keeps numbers readable where a curve crosses them
            mob.set_stroke(BACKGROUND, width=4, background=True)
    axes.x_label_mob = None
    axes.y_label_mob = None
    if x_label is not None:
        xl = MathTex(x_label, font_size=tick_size * 1.3, color=MUTED_TEXT)
        xl.next_to(axes.x_axis.get_end(), RIGHT, buff=0.15)
        axes.x_label_mob = xl
        axes.add(xl)
    if y_label is not None:
        yl = MathTex(y_label, font_size=tick_size * 1.3, color=MUTED_TEXT)
        yl.next_to(axes.y_axis.get_end(), RIGHT, buff=0.15)
        axes.y_label_mob = yl
        axes.add(yl)
    return axes


def plot_objective_1d(
    axes: Axes,
    objective: Any,
    x_range: Sequence[float] | None = None,
    *,
    samples: int = 400,
    color: Any = CURVE_COLOR,
    stroke_width: float = 3.5,
) -> VMobject:
    """The graph of a 1D objective on ``axes``, sampled in one vectorised call.

    Parameters
    ----------
    axes
        Axes made by :func:`make_axes_1d`.
    objective
        A 1D ``gdanim.objectives.Objective``.
    x_range
        ``(xmin, xmax)``; defaults to the axes' x-range.
    samples
        Number of sample points (the curve is drawn through them smoothly).
    """
    lo, hi = (x_range[0], x_range[1]) if x_range is not None else axes.x_range[:2]
    xs = np.linspace(float(lo), float(hi), samples)
    ys = np.asarray(objective.value(xs[:, None]), dtype=np.float64)
    ok = np.isfinite(ys)
    pts = np.array([axes.c2p(float(x), float(y)) for x, y in zip(xs[ok], ys[ok], strict=True)])
    curve = VMobject(color=color, stroke_width=stroke_width)
    curve.set_points_smoothly(pts)
    return curve


def make_marker(point: Any, color: Any, radius: float = 0.09) -> Dot:
    """A filled dot with a thin dark ring, visible over curves and arrows of any colour."""
    dot = Dot(point, radius=radius, color=color)
    dot.set_stroke(BACKGROUND, width=2.5, background=True)
    return dot


def make_legend(
    entries: Sequence[tuple[str, Any]],
    *,
    kind: str = "dot",
    font_size: float = SMALL_SIZE,
    direction: Any = DOWN,
    buff: float = 0.18,
) -> VGroup:
    """A legend: one row per ``(text, colour)``; ``kind`` is ``"dot"`` or ``"line"``.

    Each row is ``VGroup(swatch, words)``; rows are stacked along ``direction``.
    """
    rows = []
    for text, color in entries:
        if kind == "line":
            swatch: VMobject = Line(LEFT * 0.22, RIGHT * 0.22, color=color, stroke_width=5)
        else:
            swatch = make_marker([0, 0, 0], color, radius=0.08)
        words = make_text(text, font_size=font_size, color=TEXT_COLOR)
        words.next_to(swatch, RIGHT, buff=0.14)
        rows.append(VGroup(swatch, words))
    vertical = abs(float(np.asarray(direction)[1])) > 0.5
    group = VGroup(*rows).arrange(direction, aligned_edge=LEFT if vertical else ORIGIN, buff=buff)
    return group


class DivergedMark(VGroup):
    """A mark from :func:`make_diverged_mark`: ``VGroup(cross, words)``."""

    #: The step at which the run diverged.
    step: int


def make_diverged_mark(
    point: Any, step: int, *, font_size: float = SMALL_SIZE, direction: Any = UP
) -> DivergedMark:
    """A cross at ``point`` with the words "diverged at step N" beside it.

    Returns ``VGroup(cross, words)``; ``mark.step`` holds ``step`` for tests.
    """
    cross = Cross(
        Dot(point, radius=0.13),
        stroke_color=DIVERGED_COLOR,
        stroke_width=5,
        scale_factor=1.0,
    )
    words = make_text(f"diverged at step {step}", font_size=font_size, color=DIVERGED_COLOR)
    words.next_to(cross, direction, buff=0.12)
    mark = DivergedMark(cross, words)
    mark.step = int(step)
    return mark


# --------------------------------------------------------------------------------------------
# Scene base
# --------------------------------------------------------------------------------------------


#: Cycle-collector thresholds while a scene renders. Every frame builds many short-lived lists
#: (Cairo path coordinates, copies of mobjects), and with the default threshold of 700 the
#: collector keeps walking the scene's thousands of long-lived mobjects: about a sixth of the
#: render time of a 3D race at 1080p60. Memory is the same either way (nothing of a frame lives
#: in a reference cycle for long).
RENDER_GC_THRESHOLD = (50_000, 20, 100)


class GDScene(Scene):
    """Base scene: house background, narration as subcaptions, named sections.

    Subclasses start ``construct`` with :meth:`section` and narrate with :meth:`caption`
    (or ``self.play(..., subcaption=...)``), so every render has sections and an ``.srt``.
    """

    #: The speech, for a scene that fixes its own; ``None`` reads the app's parameters.
    speech_params: ClassVar[SpeechParams | None] = None
    #: Whether the clock is kept frame-exact in a silent render too (it always is in a
    #: narrated one).
    EXACT_CLOCK: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not isinstance(self, ThreeDScene):  # 3D scenes bring their own camera
            kwargs.setdefault("camera_class", LayeredCamera)
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        cast(Camera, self.camera).background_color = ManimColor(BACKGROUND)  # Cairo renderer
        given = self.speech_params
        self.narrator = Narrator(type(self).__name__,
                                 given if given is not None else SceneParams.from_env().speech)

    def render(self, preview: bool = False) -> bool:
        """Render with the cycle collector run less often (see :data:`RENDER_GC_THRESHOLD`);
        then write what the narrator collected or said (:meth:`Narrator.finish`)."""
        old = gc.get_threshold()
        gc.set_threshold(*RENDER_GC_THRESHOLD)
        try:
            result = super().render(preview)
        finally:
            gc.set_threshold(*old)
        try:
            video: Path | None = Path(self.renderer.file_writer.movie_file_path)
        except (AttributeError, TypeError):  # rendering to images only
            video = None
        self.narrator.finish(video)
        return bool(result)

    def tear_down(self) -> None:
        """Hold the last frame until the speech still playing has ended, plus a pause."""
        super().tear_down()
        if self.narrator.spoken:
            self.let_speech_finish()

    def let_speech_finish(self) -> None:
        """In a narrated render, hold the frame until the speech said so far has ended (plus
        the narrator's pause), so that the next picture does not run ahead of the words about
        this one; silent, do nothing (captions were timed to the animation)."""
        if not self.narrator.speaking or not self.narrator.spoken:
            return
        rest = self.narrator.busy_until + self.narrator.PAUSE - float(self.time)
        frames = math.ceil(rest * config.frame_rate - 1e-6)
        if frames > 0:
            self.wait(frames / config.frame_rate)

    def begin_animations(self) -> None:
        """Begin as manim does, then tell a :class:`~scenes.layers.LayeredCamera` which of the
        mobjects manim will redraw on every frame may change while these animations play (no
        layers while the scene itself has updaters: they may change anything)."""
        super().begin_animations()
        camera = getattr(self.renderer, "camera", None)
        if isinstance(camera, LayeredCamera) and self.animations is not None:
            if self.updaters:
                camera.plan([], set())
            else:
                camera.plan(self.moving_mobjects, live_mobjects(
                    self.animations, self.get_mobject_family_members(), self.foreground_mobjects))

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Play animations, after bringing every updater-driven mobject up to date.

        Manim runs the updaters once more after an animation it renders, but not after one it
        takes from the partial-movie cache. Running them here, before the next animation is
        hashed, makes the hashed state the same either way, so that a second render of a scene
        reuses more of its cached animations.
        """
        self.update_mobjects(0)
        start = self.renderer.time
        super().play(*args, **kwargs)
        if (self.narrator.speaking or self.EXACT_CLOCK) and self.renderer.skip_animations:
            # keep a narrated scene's clock frame-exact: an animation taken from the cache
            # (or skipped) advances it by the frames it holds, as rendering it does
            dt = 1 / config.frame_rate
            duration = float(self.duration)
            if self.is_current_animation_frozen_frame():
                frames = int(duration / dt)
            else:
                frames = len(np.arange(0, duration, dt))
            self.renderer.time = start + frames * dt

    def add_subcaption(self, content: str, duration: float = 1, offset: float = 0) -> None:
        """Add a subcaption; an earlier one still showing is cut short so that none overlap."""
        start = datetime.timedelta(seconds=float(self.time + offset))
        for sub in self.renderer.file_writer.subcaptions:
            if sub.start <= start < sub.end:
                sub.end = start
        super().add_subcaption(content, duration=duration, offset=offset)

    def caption(self, text: str, duration: float = 3.0, offset: float = 0.0) -> float:
        """Show ``text`` from now (plus ``offset``) for ``duration`` seconds; return when it ends.

        In a narrated render the text is said instead (:meth:`Narrator.place`): one caption per
        spoken line, each shown while its speech plays, from ``offset`` or as soon after as the
        previous line allows; the returned time is then when the speech ends.
        """
        if not self.narrator.speaking:
            self.add_subcaption(text, duration=duration, offset=offset)
            return float(self.time) + offset + duration

        def show(line: str, seconds: float, at: float) -> None:
            self.add_subcaption(line, duration=seconds, offset=at - float(self.time))

        _, end = self.narrator.place(text, float(self.time) + offset, show=show)
        return end

    def section(self, name: str) -> None:
        """Start a new named section of the video."""
        self.next_section(name)
