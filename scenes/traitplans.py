r"""What the six optimizer cards say, computed from the runs (scenario S7); no manim here.

:func:`plan_cards` runs the saddle (S6 race C, through :func:`scenes.racedata.run_race`) and the
long valley (S6 race B's SGD and Momentum, and Nesterov with Momentum's settings) and writes,
for each card, its character, THE number and its sentence, the other lines, the marks to draw
and the two subcaptions. Every number is a :class:`Fact`: a measure from
:mod:`gdanim.analysis` or :mod:`gdanim.traits` applied to one run, with its value and the text
shown. :mod:`scenes.traits` draws the cards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from gdanim import Trajectory, objectives, optimizers
from gdanim.analysis import overshoot, saddle_escape_step, steps_to_tolerance
from gdanim.cache import cached_descend
from gdanim.optimizers import Optimizer
from gdanim.traits import (
    direction_reversals,
    displacement,
    farthest_step,
    step_lengths,
    step_ratio,
)
from scenes.racedata import RACE_C, run_race
from scenes.style import fmt, fmt_sci

__all__ = [
    "CRAWL_STEPS",
    "SADDLE",
    "SHRINK_STEP",
    "VALLEY",
    "VALLEY_SPECS",
    "VALLEY_TOL",
    "CardPlan",
    "Fact",
    "Mark",
    "Run",
    "Setting",
    "escape_step",
    "plan_cards",
    "saddle_runs",
    "valley_runs",
]


@dataclass(frozen=True)
class Setting:
    """Where a card's runs happen: the objective, the start, the steps, the bound and the view.

    ``bound`` is the box the runs are computed in (a run leaving it stops, as in the races);
    ``view`` is the part of the plane the card's map shows.
    """

    objective: str
    start: tuple[float, float]
    steps: int
    bound: tuple[float, float, float, float]
    view: tuple[float, float, float, float]
    ticks: tuple[float, float]
    minimum: tuple[float, float] | None = None


#: S6 race C on the saddle, as the race scene runs it.
SADDLE = Setting(
    objective=RACE_C.objective,
    start=RACE_C.start,
    steps=RACE_C.steps,
    bound=RACE_C.view,
    view=RACE_C.view,
    ticks=(0.5, 0.5),
)

#: S6 race B on the long valley: computed in the race's box, shown around the action.
VALLEY = Setting(
    objective="long_valley",
    start=(-7.0, 2.0),
    steps=100,
    bound=(-10.0, 10.0, -5.0, 5.0),
    view=(-8.0, 2.0, -2.5, 2.5),
    ticks=(2.0, 1.0),
    minimum=(0.0, 0.0),
)

#: The valley runs (race B's SGD and Momentum; Nesterov with Momentum's settings).
VALLEY_SPECS: dict[str, str] = {
    "SGD": "sgd:lr=0.95",
    "Momentum": "momentum:lr=0.1,momentum=0.9",
    "Nesterov": "nesterov:lr=0.1,momentum=0.9",
}

#: Tolerance on :math:`f - f_{\min}` for "steps to tolerance" on the valley.
VALLEY_TOL = 1e-3
#: SGD's crawl is measured over this many steps; AdaGrad's step this far in is compared with
#: its first.
CRAWL_STEPS = 100
SHRINK_STEP = 100


@dataclass(frozen=True)
class Fact:
    """One number on a card: which run it is about, the measure, its value and how it is shown."""

    optimizer: str
    objective: str
    metric: str
    value: float
    shown: str

    def as_dict(self) -> dict[str, str | float]:
        """The fact as a plain dict (for ``OptimizerTraits.cards``)."""
        return {
            "optimizer": self.optimizer,
            "objective": self.objective,
            "metric": self.metric,
            "value": self.value,
            "shown": self.shown,
        }


@dataclass(frozen=True)
class Run:
    """An optimizer and its trajectory in a setting."""

    optimizer: Optimizer
    trajectory: Trajectory
    setting: Setting

    @property
    def name(self) -> str:
        """The optimizer's display name."""
        return self.optimizer.display_name

    @property
    def last(self) -> int:
        """Index of the last point inside the bound."""
        stop = self.trajectory.stopped_at
        return self.trajectory.steps if stop is None else int(stop) - 1


@dataclass(frozen=True)
class Mark:
    """A mark on a card's map, about ``run``.

    ``"escape"``: a ring where the run leaves the saddle region; ``"step"``: a ring at its point
    ``step``; ``"overshoot"``: a dimension line from the finish line to its farthest point.
    """

    kind: Literal["escape", "step", "overshoot"]
    run: Run
    step: int | None = None


@dataclass
class CardPlan:
    """Everything a card says, computed from the runs.

    ``headline`` is ``(before, fact, after)``: the sentence around THE number. Each of ``lines``
    is a format string with ``{0}``, ``{1}``... for its facts. ``marks`` are the marks to draw
    on the map.
    """

    run: Run
    character: str
    short: str
    headline: tuple[str, Fact, str]
    lines: list[tuple[str, list[Fact]]]
    event: int
    ghost: Run | None = None
    marks: list[Mark] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        """THE number first, then the numbers of the other lines, in order."""
        return [self.headline[1], *[f for _t, fs in self.lines for f in fs]]

    def headline_text(self) -> str:
        """The headline as plain text."""
        before, fact, after = self.headline
        return " ".join(p for p in (before, fact.shown, after) if p)

    def line_texts(self) -> list[str]:
        """The other lines as plain text."""
        return [text.format(*[f.shown for f in facts]) for text, facts in self.lines]


def _step(value: float) -> str:
    return str(int(value))


def _percent(value: float) -> str:
    return f"{100.0 * value:.0f}%"


def _two(value: float) -> str:
    return fmt(value, 2)


def _three(value: float) -> str:
    return fmt(value, 3)


def _sig2(value: float) -> str:
    return f"{value:.2g}"


def _sci(value: float) -> str:
    return fmt_sci(value, 0) if value != 0.0 else "0"


def _one(value: float) -> str:
    return fmt(value, 1)


def _fact(run: Run, metric: str, value: float | int | None, show: Callable[[float], str]) -> Fact:
    if value is None:
        raise ValueError(f"{run.name} on {run.setting.objective}: {metric} has no value")
    return Fact(run.name, run.setting.objective, metric, float(value), show(float(value)))


def escape_step(run: Run) -> int | None:
    """The step at which ``run`` leaves race C's saddle region (``None`` if it never does)."""
    return saddle_escape_step(run.trajectory, RACE_C.saddle, RACE_C.saddle_radius)


def _exit(run: Run) -> int | None:
    stop = run.trajectory.stopped_at
    return None if stop is None else int(stop)


def saddle_runs() -> dict[str, Run]:
    """Race C's runs (computed by :func:`scenes.race.run_race`), by display name."""
    return {
        name: Run(res.optimizer, res.trajectory, SADDLE) for name, res in run_race(RACE_C).items()
    }


def valley_runs() -> dict[str, Run]:
    """The valley runs of :data:`VALLEY_SPECS`, by display name."""
    f = objectives.get(VALLEY.objective)
    out: dict[str, Run] = {}
    for name, spec in VALLEY_SPECS.items():
        opt = optimizers.from_spec(spec)
        assert opt.display_name == name
        traj = cached_descend(f, opt, VALLEY.start, VALLEY.steps, bound=VALLEY.bound)
        out[name] = Run(opt, traj, VALLEY)
    return out


def plan_cards() -> list[CardPlan]:
    """The six cards, in order: SGD, AdaGrad, RMSprop, Adam (saddle), Momentum, Nesterov (valley).

    Saddle cards first and valley cards after, so the map changes once.
    """
    sad = saddle_runs()
    val = valley_runs()
    cards: list[CardPlan] = []
    minimum = VALLEY.minimum
    assert minimum is not None

    # SGD: crawls at the saddle ---------------------------------------------------------------
    r = sad["SGD"]
    esc = _fact(r, "saddle_escape_step", escape_step(r), _step)
    moved = _fact(r, f"displacement_x_{CRAWL_STEPS}",
                  displacement(r.trajectory, CRAWL_STEPS, axis=0), _sig2)
    g0 = r.trajectory.grads[0]
    gx = _fact(r, "grad_x_start", float(g0[0]), _sci)
    gy = _fact(r, "grad_y_start", float(g0[1]), _one)
    cards.append(CardPlan(
        run=r,
        character="Plain gradient descent: steps straight down the negative gradient, nothing "
        "more. Where one component of the gradient is nearly zero, it crawls that way.",
        short="crawls where the x-slope is tiny",
        headline=("leaves the saddle at step", esc, ""),
        lines=[
            ("gradient at the start: ({0}, {1})", [gx, gy]),
            (f"in its first {CRAWL_STEPS} steps it moves just {{0}} along x", [moved]),
        ],
        event=int(esc.value),
        marks=[Mark("escape", r)],
        captions=[
            f"SGD, plain gradient descent, starts with gradient ({gx.shown}, {gy.shown}): "
            "almost zero only along x.",
            f"It moves {moved.shown} along x in {CRAWL_STEPS} steps; out at step {esc.shown}.",
        ],
    ))

    # AdaGrad: fast, then its steps die out ---------------------------------------------------
    r = sad["AdaGrad"]
    ratio = _fact(r, f"step_ratio_{SHRINK_STEP}", step_ratio(r.trajectory, SHRINK_STEP),
                  _percent)
    esc = _fact(r, "saddle_escape_step", escape_step(r), _step)
    out = _fact(r, "exit_step", _exit(r), _step)
    cards.append(CardPlan(
        run=r,
        character="Divides each coordinate's step by the root of its summed squared "
        "gradients. The sum only grows, so the steps shrink for good.",
        short="fast at first, then its steps die out",
        headline=(f"step {SHRINK_STEP} is", ratio, "as long as step 1"),
        lines=[("left the saddle at step {0}; at the edge only at step {1}", [esc, out])],
        event=SHRINK_STEP,
        marks=[Mark("escape", r), Mark("step", r, SHRINK_STEP)],
        captions=[
            f"AdaGrad divides by its summed squared gradients: out at step {esc.shown}.",
            f"The sum only grows: step {SHRINK_STEP} is {ratio.shown} as long as step 1.",
        ],
    ))

    # RMSprop: a moving average, so the steps stay --------------------------------------------
    r = sad["RMSprop"]
    ada = sad["AdaGrad"]
    esc = _fact(r, "saddle_escape_step", escape_step(r), _step)
    out = _fact(r, "exit_step", _exit(r), _step)
    ada_out = _fact(ada, "exit_step", _exit(ada), _step)
    cards.append(CardPlan(
        run=r,
        ghost=ada,
        character="Like AdaGrad, but a moving average replaces the sum: old gradients "
        "fade, so the steps never die out.",
        short="steps that never die out",
        headline=("leaves the saddle at step", esc, ""),
        lines=[("at the edge at step {0}; AdaGrad needs {1} steps", [out, ada_out])],
        event=int(esc.value),
        marks=[Mark("escape", r)],
        captions=[
            f"RMSprop averages the squares instead: out at step {esc.shown}.",
            f"At the edge by step {out.shown}; AdaGrad needs {ada_out.shown}.",
        ],
    ))

    # Adam: smooth and quick ------------------------------------------------------------------
    r = sad["Adam"]
    esc = _fact(r, "saddle_escape_step", escape_step(r), _step)
    lengths = step_lengths(r.trajectory)
    shortest = _fact(r, "step_length_min", float(lengths.min()), _three)
    longest = _fact(r, "step_length_max", float(lengths.max()), _three)
    cards.append(CardPlan(
        run=r,
        character="Momentum's average, scaled like RMSprop and bias-corrected: "
        "smooth and quick.",
        short="smooth and quick",
        headline=("leaves the saddle at step", esc, ""),
        lines=[("every step between {0} and {1} long", [shortest, longest])],
        event=int(esc.value),
        marks=[Mark("escape", r)],
        captions=[
            f"Adam adds momentum to RMSprop's scaling: out at step {esc.shown}.",
            f"Every step is {shortest.shown} to {longest.shown} long: smooth and quick.",
        ],
    ))

    # Momentum: cuts the zig-zag, escapes flat regions, overshoots -----------------------------
    r = val["Momentum"]
    sgd = val["SGD"]
    over = _fact(r, "overshoot", overshoot(r.trajectory, minimum), _two)
    turns = _fact(r, "direction_reversals_y", direction_reversals(r.trajectory, 1), _step)
    steps = _fact(r, "steps", r.trajectory.steps, _step)
    sgd_turns = _fact(sgd, "direction_reversals_y", direction_reversals(sgd.trajectory, 1), _step)
    mom_esc = _fact(sad["Momentum"], "saddle_escape_step", escape_step(sad["Momentum"]), _step)
    sgd_esc = _fact(sad["SGD"], "saddle_escape_step", escape_step(sad["SGD"]), _step)
    cards.append(CardPlan(
        run=r,
        ghost=sgd,
        character="Adds gradients up into a velocity: it cuts the zig-zag and rolls through "
        "flat regions, but overshoots and curls back.",
        short="overshoots and curls back",
        headline=("overshoots the minimum by", over, ""),
        lines=[
            ("turns back {0} times in {1} steps; SGD {2} times", [turns, steps, sgd_turns]),
            ("on the saddle: out at step {0}; SGD at step {1}", [mom_esc, sgd_esc]),
        ],
        event=farthest_step(r.trajectory, minimum),
        marks=[Mark("overshoot", r)],
        captions=[
            f"In the long valley SGD turns back {sgd_turns.shown} times, Momentum only "
            f"{turns.shown}.",
            f"But its velocity carries it {over.shown} past the minimum.",
        ],
    ))

    # Nesterov: overshoots less ---------------------------------------------------------------
    r = val["Nesterov"]
    mom = val["Momentum"]
    over = _fact(r, "overshoot", overshoot(r.trajectory, minimum), _two)
    mom_over = _fact(mom, "overshoot", overshoot(mom.trajectory, minimum), _two)
    tol = _fact(r, "steps_to_tolerance", steps_to_tolerance(r.trajectory, 0.0, VALLEY_TOL), _step)
    mom_tol = _fact(mom, "steps_to_tolerance",
                    steps_to_tolerance(mom.trajectory, 0.0, VALLEY_TOL), _step)
    tol_text = f"{VALLEY_TOL:g}"
    cards.append(CardPlan(
        run=r,
        ghost=mom,
        character="Momentum with a look-ahead: the velocity's next step feeds into this "
        "one, so it brakes before the minimum.",
        short="overshoots less than Momentum",
        headline=("overshoots the minimum by", over, ""),
        lines=[
            ("Momentum, same settings: {0}", [mom_over]),
            (f"f < {tol_text} at step {{0}}; Momentum at step {{1}}", [tol, mom_tol]),
        ],
        event=farthest_step(r.trajectory, minimum),
        marks=[Mark("overshoot", mom), Mark("overshoot", r)],
        captions=[
            "Nesterov's step includes the velocity's next one: it brakes sooner.",
            f"It overshoots by {over.shown}, Momentum by {mom_over.shown}; f < {tol_text} at "
            f"step {tol.shown}, not {mom_tol.shown}.",
        ],
    ))
    return cards
