"""The saddle race's runs and the facts read from them (scenario S6, race C); no manim here.

:data:`RACE_C` says what is raced, :func:`run_race` runs it (each run bounded by the view, so a
run that leaves it stops and its exit step is kept), and :func:`saddle_facts` computes what the
race's closing notes say about plain gradient descent and Nesterov. The wording helpers
(:func:`fmt_lr`, :func:`times_word`, :func:`fraction_word`, :func:`count_word`,
:func:`join_words`) turn those numbers into the words the race scene shows. Both
:mod:`scenes.race` and :mod:`scenes.traits` read their saddle runs from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gdanim import Trajectory, objectives, optimizers
from gdanim.analysis import path_length, saddle_escape_step
from gdanim.cache import cached_descend
from gdanim.optimizers import Optimizer
from scenes.style import fmt

__all__ = [
    "RACE_C",
    "RaceResult",
    "RaceSpec",
    "SaddleFacts",
    "count_word",
    "fmt_lr",
    "fraction_word",
    "join_words",
    "run_race",
    "saddle_facts",
    "times_word",
]


@dataclass(frozen=True)
class RaceSpec:
    """What to race: objective, start, steps, view, the optimizers and the saddle region."""

    objective: str
    start: tuple[float, float]
    steps: int
    view: tuple[float, float, float, float]
    specs: tuple[str, ...]
    saddle: tuple[float, float]
    saddle_radius: float


#: S6 race C, the classic saddle. The saddle region is the disc of radius 0.6 around the saddle
#: point; the start (distance 0.5) lies inside it.
RACE_C = RaceSpec(
    objective="saddle",
    start=(0.00001, 0.5),
    steps=500,
    view=(-1.0, 2.0, -1.0, 1.0),
    specs=(
        "sgd:lr=0.05",
        "momentum:lr=0.05,momentum=0.9",
        "nesterov:lr=0.01,momentum=0.9",
        "adagrad:lr=0.05",
        "rmsprop:lr=0.05,alpha=0.9",
        "adam:lr=0.05,betas=0.9/0.99",
    ),
    saddle=(0.0, 0.0),
    saddle_radius=0.6,
)


@dataclass(frozen=True)
class RaceResult:
    """One optimizer's run and the numbers the scene prints about it."""

    optimizer: Optimizer
    trajectory: Trajectory
    escape_step: int | None
    exit_step: int | None
    path_length: float

    @property
    def name(self) -> str:
        """The optimizer's display name."""
        return self.optimizer.display_name

    @property
    def last_drawn(self) -> int:
        """Index of the last point drawn: the last one inside the view."""
        stop = self.exit_step
        return self.trajectory.steps if stop is None else stop - 1


def run_race(spec: RaceSpec = RACE_C) -> dict[str, RaceResult]:
    """Run every optimizer of ``spec`` with ``bound = view``; results by display name."""
    f = objectives.get(spec.objective)
    results: dict[str, RaceResult] = {}
    for text in spec.specs:
        opt = optimizers.from_spec(text)
        traj = cached_descend(f, opt, spec.start, spec.steps, bound=spec.view)
        results[opt.display_name] = RaceResult(
            optimizer=opt,
            trajectory=traj,
            escape_step=saddle_escape_step(traj, spec.saddle, spec.saddle_radius),
            exit_step=None if traj.stopped_at is None else int(traj.stopped_at),
            path_length=path_length(traj),
        )
    return results


@dataclass(frozen=True)
class SaddleFacts:
    """What the saddle race shows about gradient descent and Nesterov, computed from runs.

    Attributes
    ----------
    nesterov_lr, momentum_lr : float
        The two rates as raced.
    rate_ratio : float
        ``momentum_lr / nesterov_lr`` (5 in race C).
    nesterov_step, momentum_step : int or None
        Escape steps as raced (radius ``spec.saddle_radius``).
    nesterov_same_rate_step : int or None
        Nesterov's escape step when run again at Momentum's rate.
    sgd_step : int or None
        Plain gradient descent's escape step.
    sgd_growth : float
        :math:`x_1 / x_0` of the plain gradient descent run: how much x grows a step.
    sgd_growth_steps : bool
        Whether x grew by that factor at every step inside the saddle region.
    ridge_x : dict of str to float
        For every optimizer started exactly on the ridge (x = 0, same y), the largest
        :math:`|x_t|` of its run: 0 for all of them.
    ridge_grad_x : float
        The x-component of the gradient on the ridge, at the start.
    """

    nesterov_lr: float
    momentum_lr: float
    rate_ratio: float
    nesterov_step: int | None
    momentum_step: int | None
    nesterov_same_rate_step: int | None
    sgd_step: int | None
    sgd_growth: float
    sgd_growth_steps: bool
    ridge_x: dict[str, float]
    ridge_grad_x: float



def saddle_facts(
    spec: RaceSpec = RACE_C, results: dict[str, RaceResult] | None = None
) -> SaddleFacts:
    """Compute :class:`SaddleFacts` for a race with SGD, Momentum and Nesterov."""
    res = run_race(spec) if results is None else results
    f = objectives.get(spec.objective)
    nes, mom, sgd = res["Nesterov"], res["Momentum"], res["SGD"]
    nes_lr = float(str(nes.optimizer.hyperparameters["lr"]))
    mom_lr = float(str(mom.optimizer.hyperparameters["lr"]))
    again = getattr(optimizers, nes.optimizer.name)(
        **{**nes.optimizer.hyperparameters, "lr": mom_lr}
    )
    same = cached_descend(f, again, spec.start, spec.steps, bound=spec.view)
    xs = sgd.trajectory.points[:, 0]
    inside = int(sgd.escape_step or len(xs) - 1)
    growth = xs[1 : inside + 1] / xs[:inside]
    ridge_start = (0.0, *spec.start[1:])
    ridge: dict[str, float] = {}
    for name, r in res.items():
        run = cached_descend(f, r.optimizer, ridge_start, spec.steps, bound=spec.view)
        ridge[name] = float(np.abs(run.points[:, 0]).max())
    return SaddleFacts(
        nesterov_lr=nes_lr,
        momentum_lr=mom_lr,
        rate_ratio=mom_lr / nes_lr,
        nesterov_step=nes.escape_step,
        momentum_step=mom.escape_step,
        nesterov_same_rate_step=saddle_escape_step(same, spec.saddle, spec.saddle_radius),
        sgd_step=sgd.escape_step,
        sgd_growth=float(growth[0]),
        sgd_growth_steps=bool(np.allclose(growth, growth[0], rtol=1e-9)),
        ridge_x=ridge,
        ridge_grad_x=float(f.grad(np.array(ridge_start))[0]),
    )


def fmt_lr(lr: float) -> str:
    """A learning rate as the specs write it: ``0.05``, ``0.01``, ``1.5``."""
    return f"{lr:g}"


def times_word(ratio: float) -> str:
    """A ratio of rates as words: ``five`` for 5.0, else its number."""
    words = {2: "two", 3: "three", 4: "four", 5: "five", 10: "ten"}
    k = round(ratio)
    return words[k] if abs(ratio - k) < 1e-9 and k in words else fmt(ratio, 1)


def fraction_word(ratio: float) -> str:
    """``fifth`` for 5, ``half`` for 2: the share of a rate ``ratio`` times smaller."""
    words = {2: "half", 3: "third", 4: "quarter", 5: "fifth", 10: "tenth"}
    k = round(ratio)
    return words[k] if abs(ratio - k) < 1e-9 and k in words else f"1/{fmt(ratio, 1)}"


def count_word(n: int) -> str:
    """``n`` as a capitalised word (``Six`` for 6), or its digits beyond nine."""
    words = ("no", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
    return words[n] if 0 < n < len(words) else str(n)


def join_words(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]

