r"""Optimizer races on 3D surfaces: scenario S6, races A and B.

* :class:`SurfaceRaceA` - six optimizers on :math:`f_1 = x^2 + y^2 + y^3 + xy` from (2, 3),
  150 steps; several leave the view over the cubic's cliff and are marked where they stop.
* :class:`SurfaceRaceB` - five optimizers down the long valley :math:`x^2/20 + y^2` from
  (-7, 2), 100 steps. Its contours are :math:`\sqrt{\kappa} = \sqrt{20} \approx 4.5` times
  longer than wide (:math:`\kappa = L/\mu = 20`, the ratio of its two curvatures), and SGD's
  rate 0.95 is close to the best fixed step for it, :math:`2/(\mu + L) \approx 0.952`: SGD gets
  below :math:`f = 10^{-3}` before Momentum and Adam and ends lowest of the three, while they
  overshoot past :math:`x = 0`. Every one of these numbers is computed by :func:`valley_facts`
  from the Hessian and from the runs.

Both reuse the 3D race of :mod:`scenes.custom` (fast surface, paths drawn in depth order,
shadows on a contour floor) with the hyperparameters of the scenario::

    manim -ql scenes/races3d.py SurfaceRaceA
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import DEGREES, DOWN, LEFT, RIGHT, FadeIn, Mobject, VGroup

from gdanim import analysis, objectives, optimizers
from gdanim.cache import cached_descend
from scenes.custom import CustomRace3D
from scenes.pacing import say, wait_until
from scenes.style import (
    MUTED_TEXT,
    OPTIMIZER_COLORS,
    TEXT_COLOR,
    fmt,
    fmt_sci,
    make_text,
)

__all__ = [
    "RACE_A",
    "RACE_B",
    "RunFacts",
    "SurfaceRaceA",
    "SurfaceRaceB",
    "ValleyFacts",
    "valley_facts",
]

#: S6 race A on f1 = x^2 + y^2 + y^3 + x y.
RACE_A: dict[str, Any] = {
    "function": "cubic_bowl",
    "start": [2.0, 3.0],
    "steps": 150,
    "view": [-3.0, 3.0, -3.0, 3.0],
    "optimizers": [
        "sgd:lr=0.01",
        "adagrad:lr=0.5",
        "rmsprop:lr=0.1,alpha=0.9",
        "momentum:lr=0.01,momentum=0.9",
        "adam:lr=0.1,betas=0.9/0.99",
        "nesterov:lr=0.01,momentum=0.9",
    ],
    "title": "Race A: a bowl with a cubic cliff",
    # written by :func:`race_a_captions` from the runs
    "captions": [],
    "lrs": [],
}

#: S6 race B on the long valley f2 = x^2 / 20 + y^2.
RACE_B: dict[str, Any] = {
    "function": "long_valley",
    "start": [-7.0, 2.0],
    "steps": 100,
    "view": [-10.0, 10.0, -5.0, 5.0],
    "optimizers": [
        "sgd:lr=0.95",
        "adagrad:lr=1.5",
        "rmsprop:lr=0.05,alpha=0.9",
        "momentum:lr=0.1,momentum=0.9",
        "adam:lr=0.3,betas=0.9/0.99",
    ],
    "title": "Race B: the long valley",
    # written by :func:`race_b_captions` from the runs
    "captions": [],
    "lrs": [],
}

#: Race B's tolerance on f for "steps to get below".
RACE_B_TOL = 1e-3


@dataclass(frozen=True)
class RunFacts:
    """One optimizer's run down the valley, in numbers."""

    name: str
    lr: float
    steps_to_tol: int | None
    final_f: float
    past_zero: float


@dataclass(frozen=True)
class ValleyFacts:
    r"""Race B in numbers: the valley's curvatures and what each run did.

    ``mu`` and ``L`` are the smallest and largest eigenvalues of the Hessian at the minimum,
    ``kappa = L / mu`` the condition number, ``aspect = sqrt(kappa)`` how many times longer
    than wide the contours are (a level set of a quadratic has semi-axes proportional to
    :math:`1/\sqrt{\lambda}`), ``best_lr = 2 / (mu + L)`` the fixed step that makes both
    directions shrink equally fast, and ``sgd_factors`` the factors :math:`|1 - \eta\lambda|`
    of SGD's rate along the two directions. ``runs`` are by display name, in race order.
    """

    mu: float
    L: float
    kappa: float
    aspect: float
    best_lr: float
    sgd_factors: tuple[float, float]
    tol: float
    runs: dict[str, RunFacts]


def valley_facts(spec: dict[str, Any] | None = None, tol: float = RACE_B_TOL) -> ValleyFacts:
    """Compute :class:`ValleyFacts` for race B (or a race with the same keys)."""
    p = RACE_B if spec is None else spec
    f = objectives.resolve(p["function"])
    minimum = np.asarray(f.minima[0], dtype=np.float64)
    hess = np.asarray(f.hessian(minimum), dtype=np.float64)
    mu, L = (float(v) for v in np.linalg.eigvalsh((hess + hess.T) / 2.0)[[0, -1]])
    runs: dict[str, RunFacts] = {}
    f_min = float(f.value(minimum))
    for text in p["optimizers"]:
        opt = optimizers.from_spec(text)
        traj = cached_descend(f, opt, list(p["start"]), int(p["steps"]), bound=list(p["view"]))
        last = traj.steps if traj.stopped_at is None else int(traj.stopped_at) - 1
        runs[opt.display_name] = RunFacts(
            name=opt.display_name,
            lr=float(str(opt.hyperparameters["lr"])),
            steps_to_tol=analysis.steps_to_tolerance(traj, f_min, tol),
            final_f=float(traj.values[last]),
            past_zero=max(0.0, float(traj.points[: last + 1, 0].max() - minimum[0])),
        )
    sgd_lr = runs["SGD"].lr
    return ValleyFacts(
        mu=mu,
        L=L,
        kappa=L / mu,
        aspect=math.sqrt(L / mu),
        best_lr=2.0 / (mu + L),
        sgd_factors=(abs(1.0 - sgd_lr * mu), abs(1.0 - sgd_lr * L)),
        tol=tol,
        runs=runs,
    )


def _value(f: float) -> str:
    """A value of f as the race B table and narration show it: ``0.20``, ``8.1e-9``."""
    return fmt(f, 2) if abs(f) >= 0.01 else fmt_sci(f)


def _g(x: float) -> str:
    """A curvature or a ratio as short as it is exact: ``0.1``, ``2``, ``20``."""
    return f"{x:.6g}"


_COUNT = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _count(n: int) -> str:
    """A small count in words (``6`` -> ``six``)."""
    return _COUNT[n] if 0 <= n < len(_COUNT) else str(n)


def _join(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def race_a_captions(spec: dict[str, Any] | None = None) -> list[str]:
    """Race A's narration, from its runs: the start, the runs that go over the edge (with the
    step at which they leave the view) and the lowest of the others.

    Examples
    --------
    >>> race_a_captions()[1].split(": ")[1]
    'Momentum and Nesterov go over the edge, at steps 10 and 11.'
    """
    p = RACE_A if spec is None else spec
    f = objectives.resolve(p["function"])
    over: list[tuple[str, int]] = []
    stayed: list[tuple[str, float]] = []
    for text in p["optimizers"]:
        opt = optimizers.from_spec(text)
        traj = cached_descend(f, opt, list(p["start"]), int(p["steps"]), bound=list(p["view"]))
        if traj.stopped_at is None:
            stayed.append((opt.display_name, float(traj.values[-1])))
        else:
            over.append((opt.display_name, int(traj.stopped_at)))
    x0, y0 = p["start"]
    said = [
        f"Race A: {_count(len(p['optimizers']))} optimizers start from ({fmt(x0, 0)}, "
        f"{fmt(y0, 0)}) on a bowl bent by a cubic term."
    ]
    if over:
        goes = "goes" if len(over) == 1 else "go"
        steps = "step" if len(over) == 1 else "steps"
        said.append(
            f"Past the saddle the cubic falls away: {_join([n for n, _ in over])} {goes} over "
            f"the edge, at {steps} {_join([str(k) for _, k in over])}."
        )
    if stayed:
        name, low = min(stayed, key=lambda r: r[1])
        said.append(f"The others stay in the bowl; {name} ends lowest, at f = {_value(low)}.")
    return said


def race_b_captions(facts: ValleyFacts, formula: str) -> tuple[list[str], list[str]]:
    """Race B's narration, from its numbers: the captions over the race, and after it."""
    r = facts.runs
    sgd, mom, adam = r["SGD"], r["Momentum"], r["Adam"]
    tol = fmt(facts.tol, 3)
    during = [
        f"The long valley {formula}: contours \u221a{_g(facts.kappa)} \u2248 "
        f"{fmt(facts.aspect, 2)} times longer than wide, as its curvatures differ by "
        f"\u03ba = {_g(facts.kappa)}.",
        f"At lr {_g(sgd.lr)}, near the best fixed step 2/(\u03bc + L) = "
        f"{fmt(facts.best_lr, 3)}, SGD crosses the floor every step, yet shrinks both "
        f"directions \u00d7{fmt(max(facts.sgd_factors), 1)} a step.",
    ]
    after = [
        f"SGD gets below f = {tol} at step {sgd.steps_to_tol}, before Momentum "
        f"({mom.steps_to_tol}) and Adam ({adam.steps_to_tol}), and ends lowest of the three: "
        f"f = {_value(sgd.final_f)} against {_value(mom.final_f)} and "
        f"{_value(adam.final_f)}.",
        f"Momentum and Adam overshoot past x = 0, by {fmt(mom.past_zero, 2)} and "
        f"{fmt(adam.past_zero, 2)}.",
    ]
    return during, after


class SurfaceRaceA(CustomRace3D):
    """S6 race A on the 3D surface of :math:`x^2 + y^2 + y^3 + xy`, contours below.

    The race plays in 10 s (the default for 150 steps is about 14 s), with a short hold after
    it: just long enough for its three captions at the reading pace.
    """

    race_seconds = 10.0
    outro_seconds = 2.5

    def params(self) -> dict[str, Any]:
        self.said = race_a_captions()
        return {**RACE_A, "captions": self.said}


class SurfaceRaceB(CustomRace3D):
    r"""S6 race B on the 3D surface of the long valley :math:`x^2/20 + y^2`, contours below.

    The camera looks down the valley from its far end and from high up, so that the walls
    stand at the sides and the paths on the floor stay in sight. A note under the formula gives
    the curvatures and :math:`\kappa`; after the race a table gives each run's step to
    :math:`f < 10^{-3}`, its last value and how far it went past :math:`x = 0`, all from
    :func:`valley_facts` (``self.facts``), and the narration (``self.said``) reads them out.
    """

    phi = 42 * DEGREES
    theta_start = -20 * DEGREES
    zoom = 0.6
    captions_over_outro = False
    #: Largest width of the table of numbers (scene units), left of the surface.
    TABLE_WIDTH = 4.5

    def params(self) -> dict[str, Any]:
        self.facts = valley_facts()
        f = objectives.resolve(RACE_B["function"])
        during, after = race_b_captions(self.facts, f.text)
        self.said_after = after
        self.said = [*during, *after]
        return {**RACE_B, "captions": during}

    def hud_note(self) -> Mobject | None:
        k = self.facts
        lines = VGroup(
            make_text(f"curvatures {_g(k.mu)} and {_g(k.L)}: \u03ba = {_g(k.kappa)}", 20,
                      TEXT_COLOR),
            make_text(f"contours \u221a\u03ba \u2248 {fmt(k.aspect, 2)} times longer than wide",
                      18, MUTED_TEXT),
            make_text(f"best fixed step 2/(\u03bc + L) = {fmt(k.best_lr, 3)}", 18, MUTED_TEXT),
        ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        self.note = lines
        return lines

    def after_race(self, outro: float) -> None:
        # the camera holds still while the numbers are read, so the surface keeps clear of them
        # manim leaves ThreeDScene.stop_ambient_camera_rotation unannotated
        self.stop_ambient_camera_rotation()  # type: ignore[no-untyped-call]
        table = self._table()
        table.to_corner(DOWN + LEFT, buff=0.45)
        self.table = table
        self.add_fixed_in_frame_mobjects(table)
        for i, said in enumerate(self.said_after):
            end = say(self, said)
            if i == 0:
                self.play(FadeIn(table, shift=RIGHT * 0.2), run_time=0.8)
            wait_until(self, end)

    def _table(self) -> VGroup:
        """Each run's numbers: step to f < tol, f after the race, distance past x = 0."""
        k = self.facts
        size = 17
        head = [
            make_text("", size),
            make_text(f"f < {fmt(k.tol, 3)}", size, MUTED_TEXT),
            make_text("f at the end", size, MUTED_TEXT),
            make_text("past x = 0", size, MUTED_TEXT),
        ]
        rows = [head]
        for name, run in k.runs.items():
            color = OPTIMIZER_COLORS[name]
            rows.append([
                make_text(name, size, color, weight="BOLD"),
                make_text("-" if run.steps_to_tol is None else f"step {run.steps_to_tol}",
                          size, TEXT_COLOR),
                make_text(_value(run.final_f), size, TEXT_COLOR),
                make_text(fmt(run.past_zero, 2) if run.past_zero > 0 else "no", size,
                          TEXT_COLOR),
            ])
        widths = [max(r[i].width for r in rows) for i in range(4)]
        gaps = (0.3, 0.35, 0.35)
        table = VGroup()
        for j, cells in enumerate(rows):
            x = 0.0
            row = VGroup()
            for i, cell in enumerate(cells):
                cell.move_to(np.array([x, -0.36 * j, 0.0]), aligned_edge=LEFT)
                if i < 3:
                    x += widths[i] + gaps[i]
                row.add(cell)
            table.add(row)
        self.table_rows = rows
        if table.width > self.TABLE_WIDTH:  # keep clear of the floor at the frame's middle
            table.scale_to_fit_width(self.TABLE_WIDTH)
        return table
