"""Pieces the custom scenes share: reading their parameters, making their runs, the step
counter, pacing and a few layout helpers.

Everything a custom scene shows is computed from its :mod:`scenes.params` (read once, from the
file the app names in :data:`scenes.params.PARAMS_ENV`), or from its built-in example when it
is rendered on its own.

Examples
--------
>>> from gdanim import optimizers
>>> sgd, adam = optimizers.sgd(lr=0.1), optimizers.adam(lr=0.3)
>>> run_colors([sgd, adam, optimizers.sgd(lr=1.0)], descent=False)  # a repeat: a spare colour
['#E69F00', '#D55E00', '#CC79A7']
>>> race_time(100) == race_time(100.0)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast, overload

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UR,
    Cross,
    Dot,
    Mobject,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from gdanim._typing import FloatArray
from gdanim.cache import cached_descend
from gdanim.objectives import Objective
from gdanim.optimizers import Optimizer
from gdanim.trajectory import why_stopped
from scenes.mobjects import HEAD_SHAPES, FastNumber
from scenes.pacing import reading_time
from scenes.params import (
    DescentParams,
    OptimizerParams,
    RaceParams,
    SceneParams,
    TitleParams,
)
from scenes.runs import Run
from scenes.steps1d import eta_tex
from scenes.style import (
    DIVERGED_COLOR,
    MUTED_TEXT,
    ORANGE,
    PALETTE,
    GDScene,
    fmt,
    make_text,
    optimizer_color,
)

__all__ = [
    "DESCENT_COLORS",
    "LegendRow",
    "Note",
    "StepCounter",
    "cross",
    "custom_params",
    "fit_width",
    "make_runs",
    "plain",
    "race_time",
    "run_colors",
    "sentence_number",
    "step_counter",
    "user_captions",
    "value_format",
    "warp",
]

#: Colours of the runs of a descent, in order (all are plain gradient descent; the first is
#: SGD's own colour).
DESCENT_COLORS = (ORANGE, "#56B4E9", "#F0E442", "#CC79A7")

P = TypeVar("P", DescentParams, RaceParams, TitleParams)
Q = TypeVar("Q", DescentParams, RaceParams, TitleParams)


@overload
def custom_params(scene: GDScene, kind: type[P], /, *, demo: P) -> P: ...


@overload
def custom_params(scene: GDScene, kind: type[P], other: type[Q], /, *,
                  demo: P | Q) -> P | Q: ...


def custom_params(scene: GDScene, kind: type[Any], other: type[Any] | None = None, /, *,
                  demo: Any) -> Any:
    """The scene's parameters: from the app's file (read once, here), else ``demo``.

    Raises
    ------
    scenes.params.ParamsError
        When the file holds the parameters of another kind of scene.
    """
    params = SceneParams.from_env()
    name = type(scene).__name__
    given = params.custom(kind, name=name) if other is None else \
        params.custom(kind, other, name=name)
    return demo if given is None else given


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


def run_colors(opts: Sequence[Optimizer], descent: bool) -> list[str]:
    """One colour per run: the optimizer's own, or (for repeats) an unused palette colour."""
    if descent:
        return [DESCENT_COLORS[i % len(DESCENT_COLORS)] for i in range(len(opts))]
    colors: list[str] = []
    own = {optimizer_color(o) for o in opts}
    # a repeated optimizer takes a colour no optimizer of this race uses, the rarer ones first
    spare = [c for c in (PALETTE[6], PALETTE[7], *PALETTE) if c not in own]
    for opt in opts:
        c = optimizer_color(opt)
        if c in colors:
            c = next((p for p in spare if p not in colors), c)
        colors.append(c)
    return colors


def make_runs(
    f: Objective, params: Sequence[OptimizerParams], start: Sequence[float], steps: int,
    view: Sequence[float], *, descent: bool,
) -> list[Run]:
    """Build every optimizer once from its description, run it (with its schedule) with
    ``bound=view``, and label, colour and mark each run.

    A descent's runs are labelled by their rate (``\\eta = 0.100``), a race's by the
    optimizer's label, followed by its schedule's (``Adam (lr=0.1) @ CosineAnnealingLR
    (T_max=50)``).
    """
    built = [p.build(steps) for p in params]
    colors = run_colors([opt for opt, _ in built], descent)
    runs = []
    for i, ((opt, schedule), color) in enumerate(zip(built, colors, strict=True)):
        traj = cached_descend(f, opt, list(start), steps, bound=list(view), schedule=schedule)
        if descent:
            label = eta_tex(float(cast(float, opt.hyperparameters["lr"])))
        else:
            label = opt.label if schedule is None else f"{opt.label} @ {schedule.label}"
        runs.append(Run(opt, label, color, HEAD_SHAPES[i % len(HEAD_SHAPES)], traj,
                        why_stopped(f, opt, traj), schedule))
    return runs


# --------------------------------------------------------------------------------------------
# Words and numbers
# --------------------------------------------------------------------------------------------


def sentence_number(v: float) -> str:
    """A value for sentences: 4 decimals, or 2 significant digits when tiny or huge.

    Examples
    --------
    >>> sentence_number(0.123456), sentence_number(2e-5)
    ('0.1235', '2.0e-05')
    """
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        return f"{v:.1e}"
    return fmt(v, 4)


def plain(f: Objective) -> str:
    """The function as plain text for subtitles: ``x^2·y``, ``π`` for pi."""
    import re

    text = f.display_text.replace("**", "^").replace("*", "\u00b7")
    return re.sub(r"\bpi\b", "\u03c0", text)


def value_format(values: FloatArray) -> tuple[str, int]:
    """A :class:`~scenes.mobjects.FastNumber` format and width holding every value."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 1.0
    fmt_str = "{:.3f}" if top < 1e4 else "{:d}"
    sample = fmt_str.format(-top) if "f" in fmt_str else str(-int(round(top)))
    return fmt_str, max(len(sample), 5)


# --------------------------------------------------------------------------------------------
# Pacing
# --------------------------------------------------------------------------------------------


def warp(steps: int) -> Callable[[float], float]:
    """A rate function that spends more time on the early steps when there are many."""
    a = float(np.clip(math.log(max(steps, 1) / 12.0), 0.0, 4.0))
    if a < 0.05:
        return linear
    den = math.expm1(a)
    return lambda u: math.expm1(a * u) / den


def race_time(steps: float) -> float:
    """Seconds a race of ``steps`` steps plays for: 4 to 16, growing with log2(steps)."""
    return float(np.clip(2.5 + 1.6 * math.log2(max(steps, 1)), 4.0, 16.0))


def user_captions(scene: GDScene, captions: Sequence[str], total: float) -> bool:
    """Spread the user's captions over ``total`` seconds from now; ``False`` if there are none.

    Each caption gets a share of ``total`` in proportion to its reading time
    (:func:`scenes.pacing.reading_time`), so a long caption is not cut as short as a brief one.
    """
    if not captions:
        return False
    weights = [reading_time(text) for text in captions]
    at = 0.0
    for text, weight in zip(captions, weights, strict=True):
        each = total * weight / sum(weights)
        scene.caption(text, duration=max(each - 0.1, 0.5), offset=at)
        at += each
    return True


# --------------------------------------------------------------------------------------------
# Mobjects
# --------------------------------------------------------------------------------------------


class StepCounter(VGroup):
    """"step k of N"; ``number`` is the live k."""

    def __init__(self, word: Text, number: FastNumber, total: Text) -> None:
        super().__init__(word, number, total)
        self.number = number


class LegendRow(VGroup):
    """A run's row in a legend, with what the scene (and its tests) read back: the run's
    index, its label and colour, its live value of f and, for a run that stops, its status
    (shown once it stops)."""

    def __init__(self, *parts: VMobject, run_index: int, label_text: str,
                 color_hex: str = "") -> None:
        super().__init__(*parts)
        self.run_index = run_index
        self.label_text = label_text
        self.color_hex = color_hex
        self.status: Text | None = None
        self.value: FastNumber | None = None


class Note(VGroup):
    """A note of words on screen, with its text (``caption``) for the subtitles."""

    def __init__(self, text_mob: VMobject, caption: str) -> None:
        super().__init__(text_mob)
        self.caption = caption


def step_counter(steps: int, tracker: ValueTracker) -> StepCounter:
    """"step k of N" in the top-right corner, following ``tracker``."""
    word = make_text("step", font_size=24, color=MUTED_TEXT)
    num = FastNumber(0, "{:d}", len(str(steps)), font_size=32, weight="BOLD")
    num.place(word.get_corner(DOWN + RIGHT) + RIGHT * 0.16)
    total = make_text(f"of {steps}", font_size=24, color=MUTED_TEXT)
    total.next_to(num.extent, RIGHT, buff=0.16).align_to(word, DOWN)
    group = StepCounter(word, num, total)
    group.to_corner(UR, buff=0.4).shift(DOWN * 0.08)
    num.add_updater(lambda m: m.set_value(int(tracker.get_value())))
    return group


def cross(point: Any, size: float = 0.13) -> VGroup:
    """The mark of a run that stopped: a cross in the colour of divergence."""
    mark = Cross(Dot(point, radius=size), stroke_color=DIVERGED_COLOR, stroke_width=5,
                 scale_factor=1.0)
    mark.set_z_index(4)
    return mark


M = TypeVar("M", bound=Mobject)


def fit_width(mob: M, width: float) -> M:
    """Shrink ``mob`` to ``width`` if it is wider."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob
